"""Rerun only what an input reaches: the build re-executes a chapter when, and only when, a value it
read has changed, and the incremental edition is byte for byte the edition a forced build makes.

A copy of the project with four small chapters, each reading something else: the PUE, the
utilisation, a data table only, and every scenario's PUE (a cross-scenario chapter, like the
summary). Built once for two editions; then one assumption is edited, a forced build is compared
with the incremental one, and a --set variant reuses what it can of the edition it derives from.
"""

from __future__ import annotations

import re

import nbformat
import pytest
import yaml

from fixture_project import cli, make_project, snapshot

EPOCH = "1790000000"
EDITIONS = ("--scenario", "base", "--scenario", "constrained", "--jobs", "1")
CHAPTERS = {
    "pue": ["a = assumptions.load(scenario, overrides)", "prose.md(f'PUE: {a.pue}.')"],
    "util": ["a = assumptions.load(scenario, overrides)", "prose.md(f'Utilisation: {a.utilisation}.')"],
    "facts": ["from analysis import data", "prose.md(f'{len(data.table(\"facts\"))} facts.')"],
    "compare": ["from analysis import scenarios", "sc = assumptions.resolve(scenario, overrides)",
                "prose.md('; '.join(f'{s.title}: PUE {s.assumptions.pue}' for s in scenarios.resolve_all(sc)))"],
}


def _notebook(stem: str, cells: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(f"# Chapter {stem} {{#sec-{stem}}}"),
                nbformat.v4.new_code_cell('scenario = "base"\noverrides = {}', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("from analysis import assumptions, prose"),
                *[nbformat.v4.new_code_cell(c) for c in cells]]
    return nb


def executed(proc) -> set[str]:
    """The runs a build executed, from its progress lines ("[2/8] base/pue (0.4 s)")."""
    return set(re.findall(r"^\s*\[\d+/\d+\] (\S+) \(", proc.stderr, re.M))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("incremental") / "p")
    (root / "notebooks" / "tiny.ipynb").unlink()
    for stem, cells in CHAPTERS.items():
        nbformat.write(_notebook(stem, cells), root / "notebooks" / f"{stem}.ipynb")
    qy = root / "report" / "_quarto.yml"
    cfg = yaml.safe_load(qy.read_text(encoding="utf-8"))
    cfg["book"]["chapters"] = ["index.qmd"] + [f"chapters/{s}.ipynb" for s in CHAPTERS]
    qy.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    proc = cli(root, "build", *EDITIONS, SOURCE_DATE_EPOCH=EPOCH)
    assert proc.returncode == 0, proc.stderr
    assert len(executed(proc)) == 2 * len(CHAPTERS)
    return root


def test_an_edited_assumption_reruns_only_the_chapters_that_read_it(project):
    base = project / "data" / "scenarios" / "base.yaml"
    text = base.read_text()
    assert "\nassumptions:\n" in text and "pue:" not in text
    base.write_text(text.replace("\nassumptions:\n", "\nassumptions:\n  pue: 1.25\n", 1))
    title = yaml.safe_load(text)["title"]
    proc = cli(project, "build", *EDITIONS, SOURCE_DATE_EPOCH=EPOCH)
    assert proc.returncode == 0, proc.stderr
    # The PUE chapter of the edited edition, and the chapter that shows every scenario's PUE in *both*
    # editions (constrained's too: it shows base's PUE); never the utilisation or data chapters.
    assert executed(proc) == {"base/pue", "base/compare", "constrained/compare"}, proc.stderr
    page = (project / "out" / "constrained" / "index.html").read_text()
    assert f"{title}: PUE 1.25" in page and "PUE: 1.3." in page

    # A forced build of the same inputs in fresh folders publishes the same bytes.
    forced = cli(project, "build", *EDITIONS, "--force", SOURCE_DATE_EPOCH=EPOCH,
                 TENGW_BUILD_DIR=str(project / "forced-build"), TENGW_OUTPUT_DIR=str(project / "forced-out"))
    assert forced.returncode == 0, forced.stderr
    assert len(executed(forced)) == 2 * len(CHAPTERS)
    assert snapshot(project / "out") == snapshot(project / "forced-out")


def test_a_value_only_a_whole_scenario_comparison_reads_reruns_only_that(project):
    """No chapter reads the capital-cost trend, but the comparison checks whether its own edition is one
    of data/scenarios/ by comparing the scenario whole (scenarios.resolve_all): that run alone re-runs.
    base's comparison reads only constrained's title and PUE, which did not change."""
    constrained = project / "data" / "scenarios" / "constrained.yaml"
    constrained.write_text(constrained.read_text().replace("capex_change_pct_per_year: 5.0",
                                                           "capex_change_pct_per_year: 4.0"))
    proc = cli(project, "build", *EDITIONS, SOURCE_DATE_EPOCH=EPOCH)
    assert proc.returncode == 0, proc.stderr
    assert executed(proc) == {"constrained/compare"}, proc.stderr


def test_a_set_variant_reuses_the_chapters_of_its_edition_whose_reads_hold(project):
    before = (project / "build" / "base" / "pue.ipynb").read_bytes()
    proc = cli(project, "build", "--set", "utilisation=0.6", "--name", "util-variant", "--jobs", "1",
               SOURCE_DATE_EPOCH=EPOCH)
    assert proc.returncode == 0, proc.stderr
    # utilisation is read by its own chapter and by the comparison (which compares whole scenarios).
    assert executed(proc) == {"util-variant/util", "util-variant/compare"}, proc.stderr
    assert "2 reused" in proc.stdout
    page = (project / "out" / "util-variant" / "index.html").read_text()
    assert "Utilisation: 0.6." in page and "PUE: 1.25." in page
    reused = nbformat.read(project / "build" / "util-variant" / "pue.ipynb", as_version=4)
    injected = next(c for c in reused.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "0.6" in injected.source, "the reused notebook must state the variant's own parameters"
    assert (project / "build" / "base" / "pue.ipynb").read_bytes() == before
    # Rebuilding the variant does nothing.
    again = cli(project, "build", "--set", "utilisation=0.6", "--name", "util-variant", SOURCE_DATE_EPOCH=EPOCH)
    assert "nothing changed" in again.stdout, again.stderr
