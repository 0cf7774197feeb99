"""Known-answer tests of the deal model: tranches, the overlap rule for commitments, the timeline."""

import pandas as pd
import pytest

from analysis import data, deal, roadmap
from analysis.assumptions import Assumptions


def make(**kw) -> Assumptions:
    base = dict(schedule_gw_per_half=(1.0, 1.0, 1.0), pue=1.25, non_accelerator_it_share=0.2, utilisation=0.5,
                adoption_lag_halves=0, platform_delay_halves=0, capex_change_pct_per_year=0.0,
                horizon_end_half=2028.0)
    base.update(kw)
    return Assumptions(**base)


def test_tranches_follow_gw_online_up_to_the_cap(platforms):
    a = make(investment_per_gw_usd_bn=10.0, investment_cap_usd_bn=25.0)
    t = deal.tranches(a, roadmap.run(a, platforms))
    # 1, 2, 3 GW online -> 10, 20, then capped at 25.
    assert list(t["announced_investment_cum_usd_bn"]) == pytest.approx([10.0, 20.0, 25.0, 25.0])
    assert list(t["announced_investment_usd_bn"]) == pytest.approx([10.0, 10.0, 5.0, 0.0])
    assert list(t["tranches_released"]) == [1, 2, 2, 2]
    # NVIDIA revenue: 1 GW a half-year x $35bn content.
    assert list(t["nvidia_revenue_usd_bn"]) == pytest.approx([35.0, 35.0, 35.0, 0.0])
    k = deal.key_numbers(a, roadmap.run(a, platforms))
    assert k["cap_reached_half"] == "H2 2027" and k["first_tranche_half"] == "H2 2026"
    assert k["shortfall_usd_bn"] == pytest.approx(0.0)


def test_equity_path_is_compared_with_announced_terms(platforms):
    a = make(investment_structure="equity", equity_investment_usd_bn=30.0, equity_investment_half=2026.0)
    t = deal.tranches(a, roadmap.run(a, platforms))
    assert t["investment_usd_bn"].sum() == pytest.approx(30.0)
    assert t["announced_investment_cum_usd_bn"].iloc[-1] == pytest.approx(30.0)  # 3 GW x $10bn
    k = deal.key_numbers(a, roadmap.run(a, platforms))
    assert k["structure"] == "equity" and k["announced_investment_usd_bn"] == pytest.approx(30.0)
    slower = make(investment_structure="equity", schedule_gw_per_half=(0.5, 0.5), equity_investment_half=2026.0)
    k2 = deal.key_numbers(slower, roadmap.run(slower, platforms))
    assert k2["shortfall_usd_bn"] == pytest.approx(10.0 - 30.0)  # tranches would pay 1 GW x $10bn


def synthetic_commitments() -> pd.DataFrame:
    """Supply A (10 GW) sits in site S (10 GW, $500bn); O ($300bn, 4.5 GW) is inside S; M ($250bn) hosts A."""
    rows = [
        ("nvidia_loi", "A", 10.0, None, "stargate;microsoft_azure", "2025-09-22"),
        ("amd", "B", 6.0, None, "", "2025-10-06"),
        ("stargate", "S", 10.0, 500.0, "oracle", "2025-01-21"),
        ("oracle", "O", 4.5, 300.0, "", "2025-09-10"),
        ("microsoft_azure", "M", None, 250.0, "", "2025-10-28"),
        ("nvidia_equity_2026", "X", None, 30.0, "nvidia_loi", "2026-02-27"),
    ]
    df = pd.DataFrame(rows, columns=["commitment_id", "partner", "power_gw", "value_usd_bn", "overlaps_with",
                                     "announced"])
    df["source_id"] = "openai_nvidia_loi_2025"
    return df


def test_overlap_rule_by_hand():
    c = deal.commitments(synthetic_commitments()).set_index("commitment_id")
    # GW: only the supply layer counts (A 10 + B 6); S and O are sites where chips are installed.
    assert c["net_power_gw"].sum() == pytest.approx(16.0)
    assert c.at["stargate", "net_power_gw"] == 0 and c.at["oracle", "power_inside"] == "stargate"
    # USD: capacity layer; O overlaps the larger S, so only S and M count; X is investment, never added.
    assert c["net_value_usd_bn"].sum() == pytest.approx(750.0)
    assert c.at["oracle", "value_inside"] == "stargate" and c.at["nvidia_equity_2026", "net_value_usd_bn"] == 0
    totals = deal.commitment_totals(deal.commitments(synthetic_commitments()))
    assert totals["gross_gw"] == pytest.approx(30.5) and totals["gross_usd_bn"] == pytest.approx(1050.0)
    # Overlaps are symmetric: listed once, shown on both rows.
    assert "nvidia_loi" in c.at["microsoft_azure", "overlaps"]


def test_unclassified_commitment_fails_loudly():
    df = synthetic_commitments()
    df.loc[0, "commitment_id"] = "new_vendor"
    with pytest.raises(KeyError, match="new_vendor"):
        deal.commitments(df)


def test_real_commitments_net_never_exceeds_gross():
    t = deal.commitment_totals()
    assert 0 < t["net_gw"] <= t["gross_gw"] and 0 < t["net_usd_bn"] <= t["gross_usd_bn"]


def test_timeline_sorted_sourced_and_reaches_latest_event():
    ev = deal.timeline()
    assert ev["date"].is_monotonic_increasing
    raw = data.table("deal_events")
    assert deal.latest_event()["date"] == pd.to_datetime(raw["date"]).max()
    assert ev["url"].str.match(r"^https?://").all() and ev["published"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
    loi = ev[ev["event_id"] == "loi_announced"].iloc[0]
    assert loi["days_since_loi"] == 0


def test_announced_terms_are_the_sourced_values():
    t = deal.announced_terms().set_index("fact_id")
    assert t.at["deal_power_gw", "value"] == data.fact("deal_power_gw")
    assert (t["citation"].str.len() > 0).all()


def test_the_chapter_reads_no_power_or_platform_assumption_and_gets_the_full_roadmap_values():
    """The deal chapter's roadmap holds GW and money only, so an edit to PUE, utilisation or the platform
    roadmap does not re-run the chapter (analysis/reads.py); its values are the full roadmap's."""
    from analysis import assumptions, reads

    rec = reads.push(reads.RunRecorder({"scenario": "base", "overrides": {}}))
    try:
        a = assumptions.resolve("base", {}).assumptions
        part = deal.roadmap_result(a)
        t = deal.tranches(a, part)
    finally:
        reads.pop(rec)
    read = set(rec.export()["reads"][reads.origin_key("base", {})])
    assert "schedule_gw_per_half" in read and "investment_structure" in read
    assert not read & {"pue", "utilisation", "non_accelerator_it_share", "platform_delay_halves", "adoption_lag_halves"}
    full = roadmap.run(a)
    pd.testing.assert_frame_equal(part, full[list(part.columns)])
    pd.testing.assert_frame_equal(t, deal.tranches(a, full))
