"""The inputs keep their contract: sourced data rows, complete sources, known units, schema-only
scenarios, and notebooks stored clean with one parameters cell.

Every check reads a folder, so the last tests can run it on a damaged copy and show it fails.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from analysis import paths
from analysis.assumptions import SCENARIO_KEYS, Assumptions
from analysis.units import KNOWN_UNITS

SOURCE_FIELDS = ("source_id", "title", "publisher", "url", "published", "accessed")


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


# --- the checks, each returning the problems it found ----------------------------------------

def source_problems(data_dir: Path) -> list[str]:
    """Every source has a unique id, title, publisher, an http(s) URL, and published <= accessed <= today."""
    cols, rows = read_rows(data_dir / "sources.csv")
    problems = [f"sources.csv: missing column {c}" for c in SOURCE_FIELDS if c not in cols]
    if problems:
        return problems
    seen: set[str] = set()
    for line, row in enumerate(rows, 2):
        where = f"sources.csv line {line} ({row['source_id'] or '?'})"
        # Only the report's own judgement rows (kind 'judgement') have no URL: they cite nothing outside.
        needed = [c for c in SOURCE_FIELDS if not (c == "url" and row.get("kind") == "judgement")]
        problems += [f"{where}: empty {c}" for c in needed if not (row[c] or "").strip()]
        if row["source_id"] in seen:
            problems.append(f"{where}: duplicate source_id")
        seen.add(row["source_id"])
        if row["url"] and not row["url"].startswith(("https://", "http://")):
            problems.append(f"{where}: url {row['url']!r} is not http(s)")
        published, accessed = _date(row["published"] or ""), _date(row["accessed"] or "")
        if row["published"] and not published:
            problems.append(f"{where}: published {row['published']!r} is not YYYY-MM-DD")
        if row["accessed"] and not accessed:
            problems.append(f"{where}: accessed {row['accessed']!r} is not YYYY-MM-DD")
        if published and accessed and published > accessed:
            problems.append(f"{where}: published {published} after accessed {accessed}")
        if accessed and accessed > dt.date.today():
            problems.append(f"{where}: accessed {accessed} is in the future")
    return problems


def citation_problems(data_dir: Path) -> list[str]:
    """Every row of every other data table cites one or more source ids (';'-separated) that exist."""
    _, sources = read_rows(data_dir / "sources.csv")
    ids = {r["source_id"] for r in sources}
    problems = []
    for path in sorted(data_dir.glob("*.csv")):
        if path.name == "sources.csv":
            continue
        cols, rows = read_rows(path)
        if "source_id" not in cols:
            problems.append(f"{path.name}: no source_id column")
            continue
        for line, row in enumerate(rows, 2):
            cited = [s.strip() for s in (row["source_id"] or "").split(";") if s.strip()]
            if not cited:
                problems.append(f"{path.name} line {line}: no source_id")
            problems += [f"{path.name} line {line}: source_id {s!r} not in sources.csv" for s in cited if s not in ids]
    return problems


def unit_problems(data_dir: Path) -> list[str]:
    """Every row of a table with a unit column has a unit from analysis.units.KNOWN_UNITS."""
    problems = []
    for path in sorted(data_dir.glob("*.csv")):
        cols, rows = read_rows(path)
        if "unit" not in cols:
            continue
        for line, row in enumerate(rows, 2):
            unit = (row["unit"] or "").strip()
            if unit not in KNOWN_UNITS:
                problems.append(f"{path.name} line {line}: unit {unit!r} is not in KNOWN_UNITS")
    return problems


def scenario_problems(scenario_dir: Path) -> list[str]:
    """Scenario files hold a title, a description and only parameters the schema declares."""
    fields = set(Assumptions.model_fields)
    problems = []
    files = sorted(scenario_dir.glob("*.yaml")) + sorted(scenario_dir.glob("*.yml"))
    if not any(p.stem == "base" for p in files):
        problems.append("no base scenario")
    for path in files:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(doc, dict):
            problems.append(f"{path.name}: not a mapping")
            continue
        problems += [f"{path.name}: unknown key {k!r}" for k in doc if k not in SCENARIO_KEYS]
        problems += [f"{path.name}: empty {k}" for k in ("title", "description") if not str(doc.get(k) or "").strip()]
        values = doc.get("assumptions") or {}
        if not isinstance(values, dict):
            problems.append(f"{path.name}: assumptions is not a mapping")
            continue
        problems += [f"{path.name}: {k!r} is not a parameter of the schema" for k in values if k not in fields]
        # Every departure from the defaults (the letter of intent) names what backs it.
        cited = doc.get("sources") or {}
        problems += [f"{path.name}: {k!r} departs from the letter of intent with no entry under 'sources'"
                     for k in values if k not in cited]
    return problems


def notebook_problems(notebook_dir: Path) -> list[str]:
    """Notebooks are stored without outputs, with one parameters cell setting scenario and overrides."""
    problems = []
    for path in sorted(notebook_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
                problems.append(f"{path.name} cell {i}: stored output or execution count")
        params = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
        if len(params) != 1:
            problems.append(f"{path.name}: {len(params)} cells tagged 'parameters' (want exactly one)")
        else:
            try:
                names = {t.id for node in ast.parse(params[0].source).body if isinstance(node, ast.Assign)
                         for t in node.targets if isinstance(t, ast.Name)}
            except SyntaxError as exc:
                names = set()
                problems.append(f"{path.name}: parameters cell does not parse: {exc}")
            missing = {"scenario", "overrides"} - names
            if missing:
                problems.append(f"{path.name}: parameters cell does not set {', '.join(sorted(missing))}")
        if nb.metadata.get("kernelspec", {}).get("name") != "python3":
            problems.append(f"{path.name}: kernelspec is not python3")
        first = nb.cells[0] if nb.cells else None
        if first is None or first.cell_type != "markdown" or not first.source.lstrip().startswith("# "):
            problems.append(f"{path.name}: first cell is not the chapter's '# Title' markdown")
        h1 = sum(line.startswith("# ") for c in nb.cells if c.cell_type == "markdown"
                 for line in c.source.splitlines())
        if h1 != 1:
            problems.append(f"{path.name}: {h1} level-1 headings (want one per chapter)")
    return problems


# --- tests of the repository -----------------------------------------------------------------

def _ok(problems: list[str]) -> None:
    assert not problems, "\n".join(problems)


def test_every_source_has_url_publisher_and_dates():
    _ok(source_problems(paths.DATA))


def test_every_data_row_cites_an_existing_source():
    _ok(citation_problems(paths.DATA))


def test_units_come_from_the_known_list():
    _ok(unit_problems(paths.DATA))


def test_every_assumption_unit_is_known():
    bad = [f"{r['name']}: {r['unit']!r}" for r in Assumptions.ledger() if r["unit"] not in KNOWN_UNITS]
    _ok(bad)


def test_scenario_files_name_only_schema_parameters():
    _ok(scenario_problems(paths.SCENARIOS))


def test_notebooks_are_stored_clean_with_one_parameters_cell():
    assert list(paths.NOTEBOOKS.glob("*.ipynb")), "no notebooks found"
    _ok(notebook_problems(paths.NOTEBOOKS))


# --- the checks can fail ---------------------------------------------------------------------

@pytest.fixture
def repo_copy(tmp_path) -> Path:
    """A copy of data/ and notebooks/ to damage."""
    shutil.copytree(paths.DATA, tmp_path / "data")
    shutil.copytree(paths.NOTEBOOKS, tmp_path / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return tmp_path


def _edit_csv(path: Path, edit) -> None:
    cols, rows = read_rows(path)
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)


def test_a_row_citing_a_missing_source_is_caught(repo_copy):
    data = repo_copy / "data"
    _edit_csv(data / "facts.csv", lambda rows: rows[0].update(source_id="no_such_source"))
    assert citation_problems(data) == ["facts.csv line 2: source_id 'no_such_source' not in sources.csv"]


def test_a_removed_source_is_caught(repo_copy):
    data = repo_copy / "data"
    _, facts = read_rows(data / "facts.csv")
    cited = facts[0]["source_id"].split(";")[0]
    _edit_csv(data / "sources.csv", lambda rows: rows.__setitem__(slice(None), [r for r in rows if r["source_id"] != cited]))
    assert any(f"{cited!r} not in sources.csv" in p for p in citation_problems(data))


def test_a_source_without_url_or_dates_is_caught(repo_copy):
    data = repo_copy / "data"
    _edit_csv(data / "sources.csv", lambda rows: rows[0].update(url="", published="22/09/2025", accessed="2999-01-01"))
    problems = source_problems(data)
    assert any("empty url" in p for p in problems)
    assert any("published '22/09/2025' is not YYYY-MM-DD" in p for p in problems)
    assert any("in the future" in p for p in problems)


def test_an_unknown_unit_is_caught(repo_copy):
    data = repo_copy / "data"
    _edit_csv(data / "facts.csv", lambda rows: rows[0].update(unit="gigawatts"))
    assert unit_problems(data) == ["facts.csv line 2: unit 'gigawatts' is not in KNOWN_UNITS"]


def test_a_scenario_with_an_unknown_parameter_is_caught(tmp_path):
    shutil.copytree(paths.SCENARIOS, tmp_path / "scenarios")
    (tmp_path / "scenarios" / "typo.yaml").write_text(
        "title: Typo\ndescription: a misspelt parameter\nnotes: x\nassumptions:\n  pue_ratio: 1.2\n", encoding="utf-8")
    assert scenario_problems(tmp_path / "scenarios") == [
        "typo.yaml: unknown key 'notes'", "typo.yaml: 'pue_ratio' is not a parameter of the schema",
        "typo.yaml: 'pue_ratio' departs from the letter of intent with no entry under 'sources'"]


def test_an_unsourced_departure_from_the_letter_is_caught(tmp_path):
    shutil.copytree(paths.SCENARIOS, tmp_path / "scenarios")
    base = tmp_path / "scenarios" / "base.yaml"
    base.write_text(base.read_text(encoding="utf-8").replace("  start_half: 2027.0\n", "  start_half: 2027.0\n  pue: 1.3\n"),
                    encoding="utf-8")
    assert scenario_problems(tmp_path / "scenarios") == [
        "base.yaml: 'pue' departs from the letter of intent with no entry under 'sources'"]


def test_a_stored_output_and_a_second_parameters_cell_are_caught(repo_copy):
    path = sorted((repo_copy / "notebooks").glob("*.ipynb"))[0]
    nb = nbformat.read(path, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", []))
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="10.0 GW\n")]
    nb.cells.append(nbformat.v4.new_code_cell("scenario = 'constrained'", metadata={"tags": ["parameters"]}))
    nbformat.write(nb, path)
    problems = notebook_problems(repo_copy / "notebooks")
    assert any(p.startswith(f"{path.name} cell") and "stored output" in p for p in problems)
    assert f"{path.name}: 2 cells tagged 'parameters' (want exactly one)" in problems
