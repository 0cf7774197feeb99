"""Load the sourced tables in data/ and check their contract: columns, units, source ids.

A data file is read as a user may have edited it: every problem (a bad byte, a duplicated id, a
number with a stray character, an unknown source) is named by file, line and column.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

import pandas as pd

from . import paths, reads
from .errors import DataError
from .units import KNOWN_UNITS

T = TypeVar("T")

SOURCE_KINDS = ("company statement", "press report", "analyst estimate", "official statistic", "judgement")
#: The kind of the report's own judgement rows: they state no external fact and carry no URL.
JUDGEMENT = "judgement"


@dataclass(frozen=True)
class TableSpec:
    """What a data file must hold: its columns, and which of them may not be empty."""

    file: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    numeric: tuple[str, ...] = ()
    has_unit: bool = False
    key: tuple[str, ...] = ()  # the columns that identify a row: no two rows may share them


TABLES: dict[str, TableSpec] = {
    "sources": TableSpec(
        "sources.csv",
        ("source_id", "title", "publisher", "url", "published", "accessed", "kind", "note"),
        ("source_id", "title", "publisher", "published", "accessed", "kind"),
        key=("source_id",),
    ),
    "deal_events": TableSpec(
        "deal_events.csv",
        ("date", "event_id", "actor", "event", "changes", "stage", "source_id"),
        ("date", "event_id", "actor", "event", "changes", "stage", "source_id"),
        key=("event_id",),
    ),
    # Dated signposts of the "What to watch" chapter; analysis/signposts.py checks the rest.
    "signposts": TableSpec(
        "signposts.csv",
        ("signpost_id", "signpost", "short", "due", "due_basis", "source_id", "happened_event", "moves", "direction"),
        ("signpost_id", "signpost", "short", "due", "due_basis", "source_id", "moves", "direction"),
        key=("signpost_id",),
    ),
    "platforms": TableSpec(
        "platforms.csv",
        ("platform", "metric", "value", "unit", "source_id", "note"),
        ("platform", "metric", "value", "unit", "source_id"),
        numeric=("value",),
        has_unit=True,
        key=("platform", "metric"),
    ),
    "commitments": TableSpec(
        "commitments.csv",
        ("commitment_id", "partner", "description", "power_gw", "value_usd_bn", "start_year",
         "end_year", "chips", "overlaps_with", "announced", "source_id", "note"),
        ("commitment_id", "partner", "description", "announced", "source_id"),
        numeric=("power_gw", "value_usd_bn", "start_year", "end_year"),
        key=("commitment_id",),
    ),
    "facts": TableSpec(
        "facts.csv",
        ("fact_id", "topic", "value", "low", "high", "unit", "as_of", "source_id", "note"),
        ("fact_id", "topic", "value", "unit", "source_id"),
        numeric=("value", "low", "high"),
        has_unit=True,
        key=("fact_id",),
    ),
    # Who pays: dated, sourced money and capacity flows between parties (analysis/financing.py).
    "financing": TableSpec(
        "financing.csv",
        ("event_id", "date", "payer", "payee", "kind", "flow", "amount_usd_bn", "power_gw", "status", "group",
         "part_of", "breakdown", "deal_event_id", "source_id", "note"),
        ("event_id", "date", "payer", "payee", "kind", "flow", "status", "group", "source_id"),
        numeric=("amount_usd_bn", "power_gw"), key=("event_id",),
    ),
    "financing_parties": TableSpec(
        "financing_parties.csv", ("party_id", "label", "role", "source_id", "note"),
        ("party_id", "label", "role", "source_id"), key=("party_id",),
    ),
    # Campuses carrying OpenAI's NVIDIA capacity (analysis/sites.py).
    "sites": TableSpec(
        "sites.csv",
        ("site_id", "name", "location", "country", "lat", "lon", "operator", "partner", "chips", "planned_gw",
         "first_phase_gw", "first_year", "full_year", "reported_gw", "reported_as_of", "status", "grid_region",
         "egrid_subregion", "power_source", "source_id", "note"),
        ("site_id", "name", "location", "country", "lat", "lon", "operator", "status", "grid_region",
         "power_source", "source_id"),
        numeric=("lat", "lon", "planned_gw", "first_phase_gw", "first_year", "full_year", "reported_gw"),
        key=("site_id",),
    ),
    # Carbon and water (analysis/emissions.py).
    "grid_intensity": TableSpec(
        "grid_intensity.csv",
        ("case_id", "label", "kind", "region", "value", "low", "high", "unit", "as_of", "source_id", "note"),
        ("case_id", "label", "kind", "value", "unit", "source_id"),
        numeric=("value", "low", "high"), has_unit=True, key=("case_id",),
    ),
    "water": TableSpec(
        "water.csv",
        ("case_id", "label", "value", "unit", "basis", "as_of", "source_id", "note"),
        ("case_id", "label", "value", "unit", "basis", "source_id"),
        numeric=("value",), has_unit=True, key=("case_id",),
    ),
    # Packaging and memory supply (analysis/supply.py).
    "supply": TableSpec(
        "supply.csv",
        ("item_id", "item", "platform", "year", "value", "low", "high", "unit", "source_id", "note"),
        ("item_id", "item", "value", "unit", "source_id"),
        numeric=("year", "value", "low", "high"), has_unit=True, key=("item_id",),
    ),
    # The risk register; likelihood and impact name assumptions in the schema (analysis/risk.py).
    "risks": TableSpec(
        "risks.csv",
        ("risk_id", "name", "direction", "category", "description", "effect", "likelihood", "basis",
         "window_from", "window_to", "impact", "factor", "applies_when", "occurred", "folded_when",
         "source_id"),
        ("risk_id", "name", "direction", "category", "description", "basis", "source_id"),
        key=("risk_id",),
    ),
    # Reference classes the likelihoods are calibrated on: one row per case or measured share.
    "reference_cases": TableSpec(
        "reference_cases.csv",
        ("class_id", "case", "planned_half", "delivered_half", "value", "unit", "status", "source_id", "note"),
        ("class_id", "case", "status", "source_id"),
        numeric=("planned_half", "delivered_half", "value"),
        key=("class_id", "case"),
    ),
    # How each risk's likelihood follows from its reference class, or that it is judgement.
    "risk_calibration": TableSpec(
        "risk_calibration.csv",
        ("risk_id", "reference_class", "evidence", "derivation", "method", "source_id"),
        ("risk_id", "reference_class", "evidence", "derivation", "source_id"),
        key=("risk_id",),
    ),
}


#: A number as the data files write it: ASCII digits, optional sign, point and exponent; nothing else
#: (float() alone would take '1_000' or Arabic-Indic digits, which pandas then turns into NaN).
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def number(text: str) -> float | None:
    """Return the number a cell holds (None if empty); raise ValueError naming a stray character."""
    text = text.strip()
    if not text:
        return None
    if not NUMBER.fullmatch(text):
        stray = next((c for c in text if c not in "0123456789+-.eE"), None)
        raise ValueError(f"{text!r} is not a number" + (f" (stray {stray!r})" if stray else ""))
    return float(text)


def _read_csv(path: Path) -> pd.DataFrame:
    """Read a data file strictly (UTF-8, quotes closed, no row wider than the header) into a table of
    text whose index is the line each row starts on, so every problem names file, line and column."""
    where = str(path.relative_to(paths.ROOT))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"data file missing: {where}") from None
    except OSError as exc:
        raise DataError(f"data file unreadable: {where}: {exc.strerror or exc}") from None
    if not raw.strip():
        raise DataError(f"{where}: the file is empty (it needs its header line and rows)")
    text = raw.decode("utf-8-sig", errors="surrogateescape")  # a bad byte is located below
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, lines, start = [], [], 1
    try:
        for row in reader:
            if row:  # blank lines carry nothing
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(f"{where} line {start}: {exc} (an unclosed or misplaced double quote?)") from None
    header = rows[0]
    for row, line in zip(rows, lines):
        for j, cell in enumerate(row):
            bad = next((c for c in cell if "\udc80" <= c <= "\udcff"), None)
            if bad is not None:
                col = header[j] if j < len(header) and line != lines[0] else j + 1
                raise DataError(f"{where} line {line}, column {col}: not UTF-8 (byte 0x{ord(bad) - 0xDC00:02x}); "
                                "save the file as UTF-8")
    twice = next((c for i, c in enumerate(header) if c in header[:i]), None)
    if twice is not None:
        raise DataError(f"{where} line {lines[0]}: column {twice!r} appears twice in the header")
    for row, line in zip(rows[1:], lines[1:]):
        if len(row) > len(header):
            raise DataError(f"{where} line {line}: {len(row)} values for {len(header)} columns "
                            "(a comma inside a value needs double quotes around the value)")
    body = [row + [""] * (len(header) - len(row)) for row in rows[1:]]
    return pd.DataFrame(body, columns=header, index=pd.Index(lines[1:], dtype=int), dtype=str)


def check_table(name: str, df: pd.DataFrame, source_ids: set[str] | None) -> list[str]:
    """Return every contract problem in one table, each naming file, line and column.

    df's index is the line each row starts on (as _read_csv reads it)."""
    spec = TABLES[name]
    where = f"data/{spec.file}"
    problems: list[str] = []
    missing = [c for c in spec.columns if c not in df.columns]
    if missing:
        return [f"{where}: missing column(s) {', '.join(missing)}"]
    if df.empty:
        return [f"{where}: no rows under the header"]
    first_seen: dict[tuple[str, ...], int] = {}
    for line, row in df.iterrows():
        at = f"{where} line {line}, column"
        for col in spec.required:
            if not str(row[col]).strip():
                problems.append(f"{at} {col}: empty")
        for col in spec.numeric:
            try:
                num = number(str(row[col]))
            except ValueError as exc:
                problems.append(f"{at} {col}: {exc}")
                continue
            if num is not None and (num != num or num in (float("inf"), float("-inf"))):
                problems.append(f"{at} {col}: not finite: {row[col]!r}")
        if spec.has_unit and row["unit"] and row["unit"] not in KNOWN_UNITS:
            problems.append(f"{at} unit: unknown unit {row['unit']!r}")
        if source_ids is not None and "source_id" in df.columns and row["source_id"]:
            for sid in str(row["source_id"]).split(";"):
                if sid.strip() not in source_ids:
                    problems.append(f"{at} source_id: {sid.strip()!r} is not a source_id of data/sources.csv")
        key = tuple(str(row[c]).strip() for c in spec.key)
        if spec.key and all(key):
            if key in first_seen:
                problems.append(f"{at} {spec.key[-1]}: {'/'.join(key)!r} repeats line {first_seen[key]}")
            else:
                first_seen[key] = line
    if name == "commitments":
        ids = set(df["commitment_id"])
        for line, ov in df["overlaps_with"].items():
            problems += [f"{where} line {line}, column overlaps_with: {o.strip()!r} is not a commitment_id"
                         for o in str(ov).split(";") if o.strip() and o.strip() not in ids]
    if name == "sources":
        for line, kind in df["kind"].items():
            if kind and kind not in SOURCE_KINDS:
                problems.append(f"{where} line {line}, column kind: {kind!r} is not one of "
                                f"{', '.join(SOURCE_KINDS)}")
        for col in ("published", "accessed"):
            bad = pd.to_datetime(df[col], errors="coerce", format="%Y-%m-%d").isna() & (df[col] != "")
            problems += [f"{where} line {line}, column {col}: not a YYYY-MM-DD date: {df.at[line, col]!r}"
                         for line in df.index[bad]]
        # Every external source links to what was read; only the report's judgement rows have no URL.
        bad_url = ~df["url"].str.match(r"^https?://") & ((df["kind"] != JUDGEMENT) | (df["url"] != ""))
        problems += [f"{where} line {line}, column url: does not start with http(s)://"
                     for line in df.index[bad_url]]
    return problems


def _ids(df: pd.DataFrame, col: str) -> set[str]:
    return set(df[col]) if col in df.columns else set()


def link_problems(raw: dict[str, pd.DataFrame]) -> list[str]:
    """Return rows that name an id another table does not hold (parties, totals, deal events, regions).

    The tables' index is the file line of each row, as _read_csv reads them."""
    out: list[str] = []
    fin, parties = raw.get("financing"), raw.get("financing_parties")
    if fin is not None and parties is not None and "payer" in fin.columns:
        known = _ids(parties, "party_id")
        events, deal = _ids(fin, "event_id"), _ids(raw.get("deal_events", pd.DataFrame()), "event_id")
        for i, row in fin.iterrows():
            where = f"data/financing.csv line {i}"
            out += [f"{where}: {col} {row[col]!r} not in data/financing_parties.csv"
                    for col in ("payer", "payee") if row[col] and row[col] not in known]
            if row["part_of"] and row["part_of"] not in events:
                out.append(f"{where}: part_of {row['part_of']!r} is not an event_id of this table")
            if row["deal_event_id"] and row["deal_event_id"] not in deal:
                out.append(f"{where}: deal_event_id {row['deal_event_id']!r} not in data/deal_events.csv")
    sites, grid = raw.get("sites"), raw.get("grid_intensity")
    if sites is not None and grid is not None and "egrid_subregion" in sites.columns:
        regions = _ids(grid, "region")
        out += [f"data/sites.csv line {i}: egrid_subregion {r!r} not in data/grid_intensity.csv"
                for i, r in sites["egrid_subregion"].items() if r and r not in regions]
    return out


def _stamp() -> tuple:
    """Change when any data file changes, so the cache below never serves stale tables.

    Taken on every read (thousands per build): one directory scan and one stat per file."""
    with os.scandir(paths.DATA) as entries:
        found = [(e.name, e.stat()) for e in entries if e.name.endswith(".csv") and e.is_file()]
    return tuple((name, st.st_mtime_ns, st.st_size) for name, st in sorted(found, key=lambda x: x[0]))


@functools.lru_cache(maxsize=4)
def _load_all(stamp: tuple) -> dict[str, pd.DataFrame]:
    raw = {name: _read_csv(paths.DATA / spec.file) for name, spec in TABLES.items()}
    ids = set(raw["sources"]["source_id"]) if "source_id" in raw["sources"].columns else set()
    problems = []
    for name, df in raw.items():
        problems += check_table(name, df, ids)
    problems += link_problems(raw)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DataError(problems[0] + more)
    out = {}
    for name, df in raw.items():
        df = df.reset_index(drop=True)
        for col in TABLES[name].numeric:  # the same reading the check used: nothing turns into NaN
            df[col] = [float("nan") if (v := number(str(x))) is None else v for x in df[col]]
        out[name] = df
    return out


@functools.lru_cache(maxsize=4)
def _digests(stamp: tuple) -> dict[str, str]:
    """Return the sha256 of every table's file (what a notebook run records having read)."""
    import hashlib

    return {name: hashlib.sha256((paths.DATA / spec.file).read_bytes()).hexdigest() for name, spec in TABLES.items()}


#: Sets collecting the tables read while a per_data_version function computes (innermost last).
_capturing: list[set[str]] = []


def _note(name: str, stamp: tuple) -> None:
    for seen in _capturing:
        seen.add(name)
    if reads.ACTIVE:
        reads.note_table(name, _digests(stamp)[name], f"data/{TABLES[name].file}")


def per_data_version(fn: Callable[[], T]) -> Callable[[], T]:
    """Cache a function of the data tables alone (no arguments, no assumptions) per version of the data
    files. The first call records the tables it read; every call reports those reads again, so a
    notebook run's read set is what it would be had the function run each time. Returns a copy of
    mutable values (DataFrames), so no caller changes what the next one gets."""
    cache: dict[tuple, tuple[T, frozenset[str]]] = {}

    @functools.wraps(fn)
    def wrapper() -> T:
        stamp = _stamp()
        if stamp not in cache:
            seen: set[str] = set()
            _capturing.append(seen)
            try:
                value = fn()
            finally:
                _capturing.pop()
            cache.clear()  # one version of the data at a time
            cache[stamp] = (value, frozenset(seen))
        value, seen = cache[stamp]
        for name in sorted(seen):
            _note(name, stamp)
        return value.copy() if isinstance(value, (pd.DataFrame, pd.Series, dict, list)) else value

    return wrapper


def validate() -> None:
    """Load every table once, and check what ties the tables together (timeline stages, signposts),
    so that a broken data file fails before any kernel starts."""
    stamp = _stamp()
    _load_all(stamp)
    for name in TABLES:
        _note(name, stamp)
    from . import deal, signposts  # they read the tables loaded above

    problems = deal.check_events() + signposts.check()
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DataError(problems[0] + more)


def table(name: str) -> pd.DataFrame:
    """Return a validated copy of one data table (a notebook run records which tables it read)."""
    if name not in TABLES:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(TABLES)}")
    stamp = _stamp()
    out = _load_all(stamp)[name].copy()
    _note(name, stamp)
    return out


def fact(fact_id: str) -> float:
    """Return the central value of one fact from data/facts.csv."""
    return float(fact_row(fact_id)["value"])


def data_date() -> str:
    """Return the publication date of the newest source (YYYY-MM-DD): the date the data speaks for.

    The one place it is computed: the cover prints it and the risk model draws only what is still
    open at it. This report's own rows (publisher 'Ten Gigawatts') do not count.
    """
    src = table("sources")
    return str(src.loc[~src["publisher"].str.startswith("Ten Gigawatts"), "published"].max())


def fact_row(fact_id: str) -> pd.Series:
    """Return one fact's row (value, low, high, unit, source) from data/facts.csv."""
    stamp = _stamp()
    facts = _facts(stamp)
    _note("facts", stamp)  # every call reports the read, as table() does
    if fact_id not in facts.index:
        raise DataError(f"data/facts.csv has no fact_id {fact_id!r}")
    return facts.loc[fact_id].copy()


@functools.lru_cache(maxsize=4)
def _facts(stamp: tuple) -> pd.DataFrame:
    """data/facts.csv indexed by fact id, once per version of the data files (facts are looked up
    hundreds of times a build)."""
    return _load_all(stamp)["facts"].set_index("fact_id")


PLATFORM_METRICS = {
    "availability_half": "half-year",
    "accelerators_per_rack": "packages per rack",
    "dies_per_package": "dies per package",
    "rack_power_kw": "kW per rack",
    "fp4_dense_pflops_per_rack": "PFLOP/s per rack",
    "fp8_dense_pflops_per_rack": "PFLOP/s per rack",
    "hbm_gb_per_package": "GB per package",
}


#: What each platform metric means, for the reader.
PLATFORM_METRIC_LABELS = {
    "availability_half": "availability", "accelerators_per_rack": "packages per rack",
    "dies_per_package": "dies per package", "rack_power_kw": "rack power",
    "fp4_dense_pflops_per_rack": "dense FP4 per rack", "fp8_dense_pflops_per_rack": "dense FP8 per rack",
    "hbm_gb_per_package": "HBM per package",
}


def assumed_platforms() -> list[str]:
    """Return the platforms whose specifications are this report's judgement (e.g. Feynman): those with
    any metric citing a judgement row of data/sources.csv (kind 'judgement'), other than the rack power,
    which NVIDIA has published for no Rubin-generation rack and which the report judges for every one."""
    long = table("platforms")
    src = table("sources")
    judged = set(src.loc[src["kind"] == JUDGEMENT, "source_id"])
    cites = long["source_id"].str.split(";").map(lambda ids: any(i.strip() in judged for i in ids))
    return sorted(set(long.loc[cites & (long["metric"] != "rack_power_kw"), "platform"]))


def platforms(announced_only: bool = False) -> pd.DataFrame:
    """Return the platform roadmap as one row per platform, one column per metric, by availability.

    announced_only drops the platforms whose specifications are this report's assumption. Pivoted
    once per version of the data files (a chapter asks for it dozens of times); each call still
    reports the tables it reads, so the build's read tracking sees them.
    """
    stamp = _stamp()
    for name in ("platforms", "sources") if announced_only else ("platforms",):
        _note(name, stamp)
    return _platforms(announced_only, stamp).copy()


@functools.lru_cache(maxsize=8)
def _platforms(announced_only: bool, stamp: tuple) -> pd.DataFrame:
    with reads.paused():  # reported by platforms() on every call, not only the first
        return _pivot_platforms(announced_only)


def _pivot_platforms(announced_only: bool) -> pd.DataFrame:
    long = table("platforms")
    if announced_only:
        long = long[~long["platform"].isin(assumed_platforms())]
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
