"""The scenario-comparison chapter: side-by-side table, paths by scenario and drivers of the differences."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, data, halves, labels, prose, scenarios, tables, units

SOURCE = "Ten Gigawatts model, every edition of this report"


def comparison_table(tab: pd.DataFrame, edition: str | None = None) -> tables.Table:
    """Return every headline number, one column per scenario (the edition's own marked)."""
    rows = []
    for key, (label, unit, dec) in scenarios.METRICS.items():
        numbers = [v for v in tab[key] if not isinstance(v, str)]
        factor, shown = units.scale_column(numbers, unit) if unit not in ("share", "half-year") else (1.0, unit)
        if factor != 1.0:  # a row that needs a larger unit takes the report's significant figures in it
            dec = int(units.d3_format([v / factor for v in numbers])[2:-1])
        row = {"metric": labels.with_unit(label, shown) if unit not in ("half-year", "share") else label}
        for _, r in tab.iterrows():
            v = r[key]
            row[r["title"]] = v if isinstance(v, str) else (f"{100 * v:,.0f}%" if unit == "share" else f"{v / factor:,.{dec}f}")
        rows.append(row)
    df = pd.DataFrame(rows)
    cols = {"metric": tables.Col("Headline")} | {t: tables.Col(charts.edition_label(t, edition)) for t in tab["title"]}
    assumed = data.assumed_platforms()
    mark = (f" Dense FP4 compute rests partly on {' and '.join(assumed)}, whose specifications are this report's "
            f"judgement." if assumed else "")
    return tables.table(df, cols, note="P10/P50/P90: Monte Carlo quantiles; all other rows deterministic." + mark
                        + " " + SOURCE + ".")


def _lines(p: pd.DataFrame, column: str, title: str, subtitle: str, y_title: str, desc: str,
           edition: str | None = None) -> charts.Figure:
    ids = {sc.title: sc.name for sc in scenarios.resolve_all()}  # each edition keeps its colour in every chart
    looks = charts.scenario_colours([ids.get(t, t) for t in dict.fromkeys(p["scenario"])])
    p = charts.mark_edition(p, "scenario", edition)
    titles = list(dict.fromkeys(p["scenario"]))
    plain = [t.removesuffix(charts.EDITION_MARK) for t in titles]
    colour = alt.Scale(domain=titles, range=[looks[ids.get(t, t)][0] for t in plain])
    dash = alt.Scale(domain=titles, range=[looks[ids.get(t, t)][1] for t in plain])
    order = sorted(p["half"].unique())
    lab = {h: l for h, l in zip(p["half"], p["half_label"])}
    x = alt.X("half_label:O", sort=[lab[h] for h in order], title="Half-year")
    y = alt.Y(f"{column}:Q", title=y_title)
    lines = alt.Chart(p).mark_line(point=True).encode(
        x=x, y=y,
        color=alt.Color("scenario:N", scale=colour, title="Edition", legend=alt.Legend(columns=2)),
        strokeDash=alt.StrokeDash("scenario:N", scale=dash, title="Edition", legend=alt.Legend(columns=2)),
        tooltip=[alt.Tooltip("scenario:N", title="Edition"), alt.Tooltip("half_label:N", title="Half-year"),
                 alt.Tooltip(f"{column}:Q", format=units.d3_format(p[column]), title=y_title)])
    chart = charts.edition_halo(p, x, y) + lines
    return charts.figure(chart.properties(title=alt.Title(title, subtitle=subtitle)), source=SOURCE, description=desc)


def _desc(p: pd.DataFrame, column: str, unit: str) -> str:
    last = p.sort_values("half").groupby("scenario")[column].last()
    return "; ".join(f"{s} {v:,.1f} {unit}" for s, v in last.items()) + " at the horizon."


def fig_gw(p: pd.DataFrame, edition: str | None = None) -> charts.Figure:
    """Return GW online over time, one line per scenario (the edition's own drawn thicker)."""
    return _lines(p, "online_gw", "GW online by edition", "Cumulative NVIDIA GW online; pale band: this edition",
                  labels.titled("online_gw"), "Line chart of GW online by edition: " + _desc(p, "online_gw", "GW"),
                  edition)


def fig_capex(p: pd.DataFrame, edition: str | None = None) -> charts.Figure:
    """Return cumulative capex over time by scenario."""
    return _lines(p, "capex_cum_usd_bn", "Cumulative capital expenditure by edition",
                  "Nominal USD bn; pale band: this edition", labels.titled("capex_cum_usd_bn", short_form=True),
                  "Line chart of cumulative capex by edition: " + _desc(p, "capex_cum_usd_bn", "USD bn"), edition)


def fig_investment(p: pd.DataFrame, edition: str | None = None) -> charts.Figure:
    """Return NVIDIA's cumulative investment released by scenario."""
    series = p.sort_values("half").groupby("scenario", sort=False)["investment_cum_usd_bn"].apply(tuple)
    same = [names for names in series.groupby(series).groups.values() if len(names) > 1]
    note = "".join(f"; {', '.join(n[:-1])} and {n[-1]} coincide" for n in same)
    return _lines(p, "investment_cum_usd_bn", "NVIDIA investment by edition",
                  f"Cumulative; per-GW tranches or a fixed equity stake{note}; pale band: this edition",
                  labels.titled("investment_cum_usd_bn", short_form=True),
                  "Line chart of NVIDIA investment by edition: " + _desc(p, "investment_cum_usd_bn", "USD bn"), edition)


def fig_drivers(drv: pd.DataFrame, output: str = "gw_milestone", edition: str | None = None) -> charts.Figure:
    """Return each scenario's difference from base split by assumption, for one output."""
    d = drv[drv[output].abs() > 1e-9].copy()
    d["scenario"] = d["scenario"].map(lambda t: charts.edition_label(t, edition))
    d["assumption_label"] = d["assumption"].map(lambda n: "Interaction" if n == "interaction" else labels.label(n))
    chart = alt.Chart(d).mark_bar().encode(
        y=alt.Y("scenario:N", title=None),
        x=alt.X(f"sum({output}):Q", title="Change from the default edition, GW online at the milestone"),
        color=alt.Color("assumption_label:N", title="Assumption changed"),
        tooltip=[alt.Tooltip("scenario:N", title="Edition"), alt.Tooltip("assumption_label:N", title="Assumption"),
                 alt.Tooltip(f"{output}:Q", format=",.2f", title="GW")])
    big = d.loc[d[output].abs().idxmax()] if len(d) else None
    desc = (f"Stacked bars of each edition's change from the default edition in GW at the milestone by assumption; "
            f"the largest single part is {big['assumption_label']} in {big['scenario']} ({big[output]:+,.2f} GW).") \
        if big is not None else "No edition differs from the default in GW at the milestone."
    return charts.figure(chart.properties(height=120, title=alt.Title(
        "What drives the differences", subtitle="The default edition with one assumption at the other edition's value, minus the default")),
        source=SOURCE, description=desc)


def _lower_first(text: str) -> str:
    """Lower-case a label's first letter for use mid-sentence, keeping acronyms and names (GW, NVIDIA)."""
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _signed_usd(v: float) -> str:
    return ("+" if v >= 0 else "−") + prose.usd_bn(abs(v))


def drivers_text(tab: pd.DataFrame, drv: pd.DataFrame) -> prose.Markdown:
    """Return a sentence per scenario naming its main driver for GW and for capex."""
    lines = []
    for _, r in tab.iterrows():
        if r["scenario"] == "base":
            continue
        g, gv = scenarios.main_driver(drv, r["title"], "gw_milestone")
        c, cv = scenarios.main_driver(drv, r["title"], "capex_cum_usd_bn")
        i, iv = scenarios.main_driver(drv, r["title"], "investment_cum_usd_bn")
        parts = []
        if g:
            parts.append(f"GW at the milestone move most with the {_lower_first(labels.label(g))} ({gv:+,.2f} GW)")
        if c:
            parts.append(f"capex with the {_lower_first(labels.label(c))} ({_signed_usd(cv)})")
        if i and abs(iv) > 1e-9:
            parts.append(f"NVIDIA's investment with the {_lower_first(labels.label(i))} ({_signed_usd(iv)})")
        lines.append(f"- **{r['title']}**: " + ("; ".join(parts) if parts else "no difference from the default edition") + ".")
    return prose.md("\n".join(lines))


def differences_table(diff: pd.DataFrame) -> tables.Table:
    """Return the assumptions that differ between scenarios."""
    d = diff.copy()
    cols = [c for c in d.columns if c not in ("assumption", "unit")]

    def fmt(v, unit: str) -> str:
        if isinstance(v, tuple):
            return ", ".join(f"{x:g}" for x in v)
        if isinstance(v, (int, float)) and unit == "half-year":
            return halves.label(v)
        if isinstance(v, (int, float)) and unit == "share":
            return prose.pct(v)
        return f"{v:g}" if isinstance(v, (int, float)) else str(v)

    for c in cols:
        d[c] = [fmt(v, u) for v, u in zip(d[c], d["unit"])]
    d["assumption"] = d["assumption"].map(labels.label)
    return tables.table(d, {"assumption": tables.Col("Assumption"), "unit": tables.Col("Unit")} |
                        {c: tables.Col(c) for c in cols}, note="Only assumptions that differ somewhere are listed; "
                        "the appendix lists all.")
