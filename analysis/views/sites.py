"""The "Sites" chapter's prose, figures and tables: campuses, their grids, a map, the share of the
programme named sites account for, and the programme's carbon and water."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, data, emissions, labels, prose, sites, tables
from ..assumptions import Scenario
from ..deal import cite, with_sources

SOURCE_SITES = "Company statements and press reports on each campus, 2025-2026 (see the sources appendix)"
SOURCE_MAP = ("Campuses: company statements and press reports; outlines: U.S. Census Bureau cartographic "
              "boundaries (2017) and Natural Earth (1:110m), bundled with the report")
STATUS_COLOURS = {"operating": "#009E73", "operating (partly)": "#56B4E9", "under construction": "#E69F00",
                  "in talks": "#CC79A7"}


def summary(scenario: Scenario, result: pd.DataFrame | None = None) -> prose.Markdown:
    """Return the chapter's opening paragraph."""
    k = sites.key_numbers(scenario.assumptions, result)
    share = sites.named_share(scenario.assumptions, result)
    full = share["named_share"] >= 0.999
    under = share[~full]
    if under.empty:
        hold = f"could hold all of the programme's gigawatts in every year to {k['last_year']}."
    elif full.iloc[0]:
        last_full = int(share.loc[full & (share["year"] < under["year"].iloc[0]), "year"].max())
        hold = (f"could hold all of the programme's gigawatts to {last_full}. After that the programme outgrows "
                f"them: by {k['last_year']} they could hold {prose.pct(k['last_share'])} of it.")
    else:
        hold = f"could hold {prose.pct(k['last_share'])} of the programme by {k['last_year']}."
    return prose.md(
        f"{k['n_sites']} named campuses carry, or are being built to carry, OpenAI's NVIDIA capacity. "
        f"{k['n_sized']} of them state a size, {prose.num(k['planned_gw'], 1)} GW in all, but "
        f"{prose.num(k['planned_gw'] - k['planned_ex_ohio_gw'], 0)} GW of that is one Ohio campus still in talks; "
        f"without it the named campuses add up to {prose.num(k['planned_ex_ohio_gw'], 1)} GW. Only "
        f"{prose.num(k['reported_gw'], 1)} GW had been reported running by the latest source. {k['n_ercot']} of "
        f"the US campuses sit on the Texas grid (ERCOT). In the **{scenario.title}** edition the campuses named so "
        f"far, on their announced phasing, {hold}"
    )


def sites_table() -> tables.Table:
    """Return the sites: where, operator, partner, planned and running GW, status and source."""
    s = sites.table()
    s["where"] = s["location"].str.split(",").str[-1].str.strip()
    s["gw_str"] = [f"{p:,.2f}".rstrip("0").rstrip(".") if pd.notna(p) else "not disclosed" for p in s["planned_gw"]]
    s["reported_str"] = [f"{r:,.1f} ({d[:7]})" if pd.notna(r) else "–" for r, d in zip(s["reported_gw"], s["reported_as_of"])]
    return tables.table(s, {
        "name": tables.Col("Campus"), "where": tables.Col("Where"), "operator": tables.Col("Operator"),
        "partner": tables.Col("Partner"), "gw_str": tables.Col("Planned GW"),
        "reported_str": tables.Col("Running GW"), "status": tables.Col("Status"),
        "citation": tables.Col("Source (publisher, date)"),
    }, note="Planned GW as the sources give them, often without saying whether IT or facility power. "
            "Running: the capacity a source reported running, with its date.")


def grid_table() -> tables.Table:
    """Return each campus's grid region, EPA subregion and power source."""
    s = sites.table()
    return tables.table(s, {
        "name": tables.Col("Campus"), "grid_region": tables.Col("Grid region or operator"),
        "egrid_subregion": tables.Col("EPA subregion"), "power_source": tables.Col("Power source"),
    }, note="EPA subregion: the eGRID subregion whose emission rate is used below; campuses abroad have none.")


@charts.of_data
def fig_map() -> charts.Figure:
    """Return the campuses on a US map with a world inset for those abroad (offline shapes)."""
    s = sites.table()
    s["gw_plot"] = s["planned_gw"].fillna(0.1)
    s["gw_str"] = s["planned_gw"].map(lambda v: f"{v:,.2f} GW" if pd.notna(v) else "not disclosed")
    topo_us, obj_us = sites.shapes("us_states")
    topo_w, obj_w = sites.shapes("world_land")
    colour = alt.Color("status:N", title="Status", scale=alt.Scale(domain=list(STATUS_COLOURS),
                                                                    range=list(STATUS_COLOURS.values())))
    size = alt.Size("gw_plot:Q", title="Planned GW", scale=alt.Scale(range=[60, 1400], domain=[0, 10]),
                    legend=alt.Legend(values=[1, 5, 10]))
    tip = [alt.Tooltip("name:N", title="Campus"), alt.Tooltip("location:N", title="Location"),
           alt.Tooltip("operator:N", title="Operator"), alt.Tooltip("gw_str:N", title="Planned"),
           alt.Tooltip("status:N", title="Status"), alt.Tooltip("grid_region:N", title="Grid"),
           alt.Tooltip("power_source:N", title="Power"), alt.Tooltip("citation:N", title="Source")]
    us = s[s["country"] == "United States"]
    abroad = s[s["country"] != "United States"]
    states = alt.Chart(alt.NamedData(name="us_states", format=alt.DataFormat(type="topojson", feature=obj_us))
                       ).mark_geoshape(fill="#eeeeee", stroke="white", strokeWidth=0.7)
    pts = alt.Chart(us).mark_circle(opacity=0.75, stroke="white", strokeWidth=0.8).encode(
        longitude="lon:Q", latitude="lat:Q", size=size, color=colour, tooltip=tip)
    # Labels: name beside the dot; Wisconsin's and Texas's neighbours are offset so they do not overlap.
    offsets = {"fairwater_wi": (-8, 8), "port_washington": (-8, -6), "shackelford": (-8, -9), "abilene": (8, 10),
               "lordstown": (8, 10), "pike_county": (10, 8), "milam": (8, 4), "saline": (8, -7), "dona_ana": (-8, 12)}
    labels = []
    for sid, (dx, dy) in offsets.items():
        row = us[us["site_id"] == sid]
        if row.empty:
            continue
        labels.append(alt.Chart(row).mark_text(align="left" if dx > 0 else "right", dx=dx, dy=dy, fontSize=9,
                                               color="#222222").encode(longitude="lon:Q", latitude="lat:Q",
                                                                       text="name:N"))
    us_map = alt.layer(states, pts, *labels).project("albersUsa").properties(
        width=charts.WIDTH, height=330, title=alt.Title("United States"))
    land = alt.Chart(alt.NamedData(name="world_land", format=alt.DataFormat(type="topojson", feature=obj_w))
                     ).mark_geoshape(fill="#eeeeee", stroke="white", strokeWidth=0.5, clip=True)
    pts_w = alt.Chart(abroad).mark_circle(opacity=0.75, stroke="white", strokeWidth=0.8).encode(
        longitude="lon:Q", latitude="lat:Q", size=size, color=colour, tooltip=tip)
    lab_w = alt.Chart(abroad).mark_text(align="left", dx=9, fontSize=9, color="#222222").encode(
        longitude="lon:Q", latitude="lat:Q", text="name:N")
    # Fit the projection to the campuses abroad, padded, so the inset shows them whatever they are.
    lon0, lon1 = abroad["lon"].min() - 25, abroad["lon"].max() + 25
    lat0, lat1 = abroad["lat"].min() - 8, min(abroad["lat"].max() + 6, 80)
    frame = {"type": "Feature", "properties": {},
             "geometry": {"type": "MultiPoint", "coordinates": [[lon0, lat0], [lon1, lat1], [lon0, lat1], [lon1, lat0]]}}
    world = alt.layer(land, pts_w, lab_w).project("equalEarth", fit=frame).properties(
        width=charts.WIDTH, height=210, title=alt.Title("Europe and the Middle East"))
    chart = alt.vconcat(us_map, world, spacing=8).properties(title=alt.Title(
        "Campuses carrying OpenAI's NVIDIA capacity",
        subtitle="Circle area: planned GW (a Microsoft campus of undisclosed size shown smallest)"))
    return charts.figure(chart, source=SOURCE_MAP, datasets={"us_states": topo_us, "world_land": topo_w},
                         description=(f"Map of {len(s)} campuses: "
                                      + "; ".join(f"{r.name} ({r.location}, {r.gw_str}, {r.status})"
                                                  for r in s.itertuples()) + "."))


def fig_named_share(scenario: Scenario, result: pd.DataFrame | None = None) -> charts.Figure:
    """Return programme GW online by year against GW at named campuses, with the share they hold."""
    sh = sites.named_share(scenario.assumptions, result)
    long = pd.concat([sh.assign(series=labels.label("programme_gw"), gw=sh["programme_gw"]),
                      sh.assign(series=labels.label("named_sites_gw"), gw=sh["named_sites_gw"])])
    names = [labels.label("programme_gw"), labels.label("named_sites_gw")]
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("year:O", title="End of calendar year"), y=alt.Y("gw:Q", title="GW"),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=names, range=[charts.PALETTE["OpenAI"],
                                                                                      "#E69F00"])),
        strokeDash=alt.StrokeDash("series:N", title=None, scale=alt.Scale(domain=names, range=[[1, 0], [6, 3]])),
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("year:O", title="Year"), alt.Tooltip("gw:Q", format=",.1f", title="GW")])
    sh["share_str"] = sh["named_share"].map(lambda v: f"{100 * v:,.0f}%" if pd.notna(v) else "")
    text = alt.Chart(sh).mark_text(dy=-10, fontSize=10, color=charts.PALETTE["OpenAI"]).encode(
        x="year:O", y="programme_gw:Q", text="share_str:N")
    chart = alt.layer(lines, text).properties(height=230, title=alt.Title(
        "How much of the programme the named campuses can hold",
        subtitle="Numbers: share of the programme's GW the named campuses could hold (at most 100%)"))
    return charts.figure(chart, source=SOURCE_SITES + "; Ten Gigawatts model", description=(
        "Line chart by year of programme GW and named-campus GW: "
        + "; ".join(f"{r.year} {prose.num(r.programme_gw)} GW against {prose.num(r.named_sites_gw)} GW "
                    f"({r.share_str})" for r in sh.itertuples()) + "."))


def share_note() -> prose.Markdown:
    """Return what the share means and does not."""
    return prose.md(
        "Named campuses are phased from the first phase their sources give to their full size, in a straight "
        "line; a campus with no date for its full size counts only its first phase, and Microsoft's Wisconsin "
        "campus, whose size is not public, counts nothing. Much of this capacity serves OpenAI outside the "
        "NVIDIA programme (Abilene runs Blackwell systems bought by Oracle), and sources rarely say whether "
        "their gigawatts are IT or facility power, so the share is what the named campuses could hold, not "
        "what is built there. Where it falls below 100%, the programme needs campuses no one has named yet."
    )


# --- carbon and water -------------------------------------------------------------------------

def carbon_note(scenario: Scenario, result: pd.DataFrame | None = None) -> prose.Markdown:
    """Return the programme's emissions and water at full build, with references for scale."""
    a = scenario.assumptions
    k = emissions.key_numbers(a, result)
    g = emissions.intensities().set_index("case_id")
    loc = g[(g["kind"] == "location") & (g["region"] != "US")]
    used = set(data.table("sites")["egrid_subregion"])
    top = loc[loc["region"].isin(used)].sort_values("value", ascending=False).head(2)
    dirtiest = " and ".join(f"{r.label} ({r.value:,.0f} lb per MWh)" for r in top.itertuples())
    return prose.md(
        f"At full build the programme uses {prose.num(k['energy_twh'])} TWh a year in the **{scenario.title}** "
        f"edition. On the US average grid ({prose.num(g.at['us_average', 'value'], 0)} lb CO2e per MWh in 2023, "
        f"{cite('epa_egrid_2023')}) that is {prose.num(k['mt_us_average'], 1)} million tonnes of CO2e a year, "
        f"{prose.pct(k['share_of_us_power_co2'], 1)} of the US power sector's {prose.num(k['us_power_co2_mt'], 0)} "
        f"million tonnes in 2023 ({cite('eia_co2_2023')}). On the grids of the named US campuses, weighted by their "
        f"planned gigawatts, it is {prose.num(k['mt_sites'], 1)} million tonnes; the most carbon-intensive of "
        f"those grids are {dirtiest}. Campuses powered by their own gas turbines, as Abilene partly is "
        f"and Project Jupiter and the Ohio campus plan to be, emit about {prose.num(k['mt_onsite_gas'], 1)} million "
        f"tonnes at a combined-cycle plant's life-cycle rate ({cite('ipcc_ar5_annex3_2014')}). Hour-by-hour "
        f"low-carbon supply would cut that to about {prose.num(k['mt_low_carbon'], 1)} million tonnes; buying "
        f"annual certificates does not, because the grid still runs on whatever supplies it at night and in calm "
        f"weather.\n\n"
        f"Water depends on cooling more than on scale. At Microsoft's 2025 fleet average of "
        f"{prose.num(data.table('water').set_index('case_id').at['closed_loop_fleet', 'value'], 2)} litres per kWh "
        f"of IT energy ({cite('microsoft_wue_2026')}) the programme would use about "
        f"{prose.num(k['gl_closed_loop_fleet'], 0)} billion litres on site a year; at the US data-centre average "
        f"implied by LBNL's estimate, {prose.num(k['gl_us_average'], 0)} billion "
        f"(for scale, {prose.pct(k['water_share_of_us_dc'])} of what all US data centres used in 2023, "
        f"{cite('lbnl_water_2024')}); with evaporative cooling towers of the early 2000s, "
        f"{prose.num(k['gl_evaporative'], 0)} billion. Most of the campuses here say they use closed-loop "
        f"cooling. The power plants that make the electricity use far more: about "
        f"{prose.num(k['gl_generation_indirect'], 0)} billion litres at the US average, off site."
    )


def fig_emissions(scenario: Scenario, result: pd.DataFrame | None = None) -> charts.Figure:
    """Return yearly emissions under each grid case (lines)."""
    y = emissions.by_year(scenario.assumptions, result)
    names = list(dict.fromkeys(y["case"]))
    colours, dashes, _ = charts.series_scale(names)
    chart = alt.Chart(y).mark_line(point=True).encode(
        x=alt.X("year:O", title="Calendar year"),
        y=alt.Y("emissions_mt:Q", title=labels.titled("emissions_mt")),
        color=alt.Color("case:N", title="Electricity supply", scale=colours),
        strokeDash=alt.StrokeDash("case:N", title="Electricity supply", scale=dashes),
        tooltip=[alt.Tooltip("case:N", title="Supply"), alt.Tooltip("year:O", title="Year"),
                 alt.Tooltip("energy_twh:Q", format=",.1f", title=labels.titled("energy_twh")),
                 alt.Tooltip("emissions_mt:Q", format=",.1f", title=labels.titled("emissions_mt"))],
    ).properties(height=240, title=alt.Title("The programme's emissions under four electricity supplies",
                                             subtitle="Grid averages (EPA eGRID 2023) and life-cycle rates "
                                                      "(IPCC) for gas and low-carbon supply"))
    last = y[y["year"] == y["year"].max()]
    return charts.figure(chart, source="EPA eGRID2023; IPCC AR5 Annex III; Ten Gigawatts model", description=(
        "Line chart of yearly emissions by supply case; in the last year: "
        + "; ".join(f"{r.case} {prose.num(r.emissions_mt, 1)} Mt" for r in last.itertuples()) + "."))


def carbon_table(scenario: Scenario, result: pd.DataFrame | None = None) -> tables.Table:
    """Return emissions and water at full build under every case, with their sources."""
    a = scenario.assumptions
    k = emissions.key_numbers(a, result)
    c = emissions.cases()
    rows = [{"what": f"Emissions: {r.label}", "value": k[f"mt_{r.case_id}"], "unit": "Mt CO2e a year",
             "rate": f"{r.t_per_mwh * 1000:,.0f} kg CO2e per MWh", "source_id": r.source_id} for r in c.itertuples()]
    w = data.table("water")
    rows += [{"what": f"Water: {r.label}", "value": k[f"gl_{r.case_id}"],
              "unit": "billion litres a year",
              "rate": f"{r.value:,.2f} L per kWh of {'IT' if r.basis == 'it' else 'all'} electricity",
              "source_id": r.source_id} for r in w.itertuples()]
    df = with_sources(pd.DataFrame(rows))
    return tables.table(df, {"what": tables.Col("At full build"), "value": tables.Col("Value", 1),
                             "unit": tables.Col("Unit"), "rate": tables.Col("Rate used"),
                             "citation": tables.Col("Source (publisher, date)")},
                        note=f"Annual energy at full build: {k['energy_twh']:,.1f} TWh. For scale: US power "
                             f"sector {k['us_power_co2_mt']:,.0f} Mt CO2 (2023); US data centres' on-site water "
                             f"{k['us_dc_water_gl']:,.0f} billion litres (2023).")
