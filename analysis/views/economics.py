"""The economics chapter's prose, figures and tables, built from analysis.economics."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, data, economics, halves, prose, tables
from ..assumptions import Scenario
from ..prose import judged
from ..sourcing import cite

SOURCE_MODEL = "Ten Gigawatts model; capital per GW: Huang on NVIDIA's Q2 FY26 call (Livemint, 2025-09-01)"


def summary(scenario: Scenario, result: pd.DataFrame | None = None) -> prose.Markdown:
    """Return the chapter's headline numbers as a paragraph generated from the results."""
    a = scenario.assumptions
    k = economics.key_numbers(a, result)
    inv = (f"NVIDIA's investment in OpenAI comes to {prose.usd_bn(k['investment_usd_bn'])}, "
           f"{prose.num(100 * k['recycling_ratio'], 0)} cents for each dollar of those sales and "
           f"{prose.pct(k['investment_to_gross_profit'])} of NVIDIA's gross profit on them at a "
           f"{prose.pct(a.nvidia_gross_margin, 1)} margin."
           if k["investment_usd_bn"] > 0 else "NVIDIA invests nothing in this edition.")
    peak_rev = (f"against projected OpenAI revenue of {prose.usd_bn(k['peak_funding_revenue_usd_bn'])} that year"
                if pd.notna(k["peak_funding_revenue_usd_bn"]) else
                f"a year beyond {k['revenue_horizon_year']}, the last for which OpenAI has given a revenue figure, "
                f"so the report sets no revenue against it")
    return prose.md(
        f"In the **{scenario.title}** edition one gigawatt costs {prose.usd_bn(k['capex_usd_bn_per_gw'])} of capital "
        f"at the start, of which {prose.usd_bn(k['capex_nvidia_usd_bn_per_gw'])} "
        f"({prose.pct(k['nvidia_share_of_capex'])}) is NVIDIA content, and the whole programme "
        f"{prose.usd_bn(k['capex_total_usd_bn'])}. NVIDIA's sales to it come to "
        f"{prose.usd_bn(k['nvidia_revenue_usd_bn'])}. {inv} The capital left to fund peaks in {k['peak_funding_year']} "
        f"at {prose.usd_bn(k['peak_funding_need_usd_bn'])}, {peak_rev}. Depreciation peaks between "
        f"{prose.usd_bn(k['dep_peak_long_usd_bn'])} and {prose.usd_bn(k['dep_peak_short_usd_bn'])} a year depending on "
        f"whether the hardware lasts {prose.num(k['life_long_years'], 0)} or {prose.num(k['life_short_years'], 0)} "
        f"years. Capital per unit of dense FP8 compute falls from about ${prose.num(k['cost_fp8_first_usd'], 0)} per "
        f"PFLOP/s on {k['first_platform']} to ${prose.num(k['cost_fp8_last_usd'], 0)} on {k['last_platform']}"
        f"{' (its figures are our judgement)' if k['last_platform'] in data.assumed_platforms() else ''}, "
        f"a change of {prose.num(k['cost_trend_pct_per_year'], 0)}% a year."
    )


def fig_capex(scenario: Scenario, result: pd.DataFrame | None = None) -> charts.Figure:
    """Return capital spent per half-year, split into NVIDIA content and everything else (stacked bars)."""
    c = economics.capex_split(scenario.assumptions, result)
    long = pd.concat([c.assign(part="NVIDIA content", value=c["capex_nvidia_usd_bn"]),
                      c.assign(part="Everything else", value=c["capex_other_usd_bn"])])
    chart = alt.Chart(long).mark_bar().encode(
        x=alt.X("half_label:O", sort=list(c["half_label"]), title="Half-year"),
        y=alt.Y("value:Q", title="Capital expenditure (USD bn)", stack="zero"),
        color=alt.Color("part:N", title=None, scale=alt.Scale(
            domain=["NVIDIA content", "Everything else"],
            range=[charts.PALETTE["NVIDIA"], charts.PALETTE["other"]])),
        order=alt.Order("part:N", sort="descending"),
        tooltip=[alt.Tooltip("half_label:N", title="Half-year"), alt.Tooltip("part:N", title="Part"),
                 alt.Tooltip("value:Q", format=",.1f", title="USD bn"),
                 alt.Tooltip("added_gw:Q", format=".2f", title="GW added")],
    ).properties(title=alt.Title("Capital spent per half-year",
                                 subtitle="Nominal USD bn; everything else = buildings, power, cooling and other IT"))
    k = economics.key_numbers(scenario.assumptions, result)
    return charts.figure(chart, source=SOURCE_MODEL, description=(
        f"Stacked bar chart by half-year; the programme's capital totals {prose.usd_bn(k['capex_total_usd_bn'])}, "
        f"{prose.pct(k['nvidia_share_of_capex'])} of it NVIDIA content."))


def fig_recycling(scenario: Scenario, result: pd.DataFrame | None = None) -> charts.Figure:
    """Return NVIDIA's revenue from the programme and its investment released, by half-year (grouped bars)."""
    r = economics.recycling(scenario.assumptions, result)
    long = pd.concat([r.assign(series="NVIDIA's sales", value=r["nvidia_revenue_usd_bn"]),
                      r.assign(series="NVIDIA's investment", value=r["investment_usd_bn"])])
    chart = alt.Chart(long).mark_bar().encode(
        x=alt.X("half_label:O", sort=list(r["half_label"]), title="Half-year"),
        xOffset=alt.XOffset("series:N"),
        y=alt.Y("value:Q", title="USD bn per half-year"),
        color=alt.Color("series:N", title=None, scale=alt.Scale(
            domain=["NVIDIA's sales", "NVIDIA's investment"],
            range=[charts.PALETTE["NVIDIA"], charts.PALETTE["accent"]])),
        tooltip=[alt.Tooltip("half_label:N", title="Half-year"), alt.Tooltip("series:N", title="Flow"),
                 alt.Tooltip("value:Q", format=",.1f", title="USD bn"),
                 alt.Tooltip("recycling_ratio_cum:Q", format=".0%", title="Cumulative investment ÷ revenue")],
    ).properties(title=alt.Title("What NVIDIA sells to the programme and what it invests back",
                                 subtitle="Sales = NVIDIA content of the GW added; investment in OpenAI per the edition's terms"))
    k = economics.key_numbers(scenario.assumptions, result)
    return charts.figure(chart, source=SOURCE_MODEL, description=(
        f"Grouped bar chart by half-year: cumulative NVIDIA revenue {prose.usd_bn(k['nvidia_revenue_usd_bn'])}, "
        f"cumulative investment {prose.usd_bn(k['investment_usd_bn'])}, "
        f"a ratio of {prose.pct(k['recycling_ratio'])}."))


def recycling_table(scenario: Scenario, result: pd.DataFrame | None = None) -> tables.Table:
    """Return revenue, investment, their net and the recycling ratio by half-year."""
    r = economics.recycling(scenario.assumptions, result)
    r = r[(r["nvidia_revenue_usd_bn"] != 0) | (r["investment_usd_bn"] != 0)].copy()
    r["ratio_pct"] = 100 * r["recycling_ratio_cum"]
    return tables.table(r, {
        "half_label": tables.Col("Half-year"),
        "nvidia_revenue_usd_bn": tables.Col("NVIDIA revenue (USD bn)", 1),
        "investment_usd_bn": tables.Col("Investment (USD bn)", 1),
        "net_to_nvidia_usd_bn": tables.Col("Net to NVIDIA (USD bn)", 1),
        "net_to_nvidia_cum_usd_bn": tables.Col("Net, cumulative (USD bn)", 1),
        "ratio_pct": tables.Col("Investment per revenue dollar, cum. (%)", 0),
    }, note="Source: " + SOURCE_MODEL + ". Revenue booked in the half-year the capacity comes online.")


def funding_note(scenario: Scenario, result: pd.DataFrame | None = None) -> prose.Markdown:
    """Return OpenAI's funding need against its sourced and projected revenue, within the source's horizon."""
    a = scenario.assumptions
    k = economics.key_numbers(a, result)
    rev25 = data.fact("openai_revenue_2025_usd_bn")
    rev30 = data.fact("openai_revenue_2030_target_usd_bn")
    burn = data.fact("openai_cumulative_burn_2029_usd_bn")
    h = k["revenue_horizon_year"]
    after = (f" Beyond {h}, the last year OpenAI has given a revenue figure for, the report projects no revenue: "
             f"the programme still needs {prose.usd_bn(k['funding_need_after_horizon_usd_bn'])} of capital after "
             f"{h}, with nothing set against it." if k["funding_need_after_horizon_usd_bn"] > 0 else "")
    return prose.md(
        f"OpenAI's revenue was about {prose.usd_bn(rev25, 1)} in 2025 and the company told investors it expects more "
        f"than {prose.usd_bn(rev30)} in {h} ({cite('reuters_600bn_2026')}); the report joins the two at "
        f"{prose.num(a.openai_revenue_growth_pct_per_year, 1)}% a year, a rate derived from those two figures, and "
        f"stops in {h}. Whoever finances the build (OpenAI, its cloud partners or lenders), the programme needs "
        f"{prose.usd_bn(k['funding_need_2026_2030_usd_bn'])} of capital beyond NVIDIA's investment in 2026–{h}, against "
        f"{prose.usd_bn(k['revenue_2026_2030_usd_bn'])} of projected revenue over the same years, which must also pay "
        f"for OpenAI's other suppliers, staff and operations.{after} Before this programme OpenAI already projected "
        f"burning about {prose.usd_bn(burn)} of cash through 2029 ({cite('theinformation_burn_2025')}). Once built, "
        f"the fleet's yearly carrying cost in {k['end_year']} is {prose.usd_bn(k['carrying_cost_end_usd_bn'])}: the "
        f"capital repaid over its life at a cost of capital of {prose.num(a.cost_of_capital_pct, 0)}%"
        f"{judged(scenario, 'cost_of_capital_pct')}, the treatment every cost in this report uses, plus electricity."
    )


def fig_funding(scenario: Scenario, result: pd.DataFrame | None = None) -> charts.Figure:
    """Return capital left to fund and carrying cost per year, against OpenAI's projected and sourced revenue."""
    a = scenario.assumptions
    f = economics.funding(a, result)
    f["year_str"] = f["year"].astype(str)
    src = economics.sourced_openai_finance()
    src = src[src["series"].str.startswith("Revenue") & src["year"].isin(f["year"])].copy()
    src["year_str"] = src["year"].astype(str)
    long = pd.concat([f.assign(series="Capital to fund", value=f["funding_need_usd_bn"]),
                      f.assign(series="Carrying cost", value=f["carrying_cost_usd_bn"])])
    x = alt.X("year_str:O", title="Year")
    bars = alt.Chart(long).mark_bar().encode(
        x=x, xOffset=alt.XOffset("series:N"), y=alt.Y("value:Q", title="USD bn per year"),
        color=alt.Color("series:N", title=None, scale=alt.Scale(
            domain=["Capital to fund", "Carrying cost"],
            range=[charts.PALETTE["OpenAI"], "#56B4E9"])),
        tooltip=[alt.Tooltip("year_str:N", title="Year"), alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("value:Q", format=",.1f", title="USD bn")])
    line = alt.Chart(f[f["openai_revenue_usd_bn"].notna()]).mark_line(
        color=charts.PALETTE["accent"], strokeDash=[6, 3], point=True).encode(
        x=x, y="openai_revenue_usd_bn:Q",
        tooltip=[alt.Tooltip("year_str:N", title="Year"),
                 alt.Tooltip("openai_revenue_usd_bn:Q", format=",.0f", title="Projected revenue, USD bn")])
    pts = alt.Chart(src).mark_point(shape="diamond", size=120, filled=True, color="#000000").encode(
        x=x, y="value_usd_bn:Q",
        tooltip=[alt.Tooltip("year_str:N", title="Year"), alt.Tooltip("value_usd_bn:Q", title="Sourced revenue, USD bn"),
                 alt.Tooltip("citation:N", title="Source")])
    h = economics.revenue_horizon_year()
    chart = alt.layer(bars, line, pts).properties(title=alt.Title(
        "The programme's funding need against OpenAI's revenue",
        subtitle=[f"Capital to fund = capex less NVIDIA's investment; carrying cost = capital charge plus electricity",
                  f"Dashed: revenue grown {prose.num(a.openai_revenue_growth_pct_per_year, 1)}% a year to {h}, OpenAI's "
                  f"furthest figure; diamonds: sourced"]))
    k = economics.key_numbers(a, result)
    return charts.figure(chart, source=(f"Ten Gigawatts model; OpenAI revenue: {cite('reuters_600bn_2026')}"),
                         description=(
        f"Bars per year of capital to fund and carrying cost, with OpenAI's projected revenue as a line to "
        f"{h}. Capital to fund peaks at {prose.usd_bn(k['peak_funding_need_usd_bn'])} in {k['peak_funding_year']}."))


def funding_table(scenario: Scenario, result: pd.DataFrame | None = None) -> tables.Table:
    """Return the yearly funding view."""
    f = economics.funding(scenario.assumptions, result)
    f["year_str"] = f["year"].astype(str)
    return tables.table(f, {
        "year_str": tables.Col("Year"),
        "capex_usd_bn": tables.Col("Capex (USD bn)", 1),
        "investment_usd_bn": tables.Col("NVIDIA investment (USD bn)", 1),
        "funding_need_usd_bn": tables.Col("Capital to fund (USD bn)", 1),
        "depreciation_usd_bn": tables.Col("Depreciation (USD bn)", 1),
        "capital_charge_usd_bn": tables.Col("Capital charge (USD bn)", 1),
        "electricity_usd_bn": tables.Col("Electricity (USD bn)", 1),
        "openai_revenue_usd_bn": tables.Col("OpenAI revenue, projected (USD bn)", 1),
    }, note=f"Ten Gigawatts model; revenue from {cite('reuters_600bn_2026')}, not projected past "
            f"{economics.revenue_horizon_year()} ('–'). Capital charge: the level yearly payment that repays each "
            f"year's capital over its life at a cost of capital of {prose.num(scenario.assumptions.cost_of_capital_pct, 0)}%"
            f"{judged(scenario, 'cost_of_capital_pct')} (depreciation plus the return on capital).")


def fig_depreciation(scenario: Scenario, result: pd.DataFrame | None = None) -> charts.Figure:
    """Return yearly depreciation under each useful life of the NVIDIA content."""
    a = scenario.assumptions
    d = economics.depreciation(a, None, result)
    y = d.groupby(["life_years", "year"], as_index=False)["depreciation_usd_bn"].sum()
    y["life"] = y["life_years"].map(lambda v: f"{v:g}-year life")
    y["year_str"] = y["year"].astype(str)
    lives = list(dict.fromkeys(y["life"]))
    _, dashes = charts.scenario_scale(lives)
    # Shortest life in the strongest colour; no pale yellow, so every line prints on white.
    colours = alt.Scale(domain=lives, range=["#D55E00", "#CC79A7", "#0072B2", "#009E73", "#000000", "#999999"][:len(lives)])
    title = "NVIDIA content written off over"
    chart = alt.Chart(y).mark_line(point=True).encode(
        x=alt.X("year_str:O", title="Year"),
        y=alt.Y("depreciation_usd_bn:Q", title="Depreciation (USD bn per year)"),
        color=alt.Color("life:N", title=title, scale=colours),
        strokeDash=alt.StrokeDash("life:N", title=title, scale=dashes),
        tooltip=[alt.Tooltip("year_str:N", title="Year"), alt.Tooltip("life:N", title="Useful life"),
                 alt.Tooltip("depreciation_usd_bn:Q", format=",.1f", title="USD bn")],
    ).properties(title=alt.Title("Yearly depreciation under different useful lives",
                                 subtitle=f"Straight line; non-NVIDIA capital over {prose.num(a.facility_life_years, 0)} "
                                          f"years in every line"))
    k = economics.key_numbers(a, result)
    return charts.figure(chart, source=("Ten Gigawatts model; useful lives: hyperscaler accounting and critics "
                                        f"({cite('tipranks_burry_2025')})"), description=(
        f"Line chart: peak yearly depreciation {prose.usd_bn(k['dep_peak_short_usd_bn'])} with a "
        f"{prose.num(k['life_short_years'], 0)}-year life and {prose.usd_bn(k['dep_peak_long_usd_bn'])} with "
        f"{prose.num(k['life_long_years'], 0)} years."))


def depreciation_note(scenario: Scenario, result: pd.DataFrame | None = None) -> prose.Markdown:
    """Return the useful-life debate with sourced figures and the model's spread."""
    a = scenario.assumptions
    k = economics.key_numbers(a, result)
    row = data.fact_row("useful_life_hyperscaler_years")
    burry = data.fact_row("burry_useful_life_years")
    return prose.md(
        f"How fast the hardware loses value decides how profitable the programme looks. Large cloud companies "
        f"book servers over about {prose.num(row['low'], 0)}–{prose.num(row['high'], 0)} years, while the investor "
        f"Michael Burry argues AI accelerators earn for only {prose.num(burry['low'], 0)}–{prose.num(burry['high'], 0)} "
        f"({cite('tipranks_burry_2025')}). With a {prose.num(k['life_short_years'], 0)}-year life the programme's "
        f"depreciation peaks at {prose.usd_bn(k['dep_peak_short_usd_bn'])} a year; with "
        f"{prose.num(k['life_long_years'], 0)} years at {prose.usd_bn(k['dep_peak_long_usd_bn'])} "
        f"(@fig-econ-depreciation). The shorter life does not change the cash spent, only when it is charged "
        f"against earnings — and how soon the fleet must be replaced."
    )


def fig_compute_cost(scenario: Scenario) -> charts.Figure:
    """Return capital per PFLOP/s of dense FP8 compute for each NVIDIA platform (bars)."""
    a = scenario.assumptions
    c = economics.compute_cost(a)
    c["group"] = c["in_programme"].map({True: "Deployed in the programme", False: "Earlier platform (reference)"})
    order = list(c["platform"])
    chart = alt.Chart(c).mark_bar().encode(
        x=alt.X("platform:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("capex_usd_per_fp8_pflops:Q", title="Capital per dense FP8 PFLOP/s (USD)"),
        color=alt.Color("group:N", title=None, scale=alt.Scale(
            domain=["Deployed in the programme", "Earlier platform (reference)"],
            range=[charts.PALETTE["NVIDIA"], charts.PALETTE["other"]])),
        tooltip=[alt.Tooltip("platform:N", title="Platform"),
                 alt.Tooltip("capex_usd_per_fp8_pflops:Q", format=",.0f", title="USD per FP8 PFLOP/s"),
                 alt.Tooltip("capex_usd_per_fp4_pflops:Q", format=",.0f", title="USD per FP4 PFLOP/s"),
                 alt.Tooltip("usd_per_package_hour:Q", format=".2f", title="USD per package-hour")])
    text = alt.Chart(c).mark_text(dy=-6, fontSize=10, color="#333333").encode(
        x=alt.X("platform:N", sort=order), y="capex_usd_per_fp8_pflops:Q",
        text=alt.Text("capex_usd_per_fp8_pflops:Q", format="$,.0f"))
    k = economics.key_numbers(a)
    chart = (chart + text).properties(title=alt.Title(
        "Capital cost of a unit of compute, by NVIDIA platform",
        subtitle="All-in capital per GW ÷ dense FP8 PFLOP/s per GW; Feynman figures are this report's judgement"))
    return charts.figure(chart, source=SOURCE_MODEL + "; platform figures as reported (sources appendix)", description=(
        "Bar chart of capital per dense FP8 PFLOP/s: " + "; ".join(
            f"{r.platform} ${prose.num(r.capex_usd_per_fp8_pflops, 0)}" for r in c.itertuples())
        + f". Trend across the programme's platforms {prose.num(k['cost_trend_pct_per_year'], 0)}% a year."))


def compute_cost_note(scenario: Scenario) -> prose.Markdown:
    """Return the unit-cost definition, result and cross-checks."""
    a = scenario.assumptions
    k = economics.key_numbers(a)
    return prose.md(
        f"We price compute in dollars of capital per PFLOP/s of dense FP8 throughput, the precision NVIDIA quotes "
        f"for training; FP4 figures are in @tbl-econ-compute-cost. Capital per gigawatt is held at the edition's "
        f"value, moved only by its cost trend of {prose.num(a.capex_change_pct_per_year, 0)}% a year"
        f"{judged(scenario, 'capex_change_pct_per_year')}, so the rest of the change comes from more compute per "
        f"gigawatt: {prose.num(k['cost_trend_pct_per_year'], 0)}% a year across the platforms this edition deploys"
        f"{' (the last, ' + k['last_platform'] + ', on figures that are our judgement)' if k['last_platform'] in data.assumed_platforms() else ''}, "
        f"against about {prose.num(k['epoch_hw_trend_pct_per_year'], 0)}% a year for machine-learning hardware at "
        f"constant performance ({cite('epoch_ml_hardware')}). Counting running costs too, with the treatment of "
        f"capital the rest of the report uses — repaid over "
        + prose.judged_list(scenario, [(f"{prose.num(a.gpu_useful_life_years, 0)} years for the NVIDIA content",
                                        "gpu_useful_life_years"),
                                       (f"{prose.num(a.facility_life_years, 0)} for the rest", "facility_life_years"),
                                       (f"a cost of capital of {prose.num(a.cost_of_capital_pct, 0)}%",
                                        "cost_of_capital_pct")])
        + f" — plus electricity, a {k['first_platform']} package costs about ${prose.num(k['usd_per_package_hour_first'], 2)} "
        f"an hour, or ${prose.num(k['usd_per_fp8_pflops_hour_first'], 3)} per dense FP8 PFLOP/s-hour actually used. "
        f"As a cross-check, that is ${prose.num(k['usd_m_per_it_mw_year_first'], 1)}m per MW of IT load a year, "
        f"against Epoch AI's estimate of about ${prose.num(k['epoch_tco_usd_m_per_mw_year'], 1)}m for GB200 systems "
        f"({cite('epoch_tco_2026')})."
    )


def compute_cost_table(scenario: Scenario) -> tables.Table:
    """Return the unit cost of compute per platform."""
    c = economics.compute_cost(scenario.assumptions)
    c["deploy"] = c["deployable_half"].map(halves.label)
    c["in_prog"] = c["in_programme"].map({True: "yes", False: "no"})
    c.loc[~c["in_programme"], "deploy"] = "–"
    c["packages_k"] = c["packages_per_gw"] / 1e3
    return tables.table(c, {
        "platform": tables.Col("Platform"),
        "in_prog": tables.Col("In programme"),
        "deploy": tables.Col("First in this edition"),
        "packages_k": tables.Col("Packages per GW (thousand)", 0),
        "capex_usd_bn_per_gw": tables.Col("Capital per GW (USD bn)", 1),
        "capex_usd_per_fp8_pflops": tables.Col("USD per FP8 PFLOP/s", 0),
        "capex_usd_per_fp4_pflops": tables.Col("USD per FP4 PFLOP/s", 0),
        "usd_per_package_hour": tables.Col("USD per package-hour", 2),
    }, note="Ten Gigawatts model from the platform figures and the edition's capital, lives, cost of capital and "
            "power price. 'First in this edition' is the half-year the roadmap first adds capacity on the platform. "
            "A package is one GPU module as NVIDIA ships it (two or four dies).")
