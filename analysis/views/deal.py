"""The deal chapter's prose, figures and tables, built from analysis.deal."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, data, deal, prose, tables
from ..assumptions import Scenario

SOURCE_TIMELINE = "data/deal_events.csv (each event cites its source; full list in the sources appendix)"
SOURCE_COMMIT = "data/commitments.csv (company statements and press reports, 2025-2026); Ten Gigawatts overlap rule"
SOURCE_TRANCHE = "OpenAI–NVIDIA letter of intent (OpenAI, 2025-09-22); FT via TechSpot (2025-09-23); Ten Gigawatts model"

#: Short labels for the commitments chart (falls back to the partner's name).
LABELS = {
    "nvidia_loi": "NVIDIA (letter of intent)", "nvidia_equity_2026": "NVIDIA (2026 equity)",
    "amd": "AMD", "broadcom": "Broadcom", "oracle": "Oracle (OCI)", "stargate": "Stargate JV",
    "microsoft_azure": "Microsoft Azure", "aws": "AWS (NVIDIA GPUs)", "aws_trainium": "AWS Trainium",
    "coreweave": "CoreWeave",
}

STAGE_LABEL = {"context": "Context", "announced": "Announced", "caveat": "Caveat", "restructured": "Restructured",
               "financing": "Financing", "deployment": "Deployment"}


def _label(c: pd.DataFrame) -> pd.Series:
    return c["commitment_id"].map(LABELS).fillna(c["partner"])


def summary(scenario: Scenario, result: pd.DataFrame | None = None) -> prose.Markdown:
    """Return the chapter's opening paragraph for one scenario, generated from the results."""
    a = scenario.assumptions
    k = deal.key_numbers(a, result)
    if a.investment_structure == "tranches":
        path = (f"NVIDIA's investment follows the announced per-gigawatt tranches: "
                f"{prose.usd_bn(a.investment_per_gw_usd_bn)} for each gigawatt online, capped at "
                f"{prose.usd_bn(a.investment_cap_usd_bn)}. The first tranche is released in {k['first_tranche_half']} "
                f"and {prose.num(k['tranches_released'], 0)} tranches ({prose.usd_bn(k['investment_usd_bn'])}) are out by "
                f"{k['end_half']}; the cap is reached in {k['cap_reached_half']}.")
    else:
        path = (f"NVIDIA's investment follows the restructured path reported in 2026: one equity stake of "
                f"{prose.usd_bn(a.equity_investment_usd_bn)}, with no deployment milestones. Under the announced terms, "
                f"the {prose.num(k['online_gw'])} GW this scenario brings online by {k['end_half']} would have released "
                f"{prose.usd_bn(k['announced_investment_usd_bn'])}, so the fixed stake pays "
                f"{prose.usd_bn(abs(k['shortfall_usd_bn']))} {'less' if k['shortfall_usd_bn'] > 0 else 'more'} "
                f"than the tranches would have.")
    return prose.md(
        f"In the **{scenario.title}** scenario, {path} The timeline below holds {k['n_events']} dated events "
        f"from the sources, from the letter of intent of {k['loi_date']} to the latest, of {k['latest_date']} "
        f"({prose.num(k['months_since_loi'], 0)} months later): {k['latest_event'].rstrip('.')} "
        f"({k['latest_citation']})."
    )


def loi_note() -> prose.Markdown:
    """Return what the letter of intent binds and leaves open, with the sourced terms it states."""
    t = deal.announced_terms().set_index("fact_id")
    gw = t.at["deal_power_gw", "value"]
    cap = t.at["nvidia_loi_max_investment_usd_bn", "value"]
    per = t.at["nvidia_investment_per_gw_usd_bn", "value"]
    val = t.at["openai_valuation_sep2025_usd_bn", "value"]
    return prose.md(
        f"The announcement ({t.at['deal_power_gw', 'citation']}) was a letter of intent: a statement of what both "
        f"companies meant to agree, with the binding contract left to be negotiated. It named at least "
        f"{prose.num(gw, 0)} GW of NVIDIA systems for OpenAI, an NVIDIA investment of up to "
        f"{prose.usd_bn(cap)} released as capacity is deployed, and a first gigawatt on Vera Rubin in the second half "
        f"of {int(t.at['deal_first_gw_year', 'value'])}. Press reports citing the Financial Times "
        f"({t.at['nvidia_investment_per_gw_usd_bn', 'citation']}) described {prose.num(cap / per, 0)} tranches of "
        f"{prose.usd_bn(per)}, the first priced at a {prose.usd_bn(val)} valuation — about "
        f"{prose.pct(per / val, 0)} of OpenAI.\n\n"
        "A letter of intent does not oblige either side to buy, sell or invest. It fixes neither prices, delivery "
        "dates, site locations nor remedies if a party walks away; it records intent and a framework for "
        "negotiation. What it does do is signal priority — OpenAI named NVIDIA a preferred compute and networking "
        "partner — and it moves markets. NVIDIA's own filings later said there was no assurance a definitive "
        "agreement would follow, and the events below trace how the framework was replaced by a single equity stake."
    )


def terms_table() -> tables.Table:
    """Return the announced terms with their sources."""
    t = deal.announced_terms()
    t["value_str"] = [f"{v:.0f}" if u == "year" else f"{v:,.0f}" for v, u in zip(t["value"], t["unit"])]
    return tables.table(t, {
        "term": tables.Col("Term"),
        "value_str": tables.Col("Value"),
        "unit": tables.Col("Unit"),
        "citation": tables.Col("Source (publisher, date)"),
    }, note="Values from data/facts.csv; each source's URL is listed in data/sources.csv and the sources appendix.")


def fig_timeline() -> charts.Figure:
    """Return the dated events as points on a time axis, one row per stage."""
    ev = deal.timeline()
    ev["stage_label"] = ev["stage"].map(STAGE_LABEL).fillna(ev["stage"])
    ev["date_str"] = ev["date"].dt.strftime("%Y-%m-%d")
    order = [s for s in STAGE_LABEL.values() if s in set(ev["stage_label"])]
    loi = ev[ev["stage"] == "announced"]["date"].min()
    base = alt.Chart(ev).encode(
        x=alt.X("date:T", title="Date", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=8),
                scale=alt.Scale(domain=[(ev["date"].min() - pd.Timedelta(days=20)).isoformat(),
                                        (ev["date"].max() + pd.Timedelta(days=20)).isoformat()])),
        y=alt.Y("stage_label:N", sort=order, title=None))
    points = base.mark_point(size=90, filled=True, opacity=0.85).encode(
        color=alt.Color("stage_label:N", sort=order, legend=None),
        shape=alt.Shape("stage_label:N", sort=order, legend=None),
        tooltip=[alt.Tooltip("date_str:N", title="Date"), "actor", "event", alt.Tooltip("citation", title="Source")])
    rule = alt.Chart(pd.DataFrame({"date": [loi]})).mark_rule(strokeDash=[4, 3], color="#555555").encode(x="date:T")
    label = alt.Chart(pd.DataFrame({"date": [loi], "text": ["Letter of intent"]})).mark_text(
        align="left", dx=4, dy=-6, fontSize=10, color="#333333").encode(x="date:T", y=alt.value(0), text="text")
    chart = (rule + label + points).properties(height=200, title=alt.Title(
        "From letter of intent to restructuring: dated events",
        subtitle="One point per sourced event; rows group events by what they did to the deal"))
    counts = ev["stage_label"].value_counts()
    return charts.figure(chart, source=SOURCE_TIMELINE, description=(
        f"Timeline of {len(ev)} events from {ev['date'].min():%d %B %Y} to {ev['date'].max():%d %B %Y}: "
        + ", ".join(f"{counts[s]} {s.lower()}" for s in order) + "."))


def timeline_table() -> tables.Table:
    """Return the dated status timeline with each event's source."""
    ev = deal.timeline()
    ev["date_str"] = ev["date"].dt.strftime("%Y-%m-%d")
    ev["stage_label"] = ev["stage"].map(STAGE_LABEL).fillna(ev["stage"])
    return tables.table(ev, {
        "date_str": tables.Col("Date"),
        "stage_label": tables.Col("Stage"),
        "event": tables.Col("What happened (our summary)"),
        "citation": tables.Col("Source (publisher, date)"),
    }, note="Source: data/deal_events.csv; URLs in data/sources.csv and the sources appendix. "
            "Events are summarised in our words; 'weak' sources are flagged in data/sources.csv.")


def fig_tranches(scenario: Scenario, result: pd.DataFrame | None = None) -> charts.Figure:
    """Return cumulative NVIDIA investment under the scenario against the announced per-GW terms."""
    a = scenario.assumptions
    t = deal.tranches(a, result)
    long = pd.concat([
        t.assign(series="As announced: per-GW tranches", value=t["announced_investment_cum_usd_bn"]),
        t.assign(series=f"This scenario ({'tranches' if a.investment_structure == 'tranches' else 'fixed equity'})",
                 value=t["investment_cum_usd_bn"]),
    ])[["half_label", "series", "value", "online_gw"]]
    x = alt.X("half_label:O", sort=list(t["half_label"]), title="Half-year")
    chart = alt.Chart(long).mark_line(point=True).encode(
        x=x, y=alt.Y("value:Q", title="Cumulative investment (USD bn)"),
        color=alt.Color("series:N", title=None), strokeDash=alt.StrokeDash("series:N", title=None),
        tooltip=["half_label", "series", alt.Tooltip("value:Q", format=",.0f", title="USD bn"),
                 alt.Tooltip("online_gw:Q", format=".2f", title="GW online")],
    ).properties(title=alt.Title("NVIDIA's investment in OpenAI: announced terms and this scenario",
                                 subtitle=f"Announced: {prose.usd_bn(a.investment_per_gw_usd_bn)} per GW online, "
                                          f"capped at {prose.usd_bn(a.investment_cap_usd_bn)}; the lines coincide "
                                          f"when the scenario follows the announced terms"))
    k = deal.key_numbers(a, result)
    return charts.figure(chart, source=SOURCE_TRANCHE, description=(
        f"Line chart by half-year. Under the announced terms cumulative investment reaches "
        f"{prose.usd_bn(k['announced_investment_usd_bn'])} by {k['end_half']}; in this scenario it reaches "
        f"{prose.usd_bn(k['investment_usd_bn'])}."))


def tranche_table(scenario: Scenario, result: pd.DataFrame | None = None) -> tables.Table:
    """Return the tranche schedule by half-year."""
    t = deal.tranches(scenario.assumptions, result)
    t = t[(t["added_gw"] > 0) | (t["investment_usd_bn"] != 0)]
    return tables.table(t, {
        "half_label": tables.Col("Half-year"),
        "added_gw": tables.Col("GW added", 2),
        "online_gw": tables.Col("GW online", 2),
        "announced_investment_usd_bn": tables.Col("Announced terms (USD bn)", 1),
        "investment_usd_bn": tables.Col("This scenario (USD bn)", 1),
        "investment_cum_usd_bn": tables.Col("Scenario, cumulative (USD bn)", 1),
        "nvidia_revenue_usd_bn": tables.Col("NVIDIA revenue (USD bn)", 1),
    }, note="Source: " + SOURCE_TRANCHE + ". NVIDIA revenue is its content per GW times GW added.")


def commitments_note() -> prose.Markdown:
    """Return the overlap rule and the gross and net totals, generated from the data."""
    k = deal.commitment_totals()
    return prose.md(
        f"The {k['n_commitments']} purchase commitments in @tbl-deal-commitments add up to "
        f"{prose.num(k['gross_gw'])} GW and {prose.usd_bn(k['gross_usd_bn'])} if simply summed, but they are not "
        f"independent. Some are *accelerator supply* (who makes the chips: NVIDIA, AMD, Broadcom, AWS Trainium), "
        f"others are *sites and cloud* (where chips are installed and who finances them: Stargate, Oracle, "
        f"Microsoft, AWS, CoreWeave), and the sources state which ones overlap. Our rule: within a layer, a "
        f"commitment stated to overlap a larger one is taken to sit inside it; gigawatts are summed over the "
        f"supply layer only, since every site or cloud gigawatt must be filled by some supplier's chips; dollars "
        f"are summed over sites and cloud, because the supply deals disclosed none. Counted this way the "
        f"commitments come to {prose.num(k['net_gw'])} GW and {prose.usd_bn(k['net_usd_bn'])}, "
        f"of which NVIDIA's letter of intent is {prose.pct(k['nvidia_share_of_net_gw'])} of the gigawatts. "
        f"Sam Altman's own round figures were about {prose.num(k['altman_gw'], 0)} GW and "
        f"{prose.usd_bn(k['altman_usd_bn'] / 1000, 1).replace('bn', 'tn')}; the dollar gap is mostly the undisclosed "
        f"price of the chip-supply deals. NVIDIA's {prose.usd_bn(data.fact('nvidia_equity_investment_openai_usd_bn'))} "
        f"equity stake of 2026 is money flowing into OpenAI and is kept out of both totals."
    )


def _commit_long(value: str, net: str) -> pd.DataFrame:
    c = deal.commitments()
    c = c[c["layer"] != "investment"].copy()
    c["label"] = _label(c)
    c = c[c[value].fillna(0) > 0]
    c["counted"] = c[net].gt(0).map({True: "Counted in the net total", False: "Overlaps: not added again"})
    c["inside"] = (c["power_inside"] if value == "power_gw" else c["value_inside"]).replace("", "—")
    return c


def _commitments_bars(c: pd.DataFrame, value: str, x_title: str, tooltip_title: str) -> alt.Chart:
    """Return horizontal bars of one commitment measure, coloured by whether the net total counts it."""
    order = list(c.sort_values(value, ascending=False)["label"])
    return alt.Chart(c).mark_bar().encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=alt.X(f"{value}:Q", title=x_title),
        color=alt.Color("counted:N", title=None, scale=alt.Scale(
            domain=["Counted in the net total", "Overlaps: not added again"],
            range=[charts.PALETTE["OpenAI"], "#BBBBBB"])),
        tooltip=["label", "layer_label", alt.Tooltip(f"{value}:Q", title=tooltip_title), "overlaps",
                 alt.Tooltip("inside:N", title="Counted within"), alt.Tooltip("citation:N", title="Source")],
    )


def fig_commitments_gw() -> charts.Figure:
    """Return OpenAI's commitments in GW by partner, marking which count in the net total."""
    c = _commit_long("power_gw", "net_power_gw")
    k = deal.commitment_totals()
    chart = _commitments_bars(c, "power_gw", "Power (GW)", "GW").properties(
        height=170, title=alt.Title("OpenAI's compute commitments in gigawatts",
                                    subtitle=f"Gross {prose.num(k['gross_gw'])} GW; net of stated overlaps "
                                             f"{prose.num(k['net_gw'])} GW"))
    return charts.figure(chart, source=SOURCE_COMMIT, description=(
        "Horizontal bar chart of commitments with a stated power: "
        + "; ".join(f"{r.label} {prose.num(r.power_gw)} GW" for r in c.itertuples())
        + f". Net of overlaps {prose.num(k['net_gw'])} GW."))


def fig_commitments_usd() -> charts.Figure:
    """Return OpenAI's commitments in USD bn by partner, marking which count in the net total."""
    c = _commit_long("value_usd_bn", "net_value_usd_bn")
    k = deal.commitment_totals()
    chart = _commitments_bars(c, "value_usd_bn", "Stated value (USD bn)", "USD bn").properties(
        height=150, title=alt.Title("OpenAI's compute commitments in dollars",
                                    subtitle=f"Gross {prose.usd_bn(k['gross_usd_bn'])}; net of stated overlaps "
                                             f"{prose.usd_bn(k['net_usd_bn'])}; chip-supply deals "
                                             f"disclosed no value"))
    return charts.figure(chart, source=SOURCE_COMMIT, description=(
        "Horizontal bar chart of commitments with a stated value: "
        + "; ".join(f"{r.label} {prose.usd_bn(r.value_usd_bn, 1)}" for r in c.itertuples())
        + f". Net of overlaps {prose.usd_bn(k['net_usd_bn'])}."))


def commitments_table() -> tables.Table:
    """Return the commitments with layer, stated overlaps, net values and source."""
    c = deal.commitments()
    c["label"] = _label(c)
    c["announced_str"] = c["announced"]
    names = dict(zip(c["commitment_id"], c["label"]))
    c["overlaps"] = c["overlaps"].map(lambda s: "; ".join(names.get(i.strip(), i.strip()) for i in s.split(",") if i.strip()))
    return tables.table(c, {
        "label": tables.Col("Partner"),
        "layer_label": tables.Col("Layer"),
        "announced_str": tables.Col("Announced"),
        "power_gw": tables.Col("GW", 1),
        "value_usd_bn": tables.Col("USD bn", 1),
        "overlaps": tables.Col("Stated overlaps"),
        "net_power_gw": tables.Col("Net GW", 1),
        "net_value_usd_bn": tables.Col("Net USD bn", 1),
        "citation": tables.Col("Source (publisher, date)"),
    }, note="Source: data/commitments.csv; '–' means not disclosed. Net columns apply the overlap rule in the text.")
