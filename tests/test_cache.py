"""The build cache: a run or render is skipped only when every input hashes the same as last time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis import assumptions, build, cache, data, paths, reads
from fixture_project import TINY, make_project

VARIANTS = [build.Variant("base", "base"), build.Variant("constrained", "constrained")]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A tmp copy of the project whose runs and renders are all recorded as fresh (no kernel runs)."""
    root = make_project(tmp_path / "p")
    for name, value in {"ROOT": root, "DATA": root / "data", "SCENARIOS": root / "data" / "scenarios",
                        "NOTEBOOKS": root / "notebooks", "REPORT": root / "report",
                        "QUARTO_YML": root / "report" / "_quarto.yml", "BUILD": root / "build",
                        "OUTPUT_OVERRIDE": str(root / "out")}.items():
        monkeypatch.setattr(paths, name, value)
    cache.clear_digests()
    out = root / "out"
    for v in VARIANTS:
        executed = root / "build" / v.name / f"{TINY}.ipynb"
        executed.parent.mkdir(parents=True)
        executed.write_text("{}")
        params = {"scenario": v.scenario, "overrides": v.overrides}
        cache.record_run(executed, root / "notebooks" / f"{TINY}.ipynb", params, tiny_trace(params))
    p = build.plan(VARIANTS, "embedded", out)
    keys = build.render_keys_for(VARIANTS, [TINY], p.run_keys, "embedded", out)
    for v in VARIANTS:
        files = build.published_outputs([v], out)
        for f in files:
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(f"published {f.name}")
        cache.record_render(root / "build" / v.name, keys[v.name], files)
    yield root
    cache.clear_digests()


def tiny_trace(params: dict) -> dict:
    """What the tiny chapter reads when it runs (its PUE) plus one data table, recorded in process."""
    rec = reads.push(reads.RunRecorder(params))
    try:
        a = assumptions.load(params["scenario"], params["overrides"])
        a.pue
        data.table("platforms")
    finally:
        reads.pop(rec)
    return {**rec.export(), "declared": reads.declared_files()}


def replan(root: Path, force: bool = False) -> build.Plan:
    cache.clear_digests()
    return build.plan(VARIANTS, "embedded", root / "out", force=force)


def test_nothing_changed_means_nothing_to_do(project):
    p = replan(project)
    assert p.nothing_to_do, (p.stale_runs, p.stale_renders)


def test_force_makes_everything_stale(project):
    p = replan(project, force=True)
    assert p.stale_runs == {("base", TINY), ("constrained", TINY)}
    assert p.stale_renders == {"base", "constrained"}


def test_a_scenario_value_the_chapter_reads_reruns_it_in_that_scenario_only(project):
    f = project / "data" / "scenarios" / "constrained.yaml"
    f.write_text(f.read_text().replace("pue: 1.3", "pue: 1.35"))
    p = replan(project)
    assert p.stale_runs == {("constrained", TINY)}
    # Scenario titles appear in every page's switcher, so every page is rendered again.
    assert p.stale_renders == {"base", "constrained"}


def test_a_scenario_value_the_chapter_never_reads_reruns_nothing(project):
    f = project / "data" / "scenarios" / "constrained.yaml"
    f.write_text(f.read_text().replace("utilisation: 0.7", "utilisation: 0.65") + "\n# edited\n")
    p = replan(project)
    assert not p.stale_runs and not p.reuse
    assert p.stale_renders == {"base", "constrained"}  # the colophon and switcher still change
    assert p.verified == {("constrained", TINY)}  # found fresh by its values: its record is refreshed


@pytest.mark.parametrize("edit", ["notebook", "data", "code", "override", "other data file"])
def test_each_input_invalidates_the_runs_it_feeds(project, edit):
    if edit == "other data file":  # read by code directly (map shapes): not tracked, so it keys every run
        shape = next((project / "data" / "shapes").glob("*.json"))
        shape.write_bytes(shape.read_bytes() + b" ")
    elif edit == "notebook":
        nb = project / "notebooks" / f"{TINY}.ipynb"
        nb.write_text(nb.read_text().replace("A tiny chapter", "A small chapter"))
    elif edit == "data":
        csv = project / "data" / "platforms.csv"
        csv.write_bytes(csv.read_bytes() + b"\n")
    elif edit == "code":
        module = project / "analysis" / "halves.py"
        module.write_text(module.read_text() + "\n")
    else:
        VARIANTS[1].overrides["pue"] = 1.4
    try:
        p = replan(project)
    finally:
        VARIANTS[1].overrides.clear()
    expected = {("constrained", TINY)} if edit == "override" else {("base", TINY), ("constrained", TINY)}
    assert p.stale_runs == expected


def test_a_data_table_the_chapter_never_reads_reruns_nothing(project):
    csv = project / "data" / "deal_events.csv"
    csv.write_bytes(csv.read_bytes() + b"\n")
    assert not replan(project).stale_runs


def test_a_variant_reuses_an_edition_run_whose_reads_hold(project):
    """--set of a value the chapter never reads: the edition's executed chapter is reused, not run."""
    variant = build.Variant("mine", "base", {"utilisation": 0.6})
    cache.clear_digests()
    p = build.plan([variant], "embedded", project / "out")
    assert not p.stale_runs and set(p.reuse) == {("mine", TINY)}
    assert p.reuse[("mine", TINY)][0] == project / "build" / "base" / f"{TINY}.ipynb"
    # One it reads: no edition holds those values, so the chapter runs.
    p = build.plan([build.Variant("mine", "base", {"pue": 1.45})], "embedded", project / "out")
    assert p.stale_runs == {("mine", TINY)} and not p.reuse


def test_an_executed_notebook_touched_by_hand_is_rerun(project):
    executed = project / "build" / "base" / f"{TINY}.ipynb"
    executed.write_text('{"edited": true}')
    assert replan(project).stale_runs == {("base", TINY)}


def test_a_deleted_or_edited_published_file_is_rendered_again(project):
    (project / "out" / "constrained" / "report.pdf").unlink()
    (project / "out" / "index.html").write_text("edited by hand")
    p = replan(project)
    assert not p.stale_runs
    assert p.stale_renders == {"base", "constrained"}


def test_report_sources_invalidate_renders_but_not_runs(project):
    qmd = project / "report" / "index.qmd"
    qmd.write_text(qmd.read_text() + "\nOne more sentence.\n")
    p = replan(project)
    assert not p.stale_runs and p.stale_renders == {"base", "constrained"}


def test_published_output_folder_is_not_an_input(project):
    """Rendering writes report/_output and a staging folder, and the Quarto path stages notebooks,
    metadata and the Vega bundle beside _quarto.yml; none of them may change the render key."""
    before = cache.report_digest()
    for name in ("_output", "_staging-123", ".quarto", f"{TINY}_files"):
        (project / "report" / name).mkdir()
        (project / "report" / name / "x.html").write_text("generated")
    for name in ("_vega.html", "_edition.yml", "_edition.html", f"{TINY}.ipynb"):
        (project / "report" / name).write_text("generated")
    cache.clear_digests()
    assert cache.report_digest() == before
    (project / "report" / "_partial.html").write_text("a source")
    cache.clear_digests()
    assert cache.report_digest() != before


def test_parameters_key_a_run_only_when_the_notebook_uses_them_beyond_resolve(project):
    nb = project / "notebooks" / f"{TINY}.ipynb"
    a = cache.run_key(nb, {"scenario": "base", "overrides": {}})
    assert a == cache.run_key(nb, {"scenario": "base", "overrides": {}})
    # The tiny chapter passes them only to assumptions.load: its reads (with values) key it instead.
    assert a == cache.run_key(nb, {"scenario": "base", "overrides": {"pue": 1.3}})
    text = nb.read_text().replace("a = assumptions.load(scenario, overrides)",
                                  "a = assumptions.load(scenario, overrides)\\nprint(scenario)")
    nb.write_text(text)
    assert cache.run_key(nb, {"scenario": "base", "overrides": {}}) != cache.run_key(
        nb, {"scenario": "constrained", "overrides": {}})


@pytest.mark.parametrize("code, clean", [
    ("sc = assumptions.resolve(scenario, overrides)", True),
    ("a = load(scenario=scenario, overrides=overrides)", True),
    ("sc = assumptions.resolve(scenario, overrides)\nprint(overrides)", False),
    ("x = scenario.upper()", False),
    ("sc = assumptions.resolve(scenario, dict(overrides, pue=1))", False),
    ("exec('print(scenario)')", False),
])
def test_parameter_use_is_checked_in_the_source(code, clean):
    import json as _json

    nb = {"cells": [{"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "scenario = 'base'"},
                    {"cell_type": "code", "metadata": {}, "source": code}]}
    assert cache.uses_parameters_only_to_resolve(_json.dumps(nb).encode()) is clean


def test_records_are_written_atomically(tmp_path):
    target = tmp_path / "r.json"
    cache.write_json(target, {"a": 1})
    assert target.read_text() == '{"a": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_chapter_list_matches_the_renderer():
    from analysis import render

    assert cache.chapter_stems() == render.read_project().notebook_stems()


def test_no_change_path_imports_nothing_heavy(tmp_path):
    """Deciding that nothing changed must not import pandas, papermill, nbformat or Altair."""
    import subprocess
    import sys

    code = ("import sys; from analysis import build, cli; "
            "vs = cli.variants_from(cli.argparse.Namespace(set=None, scenario=None, scenario_file=None, name=None)); "
            "build.plan(vs, 'embedded', build.output_dir()); "
            "print(sorted(m for m in ('pandas', 'papermill', 'nbformat', 'altair', 'pydantic') if m in sys.modules))")
    env = {**os.environ, "TENGW_BUILD_DIR": str(tmp_path / "b"), "TENGW_OUTPUT_DIR": str(tmp_path / "o")}
    out = subprocess.run([sys.executable, "-c", code], cwd=paths.ROOT, env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
