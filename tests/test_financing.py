"""Who pays: the financing table's totals against their parts and the sourced totals elsewhere, the
network's layout and edges, NVIDIA's exposure and the funding gap, with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import assumptions, data, economics, financing


@pytest.fixture(scope="module")
def ev() -> pd.DataFrame:
    return data.table("financing")


def test_every_total_equals_its_parts(ev):
    assert financing.total_problems(ev) == []
    t = financing.totals(ev).set_index("event_id")
    assert (t["breakdown"] == "complete").sum() >= 6, "the table should break several totals down fully"


def test_a_part_that_no_longer_adds_up_is_caught(ev):
    bad = ev.copy()
    bad.loc[bad["event_id"] == "softbank_oai_2025", "amount_usd_bn"] = 25.0
    assert financing.total_problems(bad) == [
        "oai_round_2025: parts add to 35, total is 40 (complete)"]
    over = ev.copy()
    over.loc[over["event_id"] == "nvidia_oai_2024", "amount_usd_bn"] = 7.0  # partial total of 6.6
    assert any(p.startswith("oai_round_2024: parts add to 7") for p in financing.total_problems(over))


def test_round_and_contract_sums_match_the_sourced_totals_elsewhere(ev):
    """The February 2026 round's named investors add to the $110bn in data/facts.csv, its close to the
    $122bn high of the same fact; CoreWeave's contracts add to the value in data/commitments.csv."""
    fact = data.fact_row("openai_round_feb2026_usd_bn")
    named = ev[(ev["deal_event_id"] == "round_110bn") & (ev["kind"] == "equity")]["amount_usd_bn"].sum()
    assert named == pytest.approx(fact["value"])
    close = ev.loc[ev["part_of"] == "oai_round_2026", "amount_usd_bn"].sum()
    assert close == pytest.approx(fact["high"])
    cw = data.table("commitments").set_index("commitment_id").at["coreweave", "value_usd_bn"]
    assert ev.loc[ev["part_of"] == "oai_coreweave_2025", "amount_usd_bn"].sum() == pytest.approx(cw)


def test_every_event_and_party_cites_a_source_and_links_resolve(ev):
    ids = set(data.table("sources")["source_id"])
    for table in ("financing", "financing_parties"):
        for sid in data.table(table)["source_id"]:
            assert all(s.strip() in ids for s in sid.split(";")), f"{table}: {sid!r}"
    raw = {name: data.table(name) for name in ("financing", "financing_parties", "deal_events", "sites",
                                                "grid_intensity")}
    for df in raw.values():
        df.index = df.index + 2  # the file line of each row, as the loader indexes them
    assert data.link_problems(raw) == []
    raw["financing"].loc[2, "payer"] = "nobody"
    raw["financing"].loc[3, "deal_event_id"] = "no_such_event"
    problems = data.link_problems(raw)
    assert "data/financing.csv line 2: payer 'nobody' not in data/financing_parties.csv" in problems
    assert any("deal_event_id 'no_such_event'" in p for p in problems)


def test_network_draws_every_flow_between_laid_out_parties():
    nodes, flows, pts = financing.network()
    assert set(flows["payer"]) | set(flows["payee"]) <= set(nodes["party_id"])
    assert nodes["x"].between(0, 1).all() and nodes["y"].between(0, 1).all()
    assert not nodes.duplicated(["x", "y"]).any(), "two parties share a position"
    assert flows["edge_type"].isin(financing.EDGE_TYPES).all()
    assert (flows["payer"] != flows["payee"]).all() and (flows["payer"] != "various").all()
    # Partial totals: the unexplained rest is drawn from the total's payer (2024 round: 6.6 - 0.1).
    rest = flows[(flows["event_id"] == "oai_round_2024")]
    assert rest["amount_usd_bn"].tolist() == pytest.approx([6.5])
    # Same inputs, same layout.
    again, _, _ = financing.network()
    pd.testing.assert_frame_equal(nodes, again)


def test_curves_bow_left_so_opposite_flows_part():
    ab = financing.curve_points(0, 0, 1, 0)
    ba = financing.curve_points(1, 0, 0, 0)
    assert ab[0].tolist() == [0, 0] and ab[-1].tolist() == [1, 0]
    assert ab[:, 1].max() > 0 > ba[:, 1].min()  # left of travel: up going right, down going left


def test_exposure_known_answer():
    a = assumptions.load("base")
    x = financing.exposure(a)
    assert x["equity_at_cost_usd_bn"] == pytest.approx(30.1)
    latest, entry_2024 = data.fact("openai_valuation_post_mar2026_usd_bn"), data.fact("openai_valuation_oct2024_usd_bn")
    assert x["equity_marked_usd_bn"] == pytest.approx(30 + 0.1 * latest / entry_2024)
    assert x["equity_share_of_fcf"] == pytest.approx(30.1 / data.fact("nvidia_free_cash_flow_fy2026_usd_bn"))
    assert x["openai_guarantee_gw"] == 10


def test_capital_cost_and_funding_gap_known_answers():
    a = assumptions.load("base", {"cost_of_capital_pct": 10.0})
    assert float(financing.capital_cost_usd_bn(a, 200.0)) == pytest.approx(20.0)
    g = financing.funding_gap(a)
    first, second, third = g.iloc[0], g.iloc[1], g.iloc[2]
    assert first["capital_cost_usd_bn"] == 0.0  # nothing funded before the first year
    assert first["funding_gap_usd_bn"] == pytest.approx(first["capex_usd_bn"] - first["investment_usd_bn"])
    # NVIDIA's money covers the first capital spent; what it leaves is outstanding from the next year.
    funded = first["net_capital_usd_bn"] + second["net_capital_usd_bn"]
    assert second["capital_cost_usd_bn"] == pytest.approx(0.10 * max(first["net_capital_usd_bn"], 0.0))
    assert third["capital_outstanding_usd_bn"] == pytest.approx(max(funded, 0.0))
    assert third["capital_cost_usd_bn"] == pytest.approx(0.10 * max(funded, 0.0))
    zero = financing.funding_gap(assumptions.load("base", {"cost_of_capital_pct": 0.0}))
    assert np.allclose(zero["funding_gap_usd_bn"], zero["net_capital_usd_bn"])


def test_funding_gap_by_edition_has_every_edition():
    scs = [assumptions.resolve(n) for n in assumptions.scenario_names()]
    g = financing.funding_gap_by_edition(scs)
    assert set(g["scenario"]) == {s.name for s in scs}
    assert g["funding_gap_usd_bn"].notna().all()


def test_a_cohorts_carrying_costs_add_up_to_the_return_in_the_one_capital_charge():
    """The funding gap and every unit cost share one cost-of-capital treatment: over a cohort's life
    the yearly costs on its outstanding balance sum to the return on capital economics.capital_charge
    includes (its level payments less the capital)."""
    a = assumptions.load("base", {"cost_of_capital_pct": 8.0, "gpu_useful_life_years": 5.0,
                                  "facility_life_years": 15.0})
    n = 20
    nv, other = np.zeros(n), np.zeros(n)
    nv[0], other[0] = 35.0, 15.0
    c = economics.carrying_cost(a, nv, other)
    charge = economics.capital_charge(a, 35.0, 15.0)
    lives = {"nvidia": 5, "other": 15}
    total_return = (float(economics.capital_charge(a, 35.0, 0.0)["total_usd_bn"]) * lives["nvidia"] - 35.0
                    + float(economics.capital_charge(a, 0.0, 15.0)["total_usd_bn"]) * lives["other"] - 15.0)
    assert c["capital_cost_usd_bn"].sum() == pytest.approx(total_return, rel=1e-9)
    assert float(charge["return_on_capital_usd_bn"]) > 0
