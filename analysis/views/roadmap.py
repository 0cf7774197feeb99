"""The compute-roadmap chapter's prose, figures and table, built from roadmap.run()."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, data, halves, labels, prose, roadmap, tables, units
from ..assumptions import Scenario
from ..prose import judged
from ..sourcing import cite

SOURCE = "NVIDIA platform roadmap as reported (sources appendix); OpenAI–NVIDIA letter of intent; Ten Gigawatts model"


def key_numbers(df: pd.DataFrame) -> dict[str, float | str]:
    """Return the chapter's headline numbers from a roadmap frame."""
    last = df.iloc[-1]
    online = df[df["online_gw"] > 0]
    first = online.iloc[0] if len(online) else last
    full = df[df["online_gw"] >= df["online_gw"].max() - 1e-9].iloc[0]
    return {
        "first_half": first["half_label"],
        "final_gw": float(last["online_gw"]),
        "full_half": full["half_label"],
        "accelerators_m": float(last["accelerators_installed"]) / 1e6,
        "dies_m": float(last["dies_installed"]) / 1e6,
        "racks_k": float(last["racks_installed"]) / 1e3,
        "fp4_eflops": float(last["fp4_dense_eflops"]),
        "fp8_eflops": float(last["fp8_dense_eflops"]),
        "energy_twh": float(last["energy_twh_per_year"]),
        "capex_usd_bn": float(last["capex_cum_usd_bn"]),
        "capex_nvidia_usd_bn": float(last["capex_nvidia_cum_usd_bn"]),
        "investment_usd_bn": float(last["investment_cum_usd_bn"]),
        "end_half": last["half_label"],
    }


def summary(df: pd.DataFrame, scenario: Scenario) -> prose.Markdown:
    """Return the chapter's key numbers as a paragraph generated from the results."""
    k = key_numbers(df)
    a = scenario.assumptions
    basis = "facility power" if a.power_basis == "facility" else "IT power"
    first = roadmap.first_deployed(a, df).dropna()
    assumed = set(data.assumed_platforms())
    plats = "; ".join(f"{p} from {halves.label(h)}" + (" (its figures are our judgement)" if p in assumed else "")
                      for p, h in first.items())
    return prose.md(
        f"In the **{scenario.title}** edition the first capacity comes online in {k['first_half']} and "
        f"{prose.num(k['final_gw'])} GW ({basis}) is online by {k['full_half']}, on a build pace that is "
        f"{'our judgement' if judged(scenario, 'schedule_gw_per_half') else 'sourced'}. Platforms: {plats}. "
        f"At the end of {k['end_half']} that is about {prose.num(k['racks_k'])} thousand racks holding "
        f"{prose.num(k['accelerators_m'], 2)} million accelerator packages "
        f"({prose.num(k['dies_m'], 2)} million GPU dies), with a peak dense throughput of "
        f"{prose.flops(k['fp4_eflops'])} in FP4 and {prose.flops(k['fp8_eflops'])} in FP8. "
        f"Running at {prose.judged_list(scenario, [(f'{prose.pct(a.utilisation)} average load', 'utilisation'), (f'a PUE of {prose.num(a.pue, 2)}', 'pue')])}, "
        f"the fleet would draw {prose.num(k['energy_twh'])} TWh a year. "
        f"It would cost {prose.usd_bn(k['capex_usd_bn'])} in capital, of which "
        f"{prose.usd_bn(k['capex_nvidia_usd_bn'])} is NVIDIA content, while NVIDIA's investment released "
        f"reaches {prose.usd_bn(k['investment_usd_bn'])}." + assumed_sentence(df, scenario)
    )


def assumed_sentence(df: pd.DataFrame, scenario: Scenario) -> str:
    """Return a sentence saying how much of the fleet rests on platforms of assumed specifications, and
    the same headline numbers on announced platforms only ('' when none is deployed)."""
    on = roadmap.on_assumed_platforms(df)
    if not on["platforms"]:
        return ""
    ann = key_numbers(roadmap.run(scenario.assumptions, data.platforms(announced_only=True)))
    names = " and ".join(on["platforms"])
    return (f" {prose.pct(on['gw_share'])} of those gigawatts go on {names}, whose specifications are this "
            f"report's judgement: {prose.pct(on['packages_share'])} of the packages and "
            f"{prose.pct(on['fp4_share'])} of the FP4 compute rest on it. With announced platforms only "
            f"(@tbl-roadmap-announced) the fleet would hold {prose.num(ann['accelerators_m'], 2)} million packages "
            f"and {prose.flops(ann['fp4_eflops'])} of dense FP4.")


def _shown(value: float, unit: str, row: list[float]) -> str:
    """Return a value in the unit and decimals its table row needs (the report's number policy)."""
    factor, _ = units.scale_column(row, unit)
    fmt = units.d3_format([v / factor for v in row])
    return format(value / factor, fmt[1:])


def announced_table(df: pd.DataFrame, scenario: Scenario) -> tables.Table:
    """Return the chapter's headline numbers as modelled and with announced platforms only."""
    k = key_numbers(df)
    ann = key_numbers(roadmap.run(scenario.assumptions, data.platforms(announced_only=True)))
    names = ", ".join(data.assumed_platforms())
    rows = [("Accelerator packages", "accelerators_m", "million"), ("GPU dies", "dies_m", "million"),
            ("Racks", "racks_k", "thousand"), ("Dense FP4", "fp4_eflops", "EFLOP/s"),
            ("Dense FP8", "fp8_eflops", "EFLOP/s"), ("GW online", "final_gw", "GW"),
            ("Electricity use", "energy_twh", "TWh per year"), ("Capital", "capex_usd_bn", "USD bn")]
    t = pd.DataFrame([{"metric": labels.with_unit(m, units.scale_column([k[key], ann[key]], unit)[1]),
                       "model_str": _shown(k[key], unit, [k[key], ann[key]]),
                       "announced_str": _shown(ann[key], unit, [k[key], ann[key]])} for m, key, unit in rows])
    return tables.table(t, {"metric": tables.Col(f"At the end of {k['end_half']}"),
                            "model_str": tables.Col(f"With {names} (assumed specs)"),
                            "announced_str": tables.Col("Announced platforms only")},
                        note=f"Announced platforms only: {names} is left out and its half-years go on the newest "
                             f"announced platform. Power, energy and capital depend on gigawatts, not on platform "
                             f"specifications, so they do not change.")


def _long(df: pd.DataFrame, cols: dict[str, str]) -> pd.DataFrame:
    out = df[["half", "half_label", *cols]].melt(id_vars=["half", "half_label"], var_name="series",
                                                 value_name="value")
    out["series"] = out["series"].map(cols)
    return out


def fig_power(df: pd.DataFrame) -> charts.Figure:
    """Return GW added per half-year (bars, by platform) and GW online (line)."""
    x = alt.X("half_label:O", sort=list(df["half_label"]), title="Half-year")
    shown = df[df["added_gw"] > 0].assign(platform=lambda d: d["platform"].map(platform_name))
    bars = alt.Chart(shown).mark_bar().encode(
        x=x, y=alt.Y("added_gw:Q", title="Power (GW)"),
        color=alt.Color("platform:N", title="Platform deployed",
                        sort=list(dict.fromkeys(df.loc[df["added_gw"] > 0, "platform"]))),
        tooltip=[alt.Tooltip("half_label:N", title="Half-year"), alt.Tooltip("platform:N", title="Platform"),
                 alt.Tooltip("added_gw:Q", format=units.d3_format(shown["added_gw"]), title=labels.titled("added_gw"))])
    line = alt.Chart(df).mark_line(point=True, color=charts.PALETTE["OpenAI"]).encode(
        x=x, y="online_gw:Q", tooltip=[alt.Tooltip("half_label:N", title="Half-year"),
                                       alt.Tooltip("online_gw:Q", format=units.d3_format(df["online_gw"]),
                                                   title=labels.titled("online_gw"))])
    k = key_numbers(df)
    chart = (bars + line).properties(
        title=alt.Title("Gigawatts online and added per half-year",
                        subtitle="Bars: GW added, by NVIDIA platform; line: cumulative GW online"))
    return charts.figure(chart, source=SOURCE, description=(
        f"Bar and line chart. Capacity online rises from the first half-year {k['first_half']} to "
        f"{prose.num(k['final_gw'])} GW by {k['full_half']}; bars show each half-year's additions by platform."))


def platform_name(name: str) -> str:
    """Return a platform's name for readers, marked when its specifications are this report's assumption."""
    return f"{name} (assumed specs)" if name in data.assumed_platforms() else name


def _assumed_subtitle(df: pd.DataFrame) -> list[str]:
    """Return a subtitle line marking figures that rest on platforms of assumed specifications."""
    on = roadmap.on_assumed_platforms(df)
    if not on["platforms"]:
        return []
    return [f"{' and '.join(on['platforms'])} figures (from {prose.pct(on['packages_share'])} of packages) are "
            f"this report's judgement, not NVIDIA's"]


def fig_accelerators(df: pd.DataFrame) -> charts.Figure:
    """Return accelerator packages and racks installed over time."""
    long = _long(df, {"accelerators_installed": "Accelerator packages", "dies_installed": "GPU dies"})
    long["value"] = long["value"] / 1e6
    chart = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("half_label:O", sort=list(df["half_label"]), title="Half-year"),
        y=alt.Y("value:Q", title="Installed (millions)"),
        color=alt.Color("series:N", title=None), strokeDash=alt.StrokeDash("series:N", title=None),
        tooltip=[alt.Tooltip("half_label:N", title="Half-year"), alt.Tooltip("series:N", title="Count"),
                 alt.Tooltip("value:Q", format=units.d3_format(long["value"]), title="Millions")],
    ).properties(title=alt.Title("Accelerators installed",
                                 subtitle=["Derived from power: GW ÷ PUE × rack share ÷ rack kW × packages per rack",
                                           *_assumed_subtitle(df)]))
    k = key_numbers(df)
    return charts.figure(chart, source=SOURCE, description=(
        f"Line chart of installed accelerators: {prose.num(k['accelerators_m'], 2)} million packages and "
        f"{prose.num(k['dies_m'], 2)} million GPU dies by {k['end_half']}."))


def fig_flops(df: pd.DataFrame) -> charts.Figure:
    """Return peak dense FP4 and FP8 throughput installed."""
    long = _long(df, {"fp4_dense_eflops": labels.short("fp4_dense_eflops"),
                      "fp8_dense_eflops": labels.short("fp8_dense_eflops")})
    factor, unit = units.scale_column(long["value"], "EFLOP/s")
    long["value"] = long["value"] / factor
    chart = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("half_label:O", sort=list(df["half_label"]), title=labels.label("half_label")),
        y=alt.Y("value:Q", title=f"Peak throughput ({unit})"),
        color=alt.Color("series:N", title=None), strokeDash=alt.StrokeDash("series:N", title=None),
        tooltip=[alt.Tooltip("half_label:N", title=labels.label("half_label")), alt.Tooltip("series:N", title="Precision"),
                 alt.Tooltip("value:Q", format=units.d3_format(long["value"]), title=unit)],
    ).properties(title=alt.Title("Peak dense compute installed", subtitle=[
        "Sum over racks of each platform's per-rack dense figures", *_assumed_subtitle(df)]))
    k = key_numbers(df)
    return charts.figure(chart, source=SOURCE, description=(
        f"Line chart of installed peak dense compute, reaching {prose.flops(k['fp4_eflops'])} FP4 "
        f"and {prose.flops(k['fp8_eflops'])} FP8 by {k['end_half']}."))


def fig_capital(df: pd.DataFrame) -> charts.Figure:
    """Return cumulative capex (total and NVIDIA content) against NVIDIA investment released."""
    long = _long(df, {"capex_cum_usd_bn": "Capex, total", "capex_nvidia_cum_usd_bn": "Capex, NVIDIA content",
                      "investment_cum_usd_bn": "NVIDIA investment released"})
    chart = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("half_label:O", sort=list(df["half_label"]), title="Half-year"),
        y=alt.Y("value:Q", title="Cumulative (USD bn)"),
        color=alt.Color("series:N", title=None), strokeDash=alt.StrokeDash("series:N", title=None),
        tooltip=[alt.Tooltip("half_label:N", title="Half-year"), alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("value:Q", format=units.d3_format(long["value"]), title="USD bn")],
    ).properties(title=alt.Title("Capital deployed and investment released", subtitle="Cumulative, nominal USD bn"))
    k = key_numbers(df)
    return charts.figure(chart, source=SOURCE, description=(
        f"Line chart: cumulative capex reaches {prose.usd_bn(k['capex_usd_bn'])} "
        f"({prose.usd_bn(k['capex_nvidia_usd_bn'])} NVIDIA content); NVIDIA investment released reaches "
        f"{prose.usd_bn(k['investment_usd_bn'])}."))


def roadmap_table(df: pd.DataFrame) -> tables.Table:
    """Return the half-year table of the roadmap."""
    t = df.assign(acc_m=df["accelerators_installed"] / 1e6, racks_k=df["racks_installed"] / 1e3,
                  platform=df["platform"].map(lambda p: platform_name(p) if p else p))
    return tables.table(t, {
        "half_label": tables.Col(labels.label("half_label")),
        "platform": tables.Col("Platform added"),
        "added_gw": tables.metric("added_gw", t["added_gw"]),
        "online_gw": tables.metric("online_gw", t["online_gw"]),
        "racks_k": tables.quantity(t["racks_k"], "thousand", "Racks"),
        "acc_m": tables.quantity(t["acc_m"], "million", "Accelerators"),
        "fp4_dense_eflops": tables.metric("fp4_dense_eflops", t["fp4_dense_eflops"], short_form=True),
        "fp8_dense_eflops": tables.metric("fp8_dense_eflops", t["fp8_dense_eflops"], short_form=True),
        "hbm_pb": tables.metric("hbm_pb", t["hbm_pb"], short_form=True),
        "energy_twh_per_year": tables.metric("energy_twh_per_year", t["energy_twh_per_year"], short_form=True),
    }, note="Source: " + SOURCE + ". Capital and investment by half-year: see the economics and deal chapters.")


def platform_table() -> tables.Table:
    """Return NVIDIA's platform roadmap as used by the model."""
    p = data.platforms().reset_index()
    p["available"] = p["availability_half"].map(halves.label)
    return tables.table(p, {
        "platform": tables.Col("Platform"),
        "available": tables.Col("Available"),
        "accelerators_per_rack": tables.Col("Packages per rack", 0),
        "dies_per_package": tables.Col("Dies per package", 0),
        "rack_power_kw": tables.Col("Rack power (kW)", 0),
        "fp4_dense_pflops_per_rack": tables.Col("FP4 dense (PFLOP/s per rack)", 0),
        "fp8_dense_pflops_per_rack": tables.Col("FP8 dense (PFLOP/s per rack)", 0),
        "hbm_gb_per_package": tables.Col("HBM (GB per package)", 0),
    }, note="Each value cites its source (sources appendix); Feynman values and Vera Rubin's rack power are this "
            "report's judgement. Names count GPU packages, as NVIDIA has since CES 2026: the racks it called Vera "
            "Rubin NVL144 and Rubin Ultra NVL576 at GTC 2025, counting dies, are Vera Rubin NVL72 and Rubin Ultra NVL144.")


def context(df: pd.DataFrame) -> pd.DataFrame:
    """Return GW by year: OpenAI's reported compute (2023-2025) and the programme online at each year's end."""
    from .. import data as _data
    rows = [{"year": y, "series": "OpenAI's total compute (reported)",
             "gw": _data.fact(f"openai_compute_gw_{y}")} for y in (2023, 2024, 2025)]
    year_end = df[df["half"] % 1 > 0.25]
    rows += [{"year": int(h), "series": "This programme, online at year end (model)", "gw": gw}
             for h, gw in zip(year_end["half"], year_end["online_gw"])]
    return pd.DataFrame(rows)


def fig_context(df: pd.DataFrame) -> charts.Figure:
    """Return the programme's GW against OpenAI's installed compute and today's largest single cluster."""
    c = context(df)
    c["year_str"] = c["year"].astype(str)
    largest = data.fact_row("largest_cluster_gw")
    bars = alt.Chart(c).mark_bar().encode(
        x=alt.X("year_str:O", title="Year"), y=alt.Y("gw:Q", title="Power (GW)"),
        color=alt.Color("series:N", title=None, legend=alt.Legend(), scale=alt.Scale(
            domain=["OpenAI's total compute (reported)", "This programme, online at year end (model)"],
            range=[charts.PALETTE["other"], charts.PALETTE["OpenAI"]])),
        tooltip=[alt.Tooltip("year_str:N", title="Year"), alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("gw:Q", format=units.d3_format(c["gw"]), title="GW")])
    rule = alt.Chart(pd.DataFrame({"gw": [float(largest["value"])],
                                   "text": [f"Largest cluster running, {largest['as_of']}: "
                                            f"{prose.num(float(largest['value']), 1)} GW"]}))
    line = rule.mark_rule(strokeDash=[5, 3], color=charts.PALETTE["accent"]).encode(y="gw:Q")
    label = rule.mark_text(align="left", x=4, dy=-7, fontSize=10, color=charts.PALETTE["accent"]).encode(
        y="gw:Q", text="text:N")
    chart = (bars + line + label).properties(title=alt.Title(
        "The programme against OpenAI's compute today and the largest clusters",
        subtitle="OpenAI's compute across all suppliers, as its CFO reported; programme GW as the edition assumes"))
    k = key_numbers(df)
    return charts.figure(chart, source=(f"OpenAI CFO Sarah Friar ({cite('friar_blog_2026')}); xAI Colossus 2 "
                                        f"({cite('colossus2_online_2026')}); Ten Gigawatts model"),
                         description=(
        f"Bar chart: OpenAI's compute was {prose.num(data.fact('openai_compute_gw_2025'), 1)} GW at the end of 2025; "
        f"the programme reaches {prose.num(k['final_gw'])} GW; the largest single cluster is about "
        f"{prose.num(float(largest['value']), 1)} GW."))


def context_note(df: pd.DataFrame) -> prose.Markdown:
    """Return the programme set against OpenAI's installed compute and the largest clusters."""
    k = key_numbers(df)
    gw25 = data.fact("openai_compute_gw_2025")
    gw23 = data.fact("openai_compute_gw_2023")
    largest = data.fact("largest_cluster_gw")
    secured = data.fact("stargate_secured_gw_apr2026")
    return prose.md(
        f"OpenAI's compute across all its suppliers grew from {prose.num(gw23, 1)} GW at the end of 2023 to about "
        f"{prose.num(gw25, 1)} GW at the end of 2025, according to its finance chief. By {k['end_half']} this "
        f"programme alone would reach {prose.num(k['final_gw'])} GW; for scale, "
        f"{prose.num(k['final_gw'] / gw25, 1)} times OpenAI's whole fleet at the end of 2025, and "
        f"{prose.num(k['final_gw'] / largest, 0)} times the largest AI cluster reported running in early 2026 (about "
        f"{prose.num(largest, 1)} GW). In April 2026 OpenAI said Stargate had secured more than {prose.num(secured, 0)} GW "
        f"of US capacity across suppliers, which is capacity contracted, not energised. @tbl-roadmap-clusters lists "
        f"the largest sites."
    )


def clusters_table() -> tables.Table:
    """Return today's largest AI clusters and OpenAI's installed compute, with sources."""
    from ..deal import with_sources
    f = data.table("facts")
    f = f[f["fact_id"].str.startswith("cluster_") | f["fact_id"].str.startswith("openai_compute_gw_")].copy()
    names = {"cluster_xai_colossus2_gw": "xAI Colossus 2 (Memphis)",
             "cluster_stargate_abilene_gw": "OpenAI/Oracle Stargate (Abilene)",
             "cluster_anthropic_new_carlisle_gw": "Anthropic/Amazon (New Carlisle)",
             "cluster_meta_prometheus_gw": "Meta Prometheus (Ohio)"}
    f["site"] = f["fact_id"].map(names).fillna(
        f["fact_id"].str.replace("openai_compute_gw_", "OpenAI total compute, end-", regex=False))
    f = with_sources(f)
    return tables.table(f, {
        "site": tables.Col("Site or fleet"),
        "value": tables.Col("Power (GW)", 1),
        "as_of": tables.Col("As of"),
        "citation": tables.Col("Source (publisher, date)"),
    }, note="Company statements and press reports; cluster power is planned or reported facility power, not verified on site.")
