"""The energy and infrastructure chapter's prose, figures and tables, built from analysis.energy."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, data, energy, prose, tables
from ..assumptions import Scenario
from ..prose import judged
from ..sourcing import cite

SOURCE_MODEL = "Ten Gigawatts model (scenario assumptions)"
SOURCE_REFS = ("IEA, Energy and AI (2025-04-10); LBNL, US data center energy report (2024-12-20); "
               "EIA, Electric Power Monthly (2024-08-23); Ten Gigawatts model")


def summary(scenario: Scenario, result: pd.DataFrame | None = None) -> prose.Markdown:
    """Return the chapter's key numbers as a paragraph generated from the results."""
    a = scenario.assumptions
    k = energy.key_numbers(a, result)
    return prose.md(
        f"In the **{scenario.title}** edition the programme peaks at {prose.num(k['facility_power_gw'])} GW of "
        f"facility power in {k['peak_half']}: {prose.num(k['it_power_gw'])} GW of IT load at a PUE of "
        f"{prose.num(a.pue, 2)}{judged(scenario, 'pue')}. Drawing on average {prose.pct(a.utilisation)} of that "
        f"power all year{judged(scenario, 'utilisation')}, it would use {prose.num(k['energy_twh'])} TWh a year at "
        f"full build. Compared in the same year: in {k['match_year']} the fleet draws "
        f"{prose.num(k['energy_match_twh'])} TWh, {prose.pct(k['us_dc_match_share'])} of what the IEA projects all "
        f"US data centres to use that year and {prose.pct(k['global_dc_match_share'], 1)} of its projection for "
        f"the world's. At full build its power equals about {prose.num(k['reactors'], 1)} average US nuclear "
        f"reactors or, by a common rule of thumb, the demand of {prose.num(k['homes_million'], 1)} million US homes. "
        f"At {prose.num(a.electricity_price_usd_per_mwh, 1)} USD per MWh, the US average industrial price in 2023, "
        f"the electricity bill would be about {prose.usd_bn(k['electricity_cost_usd_bn'], 1)} a year."
    )


def fig_comparison(scenario: Scenario, result: pd.DataFrame | None = None) -> charts.Figure:
    """Return the programme's annual TWh at full build against sourced references (horizontal bars)."""
    c = energy.comparison(scenario.assumptions, result)
    c = c[c["fact_id"] != "us_electricity_use_twh"]  # 3,861 TWh would flatten every bar; it stays in the table
    same = c[c["programme_same_year_twh"].notna()]
    prog_rows = pd.DataFrame({"fact_id": "programme_" + same["year"].astype(str),
                              "label": "This programme in " + same["year"].astype(str) + " (model)",
                              "energy_twh_per_year": same["programme_same_year_twh"], "programme_share": 1.0,
                              "citation": "Ten Gigawatts model"}).drop_duplicates("label")
    c = pd.concat([c, prog_rows], ignore_index=True)
    c["kind"] = c["fact_id"].str.startswith("programme").map({True: "This programme (model)", False: "Reference (sourced)"})
    order = list(c.sort_values("energy_twh_per_year")["label"])
    bars = alt.Chart(c).mark_bar().encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=alt.X("energy_twh_per_year:Q", title="Electricity use (TWh per year)"),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=["This programme (model)", "Reference (sourced)"],
            range=[charts.PALETTE["accent"], charts.PALETTE["other"]])),
        tooltip=[alt.Tooltip("label:N", title="Electricity use"),
                 alt.Tooltip("energy_twh_per_year:Q", format=",.0f", title="TWh per year"),
                 alt.Tooltip("citation:N", title="Source")])
    text = alt.Chart(c).mark_text(align="left", dx=3, fontSize=10, color="#333333").encode(
        y=alt.Y("label:N", sort=order), x="energy_twh_per_year:Q",
        text=alt.Text("energy_twh_per_year:Q", format=",.0f"))
    k = energy.key_numbers(scenario.assumptions, result)
    chart = (bars + text).properties(height=230, title=alt.Title(
        "The programme's electricity use set against national and global figures",
        subtitle="Annual TWh; the programme in the years the references cover, and at full build (all US use: see the table)"))
    return charts.figure(chart, source=SOURCE_REFS, description=(
        f"Bar chart: the programme at {prose.num(k['energy_twh'])} TWh a year at full build, and references: "
        + "; ".join(f"{r.label} {prose.num(r.energy_twh_per_year, 0)} TWh" for r in c.iloc[1:].itertuples()) + "."))


def fig_power(scenario: Scenario, result: pd.DataFrame | None = None) -> charts.Figure:
    """Return facility power online by half-year with a second axis in reactor-equivalents."""
    e = energy.run(scenario.assumptions, result)
    reactor = data.fact("reactor_power_gw")
    top = max(float(e["facility_power_gw"].max()) * 1.1, 0.1)
    x = alt.X("half_label:O", sort=list(e["half_label"]), title="Half-year")
    bars = alt.Chart(e).mark_bar(color=charts.PALETTE["OpenAI"]).encode(
        x=x, y=alt.Y("facility_power_gw:Q", title="Facility power online (GW)", scale=alt.Scale(domain=[0, top])),
        tooltip=[alt.Tooltip("half_label:N", title="Half-year"), alt.Tooltip("facility_power_gw:Q", format=".2f", title="GW"),
                 alt.Tooltip("reactor_equivalents:Q", format=".1f", title="Reactor-equivalents"),
                 alt.Tooltip("energy_twh_per_year:Q", format=".1f", title="TWh/yr")])
    labels = alt.Chart(e[e["facility_power_gw"] > 0]).mark_text(dy=-7, fontSize=10, color="#333333").encode(
        x=x, y=alt.Y("facility_power_gw:Q", scale=alt.Scale(domain=[0, top])),
        text=alt.Text("reactor_equivalents:Q", format=".1f"))
    chart = alt.layer(bars, labels).properties(title=alt.Title(
        "Facility power online, in gigawatts and in large reactors",
        subtitle=f"Numbers above bars: reactor-equivalents, power ÷ {prose.num(reactor, 2)} GW "
                 f"(the average US reactor)"))
    k = energy.key_numbers(scenario.assumptions, result)
    return charts.figure(chart, source=f"Ten Gigawatts model; reactor size: {cite('gep_us_nuclear_2023')}", description=(
        f"Bar chart of facility power online rising to {prose.num(k['facility_power_gw'])} GW in {k['peak_half']}, "
        f"equal to about {prose.num(k['reactors'], 1)} average US reactors."))


def fig_sensitivity(scenario: Scenario, result: pd.DataFrame | None = None) -> charts.Figure:
    """Return a heatmap of annual TWh over PUE and utilisation for the scenario's peak IT load."""
    a = scenario.assumptions
    g = energy.default_grid(a, result)
    g["pue_label"] = g["pue"].map(lambda v: f"{v:.1f}")
    g["util_label"] = g["utilisation"].map(lambda v: f"{v:.0%}")
    it = float(energy.run(a, result)["it_power_gw"].max())
    base = alt.Chart(g).encode(
        x=alt.X("util_label:O", title="Average utilisation (share of power drawn over the year)",
                sort=list(dict.fromkeys(g.sort_values("utilisation")["util_label"]))),
        y=alt.Y("pue_label:O", title="PUE", sort="descending"))
    heat = base.mark_rect().encode(
        color=alt.Color("energy_twh_per_year:Q", title="TWh per year", scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("pue_label:N", title="PUE"), alt.Tooltip("util_label:N", title="Utilisation"),
                 alt.Tooltip("energy_twh_per_year:Q", format=".1f", title="TWh per year")])
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("energy_twh_per_year:Q", format=".0f"),
        color=alt.condition(alt.datum.energy_twh_per_year > float(g["energy_twh_per_year"].median()),
                            alt.value("white"), alt.value("#222222")))
    chart = (heat + text).properties(height=220, title=alt.Title(
        "Annual electricity for the same compute under other PUE and utilisation",
        subtitle=f"IT load held at {prose.num(it, 2)} GW (the edition's peak); cells in TWh per year"))
    k = energy.key_numbers(a, result)
    return charts.figure(chart, source="Ten Gigawatts model (the edition's assumptions); PUE range: Uptime Institute (2023, 2024)", description=(
        f"Heatmap: with {prose.num(it, 2)} GW of IT load, annual use ranges from {prose.num(k['grid_min_twh'], 0)} TWh "
        f"(PUE 1.1, 40% utilisation) to {prose.num(k['grid_max_twh'], 0)} TWh (PUE 1.6, full utilisation)."))


def sensitivity_note(scenario: Scenario, result: pd.DataFrame | None = None) -> prose.Markdown:
    """Return how PUE and utilisation move the result, with sourced PUE benchmarks."""
    a = scenario.assumptions
    k = energy.key_numbers(a, result)
    avg, hyper = data.fact("pue_industry_average"), data.fact("pue_hyperscale")
    basis = ("The programme's gigawatts are read as facility power, so a worse PUE leaves the power drawn "
             "unchanged but fits less compute into it; held at the same compute, as in the chart, it raises "
             "the power needed." if a.power_basis == "facility" else
             "The programme's gigawatts are read as IT power, so a worse PUE raises facility power directly.")
    return prose.md(
        f"Two assumptions turn power into energy. PUE (facility power over IT power) averages "
        f"{prose.num(avg, 2)} across the industry ({cite('uptime_pue_2023')}) and about 1.3 or better in large new "
        f"builds ({cite('uptime_journal_2024')}); the {prose.num(a.pue, 2)} this edition uses is our judgement from "
        f"those figures. Utilisation is the share of power drawn on average over the year. {basis} Across PUE 1.1–1.6 and utilisation 40–100%, the same compute needs "
        f"between {prose.num(k['grid_min_twh'], 0)} and {prose.num(k['grid_max_twh'], 0)} TWh a year "
        f"(@fig-energy-sensitivity); energy scales in proportion to each."
    )


def comparison_table(scenario: Scenario, result: pd.DataFrame | None = None) -> tables.Table:
    """Return the reference figures with the programme's share of each."""
    c = energy.comparison(scenario.assumptions, result)
    c["share_pct"] = 100 * c["programme_share"]
    return tables.table(c, {
        "label": tables.Col("Electricity use"),
        "energy_twh_per_year": tables.Col("TWh/yr", 0),
        "programme_same_year_twh": tables.Col("Fleet (TWh)", 1),
        "share_pct": tables.Col("Share (%)", 1),
        "citation": tables.Col("Source (publisher, date)"),
    }, note="Fleet: the programme's use in the reference's year; share: that use as a share of the reference. "
            "'–' where the programme has no capacity in the reference's year or the year is past the model's horizon.")


def constraints_note(scenario: Scenario, result: pd.DataFrame | None = None) -> prose.Markdown:
    """Return the physical constraints in prose, set against the programme's pace."""
    k = energy.key_numbers(scenario.assumptions, result)
    f = {i: data.fact(i) for i in energy.CONSTRAINTS}
    lo, hi = energy.months_from_loi(scenario.assumptions)
    return prose.md(
        f"Power is the binding input. At its fastest this edition adds {prose.num(k['peak_gw_added_per_year'])} GW "
        f"in a calendar year. New large loads wait on the grid: projects in US interconnection queues took a median "
        f"of about {prose.num(f['interconnection_median_years'], 0)} years from request to operation, and "
        f"{prose.num(f['interconnection_queue_gw'], 0)} GW of generation and storage stood in the queues "
        f"({cite('lbnl_queued_up_2024')}). Large power transformers took about "
        f"{prose.num(f['transformer_lead_time_weeks'], 0)} weeks to deliver and generator step-up units about "
        f"{prose.num(f['gsu_transformer_lead_time_weeks'], 0)} weeks ({cite('woodmac_transformers_2025')}), or "
        f"{prose.num(f['transformer_lead_time_weeks'] / 52, 1)} to {prose.num(f['gsu_transformer_lead_time_weeks'] / 52, 1)} "
        f"years, against {prose.num(lo, 0)} to {prose.num(hi, 0)} months between the letter of intent and the "
        f"half-year in which this edition's first capacity comes online. "
        f"On-site gas generation meets a turbine backlog of about {prose.num(f['gas_turbine_backlog_gw'], 0)} GW at "
        f"GE Vernova alone ({cite('utilitydive_gev_q3_2025')}). Memory and packaging are tight as well: SK hynix "
        f"said its memory output for {int(f['hbm_sold_out_year'])} was already sold out "
        f"({cite('walaw_skhynix_hbm_2025')}), and Morgan Stanley expected about "
        f"{prose.num(f['cowos_demand_wafers_2026'] / 1e6, 1)} million wafers of CoWoS advanced packaging, which every "
        f"NVIDIA GPU package passes through, to be needed in 2026, {prose.pct(f['nvidia_cowos_share_2026'])} of them "
        f"NVIDIA's ({cite('semimedia_ms_cowos_2025')}). @tbl-energy-constraints lists the figures."
    )


def constraints_table(scenario: Scenario, result: pd.DataFrame | None = None) -> tables.Table:
    """Return the sourced physical constraints."""
    c = energy.constraints(scenario.assumptions, result)
    c["range"] = [f"{lo:,.0f}–{hi:,.0f}" if pd.notna(lo) and pd.notna(hi) else ""
                  for lo, hi in zip(c["low"], c["high"])]
    c["value_str"] = [f"{v:.0f}" if u == "year" else f"{v:.0%}" if u == "share" else f"{v:,.0f}"
                      for v, u in zip(c["value"], c["unit"])]
    return tables.table(c, {
        "label": tables.Col("Constraint"),
        "value_str": tables.Col("Value"),
        "range": tables.Col("Range"),
        "unit": tables.Col("Unit"),
        "as_of": tables.Col("As of"),
        "citation": tables.Col("Source (publisher, date)"),
    }, note="Weak sources are flagged where cited; addresses in the sources appendix.")
