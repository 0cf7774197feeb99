"""The deal: announced terms, the dated status timeline, per-GW tranches, and OpenAI's other commitments.

Public API (each returns a DataFrame or a dict of plain numbers):
- announced_terms(): the letter of intent's terms as sourced facts;
- timeline(): every dated event of data/deal_events.csv with its source, oldest first;
- tranches(a): NVIDIA's investment by half-year under the scenario and under the announced terms;
- commitments(): OpenAI's compute commitments with the gigawatts and dollars counted net of overlaps;
- key_numbers(a): the chapter's headline numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import data, halves, roadmap, sourcing
from .assumptions import Assumptions

#: Facts (data/facts.csv) that state the announced terms, in reading order, with a label.
TERM_FACTS = {
    "deal_power_gw": "Power of NVIDIA systems OpenAI intends to deploy (at least)",
    "deal_first_gw_year": "Year the first gigawatt comes online (second half, on Vera Rubin)",
    "nvidia_loi_max_investment_usd_bn": "NVIDIA's intended investment in OpenAI (up to)",
    "nvidia_investment_per_gw_usd_bn": "Investment per gigawatt deployed (reported tranche size)",
    "openai_valuation_sep2025_usd_bn": "OpenAI valuation at which the first tranche was reported",
    "nvidia_equity_investment_openai_usd_bn": "NVIDIA's equity investment in the February 2026 round",
}

#: Which layer of OpenAI's compute stack each commitment sits in. 'supply': who makes the accelerators
#: (disjoint from one another: a chip is made by one vendor); 'capacity': sites and cloud contracts,
#: where supplied accelerators are installed; 'investment': money flowing into OpenAI, not a purchase.
LAYER = {
    "nvidia_loi": "supply", "amd": "supply", "broadcom": "supply", "aws_trainium": "supply",
    "stargate": "capacity", "oracle": "capacity", "microsoft_azure": "capacity", "aws": "capacity",
    "coreweave": "capacity", "nvidia_equity_2026": "investment",
}

LAYER_LABEL = {"supply": "Accelerator supply", "capacity": "Sites and cloud", "investment": "Investment in OpenAI"}

#: What each timeline stage means: (reader label, definition). An event's stage says what it did to
#: the deal, not who said it: a denial of a rift reaffirms, it is not a caveat.
STAGES = {
    "context": ("Context", "Related deals and figures that frame the partnership"),
    "announced": ("Announced", "The letter of intent and the terms first reported"),
    "caveat": ("Caveat", "A filing, a party or a report says the terms may not happen as announced"),
    "affirmed": ("Reaffirmed", "A party says the relationship stands or denies a reported rift"),
    "restructured": ("Restructured", "The announced terms are replaced or ruled out"),
    "financing": ("Financing", "Equity, listing and financing steps that bear on the deal"),
    "deployment": ("Deployment", "Platforms, systems and sites that carry the capacity"),
}

#: The signpost (data/signposts.csv) that tracks the letter's first gigawatt.
FIRST_GW_SIGNPOST = "first_gw_online"

# Kept here for the modules that import them from the deal chapter; they live in analysis.sourcing.
with_sources = sourcing.with_sources
cite = sourcing.cite


def announced_terms() -> pd.DataFrame:
    """Return the announced terms: one row per fact with label, value, unit, date and source."""
    facts = data.table("facts").set_index("fact_id")
    missing = [f for f in TERM_FACTS if f not in facts.index]
    if missing:
        raise KeyError(f"data/facts.csv lacks the deal fact(s): {', '.join(missing)}")
    rows = facts.loc[list(TERM_FACTS)].reset_index()
    rows.insert(1, "term", rows["fact_id"].map(TERM_FACTS))
    return with_sources(rows[["fact_id", "term", "value", "unit", "as_of", "source_id", "note"]])


def check_events(events: pd.DataFrame | None = None) -> list[str]:
    """Return every problem in the timeline: unknown stages, bad dates, duplicate ids."""
    ev = data.table("deal_events") if events is None else events
    problems = [f"data/deal_events.csv: event {e!r} has unknown stage {s!r}; known: {', '.join(STAGES)}"
                for e, s in zip(ev["event_id"], ev["stage"]) if s not in STAGES]
    bad = pd.to_datetime(ev["date"], format="%Y-%m-%d", errors="coerce").isna()
    problems += [f"data/deal_events.csv: event {e!r} date {d!r} is not YYYY-MM-DD"
                 for e, d in zip(ev.loc[bad, "event_id"], ev.loc[bad, "date"])]
    problems += [f"data/deal_events.csv: duplicate event_id {e!r}" for e in ev["event_id"][ev["event_id"].duplicated()]]
    return problems


def timeline(events: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the dated status timeline, oldest first, with each event's source and days since the LOI."""
    ev = (data.table("deal_events") if events is None else events).copy()
    problems = check_events(ev)
    if problems:
        raise data.DataError(problems[0])
    ev["date"] = pd.to_datetime(ev["date"], format="%Y-%m-%d")
    ev["stage_label"] = ev["stage"].map(lambda s: STAGES[s][0])
    ev = ev.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)
    loi = ev.loc[ev["stage"] == "announced", "date"].min()
    ev["days_since_loi"] = (ev["date"] - loi).dt.days if pd.notna(loi) else np.nan
    return with_sources(ev)


def latest_event(events: pd.DataFrame | None = None) -> pd.Series:
    """Return the most recent event in the timeline."""
    return timeline(events).iloc[-1]


def committed_gw() -> float:
    """Return OpenAI's compute commitments in GW, net of stated overlaps: the one denominator the
    report divides by whenever it sets a figure against 'what OpenAI has committed to'."""
    return commitment_totals()["net_gw"]


def first_gigawatt_status(a: Assumptions | None = None) -> dict[str, str | float | bool]:
    """Return the status of the letter's first gigawatt, as plainly as the sources allow: when it was
    due, what the newest deployment source says, whether any source reports it online, and when this
    edition puts the first capacity."""
    from . import signposts

    ev = timeline()
    due_year = int(data.fact("deal_first_gw_year"))
    sp = signposts.table().set_index("signpost_id").loc[FIRST_GW_SIGNPOST]
    dep = ev[ev["stage"] == "deployment"].iloc[-1]
    shipments = data.fact("vera_rubin_shipments_half")
    status = {
        "due": f"H2 {due_year}", "due_date": sp["due_date"].date().isoformat(),
        "signpost_status": str(sp["status"]),
        "reported_online": sp["status"] == "happened",
        "data_date": data.data_date(),
        "searched_date": sourcing.searched_date(),
        "newest_deployment_date": dep["date"].date().isoformat(),
        "newest_deployment_event": str(dep["event"]),
        "newest_deployment_citation": str(dep["citation"]),
        "shipments_half": halves.label(shipments),
    }
    if a is not None:
        status["edition_first_half"] = halves.label(a.start_half)
        status["edition_on_time"] = a.start_half <= due_year + 0.5
    return status


#: The roadmap columns this chapter uses: GW and money only, so it reads no power or platform assumption
#: (an edit to the PUE does not re-run it).
ROADMAP_OUTPUTS = ("added_gw", "online_gw", "investment_released_usd_bn", "investment_cum_usd_bn",
                   "capex_nvidia_usd_bn", "capex_nvidia_cum_usd_bn")


def roadmap_result(a: Assumptions) -> pd.DataFrame:
    """Return the roadmap columns the deal chapter uses (roadmap.run restricted to ROADMAP_OUTPUTS)."""
    return roadmap.run(a, outputs=ROADMAP_OUTPUTS)


def tranches(a: Assumptions, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return NVIDIA's investment by half-year: under the scenario, under the announced per-GW terms, and
    NVIDIA's revenue from the systems deployed (its content per GW times GW added), all in USD bn."""
    df = roadmap_result(a) if result is None else result
    announced_cum = np.minimum(a.investment_cap_usd_bn, a.investment_per_gw_usd_bn * df["online_gw"])
    out = df[["half", "half_label", "added_gw", "online_gw"]].copy()
    out["investment_usd_bn"] = df["investment_released_usd_bn"]
    out["investment_cum_usd_bn"] = df["investment_cum_usd_bn"]
    out["announced_investment_usd_bn"] = np.diff(announced_cum, prepend=0.0)
    out["announced_investment_cum_usd_bn"] = announced_cum
    out["tranches_released"] = np.floor(announced_cum / a.investment_per_gw_usd_bn + 1e-9) \
        if a.investment_per_gw_usd_bn > 0 else 0.0
    out["nvidia_revenue_usd_bn"] = df["capex_nvidia_usd_bn"]
    out["nvidia_revenue_cum_usd_bn"] = df["capex_nvidia_cum_usd_bn"]
    return out


def _overlap_pairs(c: pd.DataFrame) -> set[frozenset[str]]:
    """Return every stated overlap as an unordered pair (a row may list it on either side)."""
    pairs = set()
    ids = set(c["commitment_id"])
    for cid, ov in zip(c["commitment_id"], c["overlaps_with"]):
        for other in str(ov).split(";"):
            other = other.strip()
            if other and other in ids and other != cid:
                pairs.add(frozenset((cid, other)))
    return pairs


def _net(c: pd.DataFrame, value: str, pairs: set[frozenset[str]]) -> tuple[pd.Series, pd.Series]:
    """Count each commitment's value unless a larger (or equal, earlier) commitment of the same layer
    overlaps it; return the counted values and, for the others, the commitment they sit inside."""
    counted = pd.Series(0.0, index=c.index)
    inside = pd.Series("", index=c.index)
    order = c.assign(_v=c[value].fillna(0.0)).sort_values(["_v", "announced"], ascending=[False, True])
    for i, row in order.iterrows():
        v = row["_v"]
        if v <= 0:
            continue
        bigger = order[(order["layer"] == row["layer"]) & (order.index != i)
                       & ((order["_v"] > v) | ((order["_v"] == v) & (order["announced"] < row["announced"])))]
        hosts = [h for h in bigger["commitment_id"] if frozenset((h, row["commitment_id"])) in pairs]
        if hosts:
            inside[i] = hosts[0]
        else:
            counted[i] = v
    return counted, inside


def commitments(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return OpenAI's compute commitments with gross and net gigawatts and dollars.

    Rule: within a layer, a commitment stated to overlap a larger one of the same layer is taken to sit
    inside it and adds nothing. Gigawatts are summed over the supply layer only, because site and cloud
    capacity is where supplied accelerators are installed; a capacity row's GW counts only when it
    overlaps no supply commitment. Dollars are summed over the capacity layer (the supply deals disclose
    none); the investment layer is money into OpenAI and is never added to purchases.
    """
    if table is None:
        return _commitments_of_data()
    return _commitments(table.copy())


@data.per_data_version
def _commitments_of_data() -> pd.DataFrame:
    """commitments() of data/commitments.csv: computed once per version of the data (a build asks ~30 times)."""
    return _commitments(data.table("commitments"))


def _commitments(c: pd.DataFrame) -> pd.DataFrame:
    unknown = sorted(set(c["commitment_id"]) - set(LAYER))
    if unknown:
        raise KeyError(f"classify commitment(s) {', '.join(unknown)} in analysis.deal.LAYER")
    c["layer"] = c["commitment_id"].map(LAYER)
    c["layer_label"] = c["layer"].map(LAYER_LABEL)
    pairs = _overlap_pairs(c)
    c["overlaps"] = [", ".join(sorted(next(iter(p - {cid})) for p in pairs if cid in p))
                     for cid in c["commitment_id"]]
    gw, gw_inside = _net(c, "power_gw", pairs)
    supply_ids = set(c.loc[c["layer"] == "supply", "commitment_id"])
    for i, row in c.iterrows():
        if row["layer"] == "capacity" and gw[i] > 0:
            if any(frozenset((row["commitment_id"], s)) in pairs for s in supply_ids):
                gw[i] = 0.0
                gw_inside[i] = gw_inside[i] or "supply layer"
        if row["layer"] == "investment":
            gw[i] = 0.0
    usd, usd_inside = _net(c, "value_usd_bn", pairs)
    usd[c["layer"] != "capacity"] = 0.0
    c["net_power_gw"] = gw
    c["net_value_usd_bn"] = usd
    c["power_inside"] = gw_inside
    c["value_inside"] = usd_inside
    return with_sources(c)


def commitment_totals(c: pd.DataFrame | None = None) -> dict[str, float]:
    """Return gross and net GW and USD bn of the commitments, and Altman's stated totals for comparison."""
    c = commitments() if c is None else c
    purchases = c[c["layer"] != "investment"]
    return {
        "gross_gw": float(purchases["power_gw"].fillna(0).sum()),
        "net_gw": float(c["net_power_gw"].sum()),
        "gross_usd_bn": float(purchases["value_usd_bn"].fillna(0).sum()),
        "net_usd_bn": float(c["net_value_usd_bn"].sum()),
        "altman_gw": data.fact("openai_compute_commitments_gw"),
        "altman_usd_bn": data.fact("openai_compute_commitments_usd_bn"),
        "n_commitments": int(len(purchases)),
        "nvidia_share_of_net_gw": float(c.loc[c["commitment_id"] == "nvidia_loi", "net_power_gw"].sum()
                                        / max(c["net_power_gw"].sum(), 1e-12)),
    }


def key_numbers(a: Assumptions, result: pd.DataFrame | None = None) -> dict[str, float | str]:
    """Return the deal chapter's headline numbers for one scenario."""
    t = tranches(a, result)
    last = t.iloc[-1]
    ev = timeline()
    latest = ev.iloc[-1]
    loi = ev[ev["stage"] == "announced"].iloc[0]
    full = t[t["announced_investment_cum_usd_bn"] >= a.investment_cap_usd_bn - 1e-9]
    first_tranche = t[t["announced_investment_cum_usd_bn"] > 0]
    totals = commitment_totals()
    return {
        "structure": a.investment_structure,
        "investment_usd_bn": float(last["investment_cum_usd_bn"]),
        "announced_investment_usd_bn": float(last["announced_investment_cum_usd_bn"]),
        "shortfall_usd_bn": float(last["announced_investment_cum_usd_bn"] - last["investment_cum_usd_bn"]),
        "first_tranche_half": first_tranche["half_label"].iloc[0] if len(first_tranche) else "never",
        "cap_reached_half": full["half_label"].iloc[0] if len(full) else "",
        "tranches_released": float(last["tranches_released"]),
        "online_gw": float(last["online_gw"]),
        "end_half": str(last["half_label"]),
        "n_events": int(len(ev)),
        "first_date": ev["date"].min().date().isoformat(),
        "first_event": str(ev.iloc[0]["event"]),
        "loi_date": loi["date"].date().isoformat(),
        "latest_date": latest["date"].date().isoformat(),
        "latest_event": str(latest["event"]),
        "latest_citation": str(latest["citation"]),
        "months_since_loi": float((latest["date"] - loi["date"]).days / 30.44),
        **{f"commitments_{k}": v for k, v in totals.items()},
    }
