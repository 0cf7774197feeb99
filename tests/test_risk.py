"""The risk register and the Monte Carlo: known answers, time windows, correlation, upside, speed."""

import time

import numpy as np
import pandas as pd
import pytest

from analysis import assumptions, calibration, data, risk, roadmap

SPREADS = ("mc_pace_sigma", "mc_capex_overrun_sigma", "mc_nvidia_price_sigma", "mc_capex_change_sd_pct",
           "mc_pue_sd", "mc_utilisation_sd")
#: A data date in the middle of H1 2026 (the programme's default first half-year is H2 2026).
DATE = "2026-03-01"


def no_variance() -> dict:
    """Overrides that switch off every spread and every risk."""
    z = {k: 0.0 for k in SPREADS}
    z |= {r: 0.0 for r in data.table("risks")["likelihood"] if r}
    return z


def row(risk_id: str, **kw) -> dict:
    """One register row: a downside that pauses the build, unless told otherwise."""
    base = dict(risk_id=risk_id, name=risk_id.replace("_", " ").capitalize(), direction="downside",
                category="test", description="A test risk.", effect="pause", likelihood="risk_grid_probability",
                basis="per half-year", window_from="data", window_to="build_end", impact="risk_grid_slip_halves",
                factor="", applies_when="", occurred="", folded_when="", source_id="assumption_tengw")
    return base | kw


def table(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=data.TABLES["risks"].columns)


def quiet(**kw) -> assumptions.Assumptions:
    """Base assumptions with no spreads, plus overrides."""
    return assumptions.load("base", {k: 0.0 for k in SPREADS} | kw)


# --- Known answers ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", assumptions.scenario_names())
def test_all_hazards_zero_reproduces_the_deterministic_model(name):
    a = assumptions.load(name, no_variance())
    sim = risk.simulate(a, n=2000, chunk=700)
    det = roadmap.compute(a)
    for k in risk.METRICS:
        assert np.array_equal(sim.paths[k], np.broadcast_to(det[k], sim.paths[k].shape)), k
    fan = risk.fan(a, sim)
    assert np.array_equal(fan["p10"], fan["deterministic"]) and np.array_equal(fan["p90"], fan["deterministic"])
    st = risk.stats(a, sim)
    assert st["p_target_by_horizon"] == 1.0 and st["p_first_capacity_on_time"] == 1.0
    assert st["p_behind_at_milestone"] == 0.0 and st["p_ahead_at_milestone"] == 0.0
    assert st["gw_milestone_p10"] == st["gw_milestone_det"] == st["gw_milestone_p90"]


@pytest.mark.parametrize("name", assumptions.scenario_names())
def test_quantiles_are_ordered(name):
    a = assumptions.load(name)
    fan = risk.fan(a, risk.simulate(a, n=20_000))
    assert (fan["p10"] <= fan["p50"] + 1e-12).all() and (fan["p50"] <= fan["p90"] + 1e-12).all()
    assert set(fan["metric"]) == set(risk.METRICS)


def test_a_certain_pause_before_the_start_shifts_the_plan_by_one_half():
    a = quiet(risk_grid_probability=1.0)
    p = risk.plan(a, table(row("late", window_from="data", window_to="start")), data_date=DATE)
    sim = risk.simulate(a, n=50, p=p)
    det = roadmap.compute(a)["online_gw"][0]
    assert (sim.paths["online_gw"][:, 0] == 0.0).all()
    assert np.allclose(sim.paths["online_gw"][:, 1:], det[:-1])


def test_a_pause_mid_programme_delays_only_what_follows():
    a = quiet(risk_grid_probability=1.0)
    p = risk.plan(a, table(row("mid", window_from="2027.5", window_to="2027.5")), data_date=DATE)
    got = risk.simulate(a, n=10, p=p).paths["online_gw"][0]
    det = roadmap.compute(a)["online_gw"][0]
    k = int(np.searchsorted(roadmap.time_axis(a), 2027.5))  # the half-year paused, on the model's axis
    assert np.allclose(got[:k], det[:k]) and got[k] == got[k - 1] and np.allclose(got[k + 1:], det[k:-1])


def test_a_cost_overrun_applies_only_to_what_is_built_after_it_strikes():
    a = quiet(risk_construction_cost_probability=1.0, risk_construction_cost_overrun_share=0.2)
    p = risk.plan(a, table(row("cost", effect="capex_other", likelihood="risk_construction_cost_probability",
                               basis="over window", window_from="2027.5", window_to="2027.5",
                               impact="risk_construction_cost_overrun_share")), data_date=DATE)
    eff = risk.effects(a, p).iloc[0]
    df = roadmap.run(a)
    later = df.loc[df["half"] >= 2027.5, "added_gw"].sum()
    other = a.capex_total_usd_bn_per_gw - a.capex_nvidia_usd_bn_per_gw
    assert eff["delta_capex_cum_usd_bn"] == pytest.approx(0.2 * other * later)


def test_a_risk_whose_window_closed_before_the_data_date_is_not_drawn():
    a = quiet(risk_grid_probability=1.0)
    reg = table(row("closed", window_from="2025.5", window_to="2025.5"), row("open"))
    p = risk.plan(a, reg, data_date=DATE)
    assert [e.risk_id for e in p.events] == ["open"]
    status = p.register.set_index("risk_id")["status"]
    assert status["closed"] == "closed" and status["open"] == "drawn"
    sim = risk.simulate(a, n=100, p=p)
    assert sim.struck.tolist() == [100]


def test_the_part_of_a_window_already_past_is_not_drawn():
    a = quiet(risk_regulation_probability=0.4)
    r = row("w", likelihood="risk_regulation_probability", basis="over window", window_from="2026.0",
            window_to="2027.5", impact="risk_regulation_slip_halves")
    before = risk.plan(a, table(r), data_date="2025-12-31").events[0]
    half_past = risk.plan(a, table(r), data_date="2026-12-31").events[0]
    assert before.probability == pytest.approx(0.4)
    assert half_past.probability == pytest.approx(1 - 0.6 ** (2 / 4), abs=0.005)  # two of four halves left
    h, left = risk.data_half("2026-04-01")
    assert h == 2026.0 and left == pytest.approx((2026.5 - risk.decimal_year("2026-04-01")) / 0.5)


def test_a_happened_event_is_folded_or_set_aside_never_drawn():
    reg = table(row("loi", effect="", likelihood="", basis="happened", window_from="", window_to="", impact="",
                    occurred="2026-02-27", folded_when="investment_structure == equity"))
    equity = risk.plan(quiet(investment_structure="equity"), reg, data_date=DATE)
    tranches = risk.plan(quiet(investment_structure="tranches"), reg, data_date=DATE)
    assert not equity.events and not tranches.events
    assert equity.register["status"].tolist() == ["happened"]
    assert tranches.register["status"].tolist() == ["set aside"]


def test_no_edition_without_tranches_has_a_tranche_risk_and_registers_differ():
    equity = risk.plan(assumptions.load("base", {"investment_structure": "equity"}))
    tranches = risk.plan(assumptions.load("base", {"investment_structure": "tranches"}))
    assert "tranche" not in set(equity.register["risk_id"]) | {e.risk_id for e in equity.events}
    assert "tranche" in {e.risk_id for e in tranches.events}
    assert not equity.register[["risk_id", "status"]].equals(tranches.register[["risk_id", "status"]])
    for name in assumptions.scenario_names():
        a = assumptions.load(name)
        ids = {e.risk_id for e in risk.plan(a).events}
        assert ("tranche" in ids) == (a.investment_structure == "tranches"), name


def _pair(a, p1: float, p2: float, second: str = "downside"):
    """Two risks tied to the build climate over the same window, with likelihoods p1 and p2."""
    window = dict(factor="build", basis="over window", window_from="2026.5", window_to="2028.0")
    r1 = row("first", likelihood="risk_hbm_probability", **window)
    if second == "downside":
        r2 = row("second", likelihood="risk_lockin_probability", **window)
    else:
        r2 = row("second", direction="upside", effect="pace", likelihood="upside_fast_power_probability",
                 impact="upside_fast_power_pace_gain_share", **window)
    b = a.model_copy(update={"risk_hbm_probability": p1, "risk_lockin_probability": p2,
                             "upside_fast_power_probability": p2})
    return b, risk.plan(b, table(r1, r2), data_date=DATE)


def test_at_full_correlation_two_risks_sharing_a_driver_strike_together():
    a, p = _pair(quiet(risk_correlation=1.0), 0.3, 0.6)
    on = risk.sample_onsets(p, np.random.default_rng(3), 40_000)
    rare, common = on[:, 0] < risk.NEVER, on[:, 1] < risk.NEVER
    assert rare.mean() == pytest.approx(0.3, abs=0.01) and common.mean() == pytest.approx(0.6, abs=0.01)
    assert not (rare & ~common).any()                       # the rarer strikes only with the other
    assert (on[rare, 1] <= on[rare, 0]).all()               # and never first


def test_correlation_is_the_share_of_draws_that_follow_the_driver():
    for rho in (0.0, 0.5):
        a, p = _pair(quiet(risk_correlation=rho), 0.3, 0.6)
        on = risk.sample_onsets(p, np.random.default_rng(4), 200_000)
        both = ((on[:, 0] < risk.NEVER) & (on[:, 1] < risk.NEVER)).mean()
        assert both == pytest.approx(rho * 0.3 + (1 - rho) * 0.3 * 0.6, abs=0.005), rho


def test_at_full_correlation_an_upside_and_a_downside_of_one_driver_exclude_each_other():
    a, p = _pair(quiet(risk_correlation=1.0), 0.3, 0.4, second="upside")
    on = risk.sample_onsets(p, np.random.default_rng(5), 40_000)
    assert not ((on[:, 0] < risk.NEVER) & (on[:, 1] < risk.NEVER)).any()


def test_symmetric_upside_and_downside_put_the_plan_inside_p10_p90():
    down = row("slow", effect="pace", likelihood="risk_hbm_probability", basis="over window",
               window_from="2026.5", window_to="2028.0", impact="risk_hbm_pace_loss_share")
    up = row("fast", direction="upside", effect="pace", likelihood="upside_fast_power_probability",
             basis="over window", window_from="2026.5", window_to="2028.0", impact="upside_fast_power_pace_gain_share")
    a = quiet(risk_hbm_probability=0.5, risk_hbm_pace_loss_share=0.2, upside_fast_power_probability=0.5,
              upside_fast_power_pace_gain_share=0.2, risk_correlation=0.0)
    only_down = risk.stats(a, risk.simulate(a, 20_000, p=risk.plan(a, table(down), data_date=DATE)))
    assert only_down["gw_milestone_p90"] <= only_down["gw_milestone_det"] + 1e-9   # downside only: plan on top
    both = risk.stats(a, risk.simulate(a, 20_000, p=risk.plan(a, table(down, up), data_date=DATE)))
    assert both["gw_milestone_p10"] < both["gw_milestone_det"] < both["gw_milestone_p90"]


def test_every_effect_moves_the_headline_it_hurts():
    a = quiet(investment_structure="tranches")
    units = {"halves": "risk_grid_slip_halves", "share": "risk_hbm_pace_loss_share", "ratio": "risk_cooling_pue_increase"}
    for effect, (unit, _) in risk.EFFECTS.items():
        basis = "per launch" if effect == "platform" else "over window"
        r = row(effect, effect=effect, basis=basis, likelihood="risk_roadmap_probability" if effect == "platform"
                else "risk_hbm_probability", impact=units[unit], window_from="2026.5",
                window_to="horizon" if effect == "platform" else "2026.5")
        b = a.model_copy(update={"risk_hbm_probability": 1.0, "risk_roadmap_probability": 1.0})
        eff = risk.effects(b, risk.plan(b, table(r), data_date=DATE))
        assert (eff[f"delta_{risk.HURTS[effect]}"].abs() > 1e-6).all(), effect


def test_tranche_withholding_known_answer():
    a = quiet(investment_structure="tranches", risk_tranche_probability=1.0, risk_tranche_withheld_share=0.5)
    r = row("tranche", effect="tranche", likelihood="risk_tranche_probability", window_from="start",
            window_to="start", impact="risk_tranche_withheld_share")
    eff = risk.effects(a, risk.plan(a, table(r), data_date=DATE)).iloc[0]
    # Half of every $10bn tranche withheld from the first gigawatt on: half the tranches of every GW online by
    # the horizon, GW unchanged.
    online = float(roadmap.compute(a)["online_gw"][0, -1])
    assert eff["delta_investment_cum_usd_bn"] == pytest.approx(-0.5 * a.investment_per_gw_usd_bn * online)
    assert eff["delta_gw_milestone"] == 0.0


# --- Reproducibility and the register -----------------------------------------------------------


def test_same_seed_same_draws_whatever_the_chunk_size_and_other_seed_same_conclusions():
    a = assumptions.load("base")
    one, two = risk.simulate(a, n=30_000, chunk=7_000), risk.simulate(a, n=30_000, chunk=30_000)
    for k in one.headlines:
        assert np.array_equal(one.headlines[k], two.headlines[k]), k
    other = risk.simulate(a, n=30_000, seed=a.mc_seed + 1)
    assert not np.array_equal(one.headlines["gw_milestone"], other.headlines["gw_milestone"])
    s1, s2 = risk.stats(a, one), risk.stats(a, other)
    for k in ("p_target_by_horizon", "p_behind_at_milestone"):
        p = s1[k]
        assert abs(p - s2[k]) <= 5 * np.sqrt(2 * p * (1 - p) / 30_000) + 1e-9, k
    b = assumptions.load("base", {"mc_seed": 7})
    assert not np.array_equal(risk.simulate(b, n=1000).headlines["gw_end"], risk.simulate(a, n=1000).headlines["gw_end"])


def test_register_is_consistent_with_the_schema():
    assert risk.check_register() == []
    reg = data.table("risks")
    cats = set(reg["category"])
    for c in ("energy and grid", "regulation and antitrust", "supply chain", "technology obsolescence and lock-in",
              "rigidity of per-gigawatt tranches", "circular financing", "demand and revenue"):
        assert c in cats, c
    assert {"downside", "upside"} <= set(reg["direction"])


def test_register_check_catches_each_kind_of_mistake():
    reg = data.table("risks").set_index("risk_id")
    bad = reg.copy()
    bad.loc["grid", "effect"] = "teleport"
    bad.loc["electrical", "likelihood"] = "no_such_assumption"
    bad.loc["hbm", "impact"] = "risk_grid_slip_halves"              # halves where a share is needed
    bad.loc["lockin", "likelihood"] = "risk_grid_probability"      # per half-year where 'over window' is stated
    bad.loc["cooling", "window_to"] = "someday"
    bad.loc["tranche", "applies_when"] = "investment_style == tranches"
    problems = " | ".join(risk.check_register(bad.reset_index()))
    for needle in ("teleport", "no_such_assumption", "needs 'share'", "share per half-year", "someday",
                   "investment_style"):
        assert needle in problems, needle


def test_likelihoods_match_their_reference_classes_and_drift_is_caught():
    assert calibration.check() == []
    cal = data.table("risk_calibration")
    assert set(cal["risk_id"]) == set(data.table("risks")["risk_id"])
    t = calibration.table()
    assert t.set_index("risk_id").at["platform_slip", "reference_rate"] == pytest.approx(0.25)
    drifted = calibration.check(assumptions.load("base", {"risk_roadmap_probability": 0.4}))
    assert any("platform_slip" in p for p in drifted)
    drifted = calibration.check(assumptions.load("base", {"risk_grid_probability": 0.2}))
    assert any("grid" in p for p in drifted)


def test_judgement_variants_move_the_way_they_should():
    a = assumptions.load("base")
    j = risk.judgement(a, n=20_000).set_index("variant")
    base = risk.stats(a, risk.simulate(a, 20_000))
    assert j.iloc[0]["p_target_by_horizon"] == base["p_target_by_horizon"]
    lo, hi = (f"Downside likelihoods ×{s:g}" for s in a.judgement_likelihood_scales)
    assert j.at[lo, "p_target_by_horizon"] > j.iloc[0]["p_target_by_horizon"] > j.at[hi, "p_target_by_horizon"]
    assert risk.spread(j.reset_index(), "p_target_by_horizon")[0] <= j.at[hi, "p_target_by_horizon"]


# --- Speed ------------------------------------------------------------------------------------


def test_a_million_draws_of_the_full_roadmap_run_in_chunks_fast():
    a = assumptions.load("base")
    p = risk.plan(a)
    risk.simulate(a, n=20_000, p=p)  # warm caches (data tables)
    t = time.process_time()
    sim = risk.simulate(a, n=1_000_000, p=p)
    cpu = time.process_time() - t
    assert sim.paths["online_gw"].shape[0] == risk.FAN_DRAWS  # paths kept for the fans only, not per draw
    assert cpu < 4.0, f"{cpu:.2f} s CPU for 1,000,000 draws"  # ~1 s on one core; generous for CI
