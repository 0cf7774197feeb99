"""The risk register and the Monte Carlo of the roadmap: time-bound, correlated risks with upside.

Each risk in data/risks.csv is an event that strikes at most once in a draw, in a half-year drawn
from its likelihood over its window, and changes the roadmap from then on: a delay pushes back
everything still to be built; a cost, pace or efficiency change applies to what is built afterwards.
Only what is still open at the data date (the newest source's date) is drawn: the half-years that
passed without the risk cannot bring it, a risk whose window has closed is not drawn, and an event
that has happened is carried by the edition's assumptions instead. A risk that cannot apply in an
edition (tranches where the investment is a fixed stake) is not in its register.

Risks that share a driver (the build climate, chip supply, the financing climate) are linked by a
common-shock copula: in a share `risk_correlation` of draws every risk of a driver follows the
driver's one uniform draw (upsides its mirror image), otherwise its own. The rank correlation of two
such risks is then exactly `risk_correlation`; at 1 they strike together whenever the less likely
one strikes. Continuous spreads on pace, costs, prices, PUE and utilisation are drawn for every
draw. Draws run through roadmap.compute in chunks, so memory stays flat and the speed holds at
millions of draws; with every likelihood and spread at zero the Monte Carlo is the deterministic plan.
"""

from __future__ import annotations


import datetime as dt
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import data, halves, labels, results, roadmap
from .assumptions import Assumptions

#: What an effect moves: the unit its impact is in, and the sign of a downside (upsides flip it).
EFFECTS: dict[str, tuple[str, int]] = {
    "pause": ("halves", +1),         # everything still to be built waits this many half-years
    "platform": ("halves", +1),      # one NVIDIA platform after Vera Rubin arrives later
    "pace": ("share", -1),           # GW added per half-year, from the strike on
    "volume": ("share", -1),         # GW still to be built and the pace
    "utilisation": ("share", -1),    # utilisation of the fleet
    "capex_other": ("share", +1),    # non-NVIDIA capital cost per GW built afterwards
    "nvidia_price": ("share", +1),   # NVIDIA's price per GW built afterwards
    "tranche": ("share", -1),        # per-GW tranches still to come
    "pue": ("ratio", +1),            # PUE of halls built afterwards
}
#: How a likelihood is stated, and the unit its assumption carries.
BASES = {"per half-year": "share per half-year", "over window": "share", "per launch": "share per launch",
         "happened": ""}
#: Drivers that risks share, with the reader's name for each.
FACTORS = {"build": "Build climate", "chips": "Chip supply", "finance": "Financing climate"}
WINDOW_CODES = ("data", "start", "build_end", "horizon")

#: Continuous inputs drawn for every draw: (schema parameter, spread assumption, distribution).
NOISE: tuple[tuple[str, str, str], ...] = (
    ("schedule_gw_per_half", "mc_pace_sigma", "lognormal factor"),
    ("capex_total_usd_bn_per_gw", "mc_capex_overrun_sigma", "lognormal factor on the non-NVIDIA part"),
    ("capex_nvidia_usd_bn_per_gw", "mc_nvidia_price_sigma", "lognormal factor"),
    ("capex_change_pct_per_year", "mc_capex_change_sd_pct", "normal, percentage points"),
    ("pue", "mc_pue_sd", "normal, clipped to 1.0-2.0"),
    ("utilisation", "mc_utilisation_sd", "normal, clipped to 0.1-1.0"),
)

#: Quantities the risk chapter follows over time (fan charts), with their labels and units.
METRICS = {k: (labels.label(k), labels.unit(k)) for k in
           ("online_gw", "fp4_dense_eflops", "investment_cum_usd_bn", "capex_cum_usd_bn", "energy_twh_per_year")}
#: Headline outputs per draw, with labels and units (the registry's, in analysis/labels.py; the two
#: cumulative ones are read at the horizon).
HEADLINE_LABELS = {
    **{k: (labels.label(k), labels.unit(k)) for k in ("gw_milestone", "gw_end")},
    "capex_cum_usd_bn": ("Cumulative capex at the horizon", "USD bn"),
    "investment_cum_usd_bn": ("NVIDIA investment released by the horizon", "USD bn"),
    **{k: (labels.label(k), labels.unit(k)) for k in ("energy_twh_end", "fp4_eflops_end")},
}
#: The headline each effect hurts, so the register states an impact in the unit it hurts.
HURTS = {"pause": "gw_milestone", "pace": "gw_milestone", "volume": "gw_end", "utilisation": "energy_twh_end",
         "capex_other": "capex_cum_usd_bn", "nvidia_price": "capex_cum_usd_bn",
         "tranche": "investment_cum_usd_bn", "pue": "fp4_eflops_end", "platform": "fp4_eflops_end"}
QUANTILES = (0.1, 0.5, 0.9)
#: z-score of the 90th percentile of a standard normal (P10/P90 swings in the tornado).
Z90 = 1.2815515655446004
#: Likelihoods are resolved to one part in 2**16: each draw compares 16-bit uniforms with thresholds.
RESOLUTION = 1 << 16
#: Draws per chunk: small enough that a chunk's arrays stay in cache, large enough to amortise numpy.
CHUNK = 32_768
#: Onset index meaning "does not strike" (beyond any model axis, and small enough for int8 tables).
NEVER = 100
#: Draws kept whole for the fan charts (percentiles by half-year); headlines use every draw.
FAN_DRAWS = 100_000
#: Roadmap quantities the Monte Carlo computes per draw.
MC_OUTPUTS = ("online_gw", "capex_cum_usd_bn", "investment_cum_usd_bn", "energy_twh_per_year",
              "fp4_dense_eflops")
TOL = 1e-6


# --- The register -----------------------------------------------------------------------------


def _conditions(text: str) -> list[tuple[str, str, str]]:
    """Parse 'name == value and name != value' into (name, operator, value) triples."""
    out = []
    for part in [p.strip() for p in str(text).split(" and ") if p.strip()]:
        for op in ("==", "!="):
            if op in part:
                name, value = (s.strip() for s in part.split(op, 1))
                out.append((name, op, value))
                break
        else:
            out.append((part, "?", ""))
    return out


def holds(a: Assumptions, text: str) -> bool:
    """Return whether a register condition holds for these assumptions (empty: always)."""
    ok = True
    for name, op, value in _conditions(text):
        actual = str(getattr(a, name))
        ok &= (actual == value) if op == "==" else (actual != value)
    return ok


def _split(text: str) -> list[str]:
    return [s.strip() for s in str(text).split(";") if s.strip()]


def check_register(table: pd.DataFrame | None = None) -> list[str]:
    """Return every problem in the register: unknown assumptions, effects, bases, windows, conditions."""
    reg = data.table("risks") if table is None else table
    fields = Assumptions.model_fields
    problems = []

    def unit(name: str) -> str | None:
        return fields[name].json_schema_extra["unit"] if name in fields else None

    for _, r in reg.iterrows():
        rid = r["risk_id"]
        if r["direction"] not in ("downside", "upside"):
            problems.append(f"risk {rid}: direction {r['direction']!r} must be 'downside' or 'upside'")
        if r["basis"] not in BASES:
            problems.append(f"risk {rid}: basis {r['basis']!r} is not one of {', '.join(BASES)}")
        if r["factor"] and r["factor"] not in FACTORS:
            problems.append(f"risk {rid}: factor {r['factor']!r} is not one of {', '.join(FACTORS)}")
        for col in ("applies_when", "folded_when"):
            for name, op, value in _conditions(r[col]):
                if op == "?":
                    problems.append(f"risk {rid}: {col} {name!r} is not 'name == value' or 'name != value'")
                elif name not in fields:
                    problems.append(f"risk {rid}: {col} names {name!r}, not an assumption in the schema")
        if r["basis"] == "happened":
            try:
                dt.date.fromisoformat(str(r["occurred"]))
            except ValueError:
                problems.append(f"risk {rid}: happened, but occurred {r['occurred']!r} is not a YYYY-MM-DD date")
            continue
        for col in ("likelihood", "impact"):
            if r[col] not in fields:
                problems.append(f"risk {rid}: {col} {r[col]!r} is not an assumption in the schema")
        if r["basis"] in BASES and unit(r["likelihood"]) not in (None, BASES[r["basis"]]):
            problems.append(f"risk {rid}: likelihood {r['likelihood']!r} is in {unit(r['likelihood'])!r}, "
                            f"but a likelihood {r['basis']} is in {BASES[r['basis']]!r}")
        effects = _split(r["effect"])
        if not effects:
            problems.append(f"risk {rid}: no effect")
        for e in effects:
            if e not in EFFECTS:
                problems.append(f"risk {rid}: effect {e!r} is not one of {', '.join(EFFECTS)}")
            elif unit(r["impact"]) not in (None, EFFECTS[e][0]):
                problems.append(f"risk {rid}: impact {r['impact']!r} is in {unit(r['impact'])!r} but effect "
                                f"{e} needs {EFFECTS[e][0]!r}")
        if r["basis"] == "per launch" and effects != ["platform"]:
            problems.append(f"risk {rid}: a likelihood per launch needs the effect 'platform' alone")
        for col in ("window_from", "window_to"):
            w = str(r[col])
            if w not in WINDOW_CODES:
                try:
                    float(w)
                except ValueError:
                    problems.append(f"risk {rid}: {col} {w!r} is not a half-year or one of {', '.join(WINDOW_CODES)}")
    if reg["risk_id"].duplicated().any():
        problems.append(f"duplicate risk_id {reg['risk_id'][reg['risk_id'].duplicated()].iloc[0]!r}")
    return problems


def _register(table: pd.DataFrame | None) -> pd.DataFrame:
    if table is None:
        reg = data.table("risks")
        problems = list(_data_register_problems(data._stamp()))
    else:
        reg = table.copy()
        problems = check_register(reg)
    if problems:
        raise ValueError("; ".join(problems))
    return reg


@functools.lru_cache(maxsize=4)
def _data_register_problems(stamp: tuple) -> tuple[str, ...]:
    """check_register of data/risks.csv, once per version of the data files (every plan asks)."""
    return tuple(check_register())


# --- Time: the data date and the half-years still open ------------------------------------------


def decimal_year(date: str) -> float:
    """Return a YYYY-MM-DD date as a decimal year (2026-07-01 is about 2026.496)."""
    d = dt.date.fromisoformat(str(date))
    start = dt.date(d.year, 1, 1)
    return d.year + (d - start).days / (dt.date(d.year + 1, 1, 1) - start).days


def data_half(date: str) -> tuple[float, float]:
    """Return the half-year holding the date and the share of it still to come after the date."""
    y = decimal_year(date)
    h = np.floor(y * 2) / 2
    return float(h), float((h + 0.5 - y) / 0.5)


def _window_half(a: Assumptions, code: str, now: float) -> float:
    if code == "data":
        return now
    if code == "start":
        return a.start_half
    if code == "build_end":
        return a.start_half + 0.5 * (len(a.schedule_gw_per_half) - 1)
    if code == "horizon":
        return a.horizon_end_half
    return float(code)


def _scale(a: Assumptions, direction: str) -> float:
    return a.risk_likelihood_scale if direction == "downside" else a.upside_likelihood_scale


@dataclass(frozen=True)
class Event:
    """One drawable event: a risk, or one launch of a per-launch risk, with its open half-years."""

    risk_id: str
    name: str
    direction: str
    effects: tuple[str, ...]
    factor: str
    impact: float            # the impact assumption's value (always positive; direction gives the sign)
    halves: np.ndarray       # half-years it can still strike in (the first may be partly past)
    hazards: np.ndarray      # chance in each of them, given it has not struck before
    launch: int = -1         # for a platform risk: which later platform (0 = the first after Vera Rubin)
    launch_name: str = ""

    @property
    def probability(self) -> float:
        """Chance it strikes at all in what is left of its window."""
        return float(1.0 - np.prod(1.0 - self.hazards))

    @property
    def onset_probabilities(self) -> np.ndarray:
        """Chance it first strikes in each open half-year."""
        survive = np.concatenate([[1.0], np.cumprod(1.0 - self.hazards)[:-1]])
        return survive * self.hazards


@dataclass(frozen=True)
class Plan:
    """What an edition draws: its open events, and every register row with its status there."""

    a: Assumptions
    data_date: str
    axis: np.ndarray
    events: tuple[Event, ...]
    register: pd.DataFrame                         # rows that apply to the edition, with 'status'
    factors: tuple[str, ...] = field(default=())
    n_later: int = 0                               # platforms after Vera Rubin on the roadmap


def plan(a: Assumptions, table: pd.DataFrame | None = None, data_date: str | None = None,
         platforms: pd.DataFrame | None = None) -> Plan:
    """Return the edition's events and register: conditions, windows and hazards resolved at the data date."""
    reg = _register(table)
    date = data.data_date() if data_date is None else data_date
    now, left = data_half(date)
    plat = roadmap.programme_platforms(a, platforms)
    later = plat[plat["availability_half"] > plat["availability_half"].iloc[0]]
    events: list[Event] = []
    rows = []
    for _, r in reg.iterrows():
        if not holds(a, r["applies_when"]):
            continue  # cannot apply in this edition: not in its register
        row = r.to_dict()
        if r["basis"] == "happened":
            if str(r["occurred"]) > date:
                row |= {"status": "closed", "note": "Dated after the data date."}
            elif holds(a, r["folded_when"]) and r["folded_when"]:
                row |= {"status": "happened", "note": "Happened; this edition's assumptions carry it."}
            else:
                row |= {"status": "set aside", "note": "Happened; this edition sets it aside to show "
                                                      "the counterfactual."}
            rows.append(row)
            continue
        p = min(1.0, float(getattr(a, r["likelihood"])) * _scale(a, r["direction"]))
        impact = float(getattr(a, r["impact"]))
        base = dict(risk_id=r["risk_id"], name=r["name"], direction=r["direction"],
                    effects=tuple(_split(r["effect"])), factor=r["factor"], impact=impact)
        lo = _window_half(a, str(r["window_from"]), now)
        hi = _window_half(a, str(r["window_to"]), now)
        found = []
        if r["basis"] == "per launch":
            for k, (pname, prow) in enumerate(later.iterrows()):
                h = float(prow["availability_half"])
                if max(lo, now) <= h <= hi:
                    found.append(Event(**base, halves=np.array([h]), hazards=np.array([p]), launch=k,
                                       launch_name=str(pname)))
        else:
            open_halves = halves.axis(max(lo, now), hi) if hi >= max(lo, now) else np.array([])
            if len(open_halves):
                if r["basis"] == "per half-year":
                    h = np.full(len(open_halves), p)
                else:  # over window: the same hazard in each half-year of the stated window
                    exposure = int(round((hi - lo) * 2)) + 1
                    if str(r["window_from"]) == "data":  # a window that opens at the data date, mid-half
                        exposure -= 1.0 - left
                    h = np.full(len(open_halves), 1.0 - (1.0 - p) ** (1.0 / exposure))
                if open_halves[0] == now:  # the data date's half-year is partly past
                    h[0] = 1.0 - (1.0 - h[0]) ** left
                found.append(Event(**base, halves=open_halves, hazards=h))
        if found:
            events += found
            row |= {"status": "drawn", "note": ""}
        else:
            row |= {"status": "closed", "note": "Its window closed before the data date without it."}
        rows.append(row)
    drawn = [e for e in events]
    factors = tuple(sorted({e.factor for e in drawn if e.factor}))
    return Plan(a=a, data_date=date, axis=roadmap.time_axis(a), events=tuple(drawn),
                register=pd.DataFrame(rows), factors=factors, n_later=len(later))


# --- Drawing events and noise -----------------------------------------------------------------


def _onset_tables(p: Plan) -> np.ndarray:
    """Return, per event, the model-axis index of its onset for every 16-bit uniform (NEVER: no strike).

    A uniform below the event's cumulative chance by a half-year strikes in that half-year; the
    tables make the draw one gather per event."""
    tables = np.full((len(p.events), RESOLUTION), NEVER, dtype=np.int8)
    for i, e in enumerate(p.events):
        cum = np.rint((1.0 - np.cumprod(1.0 - e.hazards)) * RESOLUTION).astype(np.int64)
        idx = np.clip(np.rint((e.halves - p.axis[0]) * 2).astype(np.int64), 0, None)
        idx = np.where(e.halves > p.axis[-1], NEVER, idx)
        prev = 0
        for c, j in zip(cum, idx):
            tables[i, prev:c] = j
            prev = max(prev, int(c))
    return tables


def uniforms(p: Plan, raw: np.ndarray, correlation: float) -> np.ndarray:
    """Return each event's 16-bit uniform (rows) from raw 16-bit draws (rows: one per event, then a
    selector and a shared draw per factor): in a share `correlation` of draws a factor's events take
    its shared draw (upsides its mirror image), otherwise their own."""
    n_events = len(p.events)
    u = np.array(raw[:n_events])
    threshold = int(round(correlation * RESOLUTION))
    for k, f in enumerate(p.factors):
        select = raw[n_events + 2 * k] < threshold
        shared = raw[n_events + 2 * k + 1]
        mirror = (RESOLUTION - 1) - shared
        for i, e in enumerate(p.events):
            if e.factor == f:
                np.copyto(u[i], shared if e.direction == "downside" else mirror, where=select)
    return u


def draws(p: Plan, z: np.ndarray, onsets: np.ndarray, power: bool = True) -> roadmap.Draws:
    """Turn standard-normal noise z (d, 6) and event onsets (d, events; model-axis index, or NEVER)
    into roadmap draws. Deterministic given its inputs, so the tornado and the register reuse it.

    A risk that strikes changes a quantity from its onset on: it is scattered into that half-year
    and carried forward by a running product (or sum), so the cost is per strike, not per half-year.
    power=False leaves PUE and utilisation undrawn (and unread), for runs that want only GW and money.
    """
    a = p.a
    n = len(p.axis)
    z = np.asarray(z, dtype=float)
    d = z.shape[0]
    first = int(round((a.start_half - p.axis[0]) * 2))
    noise = {
        "pace_factor": np.exp(a.mc_pace_sigma * z[:, 0]),
        "capex_factor": np.exp(a.mc_capex_overrun_sigma * z[:, 1]),
        "nvidia_price_factor": np.exp(a.mc_nvidia_price_sigma * z[:, 2]),
    }
    if power:
        noise["pue"] = np.clip(a.pue + a.mc_pue_sd * z[:, 4], 1.0, 2.0)
        noise["utilisation"] = np.clip(a.utilisation + a.mc_utilisation_sd * z[:, 5], 0.1, 1.0)
    change = a.capex_change_pct_per_year + a.mc_capex_change_sd_pct * z[:, 3]
    steps: dict[str, np.ndarray] = {}     # time-major (n, d): the change each strike makes, at its onset

    def scatter(name: str, at: np.ndarray, value: float, neutral: float) -> None:
        """Put a strike's change into half-year x draw cells `at` (flat indices) of one quantity."""
        arr = steps.get(name)
        if arr is None:
            arr = steps[name] = np.full((n, d), neutral)
        flat = arr.reshape(-1)
        if neutral == 1.0:
            flat[at] *= value
        else:
            flat[at] += value

    pause_edges = None
    delays = None
    tranches = a.investment_structure == "tranches"
    by_event = np.ascontiguousarray(np.asarray(onsets).T)
    for i, e in enumerate(p.events):
        o = by_event[i]
        struck = o < NEVER
        hit = np.flatnonzero(struck)
        if not len(hit):
            continue
        o = o.astype(np.int64)
        inside = hit[o[hit] < n]
        at = o[inside] * d + inside          # flat (half-year, draw) cells where it strikes
        sign = 1.0 if e.direction == "downside" else -1.0
        for eff in e.effects:
            if not power and eff in ("pue", "utilisation"):
                continue
            x = sign * EFFECTS[eff][1] * e.impact        # signed change on the effect's quantity
            if eff == "pause":
                s = int(round(e.impact))
                start = np.maximum(o[hit], first)
                if pause_edges is None:
                    pause_edges = np.zeros((n + 1, d), dtype=np.int32)
                keep = start < n
                pause_edges[start[keep], hit[keep]] += 1            # one strike per draw and event
                pause_edges[np.minimum(start[keep] + s, n), hit[keep]] -= 1
            elif eff == "platform":
                if delays is None:
                    delays = np.full((d, p.n_later), a.platform_delay_halves, dtype=np.int64)
                delays[struck, e.launch] += int(round(sign * e.impact))
            elif eff == "pue":
                scatter("pue", at, x, 0.0)
            elif eff == "volume":
                scatter("target_factor", at, 1.0 + x, 1.0)
                scatter("pace_factor", at, 1.0 + x, 1.0)
            elif eff == "tranche":
                if tranches:
                    scatter("investment_factor", at, 1.0 + x, 1.0)
            else:
                target = {"pace": "pace_factor", "utilisation": "utilisation", "capex_other": "capex_factor",
                          "nvidia_price": "nvidia_price_factor"}[eff]
                scatter(target, at, 1.0 + x, 1.0)
    fields: dict[str, np.ndarray] = dict(noise)
    for name, arr in steps.items():
        additive = name == "pue"
        for j in range(1, n):  # carry each change forward from its onset
            (np.add if additive else np.multiply)(arr[j - 1], arr[j], out=arr[j])
        if name in noise:
            (np.add if additive else np.multiply)(arr, noise[name][None, :], out=arr)
        if name == "pue":
            np.clip(arr, 1.0, 2.0, out=arr)
        elif name == "utilisation":
            np.clip(arr, 0.0, 1.0, out=arr)
        fields[name] = arr.T
    paused = None
    if pause_edges is not None:
        for j in range(1, n):  # strikes still running in each half-year
            np.add(pause_edges[j - 1], pause_edges[j], out=pause_edges[j])
        paused = (pause_edges[:n] > 0).T
    return roadmap.Draws(capex_change_pct=change, paused=paused, platform_delay_halves=delays, **fields)


def _streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Two independent generators (noise, events): each draw's numbers do not depend on the chunk size."""
    noise, events = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(noise), np.random.default_rng(events)


def sample_onsets(p: Plan, rng: np.random.Generator, d: int, correlation: float | None = None,
                  tables: np.ndarray | None = None) -> np.ndarray:
    """Draw d rows of event onsets (model-axis index, or NEVER) through the copula."""
    tab = _onset_tables(p) if tables is None else tables
    # One row of draws per draw, in stream order, so results do not depend on the chunk size.
    raw = rng.integers(0, RESOLUTION, size=(d, len(p.events) + 2 * len(p.factors)), dtype=np.uint32)
    u = uniforms(p, np.ascontiguousarray(raw.T), p.a.risk_correlation if correlation is None else correlation)
    out = np.empty((d, len(p.events)), dtype=np.int8)
    for i in range(len(p.events)):
        out[:, i] = tab[i][u[i]]
    return out


# --- Simulating -------------------------------------------------------------------------------


def milestone_index(a: Assumptions, half: np.ndarray) -> int:
    """Return the column of the milestone half-year on the axis (clipped to the axis)."""
    return int(np.clip(np.searchsorted(half, a.milestone_half - 1e-9), 0, len(half) - 1))


def start_index(a: Assumptions, half: np.ndarray) -> int:
    """Return the column of the half-year the first capacity is due in."""
    return int(np.clip(round((a.start_half - half[0]) * 2), 0, len(half) - 1))


def headlines(a: Assumptions, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Return the headline outputs per draw: GW at the milestone and at the horizon, money, energy, compute."""
    i = milestone_index(a, arrays["half"])
    out = {
        "gw_first": arrays["online_gw"][:, start_index(a, arrays["half"])],
        "gw_milestone": arrays["online_gw"][:, i],
        "gw_end": arrays["online_gw"][:, -1],
    }
    return out | {k: arrays[q][:, -1] for k, q in AT_HORIZON.items() if q in arrays}


#: Headlines read at the horizon, from the roadmap output each is read from (where it was computed).
AT_HORIZON = {"capex_cum_usd_bn": "capex_cum_usd_bn", "investment_cum_usd_bn": "investment_cum_usd_bn",
              "energy_twh_end": "energy_twh_per_year", "fp4_eflops_end": "fp4_dense_eflops"}
#: Roadmap outputs that need neither PUE nor utilisation: a run of only these draws neither.
POWER_FREE = frozenset({"online_gw", "capex_cum_usd_bn", "investment_cum_usd_bn"})


@dataclass
class Simulation:
    """A Monte Carlo run reduced as it goes: headlines of every draw, whole paths of the first ones."""

    half: np.ndarray
    draws: int
    headlines: dict[str, np.ndarray]      # per draw (float32: percentiles need no more)
    flags: dict[str, int]                 # counts of draws meeting each headline test
    paths: dict[str, np.ndarray]          # metric -> (min(draws, FAN_DRAWS), halves), float64
    struck: np.ndarray                    # per event: draws in which it struck
    outputs: tuple[str, ...] = MC_OUTPUTS  # the roadmap outputs simulated


@results.stored
def simulate(a: Assumptions, n: int | None = None, seed: int | None = None,
             platforms: pd.DataFrame | None = None, p: Plan | None = None, chunk: int = CHUNK,
             correlation: float | None = None, outputs: tuple[str, ...] = MC_OUTPUTS) -> Simulation:
    """Run n roadmap draws (default a.mc_draws) in chunks of `chunk`, seeded by `seed` (default a.mc_seed).

    outputs: the roadmap outputs to simulate (default: every headline's); fewer cost less and read
    fewer assumptions (only GW online: neither PUE nor utilisation). Each draw is the same whatever
    is asked, so a headline or probability agrees between runs that both compute it."""
    n = a.mc_draws if n is None else int(n)
    outputs = tuple(outputs)
    platforms = data.platforms() if platforms is None else platforms  # read once, not per chunk
    p = plan(a, platforms=platforms) if p is None else p
    tables = _onset_tables(p)
    det = headlines(a, roadmap.compute(a, platforms, outputs=outputs))
    power = not set(outputs) <= POWER_FREE
    g_noise, g_events = _streams(a.mc_seed if seed is None else seed)
    kept = min(n, FAN_DRAWS)
    heads = {k: np.empty(n, dtype=np.float32) for k in HEADLINE_LABELS if k in det}
    paths = {k: np.empty((kept, len(p.axis))) for k in METRICS if k in outputs}
    flags = {"on_time": 0, "target": 0, "behind": 0, "ahead": 0}
    struck = np.zeros(len(p.events), dtype=np.int64)
    for i0 in range(0, n, chunk):
        c = min(chunk, n - i0)
        z = g_noise.standard_normal((c, len(NOISE)))
        onsets = sample_onsets(p, g_events, c, correlation, tables)
        struck += (onsets < NEVER).sum(axis=0)
        arrays = roadmap.compute(a, platforms, draws(p, z, onsets, power=power), outputs=outputs)
        h = headlines(a, arrays)
        for k in heads:
            heads[k][i0:i0 + c] = h[k]
        flags["on_time"] += int((h["gw_first"] > TOL).sum())
        flags["target"] += int((h["gw_end"] >= det["gw_end"][0] - TOL).sum())
        flags["behind"] += int((h["gw_milestone"] < det["gw_milestone"][0] - TOL).sum())
        flags["ahead"] += int((h["gw_milestone"] > det["gw_milestone"][0] + TOL).sum())
        if i0 < kept:
            m = min(c, kept - i0)
            for k in paths:
                paths[k][i0:i0 + m] = arrays[k][:m]
    return Simulation(half=p.axis, draws=n, headlines=heads, flags=flags, paths=paths, struck=struck,
                      outputs=outputs)


def quantiles(values: np.ndarray) -> np.ndarray:
    """Return P10, P50, P90 over the draws axis."""
    return np.quantile(values, QUANTILES, axis=0)


def fan(a: Assumptions, sim: Simulation | None = None) -> pd.DataFrame:
    """Return P10/P50/P90 and the plan by half-year for every metric (long frame), and whether the
    metric varies at all in this edition (a constant is not shown as a range)."""
    sim = simulate(a) if sim is None else sim
    det = roadmap.compute(a, outputs=sim.outputs)
    frames = []
    for key, (label, unit) in METRICS.items():
        if key not in sim.paths:
            continue
        q = quantiles(sim.paths[key])
        frames.append(pd.DataFrame({
            "half": sim.half, "half_label": [halves.label(h) for h in sim.half],
            "metric": key, "label": label, "unit": unit, "p10": q[0], "p50": q[1], "p90": q[2],
            "deterministic": det[key][0],
            "varies": bool(np.ptp(sim.paths[key], axis=0).max() > TOL * max(1.0, np.abs(det[key]).max()))}))
    return pd.concat(frames, ignore_index=True)


def stats(a: Assumptions, sim: Simulation | None = None) -> dict[str, float]:
    """Return the chapter's probabilities and the percentiles of the headline outputs."""
    sim = simulate(a) if sim is None else sim
    det = headlines(a, roadmap.compute(a, outputs=sim.outputs))
    out: dict[str, float] = {"draws": float(sim.draws)}
    for k, v in sim.headlines.items():
        q = np.quantile(v, QUANTILES)
        d = float(det[k][0])
        # A percentile stored in float32 that rounds to the plan is the plan.
        q = [d if abs(x - d) <= 1e-6 * max(1.0, abs(d)) else float(x) for x in q]
        out |= {f"{k}_p10": q[0], f"{k}_p50": q[1], f"{k}_p90": q[2], f"{k}_mean": float(v.mean(dtype=np.float64)),
                f"{k}_det": d, f"{k}_varies": float(np.ptp(v) > 1e-6 * max(1.0, abs(d)))}
    out["p_first_capacity_on_time"] = sim.flags["on_time"] / sim.draws
    out["p_target_by_horizon"] = sim.flags["target"] / sim.draws
    out["p_behind_at_milestone"] = sim.flags["behind"] / sim.draws
    out["p_ahead_at_milestone"] = sim.flags["ahead"] / sim.draws
    return out


# --- Reading the register ---------------------------------------------------------------------


@results.stored
def effects(a: Assumptions, p: Plan | None = None, platforms: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return each drawn event's effect on the headlines if it strikes alone (no noise), averaged
    over the half-years it may strike in; one vectorised run of the roadmap."""
    p = plan(a, platforms=platforms) if p is None else p
    n_ev = len(p.events)
    rows, owners, weights = [np.full(n_ev, NEVER)], [-1], [1.0]
    for i, e in enumerate(p.events):
        w = e.onset_probabilities
        w = w / w.sum() if w.sum() > 0 else np.full(len(w), 1.0 / len(w))
        for h, wj in zip(e.halves, w):
            r = np.full(n_ev, NEVER)
            r[i] = max(int(round((h - p.axis[0]) * 2)), 0) if h <= p.axis[-1] else NEVER
            rows.append(r)
            owners.append(i)
            weights.append(wj)
    onsets = np.array(rows)
    h = headlines(a, roadmap.compute(a, platforms, draws(p, np.zeros((len(rows), len(NOISE))), onsets)))
    owners, weights = np.array(owners), np.array(weights)
    out = []
    for i, e in enumerate(p.events):
        sel = owners == i
        row = {"risk_id": e.risk_id, "name": e.name, "direction": e.direction, "factor": e.factor,
               "launch_name": e.launch_name, "probability": e.probability,
               "first_half": float(e.halves[0]), "last_half": float(e.halves[-1]),
               "hurts": HURTS[e.effects[0]]}
        for key, v in h.items():
            row[f"delta_{key}"] = float((weights[sel] * (v[sel] - v[0])).sum())
            row[f"expected_{key}"] = e.probability * row[f"delta_{key}"]
        out.append(row)
    return pd.DataFrame(out)


def register(a: Assumptions, p: Plan | None = None) -> pd.DataFrame:
    """Return the edition's register: every risk that can apply, with its status, its likelihood
    over what is left of its window, and its effect in the unit it hurts (drawn risks)."""
    p = plan(a) if p is None else p
    reg = p.register.copy()
    eff = effects(a, p)
    agg = eff.groupby("risk_id", sort=False).agg(
        probability=("probability", lambda s: 1.0 - float(np.prod(1.0 - s))),
        launches=("launch_name", lambda s: [x for x in s if x]),
        first_half=("first_half", "min"), last_half=("last_half", "max"), hurts=("hurts", "first"),
        **{f"delta_{k}": (f"delta_{k}", "mean") for k in HEADLINE_LABELS if f"delta_{k}" in eff},
        **{f"expected_{k}": (f"expected_{k}", "sum") for k in HEADLINE_LABELS if f"expected_{k}" in eff})
    reg = reg.merge(agg, how="left", left_on="risk_id", right_index=True)
    reg["impact_value"] = [float(getattr(a, r["impact"])) if r["impact"] else np.nan for _, r in reg.iterrows()]
    reg["impact_unit"] = [Assumptions.model_fields[r["impact"]].json_schema_extra["unit"] if r["impact"] else ""
                          for _, r in reg.iterrows()]
    reg["stated_likelihood"] = [float(getattr(a, r["likelihood"])) if r["likelihood"] else np.nan
                                for _, r in reg.iterrows()]
    return reg


# --- How much the results owe to judgement ----------------------------------------------------

#: The headline probabilities the judgement test recomputes.
PROBABILITIES = {
    "p_first_capacity_on_time": "First capacity on time",
    "p_behind_at_milestone": "Behind plan at the milestone",
    "p_target_by_horizon": "Planned GW reached by the horizon",
}


#: The judgement test reports GW and probabilities of GW only: its runs simulate GW alone (cheaper, and
#: independent of the power assumptions, so an edit to PUE does not redo it).
JUDGEMENT_OUTPUTS = ("online_gw",)


@results.stored
def judgement(a: Assumptions, n: int | None = None, platforms: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the headline numbers recomputed with every likelihood scaled down and up, and with
    correlation off (independence) and high; same seed throughout, so differences are the assumption's."""
    variants = [("As assumed", "", {})]
    for s in a.judgement_likelihood_scales:
        variants.append((f"Downside likelihoods ×{s:g}", "likelihood", {"risk_likelihood_scale": a.risk_likelihood_scale * s}))
    for s in a.judgement_likelihood_scales:
        variants.append((f"Upside likelihoods ×{s:g}", "likelihood", {"upside_likelihood_scale": a.upside_likelihood_scale * s}))
    variants.append(("Independent risks (correlation 0)", "correlation", {"risk_correlation": 0.0}))
    variants.append((f"High correlation ({a.risk_correlation_high:g})", "correlation",
                     {"risk_correlation": a.risk_correlation_high}))
    rows = []
    for label, kind, update in variants:
        b = a.model_copy(update={k: min(v, 3.0) for k, v in update.items()})
        st = stats(b, simulate(b, n, platforms=platforms, outputs=JUDGEMENT_OUTPUTS))
        rows.append({"variant": label, "kind": kind, **{k: st[k] for k in PROBABILITIES},
                     "gw_milestone_p10": st["gw_milestone_p10"], "gw_milestone_p50": st["gw_milestone_p50"],
                     "gw_milestone_p90": st["gw_milestone_p90"]})
    return pd.DataFrame(rows)


def _register_labels() -> None:
    """Declare the headline outputs and probabilities this module adds, in the labels registry."""
    for key in ("gw_milestone", "gw_end", "energy_twh_end", "fp4_eflops_end"):
        labels.register(key, *HEADLINE_LABELS[key])
    for key, text in PROBABILITIES.items():
        labels.register(key, text, "share")
    labels.register("p_ahead_at_milestone", "Ahead of plan at the milestone", "share")


_register_labels()


def spread(table: pd.DataFrame, key: str) -> tuple[float, float]:
    """Return the lowest and highest value of one headline across the judgement variants."""
    return float(table[key].min()), float(table[key].max())
