"""The compute-roadmap model: from a GW schedule and NVIDIA's platforms to racks, FLOPs, energy, capital.

The core works on arrays with a leading axis of draws, so the Monte Carlo reuses it unchanged;
the deterministic run is one draw. Internally the arrays are time-major (half-years, draws): a
running sum over half-years is then one vector add per half-year, which keeps a chunk of a million
draws fast; callers see (draws, half-years).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import data, formulas as F, halves
from .assumptions import Assumptions

#: Platform the programme starts on (the LOI names Vera Rubin for the first gigawatt); a row of
#: data/platforms.csv, which holds the one spelling of every platform name the report uses.
FIRST_PLATFORM = "Vera Rubin NVL72"

#: Every quantity compute() returns besides the axis ('half').
OUTPUTS = ("platform_index", "added_gw", "online_gw", "facility_power_gw", "it_power_gw", "racks_added",
           "racks_installed", "accelerators_added", "accelerators_installed", "dies_installed",
           "fp4_dense_eflops", "fp8_dense_eflops", "hbm_pb", "energy_twh_per_year", "capex_usd_bn",
           "capex_cum_usd_bn", "capex_nvidia_usd_bn", "capex_nvidia_cum_usd_bn",
           "investment_released_usd_bn", "investment_cum_usd_bn")
#: Quantities that need the platform each half-year's capacity is built on.
PLATFORM_OUTPUTS = frozenset({"platform_index", "racks_added", "racks_installed", "accelerators_added",
                              "accelerators_installed", "dies_installed", "fp4_dense_eflops",
                              "fp8_dense_eflops", "hbm_pb"})


@dataclass(frozen=True)
class Draws:
    """Per-draw changes the Monte Carlo makes to the assumptions; None keeps the assumption.

    A field is (draws,) for one value per draw or (draws, half-years) for a value per draw and
    half-year on the model's axis, so a risk that strikes mid-programme changes only what follows it.
    """

    slip_halves: np.ndarray | None = None        # (d,) whole half-years the start slips
    paused: np.ndarray | None = None             # (d, n) bool: half-years the build adds nothing and its plan waits
    pace_factor: np.ndarray | None = None        # multiplier on GW added per half-year
    target_factor: np.ndarray | None = None      # multiplier on the GW the programme builds
    capex_factor: np.ndarray | None = None       # multiplier on the non-NVIDIA capex per GW (overruns)
    nvidia_price_factor: np.ndarray | None = None  # multiplier on NVIDIA content per GW
    pue: np.ndarray | None = None                # PUE of capacity added
    utilisation: np.ndarray | None = None        # utilisation of the fleet
    investment_factor: np.ndarray | None = None  # multiplier on investment released per GW (tranches)
    capex_change_pct: np.ndarray | None = None   # (d,) yearly capex change per draw, percent
    platform_delay_halves: np.ndarray | None = None  # (d,) every later platform, or (d, k): each of the k later ones


def programme_platforms(a: Assumptions, platforms: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the platforms the programme can deploy, with availability after delays and lag.

    The first platform is deployable from its availability: the letter of intent pairs it with the
    first gigawatt. Later platforms carry the roadmap delay and the adoption lag.
    """
    p = (data.platforms() if platforms is None else platforms).copy()
    first = p.loc[FIRST_PLATFORM, "availability_half"]
    p = p[p["availability_half"] >= first].sort_values("availability_half")
    later = p["availability_half"] > first
    p["deployable_half"] = p["availability_half"] + 0.5 * (a.platform_delay_halves + a.adoption_lag_halves) * later
    return p


def first_deployed(a: Assumptions, result: pd.DataFrame | None = None,
                   platforms: pd.DataFrame | None = None) -> pd.Series:
    """Return, per programme platform, the first half-year it receives capacity in the roadmap (NaN if
    never): the one place every table and sentence takes a platform's first deployment from."""
    df = run(a, platforms) if result is None else result
    on = df[df["added_gw"] > 0].groupby("platform")["half"].min()
    return on.reindex(programme_platforms(a, platforms).index)


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


def _cumsum(v: np.ndarray, inplace: bool = False) -> np.ndarray:
    """Running sum over the half-year axis of a time-major array: one vector add per half-year, in
    the same order as np.cumsum (identical results), many times faster for many draws. `inplace`
    reuses v, for a temporary nobody else holds."""
    out = v if inplace else np.array(v, copy=True)
    for j in range(1, len(out)):
        np.add(out[j - 1], out[j], out=out[j])
    return out


def _diff(v: np.ndarray) -> np.ndarray:
    """Change from the previous half-year (the first half-year against zero), time-major."""
    out = np.array(v, copy=True)
    out[1:] -= v[:-1]
    return out


def _time_major(v, default: float) -> np.ndarray:
    """Return a field as (1, 1) (the assumption), (1, d) (one value per draw) or (n, d) (per half-year)."""
    if v is None:
        return np.full((1, 1), default, dtype=float)
    v = np.asarray(v, dtype=float)
    return v[None, :] if v.ndim == 1 else v.T


def _build(a: Assumptions, t: np.ndarray, d: Draws) -> np.ndarray:
    """Return GW online by half-year, time-major: the schedule run on a per-draw clock that stops in
    paused half-years, at the draw's pace, within the GW the plan builds (scaled by target_factor)."""
    sched = _schedule(a, t)
    n = len(t)
    first = int(round((a.start_half - t[0]) * 2))
    planned = min(float(np.cumsum(sched)[-1]), a.target_power_gw)
    # Rates in programme time: the schedule, then its last rate until the planned GW are built
    # (a slower pace delays the build but does not shrink it).
    rates = np.zeros(n)
    rates[:n - first] = sched[first:]
    if sched.any():
        last = int(np.flatnonzero(sched)[-1]) - first
        rates[last + 1:] = sched[first + last]
    idx = np.arange(n)
    if d.paused is None and d.slip_halves is None:
        rate = np.where(idx >= first, rates[np.clip(idx - first, 0, n - 1)], 0.0)[:, None]
    else:
        active = np.broadcast_to((idx >= first)[:, None], (n, 1))
        if d.paused is not None:
            active = active & ~np.asarray(d.paused, dtype=bool).T
        if d.slip_halves is not None:
            slip = np.asarray(d.slip_halves, dtype=int)[None, :]
            active = active & ~((idx[:, None] >= first) & (idx[:, None] < first + slip))
        clock = _cumsum(active.astype(np.int64), inplace=True) - 1   # programme half-year executed at t
        rate = np.where(active, rates[np.clip(clock, 0, n - 1)], 0.0)
    cap = planned * _time_major(d.target_factor, 1.0)
    online = F.ONLINE_GW.evaluate({"scheduled_cum_gw": _cumsum(rate * _time_major(d.pace_factor, 1.0), inplace=True),
                                   "target_power_gw": cap})
    if cap.shape[0] > 1:  # a cap that falls mid-programme stops the build; it does not unbuild capacity
        for j in range(1, n):
            np.maximum(online[j - 1], online[j], out=online[j])
    return online


def _platform_index(a: Assumptions, t: np.ndarray, plat: pd.DataFrame, d: Draws) -> np.ndarray:
    """Return, time-major, the platform each half-year's new capacity goes on (the newest deployable).

    Per-draw delays take few distinct values, so the index is computed once per distinct delay
    pattern and gathered, instead of once per draw."""
    avail = plat["availability_half"].to_numpy()
    later = avail > avail[0]
    if d.platform_delay_halves is None:
        patterns, inverse = np.full((1, int(later.sum())), a.platform_delay_halves), None
    else:
        v = np.asarray(d.platform_delay_halves, dtype=np.int64)
        delays = np.repeat(v[:, None], int(later.sum()), axis=1) if v.ndim == 1 else v
        lo = int(delays.min()) if delays.size else 0
        base = int(delays.max()) - lo + 1 if delays.size else 1
        code = ((delays - lo) * base ** np.arange(delays.shape[1])).sum(axis=1)
        present = np.zeros(base ** delays.shape[1], dtype=bool)
        present[code] = True
        codes = np.flatnonzero(present)
        lookup = np.zeros(len(present), dtype=np.int64)
        lookup[codes] = np.arange(len(codes))
        inverse = lookup[code]
        patterns = ((codes[:, None] // base ** np.arange(delays.shape[1])) % base) + lo
    full = np.zeros((len(patterns), len(avail)))
    full[:, later] = patterns
    # The first platform is deployable from its availability (the letter pairs it with the first
    # gigawatt); later platforms carry the roadmap delay and the adoption lag.
    deployable = avail[None, :] + 0.5 * full + 0.5 * a.adoption_lag_halves * later[None, :]  # (u, m)
    ready = deployable[:, None, :] <= t[None, :, None]                               # (u, n, m)
    m = ready.shape[2]
    idx = np.where(ready.any(axis=2), m - 1 - np.argmax(ready[:, :, ::-1], axis=2), 0)  # (u, n)
    return idx.T if inverse is None else idx.T[:, inverse]                           # (n, 1) or (n, d)


def compute(a: Assumptions, platforms: pd.DataFrame | None = None, draws: Draws | None = None,
            outputs: Collection[str] | None = None) -> dict[str, np.ndarray]:
    """Return roadmap quantities as (draws, half-years) arrays, plus the axis under 'half'.

    outputs names the quantities wanted (default: every one in OUTPUTS); asking for fewer skips the
    work the others need, which the Monte Carlo uses.
    """
    d = draws or Draws()
    want = set(OUTPUTS if outputs is None else outputs)
    unknown = want - set(OUTPUTS)
    if unknown:
        raise KeyError(f"unknown roadmap output(s): {', '.join(sorted(unknown))}")
    t = time_axis(a)
    n = len(t)
    n_draws = max((len(v) for v in vars(d).values() if v is not None), default=1)
    out: dict[str, np.ndarray] = {}

    online = _build(a, t, d)
    added = _diff(online)
    # PUE is read only where an output crosses between facility and IT power, so outputs that do not
    # (GW online, money) neither need it nor, in a build, are keyed by it (analysis/reads.py).
    if a.power_basis == "facility":
        facility_online = online
        it_added = (F.IT_FROM_FACILITY_GW.evaluate({"facility_gw": added, "pue": _time_major(d.pue, a.pue)})
                    if want & ({"it_power_gw"} | PLATFORM_OUTPUTS) else None)
    else:
        it_added = added
        facility_online = (_cumsum(F.FACILITY_FROM_IT_GW.evaluate({"it_gw": added, "pue": _time_major(d.pue, a.pue)}))
                           if want & {"facility_power_gw", "energy_twh_per_year"} else None)
    out["added_gw"], out["online_gw"] = added, online
    if "facility_power_gw" in want:
        out["facility_power_gw"] = facility_online
    if "it_power_gw" in want:
        out["it_power_gw"] = _cumsum(it_added)
    if "energy_twh_per_year" in want:
        util = _time_major(d.utilisation, a.utilisation)
        out["energy_twh_per_year"] = F.ENERGY_TWH_PER_YEAR.evaluate({"facility_power_gw": facility_online,
                                                                   "utilisation": util})

    if want & PLATFORM_OUTPUTS:
        plat = programme_platforms(a, platforms)
        idx = _platform_index(a, t, plat, d)
        def spec(column: str) -> np.ndarray:  # the platform's figure for each half-year's new capacity
            return plat[column].to_numpy()[idx]

        racks_added = F.RACKS.evaluate({"it_gw": it_added, "non_accelerator_it_share": a.non_accelerator_it_share,
                                        "rack_power_kw": spec("rack_power_kw")})
        out |= {"platform_index": idx, "racks_added": racks_added}
        if want & {"accelerators_added", "accelerators_installed", "dies_installed", "hbm_pb"}:
            packages_added = F.PACKAGES.evaluate({"racks": racks_added,
                                                  "accelerators_per_rack": spec("accelerators_per_rack")})
            out["accelerators_added"] = packages_added
            if "accelerators_installed" in want:
                out["accelerators_installed"] = _cumsum(packages_added)
            if "dies_installed" in want:
                out["dies_installed"] = _cumsum(packages_added * spec("dies_per_package"))
            if "hbm_pb" in want:
                out["hbm_pb"] = _cumsum(packages_added * spec("hbm_gb_per_package")) / 1e6
        if "racks_installed" in want:
            out["racks_installed"] = _cumsum(racks_added)
        if "fp4_dense_eflops" in want:
            out["fp4_dense_eflops"] = _cumsum(racks_added * spec("fp4_dense_pflops_per_rack"), inplace=True) / 1e3
        if "fp8_dense_eflops" in want:
            out["fp8_dense_eflops"] = _cumsum(racks_added * spec("fp8_dense_pflops_per_rack")) / 1e3

    if want & {"capex_usd_bn", "capex_cum_usd_bn", "capex_nvidia_usd_bn", "capex_nvidia_cum_usd_bn"}:
        env = {"added_gw": added, "years": (t - a.start_half)[:, None],
               "capex_change_pct_per_year": _time_major(d.capex_change_pct, a.capex_change_pct_per_year),
               "capex_factor": _time_major(d.capex_factor, 1.0),
               "nvidia_price_factor": _time_major(d.nvidia_price_factor, 1.0),
               "capex_nvidia_usd_bn_per_gw": a.capex_nvidia_usd_bn_per_gw,
               "capex_total_usd_bn_per_gw": a.capex_total_usd_bn_per_gw}
        env["cost_trend"] = F.COST_TREND.evaluate(env)
        capex_nvidia = F.CAPEX_NVIDIA_USD_BN.evaluate(env)
        capex_total = capex_nvidia + F.CAPEX_OTHER_USD_BN.evaluate(env)
        out |= {"capex_usd_bn": capex_total, "capex_nvidia_usd_bn": capex_nvidia}
        if "capex_cum_usd_bn" in want:
            out["capex_cum_usd_bn"] = _cumsum(capex_total)
        if "capex_nvidia_cum_usd_bn" in want:
            out["capex_nvidia_cum_usd_bn"] = _cumsum(capex_nvidia)

    if want & {"investment_released_usd_bn", "investment_cum_usd_bn"}:
        if a.investment_structure == "tranches":
            # A draw that withholds tranches from some half-year on counts each GW at the share of
            # its tranche released when it came online.
            gw = online if d.investment_factor is None else _cumsum(added * _time_major(d.investment_factor, 1.0))
            invest_cum = F.INVESTMENT_TRANCHES_USD_BN.evaluate({
                "investment_cap_usd_bn": a.investment_cap_usd_bn,
                "investment_per_gw_usd_bn": a.investment_per_gw_usd_bn, "online_gw": gw})
        else:
            paid = (t >= a.equity_investment_half - 1e-9).astype(float)[:, None]
            invest_cum = F.INVESTMENT_EQUITY_USD_BN.evaluate(
                {"equity_investment_usd_bn": a.equity_investment_usd_bn, "equity_paid": paid})
        out["investment_cum_usd_bn"] = invest_cum
        if "investment_released_usd_bn" in want:
            out["investment_released_usd_bn"] = _diff(invest_cum)

    # Back to (draws, half-years): a transposed view, broadcast where nothing varied by draw.
    result = {"half": t}
    for key in OUTPUTS:
        if key in want:
            result[key] = np.broadcast_to(out[key], (n, n_draws)).T
    return result


def run(a: Assumptions, platforms: pd.DataFrame | None = None, outputs: Collection[str] | None = None) -> pd.DataFrame:
    """Return the deterministic roadmap: one row per half-year, columns with their units in the name.

    outputs: the columns wanted (default every one, with the platform deployed); a chapter that uses
    only GW and money asks for those and reads none of the power or platform assumptions (compute)."""
    arrays = compute(a, platforms, outputs=outputs)
    t = arrays.pop("half")
    idx = arrays.pop("platform_index")[0] if "platform_index" in arrays else None
    df = pd.DataFrame({k: np.array(v[0]) for k, v in arrays.items()})
    df.insert(0, "half", t)
    df.insert(1, "half_label", [halves.label(h) for h in t])
    if idx is not None:
        df.insert(2, "platform", programme_platforms(a, platforms).index.to_numpy()[idx])
        df.loc[df["added_gw"] <= 0, "platform"] = ""
    return df


def on_assumed_platforms(df: pd.DataFrame) -> dict[str, float | list[str]]:
    """Return which deployed platforms have specifications that are this report's assumption, and the
    share of the installed packages, dense FP4 and FP8 at the horizon that sit on them."""
    assumed = set(data.assumed_platforms())
    plat = data.platforms()
    on = df["platform"].isin(assumed)
    racks = df["racks_added"]
    per = df["platform"].map(lambda p: plat.loc[p] if p in plat.index else None)
    fp4 = pd.Series([r * (q["fp4_dense_pflops_per_rack"] if q is not None else 0.0) for r, q in zip(racks, per)])
    fp8 = pd.Series([r * (q["fp8_dense_pflops_per_rack"] if q is not None else 0.0) for r, q in zip(racks, per)])

    def share(v: pd.Series) -> float:
        total = float(v.sum())
        return float(v[on.to_numpy()].sum()) / total if total > 0 else 0.0
    return {"platforms": sorted(set(df.loc[on, "platform"])), "packages_share": share(df["accelerators_added"]),
            "fp4_share": share(fp4), "fp8_share": share(fp8),
            "gw_share": share(df["added_gw"])}
