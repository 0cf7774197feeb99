"""The what-if panel: the assumptions readers most often question, and the headline numbers they drive.

The panel's numbers are a Program (analysis/expr.py) composed from the model's own definitions
(analysis/formulas.py) over this edition's half-year path: the schedule scaled by the build pace, the
platform each half-year deploys and the cost trend stay as in the edition. Python runs the Program
for the PDF's table and the page's first paint; the HTML edition runs the same Program printed as
Vega expressions, so a reader can move the controls offline. Numbers are at the end of the horizon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import data, formulas as F, halves, labels, roadmap
from .assumptions import SCHEDULE_GW_PER_HALF_RANGE, Assumptions
from .expr import Expr, Program, at_most, const, greater, total, var, where

#: The build pace control: a multiplier on every element of schedule_gw_per_half.
PACE = "build_pace"

#: Controls in the order shown, each with its slider step; labels and units come from the schema
#: (analysis/labels.py). The investment lever shown depends on the edition's investment structure.
CONTROLS: dict[str, float] = {
    "target_power_gw": 0.5,
    PACE: 0.05,
    "pue": 0.01,
    "utilisation": 0.01,
    "capex_total_usd_bn_per_gw": 1.0,
    "capex_nvidia_usd_bn_per_gw": 1.0,
    "electricity_price_usd_per_mwh": 0.1,
    "gpu_useful_life_years": 0.5,
    "cost_of_capital_pct": 0.5,
    "investment_per_gw_usd_bn": 0.5,
    "equity_investment_usd_bn": 1.0,
}
#: The build pace is a multiplier on schedule_gw_per_half, so its unit is its own.
PACE_UNIT = "× this edition's schedule"
#: Investment structure -> the control that moves NVIDIA's investment (others are not shown).
INVESTMENT_LEVER = {"tranches": "investment_per_gw_usd_bn", "equity": "equity_investment_usd_bn"}


@dataclass(frozen=True)
class Control:
    """One input: its reader label and unit, the schema's range, the slider step and the edition's value."""

    name: str
    label: str
    unit: str
    lo: float
    hi: float
    step: float
    value: float

    @property
    def decimals(self) -> int:
        return max(0, -Decimal(repr(self.step)).normalize().as_tuple().exponent)

    def show(self, x: float) -> str:
        return f"{x:,.{self.decimals}f}"


@dataclass(frozen=True)
class Output:
    """One headline number: the Program step it reads, the decimals shown and a display scale."""

    name: str
    decimals: int
    scale: float = 1.0           # shown value = value x scale
    scaled_unit: str = ""        # the unit once scaled (empty: the registry's)

    @property
    def label(self) -> str:
        return labels.label(self.name)

    @property
    def unit(self) -> str:
        return self.scaled_unit or labels.unit(self.name)

    def show(self, x: float) -> str:
        return f"{x * self.scale:,.{self.decimals}f}" if math.isfinite(x) else "—"


OUTPUTS = [
    Output("online_gw", 1),
    Output("accelerators_installed", 2, 1e-6, "million"),
    Output("energy_twh_per_year", 1),
    Output("reactor_equivalents", 1),
    Output("capex_cum_usd_bn", 0),
    Output("nvidia_revenue_cum_usd_bn", 0),
    Output("investment_cum_usd_bn", 0),
    Output("electricity_cost_usd_bn_per_year", 1),
    Output("cost_usd_bn_per_gw_year", 1),
]

#: Components of the cost of one GW-year (Program step -> reader label), for the panel's bar chart.
COST_PARTS = {
    "depreciation_nvidia_usd_bn": "Depreciation, NVIDIA systems",
    "depreciation_other_usd_bn": "Depreciation, rest of the campus",
    "capital_return_usd_bn": "Return on capital",
    "electricity_cost_usd_bn_per_year": "Electricity",
}

#: What the schema rejects among control values (the panel shows no numbers then).
INVALID_MESSAGE = "NVIDIA's content per GW cannot exceed the all-in capital per GW: the model rejects this choice."


def _schema_range(name: str) -> tuple[float, float]:
    f = Assumptions.model_fields[name]
    lo = next(m.ge for m in f.metadata if hasattr(m, "ge"))
    hi = next(m.le for m in f.metadata if hasattr(m, "le"))
    return float(lo), float(hi)


def _on_grid(value: float, lo: float, step: float) -> float:
    """Return step, or a finer power-of-ten step when the edition's value falls between its ticks."""
    while step > 1e-6 and abs((value - lo) / step - round((value - lo) / step)) > 1e-9:
        step = step / 10 if step <= 1 else 1.0
    return step


def controls(a: Assumptions) -> list[Control]:
    """Return the panel's controls for an edition: schema ranges, the edition's values marked."""
    lever = INVESTMENT_LEVER.get(a.investment_structure)
    out = []
    for name, step in CONTROLS.items():
        if name in INVESTMENT_LEVER.values() and name != lever:
            continue
        if name == PACE:
            label, unit = labels.label("schedule_gw_per_half"), PACE_UNIT
            # Every scaled element must stay within the schema's GW per half-year.
            peak = max(a.schedule_gw_per_half, default=0.0)
            lo, hi = 0.0, (math.floor(SCHEDULE_GW_PER_HALF_RANGE[1] / peak / step) * step if peak > 0 else 1.0)
            value = 1.0
        else:
            label, unit = labels.label(name), labels.unit(name)
            (lo, hi), value = _schema_range(name), float(getattr(a, name))
        step = _on_grid(value, lo, step)
        out.append(Control(name, label, unit, lo, round(hi, 10), step, value))
    return out


class Panel:
    """The panel for one edition: its controls, the Program of its numbers, and the edition's path."""

    def __init__(self, a: Assumptions):
        self.a = a
        self.controls = controls(a)
        arrays = roadmap.compute(a)
        self.t = arrays["half"]
        self.horizon = halves.label(float(self.t[-1]))
        plat = roadmap.programme_platforms(a)
        spec = plat.iloc[arrays["platform_index"][0]]
        self.program = self._program(spec)
        self.edition = self.run(self.edition_inputs())

    def edition_inputs(self) -> dict[str, float]:
        return {c.name: c.value for c in self.controls}

    def _fixed(self) -> dict[str, Any]:
        """Assumptions the panel holds at the edition's values, facts, and the Monte Carlo's factors at 1."""
        a, shown = self.a, {c.name for c in self.controls}
        fixed: dict[str, Any] = {n: float(getattr(a, n)) for n, f in Assumptions.model_fields.items()
                                 if n not in shown and isinstance(getattr(a, n), (int, float))
                                 and not isinstance(getattr(a, n), bool)}
        fixed.update(reactor_power_gw=data.fact("reactor_power_gw"), nvidia_price_factor=1.0, capex_factor=1.0)
        return fixed

    def _program(self, spec) -> Program:
        a, p, fixed = self.a, Program(), self._fixed()
        names = {c.name for c in self.controls}

        def arg(name: str) -> Expr | float:
            return var(name) if name in names or name in p.steps else fixed[name]

        def use(definition: Expr, **given: Any) -> Expr:
            """A library definition with given values, controls as inputs, the rest fixed."""
            return definition.subs({**{n: arg(n) for n in definition.names() if n not in given}, **given})

        schedule = roadmap._schedule(a, self.t)
        trend = F.COST_TREND.evaluate({"capex_change_pct_per_year": a.capex_change_pct_per_year,
                                       "years": self.t - a.start_half})
        online_prev: Expr = const(0.0)
        cum_prev: Expr | None = None
        for j in range(len(self.t)):
            # The deterministic roadmap: cumulative schedule, capped at the target, then per half the change.
            element = var(PACE) * float(schedule[j])
            cum = p.let(f"scheduled_cum_gw_{j}", element if cum_prev is None else cum_prev + element)
            online = p.let(f"online_gw_{j}", use(F.ONLINE_GW, scheduled_cum_gw=cum))
            added = p.let(f"added_gw_{j}", online - online_prev)
            if a.power_basis == "facility":
                it, facility = use(F.IT_FROM_FACILITY_GW, facility_gw=added), added
            else:
                it, facility = added, use(F.FACILITY_FROM_IT_GW, it_gw=added)
            p.let(f"facility_added_gw_{j}", facility)
            racks = use(F.RACKS, it_gw=it, rack_power_kw=float(spec["rack_power_kw"].iloc[j]))
            p.let(f"packages_{j}", use(F.PACKAGES, racks=racks,
                                        accelerators_per_rack=float(spec["accelerators_per_rack"].iloc[j])))
            nvidia = p.let(f"capex_nvidia_usd_bn_{j}", use(F.CAPEX_NVIDIA_USD_BN, added_gw=added,
                                                           cost_trend=float(trend[j])))
            p.let(f"capex_usd_bn_{j}", nvidia + use(F.CAPEX_OTHER_USD_BN, added_gw=added, cost_trend=float(trend[j])))
            online_prev, cum_prev = online, cum
        n = range(len(self.t))
        # At the horizon: sums over half-years in the order the roadmap's cumulative sums add.
        p.let("online_gw", total(var(f"added_gw_{j}") for j in n))
        p.let("facility_power_gw", total(var(f"facility_added_gw_{j}") for j in n))
        p.let("accelerators_installed", total(var(f"packages_{j}") for j in n))
        p.let("capex_nvidia_cum_usd_bn", total(var(f"capex_nvidia_usd_bn_{j}") for j in n))
        p.let("nvidia_revenue_cum_usd_bn", var("capex_nvidia_cum_usd_bn"))  # NVIDIA's revenue is its content
        p.let("capex_cum_usd_bn", total(var(f"capex_usd_bn_{j}") for j in n))
        for name in ("energy_twh_per_year", "reactor_equivalents", "electricity_cost_usd_bn_per_year",
                     "depreciation_nvidia_usd_bn", "depreciation_other_usd_bn", "capital_recovery_nvidia",
                     "capital_recovery_other", "capital_charge_usd_bn", "capital_return_usd_bn",
                     "annual_cost_usd_bn", "cost_usd_bn_per_gw_year"):
            p.let(name, use(F.DEFINITIONS[name]))
        if a.investment_structure == "tranches":
            p.let("investment_cum_usd_bn", use(F.INVESTMENT_TRANCHES_USD_BN))
        elif a.investment_structure == "equity":
            paid = float(self.t[-1] >= a.equity_investment_half - 1e-9)
            p.let("investment_cum_usd_bn", use(F.INVESTMENT_EQUITY_USD_BN, equity_paid=paid))
        else:
            raise ValueError(f"the what-if panel does not know investment structure {a.investment_structure!r}")
        for part in COST_PARTS:
            # Chart only: each cost component per GW online.
            p.let(f"per_gw_{part}", where(greater(var("online_gw"), 1e-9), var(part) / var("online_gw"), float("nan")))
        p.let("valid", at_most(arg("capex_nvidia_usd_bn_per_gw"), arg("capex_total_usd_bn_per_gw")))
        return p

    def run(self, inputs: dict[str, float]) -> dict[str, Any]:
        """Return every Program value for control values `inputs` (missing ones at the edition's)."""
        values = {**{c.name: c.value for c in self.controls}, **inputs}
        return self.program.run({k: float(v) for k, v in values.items()})

    def numbers(self, inputs: dict[str, float]) -> dict[str, float]:
        """Return the headline numbers for `inputs` (NaN for every number when the choice is invalid)."""
        env = self.run(inputs)
        ok = bool(env["valid"])
        return {o.name: float(env[o.name]) if ok else float("nan") for o in OUTPUTS}

    def overrides(self, inputs: dict[str, float]) -> dict[str, Any]:
        """Return the assumption values that reproduce `inputs` as a full edition (for --set)."""
        out: dict[str, Any] = {}
        for c in self.controls:
            x = float(inputs.get(c.name, c.value))
            if c.name == PACE:
                out["schedule_gw_per_half"] = tuple(x * s for s in self.a.schedule_gw_per_half)
            else:
                out[c.name] = x
        return out


def within_schema(a: Assumptions, overrides: dict[str, Any]) -> bool:
    """Return whether the schema accepts the edition with overrides (the check the panel's 'valid' mirrors)."""
    try:
        Assumptions(**{**a.model_dump(), **overrides})
    except ValueError:
        return False
    return True

