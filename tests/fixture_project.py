"""A small copy of the project for build tests: the real library, data and scenarios, one tiny chapter.

Tests that build, break inputs or kill builds work on this copy in a tmp folder, so they never touch
the checkout's data or report, and they do not depend on which chapters the real report has.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import yaml

from analysis import paths

TINY = "tiny"


def tiny_notebook(extra_cells: list[str] = ()) -> nbformat.NotebookNode:
    """Return a one-chapter notebook that follows the output contract and can be made slow or broken."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A tiny chapter {#sec-tiny}"),
        nbformat.v4.new_code_cell('scenario = "base"\noverrides = {}', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import os, time\nfrom analysis import assumptions, prose\n"
            "a = assumptions.load(scenario, overrides)\n"
            "time.sleep(float(os.environ.get('TENGW_TEST_SLEEP', '0')))"),
        *[nbformat.v4.new_code_cell(src) for src in extra_cells],
        nbformat.v4.new_code_cell("prose.md(f'The PUE in this scenario is {a.pue}.')"),
    ]
    return nb


def make_project(root: Path) -> Path:
    """Copy library, data and report sources into root, with one tiny chapter; return root."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "_output", "_staging*", ".quarto", "_vega.html",
                                    "_edition.yml", "_edition.html", "*_files")
    for name in ("analysis", "data", "report"):
        shutil.copytree(paths.ROOT / name, root / name, ignore=ignore)
    (root / "notebooks").mkdir()
    nbformat.write(tiny_notebook(), root / "notebooks" / f"{TINY}.ipynb")
    qy = root / "report" / "_quarto.yml"
    cfg = yaml.safe_load(qy.read_text(encoding="utf-8"))
    cfg["book"]["chapters"] = ["index.qmd", f"{TINY}.ipynb"]
    qy.write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return root


def env(root: Path, **extra: str) -> dict[str, str]:
    """Return an environment that makes python -m analysis (and its kernels) use the copy."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("TENGW_")}
    e.update(PYTHONPATH=str(root), TENGW_BUILD_DIR=str(root / "build"), TENGW_OUTPUT_DIR=str(root / "out"))
    e.update(extra)
    return e


def _args(args: tuple[str, ...]) -> list[str]:
    """Builds of the copy use the embedded engine even where Quarto is on PATH: these tests are about
    the build's mechanics (cache, publish, failures); tests/test_quarto.py covers Quarto's output."""
    if args[:1] == ("build",) and "--engine" not in args:
        return ["build", "--engine", "embedded", *args[1:]]
    return list(args)


def cli(root: Path, *args: str, timeout: float = 300, **extra_env: str) -> subprocess.CompletedProcess:
    """Run python -m analysis in the copy and return the finished process (text output)."""
    return subprocess.run([sys.executable, "-m", "analysis", *_args(args)], cwd=root, env=env(root, **extra_env),
                          capture_output=True, text=True, timeout=timeout)


def popen(root: Path, *args: str, **extra_env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analysis", *_args(args)], cwd=root,
                            env=env(root, **extra_env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def snapshot(folder: Path) -> dict[str, str]:
    """Return relative path -> sha256 of every file under folder."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def processes_with(marker: str) -> list[int]:
    """Return the pids whose environment holds marker (e.g. TENGW_TEST_MARK=<id>), scanning /proc."""
    found = []
    needle = marker.encode()
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == os.getpid():
            continue
        try:
            environ = (d / "environ").read_bytes()
            state = (d / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and needle in environ.split(b"\0"):
            found.append(int(d.name))
    return found


def kernels_with(marker: str) -> list[int]:
    """Return ipykernel processes whose environment holds marker."""
    out = []
    for pid in processes_with(marker):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"ipykernel" in cmd:
            out.append(pid)
    return out


def wait_for(predicate, timeout: float = 60, every: float = 0.1):
    """Poll predicate until it returns something truthy; return it, or None after timeout."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return None
