"""The scenario-comparison chapter: side-by-side table, paths by scenario and drivers of the differences."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, data, prose, scenarios, tables

SOURCE = "Ten Gigawatts model, every scenario in data/scenarios/"


def comparison_table(tab: pd.DataFrame) -> tables.Table:
    """Return every headline number, one column per scenario."""
    rows = []
    for key, (label, unit, dec) in scenarios.METRICS.items():
        row = {"metric": f"{label} ({unit})" if unit not in ("half-year",) else label}
        for _, r in tab.iterrows():
            v = r[key]
            row[r["title"]] = v if isinstance(v, str) else (f"{100 * v:,.0f}%" if unit == "share" else f"{v:,.{dec}f}")
        rows.append(row)
    df = pd.DataFrame(rows)
    cols = {"metric": tables.Col("Headline")} | {t: tables.Col(t) for t in tab["title"]}
    assumed = data.assumed_platforms()
    mark = (f" Dense FP4 compute rests partly on {' and '.join(assumed)}, whose specifications are this report's "
            f"assumption." if assumed else "")
    return tables.table(df, cols, note="P10/P50/P90: Monte Carlo quantiles; all other rows deterministic." + mark
                        + " " + SOURCE + ".")


def _lines(p: pd.DataFrame, column: str, title: str, subtitle: str, y_title: str, desc: str) -> charts.Figure:
    names = list(dict.fromkeys(p["scenario"]))
    colour, dash = charts.scenario_scale(names)
    order = sorted(p["half"].unique())
    lab = {h: l for h, l in zip(p["half"], p["half_label"])}
    chart = alt.Chart(p).mark_line(point=True).encode(
        x=alt.X("half_label:O", sort=[lab[h] for h in order], title="Half-year"), y=alt.Y(f"{column}:Q", title=y_title),
        color=alt.Color("scenario:N", scale=colour, title="Scenario"),
        strokeDash=alt.StrokeDash("scenario:N", scale=dash, title="Scenario"),
        tooltip=["scenario", "half_label", alt.Tooltip(f"{column}:Q", format=",.1f")])
    return charts.figure(chart.properties(title=alt.Title(title, subtitle=subtitle)), source=SOURCE, description=desc)


def _desc(p: pd.DataFrame, column: str, unit: str) -> str:
    last = p.sort_values("half").groupby("scenario")[column].last()
    return "; ".join(f"{s} {v:,.1f} {unit}" for s, v in last.items()) + " at the horizon."


def fig_gw(p: pd.DataFrame) -> charts.Figure:
    """Return GW online over time, one line per scenario."""
    return _lines(p, "online_gw", "GW online by scenario", "Cumulative NVIDIA GW online", "GW online",
                  "Line chart of GW online by scenario: " + _desc(p, "online_gw", "GW"))


def fig_capex(p: pd.DataFrame) -> charts.Figure:
    """Return cumulative capex over time by scenario."""
    return _lines(p, "capex_cum_usd_bn", "Cumulative capital expenditure by scenario", "Nominal USD bn",
                  "Capex, cumulative (USD bn)", "Line chart of cumulative capex by scenario: " + _desc(p, "capex_cum_usd_bn", "USD bn"))


def fig_investment(p: pd.DataFrame) -> charts.Figure:
    """Return NVIDIA's cumulative investment released by scenario."""
    return _lines(p, "investment_cum_usd_bn", "NVIDIA investment released by scenario",
                  "Cumulative; per-GW tranches or a fixed equity stake", "Investment, cumulative (USD bn)",
                  "Line chart of NVIDIA investment by scenario: " + _desc(p, "investment_cum_usd_bn", "USD bn"))


def fig_drivers(drv: pd.DataFrame, output: str = "gw_milestone") -> charts.Figure:
    """Return each scenario's difference from base split by assumption, for one output."""
    d = drv[drv[output].abs() > 1e-9]
    chart = alt.Chart(d).mark_bar().encode(
        y=alt.Y("scenario:N", title=None), x=alt.X(f"sum({output}):Q", title="Change from base, GW online at the milestone"),
        color=alt.Color("assumption:N", title="Assumption changed"),
        tooltip=["scenario", "assumption", alt.Tooltip(f"{output}:Q", format=",.2f")])
    big = d.loc[d[output].abs().idxmax()] if len(d) else None
    desc = (f"Stacked bars of each scenario's change from base in GW at the milestone by assumption; the largest "
            f"single part is {big['assumption']} in {big['scenario']} ({big[output]:+,.2f} GW).") if big is not None \
        else "No scenario differs from base in GW at the milestone."
    return charts.figure(chart.properties(height=120, title=alt.Title(
        "What drives the differences", subtitle="Base with one assumption at the scenario's value, minus base")),
        source=SOURCE, description=desc)


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
            parts.append(f"GW at the milestone move most with `{g}` ({gv:+,.2f} GW)")
        if c:
            parts.append(f"capex with `{c}` ({_signed_usd(cv)})")
        if i and abs(iv) > 1e-9:
            parts.append(f"NVIDIA's investment with `{i}` ({_signed_usd(iv)})")
        lines.append(f"- **{r['title']}**: " + ("; ".join(parts) if parts else "no difference from base") + ".")
    return prose.md("\n".join(lines))


def differences_table(diff: pd.DataFrame) -> tables.Table:
    """Return the assumptions that differ between scenarios."""
    d = diff.copy()
    cols = [c for c in d.columns if c not in ("assumption", "unit")]
    for c in cols:
        d[c] = d[c].map(lambda v: ", ".join(f"{x:g}" for x in v) if isinstance(v, tuple) else (f"{v:g}" if isinstance(v, (int, float)) else str(v)))
    return tables.table(d, {"assumption": tables.Col("Assumption"), "unit": tables.Col("Unit")} |
                        {c: tables.Col(c) for c in cols}, note="Only assumptions that differ somewhere are listed; "
                        "the appendix lists all.")
