"""Every scenario side by side: headline numbers, paths over time and what drives the differences.

All scenarios in data/scenarios/ are computed here (plus the variant being built, when it is not
one of them), each with its deterministic roadmap and its Monte Carlo, so a notebook never restates
a number.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import assumptions, benefits, energy, labels, results, risk, roadmap, sensitivity
from .assumptions import Assumptions, Scenario

#: Headline numbers compared across scenarios: key -> (label, unit, decimals).
#: Decimals of each headline in the comparison table; labels and units come from analysis/labels.py.
DECIMALS = {"first_half": 0, "gw_milestone": 1, "gw_end": 1, "capex_cum_usd_bn": 0, "capex_nvidia_cum_usd_bn": 0,
            "investment_cum_usd_bn": 0, "investment_share_of_capex": 2, "energy_twh_end": 1, "energy_twh_match": 1,
            "fp4_eflops_end": 0, "cost_usd_bn_per_gw_year": 1, "nvidia_peak_share_of_fy2026_dc": 2,
            "mc_gw_milestone_p10": 1, "mc_gw_milestone_p50": 1, "mc_gw_milestone_p90": 1, "mc_p_first_on_time": 2}
METRICS: dict[str, tuple[str, str, int]] = {k: (labels.label(k), labels.unit(k), d) for k, d in DECIMALS.items()}


def resolve_all(current: Scenario | None = None) -> list[Scenario]:
    """Return every scenario in data/scenarios/, base first, plus `current` if it is a variant."""
    out = [assumptions.resolve(n) for n in assumptions.scenario_names()]
    if current is not None and not any(s.name == current.name and s.assumptions == current.assumptions
                                       for s in out):
        out.append(current)
    return out


@results.stored
def headline(sc: Scenario, n_draws: int | None = None) -> dict[str, Any]:
    """Return one scenario's headline numbers (deterministic and Monte Carlo)."""
    a = sc.assumptions
    df = roadmap.run(a)
    arrays = roadmap.compute(a)
    h = risk.headlines(a, arrays)
    on = df[df["online_gw"] > 0]
    st = risk.stats(a, risk.simulate(a, n=n_draws))
    capex = float(df["capex_cum_usd_bn"].iloc[-1])
    inv = float(df["investment_cum_usd_bn"].iloc[-1])
    return {
        "scenario": sc.name, "title": sc.title,
        "first_half": on["half_label"].iloc[0] if len(on) else "never",
        "gw_milestone": float(h["gw_milestone"][0]), "gw_end": float(h["gw_end"][0]),
        "capex_cum_usd_bn": capex, "capex_nvidia_cum_usd_bn": float(df["capex_nvidia_cum_usd_bn"].iloc[-1]),
        "investment_cum_usd_bn": inv, "investment_share_of_capex": inv / capex if capex else float("nan"),
        "energy_twh_end": float(h["energy_twh_end"][0]),
        "energy_twh_match": energy.key_numbers(a, df)["energy_match_twh"],
        "fp4_eflops_end": float(df["fp4_dense_eflops"].iloc[-1]),
        "cost_usd_bn_per_gw_year": sensitivity.whatif(a)["cost_usd_bn_per_gw_year"],
        "nvidia_peak_share_of_fy2026_dc": benefits.key_numbers(a, df)["nvidia_peak_share_of_fy2026_dc"],
        "mc_gw_milestone_p10": st["gw_milestone_p10"], "mc_gw_milestone_p50": st["gw_milestone_p50"],
        "mc_gw_milestone_p90": st["gw_milestone_p90"], "mc_p_first_on_time": st["p_first_capacity_on_time"],
    }


def compare(current: Scenario | None = None, n_draws: int | None = None) -> pd.DataFrame:
    """Return one row per scenario with every headline number."""
    return pd.DataFrame([headline(s, n_draws) for s in resolve_all(current)])


def ranges(table: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Return the min and max of every numeric headline across scenarios."""
    return {k: (float(table[k].min()), float(table[k].max()))
            for k in table.columns if pd.api.types.is_numeric_dtype(table[k])}


def paths(current: Scenario | None = None) -> pd.DataFrame:
    """Return every scenario's roadmap by half-year (long frame with a 'scenario' column)."""
    frames = []
    for s in resolve_all(current):
        df = roadmap.run(s.assumptions)
        df.insert(0, "scenario", s.title)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def differences(current: Scenario | None = None) -> pd.DataFrame:
    """Return every assumption whose value differs from base in some scenario, one row each."""
    scs = resolve_all(current)
    base = assumptions.load("base").model_dump()
    rows = []
    for name, info in Assumptions.model_fields.items():
        vals = {s.title: s.assumptions.model_dump()[name] for s in scs}
        if any(v != base[name] for v in vals.values()):
            rows.append({"assumption": name, "unit": info.json_schema_extra["unit"], **vals})
    return pd.DataFrame(rows)


@results.stored
def drivers(current: Scenario | None = None,
            outputs: tuple[str, ...] = ("gw_milestone", "capex_cum_usd_bn", "investment_cum_usd_bn",
                                        "energy_twh_end")) -> pd.DataFrame:
    """Attribute each scenario's difference from base to its assumptions, one at a time: the base
    with only that assumption set to the scenario's value, minus the base. Interactions make the
    parts not add up exactly; the 'interaction' row holds the rest."""
    base_a = assumptions.load("base")
    base_h = risk.headlines(base_a, roadmap.compute(base_a))
    rows = []
    for s in resolve_all(current):
        if s.assumptions == base_a:
            continue
        full = risk.headlines(s.assumptions, roadmap.compute(s.assumptions))
        changed = {k: v for k, v in s.assumptions.model_dump().items() if v != base_a.model_dump()[k]}
        explained = {o: 0.0 for o in outputs}
        for name, value in changed.items():
            try:
                b = Assumptions(**{**base_a.model_dump(), name: value})
            except Exception:  # noqa: BLE001 - an assumption that is only valid together with others
                continue
            h = risk.headlines(b, roadmap.compute(b))
            row = {"scenario": s.title, "assumption": name}
            for o in outputs:
                row[o] = float(h[o][0] - base_h[o][0])
                explained[o] += row[o]
            rows.append(row)
        rest = {"scenario": s.title, "assumption": "interaction"}
        for o in outputs:
            rest[o] = float(full[o][0] - base_h[o][0]) - explained[o]
        rows.append(rest)
    out = pd.DataFrame(rows)
    return out[(out[list(outputs)].abs() > 1e-9).any(axis=1)].reset_index(drop=True)


def main_driver(drv: pd.DataFrame, scenario_title: str, output: str) -> tuple[str, float]:
    """Return the assumption that moves `output` most in one scenario, and by how much."""
    d = drv[(drv["scenario"] == scenario_title) & (drv["assumption"] != "interaction")]
    if d.empty:
        return "", 0.0
    i = d[output].abs().idxmax()
    return str(d.at[i, "assumption"]), float(d.at[i, output])


def quantile_gap(table: pd.DataFrame) -> np.ndarray:
    """Return, per scenario, the P90-P10 width of GW at the milestone (the chapter's uncertainty band)."""
    return (table["mc_gw_milestone_p90"] - table["mc_gw_milestone_p10"]).to_numpy()
