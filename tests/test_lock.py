"""The locked environment: requirements.lock matches pyproject.toml, and this Python runs exactly it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import cache, colophon, lock, paths


@pytest.fixture
def copies(tmp_path):
    """Copies of pyproject.toml and requirements.lock to break on purpose."""
    py, lk = tmp_path / "pyproject.toml", tmp_path / "requirements.lock"
    py.write_text(lock.PYPROJECT.read_text(encoding="utf-8"), encoding="utf-8")
    lk.write_text(lock.LOCK.read_text(encoding="utf-8"), encoding="utf-8")
    return py, lk


def test_the_committed_lock_matches_pyproject():
    assert lock.check() is None


def test_every_requirement_is_pinned_with_hashes():
    text = lock.LOCK.read_text(encoding="utf-8")
    pinned = {name for name, _, _ in lock.pins(text)}
    for _, req in lock.inputs():
        assert lock.requirement_name(req) in pinned, f"{req} is not pinned"
    entries = [block for block in text.split("\n") if "==" in block and not block.startswith("#")]
    assert len(entries) == len(lock.pins(text)) > 50
    # every pin line continues onto hash lines: pip's --require-hashes refuses a pin without one
    for line in entries:
        assert line.rstrip().endswith("\\"), f"no hashes for {line}"


@pytest.mark.parametrize("edit, expected", [
    (lambda t: t.replace('"pandas>=2.2"', '"pandas>=99"'), "changed: pandas>=2.2 -> pandas>=99 (project)"),
    (lambda t: t.replace('"pytest>=8",', '"pytest>=8",\n    "requests>=2",'), "not in the lock: requests>=2 (test)"),
    (lambda t: t.replace('    "typst>=0.12",\n', ""), "no longer in pyproject.toml: typst>=0.12 (project)"),
    (lambda t: t.replace('"setuptools>=77"', '"setuptools>=77", "wheel"'), "not in the lock: wheel (build-system)"),
])
def test_a_dependency_changed_without_refreshing_the_lock_is_one_line(copies, edit, expected):
    py, lk = copies
    py.write_text(edit(py.read_text(encoding="utf-8")), encoding="utf-8")
    msg = lock.check(py, lk)
    assert msg is not None and expected in msg, msg
    assert "\n" not in msg and "make lock" in msg


def test_a_pin_outside_its_range_is_named(copies):
    py, lk = copies
    text = lk.read_text(encoding="utf-8")
    version = next(v for n, v, _ in lock.pins(text) if n == "pandas")
    lk.write_text(text.replace(f"\npandas=={version} ", "\npandas==2.0.0 "), encoding="utf-8")
    assert "pandas is pinned to 2.0.0, outside pandas>=2.2" in lock.check(py, lk)


def test_a_lock_without_its_header_or_missing_is_refused(copies):
    py, lk = copies
    lk.write_text("\n".join(l for l in lk.read_text(encoding="utf-8").splitlines() if not l.startswith("#")))
    assert "no record of the requirements" in lock.check(py, lk)
    lk.unlink()
    assert "requirements.lock is missing" in lock.check(py, lk)


def test_make_runs_the_check_on_the_systems_python_before_installing(copies, tmp_path):
    """The Makefile's first step: `python3 -m analysis.lock check`, standard library only, exit 1."""
    py, lk = copies
    py.write_text(py.read_text(encoding="utf-8").replace('"pandas>=2.2"', '"pandas>=99"'), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "analysis.lock", "check", str(py), str(lk)],
                          cwd=paths.ROOT, capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: requirements.lock does not match")
    recipe = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    stamp = recipe[recipe.index("$(STAMP):"):recipe.index("report:")]
    assert stamp.index("analysis.lock check") < stamp.index("pip install"), "the check must run before installing"
    assert "--require-hashes --no-deps -r $(LOCK)" in stamp and "--no-deps --no-build-isolation -e ." in stamp


def test_the_check_needs_only_the_standard_library():
    """It runs before .venv exists; `packaging`, when present, only adds the range check."""
    tree = ast.parse(Path(lock.__file__).read_text(encoding="utf-8"))
    top = [a.name.split(".")[0] for node in tree.body if isinstance(node, ast.Import) for a in node.names]
    top += [node.module.split(".")[0] for node in tree.body if isinstance(node, ast.ImportFrom)]
    assert top and all(name in sys.stdlib_module_names for name in top), top


def test_this_python_runs_exactly_the_locked_versions():
    """make test installs the lock: every pin that applies here is installed at its version, nothing else."""
    differences = colophon.lock_differences()
    assert differences == [], f"installed packages differ from requirements.lock: {differences} (make test rebuilds .venv)"
    from packaging.markers import Marker

    locked = {n for n, _, m in lock.pins(lock.LOCK.read_text(encoding="utf-8")) if not m or Marker(m).evaluate()}
    extra = sorted(set(cache.environment()["distributions"]) - locked - {"ten-gigawatts"})
    assert not extra, f"installed but not locked: {extra} (rm -rf .venv && make test installs exactly the lock)"
