"""nbval: every chapter notebook, rerun in a fresh kernel for the base scenario and one other, gives
back exactly the outputs the build stored (prose with its numbers, tables, chart specs).

The build runs notebooks on warm, reset kernels; nbval runs each on a new kernel, so this also shows
no notebook depends on what ran before it. The sanitizers (tests/nbval_sanitize.cfg) mask only paths,
addresses, timestamps and timings. The last test edits a headline number stored in a copy of an
executed notebook and shows nbval fails on it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis import assumptions, paths, render

pytestmark = pytest.mark.build

SANITIZE = Path(__file__).with_name("nbval_sanitize.cfg")
#: The second scenario to rerun: constrained moves every model input (pace, PUE, delays, costs).
OTHER = os.environ.get("TENGW_NBVAL_SCENARIO") or "constrained"
ROADMAP = "compute_roadmap"


def nbval(files: list[Path], cwd: Path) -> subprocess.Popen:
    """Start pytest --nbval (strict: every output compared) on the given notebooks."""
    cmd = [sys.executable, "-m", "pytest", "--nbval", "--nbval-sanitize-with", str(SANITIZE), "-q", "-rf",
           "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", str(cwd), *map(str, files)]
    # Without the results store: the rerun computes every model result and chart itself, so it checks
    # them, rather than reading back what the build stored.
    env = {**os.environ, "TENGW_RESULTS": "off"}
    return subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def scenarios() -> list[str]:
    known = assumptions.scenario_names()
    other = OTHER if OTHER in known else next(n for n in known if n != "base")
    return ["base", other]


def test_notebooks_reproduce_their_stored_outputs(built_report, tmp_path):
    """Both scenarios rerun side by side (two kernels), every cell's output compared."""
    stems = render.read_project().notebook_stems()
    runs = {}
    for sc in scenarios():
        files = [paths.BUILD / sc / f"{s}.ipynb" for s in stems]
        missing = [f for f in files if not f.exists()]
        assert not missing, f"the build did not write {missing}"
        (tmp_path / sc).mkdir()
        runs[sc] = nbval(files, tmp_path / sc)
    failures = []
    for sc, proc in runs.items():
        out, _ = proc.communicate(timeout=1500)
        if proc.returncode != 0:
            failures.append(f"--- scenario {sc}: nbval exit {proc.returncode}\n{out[-6000:]}")
        else:
            n_cells = int(re.search(r"(\d+) passed", out).group(1))
            assert n_cells >= len(stems), f"{sc}: nbval checked only {n_cells} cells"
    assert not failures, "\n".join(failures)


def test_nbval_catches_a_changed_headline_number(built_report, tmp_path):
    """Change one digit of the roadmap's stored summary: nbval must report that cell."""
    src = paths.BUILD / "base" / f"{ROADMAP}.ipynb"
    nb = nbformat.read(src, as_version=4)
    target = None
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            md = out.get("data", {}).get("text/markdown")
            if md and re.search(r"\d+(\.\d+)? GW", "".join(md)):
                target = sum(c.cell_type == "code" for c in nb.cells[:i])  # nbval counts code cells
                for key in ("text/markdown", "text/plain"):
                    if key in out["data"]:
                        text = "".join(out["data"][key])
                        out["data"][key] = re.sub(r"(\d+)(\.\d+)? GW", lambda m: f"{int(m.group(1)) + 1}{m.group(2) or ''} GW",
                                                  text, count=1)
                break
        if target is not None:
            break
    assert target is not None, f"no headline-number cell ('... GW') in {src}"
    copy = tmp_path / src.name
    nbformat.write(nb, copy)
    proc = nbval([copy], tmp_path)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode != 0, f"nbval passed a notebook whose stored number was changed:\n{out[-3000:]}"
    assert re.search(rf"Cell {target}\b", out) and re.search(r"\b1 failed", out), out[-3000:]
