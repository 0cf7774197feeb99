"""The model's arithmetic, written once: each quantity is an expression over named assumptions and
model quantities (analysis/expr.py).

The roadmap, energy, economics and sensitivity modules evaluate these definitions with numpy; the
HTML what-if panel (analysis/panel.py) prints the same definitions as Vega expressions. A formula
changed here changes the report and the panel together.

Names are assumption names (analysis/assumptions.py), roadmap columns, or the factors the Monte
Carlo draws (1.0 in a deterministic run).
"""

from __future__ import annotations

from typing import Any, Mapping

from .expr import Expr, greater, minimum, maximum, var, where
from .units import GW_PER_KW, HOURS_PER_YEAR, TWH_PER_GWH

#: name -> definition; names defined here may be read by later definitions.
DEFINITIONS: dict[str, Expr] = {}


def define(name: str, e: Expr) -> Expr:
    """Register the definition of quantity `name` and return it."""
    if name in DEFINITIONS:
        raise ValueError(f"{name!r} defined twice")
    DEFINITIONS[name] = e
    return e


v = var

# --- Roadmap: per half-year (or per draw and half-year) ---------------------------------------

#: GW online: the schedule's cumulative GW, never more than the programme's target.
ONLINE_GW = define("online_gw", minimum(v("scheduled_cum_gw"), v("target_power_gw")))
#: IT power behind facility power (programme GW counted at the facility), and the reverse.
IT_FROM_FACILITY_GW = define("it_from_facility_gw", v("facility_gw") / v("pue"))
FACILITY_FROM_IT_GW = define("facility_from_it_gw", v("it_gw") * v("pue"))
#: Accelerator racks that IT power feeds, after the share drawn by network, storage and hosts.
RACKS = define("racks", v("it_gw") * (1.0 - v("non_accelerator_it_share"))
               / (v("rack_power_kw") * GW_PER_KW))
PACKAGES = define("packages", v("racks") * v("accelerators_per_rack"))
#: Capital cost per GW moves by a yearly percentage from the programme's first half-year.
COST_TREND = define("cost_trend", (1.0 + v("capex_change_pct_per_year") / 100.0) ** maximum(v("years"), 0.0))
#: Capital spent on the GW added: NVIDIA content, and everything else (buildings, power, cooling).
CAPEX_NVIDIA_USD_BN = define("capex_nvidia_usd_bn", v("added_gw") * (
    v("capex_nvidia_usd_bn_per_gw") * v("cost_trend") * v("nvidia_price_factor")))
CAPEX_OTHER_USD_BN = define("capex_other_usd_bn", v("added_gw") * (
    (v("capex_total_usd_bn_per_gw") - v("capex_nvidia_usd_bn_per_gw")) * v("cost_trend") * v("capex_factor")))
#: Electricity a year drawn by facility power at the average utilisation.
ENERGY_TWH_PER_YEAR = define("energy_twh_per_year",
                             v("facility_power_gw") * v("utilisation") * HOURS_PER_YEAR * TWH_PER_GWH)
#: NVIDIA's investment under the announced terms: per GW online, up to the cap.
INVESTMENT_TRANCHES_USD_BN = define("investment_tranches_usd_bn", minimum(
    v("investment_cap_usd_bn"), v("investment_per_gw_usd_bn") * v("online_gw")))
#: NVIDIA's investment as one equity stake: all of it once paid (equity_paid is 1 from the half-year it is paid).
INVESTMENT_EQUITY_USD_BN = define("investment_equity_usd_bn", v("equity_investment_usd_bn") * v("equity_paid"))

# --- Energy -------------------------------------------------------------------------------------

REACTOR_EQUIVALENTS = define("reactor_equivalents", v("facility_power_gw") / v("reactor_power_gw"))
#: TWh x USD per MWh: 1 TWh = 1e6 MWh, so USD bn = TWh x price / 1,000.
ELECTRICITY_COST_USD_BN_PER_YEAR = define("electricity_cost_usd_bn_per_year",
                                          v("energy_twh_per_year") * v("electricity_price_usd_per_mwh") / 1e3)

# --- What one GW-year costs (the fleet at the horizon) -----------------------------------------

#: Straight-line depreciation: NVIDIA content over its useful life, the rest over the facility's.
DEPRECIATION_NVIDIA_USD_BN = define("depreciation_nvidia_usd_bn",
                                    v("capex_nvidia_cum_usd_bn") / v("gpu_useful_life_years"))
DEPRECIATION_OTHER_USD_BN = define("depreciation_other_usd_bn",
                                   (v("capex_cum_usd_bn") - v("capex_nvidia_cum_usd_bn")) / v("facility_life_years"))


def _recovery(life: str) -> Expr:
    """The level yearly payment that repays one dollar over `life` years at the cost of capital (an
    annuity; 1/life as the cost of capital goes to zero, reached through a floor of 1e-7)."""
    r = maximum(v("cost_of_capital_pct") / 100.0, 1e-7)
    return r / (1.0 - (1.0 + r) ** (-v(life)))


#: The report's one cost-of-capital treatment (issue 11): each part of the capital repaid as an annuity
#: over its own life at the cost of capital. Every unit cost, carrying cost and break-even reads it;
#: analysis.economics.capital_charge evaluates it for Python callers.
CAPITAL_RECOVERY_NVIDIA = define("capital_recovery_nvidia", _recovery("gpu_useful_life_years"))
CAPITAL_RECOVERY_OTHER = define("capital_recovery_other", _recovery("facility_life_years"))
CAPITAL_CHARGE_USD_BN = define("capital_charge_usd_bn",
                               v("capex_nvidia_cum_usd_bn") * v("capital_recovery_nvidia")
                               + (v("capex_cum_usd_bn") - v("capex_nvidia_cum_usd_bn")) * v("capital_recovery_other"))
#: The return on capital: what the capital charge pays beyond straight-line depreciation.
CAPITAL_RETURN_USD_BN = define("capital_return_usd_bn",
                               v("capital_charge_usd_bn") - v("depreciation_nvidia_usd_bn")
                               - v("depreciation_other_usd_bn"))
ANNUAL_COST_USD_BN = define("annual_cost_usd_bn",
                            v("capital_charge_usd_bn") + v("electricity_cost_usd_bn_per_year"))
#: Revenue one GW must earn a year to cover its cost (undefined with nothing online).
COST_USD_BN_PER_GW_YEAR = define("cost_usd_bn_per_gw_year", where(
    greater(v("online_gw"), 1e-9), v("annual_cost_usd_bn") / v("online_gw"), float("nan")))


def evaluate(name: str, env: Mapping[str, Any]) -> Any:
    """Return quantity `name` from env, computing it (and the definitions it reads) when absent."""
    if name in env:
        return env[name]
    if name not in DEFINITIONS:
        raise KeyError(f"formula needs {name!r}")
    e = DEFINITIONS[name]
    scope = dict(env)
    for dep in sorted(e.names()):
        if dep not in scope:
            scope[dep] = evaluate(dep, scope)
    return e.evaluate(scope)


def expand(name: str, stop: set[str] | frozenset[str] = frozenset()) -> Expr:
    """Return the definition of `name` with every defined name it reads inlined (except those in stop)."""
    e = DEFINITIONS[name]
    inner = {n: expand(n, stop) for n in e.names() if n in DEFINITIONS and n not in stop}
    return e.subs(inner) if inner else e
