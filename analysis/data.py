"""Load the sourced tables in data/ and check their contract: columns, units, source ids."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import paths
from .errors import DataError
from .units import KNOWN_UNITS

SOURCE_KINDS = ("company statement", "press report", "analyst estimate", "official statistic")


@dataclass(frozen=True)
class TableSpec:
    """What a data file must hold: its columns, and which of them may not be empty."""

    file: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    numeric: tuple[str, ...] = ()
    has_unit: bool = False


TABLES: dict[str, TableSpec] = {
    "sources": TableSpec(
        "sources.csv",
        ("source_id", "title", "publisher", "url", "published", "accessed", "kind", "note"),
        ("source_id", "title", "publisher", "url", "published", "accessed", "kind"),
    ),
    "deal_events": TableSpec(
        "deal_events.csv",
        ("date", "event_id", "actor", "event", "stage", "source_id"),
        ("date", "event_id", "actor", "event", "stage", "source_id"),
    ),
    "platforms": TableSpec(
        "platforms.csv",
        ("platform", "metric", "value", "unit", "source_id", "note"),
        ("platform", "metric", "value", "unit", "source_id"),
        numeric=("value",),
        has_unit=True,
    ),
    "commitments": TableSpec(
        "commitments.csv",
        ("commitment_id", "partner", "description", "power_gw", "value_usd_bn", "start_year",
         "end_year", "chips", "overlaps_with", "announced", "source_id", "note"),
        ("commitment_id", "partner", "description", "announced", "source_id"),
        numeric=("power_gw", "value_usd_bn", "start_year", "end_year"),
    ),
    "facts": TableSpec(
        "facts.csv",
        ("fact_id", "topic", "value", "low", "high", "unit", "as_of", "source_id", "note"),
        ("fact_id", "topic", "value", "unit", "source_id"),
        numeric=("value", "low", "high"),
        has_unit=True,
    ),
    # The risk register; likelihood and impact name assumptions in the schema (analysis/risk.py).
    "risks": TableSpec(
        "risks.csv",
        ("risk_id", "category", "description", "likelihood", "impact", "parameters", "source_id"),
        ("risk_id", "category", "description", "likelihood", "impact", "parameters", "source_id"),
    ),
}


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise DataError(f"data file missing: {path.relative_to(paths.ROOT)}")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"data file unreadable: {path.relative_to(paths.ROOT)}: {first}") from None


def check_table(name: str, df: pd.DataFrame, source_ids: set[str] | None) -> list[str]:
    """Return every contract problem in one table, each naming file, row and column."""
    spec = TABLES[name]
    where = f"data/{spec.file}"
    problems: list[str] = []
    missing = [c for c in spec.columns if c not in df.columns]
    if missing:
        return [f"{where}: missing column(s) {', '.join(missing)}"]
    for i, row in df.iterrows():
        line = i + 2  # header is line 1
        for col in spec.required:
            if not str(row[col]).strip():
                problems.append(f"{where} line {line}: empty {col}")
        for col in spec.numeric:
            val = str(row[col]).strip()
            if val:
                try:
                    num = float(val)
                except ValueError:
                    problems.append(f"{where} line {line}: {col} is not a number: {val!r}")
                    continue
                if num != num or num in (float("inf"), float("-inf")):
                    problems.append(f"{where} line {line}: {col} is not finite: {val!r}")
        if spec.has_unit and row["unit"] and row["unit"] not in KNOWN_UNITS:
            problems.append(f"{where} line {line}: unknown unit {row['unit']!r}")
        if source_ids is not None and "source_id" in df.columns and row["source_id"]:
            for sid in str(row["source_id"]).split(";"):
                if sid.strip() not in source_ids:
                    problems.append(f"{where} line {line}: source_id {sid.strip()!r} not in data/sources.csv")
    if name == "sources":
        dupes = df["source_id"][df["source_id"].duplicated()].tolist()
        problems += [f"{where}: duplicate source_id {d!r}" for d in dupes]
        for i, kind in df["kind"].items():
            if kind and kind not in SOURCE_KINDS:
                problems.append(f"{where} line {i + 2}: kind {kind!r} not one of {', '.join(SOURCE_KINDS)}")
        for col in ("published", "accessed"):
            bad = pd.to_datetime(df[col], errors="coerce", format="%Y-%m-%d").isna() & (df[col] != "")
            problems += [f"{where} line {i + 2}: {col} is not a YYYY-MM-DD date: {df.at[i, col]!r}"
                         for i in df.index[bad]]
        bad_url = ~df["url"].str.match(r"^https?://")
        problems += [f"{where} line {i + 2}: url does not start with http(s)://" for i in df.index[bad_url]]
    return problems


def _stamp() -> tuple:
    """Change when any data file changes, so the cache below never serves stale tables."""
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                 for p in sorted(paths.DATA.glob("*.csv")))


@functools.lru_cache(maxsize=4)
def _load_all(stamp: tuple) -> dict[str, pd.DataFrame]:
    raw = {name: _read_csv(paths.DATA / spec.file) for name, spec in TABLES.items()}
    ids = set(raw["sources"]["source_id"]) if "source_id" in raw["sources"].columns else set()
    problems = []
    for name, df in raw.items():
        problems += check_table(name, df, ids)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DataError(problems[0] + more)
    out = {}
    for name, df in raw.items():
        df = df.copy()
        for col in TABLES[name].numeric:
            df[col] = pd.to_numeric(df[col].replace("", None), errors="coerce").astype(float)
        out[name] = df
    return out


def validate() -> None:
    """Load every table once so that a broken data file fails before any kernel starts."""
    _load_all(_stamp())


def table(name: str) -> pd.DataFrame:
    """Return a validated copy of one data table."""
    if name not in TABLES:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(TABLES)}")
    return _load_all(_stamp())[name].copy()


def fact(fact_id: str) -> float:
    """Return the central value of one fact from data/facts.csv."""
    facts = table("facts").set_index("fact_id")
    if fact_id not in facts.index:
        raise DataError(f"data/facts.csv has no fact_id {fact_id!r}")
    return float(facts.at[fact_id, "value"])


def fact_row(fact_id: str) -> pd.Series:
    """Return one fact's row (value, low, high, unit, source) from data/facts.csv."""
    facts = table("facts").set_index("fact_id")
    if fact_id not in facts.index:
        raise DataError(f"data/facts.csv has no fact_id {fact_id!r}")
    return facts.loc[fact_id]


PLATFORM_METRICS = {
    "availability_half": "half-year",
    "accelerators_per_rack": "packages per rack",
    "dies_per_package": "dies per package",
    "rack_power_kw": "kW per rack",
    "fp4_dense_pflops_per_rack": "PFLOP/s per rack",
    "fp8_dense_pflops_per_rack": "PFLOP/s per rack",
    "hbm_gb_per_package": "GB per package",
}


def platforms() -> pd.DataFrame:
    """Return the platform roadmap as one row per platform, one column per metric, by availability."""
    long = table("platforms")
    wide = long.pivot_table(index="platform", columns="metric", values="value", aggfunc="first")
    missing = [m for m in PLATFORM_METRICS if m not in wide.columns]
    if missing:
        raise DataError(f"data/platforms.csv: no rows for metric(s) {', '.join(missing)}")
    gaps = wide[list(PLATFORM_METRICS)].isna().stack()
    if gaps.any():
        plat, metric = gaps[gaps].index[0]
        raise DataError(f"data/platforms.csv: platform {plat!r} has no {metric}")
    wide = wide[list(PLATFORM_METRICS)].sort_values("availability_half")
    wide.columns.name = None
    return wide
