"""The risk register and the Monte Carlo: invariants, reproducibility, known answers, speed."""

import time

import numpy as np
import pytest

from analysis import assumptions, data, risk, roadmap

SPREADS = ("mc_pace_sigma", "mc_capex_overrun_sigma", "mc_nvidia_price_sigma", "mc_capex_change_sd_pct",
           "mc_pue_sd", "mc_utilisation_sd")


def no_variance() -> dict:
    """Overrides that switch off every spread and every risk."""
    z = {k: 0.0 for k in SPREADS}
    z |= {r["likelihood"]: 0.0 for _, r in data.table("risks").iterrows()}
    return z


@pytest.mark.parametrize("name", assumptions.scenario_names())
def test_quantiles_are_ordered(name):
    a = assumptions.load(name)
    fan = risk.fan(a, risk.simulate(a, n=20_000))
    assert (fan["p10"] <= fan["p50"] + 1e-12).all() and (fan["p50"] <= fan["p90"] + 1e-12).all()
    assert set(fan["metric"]) == set(risk.METRICS)


@pytest.mark.parametrize("name", assumptions.scenario_names())
def test_zero_variance_reproduces_the_deterministic_model(name):
    a = assumptions.load(name, no_variance())
    sim = risk.simulate(a, n=500)
    det = roadmap.compute(a)
    for k in risk.METRICS:
        assert np.array_equal(sim[k], np.broadcast_to(det[k], sim[k].shape)), k
    fan = risk.fan(a, sim)
    assert np.array_equal(fan["p10"], fan["deterministic"]) and np.array_equal(fan["p90"], fan["deterministic"])


def test_same_seed_same_draws_and_other_seed_same_conclusions():
    a = assumptions.load("base")
    one, two = risk.simulate(a, n=50_000), risk.simulate(a, n=50_000)
    for k in risk.METRICS:
        assert np.array_equal(one[k], two[k])
    other = risk.simulate(a, n=50_000, seed=a.mc_seed + 1)
    assert not np.array_equal(one["online_gw"], other["online_gw"])
    h1, h2 = risk.headlines(a, one), risk.headlines(a, other)
    for k in h1:
        se = np.sqrt(h1[k].var() / len(h1[k]) + h2[k].var() / len(h2[k]))
        assert abs(h1[k].mean() - h2[k].mean()) <= 5 * se + 1e-9, k
    s1, s2 = risk.stats(a, one), risk.stats(a, other)
    p = s1["p_first_capacity_on_time"]
    assert abs(p - s2["p_first_capacity_on_time"]) <= 5 * np.sqrt(2 * p * (1 - p) / 50_000)


def test_seed_is_an_assumption():
    a = assumptions.load("base", {"mc_seed": 7})
    b = assumptions.load("base")
    assert not np.array_equal(risk.simulate(a, n=1000)["online_gw"], risk.simulate(b, n=1000)["online_gw"])


def test_register_names_schema_assumptions_and_varied_parameters():
    assert risk.check_register() == []
    reg = data.table("risks")
    assert len(reg) >= 10
    cats = set(reg["category"])
    for c in ("energy and grid", "regulation and antitrust", "supply chain", "technology obsolescence and lock-in",
              "rigidity of per-gigawatt tranches", "circular financing", "demand and revenue"):
        assert c in cats, c


def test_register_check_fails_on_unvaried_parameter_or_unknown_assumption():
    reg = data.table("risks")
    bad = reg.copy()
    bad.loc[0, "parameters"] = "horizon_end_half"
    bad.loc[1, "likelihood"] = "no_such_assumption"
    problems = risk.check_register(bad)
    assert any("horizon_end_half" in p for p in problems)
    assert any("no_such_assumption" in p for p in problems)


def test_every_risk_moves_the_monte_carlo_outputs():
    """Each risk, made certain while all else is still, changes some output of the draws."""
    a = assumptions.load("base", no_variance())
    for r in risk.risks(a):
        on = risk.simulate(assumptions.load("base", no_variance() | {r.likelihood: 1.0}), n=10)
        off = risk.simulate(a, n=10)
        moved = any(not np.allclose(on[k], off[k]) for k in risk.METRICS)
        if not moved:  # platform and PUE risks show up in compute and energy, not only in the fan metrics
            full_on = roadmap.compute(a, draws=risk.sample(assumptions.load("base", no_variance() | {r.likelihood: 1.0}), 10))
            full_off = roadmap.compute(a, draws=risk.sample(a, 10))
            moved = any(not np.allclose(full_on[k], full_off[k]) for k in full_on if k != "half")
        assert moved, r.risk_id


def test_a_certain_one_half_slip_shifts_the_plan_by_one_half():
    a = assumptions.load("base", no_variance() | {"risk_grid_probability": 1.0, "risk_grid_slip_halves": 1})
    sim = risk.simulate(a, n=3)
    det = roadmap.compute(assumptions.load("base"))
    assert sim["online_gw"][0, 0] == 0.0
    assert np.allclose(sim["online_gw"][0, 1:], det["online_gw"][0, :-1])


def test_slower_pace_delays_but_does_not_shrink_the_build():
    a = assumptions.load("base", {"schedule_gw_per_half": (1.0, 1.0), "horizon_end_half": 2031.5})
    d = roadmap.Draws(pace_factor=np.array([1.0, 0.5]))
    out = roadmap.compute(a, draws=d)
    assert out["online_gw"][0, -1] == pytest.approx(2.0)
    assert out["online_gw"][1, -1] == pytest.approx(2.0)
    assert out["online_gw"][1, 1] == pytest.approx(1.0)  # half the pace: 1 GW after two halves


def test_risk_effects_known_answer():
    a = assumptions.load("base")
    eff = risk.effects(a).set_index("risk_id")
    # The tranche risk withholds half of each $10bn tranche: $50bn less by the horizon, GW unchanged.
    assert eff.at["tranche", "delta_investment_cum_usd_bn"] == pytest.approx(-100.0 * a.risk_tranche_withheld_share)
    assert eff.at["tranche", "delta_gw_milestone"] == 0.0
    assert eff.at["tranche", "expected_investment_cum_usd_bn"] == pytest.approx(
        a.risk_tranche_probability * -100.0 * a.risk_tranche_withheld_share)


def test_100k_draws_of_the_full_roadmap_under_one_second_cpu():
    a = assumptions.load("base")
    assert a.mc_draws >= 100_000
    risk.simulate(a, n=1000)  # warm caches (data tables)
    best = float("inf")
    for _ in range(3):
        t = time.process_time()
        roadmap.compute(a, draws=risk.sample(a))
        best = min(best, time.process_time() - t)
    assert best < 1.0, f"{best:.2f} s CPU for {a.mc_draws} draws"
