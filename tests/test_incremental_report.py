"""Rerun only what an input reaches, on the report itself: after the session's build of every edition,
an edit to one scenario file re-plans the chapters that compare editions in *every* edition (their
pages show that scenario's values) and, in the edited edition, the chapters that read the value; no
chapter of another edition that shows only its own scenario.

Plans only (no kernel runs): a copy of the project with the session build's executed notebooks and
cache records, in which the scenario file is edited, asked what it would re-execute (~5 s). That the
re-executed edition is byte for byte a forced build is tested on a small project in test_incremental.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from analysis import paths
from fixture_project import env

pytestmark = pytest.mark.build

#: Chapters that set the editions side by side (they read every scenario's values).
COMPARING = {"summary", "scenarios", "appendix"}
#: Chapters that show only their own edition's model: another edition's values never reach them.
OWN_ONLY = {"compute_roadmap", "energy", "economics", "risks", "sites", "benefits"}

PLAN = """
import json, sys
from analysis import build, paths, cache
names = json.loads(sys.argv[1])
vs = [build.Variant(n, n, {}) for n in names]
before = build.plan(vs, "embedded", build.output_dir())
edited = paths.scenario_file(sys.argv[2])
text = edited.read_text(encoding="utf-8")
assert "\\nassumptions: {}\\n" in text, "the edit below expects a scenario that overrides nothing"
edited.write_text(text.replace("\\nassumptions: {}\\n", "\\nassumptions:\\n  pue: 1.31\\n"), encoding="utf-8")
cache.clear_digests()
after = build.plan(vs, "embedded", build.output_dir())
print(json.dumps({"before": sorted(map(list, before.stale_runs)), "after": sorted(map(list, after.stale_runs))}))
"""


def test_an_edited_scenario_file_replans_the_comparing_chapters_of_every_edition(built_report, tmp_path):
    from analysis import assumptions

    names = assumptions.scenario_names()
    edited = "letter-of-intent"  # the counterfactual: it sets nothing, so it can be given a PUE
    root = tmp_path / "p"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "_output", "chapters", "_staging*", ".quarto",
                                    "_vega.html")
    for name in ("analysis", "data", "report", "notebooks"):
        shutil.copytree(paths.ROOT / name, root / name, ignore=ignore)
    for name in names:  # executed notebooks and records, with their mtimes (records vouch for size and mtime)
        shutil.copytree(paths.BUILD / name, root / "build" / name, ignore=shutil.ignore_patterns(".*.tmp"))
    proc = subprocess.run([sys.executable, "-c", PLAN, json.dumps(names), edited], cwd=root, env=env(root),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["before"] == [], "the copied build should be up to date before the edit"
    stale = {(v, s) for v, s in result["after"]}
    for name in names:
        chapters = {s for v, s in stale if v == name}
        assert COMPARING <= chapters, f"{name}: {sorted(COMPARING - chapters)} not re-run after {edited}.yaml changed"
        if name != edited:
            assert not chapters & OWN_ONLY, f"{name}: {sorted(chapters & OWN_ONLY)} re-run for another edition's file"
    # In the edited edition: the chapters that read the PUE, not the one that reads no model value.
    own = {s for v, s in stale if v == edited}
    assert {"energy", "economics", "risks"} <= own and "watch" not in own, sorted(own)
