"""Content-addressed build cache: skip a run, or a render, whose inputs hash the same as last time.

A run's key hashes its notebook, its parameter values (the scenario file's bytes and the overrides),
the data files, the library code and the installed package versions. A render's key hashes the keys
of the runs it reads, the report sources (_quarto.yml, *.qmd), the code and the scenario titles, and
what each edition's colophon states besides those: the git commit and whether the tree was modified,
the lock file, and a fixed build date if SOURCE_DATE_EPOCH sets one. So a new commit re-renders every
edition (its colophon names the commit) but re-executes no notebook whose inputs did not change.
The colophon (analysis/colophon.py) prints these same digests: what an edition says it was built
from is what the cache keyed it on.
Records sit beside the executed notebooks (build/<variant>/.<stem>.key, .render.json) with the size
and mtime of the file they vouch for, so a file edited or deleted by hand is rebuilt.

This module imports nothing heavy (no pandas, papermill, nbformat, Altair) so that a rebuild with
nothing changed can decide in a fraction of a second that there is nothing to do.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterable

from . import paths, safe_yaml

#: Bump when the meaning of a key changes, so old records stop matching.
VERSION = 2
#: Folders under report/ that the build writes, so they are not inputs of a render.
REPORT_GENERATED = {"_output", "chapters", ".quarto", "_vega.html"}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _digest_files(files: Iterable[Path], root: Path) -> str:
    """Return one hash over relative names and bytes of files, in a stable order."""
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(str(f.relative_to(root)).encode() + b"\0")
        h.update(_sha(f.read_bytes()).encode())
    return h.hexdigest()


def _tree(root: Path, skip: set[str] = frozenset()) -> list[Path]:
    """Return every file under root, skipping caches and the named top-level entries."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        dirnames[:] = [d for d in dirnames if d != "__pycache__" and not d.startswith((".", "_staging"))
                       and not (rel == Path(".") and d in skip)]
        out += [Path(dirpath) / f for f in filenames
                if not f.endswith(".pyc") and not f.startswith(".")
                and not (rel == Path(".") and f in skip)]
    return out


@functools.lru_cache(maxsize=None)
def code_digest() -> str:
    """Hash the library: every module and template under analysis/."""
    pkg = paths.ROOT / "analysis"
    return _digest_files(_tree(pkg), pkg)


def _dist_name_version(entry: str) -> tuple[str, str]:
    """Split a site-packages metadata folder name ('vl_convert_python-1.9.0.post1.dist-info')."""
    stem = entry.rsplit(".", 1)[0]
    name, _, version = stem.partition("-")
    return re.sub(r"[-_.]+", "-", name).lower(), version.split("-py")[0]


@functools.lru_cache(maxsize=None)
def environment() -> dict[str, Any]:
    """Return the Python and every installed distribution's version, read from folder names (fast)."""
    dists: dict[str, str] = {}
    for p in sys.path:
        if p.endswith(("site-packages", "dist-packages")) and os.path.isdir(p):
            for entry in os.listdir(p):
                if entry.endswith((".dist-info", ".egg-info")):
                    name, version = _dist_name_version(entry)
                    dists.setdefault(name, version)
    return {"python": sys.version, "implementation": platform.python_implementation(),
            "platform": f"{platform.system()} {platform.machine()}", "distributions": dict(sorted(dists.items()))}


@functools.lru_cache(maxsize=None)
def deps_digest() -> str:
    """Hash the environment: the Python and the name and version of every installed distribution."""
    return _sha(json.dumps(environment(), sort_keys=True).encode())


@functools.lru_cache(maxsize=None)
def data_digest() -> str:
    """Hash the data files the notebooks read (scenario files are hashed per run)."""
    files = [f for f in _tree(paths.DATA) if paths.SCENARIOS not in f.parents]
    return _digest_files(files, paths.DATA)


@functools.lru_cache(maxsize=None)
def scenarios_digest() -> str:
    """Hash every scenario file: their titles appear in every page's scenario switcher."""
    return _digest_files(list(paths.SCENARIOS.glob("*.yaml")), paths.SCENARIOS)


@functools.lru_cache(maxsize=None)
def report_digest() -> str:
    """Hash the report sources the renderer reads: _quarto.yml, .qmd chapters, assets."""
    return _digest_files(_tree(paths.REPORT, REPORT_GENERATED), paths.REPORT)


def assumptions_digest(values: dict[str, Any]) -> str:
    """Hash a scenario's resolved assumption values (name -> value), independent of how the file spelt them."""
    return _sha(json.dumps(values, sort_keys=True, default=str, separators=(",", ":")).encode())


#: What the build reads from the source tree; changes elsewhere (README, tests) do not mark an edition modified.
BUILD_INPUTS = ("analysis", "data", "notebooks", "report", "pyproject.toml", "requirements.lock")


@functools.lru_cache(maxsize=None)
def source_state() -> dict[str, Any]:
    """Return the git commit of the checkout and the build inputs that differ from it (one git call).

    commit is None outside a git checkout (a downloaded archive) or without git.
    """
    try:
        proc = subprocess.run(
            ["git", "-C", str(paths.ROOT), "status", "--porcelain=v2", "--branch", "--untracked-files=all",
             "--", *BUILD_INPUTS], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "changed": []}
    if proc.returncode != 0:
        return {"commit": None, "changed": []}
    commit, changed = None, []
    for line in proc.stdout.splitlines():
        if line.startswith("# branch.oid "):
            oid = line.split()[-1]
            commit = oid if oid != "(initial)" else None
        elif line and not line.startswith("#"):
            changed.append(line.split()[-1])
    return {"commit": commit, "changed": sorted(changed)}


@functools.lru_cache(maxsize=None)
def lock_digest() -> str | None:
    """Hash requirements.lock, the locked environment (None if the checkout has none)."""
    try:
        return _sha((paths.ROOT / "requirements.lock").read_bytes())
    except OSError:
        return None


def edition_inputs() -> dict[str, Any]:
    """Return what an edition's colophon states besides its runs' inputs: a render input, never a run input."""
    return {"source": source_state(), "lock": lock_digest(),
            "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH") or None}


def chapter_stems(quarto_yml: Path | None = None) -> list[str] | None:
    """Return the notebook stems _quarto.yml lists, without importing the renderer; None if unreadable.

    Mirrors render.read_project().notebook_stems() (a test keeps the two in step).
    """
    try:
        cfg = safe_yaml.read(quarto_yml or paths.QUARTO_YML)
        chapters: list[str] = []
        for entry in cfg["book"]["chapters"]:
            chapters += entry.get("chapters", []) if isinstance(entry, dict) else [entry]
        return [Path(c).stem for c in chapters if str(c).endswith(".ipynb")]
    except Exception:  # noqa: BLE001 - the full validation reports what is wrong
        return None


def run_key(notebook: Path, parameters: dict[str, Any]) -> str:
    """Return the key of one (scenario, notebook) run."""
    scenario = str(parameters.get("scenario", ""))
    sfile = Path(scenario) if scenario.endswith((".yaml", ".yml")) else paths.scenario_file(scenario)
    if not sfile.is_file() or sfile.stat().st_size > safe_yaml.MAX_FILE_BYTES:
        raise ValueError(f"{sfile} is not a scenario file")  # never hash a pipe or a huge file
    parts = {
        "version": VERSION,
        "notebook": _sha(notebook.read_bytes()),
        "parameters": json.dumps(parameters, sort_keys=True, default=str),
        "scenario_file": _sha(sfile.read_bytes()),
        "data": data_digest(),
        "code": code_digest(),
        "deps": deps_digest(),
    }
    return _sha(json.dumps(parts, sort_keys=True).encode())


def render_key(run_keys: list[str], extra: dict[str, Any]) -> str:
    """Return the key of rendering one variant from the runs with these keys."""
    parts = {"version": VERSION, "runs": run_keys, "report": report_digest(), "code": code_digest(),
             "deps": deps_digest(), "data": data_digest(), "scenarios": scenarios_digest(),
             "edition": edition_inputs(), **extra}
    return _sha(json.dumps(parts, sort_keys=True, default=str).encode())


# --- records ---------------------------------------------------------------------------------

def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _read(record: Path) -> dict[str, Any] | None:
    try:
        return json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_text(path: Path, text: str) -> None:
    """Write a file atomically: a reader sees the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_json(path: Path, obj: Any) -> None:
    """Write JSON atomically."""
    write_text(path, json.dumps(obj, sort_keys=True))


def run_record(output: Path) -> Path:
    return output.with_name(f".{output.stem}.key")


def run_is_fresh(output: Path, key: str) -> bool:
    """Return whether output was produced by a run with this key and is untouched since."""
    rec = _read(run_record(output))
    return bool(rec) and rec.get("key") == key and rec.get("stat") == _stat(output)


def record_run(output: Path, key: str) -> None:
    write_json(run_record(output), {"key": key, "stat": _stat(output)})


def forget_run(output: Path) -> None:
    run_record(output).unlink(missing_ok=True)


def render_record(variant_dir: Path) -> Path:
    return variant_dir / ".render.json"


def render_is_fresh(variant_dir: Path, key: str) -> bool:
    """Return whether this variant's published outputs were rendered with this key and are untouched."""
    rec = _read(render_record(variant_dir))
    if not rec or rec.get("key") != key or not rec.get("outputs"):
        return False
    return all(_stat(Path(p)) == s for p, s in rec["outputs"].items())


def record_render(variant_dir: Path, key: str, outputs: list[Path]) -> None:
    write_json(render_record(variant_dir), {"key": key, "outputs": {str(p): _stat(p) for p in outputs}})


def forget_render(variant_dir: Path) -> None:
    render_record(variant_dir).unlink(missing_ok=True)


def clear_digests() -> None:
    """Forget the digests computed in this process (tests change inputs between builds)."""
    for f in (code_digest, environment, deps_digest, data_digest, scenarios_digest, report_digest,
              source_state, lock_digest):
        f.cache_clear()
