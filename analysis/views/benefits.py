"""The benefits chapter: figures, tables and generated prose from analysis.benefits."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import benefits, charts, data, deal, prose, tables
from ..assumptions import Scenario

SOURCE = "OpenAI and NVIDIA statements and press reports (sources appendix); Ten Gigawatts model"


def openai_text(sc: Scenario, k: dict) -> prose.Markdown:
    """Return the OpenAI benefits paragraph."""
    yr = int(sc.assumptions.horizon_end_half)
    fleet = (f"As later platforms arrive, the fleet's dense FP4 compute per GW of IT power rises from "
             f"{prose.flops(k['fleet_eflops_per_gw_first'])} to {prose.flops(k['fleet_eflops_per_gw_last'])} per GW"
             + (f", the last figure resting partly on {k['assumed_platform']}, whose specifications are this "
                f"report's judgement." if k["fleet_uses_assumed"] else "."))
    assumed = (f" {k['assumed_platform']}, on this report's judgement, would offer "
               f"{prose.num(k['assumed_platform_gain'], 1)} times; no NVIDIA figure exists for it."
               if k["assumed_platform"] else "")
    return prose.md(
        f"**Compute.** OpenAI's own compute grew about {prose.num(k['openai_growth_2023_2025'], 1)}-fold a year "
        f"from 2023 to 2025. In the {sc.title} edition the programme puts {prose.num(k['gw'])} GW online by {yr}; "
        f"for scale, {prose.num(k['gw_vs_openai_2025'], 1)} times OpenAI's fleet at the end of 2025, and "
        f"{prose.pct(k['gw_share_of_commitments'])} of the {prose.num(deal.committed_gw(), 0)} GW of accelerator "
        f"supply OpenAI has committed to (@fig-benefits-compute).\n\n"
        f"**Financing.** NVIDIA's investment, {prose.usd_bn(k['investment_usd_bn'])}, covers "
        f"{prose.pct(k['investment_share_of_capex'])} of the {prose.usd_bn(k['capex_usd_bn'])} the build costs, "
        f"leaving {prose.usd_bn(k['capex_not_financed_usd_bn'])} to other investors, lenders and cloud partners. "
        f"In {k['burn_first_year']}–{k['burn_last_year']} NVIDIA invests {prose.usd_bn(k['investment_in_burn_years_usd_bn'])}, "
        f"{prose.pct(k['investment_vs_burn'])} of the {prose.usd_bn(k['burn_2026_2028_usd_bn'])} of cash OpenAI "
        f"projected it would burn in those years.\n\n"
        f"**Co-design.** On NVIDIA's roadmap figures, {k['best_platform']} offers "
        f"{prose.num(k['best_platform_gain'], 1)} times Vera Rubin's dense compute per MW of rack power "
        f"(@fig-benefits-efficiency).{assumed} {fleet} How much of any gain is owed to joint work with OpenAI "
        f"no source quantifies.")


def nvidia_text(k: dict) -> prose.Markdown:
    """Return the NVIDIA benefits paragraph."""
    return prose.md(
        f"**Assured demand.** The programme's NVIDIA content, {prose.usd_bn(k['nvidia_content_usd_bn'])}, peaks in "
        f"{k['nvidia_peak_year']} at {prose.usd_bn(k['nvidia_peak_year_revenue_usd_bn'])}. For scale, that is "
        f"{prose.pct(k['nvidia_peak_share_of_fy2026_dc'])} of NVIDIA's data-centre revenue in its latest full fiscal "
        f"year reported, FY2026 ({prose.usd_bn(k['nvidia_dc_revenue_fy2026_usd_bn'], 1)}; @fig-benefits-nvidia); no "
        f"source projects NVIDIA's revenue for {k['nvidia_peak_year']}.\n\n"
        f"**Equity and circularity.** Under the letter's terms NVIDIA's $10bn per GW would have been "
        f"{prose.pct(k['announced_investment_per_gw_share_of_content'])} of its own content in that GW. In this "
        f"edition NVIDIA's sales to the programme are {prose.num(k['sales_to_investment'], 1)} times its investment "
        f"in OpenAI, and its gross profit on them, at a {prose.pct(sc_margin(k), 1)} margin, "
        f"{prose.num(k['gross_profit_per_dollar_invested'], 1)} times. These are ratios, not returns: the stake "
        f"does not buy the sales, and the ratios rise when NVIDIA invests less. A first tranche would have bought "
        f"about {prose.pct(k['stake_first_tranche'], 1)} of OpenAI; the $30bn paid in 2026 bought about "
        f"{prose.pct(k['stake_equity_2026'], 1)}.\n\n"
        f"**Ecosystem.** NVIDIA holds {prose.pct(k['nvidia_supply_share'])} of the {prose.num(k['supply_gw_total'], 0)} GW "
        f"of accelerator supply OpenAI has committed to (@fig-benefits-supply): preferred, not exclusive.")


def sc_margin(k: dict) -> float:
    """Return the gross margin implied by the key numbers (gross profit over content)."""
    return k["gross_profit_usd_bn"] / k["nvidia_content_usd_bn"] if k["nvidia_content_usd_bn"] else 0.0


def fig_compute(a) -> charts.Figure:
    """Return OpenAI's reported compute and the programme's GW online by year-end, with commitments."""
    d = benefits.openai_compute(a)
    commit = deal.committed_gw()
    line = alt.Chart(d).mark_line(point=True).encode(
        x=alt.X("year:O", title="Year-end"), y=alt.Y("gw:Q", title="Power (GW)"),
        color=alt.Color("series:N", title=None, legend=alt.Legend()),
        strokeDash=alt.StrokeDash("series:N", title=None, legend=alt.Legend()),
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("year:O", title="Year-end"),
                 alt.Tooltip("gw:Q", format=".2f", title="GW")])
    ref = pd.DataFrame({"gw": [commit], "label": [f"OpenAI's accelerator commitments, net ({commit:,.0f} GW)"]})
    rule = alt.Chart(ref).mark_rule(color="#777", strokeDash=[4, 4]).encode(y="gw:Q")
    txt = alt.Chart(ref).mark_text(align="left", dy=-6, x=4, color="#555").encode(y="gw:Q", text="label:N")
    last = d[d["series"].str.startswith("This")].iloc[-1]
    return charts.figure((line + rule + txt).properties(title=alt.Title(
        "Compute secured against OpenAI's fleet and commitments",
        subtitle="OpenAI's reported compute (all suppliers) and this programme's NVIDIA GW online")),
        source=SOURCE, description=(
            f"Line chart: OpenAI's compute rose from {d['gw'].iloc[0]:g} GW (2023) to "
            f"{data.fact('openai_compute_gw_2025'):g} GW (2025); the programme reaches {prose.num(last['gw'])} GW by "
            f"{int(last['year'])}, against {commit:,.0f} GW of commitments."))


def fig_nvidia(a) -> charts.Figure:
    """Return NVIDIA's programme revenue by year against its FY2026 data-centre revenue."""
    r = benefits.nvidia_revenue(a)
    r = r[r["revenue_usd_bn"] > 0]
    dc = data.fact("nvidia_dc_revenue_fy2026_usd_bn")
    bars = alt.Chart(r).mark_bar(color=charts.PALETTE["NVIDIA"]).encode(
        x=alt.X("year:O", title="Calendar year"), y=alt.Y("revenue_usd_bn:Q", title="USD bn"),
        tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("revenue_usd_bn:Q", format=",.0f", title="USD bn"),
                 alt.Tooltip("share_of_fy2026_dc:Q", format=".0%", title="Share of FY2026 data-centre revenue")])
    ref = pd.DataFrame({"y": [dc], "label": [f"NVIDIA data-centre revenue, FY2026, for scale (${dc:,.1f}bn)"]})
    rule = alt.Chart(ref).mark_rule(color=charts.PALETTE["accent"], strokeDash=[6, 3]).encode(y="y:Q")
    txt = alt.Chart(ref).mark_text(align="left", dy=-6, x=4, color=charts.PALETTE["accent"]).encode(y="y:Q", text="label:N")
    peak = r.loc[r["revenue_usd_bn"].idxmax()]
    return charts.figure((bars + rule + txt).properties(title=alt.Title(
        "NVIDIA's revenue from the programme", subtitle="NVIDIA content of the GW added each year; the line is "
        "FY2026, a past year, shown for scale")),
        source=SOURCE, description=(
            f"Bar chart: NVIDIA revenue from the programme peaks at ${peak['revenue_usd_bn']:,.0f}bn in "
            f"{int(peak['year'])}, {peak['share_of_fy2026_dc']:.0%} of its FY2026 data-centre revenue of ${dc:,.1f}bn."))


@charts.of_data
def fig_efficiency() -> charts.Figure:
    """Return dense FP4 compute per MW of rack power by platform."""
    p = benefits.platform_efficiency()
    p["basis"] = p["assumed"].map({False: "NVIDIA's figures", True: "This report's judgement"})
    order = list(p["platform"])
    bars = alt.Chart(p).mark_bar().encode(
        x=alt.X("platform:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("fp4_pflops_per_mw:Q", title="Dense FP4 PFLOP/s per MW of rack power"),
        color=alt.Color("basis:N", title=None, scale=alt.Scale(
            domain=["NVIDIA's figures", "This report's judgement"], range=[charts.PALETTE["NVIDIA"], "#BBBBBB"])),
        tooltip=[alt.Tooltip("platform:N", title="Platform"),
                 alt.Tooltip("fp4_pflops_per_mw:Q", format=",.0f", title="PFLOP/s per MW"),
                 alt.Tooltip("gain_vs_first:Q", format=".2f", title="Times Vera Rubin"),
                 alt.Tooltip("basis:N", title="Figures")])
    nv = p[~p["assumed"]]
    best = nv.loc[nv["fp4_pflops_per_mw"].idxmax()]
    return charts.figure(bars.properties(title=alt.Title(
        "Compute per watt across NVIDIA's roadmap", subtitle="Rack-level dense FP4 throughput over rack power; "
        "grey bars rest on this report's judgement")),
        source="NVIDIA platform figures as reported (sources appendix); Feynman is this report's judgement",
        description=(f"Bar chart of compute per MW by platform; on NVIDIA's figures {best['platform']} is highest at "
                     f"{best['fp4_pflops_per_mw']:,.0f} PFLOP/s per MW, {best['gain_vs_first']:.1f} times Vera Rubin."))


@charts.of_data
def fig_supply() -> charts.Figure:
    """Return OpenAI's accelerator-supply commitments by vendor."""
    s = benefits.supply_shares()
    bars = alt.Chart(s).mark_bar().encode(
        y=alt.Y("vendor:N", sort="-x", title=None), x=alt.X("gw:Q", title="Power committed (GW)"),
        color=alt.condition(alt.datum.vendor == "NVIDIA", alt.value(charts.PALETTE["NVIDIA"]), alt.value(charts.PALETTE["other"])),
        tooltip=[alt.Tooltip("vendor:N", title="Vendor"), alt.Tooltip("gw:Q", title="GW"),
                 alt.Tooltip("share:Q", format=".0%", title="Share"), alt.Tooltip("announced:N", title="Announced")])
    nv = s[s["vendor"] == "NVIDIA"].iloc[0]
    return charts.figure(bars.properties(height=140, title=alt.Title(
        "OpenAI's accelerator supply by vendor", subtitle="GW in signed or announced supply deals")),
        source="Company announcements (sources appendix)", description=(
            f"Bar chart: NVIDIA {nv['gw']:g} GW ({nv['share']:.0%}) of {s['gw'].sum():g} GW across "
            f"{len(s)} vendors."))


def claims_table(a) -> tables.Table:
    """Return each benefit claimed at the announcement against what has happened since."""
    c = benefits.claims(a)
    return tables.table(c, {"party": tables.Col("For"), "benefit": tables.Col("Benefit"),
                            "announced": tables.Col("At the announcement"), "since": tables.Col("Since (dated)"),
                            "source": tables.Col("Source"), "status": tables.Col("Status")},
                        note="Events from the timeline of the deal chapter; figures from the sources appendix.")
