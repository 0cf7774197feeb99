"""Where each risk's likelihood comes from: a reference class computed from data, or judgement.

data/risk_calibration.csv gives every risk in the register its reference class (or "judgement"),
the evidence, and how the number follows; where a rule turns the class into a number (`method`),
the rule runs here on data/reference_cases.csv, so the table shows the rate the class implies next
to the likelihood the model uses, and check() fails when the two drift apart.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from . import data
from .assumptions import Assumptions

#: How far a likelihood may sit from the rate its reference class implies (absolute, share).
TOLERANCE = 0.005


def _cases(class_id: str) -> pd.DataFrame:
    cases = data.table("reference_cases")
    out = cases[cases["class_id"] == class_id]
    if out.empty:
        raise ValueError(f"data/reference_cases.csv has no case of class {class_id!r}")
    return out


def _slips(class_id: str) -> np.ndarray:
    """Half-years each case delivered after (positive) or before (negative) its planned half-year."""
    c = _cases(class_id)
    return np.rint((c["delivered_half"] - c["planned_half"]).to_numpy() * 2)


def platform_slip() -> tuple[float, str]:
    """Share of NVIDIA launches that shipped a half-year or more late."""
    s = _slips("nvidia_platform")
    k = int((s >= 1).sum())
    return k / len(s), f"{k} of {len(s)} launches a half-year or more late"


def platform_early() -> tuple[float, str]:
    """Chance of an early launch when none has been seen: (early + 0.5) / (launches + 1)."""
    s = _slips("nvidia_platform")
    k = int((s <= -1).sum())
    return (k + 0.5) / (len(s) + 1), f"{k} of {len(s)} launches early"


def campus_delay() -> tuple[float, str]:
    """Chance a half-year that a campus is delayed, from the share of a year's projects delayed."""
    c = _cases("dc_projects_2025")
    year = float(c.iloc[0]["value"])
    return 1.0 - (1.0 - year) ** 0.5, f"{year:.0%} of a year's projects delayed"


def overrun_mean() -> tuple[float, str]:
    """Mean cost overrun of modular, repeatable infrastructure."""
    c = _cases("overrun_modular")
    return float(c["value"].mean()), f"mean overrun of {len(c)} modular project types"


#: Rules that turn a reference class into a number.
METHODS: dict[str, Callable[[], tuple[float, str]]] = {
    "platform_slip": platform_slip, "platform_early": platform_early,
    "campus_delay": campus_delay, "overrun_mean": overrun_mean,
}


def used(a: Assumptions, method: str, risks: pd.DataFrame) -> float:
    """Return what the model uses where a method's rate applies (the risks using the method together)."""
    rows = risks[risks["method"] == method]
    values = [float(getattr(a, r["likelihood"])) for _, r in rows.iterrows()]
    if method == "campus_delay":  # the risks sharing the class together carry its hazard
        return 1.0 - float(np.prod([1.0 - v for v in values]))
    if method == "overrun_mean":  # likelihood times size: the expected overrun
        r = rows.iloc[0]
        return float(getattr(a, r["likelihood"])) * float(getattr(a, r["impact"]))
    return values[0]


def table(a: Assumptions | None = None) -> pd.DataFrame:
    """Return one row per risk: its likelihood, reference class or judgement, evidence, derivation,
    sources, and (where a rule applies) the rate the class implies and what the model uses."""
    a = Assumptions() if a is None else a
    risks = data.table("risks")
    cal = data.table("risk_calibration")
    df = risks[["risk_id", "name", "direction", "likelihood", "impact", "basis", "applies_when"]].merge(
        cal, on="risk_id", how="left", suffixes=("", "_cal"))
    implied, uses, counts = [], [], []
    for _, r in df.iterrows():
        m = r["method"]
        if m:
            value, text = METHODS[m]()
            implied.append(value)
            uses.append(used(a, m, df))
            counts.append(text)
        else:
            implied.append(np.nan)
            uses.append(np.nan)
            counts.append("")
    df["reference_rate"], df["model_uses"], df["cases"] = implied, uses, counts
    df["likelihood_value"] = [float(getattr(a, x)) if x else np.nan for x in df["likelihood"]]
    df["is_judgement"] = df["reference_class"].isin(["judgement"])
    return df


def check(a: Assumptions | None = None) -> list[str]:
    """Return every problem: a risk with no calibration row, an unknown rule, a likelihood that has
    drifted from the rate its reference class implies."""
    problems = []
    risks = data.table("risks")
    cal = data.table("risk_calibration")
    missing = sorted(set(risks["risk_id"]) - set(cal["risk_id"]))
    extra = sorted(set(cal["risk_id"]) - set(risks["risk_id"]))
    problems += [f"risk {r}: no row in data/risk_calibration.csv" for r in missing]
    problems += [f"data/risk_calibration.csv: {r} is not in the register" for r in extra]
    for m in sorted(set(cal["method"]) - {""} - set(METHODS)):
        problems.append(f"data/risk_calibration.csv: unknown method {m!r} (known: {', '.join(METHODS)})")
    if problems:
        return problems
    t = table(a)
    for _, r in t[t["method"] != ""].iterrows():
        if abs(r["reference_rate"] - r["model_uses"]) > TOLERANCE:
            problems.append(f"risk {r['risk_id']}: the model uses {r['model_uses']:.3f} where its reference "
                            f"class implies {r['reference_rate']:.3f} ({r['method']})")
    return problems
