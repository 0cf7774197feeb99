"""The appendix, generated: the assumptions ledger with each scenario's value, and the sources list."""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import assumptions, data, halves, scenarios
from .assumptions import Assumptions, Scenario


def fmt(value: Any, unit: str = "") -> str:
    """Return an assumption value as short text: half-years as 'H2 2026', years and ids without separators."""
    if isinstance(value, (tuple, list)):
        return ", ".join(fmt(v, unit) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    if unit == "half-year" and isinstance(value, (int, float)):
        return halves.label(float(value))
    if unit in ("year", "count", "seed") and isinstance(value, (int, float)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e5 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 1e4 else str(value)
    return str(value)


def ledger(current: Scenario | None = None) -> pd.DataFrame:
    """Return one row per schema assumption: group, unit, range, source, and its value in every scenario."""
    scs = scenarios.resolve_all(current)
    rows = []
    for row in Assumptions.ledger():
        rng = ("" if row["min"] is None and row["max"] is None
               else f"{fmt(row['min'], row['unit']) if row['min'] is not None else '…'} to "
                    f"{fmt(row['max'], row['unit']) if row['max'] is not None else '…'}")
        out = {"name": row["name"], "group": row["group"], "unit": row["unit"], "range": rng,
               "uncertain": "yes" if row["uncertain"] else "", "source_id": row["source_id"],
               "description": row["description"]}
        for s in scs:
            out[s.name] = fmt(getattr(s.assumptions, row["name"]), row["unit"])
        rows.append(out)
    return pd.DataFrame(rows)


def scenario_columns(current: Scenario | None = None) -> list[tuple[str, str]]:
    """Return (name, title) of every scenario shown in the ledger."""
    return [(s.name, s.title) for s in scenarios.resolve_all(current)]


def sources() -> pd.DataFrame:
    """Return the sources list (data/sources.csv) sorted by publisher and date, with the tables citing each."""
    src = data.table("sources")
    cited: dict[str, set[str]] = {}
    for name in data.TABLES:
        if name == "sources":
            continue
        t = data.table(name)
        if "source_id" in t.columns:
            for sid in t["source_id"]:
                for s in str(sid).split(";"):
                    cited.setdefault(s.strip(), set()).add(name)
    for row in Assumptions.ledger():
        cited.setdefault(row["source_id"], set()).add("assumptions")
    src["cited_by"] = src["source_id"].map(lambda s: ", ".join(sorted(cited.get(s, set()))))
    return src.sort_values(["publisher", "published"], key=lambda c: c.str.lower()).reset_index(drop=True)


def uncited_sources() -> list[str]:
    """Return source ids nothing cites (shown in the appendix so dead entries are visible)."""
    s = sources()
    return list(s.loc[s["cited_by"] == "", "source_id"])


def counts() -> dict[str, int]:
    """Return the sizes the appendix states: assumptions, uncertain ones, sources, scenarios, data tables."""
    led = Assumptions.ledger()
    return {"assumptions": len(led), "uncertain": sum(r["uncertain"] for r in led),
            "sources": len(data.table("sources")), "scenarios": len(assumptions.scenario_names()),
            "tables": len(data.TABLES)}
