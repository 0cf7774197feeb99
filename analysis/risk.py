"""The risk register and the Monte Carlo of the roadmap: schedule slips, cost overruns, price changes.

Each risk in data/risks.csv is an event with a likelihood and an impact, both assumptions in the
schema, that moves named schema parameters. A draw combines log-normal/normal noise on the
continuous inputs with independent risk events, and the vectorised roadmap.compute runs all draws
at once. With every spread and likelihood at zero the Monte Carlo reproduces the deterministic model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import data, halves, roadmap
from .assumptions import Assumptions
from .roadmap import Draws

#: How a schema parameter is moved in a draw: the Draws field, the kind of change, the impact's unit.
CHANNELS: dict[str, tuple[str, str]] = {
    "start_half": ("slip_halves", "add_halves"),
    "platform_delay_halves": ("platform_delay_halves", "add_halves"),
    "schedule_gw_per_half": ("pace_factor", "cut_share"),
    "target_power_gw": ("target_factor", "cut_share"),
    "utilisation": ("utilisation", "cut_share"),
    "investment_per_gw_usd_bn": ("investment_factor", "cut_share"),
    "capex_total_usd_bn_per_gw": ("capex_factor", "raise_share"),
    "capex_nvidia_usd_bn_per_gw": ("nvidia_price_factor", "raise_share"),
    "pue": ("pue", "add_ratio"),
}
KIND_UNIT = {"add_halves": "halves", "add_ratio": "ratio", "cut_share": "share", "raise_share": "share"}

#: Continuous inputs drawn for every draw: (schema parameter, spread assumption, distribution).
NOISE: tuple[tuple[str, str, str], ...] = (
    ("schedule_gw_per_half", "mc_pace_sigma", "lognormal factor"),
    ("capex_total_usd_bn_per_gw", "mc_capex_overrun_sigma", "lognormal factor on the non-NVIDIA part"),
    ("capex_nvidia_usd_bn_per_gw", "mc_nvidia_price_sigma", "lognormal factor"),
    ("capex_change_pct_per_year", "mc_capex_change_sd_pct", "normal, percentage points"),
    ("pue", "mc_pue_sd", "normal, clipped to 1.0-2.0"),
    ("utilisation", "mc_utilisation_sd", "normal, clipped to 0.1-1.0"),
)

#: Quantities the risk chapter follows, with their labels and units.
METRICS = {
    "online_gw": ("GW online", "GW"),
    "investment_cum_usd_bn": ("NVIDIA investment released, cumulative", "USD bn"),
    "capex_cum_usd_bn": ("Capital expenditure, cumulative", "USD bn"),
    "energy_twh_per_year": ("Energy use, annualised", "TWh per year"),
}
QUANTILES = (0.1, 0.5, 0.9)
#: z-score of the 90th percentile of a standard normal (P10/P90 swings in the tornado).
Z90 = 1.2815515655446004


@dataclass(frozen=True)
class Risk:
    """One register entry with its likelihood and impact read from the assumptions."""

    risk_id: str
    category: str
    description: str
    likelihood: str
    impact: str
    parameters: tuple[str, ...]
    source_id: str
    probability: float
    impact_value: float
    impact_unit: str


def check_register(table: pd.DataFrame | None = None) -> list[str]:
    """Return every problem in the register: unknown assumptions, unvaried parameters, unit mismatches."""
    reg = data.table("risks") if table is None else table
    fields = Assumptions.model_fields
    problems = []
    for _, r in reg.iterrows():
        rid = r["risk_id"]
        for col in ("likelihood", "impact"):
            if r[col] not in fields:
                problems.append(f"risk {rid}: {col} {r[col]!r} is not an assumption in the schema")
        if r["likelihood"] in fields and fields[r["likelihood"]].json_schema_extra["unit"] != "share":
            problems.append(f"risk {rid}: likelihood {r['likelihood']!r} must be a share")
        unit = fields[r["impact"]].json_schema_extra["unit"] if r["impact"] in fields else None
        for p in str(r["parameters"]).split(";"):
            p = p.strip()
            if p not in CHANNELS:
                problems.append(f"risk {rid}: parameter {p!r} is not varied by the Monte Carlo")
            elif unit is not None and KIND_UNIT[CHANNELS[p][1]] != unit:
                problems.append(f"risk {rid}: impact {r['impact']!r} is in {unit!r} but {p} needs "
                                f"{KIND_UNIT[CHANNELS[p][1]]!r}")
    if reg["risk_id"].duplicated().any():
        problems.append(f"duplicate risk_id {reg['risk_id'][reg['risk_id'].duplicated()].iloc[0]!r}")
    return problems


def risks(a: Assumptions) -> list[Risk]:
    """Return the register with each risk's likelihood and impact taken from the assumptions."""
    problems = check_register()
    if problems:
        raise ValueError("; ".join(problems))
    out = []
    for _, r in data.table("risks").iterrows():
        out.append(Risk(r["risk_id"], r["category"], r["description"], r["likelihood"], r["impact"],
                        tuple(p.strip() for p in r["parameters"].split(";")), r["source_id"],
                        float(getattr(a, r["likelihood"])), float(getattr(a, r["impact"])),
                        Assumptions.model_fields[r["impact"]].json_schema_extra["unit"]))
    return out


def register(a: Assumptions) -> pd.DataFrame:
    """Return the register as a frame with probability, impact value and unit."""
    return pd.DataFrame([vars(r) | {"parameters": "; ".join(r.parameters)} for r in risks(a)])


def draws_from(a: Assumptions, z: np.ndarray, occurred: np.ndarray,
               register_: list[Risk] | None = None) -> Draws:
    """Turn standard-normal noise z (d, 6) and risk events (d, r) into roadmap draws.

    Deterministic given its inputs, so the sensitivity analysis reuses it with chosen z and events.
    """
    rs = risks(a) if register_ is None else register_
    z = np.asarray(z, dtype=float)
    n = z.shape[0]
    pace = np.exp(a.mc_pace_sigma * z[:, 0])
    capex = np.exp(a.mc_capex_overrun_sigma * z[:, 1])
    price = np.exp(a.mc_nvidia_price_sigma * z[:, 2])
    change = a.capex_change_pct_per_year + a.mc_capex_change_sd_pct * z[:, 3]
    pue = np.clip(a.pue + a.mc_pue_sd * z[:, 4], 1.0, 2.0)
    util = np.clip(a.utilisation + a.mc_utilisation_sd * z[:, 5], 0.1, 1.0)
    out = {"slip_halves": np.zeros(n, dtype=int), "platform_delay_halves": np.full(n, a.platform_delay_halves),
           "pace_factor": pace, "target_factor": np.ones(n), "utilisation": util,
           "investment_factor": np.ones(n), "capex_factor": capex, "nvidia_price_factor": price, "pue": pue}
    for j, r in enumerate(rs):
        hit = occurred[:, j]
        for p in r.parameters:
            field, kind = CHANNELS[p]
            if kind == "add_halves":
                out[field] = out[field] + hit * int(round(r.impact_value))
            elif kind == "add_ratio":
                out[field] = out[field] + hit * r.impact_value
            elif kind == "cut_share":
                out[field] = out[field] * (1.0 - hit * r.impact_value)
            else:
                out[field] = out[field] * (1.0 + hit * r.impact_value)
    out["pue"] = np.clip(out["pue"], 1.0, 2.0)
    out["utilisation"] = np.clip(out["utilisation"], 0.0, 1.0)
    return Draws(capex_change_pct=change, **out)


def sample(a: Assumptions, n: int | None = None, seed: int | None = None) -> Draws:
    """Draw n roadmaps (default a.mc_draws) with numpy's default_rng(seed) (default a.mc_seed)."""
    n = a.mc_draws if n is None else int(n)
    rng = np.random.default_rng(a.mc_seed if seed is None else seed)
    rs = risks(a)
    z = rng.standard_normal((n, len(NOISE)))
    probs = np.array([r.probability for r in rs])
    occurred = rng.random((n, len(rs))) < probs[None, :]
    return draws_from(a, z, occurred, rs)


def simulate(a: Assumptions, n: int | None = None, seed: int | None = None,
             platforms: pd.DataFrame | None = None) -> dict[str, np.ndarray]:
    """Run the roadmap for every draw; return the axis under 'half' and each metric as (draws, halves)."""
    arrays = roadmap.compute(a, platforms, draws=sample(a, n, seed))
    return {"half": arrays["half"], **{k: arrays[k] for k in METRICS}}


def quantiles(values: np.ndarray) -> np.ndarray:
    """Return P10, P50, P90 over the draws axis as a (3, halves) array."""
    return np.quantile(values, QUANTILES, axis=0)


def fan(a: Assumptions, sim: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Return P10/P50/P90 and the deterministic value by half-year for every metric (long frame)."""
    sim = simulate(a) if sim is None else sim
    det = roadmap.compute(a)
    frames = []
    for key, (label, unit) in METRICS.items():
        q = quantiles(sim[key])
        frames.append(pd.DataFrame({
            "half": sim["half"], "half_label": [halves.label(h) for h in sim["half"]],
            "metric": key, "label": label, "unit": unit,
            "p10": q[0], "p50": q[1], "p90": q[2], "deterministic": det[key][0]}))
    return pd.concat(frames, ignore_index=True)


def milestone_index(a: Assumptions, half: np.ndarray) -> int:
    """Return the column of the milestone half-year on the axis (clipped to the axis)."""
    return int(np.clip(np.searchsorted(half, a.milestone_half - 1e-9), 0, len(half) - 1))


def headlines(a: Assumptions, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Return the headline outputs per draw: GW at the milestone and at the horizon, money and energy."""
    i = milestone_index(a, arrays["half"])
    return {
        "gw_milestone": arrays["online_gw"][:, i],
        "gw_end": arrays["online_gw"][:, -1],
        "capex_cum_usd_bn": arrays["capex_cum_usd_bn"][:, -1],
        "investment_cum_usd_bn": arrays["investment_cum_usd_bn"][:, -1],
        "energy_twh_end": arrays["energy_twh_per_year"][:, -1],
    }


HEADLINE_LABELS = {
    "gw_milestone": ("GW online at the milestone", "GW"),
    "gw_end": ("GW online at the horizon", "GW"),
    "capex_cum_usd_bn": ("Cumulative capex at the horizon", "USD bn"),
    "investment_cum_usd_bn": ("NVIDIA investment released by the horizon", "USD bn"),
    "energy_twh_end": ("Energy use at the horizon", "TWh per year"),
}


def stats(a: Assumptions, sim: dict[str, np.ndarray] | None = None) -> dict[str, float]:
    """Return the chapter's probabilities and quantiles of the headline outputs."""
    sim = simulate(a) if sim is None else sim
    h = headlines(a, sim)
    det = headlines(a, roadmap.compute(a))
    out: dict[str, float] = {"draws": float(sim["online_gw"].shape[0])}
    for k, v in h.items():
        q = np.quantile(v, QUANTILES)
        out |= {f"{k}_p10": q[0], f"{k}_p50": q[1], f"{k}_p90": q[2], f"{k}_mean": float(v.mean()),
                f"{k}_det": float(det[k][0])}
    first = sim["online_gw"][:, 0 if sim["half"][0] >= a.start_half else
                             int(round((a.start_half - sim["half"][0]) * 2))]
    out["p_first_capacity_on_time"] = float((first > 1e-9).mean())
    out["p_target_by_horizon"] = float((h["gw_end"] >= a.target_power_gw - 1e-6).mean())
    out["p_behind_at_milestone"] = float((h["gw_milestone"] < det["gw_milestone"][0] - 1e-6).mean())
    return out


def effects(a: Assumptions, platforms: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return each risk's effect on the headline outputs when it occurs alone (no noise), and its
    expected effect (likelihood times effect); one vectorised run of len(register) + 1 draws."""
    rs = risks(a)
    k = len(rs)
    occurred = np.vstack([np.zeros((1, k), bool), np.eye(k, dtype=bool)])
    draws = draws_from(a, np.zeros((k + 1, len(NOISE))), occurred, rs)
    h = headlines(a, roadmap.compute(a, platforms, draws=draws))
    rows = []
    for j, r in enumerate(rs):
        row = {"risk_id": r.risk_id, "category": r.category, "probability": r.probability,
               "impact_value": r.impact_value, "impact_unit": r.impact_unit,
               "parameters": "; ".join(r.parameters)}
        for key, v in h.items():
            row[f"delta_{key}"] = float(v[j + 1] - v[0])
            row[f"expected_{key}"] = r.probability * row[f"delta_{key}"]
        rows.append(row)
    return pd.DataFrame(rows)
