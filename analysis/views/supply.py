"""The "Supply chain" chapter's prose, figure and tables, built from analysis.supply."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, data, labels, prose, supply, tables
from ..assumptions import Scenario
from ..deal import cite

SOURCE = ("CoWoS: JPMorgan and Morgan Stanley estimates as reported; HBM: TrendForce as reported; "
          "platforms: NVIDIA's figures and, for Feynman, this report's assumptions; Ten Gigawatts model")


def _assumed_names() -> str:
    return ", ".join(data.assumed_platforms())


def summary(scenario: Scenario) -> prose.Markdown:
    """Return the chapter's opening paragraph, with the same numbers on announced platforms only."""
    a = scenario.assumptions
    k = supply.key_numbers(a)
    lo, hi = a.openai_share_range
    mark = (f" That peak falls on {k['peak_platform']}, whose specifications are this report's assumption; "
            f"on announced platforms only ({k['peak_platform_announced']} instead) NVIDIA's packaging and memory "
            f"would make about {prose.num(k['peak_nvidia_gw_announced'], 0)} GW that year and the programme would "
            f"need {prose.pct(k['peak_need_share_announced'])} of it." if k["peak_platform_assumed"] else "")
    return prose.md(
        f"Every NVIDIA accelerator package passes through TSMC's CoWoS packaging and carries stacks of HBM memory; "
        f"the memory makers said their 2026 supply was sold out ({cite('walaw_skhynix_hbm_2025')}). Turned into gigawatts of the programme's platforms, NVIDIA's "
        f"share of them makes about {prose.num(k['nvidia_gw_2026'], 0)} GW of Vera Rubin systems in 2026. In the "
        f"**{scenario.title}** edition the programme's additions peak, as a share of what NVIDIA can make, in "
        f"{k['peak_year']}: {prose.num(k['peak_need_gw'], 1)} GW out of about {prose.num(k['peak_nvidia_gw'], 0)} GW, "
        f"or {prose.pct(k['peak_need_share'])} of NVIDIA's output.{mark} We assume the programme could get "
        f"{prose.pct(a.openai_share_of_nvidia_supply)} of NVIDIA's output in a year (plausibly "
        f"{prose.pct(lo)} to {prose.pct(hi)}); at that share supply falls short of the plan in "
        f"{k['years_over_central']} of {k['n_active_years']} years, "
        + (f"and even at {prose.pct(hi)} in {k['years_over_high']}." if k["years_over_high"]
           else f"and at {prose.pct(hi)} in none.")
    )


def method_note(scenario: Scenario) -> prose.Markdown:
    """Return how wafers and memory become gigawatts, with the sources and where they disagree."""
    a = scenario.assumptions
    s = data.table("supply").set_index("item_id")
    return prose.md(
        f"The conversion runs in three steps. CoWoS wafers a year are twelve times the average of the monthly "
        f"capacity at the start and end of the year: about {prose.num(s.at['cowos_wpm_2025', 'value'] / 1e3, 0)} "
        f"thousand a month at the end of 2025 ({cite('ms_cowos_nov2025')}), "
        f"{prose.num(s.at['cowos_wpm_2026', 'value'] / 1e3, 0)} thousand at the end of 2026 and "
        f"{prose.num(s.at['cowos_wpm_2027', 'value'] / 1e3, 0)} thousand at the end of 2027 "
        f"({cite('jpm_cowos_2026')}). Estimates for 2026 disagree: Morgan Stanley wrote "
        f"{prose.num(s.at['cowos_wpm_2026', 'low'] / 1e3, 0)} thousand in July 2025 and "
        f"{prose.num(s.at['cowos_wpm_2026', 'high'] / 1e3, 0)} thousand in November 2025; we use JPMorgan's, the "
        f"newest whose path continues into 2027, and it matches Morgan Stanley's estimate of about one million "
        f"wafers demanded in 2026 ({cite('semimedia_ms_cowos_2025')}). NVIDIA takes "
        f"{prose.pct(a.nvidia_supply_share)} of them ({cite('semimedia_ms_cowos_2025')}). Each wafer holds "
        f"{prose.num(s.at['pkg_per_wafer_vr', 'value'], 0)} Vera Rubin packages ({cite('jpm_cowos_2026')}); for Rubin "
        f"Ultra and Feynman, whose packages are larger, we assume {prose.num(s.at['pkg_per_wafer_ru', 'value'], 1)}. "
        f"Of these, {prose.pct(a.packaging_yield)} pass test (our assumption). Memory is the second limit: more than "
        f"{prose.num(s.at['hbm_gb_2026', 'value'] * 8 / 1e9, 0)} billion gigabits of HBM in 2026 "
        f"({cite('trendforce_hbm_2026')}), of which NVIDIA's share fills packages at each platform's HBM capacity. "
        f"Packages become gigawatts as in the roadmap: packages per rack, rack power, the share of IT power outside "
        f"the racks and PUE. After the last year a source covers, supply grows "
        f"{prose.num(a.supply_growth_pct_per_year, 0)}% a year (our assumption). The smaller of the two limits binds."
    )


def fig_supply(scenario: Scenario) -> charts.Figure:
    """Return NVIDIA's GW a year from packaging and memory, the band the programme could get, and its need."""
    a = scenario.assumptions
    d = supply.by_year(a)
    d["platform_note"] = d.apply(lambda r: f"{r['platform']} (assumed specs)" if r["platform_assumed"]
                                 else r["platform"], axis=1)
    x = alt.X("year:O", title="Calendar year")
    band = alt.Chart(d).mark_area(opacity=0.25, color=charts.PALETTE["NVIDIA"]).encode(
        x=x, y=alt.Y("programme_gw_low:Q", title="GW a year"), y2="programme_gw_high:Q",
        tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("programme_gw_low:Q", format=",.1f", title="GW at the low share"),
                 alt.Tooltip("programme_gw_high:Q", format=",.1f", title="GW at the high share")])
    cols = ["nvidia_gw", "programme_gw_central", "need_gw"]
    names = [labels.short(c) for c in cols]
    long = pd.concat([d.assign(series=labels.short(c), gw=d[c]) for c in cols])
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=x, y="gw:Q",
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=names, range=[charts.PALETTE["NVIDIA"],
                                                                                      "#56B4E9", charts.PALETTE["OpenAI"]])),
        strokeDash=alt.StrokeDash("series:N", title=None, scale=alt.Scale(domain=names, range=[[1, 0], [6, 3], [1, 0]])),
        shape=alt.Shape("platform_assumed:N", legend=None, scale=alt.Scale(domain=[False, True],
                                                                          range=["circle", "diamond"])),
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("year:O", title="Year"), alt.Tooltip("gw:Q", format=",.2f", title="GW"),
                 alt.Tooltip("platform_note:N", title="Platform"), alt.Tooltip("binding:N", title="Binding limit")])
    chart = alt.layer(band, lines).properties(height=250, title=alt.Title(
        "Packaging and memory turned into gigawatts a year",
        subtitle=[f"NVIDIA's output: the smaller of its CoWoS and HBM limits. Shaded: "
                  f"{a.openai_share_range[0]:.0%}-{a.openai_share_range[1]:.0%} of it",
                  "Diamonds: years on Feynman, whose specifications are this report's assumption"]))
    return charts.figure(chart, source=SOURCE, description=(
        "Line chart by year of NVIDIA's GW from CoWoS and HBM, the programme's plausible share and its additions: "
        + "; ".join(f"{r.year} {r.platform_note}: NVIDIA {prose.num(r.nvidia_gw, 1)} GW, programme adds "
                    f"{prose.num(r.need_gw, 1)} GW" for r in d.itertuples()) + "."))


def supply_table(scenario: Scenario) -> tables.Table:
    """Return the conversion year by year, and the same with announced platforms only."""
    a = scenario.assumptions
    full = supply.by_year(a)
    ann = supply.by_year(a, platforms=data.platforms(announced_only=True))
    full["platform_str"] = full.apply(lambda r: r["platform"] + (" *" if r["platform_assumed"] else ""), axis=1)
    full["wafers_k"] = full["cowos_wafers"] / 1e3
    full["packages_m"] = full[["nvidia_packages_cowos", "nvidia_packages_hbm"]].min(axis=1) / 1e6
    full["need_pct"] = 100 * full["need_share_of_nvidia"]
    full["need_pct_ann"] = 100 * ann["need_share_of_nvidia"].to_numpy()
    full["ann_platform"] = ann["platform"].to_numpy()
    full["year_str"] = full["year"].astype(str) + full["sourced_year"].map({True: "", False: " †"})
    return tables.table(full, {
        "year_str": tables.Col("Year"), "platform_str": tables.Col("Platform"),
        "wafers_k": tables.Col("CoWoS wafers (thousand)", 0), "packages_m": tables.Col("NVIDIA packages (million)", 2),
        "binding": tables.Col("Binding"), "nvidia_gw": tables.Col("NVIDIA GW", 1),
        "need_gw": tables.Col("Programme adds, GW", 1), "need_pct": tables.Col("Need, % of NVIDIA", 0),
        "ann_platform": tables.Col("Announced platforms only"),
        "need_pct_ann": tables.Col("Need, % (announced only)", 0),
    }, note=f"* {_assumed_names()}: specifications are this report's assumption. † Supply grown at the assumed "
            f"rate past the last sourced year. 'Announced platforms only' replaces Feynman with Rubin Ultra.")
