"""Sensitivity ranking on cases with a known order, coverage of uncertain inputs, break-even by hand."""

import numpy as np
import pytest

from analysis import assumptions, sensitivity


def test_one_at_a_time_ranks_a_known_linear_function():
    f = lambda x: 1.0 * x[:, 0] + 3.0 * x[:, 1] - 2.0 * x[:, 2]  # noqa: E731
    t = sensitivity.one_at_a_time(f, np.zeros(3), -np.ones(3), np.ones(3), ["a", "b", "c"])
    assert list(t["input"]) == ["b", "c", "a"]
    assert list(t["swing"]) == pytest.approx([6.0, 4.0, 2.0])
    assert t.set_index("input").at["c", "at_high"] == pytest.approx(-2.0)


def test_tornado_on_capex_ranks_nvidia_price_above_other_costs():
    # Same spread on both parts of the cost: NVIDIA's $35bn per GW must swing more than the other $15bn.
    a = assumptions.load("letter-of-intent", {"mc_nvidia_price_sigma": 0.1, "mc_capex_overrun_sigma": 0.1,
                                  "mc_capex_change_sd_pct": 0.0, "sensitivity_swing_share": 0.0})
    t = sensitivity.tornado(a)
    c = t[t["output"] == "capex_cum_usd_bn"].reset_index(drop=True)
    order = list(c["input"])
    assert order.index("capex_nvidia_usd_bn_per_gw") < order.index("capex_total_usd_bn_per_gw")
    row = c.set_index("input").loc["capex_nvidia_usd_bn_per_gw"]
    z = 1.2815515655446004
    assert row["swing"] == pytest.approx(350.0 * (np.exp(0.1 * z) - np.exp(-0.1 * z)))
    assert (c["swing"].diff().dropna() <= 1e-12).all()  # sorted widest first


def test_every_uncertain_assumption_is_in_the_tornado():
    a = assumptions.load("base")
    t = sensitivity.tornado(a)
    inputs = set(t["input"])
    for name in sensitivity.uncertain_fields():
        assert name in inputs, name
    assert set(t["output"]) == set(sensitivity.OUTPUTS)


def test_whatif_by_hand():
    a = assumptions.load("letter-of-intent", {"gpu_useful_life_years": 5.0, "facility_life_years": 15.0,
                                              "cost_of_capital_pct": 8.0, "electricity_price_usd_per_mwh": 100.0,
                                              "utilisation": 0.5, "capex_change_pct_per_year": 0.0})
    w = sensitivity.whatif(a)
    # Each part repaid as an annuity at 8%: $350bn over 5 years and $150bn over 15 years;
    # 10 GW x 8,760 h x 0.5 = 43.8 TWh x $100/MWh = $4.38bn.
    crf = lambda n: 0.08 / (1 - 1.08 ** -n)  # noqa: E731
    capital = 350 * crf(5) + 150 * crf(15)
    assert w["annual_cost_usd_bn"] == pytest.approx(capital + 4.38)
    assert w["depreciation_nvidia_usd_bn"] + w["depreciation_other_usd_bn"] == pytest.approx(70 + 10)
    assert w["capital_return_usd_bn"] == pytest.approx(capital - 80)
    assert w["cost_usd_bn_per_gw_year"] == pytest.approx((capital + 4.38) / 10)
