"""One registry of what a reader sees for each code name: a label and a unit.

Assumptions declare their label and unit in the schema (analysis/assumptions.py); model outputs and
headline metrics are declared here. Prose, tables, chart axes, legends and tooltips ask this module,
so no code name (``capex_cum_usd_bn``) reaches the reader. Labels carry no unit; `titled` adds it.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    """What a reader sees for one name: a label in sentence case, a unit, and a short form for tight spots."""

    label: str
    unit: str
    short: str = ""  # axis or legend label where the full one does not fit; empty: use label


#: Model outputs (columns of analysis/roadmap.run and quantities derived from them).
METRICS: dict[str, Label] = {
    "half": Label("Half-year", "half-year"),
    "half_label": Label("Half-year", "half-year"),
    "platform": Label("Platform", "category"),
    "added_gw": Label("GW added", "GW"),
    "online_gw": Label("GW online", "GW"),
    "facility_power_gw": Label("Facility power online", "GW"),
    "it_power_gw": Label("IT power online", "GW"),
    "racks_added": Label("Racks added", "count"),
    "racks_installed": Label("Racks installed", "count"),
    "accelerators_added": Label("Accelerator packages added", "count", "Packages added"),
    "accelerators_installed": Label("Accelerator packages installed", "count", "Packages installed"),
    "dies_installed": Label("GPU dies installed", "count"),
    "fp4_dense_eflops": Label("Dense FP4 compute installed", "EFLOP/s", "Dense FP4"),
    "fp8_dense_eflops": Label("Dense FP8 compute installed", "EFLOP/s", "Dense FP8"),
    "hbm_pb": Label("HBM installed", "PB"),
    "energy_twh_per_year": Label("Electricity use, annualised", "TWh per year", "Electricity use"),
    "capex_usd_bn": Label("Capital expenditure", "USD bn"),
    "capex_cum_usd_bn": Label("Capital expenditure, cumulative", "USD bn", "Capex, cumulative"),
    "capex_nvidia_usd_bn": Label("NVIDIA content", "USD bn"),
    "capex_nvidia_cum_usd_bn": Label("NVIDIA content, cumulative", "USD bn"),
    "investment_released_usd_bn": Label("NVIDIA investment released", "USD bn"),
    "investment_cum_usd_bn": Label("NVIDIA investment, cumulative", "USD bn", "NVIDIA investment"),
    # Energy, economics and the what-if panel (analysis/energy.py, economics.py, sensitivity.py, panel.py).
    "reactor_equivalents": Label("Large nuclear reactors' worth of power", "reactors", "Reactor-equivalents"),
    "electricity_cost_usd_bn_per_year": Label("Electricity cost", "USD bn per year"),
    "nvidia_revenue_cum_usd_bn": Label("NVIDIA revenue from the programme, cumulative", "USD bn", "NVIDIA revenue"),
    "cost_usd_bn_per_gw_year": Label("Revenue per GW-year that covers the cost", "USD bn per GW-year",
                                     "Cost per GW-year"),
    # Headline numbers of an edition (analysis/scenarios.headline, risk.headlines): the comparison table,
    # the risk matrix, the tornado and the summary read these.
    "first_half": Label("First capacity online", "half-year"),
    "gw_milestone": Label("GW online at the milestone", "GW"),
    "gw_end": Label("GW online at the horizon", "GW"),
    "energy_twh_end": Label("Electricity use at the horizon", "TWh per year"),
    "energy_twh_match": Label("Electricity use in 2030, the IEA projection's year", "TWh per year"),
    "fp4_eflops_end": Label("Dense FP4 compute at the horizon", "EFLOP/s"),
    "investment_share_of_capex": Label("Investment as share of capex", "share"),
    "nvidia_peak_share_of_fy2026_dc": Label("NVIDIA peak-year revenue vs FY2026 data-centre revenue", "share"),
    "mc_gw_milestone_p10": Label("GW at the milestone, P10", "GW"),
    "mc_gw_milestone_p50": Label("GW at the milestone, P50 (median)", "GW"),
    "mc_gw_milestone_p90": Label("GW at the milestone, P90", "GW"),
    "mc_p_first_on_time": Label("Probability first capacity is on time", "share"),
}


@functools.lru_cache(maxsize=1)
def _schema() -> dict[str, Label]:
    from .assumptions import Assumptions  # local: labels must stay importable without pydantic work

    return {name: Label(str(f.json_schema_extra["label"]), str(f.json_schema_extra["unit"]))
            for name, f in Assumptions.model_fields.items()}


def register(name: str, label: str, unit: str, short: str = "") -> None:
    """Declare a metric another module defines (call at import time, once per name)."""
    entry = Label(label, unit, short)
    if name in METRICS and METRICS[name] != entry:
        raise ValueError(f"label for {name!r} declared twice, differently")
    METRICS[name] = entry


def entry(name: str) -> Label:
    """Return the reader's label and unit for an assumption or a metric; unknown names fail loudly."""
    known = {**_schema(), **METRICS}
    if name not in known:
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise KeyError(f"no reader label for {name!r}{hint}: add it to the schema or analysis/labels.py")
    return known[name]


def label(name: str) -> str:
    """Return the reader's label for a name ('Capital expenditure, cumulative')."""
    return entry(name).label


def short(name: str) -> str:
    """Return the short label for axes and legends (the full label when no short one is declared)."""
    e = entry(name)
    return e.short or e.label


def unit(name: str) -> str:
    """Return the unit of a name ('USD bn')."""
    return entry(name).unit


#: Units that add nothing after a label: categories, counts and bare ratios are clear without them.
SILENT_UNITS = {"category", "count", "ratio", ""}


def with_unit(text: str, unit: str) -> str:
    """Return 'text (unit)', or the text alone when the unit is silent or already its first word ('GW online')."""
    if unit in SILENT_UNITS or text.split(" ")[0] == unit:
        return text
    return f"{text} ({unit})"


def titled(name: str, short_form: bool = False) -> str:
    """Return 'Label (unit)' for axis titles and table headers; silent units are left out."""
    e = entry(name)
    return with_unit((e.short or e.label) if short_form else e.label, e.unit)
