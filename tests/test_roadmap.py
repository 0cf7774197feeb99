"""Known-answer tests of the compute-roadmap model."""

import numpy as np
import pytest

from analysis import roadmap
from analysis.assumptions import Assumptions


def make(**kw) -> Assumptions:
    base = dict(schedule_gw_per_half=(1.0,), pue=1.25, non_accelerator_it_share=0.2, utilisation=0.5,
                adoption_lag_halves=0, platform_delay_halves=0, capex_change_pct_per_year=0.0,
                horizon_end_half=2028.0)
    base.update(kw)
    return Assumptions(**base)


def test_one_gigawatt_by_hand(platforms):
    df = roadmap.run(make(), platforms)
    first = df.iloc[0]
    # 1 GW facility / PUE 1.25 = 0.8 GW IT; 80% in racks = 0.64 GW = 640,000 kW / 200 kW = 3,200 racks.
    assert first["it_power_gw"] == pytest.approx(0.8)
    assert first["racks_installed"] == pytest.approx(3200)
    assert first["accelerators_installed"] == pytest.approx(3200 * 72)
    assert first["dies_installed"] == pytest.approx(3200 * 72 * 2)
    assert first["fp4_dense_eflops"] == pytest.approx(3200 * 3600 / 1000)
    # 1 GW x 8,760 h x 50% = 4,380 GWh = 4.38 TWh a year.
    assert first["energy_twh_per_year"] == pytest.approx(4.38)
    assert first["capex_usd_bn"] == pytest.approx(50.0)
    assert first["capex_nvidia_usd_bn"] == pytest.approx(35.0)
    assert first["investment_cum_usd_bn"] == pytest.approx(10.0)
    assert first["platform"] == "Vera Rubin NVL72"


def test_accelerators_scale_linearly_with_gw(platforms):
    one = roadmap.run(make(schedule_gw_per_half=(1.0,)), platforms)
    three = roadmap.run(make(schedule_gw_per_half=(3.0,)), platforms)
    for col in ("racks_installed", "accelerators_installed", "fp4_dense_eflops", "energy_twh_per_year",
                "capex_cum_usd_bn"):
        assert three[col].iloc[0] == pytest.approx(3 * one[col].iloc[0])


def test_flat_schedule_gives_linear_ramp(platforms):
    df = roadmap.run(make(schedule_gw_per_half=(1.0,) * 4, horizon_end_half=2028.0), platforms)
    assert list(df["online_gw"]) == pytest.approx([1.0, 2.0, 3.0, 4.0])
    assert np.diff(df["energy_twh_per_year"]) == pytest.approx([4.38] * 3)


def test_newer_platform_takes_over_when_available(platforms):
    df = roadmap.run(make(schedule_gw_per_half=(1.0, 1.0, 1.0), horizon_end_half=2027.5), platforms)
    assert list(df["platform"]) == ["Vera Rubin NVL72", "Vera Rubin NVL72", "Rubin Ultra NVL144"]
    # Rubin Ultra: 0.64 GW / 600 kW = 1,066.7 racks of 144 packages.
    added = df["accelerators_installed"].diff().iloc[2]
    assert added == pytest.approx(0.64e6 / 600 * 144)
    delayed = roadmap.run(make(schedule_gw_per_half=(1.0, 1.0, 1.0), platform_delay_halves=1), platforms)
    assert list(delayed["platform"]).count("Rubin Ultra NVL144") == 0


def test_investment_never_exceeds_cap(platforms):
    df = roadmap.run(make(schedule_gw_per_half=(5.0, 5.0, 5.0), target_power_gw=50.0,
                          investment_cap_usd_bn=100.0, horizon_end_half=2028.0), platforms)
    assert df["investment_cum_usd_bn"].max() == pytest.approx(100.0)
    assert (df["investment_released_usd_bn"] >= -1e-12).all()
    assert df["investment_released_usd_bn"].sum() == pytest.approx(100.0)


def test_equity_structure_pays_once(platforms):
    df = roadmap.run(make(investment_structure="equity", equity_investment_usd_bn=30.0,
                          equity_investment_half=2026.0), platforms)
    assert df["half"].iloc[0] == 2026.0
    assert df["investment_released_usd_bn"].sum() == pytest.approx(30.0)
    assert df["investment_released_usd_bn"].iloc[0] == pytest.approx(30.0)


def test_it_power_basis_multiplies_facility_power(platforms):
    df = roadmap.run(make(power_basis="it"), platforms)
    assert df["facility_power_gw"].iloc[0] == pytest.approx(1.25)
    assert df["racks_installed"].iloc[0] == pytest.approx(0.8e6 / 200)


def test_deployment_capped_at_target(platforms):
    df = roadmap.run(make(schedule_gw_per_half=(4.0, 4.0, 4.0), target_power_gw=10.0), platforms)
    assert df["online_gw"].max() == pytest.approx(10.0)


def test_units_consistent_energy_equals_power_times_hours(platforms):
    a = make(schedule_gw_per_half=(2.0, 1.0))
    df = roadmap.run(a, platforms)
    assert np.allclose(df["energy_twh_per_year"], df["facility_power_gw"] * 8760 * a.utilisation / 1000)
    assert np.allclose(df["capex_cum_usd_bn"], df["online_gw"] * a.capex_total_usd_bn_per_gw)


def test_capex_trend_compounds_per_year(platforms):
    df = roadmap.run(make(schedule_gw_per_half=(1.0, 0.0, 1.0), capex_change_pct_per_year=-10.0), platforms)
    assert df["capex_usd_bn"].iloc[2] == pytest.approx(50.0 * 0.9)


def test_draws_without_variation_reproduce_deterministic(platforms):
    a = make(schedule_gw_per_half=(1.0, 2.0))
    det = roadmap.compute(a, platforms)
    many = roadmap.compute(a, platforms, roadmap.Draws(pue=np.full(5, a.pue), slip_halves=np.zeros(5, int)))
    for key in ("online_gw", "accelerators_installed", "energy_twh_per_year", "investment_cum_usd_bn"):
        assert np.allclose(many[key], det[key])
