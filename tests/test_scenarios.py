"""Scenario comparison: every scenario computed, ranges ordered, drivers add up."""

import pytest

from analysis import assumptions, risk, roadmap, scenarios


@pytest.fixture(scope="module")
def table():
    return scenarios.compare(n_draws=5000)


def test_every_scenario_is_compared(table):
    assert list(table["scenario"]) == assumptions.scenario_names()
    for _, r in table.iterrows():
        df = roadmap.run(assumptions.load(r["scenario"]))
        assert r["capex_cum_usd_bn"] == pytest.approx(df["capex_cum_usd_bn"].iloc[-1])
        assert r["mc_gw_milestone_p10"] <= r["mc_gw_milestone_p50"] <= r["mc_gw_milestone_p90"]


def test_a_variant_is_added_and_ranges_cover_it():
    sc = assumptions.resolve("base", {"target_power_gw": 4.0})
    t = scenarios.compare(sc, n_draws=2000)
    assert len(t) == len(assumptions.scenario_names()) + 1
    lo, hi = scenarios.ranges(t)["gw_end"]
    assert lo == pytest.approx(4.0) and hi >= lo


def test_drivers_plus_interaction_equal_the_difference_from_base():
    drv = scenarios.drivers()
    base = assumptions.load("base")
    bh = risk.headlines(base, roadmap.compute(base))
    for name in assumptions.scenario_names()[1:]:
        sc = assumptions.resolve(name)
        h = risk.headlines(sc.assumptions, roadmap.compute(sc.assumptions))
        d = drv[drv["scenario"] == sc.title]
        for out in ("gw_milestone", "capex_cum_usd_bn", "investment_cum_usd_bn", "energy_twh_end"):
            assert d[out].sum() == pytest.approx(float(h[out][0] - bh[out][0]), abs=1e-6)


def test_counterfactual_investment_gap_is_driven_by_the_structure():
    # The letter of intent against the reported path: tranches instead of the fixed $30bn stake.
    drv = scenarios.drivers()
    name, value = scenarios.main_driver(drv, assumptions.resolve("letter-of-intent").title, "investment_cum_usd_bn")
    base = assumptions.load("base")
    tranches = min(base.investment_cap_usd_bn, base.investment_per_gw_usd_bn * sum(base.schedule_gw_per_half))
    assert name == "investment_structure" and value == pytest.approx(tranches - 30.0)
