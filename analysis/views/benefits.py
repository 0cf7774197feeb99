"""The benefits chapter: figures, tables and generated prose from analysis.benefits."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import benefits, charts, data, prose, tables
from ..assumptions import Scenario

SOURCE = "OpenAI and NVIDIA statements and press reports (data/facts.csv, data/commitments.csv); Ten Gigawatts model"


def openai_text(sc: Scenario, k: dict) -> prose.Markdown:
    """Return the OpenAI benefits paragraph."""
    return prose.md(
        f"**Compute.** OpenAI's own compute grew about {prose.num(k['openai_growth_2023_2025'], 1)}-fold a year "
        f"from 2023 to 2025. In the {sc.title} scenario the programme puts {prose.num(k['gw'])} GW online, "
        f"{prose.num(k['gw_vs_openai_2025'], 1)} times OpenAI's 2025 fleet and {prose.pct(k['gw_share_of_commitments'])} "
        f"of the {prose.num(data.fact('openai_compute_commitments_gw'), 0)} GW OpenAI says it has committed to "
        f"(@fig-benefits-compute).\n\n"
        f"**Financing.** NVIDIA's investment released, {prose.usd_bn(k['investment_usd_bn'])}, covers "
        f"{prose.pct(k['investment_share_of_capex'])} of the {prose.usd_bn(k['capex_usd_bn'])} the build costs, "
        f"leaving {prose.usd_bn(k['capex_not_financed_usd_bn'])} to other investors, lenders and cloud partners; "
        f"it equals {prose.pct(k['investment_vs_burn'])} of the cash OpenAI projected to burn in 2026–2028 "
        f"({prose.usd_bn(k['burn_2026_2028_usd_bn'])}).\n\n"
        f"**Co-design.** {_figures_basis()}, the fleet's dense FP4 compute per GW of IT power rises from "
        f"{prose.num(k['fleet_eflops_per_gw_first'], 0)} to {prose.num(k['fleet_eflops_per_gw_last'], 0)} EFLOP/s per GW as "
        f"later platforms arrive, and the best platform in the window{_best_note()} offers "
        f"{prose.num(k['best_platform_gain'], 1)} times Vera Rubin's compute per MW (@fig-benefits-efficiency). "
        f"How much of that is owed to joint work with OpenAI no source quantifies.")


def _figures_basis() -> str:
    """Return whose figures the co-design numbers rest on (NVIDIA's, or partly this report's assumptions)."""
    assumed = data.assumed_platforms()
    return (f"On NVIDIA's figures and, for {' and '.join(assumed)}, this report's assumptions" if assumed
            else "On NVIDIA's own figures")


def _best_note() -> str:
    """Return ' (Feynman, whose ...)' when the most efficient platform's specifications are assumed."""
    p = benefits.platform_efficiency()
    best = str(p.loc[p["fp4_pflops_per_mw"].idxmax(), "platform"])
    return (f" ({best}, whose specifications are this report's assumption)"
            if best in data.assumed_platforms() else "")


def nvidia_text(k: dict) -> prose.Markdown:
    """Return the NVIDIA benefits paragraph."""
    return prose.md(
        f"**Assured demand.** The programme's NVIDIA content, {prose.usd_bn(k['nvidia_content_usd_bn'])}, peaks in "
        f"{k['nvidia_peak_year']} at {prose.usd_bn(k['nvidia_peak_year_revenue_usd_bn'])}, "
        f"{prose.pct(k['nvidia_peak_share_of_fy2026_dc'])} of NVIDIA's FY2026 data-centre revenue "
        f"({prose.usd_bn(k['nvidia_dc_revenue_fy2026_usd_bn'], 1)}; @fig-benefits-nvidia).\n\n"
        f"**Equity and circularity.** Under the announced terms NVIDIA's $10bn per GW is "
        f"{prose.pct(k['announced_investment_per_gw_share_of_content'])} of its own content in that GW. In this "
        f"scenario each dollar invested comes back as {prose.num(k['investment_returned_as_revenue'], 1)} dollars of revenue and, at "
        f"a gross margin of {prose.pct(sc_margin(k))}, {prose.num(k['gross_profit_per_dollar_invested'], 1)} dollars of "
        f"gross profit. A first tranche bought about {prose.pct(k['stake_first_tranche'], 1)} of OpenAI; the "
        f"$30bn paid in 2026 bought about {prose.pct(k['stake_equity_2026'], 1)}.\n\n"
        f"**Ecosystem.** NVIDIA holds {prose.pct(k['nvidia_supply_share'])} of the {prose.num(k['supply_gw_total'], 0)} GW "
        f"of accelerator supply OpenAI has signed (@fig-benefits-supply): preferred, not exclusive.")


def sc_margin(k: dict) -> float:
    """Return the gross margin implied by the key numbers (gross profit over content)."""
    return k["gross_profit_usd_bn"] / k["nvidia_content_usd_bn"] if k["nvidia_content_usd_bn"] else 0.0


def fig_compute(a) -> charts.Figure:
    """Return OpenAI's reported compute and the programme's GW online by year-end, with commitments."""
    d = benefits.openai_compute(a)
    commit = data.fact("openai_compute_commitments_gw")
    line = alt.Chart(d).mark_line(point=True).encode(
        x=alt.X("year:O", title="Year-end"), y=alt.Y("gw:Q", title="Power (GW)"),
        color=alt.Color("series:N", title=None), strokeDash=alt.StrokeDash("series:N", title=None),
        tooltip=["series", "year", alt.Tooltip("gw:Q", format=".2f")])
    ref = pd.DataFrame({"gw": [commit], "label": [f"All OpenAI commitments ({commit:,.0f} GW)"]})
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
        tooltip=["year", alt.Tooltip("revenue_usd_bn:Q", format=",.0f"), alt.Tooltip("share_of_fy2026_dc:Q", format=".0%")])
    ref = pd.DataFrame({"y": [dc], "label": [f"NVIDIA data-centre revenue, FY2026 (${dc:,.1f}bn)"]})
    rule = alt.Chart(ref).mark_rule(color=charts.PALETTE["accent"], strokeDash=[6, 3]).encode(y="y:Q")
    txt = alt.Chart(ref).mark_text(align="left", dy=-6, x=4, color=charts.PALETTE["accent"]).encode(y="y:Q", text="label:N")
    peak = r.loc[r["revenue_usd_bn"].idxmax()]
    return charts.figure((bars + rule + txt).properties(title=alt.Title(
        "NVIDIA's revenue from the programme", subtitle="NVIDIA content of the GW added each year")),
        source=SOURCE, description=(
            f"Bar chart: NVIDIA revenue from the programme peaks at ${peak['revenue_usd_bn']:,.0f}bn in "
            f"{int(peak['year'])}, {peak['share_of_fy2026_dc']:.0%} of its FY2026 data-centre revenue of ${dc:,.1f}bn."))


def fig_efficiency() -> charts.Figure:
    """Return dense FP4 compute per MW of rack power by platform."""
    p = benefits.platform_efficiency()
    order = list(p["platform"])
    bars = alt.Chart(p).mark_bar(color=charts.PALETTE["NVIDIA"]).encode(
        x=alt.X("platform:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("fp4_pflops_per_mw:Q", title="Dense FP4 PFLOP/s per MW of rack power"),
        tooltip=["platform", alt.Tooltip("fp4_pflops_per_mw:Q", format=",.0f"), alt.Tooltip("gain_vs_first:Q", format=".2f")])
    best = p.loc[p["fp4_pflops_per_mw"].idxmax()]
    return charts.figure(bars.properties(title=alt.Title(
        "Compute per watt across NVIDIA's roadmap", subtitle="Rack-level dense FP4 throughput over rack power")),
        source="NVIDIA platform figures (data/platforms.csv; Feynman is this report's assumption)", description=(
            f"Bar chart of compute per MW by platform; {best['platform']} is highest at "
            f"{best['fp4_pflops_per_mw']:,.0f} PFLOP/s per MW, {best['gain_vs_first']:.1f} times Vera Rubin."))


def fig_supply() -> charts.Figure:
    """Return OpenAI's accelerator-supply commitments by vendor."""
    s = benefits.supply_shares()
    bars = alt.Chart(s).mark_bar().encode(
        y=alt.Y("vendor:N", sort="-x", title=None), x=alt.X("gw:Q", title="Power committed (GW)"),
        color=alt.condition(alt.datum.vendor == "NVIDIA", alt.value(charts.PALETTE["NVIDIA"]), alt.value(charts.PALETTE["other"])),
        tooltip=["vendor", "gw", alt.Tooltip("share:Q", format=".0%"), "announced"])
    nv = s[s["vendor"] == "NVIDIA"].iloc[0]
    return charts.figure(bars.properties(height=140, title=alt.Title(
        "OpenAI's accelerator supply by vendor", subtitle="GW in signed or announced supply deals")),
        source="Company announcements (data/commitments.csv)", description=(
            f"Bar chart: NVIDIA {nv['gw']:g} GW ({nv['share']:.0%}) of {s['gw'].sum():g} GW across "
            f"{len(s)} vendors."))


def claims_table(a) -> tables.Table:
    """Return each benefit claimed at the announcement against what has happened since."""
    c = benefits.claims(a)
    return tables.table(c, {"party": tables.Col("For"), "benefit": tables.Col("Benefit"),
                            "announced": tables.Col("At the announcement"), "since": tables.Col("Since (dated)"),
                            "source": tables.Col("Source"), "status": tables.Col("Status")},
                        note="Events from data/deal_events.csv; numbers from data/facts.csv.")
