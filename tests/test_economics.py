"""Known-answer tests of the economics model on a simple 1 GW programme ($50bn, $35bn NVIDIA content)."""

import numpy as np
import pytest

from analysis import data, economics, roadmap
from analysis.assumptions import Assumptions


def make(**kw) -> Assumptions:
    base = dict(schedule_gw_per_half=(1.0,), pue=1.25, non_accelerator_it_share=0.2, utilisation=0.5,
                adoption_lag_halves=0, platform_delay_halves=0, capex_change_pct_per_year=0.0,
                horizon_end_half=2028.0, electricity_price_usd_per_mwh=100.0, gpu_useful_life_years=5.0,
                facility_life_years=15.0, nvidia_gross_margin=0.7, openai_revenue_growth_pct_per_year=100.0)
    base.update(kw)
    return Assumptions(**base)


def annuity(capital: float, life: float, rate: float = 0.08) -> float:
    """The level yearly payment that repays `capital` over `life` years at `rate` (by hand)."""
    return capital * rate / (1 - (1 + rate) ** -life)


def test_capex_split_and_recycling_by_hand(platforms):
    a = make()
    df = roadmap.run(a, platforms)
    c = economics.capex_split(a, df).iloc[0]
    assert (c["capex_nvidia_usd_bn_per_gw"], c["capex_other_usd_bn_per_gw"]) == pytest.approx((35.0, 15.0))
    r = economics.recycling(a, df).iloc[0]
    # $10bn invested per $35bn of NVIDIA revenue: 28.6 cents per dollar; $25bn net; 0.7 x 35 = $24.5bn gross profit.
    assert r["recycling_ratio"] == pytest.approx(10 / 35)
    assert r["net_to_nvidia_usd_bn"] == pytest.approx(25.0)
    assert r["nvidia_gross_profit_usd_bn"] == pytest.approx(24.5)
    k = economics.key_numbers(a, df)
    assert k["recycling_ratio"] == pytest.approx(10 / 35) and k["revenue_per_invested_usd"] == pytest.approx(3.5)
    assert k["investment_to_gross_profit"] == pytest.approx(10 / 24.5)


def test_equity_recycling_nets_across_halves(platforms):
    a = make(investment_structure="equity", equity_investment_usd_bn=30.0, equity_investment_half=2026.0,
             schedule_gw_per_half=(1.0, 1.0))
    r = economics.recycling(a, roadmap.run(a, platforms))
    # H1 2026: -30 (investment, no revenue); then +35 per GW.
    assert list(r["net_to_nvidia_usd_bn"][:3]) == pytest.approx([-30.0, 35.0, 35.0])
    assert r["recycling_ratio_cum"].iloc[-1] == pytest.approx(30 / 70)


def test_depreciation_by_hand(platforms):
    a = make()
    d = economics.depreciation(a, (5.0,), roadmap.run(a, platforms))
    # NVIDIA $35bn over 5 years = $3.5bn a half; other $15bn over 15 years = $0.5bn a half.
    assert list(d["depreciation_usd_bn"]) == pytest.approx([4.0, 4.0, 4.0, 4.0])
    assert list(d["nvidia_part_usd_bn"]) == pytest.approx([3.5] * 4)


@pytest.mark.parametrize("life", [1.0, 2.25, 3.0])
def test_depreciation_writes_off_exactly_the_cost(platforms, life):
    a = make(horizon_end_half=2035.5, facility_life_years=5.0)
    d = economics.depreciation(a, (life,), roadmap.run(a, platforms))
    assert d["nvidia_part_usd_bn"].sum() == pytest.approx(35.0)
    assert d["depreciation_usd_bn"].sum() == pytest.approx(50.0)
    assert d["nvidia_part_usd_bn"].max() == pytest.approx(35.0 / (2 * life) if life >= 0.5 else 35.0)


def test_funding_by_hand(platforms):
    a = make()
    f = economics.funding(a, roadmap.run(a, platforms)).set_index("year")
    assert f.at[2026, "funding_need_usd_bn"] == pytest.approx(40.0)  # 50 capex - 10 investment
    # Revenue doubles a year from the sourced 2025 figure.
    assert f.at[2026, "openai_revenue_usd_bn"] == pytest.approx(2 * data.fact("openai_revenue_2025_usd_bn"))
    # 2027: a full year of capital charge (each part repaid as an annuity at 8% over its life) plus
    # electricity 4.38 TWh x $100/MWh = $0.438bn.
    assert f.at[2027, "carrying_cost_usd_bn"] == pytest.approx(annuity(35, 5) + annuity(15, 15) + 0.438)
    # The source's horizon is 2030: no revenue is projected past it.
    late = economics.funding(make(horizon_end_half=2031.5), roadmap.run(make(horizon_end_half=2031.5), platforms))
    assert late.set_index("year")["openai_revenue_usd_bn"].loc[2031] != late.set_index("year")["openai_revenue_usd_bn"].loc[2031]


def test_compute_cost_by_hand(platforms):
    a = make(schedule_gw_per_half=(1.0, 0.0, 1.0))  # Vera Rubin in H2 2026, Rubin Ultra in H2 2027
    c = economics.compute_cost(a, platforms).set_index("platform")
    vr = c.loc["Vera Rubin NVL72"]
    # 1 GW / 1.25 x 0.8 = 0.64 GW in racks / 200 kW = 3,200 racks x 1,200 PFLOP/s = 3.84m PFLOP/s.
    assert vr["fp8_pflops_per_gw"] == pytest.approx(3.84e6)
    assert vr["capex_usd_per_fp8_pflops"] == pytest.approx(50e9 / 3.84e6)
    # Annual cost: the capital charge (35 over 5 years and 15 over 15 at 8%) + $0.438bn of power, over
    # 230,400 packages x 8,760 h.
    annual = annuity(35, 5) + annuity(15, 15) + 0.438
    assert vr["usd_per_package_hour"] == pytest.approx(annual * 1e9 / (230_400 * 8760))
    ru = c.loc["Rubin Ultra NVL144"]
    assert ru["capex_usd_per_fp8_pflops"] == pytest.approx(50e9 / (0.64e6 / 600 * 5000))
    trend = economics.trend_pct_per_year(c.reset_index())
    assert trend == pytest.approx((ru["capex_usd_per_fp8_pflops"] / vr["capex_usd_per_fp8_pflops"] - 1) * 100)


def test_cost_trend_moves_unit_cost(platforms):
    a = make(capex_change_pct_per_year=-10.0)
    c = economics.compute_cost(a, platforms).set_index("platform")
    assert c.at["Rubin Ultra NVL144", "capex_usd_bn_per_gw"] == pytest.approx(50.0 * 0.9)


def test_every_scenario_gives_finite_key_numbers():
    from analysis import assumptions
    for name in assumptions.scenario_names():
        k = economics.key_numbers(assumptions.load(name))
        nums = [v for key, v in k.items() if isinstance(v, float) and v != float("inf")
                and key not in economics.BEYOND_HORIZON_KEYS]
        assert np.isfinite(nums).all(), name
