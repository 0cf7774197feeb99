"""The compute-roadmap model: from a GW schedule and NVIDIA's platforms to racks, FLOPs, energy, capital.

The core works on arrays with a leading axis of draws, so the Monte Carlo reuses it unchanged;
the deterministic run is one draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import data, formulas as F, halves
from .assumptions import Assumptions

#: Platform the programme starts on (the LOI names Vera Rubin for the first gigawatt).
FIRST_PLATFORM = "Vera Rubin NVL144"


@dataclass(frozen=True)
class Draws:
    """Per-draw multipliers and shifts the Monte Carlo varies; defaults reproduce the assumptions."""

    slip_halves: np.ndarray | None = None        # (d,) whole half-years every cohort slips
    pace_factor: np.ndarray | None = None        # (d,) multiplier on GW added per half-year
    capex_factor: np.ndarray | None = None       # (d,) multiplier on capex per GW (overruns)
    nvidia_price_factor: np.ndarray | None = None  # (d,) multiplier on NVIDIA content per GW
    pue: np.ndarray | None = None                # (d,) PUE per draw
    utilisation: np.ndarray | None = None        # (d,) utilisation per draw
    investment_factor: np.ndarray | None = None  # (d,) multiplier on investment released per GW (tranches)
    target_factor: np.ndarray | None = None      # (d,) multiplier on the programme's target GW
    capex_change_pct: np.ndarray | None = None   # (d,) yearly capex change per draw, percent
    platform_delay_halves: np.ndarray | None = None  # (d,) whole half-years later platforms slip


def programme_platforms(a: Assumptions, platforms: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the platforms the programme can deploy, with availability after delays and lag."""
    p = (data.platforms() if platforms is None else platforms).copy()
    first = p.loc[FIRST_PLATFORM, "availability_half"]
    p = p[p["availability_half"] >= first].sort_values("availability_half")
    later = p["availability_half"] > first
    p["deployable_half"] = (p["availability_half"] + 0.5 * a.platform_delay_halves * later
                            + 0.5 * a.adoption_lag_halves)
    return p


def time_axis(a: Assumptions) -> np.ndarray:
    """Return the model's half-years: from the first money or power to the horizon."""
    start = a.start_half
    if a.investment_structure == "equity":
        start = min(start, a.equity_investment_half)
    return halves.axis(start, a.horizon_end_half)


def _schedule(a: Assumptions, t: np.ndarray) -> np.ndarray:
    """Return GW added per half-year on the axis t (one row)."""
    added = np.zeros(len(t))
    first = int(round((a.start_half - t[0]) * 2))
    sched = np.asarray(a.schedule_gw_per_half, dtype=float)
    n = min(len(sched), len(t) - first)
    added[first:first + n] = sched[:n]
    return added


def _cumsum(v: np.ndarray) -> np.ndarray:
    """Cumulative sum along the half-year axis; summing the transposed array is several times faster
    for many draws and adds in the same order, so results are identical."""
    return np.cumsum(np.asarray(v).T, axis=0).T


def compute(a: Assumptions, platforms: pd.DataFrame | None = None,
            draws: Draws | None = None) -> dict[str, np.ndarray]:
    """Return every roadmap quantity as a (draws, half-years) array, plus the axis under 'half'."""
    d = draws or Draws()
    t = time_axis(a)
    base = _schedule(a, t)[None, :]                                  # (1, n)
    n_draws = max((len(v) for v in vars(d).values() if v is not None), default=1)

    def per_draw(v, default):
        return np.full((n_draws, 1), default, dtype=float) if v is None else np.asarray(v, float)[:, None]

    pace = per_draw(d.pace_factor, 1.0)
    added = np.broadcast_to(base * pace, (n_draws, len(t))).copy()
    if d.pace_factor is not None:
        # In a draw the pace changes the speed of the build, not its size: after the schedule the
        # last scheduled rate continues until the GW the schedule plans (within the target) are built.
        first = int(np.argmax(base[0] > 0)) if base.any() else 0
        last = len(t) - 1 - int(np.argmax(base[0, ::-1] > 0)) if base.any() else 0
        rates = base.copy()
        rates[0, last + 1:] = base[0, last]
        planned = min(float(np.cumsum(base[0])[-1]), a.target_power_gw)
        reached = np.minimum(_cumsum(rates * pace), planned)
        added = np.diff(reached, axis=1, prepend=0.0)
        added[:, :first] = 0.0
    if d.slip_halves is not None:
        # Shift each draw's schedule right by its slip; capacity pushed past the horizon is lost.
        slip = np.asarray(d.slip_halves, dtype=int)
        cols = np.arange(len(t))[None, :] - slip[:, None]
        valid = cols >= 0
        added = np.where(valid, np.take_along_axis(added, np.clip(cols, 0, None), axis=1), 0.0)
    # Deployment never exceeds the programme's target in any draw.
    target = a.target_power_gw * per_draw(d.target_factor, 1.0)
    cum = F.ONLINE_GW.evaluate({"scheduled_cum_gw": _cumsum(added), "target_power_gw": target})
    added = np.diff(cum, axis=1, prepend=0.0)

    pue = per_draw(d.pue, a.pue)
    util = per_draw(d.utilisation, a.utilisation)
    if a.power_basis == "facility":
        facility_added, it_added = added, F.IT_FROM_FACILITY_GW.evaluate({"facility_gw": added, "pue": pue})
    else:
        facility_added, it_added = F.FACILITY_FROM_IT_GW.evaluate({"it_gw": added, "pue": pue}), added

    plat = programme_platforms(a, platforms)
    if d.platform_delay_halves is None:
        deployable = plat["deployable_half"].to_numpy()[None, :]                 # (1, m)
    else:
        # Per-draw delay of every platform after the first (replaces a.platform_delay_halves).
        later = (plat["availability_half"] > plat["availability_half"].iloc[0]).to_numpy()[None, :]
        delay = np.asarray(d.platform_delay_halves, dtype=float)[:, None]
        deployable = (plat["availability_half"].to_numpy()[None, :] + 0.5 * delay * later
                      + 0.5 * a.adoption_lag_halves)                           # (d, m)
    # Each half-year's new capacity goes on the newest platform deployable by then.
    ready = deployable[:, None, :] <= t[None, :, None]                          # (k, n, m)
    m = ready.shape[2]
    idx = np.where(ready.any(axis=2), m - 1 - np.argmax(ready[:, :, ::-1], axis=2), 0)  # (k, n)
    spec = {c: plat[c].to_numpy()[idx] for c in plat.columns if c != "deployable_half"}

    racks_added = F.RACKS.evaluate({"it_gw": it_added, "non_accelerator_it_share": a.non_accelerator_it_share,
                                    "rack_power_kw": spec["rack_power_kw"]})
    packages_added = F.PACKAGES.evaluate({"racks": racks_added,
                                          "accelerators_per_rack": spec["accelerators_per_rack"]})
    dies_added = packages_added * spec["dies_per_package"]

    years = t[None, :] - a.start_half
    change_pct = per_draw(d.capex_change_pct, a.capex_change_pct_per_year)
    capex_env = {"added_gw": added, "capex_change_pct_per_year": change_pct, "years": years,
                 "capex_factor": per_draw(d.capex_factor, 1.0),
                 "nvidia_price_factor": per_draw(d.nvidia_price_factor, 1.0),
                 "capex_nvidia_usd_bn_per_gw": a.capex_nvidia_usd_bn_per_gw,
                 "capex_total_usd_bn_per_gw": a.capex_total_usd_bn_per_gw}
    capex_env["cost_trend"] = F.COST_TREND.evaluate(capex_env)
    capex_nvidia = F.CAPEX_NVIDIA_USD_BN.evaluate(capex_env)
    capex_total = capex_nvidia + F.CAPEX_OTHER_USD_BN.evaluate(capex_env)

    online = _cumsum(added)
    facility_online = _cumsum(facility_added)
    if a.investment_structure == "tranches":
        per_gw = a.investment_per_gw_usd_bn * per_draw(d.investment_factor, 1.0)
        invest_cum = F.INVESTMENT_TRANCHES_USD_BN.evaluate({
            "investment_cap_usd_bn": a.investment_cap_usd_bn, "investment_per_gw_usd_bn": per_gw, "online_gw": online})
    else:
        paid = (t >= a.equity_investment_half - 1e-9).astype(float)[None, :]
        invest_cum = np.broadcast_to(F.INVESTMENT_EQUITY_USD_BN.evaluate(
            {"equity_investment_usd_bn": a.equity_investment_usd_bn, "equity_paid": paid}), online.shape).copy()
    invest = np.diff(invest_cum, axis=1, prepend=0.0)

    return {
        "half": t,
        "platform_index": np.broadcast_to(idx, online.shape),
        "added_gw": added,
        "online_gw": online,
        "facility_power_gw": facility_online,
        "it_power_gw": _cumsum(it_added),
        "racks_added": racks_added,
        "racks_installed": _cumsum(racks_added),
        "accelerators_added": packages_added,
        "accelerators_installed": _cumsum(packages_added),
        "dies_installed": _cumsum(dies_added),
        "fp4_dense_eflops": _cumsum(racks_added * spec["fp4_dense_pflops_per_rack"]) / 1e3,
        "fp8_dense_eflops": _cumsum(racks_added * spec["fp8_dense_pflops_per_rack"]) / 1e3,
        "hbm_pb": _cumsum(packages_added * spec["hbm_gb_per_package"]) / 1e6,
        "energy_twh_per_year": F.ENERGY_TWH_PER_YEAR.evaluate({"facility_power_gw": facility_online,
                                                               "utilisation": util}),
        "capex_usd_bn": capex_total,
        "capex_cum_usd_bn": _cumsum(capex_total),
        "capex_nvidia_usd_bn": capex_nvidia,
        "capex_nvidia_cum_usd_bn": _cumsum(capex_nvidia),
        "investment_released_usd_bn": invest,
        "investment_cum_usd_bn": invest_cum,
    }


def run(a: Assumptions, platforms: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the deterministic roadmap: one row per half-year, columns with their units in the name."""
    plat = programme_platforms(a, platforms)
    arrays = compute(a, platforms)
    t = arrays.pop("half")
    idx = arrays.pop("platform_index")[0]
    df = pd.DataFrame({k: v[0] for k, v in arrays.items()})
    df.insert(0, "half", t)
    df.insert(1, "half_label", [halves.label(h) for h in t])
    df.insert(2, "platform", plat.index.to_numpy()[idx])
    df.loc[df["added_gw"] <= 0, "platform"] = ""
    return df
