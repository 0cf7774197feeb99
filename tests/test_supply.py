"""Supply chain: wafers to packages to gigawatts with known answers, yearly capacity from monthly
figures, and the same numbers on announced platforms only."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import assumptions, data, supply


def test_wafers_to_packages_to_gw_known_answer(platforms):
    """100,000 wafers x 9 packages x 100% yield = 900,000 packages. A 200 kW rack of 72 packages at
    PUE 1.2 with 10% of IT power outside the racks: 1 GW holds 1/1.2 x 0.9 / 200 kW = 3,750 racks,
    270,000 packages; 900,000 packages fill 3 1/3 GW."""
    a = assumptions.load("base", {"pue": 1.2, "non_accelerator_it_share": 0.1, "power_basis": "facility"})
    pk = supply.packages_from_wafers(100_000, 9, 1.0)
    assert float(pk) == 900_000
    assert float(supply.gw_from_packages(a, pk, platforms.loc["Vera Rubin NVL72"])) == pytest.approx(10 / 3)
    assert float(supply.packages_from_wafers(100_000, 9, 0.9)) == pytest.approx(810_000)
    # HBM: 288 GB a package, 2.88e9 GB fill 10 million packages.
    assert float(supply.packages_from_hbm(2.88e9, 288)) == pytest.approx(1e7)


def test_yearly_wafers_from_monthly_capacity():
    a = assumptions.load("base", {"supply_growth_pct_per_year": 10.0})
    s = data.table("supply").query("item == 'cowos_capacity'").set_index("year")["value"]
    w = supply.cowos_wafers_by_year(a, [2026, 2027, 2028])
    assert w[2026] == pytest.approx(12 * (s[2025] + s[2026]) / 2)
    assert w[2028] == pytest.approx(12 * (s[2027] + s[2027] * 1.10) / 2)  # grown past the last sourced year


def test_by_year_marks_assumed_platforms_and_announced_only_replaces_them():
    a = assumptions.load("base")
    full = supply.by_year(a)
    ann = supply.by_year(a, platforms=data.platforms(announced_only=True))
    assumed = set(data.assumed_platforms())
    assert assumed == {"Feynman"}
    assert full["platform_assumed"].tolist() == full["platform"].isin(assumed).tolist()
    assert not ann["platform"].isin(assumed).any()
    pd.testing.assert_series_equal(full["need_gw"], ann["need_gw"])  # power does not depend on specs
    same = ~full["platform_assumed"]
    assert (full.loc[same, "nvidia_gw"] == ann.loc[same, "nvidia_gw"]).all()
    assert (full["nvidia_gw"] <= full[["nvidia_gw_cowos", "nvidia_gw_hbm"]].max(axis=1) + 1e-9).all()
    lo, hi = a.openai_share_range
    assert (full["programme_gw_low"] <= full["programme_gw_central"]).all()
    assert full["programme_gw_high"].tolist() == pytest.approx((full["nvidia_gw"] * hi).tolist())


def test_share_outside_its_range_is_refused():
    from analysis.errors import AssumptionError
    with pytest.raises(AssumptionError, match="openai_share_range"):
        assumptions.load("base", {"openai_share_of_nvidia_supply": 0.5})
