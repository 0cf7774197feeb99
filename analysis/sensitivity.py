"""Sensitivity of the headline outputs (tornado) and what would have to be true for the programme to pay.

Each uncertain input swings one at a time between a low and a high value, all others central:
inputs the Monte Carlo draws swing over their own P10-P90; a risk is absent, or strikes at the
start of what is left of its window; other uncertain assumptions swing by the tornado swing share
(whole half-years by one).
The swings run as one vectorised batch of roadmap draws.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from . import data, deal, formulas as F, results, risk, roadmap
from .assumptions import Assumptions

#: Outputs of the tornado (risk.headlines plus the break-even revenue per GW), with labels and units.
OUTPUTS = {**risk.HEADLINE_LABELS,
           "cost_usd_bn_per_gw_year": ("Revenue per GW-year that covers the cost", "USD bn per GW-year")}


def annual_cost_per_gw(a: Assumptions, arrays: dict[str, np.ndarray]) -> np.ndarray:
    """Return, per draw, the yearly cost of one GW online at the horizon (USD bn per GW-year).

    The capital charge (formulas 'capital_charge_usd_bn', which economics.capital_charge evaluates:
    each part repaid as an annuity over its life at the cost of capital, the report's one treatment)
    plus electricity.
    """
    return F.evaluate("cost_usd_bn_per_gw_year", cost_inputs(a, arrays))


def cost_inputs(a: Assumptions, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray | float]:
    """Return what the cost of a GW-year reads: the fleet at the horizon (per draw) and the assumptions."""
    at_end = {k: np.asarray(arrays[k])[:, -1] for k in
              ("capex_nvidia_cum_usd_bn", "capex_cum_usd_bn", "energy_twh_per_year", "online_gw")}
    return {**at_end, **{k: getattr(a, k) for k in (
        "gpu_useful_life_years", "facility_life_years", "cost_of_capital_pct", "electricity_price_usd_per_mwh")}}


def outputs(a: Assumptions, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Return every tornado output per draw."""
    h = {k: v for k, v in risk.headlines(a, arrays).items() if k in risk.HEADLINE_LABELS}
    return {**h, "cost_usd_bn_per_gw_year": annual_cost_per_gw(a, arrays)}


def one_at_a_time(f: Callable[[np.ndarray], np.ndarray], centre: np.ndarray, low: np.ndarray,
                  high: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Evaluate a vectorised f (rows of inputs -> outputs) at the centre and with each input at its
    low and high value alone; return one row per input sorted by swing, widest first."""
    k = len(names)
    x = np.repeat(centre[None, :], 2 * k + 1, axis=0).astype(float)
    for i in range(k):
        x[1 + 2 * i, i], x[2 + 2 * i, i] = low[i], high[i]
    y = np.asarray(f(x), dtype=float)
    return rank(names, y[1::2], y[2::2], float(y[0]))


def rank(names: list[str], at_low: np.ndarray, at_high: np.ndarray, base: float) -> pd.DataFrame:
    """Return the tornado rows (output at low, at high, swing) sorted widest swing first."""
    df = pd.DataFrame({"input": names, "at_low": at_low, "at_high": at_high, "base": base})
    df["swing"] = (df["at_high"] - df["at_low"]).abs()
    return df.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def _schema_swing(a: Assumptions, name: str) -> tuple[float, float]:
    """Return the low and high value of an assumption the Monte Carlo does not draw."""
    f = Assumptions.model_fields[name]
    value = getattr(a, name)
    lo = next((m.ge for m in f.metadata if hasattr(m, "ge")), -np.inf)
    hi = next((m.le for m in f.metadata if hasattr(m, "le")), np.inf)
    if isinstance(value, int) and not isinstance(value, bool):
        return max(lo, value - 1), min(hi, value + 1)
    s = a.sensitivity_swing_share
    low, high = sorted((value * (1 - s), value * (1 + s)))
    return max(lo, low), min(hi, high)


def uncertain_fields() -> list[str]:
    """Return every schema assumption flagged uncertain."""
    return [n for n, f in Assumptions.model_fields.items() if (f.json_schema_extra or {}).get("uncertain")]


def swings(a: Assumptions, p: risk.Plan | None = None) -> pd.DataFrame:
    """Return every uncertain input with how it swings (source of the swing, low and high values)."""
    p = risk.plan(a) if p is None else p
    rows = []
    noise_params = [param for param, _, _ in risk.NOISE]
    for i, (param, spread, dist) in enumerate(risk.NOISE):
        rows.append({"input": param, "kind": "noise", "index": i, "events": (),
                     "how": f"P10 to P90 of its spread ({dist})"})
    by_impact: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    impacts = p.register.set_index("risk_id")["impact"].to_dict()
    for j, e in enumerate(p.events):
        by_impact.setdefault(impacts[e.risk_id], []).append(j)
        names[impacts[e.risk_id]] = e.name
    for impact, idx in by_impact.items():
        rows.append({"input": impact, "kind": "risk", "index": -1, "events": tuple(idx),
                     "how": f"'{names[impact]}' absent, or striking at the start of its window"})
    covered = set(noise_params) | set(by_impact)
    for name in uncertain_fields():
        if name not in covered:
            lo, hi = _schema_swing(a, name)
            rows.append({"input": name, "kind": "schema", "index": -1, "events": (), "low": lo, "high": hi,
                         "how": f"{lo:g} to {hi:g}"})
    return pd.DataFrame(rows)


@results.stored
def tornado(a: Assumptions, platforms: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return, for every output and uncertain input, the output at the input's low and high value."""
    p = risk.plan(a, platforms=platforms)
    sw = swings(a, p)
    batch = sw[sw["kind"] != "schema"]
    z = np.zeros((1 + 2 * len(batch), len(risk.NOISE)))
    onsets = np.full((1 + 2 * len(batch), len(p.events)), risk.NEVER, dtype=np.int64)
    for row_i, (_, s) in enumerate(batch.iterrows()):
        lo_row, hi_row = 1 + 2 * row_i, 2 + 2 * row_i
        if s["kind"] == "noise":
            z[lo_row, s["index"]], z[hi_row, s["index"]] = -risk.Z90, risk.Z90
        else:
            for j in s["events"]:
                e = p.events[j]
                onsets[hi_row, j] = max(int(round((e.halves[0] - p.axis[0]) * 2)), 0)
    arrays = roadmap.compute(a, platforms, draws=risk.draws(p, z, onsets))
    y = outputs(a, arrays)
    base = {k: float(v[0]) for k, v in y.items()}
    results = {k: (list(v[1::2]), list(v[2::2])) for k, v in y.items()}
    names = list(batch["input"])
    for _, s in sw[sw["kind"] == "schema"].iterrows():
        names.append(s["input"])
        for value, side in ((s["low"], 0), (s["high"], 1)):
            b = a.model_copy(update={s["input"]: type(getattr(a, s["input"]))(value)})
            yb = outputs(b, roadmap.compute(b, platforms))
            for k in results:
                results[k][side].append(float(yb[k][0]))
    frames = []
    for k, (lo, hi) in results.items():
        df = rank(names, np.array(lo), np.array(hi), base[k])
        df.insert(0, "output", k)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    return out.merge(sw[["input", "kind", "how"]], on="input", how="left")


# --- What would have to be true -------------------------------------------------------------


def whatif(a: Assumptions) -> dict[str, float]:
    """Return the break-even numbers: cost per GW-year, the programme's yearly cost at full build,
    and what OpenAI earns per GW of compute today and would need to earn."""
    env = {k: float(v[0]) if isinstance(v, np.ndarray) else v
           for k, v in cost_inputs(a, roadmap.compute(a)).items()}
    for name in ("depreciation_nvidia_usd_bn", "depreciation_other_usd_bn", "capital_return_usd_bn",
                 "electricity_cost_usd_bn_per_year", "annual_cost_usd_bn", "cost_usd_bn_per_gw_year"):
        env[name] = float(F.evaluate(name, env))
    gw, annual, per_gw = env["online_gw"], env["annual_cost_usd_bn"], env["cost_usd_bn_per_gw_year"]
    dep_nvidia, dep_other = env["depreciation_nvidia_usd_bn"], env["depreciation_other_usd_bn"]
    capital_return, energy = env["capital_return_usd_bn"], env["electricity_cost_usd_bn_per_year"]
    revenue_2025 = data.fact("openai_revenue_2025_usd_bn")
    compute_2025 = data.fact("openai_compute_gw_2025")
    commitments_gw = deal.committed_gw()
    target_2030 = data.fact("openai_revenue_2030_target_usd_bn")
    return {
        "gw": gw, "annual_cost_usd_bn": annual, "cost_usd_bn_per_gw_year": per_gw,
        "depreciation_nvidia_usd_bn": dep_nvidia, "depreciation_other_usd_bn": dep_other,
        "capital_return_usd_bn": capital_return, "energy_cost_usd_bn": energy,
        "openai_revenue_2025_usd_bn": revenue_2025, "openai_compute_gw_2025": compute_2025,
        "openai_revenue_per_gw_2025": revenue_2025 / compute_2025,
        "revenue_per_gw_gap_ratio": per_gw / (revenue_2025 / compute_2025),
        "annual_cost_vs_revenue_2025": annual / revenue_2025,
        "commitments_gw": commitments_gw, "commitments_annual_cost_usd_bn": per_gw * commitments_gw,
        "openai_revenue_2030_target_usd_bn": target_2030,
        "commitments_cost_share_of_2030_target": per_gw * commitments_gw / target_2030,
    }


def cost_by_life(a: Assumptions) -> pd.DataFrame:
    """Return the cost per GW-year for each useful life in useful_life_options_years (chart data)."""
    rows = []
    for life in a.useful_life_options_years:
        b = a.model_copy(update={"gpu_useful_life_years": float(life)})
        w = whatif(b)
        rows.append({"life_years": float(life), "cost_usd_bn_per_gw_year": w["cost_usd_bn_per_gw_year"],
                     "depreciation_nvidia": w["depreciation_nvidia_usd_bn"] / w["gw"],
                     "depreciation_other": w["depreciation_other_usd_bn"] / w["gw"],
                     "capital_return": w["capital_return_usd_bn"] / w["gw"],
                     "energy": w["energy_cost_usd_bn"] / w["gw"]})
    return pd.DataFrame(rows)

