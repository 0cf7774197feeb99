"""Reproduction: an edition built again in fresh folders is identical; only the build time may differ.

The session's build (the built_report fixture, in fresh folders on CI) is the first build; one more
build of the base edition in a tmp folder is the second (~20 s on CI). Its build time is pinned to
the first's with SOURCE_DATE_EPOCH, so every executed output and both published files must match
byte for byte. A third render of the second build's runs at a later time shows what a build time
changes: the files differ, and masking the build time (colophon, <meta>, PDF dates) leaves nothing.
"""

from __future__ import annotations

import json
import shutil

import pytest

from analysis import paths, repro

pytestmark = pytest.mark.build
EDITION = "base"


@pytest.fixture(scope="module")
def builds(built_report, tmp_path_factory):
    root = tmp_path_factory.mktemp("repro")
    first = repro.Edition(paths.BUILD / EDITION, built_report / EDITION)
    engine = repro.engine_of(first)  # the same engine, Quarto where `make report` used it
    second = repro.build(EDITION, root / "second", source_date_epoch=first.edition["build_epoch"], engine=engine)
    # Same runs (copied with their cache records, so nothing executes), rendered a day and an hour later.
    shutil.copytree(root / "second" / "build", root / "later" / "build")
    later = repro.build(EDITION, root / "later", source_date_epoch=str(int(first.edition["build_epoch"]) + 90000),
                        engine=engine)
    return first, second, later


def test_a_fresh_build_reproduces_the_edition_byte_for_byte(builds):
    first, second, _ = builds
    assert second.edition["build_time"] == first.edition["build_time"]
    assert repro.differences(first, second) == []


def test_a_later_build_differs_only_in_its_build_time(builds):
    _, second, later = builds
    assert later.edition["build_time"] != second.edition["build_time"]
    strict = repro.differences(second, later)
    # Every page states the build time (the colophon's <meta> tags) and so does the PDF, and Quarto's
    # search index (it holds the colophon's text); nothing else.
    pages = sorted(str(p.relative_to(later.published)) for p in later.published.rglob("*")
                   if p.suffix in (".html", ".pdf") or p.name == "search.json")
    assert sorted(d.split(":")[0] for d in strict) == pages, strict
    assert repro.differences(second, later, allow_build_time=True) == []


def test_the_comparison_catches_a_changed_number_table_or_chart(builds, tmp_path):
    """Inject defects into a copy of the second build: each must be reported, and named."""
    _, second, _ = builds
    copy = repro.Edition(tmp_path / "build", tmp_path / "out")
    shutil.copytree(second.executed, copy.executed)
    shutil.copytree(second.published, copy.published)
    nb_path = copy.executed / "energy.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    out = next(o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
               if "application/vnd.tengw.table+json" in o.get("data", {}))
    out["data"]["application/vnd.tengw.table+json"]["rows"][0][-1] += "1"
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    html = copy.published / "index.html"
    html.write_text(html.read_text(encoding="utf-8").replace("Colophon", "Colophone", 1), encoding="utf-8")
    found = repro.differences(second, copy, allow_build_time=True)
    assert [d.split(":")[0] for d in found] == ["energy.ipynb", "index.html"], found
    assert "/rows[0]" in found[0]
