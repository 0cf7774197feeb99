"""The deal chapter's prose, figures and tables, built from analysis.deal."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, data, deal, prose, signposts, sourcing, tables
from ..assumptions import Scenario
from ..sourcing import cite

SOURCE_TIMELINE = "Company statements and press reports, each event with its own source (sources appendix)"
SOURCE_COMMIT = "Company statements and press reports, 2025-2026; Ten Gigawatts overlap rule"
SOURCE_TRANCHE = ("OpenAI–NVIDIA letter of intent (OpenAI, 2025-09-22); FT via TechSpot (2025-09-23); "
                  "FT via Livemint (2026-02-20); Ten Gigawatts model")

#: Short labels for the commitments chart (falls back to the partner's name).
LABELS = {
    "nvidia_loi": "NVIDIA (letter of intent)", "nvidia_equity_2026": "NVIDIA (2026 equity)",
    "amd": "AMD", "broadcom": "Broadcom", "oracle": "Oracle (OCI)", "stargate": "Stargate JV",
    "microsoft_azure": "Microsoft Azure", "aws": "AWS (NVIDIA GPUs)", "aws_trainium": "AWS Trainium",
    "coreweave": "CoreWeave",
}


def _label(c: pd.DataFrame) -> pd.Series:
    return c["commitment_id"].map(LABELS).fillna(c["partner"])


def _investment_sentence(scenario: Scenario, k: dict) -> str:
    """Return how NVIDIA's money flows in this edition, with dates taken from the tranche schedule."""
    a = scenario.assumptions
    if a.investment_structure == "tranches":
        n, total = prose.num(k["tranches_released"], 0), prose.usd_bn(k["investment_usd_bn"])
        if k["cap_reached_half"]:
            out = (f"all {n} tranches ({total}) are released by {k['cap_reached_half']}, when the cap is reached")
        else:
            out = f"{n} tranches ({total}) are released by {k['end_half']}, short of the cap"
        return (f"NVIDIA invests as the letter of intent announced: {prose.usd_bn(a.investment_per_gw_usd_bn)} for "
                f"each gigawatt online, capped at {prose.usd_bn(a.investment_cap_usd_bn)}. The first tranche is "
                f"released in {k['first_tranche_half']} and {out}.")
    gap = k["shortfall_usd_bn"]
    return (f"NVIDIA's investment is the fixed {prose.usd_bn(a.equity_investment_usd_bn)} equity stake it bought in "
            f"OpenAI's round of February 2026, with no deployment milestones ({cite('ft_30bn_2026')}). Had the "
            f"letter's tranches applied, the {prose.num(k['online_gw'])} GW this edition brings online by "
            f"{k['end_half']} would have released {prose.usd_bn(k['announced_investment_usd_bn'])}, so the stake is "
            f"{prose.usd_bn(abs(gap))} {'less' if gap > 0 else 'more'} than the tranches would have paid.")


def summary(scenario: Scenario, result: pd.DataFrame | None = None) -> prose.Markdown:
    """Return the chapter's opening paragraph for one edition, generated from the results."""
    k = deal.key_numbers(scenario.assumptions, result)
    return prose.md(
        f"In the **{scenario.title}** edition, {_investment_sentence(scenario, k)} The timeline below holds "
        f"{k['n_events']} dated events, from {k['first_date']}, when Stargate was launched, through the letter of "
        f"intent of {k['loi_date']}, to {k['latest_date']} ({prose.num(k['months_since_loi'], 0)} months after the "
        f"letter): {k['latest_event'].rstrip('.')} ({k['latest_citation']})."
    )


def status_note(scenario: Scenario) -> prose.Markdown:
    """Return the status of the first gigawatt and what the sources do not show, in plain words."""
    s = deal.first_gigawatt_status(scenario.assumptions)
    c = signposts.counts()
    online = ("A source reports it online." if s["reported_online"] else
              f"No source up to {s['data_date']}, the newest this report holds, reports it online.")
    edition = (f"This edition puts the first capacity in {s['edition_first_half']}, "
               + ("on time." if s["edition_on_time"] else "after the date the letter gave."))
    return prose.md(
        f"**The first gigawatt.** The letter of intent put the first gigawatt of Vera Rubin systems in "
        f"{s['due']}. {online} The newest deployment news is of {s['newest_deployment_date']}: "
        f"{s['newest_deployment_event'].rstrip('.')} ({s['newest_deployment_citation']}). So a first gigawatt "
        f"by the end of 2026 would need production racks shipped from the autumn to be installed and "
        f"energised within the same half-year. {edition}\n\n"
        f"**What the sources do not show.** The newest source this report holds is of {s['data_date']}. "
        f"Searching the sources available to us again on {s['searched_date']}, we found nothing later: no report "
        f"that the first gigawatt came online, no NVIDIA results after May 2026, no signed Ohio lease and no "
        f"public OpenAI prospectus. The report does not guess at them; "
        f"@sec-watch lists {c['total']} dated signposts that would settle them ({c['open']} open, "
        f"{c['happened']} happened, {c['missed']} missed by their date)."
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
        "agreement would follow, and the events below trace how the framework was replaced by a single equity "
        "stake. The default edition of this report follows that reported path; the letter as written is kept as "
        "its own edition, the counterfactual."
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
    }, note="Each source's address is listed in the sources appendix.")


#: Events of one row closer than this share one label ('17, 18, 20'), so numbers never sit on each other.
LABEL_GAP_DAYS = 24


def _numbered_timeline() -> pd.DataFrame:
    """Return the dated events, oldest first, numbered as the figure labels them and the table lists them."""
    ev = deal.timeline().reset_index(drop=True)
    ev["no"] = [str(i) for i in range(1, len(ev) + 1)]
    ev["date_str"] = ev["date"].dt.strftime("%Y-%m-%d")
    return ev


def _timeline_labels(ev: pd.DataFrame) -> pd.DataFrame:
    """Return one label per cluster of nearby events in a row ('17, 18, 20'), alternately above and below."""
    rows = []
    for stage, g in ev.groupby("stage_label", sort=False):
        clusters: list[list[pd.Series]] = []
        for _, r in g.sort_values("date").iterrows():
            if clusters and (r["date"] - clusters[-1][0]["date"]).days < LABEL_GAP_DAYS:
                clusters[-1].append(r)
            else:
                clusters.append([r])
        for i, c in enumerate(clusters):
            rows.append({"stage_label": stage, "date": c[0]["date"], "above": i % 2 == 0,
                         "text": ", ".join(r["no"] for r in c)})
    return pd.DataFrame(rows)


@charts.of_data
def fig_timeline() -> charts.Figure:
    """Return the dated events as numbered points on a time axis, one row per stage, with the letter of
    intent and the data date marked."""
    ev = _numbered_timeline()
    when = pd.Timestamp(data.data_date())
    order = [lab for lab, _ in deal.STAGES.values() if lab in set(ev["stage_label"])]
    loi = ev[ev["stage"] == "announced"]["date"].min()
    base = alt.Chart(ev).encode(
        x=alt.X("date:T", title="Date", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=8),
                scale=alt.Scale(domain=[(ev["date"].min() - pd.Timedelta(days=20)).isoformat(),
                                        (max(ev["date"].max(), when) + pd.Timedelta(days=20)).isoformat()])),
        y=alt.Y("stage_label:N", sort=order, title=None))
    points = base.mark_point(size=90, filled=True, opacity=0.85).encode(
        color=alt.Color("stage_label:N", sort=order, legend=None),
        shape=alt.Shape("stage_label:N", sort=order, legend=None),
        tooltip=[alt.Tooltip("no:N", title="Event"), alt.Tooltip("date_str:N", title="Date"),
                 alt.Tooltip("event:N", title="What happened"), alt.Tooltip("citation:N", title="Source")])
    tags = _timeline_labels(ev)
    numbers = alt.layer(*[alt.Chart(tags[tags["above"] == up]).mark_text(
        dy=-11 if up else 12, align="left", dx=-4, fontSize=9, color="#333333").encode(
        x="date:T", y=alt.Y("stage_label:N", sort=order), text="text:N") for up in (True, False)])
    marks = pd.DataFrame({"date": [loi, when], "text": ["Letter of intent", f"Data date {when.date().isoformat()}"],
                          "align": ["left", "right"]})
    rule = alt.Chart(marks).mark_rule(strokeDash=[4, 3], color="#555555").encode(x="date:T")
    label = (alt.Chart(marks.iloc[[0]]).mark_text(align="left", dx=4, dy=-6, fontSize=10, color="#333333")
             .encode(x="date:T", y=alt.value(0), text="text")
             + alt.Chart(marks.iloc[[1]]).mark_text(align="right", dx=-4, dy=-6, fontSize=10, color="#333333")
             .encode(x="date:T", y=alt.value(0), text="text"))
    chart = (rule + label + points + numbers).properties(height=260, title=alt.Title(
        "From the letter of intent to the reported path: dated events",
        subtitle=["One point per sourced event, numbered as in the timeline table; rows group events by what "
                  "they did to the deal"]))
    counts = ev["stage_label"].value_counts()
    return charts.figure(chart, source=SOURCE_TIMELINE, description=(
        f"Timeline of {len(ev)} numbered events from {ev['date'].min():%d %B %Y} to {ev['date'].max():%d %B %Y}: "
        + ", ".join(f"{counts[s]} {s.lower()}" for s in order) + f"; the data date, {when.date().isoformat()}, is marked."))


def timeline_table() -> tables.Table:
    """Return the dated status timeline with each event's source."""
    ev = _numbered_timeline()
    return tables.table(ev, {
        "no": tables.Col("No."),
        "date_str": tables.Col("Date"),
        "stage_label": tables.Col("Stage"),
        "event": tables.Col("What happened (our summary)"),
        "changes": tables.Col("What it changes for the deal"),
        "citation": tables.Col("Source (publisher, date)"),
    }, note="Events summarised in our words; addresses in the sources appendix. 'Weak source' marks an "
            "aggregator, repost or minor outlet whose original we could not reach.")


def fig_tranches(scenario: Scenario, result: pd.DataFrame | None = None) -> charts.Figure:
    """Return cumulative NVIDIA investment under the scenario against the announced per-GW terms."""
    a = scenario.assumptions
    t = deal.tranches(a, result)
    long = pd.concat([
        t.assign(series="Letter's per-GW tranches", value=t["announced_investment_cum_usd_bn"]),
        t.assign(series=f"This edition ({'tranches' if a.investment_structure == 'tranches' else 'fixed equity stake'})",
                 value=t["investment_cum_usd_bn"]),
    ])[["half_label", "series", "value", "online_gw"]]
    x = alt.X("half_label:O", sort=list(t["half_label"]), title="Half-year")
    chart = alt.Chart(long).mark_line(point=True).encode(
        x=x, y=alt.Y("value:Q", title="Cumulative investment (USD bn)"),
        color=alt.Color("series:N", title=None, legend=alt.Legend()),
        strokeDash=alt.StrokeDash("series:N", title=None, legend=alt.Legend()),
        tooltip=[alt.Tooltip("half_label:N", title="Half-year"), alt.Tooltip("series:N", title="Path"),
                 alt.Tooltip("value:Q", format=",.0f", title="USD bn"),
                 alt.Tooltip("online_gw:Q", format=".2f", title="GW online")],
    ).properties(title=alt.Title("NVIDIA's investment in OpenAI: the letter's tranches and this edition",
                                 subtitle=[f"Letter: {prose.usd_bn(a.investment_per_gw_usd_bn)} per GW online, capped at "
                                           f"{prose.usd_bn(a.investment_cap_usd_bn)}, applied to this edition's gigawatts;",
                                           "the lines coincide when the edition follows the letter"]))
    k = deal.key_numbers(a, result)
    return charts.figure(chart, source=SOURCE_TRANCHE, description=(
        f"Line chart by half-year. Under the letter's tranches cumulative investment reaches "
        f"{prose.usd_bn(k['announced_investment_usd_bn'])} by {k['end_half']}; in this edition it reaches "
        f"{prose.usd_bn(k['investment_usd_bn'])}."))


def tranche_table(scenario: Scenario, result: pd.DataFrame | None = None) -> tables.Table:
    """Return the tranche schedule by half-year."""
    t = deal.tranches(scenario.assumptions, result)
    t = t[(t["added_gw"] > 0) | (t["investment_usd_bn"] != 0)]
    return tables.table(t, {
        "half_label": tables.Col("Half-year"),
        "added_gw": tables.Col("GW added", 2),
        "online_gw": tables.Col("GW online", 2),
        "announced_investment_usd_bn": tables.Col("Letter's tranches (USD bn)", 1),
        "investment_usd_bn": tables.Col("This edition (USD bn)", 1),
        "investment_cum_usd_bn": tables.Col("This edition, cumulative (USD bn)", 1),
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
        f"These {prose.num(k['net_gw'], 0)} GW are the figure this report divides by wherever it compares "
        f"something with OpenAI's commitments. Sam Altman gave round figures of about "
        f"{prose.num(k['altman_gw'], 0)} GW and {prose.usd_bn(k['altman_usd_bn'])} in "
        f"October 2025, before the AWS Trainium deal; the dollar gap is mostly the undisclosed price of the "
        f"chip-supply deals. NVIDIA's {prose.usd_bn(data.fact('nvidia_equity_investment_openai_usd_bn'))} equity "
        f"stake of 2026 is money flowing into OpenAI and is kept out of both totals."
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
        tooltip=[alt.Tooltip("label:N", title="Partner"), alt.Tooltip("layer_label:N", title="Layer"),
                 alt.Tooltip(f"{value}:Q", title=tooltip_title), alt.Tooltip("overlaps:N", title="Stated overlaps"),
                 alt.Tooltip("inside:N", title="Counted within"), alt.Tooltip("citation:N", title="Source")],
    )


@charts.of_data
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


@charts.of_data
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
    }, note="Company statements and press reports; '–' means not disclosed. Net columns apply the overlap rule in the text.")
