"""The appendix, generated: the assumptions ledger with each scenario's value, and the sources list."""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import assumptions, data, halves, labels, scenarios, sourcing
from .assumptions import Assumptions, Scenario

#: Marks, in the ledger, a value that rests on this report's judgement.
JUDGEMENT_MARK = "†"


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
    """Return one row per schema assumption: label, group, unit, range, how its default is backed
    (sourced, derived or our judgement, with the citation), and its value in every edition, marked †
    where that edition's value is our judgement."""
    scs = scenarios.resolve_all(current)
    rows = []
    for row in Assumptions.ledger():
        rng = ("" if row["min"] is None and row["max"] is None
               else f"{fmt(row['min'], row['unit']) if row['min'] is not None else '…'} to "
                    f"{fmt(row['max'], row['unit']) if row['max'] is not None else '…'}")
        kind = sourcing.basis(row["source_id"], row["derived"], setting=row["setting"])
        out = {"name": row["name"], "label": labels.label(row["name"]), "group": row["group"], "unit": row["unit"],
               "range": rng, "uncertain": "yes" if row["uncertain"] else "", "source_id": row["source_id"],
               "basis": sourcing.BASIS_LABEL[kind],
               "backing": sourcing.citation_text(row["source_id"], row["informed_by"], row["derived"],
                                                 setting=row["setting"]),
               "description": row["description"]}
        for s in scs:
            c = s.citation(row["name"])
            judged = sourcing.basis(c.source, c.derived, c.set_by_reader, row["setting"]) == "judgement"
            mark = JUDGEMENT_MARK if judged else ""
            out[s.name] = fmt(getattr(s.assumptions, row["name"]), row["unit"]) + mark
        rows.append(out)
    return pd.DataFrame(rows)


def departures(sc: Scenario) -> pd.DataFrame:
    """Return each value an edition's file sets, with the source that backs it (or our judgement)."""
    rows = []
    for name, c in sc.sources.items():
        unit = labels.unit(name)
        rows.append({"name": name, "label": labels.label(name), "unit": unit,
                     "value": fmt(getattr(sc.assumptions, name), unit),
                     "default": fmt(Assumptions.model_fields[name].default, unit),
                     "basis": sourcing.BASIS_LABEL[sourcing.basis(c.source, c.derived)],
                     "backing": sourcing.citation_text(c.source, c.informed_by, c.derived)})
    return pd.DataFrame(rows, columns=["name", "label", "unit", "value", "default", "basis", "backing"])


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
    sup = sourcing.supports()
    src["supports"] = src["source_id"].map(lambda s: "; ".join(sup.get(s, [])))
    weak = sourcing.table()["weak"]
    src["reliability"] = [("Our judgement" if k == data.JUDGEMENT else "Weak source" if weak[i] else "")
                          for i, k in zip(src["source_id"], src["kind"])]
    return src.sort_values(["publisher", "published"], key=lambda c: c.str.lower()).reset_index(drop=True)


def uncited_sources() -> list[str]:
    """Return source ids nothing cites (shown in the appendix so dead entries are visible)."""
    s = sources()
    return list(s.loc[s["cited_by"] == "", "source_id"])


def counts() -> dict[str, int]:
    """Return the sizes the appendix states: assumptions, uncertain ones, sources, scenarios, data tables."""
    led = Assumptions.ledger()
    judged = sum(sourcing.basis(r["source_id"], r["derived"], setting=r["setting"]) == "judgement" for r in led)
    src = sourcing.table()
    external = src[src["kind"] != data.JUDGEMENT]
    return {"assumptions": len(led), "uncertain": sum(r["uncertain"] for r in led), "judgement": judged,
            "settings": sum(bool(r["setting"]) for r in led),
            "sources": len(external), "weak": int(external["weak"].sum()),
            "scenarios": len(assumptions.scenario_names()), "tables": len(data.TABLES)}
