"""The risks chapter: register, calibration, Monte Carlo fans, what the results owe to judgement,
tornado and what would have to be true."""

from __future__ import annotations

import datetime as dt

import altair as alt
import numpy as np
import pandas as pd

from .. import calibration, charts, data, halves, labels, prose, risk, sensitivity, sourcing, tables, units
from ..assumptions import Assumptions, Scenario

SOURCE = "Ten Gigawatts risk register, calibration and Monte Carlo; sources in the calibration table"

#: How the register words a direction.
DIRECTION = {"downside": "Downside", "upside": "Upside"}
#: Panels of the risk matrix, one per headline a risk hurts (in this order), with the unit of its axis.
PANELS = {
    "gw_milestone": ("Schedule: GW online at the milestone", "GW"),
    "gw_end": ("Volume: GW online at the horizon", "GW"),
    "capex_cum_usd_bn": ("Capital: cumulative capex at the horizon", "USD bn"),
    "investment_cum_usd_bn": ("NVIDIA's investment released by the horizon", "USD bn"),
    "energy_twh_end": ("Electricity use at the horizon", "TWh per year"),
    "fp4_eflops_end": ("Compute: dense FP4 installed at the horizon", "EFLOP/s"),
}


def _date(text: str) -> str:
    d = dt.date.fromisoformat(text)
    return f"{d.day} {d:%B %Y}"


def _window(row: pd.Series) -> str:
    """Return the half-years still open to a risk, as a reader reads them."""
    if row["basis"] == "per launch":
        return "; ".join(f"{n.split(' NVL')[0]} {halves.label(h)}" for n, h in zip(row["launches"], row["launch_halves"]))
    lo, hi = halves.label(row["first_half"]), halves.label(row["last_half"])
    return lo if lo == hi else f"{lo}–{hi}"


def _stated_window(row: pd.Series) -> str:
    """Return the window a likelihood 'over window' is stated for (it may have begun before the data date)."""
    lo = str(row["window_from"])
    first = float(lo) if lo.replace(".", "").isdigit() else float(row["first_half"])
    lo_w, hi_w = halves.label(first), halves.label(row["last_half"])
    return lo_w if lo_w == hi_w else f"{lo_w}–{hi_w}"


def _likelihood(row: pd.Series) -> str:
    """Return the likelihood over what is left of the window, with how it is stated."""
    stated, left = prose.pct(row["stated_likelihood"]), prose.pct(row["probability"])
    if row["basis"] == "per launch":
        return f"{stated} at each launch: {row['window_words']}"
    if row["basis"] == "per half-year":
        return f"{left} over {row['window_words']} ({stated} a half-year)"
    if left == stated:
        return f"{left} over {row['window_words']}"
    return f"{left} over what is left of {_stated_window(row)} ({stated} over all of it)"


def _impact(row: pd.Series) -> str:
    """Return what a risk does if it strikes, in its own unit."""
    x = row["impact_value"]
    up = row["direction"] == "upside"
    words = []
    for eff in str(row["effect"]).split(";"):
        eff = eff.strip()
        if eff == "pause":
            words.append(f"build waits {prose.num(x, 0)} half-year{'s' if x != 1 else ''}")
        elif eff == "platform":
            words.append(f"{prose.num(x, 0)} half-year {'early' if up else 'late'}")
        elif eff == "pace":
            words.append(f"build pace {'+' if up else '−'}{prose.pct(x)}")
        elif eff == "volume":
            words.append(f"{prose.pct(x)} of the GW still to build move elsewhere")
        elif eff == "utilisation":
            words.append(f"utilisation −{prose.pct(x)}")
        elif eff == "capex_other":
            words.append(f"{'−' if up else '+'}{prose.pct(x)} on the cost around NVIDIA's systems")
        elif eff == "nvidia_price":
            words.append(f"+{prose.pct(x)} on NVIDIA's price")
        elif eff == "tranche":
            words.append(f"{prose.pct(x)} of later tranches withheld")
        elif eff == "pue":
            words.append(f"+{prose.num(x, 2)} PUE on new halls")
    return "; ".join(words)


def _effect(row: pd.Series, a: Assumptions) -> str:
    """Return the mean effect on the headline the risk hurts, if it strikes, in that headline's unit."""
    key = row["hurts"]
    v = float(row[f"delta_{key}"])
    sign = "+" if v >= 0 else "−"
    when = halves.label(a.milestone_half) if key == "gw_milestone" else halves.label(a.horizon_end_half)
    if key in ("gw_milestone", "gw_end"):
        return f"{sign}{prose.num(abs(v), 2)} GW online by {when}"
    if key == "capex_cum_usd_bn":
        return f"{sign}{prose.usd_bn(abs(v))} capex by {when}"
    if key == "investment_cum_usd_bn":
        return f"{sign}{prose.usd_bn(abs(v))} NVIDIA investment by {when}"
    if key == "energy_twh_end":
        return f"{sign}{prose.num(abs(v), 1)} TWh a year at {when}"
    return f"{sign}{prose.flops(abs(v))} dense FP4 at {when}"


def register_frame(a: Assumptions, p: risk.Plan) -> pd.DataFrame:
    """Return the drawn risks with the reader's words for window, likelihood, impact and effect."""
    reg = risk.register(a, p)
    reg = reg[reg["status"] == "drawn"].copy()
    launch_halves = {e.launch_name: float(e.halves[0]) for e in p.events if e.launch_name}
    reg["launch_halves"] = [[launch_halves[n] for n in ls] if isinstance(ls, list) else [] for ls in reg["launches"]]
    cal = calibration.table(a).set_index("risk_id")
    reg["basis_words"] = ["Judgement" if cal.at[r, "is_judgement"] else "Reference class" for r in reg["risk_id"]]
    reg["window_words"] = reg.apply(_window, axis=1)
    reg["likelihood_words"] = reg.apply(_likelihood, axis=1)
    reg["impact_words"] = reg.apply(_impact, axis=1)
    reg["effect_words"] = reg.apply(lambda r: _effect(r, a), axis=1)
    reg["direction_words"] = reg["direction"].map(DIRECTION)
    return reg.sort_values(["direction", "probability"], ascending=[True, False], kind="stable")


def intro(sc: Scenario, st: dict[str, float], p: risk.Plan, judge: pd.DataFrame) -> prose.Markdown:
    """Return the chapter's opening numbers, each headline probability with its judgement spread."""
    a = sc.assumptions
    reg = p.register
    drawn = int((reg["status"] == "drawn").sum())
    lo_t, hi_t = risk.spread(judge, "p_target_by_horizon")
    lo_o, hi_o = risk.spread(judge, "p_first_capacity_on_time")
    lo_b, hi_b = risk.spread(judge, "p_behind_at_milestone")
    planned = st["gw_end_det"]
    text = (
        f"The Monte Carlo draws {prose.num(st['draws'], 0)} roadmaps of the **{sc.title}** edition (seed {a.mc_seed}) "
        f"from what was known on {_date(p.data_date)}, the date of the newest source: {drawn} risks are still open "
        f"and are drawn, upsides as well as downsides. The edition's own plan, {prose.num(planned)} GW by "
        f"{halves.label(a.horizon_end_half)}, is reached in {prose.pct(st['p_target_by_horizon'])} of draws "
        f"({prose.pct(lo_t)} to {prose.pct(hi_t)} as the likelihoods and their correlation move within the ranges "
        f"tested below). At the milestone ({halves.label(a.milestone_half)}) the median is "
        f"{prose.num(st['gw_milestone_p50'])} GW against {prose.num(st['gw_milestone_det'])} GW planned "
        f"(P10 {prose.num(st['gw_milestone_p10'])}, P90 {prose.num(st['gw_milestone_p90'])}): "
        f"{prose.pct(st['p_behind_at_milestone'])} of draws are behind plan ({prose.pct(lo_b)} to {prose.pct(hi_b)}) "
        f"and {prose.pct(st['p_ahead_at_milestone'])} ahead of it. The first capacity arrives on time, in "
        f"{halves.label(a.start_half)}, in {prose.pct(st['p_first_capacity_on_time'])} of draws "
        f"({prose.pct(lo_o)} to {prose.pct(hi_o)}). Cumulative capex runs from "
        f"{prose.usd_bn(st['capex_cum_usd_bn_p10'])} (P10) to {prose.usd_bn(st['capex_cum_usd_bn_p90'])} (P90)")
    if st["investment_cum_usd_bn_varies"]:
        text += (f", and NVIDIA's investment released from {prose.usd_bn(st['investment_cum_usd_bn_p10'])} to "
                 f"{prose.usd_bn(st['investment_cum_usd_bn_p90'])}.")
    else:
        text += (f"; NVIDIA's investment is {prose.usd_bn(st['investment_cum_usd_bn_det'])} in every draw, a fixed "
                 f"stake no risk in this edition moves.")
    return prose.md(text)


def _condition_words(text: str) -> str:
    parts = []
    for name, op, value in risk._conditions(text):
        label = labels.label(name)
        parts.append(f"the {label[:1].lower()}{label[1:]} {'is' if op == '==' else 'is not'} '{value}'")
    return " and ".join(parts)


def status_text(a: Assumptions, p: risk.Plan) -> prose.Markdown:
    """Return what the register leaves out in this edition, and why."""
    reg = p.register
    lines = []
    for _, r in reg[reg["status"] != "drawn"].iterrows():
        if r["status"] in ("happened", "set aside"):
            lines.append(f"**{r['name']}** happened on {_date(r['occurred'])}. {r['description']} "
                         + ("This edition's assumptions carry it, so it is not drawn."
                            if r["status"] == "happened" else
                            "This edition sets it aside on purpose, to show the counterfactual; it is not drawn."))
        else:
            lines.append(f"**{r['name']}** is not drawn: its window closed before the data date without it.")
    every = risk._register(None)
    absent = every[~every["risk_id"].isin(reg["risk_id"])]
    for _, r in absent.iterrows():
        lines.append(f"**{r['name']}** does not apply in this edition: it can strike only where "
                     f"{_condition_words(r['applies_when'])}.")
    if not lines:
        lines.append("Every risk in the register is still open in this edition.")
    return prose.md("\n\n".join(lines))


def register_table(a: Assumptions, p: risk.Plan) -> tables.Table:
    """Return the drawn risks: window, likelihood over it, impact if it strikes, effect, basis."""
    reg = register_frame(a, p)
    reg["risk_words"] = [n + (" (upside)" if d == "upside" else "") for n, d in zip(reg["name"], reg["direction"])]
    return tables.table(reg, {
        "risk_words": tables.Col("Risk"), "likelihood_words": tables.Col("Likelihood over its open window"),
        "impact_words": tables.Col("If it strikes"), "effect_words": tables.Col("Mean effect if it strikes"),
        "basis_words": tables.Col("Basis"),
    }, note=(f"Downsides first, then upsides, each by likelihood. Windows and likelihoods are what is left at the "
             f"data date ({_date(p.data_date)}). The effect is the risk's alone, without the spreads, averaged over "
             "the half-years it may strike in. The calibration table gives the evidence for each likelihood."))


# --- The risk matrix --------------------------------------------------------------------------

#: Approximate width of one character of a chart label (px at 10.5 px type), generous on purpose.
CHAR_PX = 6.4
LABEL_PX = 13


#: Half the size of a point marker (px), kept clear of labels.
POINT_PX = 6


def place_labels(x_px: np.ndarray, y_px: np.ndarray, texts: list[str], width: float, height: float
                 ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Return label positions (anchor x, centre y, alignment) that overlap no other label, no point
    and no edge of the panel: each label sits beside its point, moved up or down to the nearest free
    slot if something is there already (a leader line then joins it to its point)."""
    boxes: list[tuple[float, float, float, float]] = [
        (x - POINT_PX, y - POINT_PX, x + POINT_PX, y + POINT_PX) for x, y in zip(x_px, y_px)]
    lx, ly, align = np.zeros(len(texts)), np.zeros(len(texts)), []
    order = np.argsort(-y_px if len(y_px) else y_px, kind="stable")
    for i in order:
        w = CHAR_PX * len(texts[i])
        right = x_px[i] + 9 + w <= width
        left_edge = x_px[i] + 9 if right else x_px[i] - 9 - w
        for step in range(0, 400):
            for sgn in ((0,) if step == 0 else (-1, 1)):
                y = y_px[i] + sgn * step * 2
                if y - LABEL_PX / 2 < 0 or y + LABEL_PX / 2 > height:
                    continue
                box = (left_edge, y - LABEL_PX / 2, left_edge + w, y + LABEL_PX / 2)
                if all(box[2] <= b[0] or box[0] >= b[2] or box[3] <= b[1] or box[1] >= b[3] for b in boxes):
                    boxes.append(box)
                    lx[i], ly[i] = (left_edge if right else left_edge + w), y
                    align.append((i, "left" if right else "right"))
                    break
            else:
                continue
            break
        else:
            raise ValueError(f"no room for the label {texts[i]!r}")
    sides = dict(align)
    return lx, ly, [sides[i] for i in range(len(texts))]


def _panel_height(n_points: int) -> float:
    """Height of a matrix panel: room for every label stacked, with a floor for sparse panels."""
    return float(max(90, 16 * n_points + 24))


def matrix_frame(a: Assumptions, p: risk.Plan) -> pd.DataFrame:
    """Return one row per drawn risk with its likelihood, effect size, panel and label position."""
    reg = register_frame(a, p)
    reg["size"] = [abs(float(r[f"delta_{r['hurts']}"])) for _, r in reg.iterrows()]
    # The likelihood axis ends a little past the likeliest risk (in tenths), so clusters spread out.
    right = float(min(1.0, max(0.3, np.ceil(reg["probability"].max() * 1.1 * 10) / 10)))
    frames = []
    width = charts.WIDTH
    for key, (title, unit) in PANELS.items():
        g = reg[reg["hurts"] == key].copy()
        if g.empty:
            continue
        height = _panel_height(len(g))
        top = max(float(g["size"].max()) * 1.2, 1e-9)
        x_px = g["probability"].to_numpy() / right * width
        y_px = (1 - g["size"].to_numpy() / top) * height
        lx, ly, al = place_labels(x_px, y_px, list(g["name"]), width, height)
        g["label_x"], g["label_y"], g["align"] = lx / width * right, (1 - ly / height) * top, al
        g["y_top"], g["x_top"], g["panel"], g["unit"], g["height"] = top, right, title, unit, height
        frames.append(g)
    return pd.concat(frames, ignore_index=True)


#: The columns of matrix_frame the risk matrix draws or shows in its tooltips.
MATRIX_FIELDS = {"probability", "size", "direction_words", "name", "likelihood_words", "effect_words",
                 "label_x", "label_y"}


def fig_matrix(a: Assumptions, p: risk.Plan) -> charts.Figure:
    """Return the risk matrix: likelihood over the open window against the effect if it strikes, one
    panel per headline a risk hurts, every point named, labels placed so none overlaps another."""
    m = matrix_frame(a, p)
    panels = []
    dom = ["Downside", "Upside"]
    colour = alt.Scale(domain=dom, range=[charts.PALETTE["accent"], charts.PALETTE["NVIDIA"]])
    right = float(m["x_top"].iloc[0])
    for panel, g in m.groupby("panel", sort=False):
        unit = g["unit"].iloc[0]
        g = g.sort_values("direction")  # upsides drawn last, on top of a downside at the same spot
        # Only what the chart shows (in the frame's order): Altair converts every column of every layer.
        shown = g[[c for c in g.columns if c in MATRIX_FIELDS]]
        x = alt.X("probability:Q", title="Likelihood over the open window (%)",
                  scale=alt.Scale(domain=[0, right], nice=False),
                  axis=alt.Axis(format="%", values=[round(v, 1) for v in np.arange(0, right + 1e-9, 0.1)]))
        y = alt.Y("size:Q", title=unit, scale=alt.Scale(domain=[0, float(g["y_top"].iloc[0])], nice=False),
                  axis=alt.Axis(tickCount=4))
        pts = alt.Chart(shown).mark_point(filled=True, size=80).encode(
            x=x, y=y, color=alt.Color("direction_words:N", title=None, scale=colour),
            shape=alt.Shape("direction_words:N", title=None, scale=alt.Scale(domain=dom, range=["circle", "triangle-up"])),
            tooltip=[alt.Tooltip("name:N", title="Risk"), alt.Tooltip("likelihood_words:N", title="Likelihood"),
                     alt.Tooltip("effect_words:N", title="Mean effect if it strikes")])
        leaders = alt.Chart(shown).mark_rule(color="#999999", strokeWidth=0.6).encode(
            x="probability:Q", y="size:Q", x2="label_x:Q", y2="label_y:Q")
        text = []
        for side in ("left", "right"):
            gs = shown[g["align"] == side]
            if len(gs):
                text.append(alt.Chart(gs).mark_text(align=side, baseline="middle", fontSize=10.5, color="#222222").encode(
                    x="label_x:Q", y="label_y:Q", text="name:N"))
        panels.append(alt.layer(leaders, pts, *text).properties(
            height=float(g["height"].iloc[0]), title=alt.Title(panel, fontSize=12, fontWeight="normal")))
    chart = alt.vconcat(*panels, spacing=14).resolve_scale(x="independent", y="independent").properties(
        title=alt.Title("Risk matrix", subtitle="Likelihood over what is left of each window against the mean effect "
                                                "if it strikes, in the unit it hurts"))
    worst = m[m["direction"] == "downside"].sort_values("probability", ascending=False).iloc[0]
    return charts.figure(chart, source=SOURCE, description=(
        f"Risk matrix in {m['panel'].nunique()} panels, {len(m)} risks; the most likely downside is "
        f"'{worst['name']}' ({worst['likelihood_words']}), with a mean effect of {worst['effect_words']}."))


# --- Calibration ------------------------------------------------------------------------------


def _cite(ids: str) -> str:
    """Return 'Publisher, year' for each cited source, without repeats (the appendix lists them in full)."""
    return "; ".join(dict.fromkeys(sourcing.cite(s.strip(), short=True) for s in str(ids).split(";") if s.strip()))


def calibration_table(a: Assumptions, p: risk.Plan) -> tables.Table:
    """Return one row per risk in this edition: the likelihood, its reference class or 'judgement',
    the evidence and how the number follows, and the sources."""
    t = calibration.table(a)
    t = t[t["risk_id"].isin(p.register["risk_id"])].copy()
    risks_ = risk._register(None).set_index("risk_id")

    def stated(r: pd.Series) -> str:
        if r["basis"] == "happened":
            return "Happened"
        value = prose.pct(r["likelihood_value"], 1 if r["likelihood_value"] * 100 % 1 else 0)
        if r["basis"] == "per half-year":
            return f"{value} a half-year"
        if r["basis"] == "per launch":
            return f"{value} a launch"
        ends = {"data": "the data date", "start": "the first gigawatt", "build_end": "the end of the build",
                "horizon": "the horizon"}
        lo, hi = (str(risks_.at[r["risk_id"], c]) for c in ("window_from", "window_to"))
        lo_w, hi_w = (ends.get(x) or halves.label(float(x)) for x in (lo, hi))
        return f"{value} from {lo_w} to {hi_w}" if lo in ends or hi in ends else f"{value} over {lo_w}–{hi_w}"

    t["likelihood_words"] = t.apply(stated, axis=1)
    lead = [("Judgement." if c == "judgement" else "Happened." if c == "happened" else f"Reference class: {c}.")
            for c in t["reference_class"]]
    def so(how: str) -> str:  # 'So: a 26% chance ...', keeping acronyms ('NVIDIA') as they are
        return how[:1].lower() + how[1:] if how[1:2].islower() else how

    t["evidence_words"] = [f"{head} {ev.rstrip('.')}. So: {so(how)}"
                           for head, ev, how in zip(lead, t["evidence"], t["derivation"])]
    t["sources_words"] = t["source_id"].map(_cite)
    return tables.table(t, {
        "name": tables.Col("Risk"), "likelihood_words": tables.Col("Likelihood"),
        "evidence_words": tables.Col("Reference class or judgement, evidence, and how the number follows"),
        "sources_words": tables.Col("Sources"),
    }, note=(f"{int(t['is_judgement'].sum())} of {len(t)} likelihoods are judgement; where a reference class gives "
             "a number, the report computes it from the cases it cites and checks that the likelihood used matches. "
             "The correlation of risks that share a driver is judgement too. Sources in full in the appendix."))


# --- Monte Carlo fans -------------------------------------------------------------------------


def fan_text(a: Assumptions, fan: pd.DataFrame) -> prose.Markdown:
    """Return which quantities vary in this edition, and say so for those that do not."""
    const = fan[~fan["varies"]].drop_duplicates("metric")
    text = ("The bands run from P10 to P90 of the Monte Carlo, the solid line is the median and the dashed line "
            "the plan. With upsides drawn as well as downsides, the plan is no longer an upper bound by "
            "construction: a draw can run ahead of it.")
    for _, r in const.iterrows():
        value = float(r["deterministic"])
        amount = prose.usd_bn(value) if r["unit"] == "USD bn" else f"{prose.num(value, 0)} {r['unit']}"
        text += (f" {r['label']} is the same in every draw of this edition ({amount} by "
                 f"{halves.label(a.horizon_end_half)}), so it has no band.")
    return prose.md(text)


def fig_fans(fan: pd.DataFrame) -> charts.Figure:
    """Return one fan panel per quantity that varies: P10-P90 band, median, plan."""
    keep = [m for m in risk.METRICS if bool(fan.loc[fan["metric"] == m, "varies"].iloc[0])]
    series = ["Median (P50)", "Plan"]
    panels = []
    for metric in keep:
        f = fan[fan["metric"] == metric].copy()
        label, unit = risk.METRICS[metric]
        factor, unit = units.scale_column(pd.concat([f["p90"], f["deterministic"]]), unit)
        f[["p10", "p50", "p90", "deterministic"]] = f[["p10", "p50", "p90", "deterministic"]] / factor
        fmt = units.d3_format(pd.concat([f["p90"], f["deterministic"]]))
        order = list(f["half_label"])
        x = alt.X("half_label:O", sort=order, title=None)
        band = alt.Chart(f).mark_area(opacity=0.25, color=charts.PALETTE["OpenAI"]).encode(
            x=x, y=alt.Y("p10:Q", title=unit), y2="p90:Q",
            tooltip=[alt.Tooltip("half_label:N", title="Half-year"), alt.Tooltip("p10:Q", title=f"P10 ({unit})", format=fmt),
                     alt.Tooltip("p90:Q", title=f"P90 ({unit})", format=fmt)])
        long = f.melt(id_vars=["half_label"], value_vars=["p50", "deterministic"], var_name="series")
        long["series"] = long["series"].map({"p50": series[0], "deterministic": series[1]})
        lines = alt.Chart(long).mark_line(point=True).encode(
            x=x, y=alt.Y("value:Q", title=unit),
            color=alt.Color("series:N", title=None, scale=alt.Scale(
                domain=series, range=[charts.PALETTE["OpenAI"], charts.PALETTE["accent"]])),
            strokeDash=alt.StrokeDash("series:N", title=None, scale=alt.Scale(domain=series, range=[[1, 0], [6, 3]])),
            tooltip=[alt.Tooltip("half_label:N", title="Half-year"), alt.Tooltip("series:N", title="Series"),
                     alt.Tooltip("value:Q", title=unit, format=fmt)])
        panels.append((band + lines).properties(height=130, title=alt.Title(label, fontSize=12, fontWeight="normal")))
    chart = alt.vconcat(*panels, spacing=16).properties(title=alt.Title(
        "Monte Carlo by half-year", subtitle="Band: P10 to P90; solid: median; dashed: the plan"))
    last = fan[(fan["metric"] == "online_gw")].iloc[-1]
    return charts.figure(chart, source=SOURCE, description=(
        f"{len(keep)} fan charts by half-year. GW online at {last['half_label']}: P10 {prose.num(last['p10'])}, "
        f"median {prose.num(last['p50'])}, P90 {prose.num(last['p90'])} GW against {prose.num(last['deterministic'])} "
        f"GW planned."))


# --- How much the results owe to judgement ----------------------------------------------------


def judgement_text(a: Assumptions, judge: pd.DataFrame) -> prose.Markdown:
    """Return what the spreads say, and what independence would have said."""
    j = judge.set_index("variant")
    base = j.iloc[0]
    ind = judge[judge["variant"].str.startswith("Independent")].iloc[0]
    high = judge[judge["variant"].str.startswith("High correlation")].iloc[0]
    lo, hi = risk.spread(judge, "p_target_by_horizon")
    down = judge[judge["variant"].str.startswith("Downside")]
    return prose.md(
        f"Every likelihood above is multiplied by {' and '.join(f'{s:g}' for s in a.judgement_likelihood_scales)} "
        f"in turn, downsides and upsides apart, and the risks that share a driver are made independent and then "
        f"more correlated ({a.risk_correlation_high:g} instead of {a.risk_correlation:g}), on the same random "
        f"numbers. The chance of reaching the edition's plan by the horizon moves between {prose.pct(lo)} and "
        f"{prose.pct(hi)} (as assumed: {prose.pct(base['p_target_by_horizon'])}); the downside likelihoods alone move "
        f"it from {prose.pct(down['p_target_by_horizon'].max())} to {prose.pct(down['p_target_by_horizon'].min())}. "
        f"Had the risks been treated as independent, the P10 of GW at the milestone would read "
        f"{prose.num(ind['gw_milestone_p10'])} GW instead of {prose.num(base['gw_milestone_p10'])} "
        f"({prose.num(high['gw_milestone_p10'])} with high correlation): shared drivers fatten the bad tail more "
        f"than they move the median ({prose.num(ind['gw_milestone_p50'])}, {prose.num(base['gw_milestone_p50'])} and "
        f"{prose.num(high['gw_milestone_p50'])} GW).")


def judgement_table(judge: pd.DataFrame) -> tables.Table:
    """Return the headline numbers under each judgement test."""
    t = judge.copy()
    for k in risk.PROBABILITIES:
        t[k] = 100 * t[k]
    return tables.table(t, {
        "variant": tables.Col("Test"),
        "p_first_capacity_on_time": tables.Col("First capacity on time (%)", 0),
        "p_behind_at_milestone": tables.Col("Behind plan at the milestone (%)", 0),
        "p_target_by_horizon": tables.Col("Plan reached by the horizon (%)", 0),
        "gw_milestone_p10": tables.Col("GW at the milestone, P10", 1),
        "gw_milestone_p50": tables.Col("GW at the milestone, median", 1),
        "gw_milestone_p90": tables.Col("GW at the milestone, P90", 1),
    }, note="Same seed and draws in every row, so each difference is the assumption's, not the sampling's.")


def fig_judgement(judge: pd.DataFrame) -> charts.Figure:
    """Return each headline probability as assumed, with the value under every judgement test and
    the range they span."""
    rows = []
    for key, label in risk.PROBABILITIES.items():
        for _, r in judge.iterrows():
            rows.append({"headline": label, "variant": r["variant"], "value": float(r[key]),
                         "kind": "As assumed" if not r["kind"] else
                         ("Likelihoods scaled" if r["kind"] == "likelihood" else "Correlation changed")})
    d = pd.DataFrame(rows)
    order = list(risk.PROBABILITIES.values())
    rng = d.groupby("headline", sort=False)["value"].agg(["min", "max"]).reset_index()
    y = alt.Y("headline:N", sort=order, title=None)
    bar = alt.Chart(rng).mark_rule(strokeWidth=10, opacity=0.18, color=charts.SINGLE_SERIES).encode(
        y=y, x=alt.X("min:Q", title="Probability (%)", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")), x2="max:Q")
    kinds = ["As assumed", "Likelihoods scaled", "Correlation changed"]
    tooltip = [alt.Tooltip("headline:N", title="Headline"), alt.Tooltip("variant:N", title="Test"),
               alt.Tooltip("value:Q", title="Probability", format=".0%")]
    pts = alt.Chart(d.sort_values("kind", key=lambda k: k.map({"As assumed": 2}).fillna(0))).mark_point(
        filled=True, size=70, opacity=0.9).encode(
        y=y, x="value:Q",
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=kinds, range=["#000000", charts.PALETTE["OpenAI"],
                                                                                  charts.PALETTE["accent"]])),
        shape=alt.Shape("kind:N", title=None, scale=alt.Scale(domain=kinds, range=["diamond", "circle", "square"])),
        tooltip=tooltip)
    base = d[d["kind"] == "As assumed"]
    mark = alt.Chart(base).mark_point(filled=True, size=220, shape="diamond", color="#000000").encode(
        y=y, x="value:Q", tooltip=tooltip)
    return charts.figure((bar + pts + mark).properties(height=130, title=alt.Title(
        "How much the headline probabilities owe to judgement",
        subtitle="Diamond: as assumed; dots: likelihoods ×0.5 and ×1.5; squares: correlation off and high")),
        source=SOURCE, description="; ".join(
            f"{r['headline']}: {prose.pct(r['value'])} as assumed, {prose.pct(float(rng.loc[rng['headline'] == r['headline'], 'min'].iloc[0]))} "
            f"to {prose.pct(float(rng.loc[rng['headline'] == r['headline'], 'max'].iloc[0]))} under the tests"
            for _, r in base.iterrows()) + ".")


# --- Tornado and what would have to be true ---------------------------------------------------


def _input_label(name: str) -> str:
    """Return the reader's name of a tornado input: the spread for a drawn input, the risk for an
    impact, the assumption's label otherwise."""
    spread = {param: sp for param, sp, _ in risk.NOISE}
    risks = risk._register(None).set_index("impact")["name"]
    if name in risks.index:
        return str(risks[name])
    return labels.label(spread.get(name, name))


def fig_tornado(tor: pd.DataFrame, output: str, top: int = 12) -> charts.Figure:
    """Return the tornado of one output: bars from the value at low to the value at high."""
    label, unit = sensitivity.OUTPUTS[output]
    t = tor[(tor["output"] == output) & (tor["swing"] > 1e-9)].head(top).copy()
    t["input_label"] = t["input"].map(_input_label)
    order = list(t["input_label"])
    base = float(tor.loc[tor["output"] == output, "base"].iloc[0])
    sides = ["Input low, or risk absent", "Input high, or risk strikes"]
    long = pd.concat([t.assign(side=sides[0], value=t["at_low"]), t.assign(side=sides[1], value=t["at_high"])])
    bars = alt.Chart(long).mark_bar().encode(
        y=alt.Y("input_label:N", sort=order, title=None), x=alt.X("value:Q", title=f"{label} ({unit})"),
        x2=alt.X2("base:Q"), color=alt.Color("side:N", title=None, scale=alt.Scale(
            domain=sides, range=[charts.PALETTE["OpenAI"], charts.PALETTE["accent"]])),
        tooltip=[alt.Tooltip("input_label:N", title="Input"), alt.Tooltip("side:N", title="Case"),
                 alt.Tooltip("value:Q", title=unit, format=",.2f"), alt.Tooltip("how:N", title="Swing")])
    rule = alt.Chart(pd.DataFrame({"base": [base]})).mark_rule(color="#333").encode(x="base:Q")
    n_all = int((tor["output"] == output).sum())
    head = t.iloc[0] if len(t) else None
    desc = (f"Tornado of {label.lower()}: widest swing from {head['input_label']} "
            f"({prose.num(head['at_low'], 2)} to {prose.num(head['at_high'], 2)} {unit}) around "
            f"{prose.num(base, 2)}; {len(t)} of {n_all} uncertain inputs shown.") if head is not None else \
        f"No uncertain input moves {label.lower()}."
    return charts.figure((bars + rule).properties(height=22 * max(len(t), 1), title=alt.Title(
        f"Sensitivity: {label}", subtitle="One input at a time, others central; widest swing on top")),
        source=SOURCE, description=desc)


def tornado_table(tor: pd.DataFrame) -> tables.Table:
    """Return the top three inputs for every output."""
    top = tor[tor["swing"] > 1e-9].groupby("output", sort=False).head(3).copy()
    top["output_label"] = top["output"].map(lambda o: f"{sensitivity.OUTPUTS[o][0]} ({sensitivity.OUTPUTS[o][1]})")
    top["input_label"] = top["input"].map(_input_label)
    return tables.table(top, {"output_label": tables.Col("Output"), "input_label": tables.Col("Input"),
                              "how": tables.Col("Swing"), "at_low": tables.Col("At low", 2),
                              "at_high": tables.Col("At high", 2), "swing": tables.Col("Swing width", 2)},
                        note="All uncertain inputs are in the tornado; this table keeps the three widest per output.")


def whatif_text(sc: Scenario) -> prose.Markdown:
    """Return the 'what would have to be true' paragraph."""
    a = sc.assumptions
    w = sensitivity.whatif(a)
    return prose.md(
        f"Running {prose.num(w['gw'])} GW costs about {prose.usd_bn(w['annual_cost_usd_bn'])} a year: "
        f"{prose.usd_bn(w['depreciation_nvidia_usd_bn'])} depreciation of NVIDIA systems over "
        f"{prose.num(a.gpu_useful_life_years, 1)} years, {prose.usd_bn(w['depreciation_other_usd_bn'])} for the rest "
        f"over {prose.num(a.facility_life_years, 0)} years, {prose.usd_bn(w['capital_return_usd_bn'])} return on "
        f"capital at {prose.num(a.cost_of_capital_pct, 1)}% and {prose.usd_bn(w['energy_cost_usd_bn'], 1)} of power. "
        f"For the programme to pay, each GW must bring in {prose.usd_bn(w['cost_usd_bn_per_gw_year'], 1)} of "
        f"revenue a year, {prose.num(w['revenue_per_gw_gap_ratio'], 2)} times the "
        f"{prose.usd_bn(w['openai_revenue_per_gw_2025'], 1)} OpenAI earned per GW of compute in 2025 "
        f"({prose.usd_bn(w['openai_revenue_2025_usd_bn'], 1)} on {prose.num(w['openai_compute_gw_2025'])} GW). "
        f"The programme alone costs {prose.num(w['annual_cost_vs_revenue_2025'], 1)} times OpenAI's 2025 revenue. "
        f"At the same cost per GW its {prose.num(w['commitments_gw'], 0)} GW of commitments would cost "
        f"{prose.usd_bn(w['commitments_annual_cost_usd_bn'])} a year once built; for scale, that is "
        f"{prose.pct(w['commitments_cost_share_of_2030_target'])} of the "
        f"{prose.usd_bn(w['openai_revenue_2030_target_usd_bn'])} of revenue OpenAI targets for 2030.")


def _fact_citation(fact_id: str) -> str:
    """Return the citation of the source a fact of data/facts.csv rests on ('Publisher, date')."""
    return sourcing.cite(str(data.fact_row(fact_id)["source_id"]).split(";")[0].strip())


def fig_whatif(sc: Scenario) -> charts.Figure:
    """Return the cost per GW-year by useful life (stacked), against OpenAI's 2025 revenue per GW."""
    a = sc.assumptions
    c = sensitivity.cost_by_life(a)
    parts = {"depreciation_nvidia": "Depreciation, NVIDIA systems", "depreciation_other": "Depreciation, rest",
             "capital_return": "Return on capital", "energy": "Electricity"}
    long = c.melt(id_vars=["life_years"], value_vars=list(parts), var_name="part", value_name="usd_bn")
    long["part"] = long["part"].map(parts)
    long["life"] = long["life_years"].map(lambda x: f"{x:g} years")
    w = sensitivity.whatif(a)
    bars = alt.Chart(long).mark_bar().encode(
        x=alt.X("life:N", title="Useful life of NVIDIA systems", sort=list(long["life"].unique())),
        y=alt.Y("sum(usd_bn):Q", title="USD bn per GW-year"),
        color=alt.Color("part:N", title=None, sort=list(parts.values())),
        tooltip=[alt.Tooltip("life:N", title="Useful life"), alt.Tooltip("part:N", title="Part of the cost"),
                 alt.Tooltip("usd_bn:Q", format=units.d3_format(long["usd_bn"]), title="USD bn per GW-year")])
    ref = pd.DataFrame({"y": [w["openai_revenue_per_gw_2025"]], "label": ["OpenAI revenue per GW, 2025"]})
    rule = alt.Chart(ref).mark_rule(color=charts.PALETTE["accent"], strokeDash=[6, 3], size=2).encode(y="y:Q")
    text = alt.Chart(ref).mark_text(align="left", dx=4, dy=-6, color=charts.PALETTE["accent"]).encode(
        y="y:Q", text="label:N", x=alt.value(2))
    lo, hi = c["cost_usd_bn_per_gw_year"].min(), c["cost_usd_bn_per_gw_year"].max()
    return charts.figure((bars + rule + text).properties(title=alt.Title(
        "What would have to be true: revenue per GW-year that covers the cost",
        subtitle="Cost per GW-year by useful life, against what OpenAI earned per GW in 2025")),
        source=(f"Ten Gigawatts model; OpenAI revenue ({_fact_citation('openai_revenue_2025_usd_bn')}) and compute "
                f"({_fact_citation('openai_compute_gw_2025')})"), description=(
            f"Stacked bars: the cost per GW-year ranges from {prose.usd_bn(lo, 1)} to {prose.usd_bn(hi, 1)} as the "
            f"useful life goes from {c['life_years'].max():g} to {c['life_years'].min():g} years, against OpenAI's "
            f"{prose.usd_bn(w['openai_revenue_per_gw_2025'], 1)} per GW in 2025."))
