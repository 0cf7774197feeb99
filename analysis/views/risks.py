"""The risks chapter: register, Monte Carlo fan charts, tornado and what would have to be true."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, halves, prose, risk, sensitivity, tables
from ..assumptions import Scenario

SOURCE = "Risk register (data/risks.csv) and assumptions (risk group); Ten Gigawatts Monte Carlo"


def intro(sc: Scenario, st: dict[str, float]) -> prose.Markdown:
    """Return the chapter's opening numbers."""
    a = sc.assumptions
    return prose.md(
        f"The Monte Carlo draws {prose.num(st['draws'], 0)} roadmaps for the **{sc.title}** scenario "
        f"(seed {a.mc_seed}). The first capacity arrives on time in {prose.pct(st['p_first_capacity_on_time'])} "
        f"of draws; {prose.pct(st['p_behind_at_milestone'])} of draws are behind plan at the milestone "
        f"({halves.label(a.milestone_half)}), where the "
        f"median is {prose.num(st['gw_milestone_p50'])} GW against {prose.num(st['gw_milestone_det'])} GW planned; "
        f"the target is reached by the horizon in {prose.pct(st['p_target_by_horizon'])} of draws. "
        f"Cumulative capex has a P10–P90 range of {prose.usd_bn(st['capex_cum_usd_bn_p10'])} to "
        f"{prose.usd_bn(st['capex_cum_usd_bn_p90'])}, and NVIDIA's investment released "
        f"{prose.usd_bn(st['investment_cum_usd_bn_p10'])} to {prose.usd_bn(st['investment_cum_usd_bn_p90'])}.")


def register_table(a) -> tables.Table:
    """Return the risk register with likelihood, impact and the parameters each risk moves."""
    eff = risk.effects(a)
    reg = risk.register(a).merge(eff[["risk_id", "delta_gw_milestone", "delta_capex_cum_usd_bn",
                                      "delta_investment_cum_usd_bn"]], on="risk_id")
    reg["impact"] = reg.apply(lambda r: f"{r['impact_value']:g} {r['impact_unit']}", axis=1)
    reg["risk"] = reg["risk_id"] + " (" + reg["category"] + "): " + reg["description"]
    return tables.table(reg, {
        "risk": tables.Col("Risk (category): what could happen"),
        "probability": tables.Col("Likelihood (share)", 2), "impact": tables.Col("Impact if it occurs"),
        "parameters": tables.Col("Parameters moved"),
        "delta_gw_milestone": tables.Col("GW at milestone if it occurs (change)", 1),
        "delta_capex_cum_usd_bn": tables.Col("Capex change (USD bn)", 0),
        "delta_investment_cum_usd_bn": tables.Col("Investment change (USD bn)", 0),
    }, note="Likelihood and impact are assumptions of this report (risk group of the ledger); changes are "
            "for the risk alone, without noise. Sources: " + "; ".join(sorted(set(
                s for sid in reg["source_id"] for s in sid.split(";")))) + ".")


def fig_matrix(a) -> charts.Figure:
    """Return likelihood against effect on GW at the milestone, one point per risk."""
    eff = risk.effects(a)
    eff["loss_gw"] = -eff["delta_gw_milestone"]
    eff["loss_usd"] = eff["delta_capex_cum_usd_bn"] - eff["delta_investment_cum_usd_bn"]
    pts = alt.Chart(eff).mark_point(filled=True, size=90).encode(
        x=alt.X("probability:Q", title="Likelihood (share)", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("loss_gw:Q", title="GW lost at the milestone if it occurs"),
        color=alt.Color("category:N", title="Category"), shape=alt.Shape("category:N", title="Category"),
        tooltip=["risk_id", "category", alt.Tooltip("probability:Q", format=".2f"),
                 alt.Tooltip("loss_gw:Q", format=".2f")])
    # Labels carry no shape or colour encoding, so the chart keeps one merged legend.
    labels = alt.Chart(eff).mark_text(align="left", dx=7, dy=-4, fontSize=9, color="#333333").encode(
        x="probability:Q", y="loss_gw:Q", text="risk_id:N")
    top = eff.sort_values("expected_gw_milestone").iloc[0]
    return charts.figure((pts + labels).properties(title=alt.Title(
        "Risk matrix", subtitle="Likelihood against the GW each risk removes at the milestone on its own")),
        source=SOURCE, description=(
            f"Scatter of {len(eff)} risks by likelihood and GW lost at the milestone; the largest expected loss "
            f"is '{top['risk_id']}' ({prose.num(-top['expected_gw_milestone'], 2)} GW)."))


def fig_fan(fan: pd.DataFrame, metric: str) -> charts.Figure:
    """Return a fan chart (P10-P90 band, P50 line, deterministic dashed) for one metric."""
    f = fan[fan["metric"] == metric]
    label, unit = risk.METRICS[metric]
    order = list(f["half_label"])
    x = alt.X("half_label:O", sort=order, title="Half-year")
    band = alt.Chart(f).mark_area(opacity=0.3, color=charts.PALETTE["OpenAI"]).encode(
        x=x, y=alt.Y("p10:Q", title=f"{label} ({unit})"), y2="p90:Q")
    long = f.melt(id_vars=["half_label"], value_vars=["p50", "deterministic"], var_name="series")
    long["series"] = long["series"].map({"p50": "Median (P50)", "deterministic": "Deterministic plan"})
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=x, y="value:Q", color=alt.Color("series:N", title=None, scale=alt.Scale(
            domain=["Median (P50)", "Deterministic plan"], range=[charts.PALETTE["OpenAI"], charts.PALETTE["accent"]])),
        strokeDash=alt.StrokeDash("series:N", title=None, scale=alt.Scale(
            domain=["Median (P50)", "Deterministic plan"], range=[[1, 0], [6, 3]])),
        tooltip=["half_label", "series", alt.Tooltip("value:Q", format=",.2f")])
    last = f.iloc[-1]
    return charts.figure((band + lines).properties(title=alt.Title(
        label, subtitle="Band: P10 to P90 of the Monte Carlo; lines: median and the deterministic plan")),
        source=SOURCE, description=(
            f"Fan chart of {label.lower()} by half-year: at {last['half_label']} P10 {prose.num(last['p10'])}, "
            f"P50 {prose.num(last['p50'])}, P90 {prose.num(last['p90'])} {unit}, against "
            f"{prose.num(last['deterministic'])} {unit} in the plan."))


def fig_tornado(tor: pd.DataFrame, output: str, top: int = 12) -> charts.Figure:
    """Return the tornado of one output: bars from the value at low to the value at high."""
    label, unit = sensitivity.OUTPUTS[output]
    t = tor[(tor["output"] == output) & (tor["swing"] > 1e-9)].head(top).copy()
    order = list(t["input"])
    base = float(tor.loc[tor["output"] == output, "base"].iloc[0])
    long = pd.concat([t.assign(side="Input low / risk absent", value=t["at_low"]),
                      t.assign(side="Input high / risk present", value=t["at_high"])])
    bars = alt.Chart(long).mark_bar().encode(
        y=alt.Y("input:N", sort=order, title=None), x=alt.X("value:Q", title=f"{label} ({unit})"),
        x2=alt.X2("base:Q"), color=alt.Color("side:N", title=None,
                                            scale=alt.Scale(range=[charts.PALETTE["OpenAI"], charts.PALETTE["accent"]])),
        tooltip=["input", "side", alt.Tooltip("value:Q", format=",.2f"), "how"])
    rule = alt.Chart(pd.DataFrame({"base": [base]})).mark_rule(color="#333").encode(x="base:Q")
    n_all = int((tor["output"] == output).sum())
    head = t.iloc[0] if len(t) else None
    desc = (f"Tornado of {label.lower()}: widest swing from {head['input']} "
            f"({prose.num(head['at_low'], 2)} to {prose.num(head['at_high'], 2)} {unit}) around "
            f"{prose.num(base, 2)}; {len(t)} of {n_all} uncertain inputs shown.") if head is not None else \
        f"No uncertain input moves {label.lower()}."
    return charts.figure((bars + rule).properties(height=22 * max(len(t), 1), title=alt.Title(
        f"Sensitivity: {label}", subtitle="One input at a time, others central; widest swing on top")),
        source=SOURCE, description=desc)


def tornado_table(tor: pd.DataFrame) -> tables.Table:
    """Return the top three inputs for every output."""
    top = tor.groupby("output", sort=False).head(3).copy()
    top["output_label"] = top["output"].map(lambda o: f"{sensitivity.OUTPUTS[o][0]} ({sensitivity.OUTPUTS[o][1]})")
    return tables.table(top, {"output_label": tables.Col("Output"), "input": tables.Col("Input"),
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
        f"The programme alone costs {prose.num(w['annual_cost_vs_revenue_2025'], 1)} times OpenAI's 2025 revenue; "
        f"at the same cost per GW its {prose.num(w['commitments_gw'], 0)} GW of commitments would cost "
        f"{prose.usd_bn(w['commitments_annual_cost_usd_bn'])} a year, {prose.pct(w['commitments_cost_share_of_2030_target'])} "
        f"of the {prose.usd_bn(w['openai_revenue_2030_target_usd_bn'])} revenue OpenAI targets for 2030.")


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
        tooltip=["life", "part", alt.Tooltip("usd_bn:Q", format=".2f")])
    ref = pd.DataFrame({"y": [w["openai_revenue_per_gw_2025"]], "label": ["OpenAI revenue per GW, 2025"]})
    rule = alt.Chart(ref).mark_rule(color=charts.PALETTE["accent"], strokeDash=[6, 3], size=2).encode(y="y:Q")
    text = alt.Chart(ref).mark_text(align="left", dx=4, dy=-6, color=charts.PALETTE["accent"]).encode(
        y="y:Q", text="label:N", x=alt.value(2))
    lo, hi = c["cost_usd_bn_per_gw_year"].min(), c["cost_usd_bn_per_gw_year"].max()
    return charts.figure((bars + rule + text).properties(title=alt.Title(
        "What would have to be true: revenue per GW-year that covers the cost",
        subtitle="Cost per GW-year by useful life, against what OpenAI earned per GW in 2025")),
        source="Ten Gigawatts model; OpenAI revenue and compute (data/facts.csv)", description=(
            f"Stacked bars: the cost per GW-year ranges from {prose.usd_bn(lo, 1)} to {prose.usd_bn(hi, 1)} as the "
            f"useful life goes from {c['life_years'].max():g} to {c['life_years'].min():g} years, against OpenAI's "
            f"{prose.usd_bn(w['openai_revenue_per_gw_2025'], 1)} per GW in 2025."))
