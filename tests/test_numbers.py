"""The one number-formatting policy: about three significant figures, in the unit that suits the size."""

import math

import pytest

from analysis import prose, tables, units


@pytest.mark.parametrize("value, unit, shown", [
    (248_882.4, "EFLOP/s", "249 ZFLOP/s"), (243.0, "EFLOP/s", "243 EFLOP/s"), (3.6, "EFLOP/s", "3.6 EFLOP/s"),
    (1400.0, "USD bn", "1.4 USD tn"), (425.3, "USD bn", "425 USD bn"), (70.08, "TWh per year", "70.1 TWh per year"),
    (0.512, "TWh per year", "512 GWh per year"), (8.5, "GW", "8.5 GW"), (0.2489, "GW", "0.249 GW"),
    (1234.5, "GW", "1,234 GW")])
def test_quantity_picks_the_unit_and_significant_figures(value, unit, shown):
    assert units.quantity(value, unit) == shown


def test_prose_helpers_follow_the_policy():
    assert prose.flops(248_882.0) == "249 ZFLOP/s"
    assert prose.usd_bn(1400.0) == "$1.4tn" and prose.usd_bn(425.0) == "$425bn"
    assert prose.energy(70.08) == "70.1 TWh a year"
    assert prose.sig(24.891) == "24.9" and prose.sig(0.0) == "0"
    with pytest.raises(ValueError):
        prose.sig(math.nan)


def test_a_table_column_takes_the_unit_its_largest_value_needs():
    col = tables.metric("fp4_dense_eflops", [0.0, 120.0, 248_882.0])
    assert col.header == "Dense FP4 compute installed (ZFLOP/s)" and col.factor == 1000.0 and col.decimals == 0
    assert tables.metric("online_gw", [0.5, 8.5]).header == "GW online"
    assert units.d3_format([0.5, 8.5]) == ",.2f" and units.d3_format([12.0, 70.1]) == ",.1f"
