"""Benefits: known answers from the announced terms and the sourced tables."""

import pytest

from analysis import assumptions, benefits, data, roadmap


def test_financing_and_circularity_known_answers():
    a = assumptions.load("letter-of-intent")
    k = benefits.key_numbers(a)
    # $10bn per GW against $50bn per GW of capex; $35bn of NVIDIA content per $10bn invested.
    assert k["investment_share_of_capex"] == pytest.approx(10 / 50)
    assert k["sales_to_investment"] == pytest.approx(35 / 10)
    assert k["gross_profit_per_dollar_invested"] == pytest.approx(3.5 * a.nvidia_gross_margin)
    assert k["gw_vs_openai_2025"] == pytest.approx(10 / data.fact("openai_compute_gw_2025"))
    assert k["stake_first_tranche"] == pytest.approx(10 / data.fact("openai_valuation_sep2025_usd_bn"))


def test_nvidia_revenue_by_year_adds_up_to_its_content():
    a = assumptions.load("constrained")
    df = roadmap.run(a)
    rev = benefits.nvidia_revenue(a, df)
    assert rev["revenue_usd_bn"].sum() == pytest.approx(df["capex_nvidia_cum_usd_bn"].iloc[-1])
    assert set(rev["year"]) == set(df["half"].astype(int))


def test_supply_shares_from_commitments():
    s = benefits.supply_shares().set_index("vendor")
    c = data.table("commitments").set_index("commitment_id")
    total = sum(c.at[i, "power_gw"] for i in benefits.SUPPLY_VENDORS)
    assert s.at["NVIDIA", "share"] == pytest.approx(c.at["nvidia_loi", "power_gw"] / total)
    assert s["share"].sum() == pytest.approx(1.0)


def test_every_claim_is_checked_against_a_dated_sourced_event():
    c = benefits.claims(assumptions.load("base"))
    assert set(c["party"]) == {"OpenAI", "NVIDIA"}
    assert len(c) >= 6
    assert c["since"].str.match(r"^\d{4}-\d{2}-\d{2}: ").all()
    assert (c["source"].str.len() > 0).all() and (c["status"].str.len() > 0).all()
