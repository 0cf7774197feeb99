"""Carbon and water: unit conversions and arithmetic with known answers."""

from __future__ import annotations

import pytest

from analysis import assumptions, data, emissions


def test_emissions_known_answers():
    assert float(emissions.emissions_mt(10.0, 0.35)) == pytest.approx(3.5)  # 10 TWh x 0.35 t/MWh = 3.5 Mt
    g = emissions.intensities().set_index("case_id")
    assert g.at["us_average", "value_t_per_mwh"] == pytest.approx(770.884 * 0.45359237e-3)
    assert g.at["low_carbon", "value_t_per_mwh"] == pytest.approx(0.012)  # 12 g/kWh = 12 kg/MWh


def test_water_known_answers():
    assert float(emissions.water_gl(12.0, 0.5, "it", pue=1.2)) == pytest.approx(5.0)      # 10 TWh IT x 0.5 L/kWh
    assert float(emissions.water_gl(12.0, 0.5, "facility", pue=1.2)) == pytest.approx(6.0)
    with pytest.raises(ValueError, match="basis"):
        emissions.water_gl(1.0, 1.0, "site")


def test_sites_intensity_is_a_gw_weighted_mean_of_subregions():
    s = data.table("sites")
    us = s[(s["planned_gw"] > 0) & (s["egrid_subregion"] != "") & (s["status"] != "in talks")]
    rates = emissions.intensities().set_index("region")["value_t_per_mwh"]
    expect = sum(rates[r] * gw for r, gw in zip(us["egrid_subregion"], us["planned_gw"])) / us["planned_gw"].sum()
    assert emissions.sites_intensity() == pytest.approx(expect)
    assert rates.min() <= emissions.sites_intensity() <= rates.max()


def test_full_build_uses_the_peak_energy():
    a = assumptions.load("base")
    f = emissions.full_build(a)
    y = emissions.by_year(a)
    assert f["mt_us_average"] == pytest.approx(f["energy_twh"] * f["t_per_mwh_us_average"])
    assert y.groupby("case_id")["emissions_mt"].max()["us_average"] <= f["mt_us_average"] + 1e-9
