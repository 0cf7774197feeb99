"""The executive summary: computed findings and two overview figures across editions."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, prose, summary
from ..assumptions import Scenario

SOURCE = "Ten Gigawatts model, every edition of this report"


def findings_md(sc: Scenario, tab: pd.DataFrame) -> prose.Markdown:
    """Return the numbered findings."""
    items = summary.findings(sc, tab)
    return prose.md(f"**This edition, {sc.title}:** {' '.join(sc.description.split())}\n\n"
                    f"Findings for this edition, with the range across all {len(tab)} editions of the report "
                    f"(@sec-scenarios):\n\n" + summary.markdown(items))


def _marked(tab: pd.DataFrame, edition: str | None) -> pd.DataFrame:
    """Return the table with the edition's own title marked, as every comparison shows it."""
    return tab.assign(title=tab["title"].map(lambda t: charts.edition_label(t, edition)))


def fig_money(tab: pd.DataFrame, edition: str | None = None) -> charts.Figure:
    """Return capex, NVIDIA content and NVIDIA investment released by scenario."""
    tab = _marked(tab, edition)
    parts = {"capex_cum_usd_bn": "Capex, total", "capex_nvidia_cum_usd_bn": "of which NVIDIA content",
             "investment_cum_usd_bn": "NVIDIA investment in OpenAI"}
    long = tab.melt(id_vars=["title"], value_vars=list(parts), var_name="what", value_name="usd_bn")
    long["what"] = long["what"].map(parts)
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("what:N", title=None, sort=list(parts.values())), x=alt.X("usd_bn:Q", title="Cumulative to the horizon (USD bn)"),
        color=alt.Color("what:N", legend=None, sort=list(parts.values())),
        row=alt.Row("title:N", title=None, sort=list(tab["title"]), header=alt.Header(labelAngle=0, labelAlign="left")),
        tooltip=[alt.Tooltip("title:N", title="Edition"), alt.Tooltip("what:N", title="Quantity"),
                 alt.Tooltip("usd_bn:Q", format=",.0f", title="USD bn")]).properties(height=60, width=440)
    b = tab.iloc[0]
    return charts.figure(chart.properties(title=alt.Title("Capital needed and NVIDIA's investment, by edition")),
                         source=SOURCE, description=(
        f"Bars by edition; in {b['title']} capex is ${b['capex_cum_usd_bn']:,.0f}bn against "
        f"${b['investment_cum_usd_bn']:,.0f}bn of NVIDIA investment; capex ranges ${tab['capex_cum_usd_bn'].min():,.0f}bn "
        f"to ${tab['capex_cum_usd_bn'].max():,.0f}bn across editions."))


def fig_uncertainty(tab: pd.DataFrame, edition: str | None = None) -> charts.Figure:
    """Return GW at the milestone: plan (point) and Monte Carlo P10-P90 (bar) with P50 by scenario."""
    tab = _marked(tab, edition)
    bars = alt.Chart(tab).mark_bar(size=14, opacity=0.35, color=charts.PALETTE["OpenAI"]).encode(
        y=alt.Y("title:N", title=None, sort=list(tab["title"])),
        x=alt.X("mc_gw_milestone_p10:Q", title="GW online at the milestone"),
        x2="mc_gw_milestone_p90:Q")
    p50 = alt.Chart(tab).mark_tick(color=charts.PALETTE["OpenAI"], thickness=3, size=18).encode(
        y=alt.Y("title:N", sort=list(tab["title"])), x="mc_gw_milestone_p50:Q",
        tooltip=[alt.Tooltip("title:N", title="Edition"),
                 alt.Tooltip("mc_gw_milestone_p50:Q", format=".2f", title="GW online at the milestone, Monte Carlo median (P50)")])
    plan = alt.Chart(tab).mark_point(shape="diamond", size=110, filled=True, color=charts.PALETTE["accent"]).encode(
        y=alt.Y("title:N", sort=list(tab["title"])), x="gw_milestone:Q", tooltip=[alt.Tooltip("title:N", title="Edition"),
                 alt.Tooltip("gw_milestone:Q", format=".2f", title="GW online at the milestone, plan")])
    return charts.figure((bars + p50 + plan).properties(height=150, title=alt.Title(
        "Plan against risk-adjusted range at the milestone",
        subtitle="Diamond: deterministic plan; bar: Monte Carlo P10–P90; tick: median")), source=SOURCE, description=(
        "Range chart by edition: " + "; ".join(
            f"{r['title']} plan {r['gw_milestone']:.1f} GW, P10–P90 {r['mc_gw_milestone_p10']:.1f}–{r['mc_gw_milestone_p90']:.1f} GW"
            for _, r in tab.iterrows()) + "."))
