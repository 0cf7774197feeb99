"""Content-addressed build cache: skip a run, or a render, whose inputs read the same as last time.

A run's key is what it read (analysis/reads.py explains why that is sound): its notebook, the
library code and installed packages, and the read set the run recorded in its kernel, with values:
the assumption values and scenario texts it read (its own scenario under "self"), the data tables it
read (sha256) and the list of scenarios if it read it. A change to an assumption a chapter never
reads does not re-run that chapter; an edit to one scenario file re-runs, in every edition, the
chapters that show that scenario's values (summary, scenario comparison, appendix). The parameters
(scenario, overrides) are part of the key only when the notebook uses them for more than
assumptions.resolve()/load(); otherwise a variant built with --set reuses the executed chapter of any
edition whose recorded reads give the same values under the variant's own scenario (the copy's
injected-parameters cell is rewritten; the renderer ignores that cell).

Deciding is cheap when nothing changed: a record also lists the files behind its reads (scenario
files, data tables) with their sha256, and the run's parameters; if all are the same the run is
fresh, decided from hashes alone without importing pydantic, pandas, papermill or Altair. Only when
a file differs are the recorded values compared with the values the current files give.

A render's key hashes the keys of the runs it reads, the report sources (_quarto.yml, *.qmd), the
code and the scenario titles, and what each edition's colophon states besides those: the git commit
and whether the tree was modified, the lock file, and a fixed build date if SOURCE_DATE_EPOCH sets
one. So a new commit re-renders every edition (its colophon names the commit) but re-executes no
notebook whose inputs did not change. The colophon (analysis/colophon.py) prints these same digests.
Records sit beside the executed notebooks (build/<variant>/.<stem>.key, .render.json) with the size
and mtime of the file they vouch for, so a file edited or deleted by hand is rebuilt.

This module imports nothing heavy at import time.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
import platform
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterable

from . import paths, reads, safe_yaml

#: Bump when the meaning of a key changes, so old records stop matching.
VERSION = 3
#: Largest file the cache hashes to decide freshness (scenario files are far smaller; data tables too).
MAX_HASHED_BYTES = 64 * 2**20
#: Folders under report/ that the build writes, so they are not inputs of a render.
#: (The chapter notebooks the Quarto path stages beside _quarto.yml, and Quarto's <stem>_files/, too.)
REPORT_GENERATED = {"_output", ".quarto", "_vega.html", "_edition.yml", "_edition.html"}


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
    def staged(f: Path) -> bool:  # a chapter notebook the Quarto path staged, or Quarto's figures for it
        top = f.relative_to(paths.REPORT).parts[0]
        return (f.parent == paths.REPORT and f.suffix == ".ipynb") or top.endswith("_files")
    return _digest_files([f for f in _tree(paths.REPORT, REPORT_GENERATED) if not staged(f)], paths.REPORT)


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


#: Names a notebook's parameters cell defines; a clean notebook passes them only to these functions.
PARAMETERS = ("scenario", "overrides")
RESOLVERS = ("resolve", "load")


@functools.lru_cache(maxsize=64)
def _parameters_only_to_resolve(source: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in RESOLVERS:
                allowed |= {id(a) for a in node.args if isinstance(a, ast.Name)}
                allowed |= {id(k.value) for k in node.keywords if isinstance(k.value, ast.Name)}
    return all(id(n) in allowed for n in ast.walk(tree)
               if isinstance(n, ast.Name) and n.id in PARAMETERS) and not any(
        isinstance(n, (ast.Global, ast.Nonlocal)) or (isinstance(n, ast.Call) and getattr(n.func, "id", "") in
                                                      ("eval", "exec", "globals", "locals", "vars"))
        for n in ast.walk(tree))


def uses_parameters_only_to_resolve(notebook_bytes: bytes) -> bool:
    """Whether the notebook's code reads `scenario` and `overrides` only as arguments of
    assumptions.resolve()/load(): then they reach the run only through the recorded reads."""
    try:
        cells = json.loads(notebook_bytes)["cells"]
    except (ValueError, KeyError, TypeError):
        return False
    code = []
    for c in cells:
        if c.get("cell_type") != "code" or "parameters" in (c.get("metadata", {}).get("tags") or []):
            continue
        src = c.get("source", "")
        lines = ("".join(src) if isinstance(src, list) else str(src)).splitlines()
        code.append("\n".join(ln for ln in lines if not ln.lstrip().startswith(("%", "!"))))
    return _parameters_only_to_resolve("\n".join(code))


def static_inputs(notebook: Path, parameters: dict[str, Any]) -> dict[str, Any]:
    """Return what keys a run besides its reads: notebook, code, packages, and the parameters if needed."""
    nb = notebook.read_bytes()
    return {"version": VERSION, "notebook": _sha(nb), "code": code_digest(), "deps": deps_digest(),
            "parameters": None if uses_parameters_only_to_resolve(nb) else _params(parameters)}


def _params(parameters: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(parameters, sort_keys=True, default=str))


def check_scenario_parameter(parameters: dict[str, Any]) -> None:
    """Raise ValueError unless the run's scenario is a readable regular file of sane size."""
    scenario = str(parameters.get("scenario", ""))
    sfile = Path(scenario) if scenario.endswith((".yaml", ".yml")) else paths.scenario_file(scenario)
    if not sfile.is_file() or sfile.stat().st_size > safe_yaml.MAX_FILE_BYTES:
        raise ValueError(f"{sfile} is not a scenario file")  # never hash a pipe or a huge file


def trace_key(static: dict[str, Any], trace: dict[str, Any]) -> str:
    """Return a run's key: its static inputs and its read set with values."""
    parts = {"static": static, **{k: trace.get(k) for k in ("reads", "meta", "tables", "scenario_list")},
             "untracked": untracked_digest(trace.get("declared"))}
    return _sha(json.dumps(parts, sort_keys=True, separators=(",", ":")).encode())


def _file_sha(path: str) -> str | None:
    """Return the sha256 of a regular file of sane size (None for anything else: never read a pipe)."""
    p = Path(path) if Path(path).is_absolute() else paths.ROOT / path
    try:
        st = p.stat()
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_HASHED_BYTES:
        return None
    return _file_sha_cached(str(p), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=512)
def _file_sha_cached(path: str, size: int, mtime: int) -> str | None:
    try:
        return _sha(Path(path).read_bytes())
    except OSError:
        return None


def untracked_digest(declared: list[str] | None, fresh: bool = False) -> str:
    """Hash every file under data/ that is neither a scenario nor a table the loader reads (declared):
    files code may read directly, which therefore key a run as a whole (reads.py).

    The build process computes it once (fresh=False); a kernel, which may live through edits to the
    data (JupyterLab), hashes anew (fresh=True)."""
    key = tuple(sorted(declared or ()))
    return _untracked_digest.__wrapped__(key) if fresh else _untracked_digest(key)


@functools.lru_cache(maxsize=8)
def _untracked_digest(declared: tuple[str, ...]) -> str:
    """untracked_digest, once per process: a plan asks for every run (walking data/ took half of a
    no-change build); clear_digests() forgets it where a test edits data between builds."""
    skip = set(declared)
    h = hashlib.sha256()
    for f in sorted(_tree(paths.DATA)):
        rel = str(f.relative_to(paths.ROOT)) if paths.ROOT in f.parents else str(f)
        if paths.SCENARIOS in f.parents or rel in skip:
            continue
        h.update(rel.encode() + b"\0" + str(_file_sha(str(f))).encode())
    return h.hexdigest()


def _data_path(path: str) -> bool:
    return path.startswith("data/") and not path.startswith("data/scenarios/")


@functools.lru_cache(maxsize=256)
def _resolve(scenario: str, overrides_json: str, name: str | None, stamp: tuple) -> Any:
    from . import assumptions

    with reads.paused():
        return assumptions.resolve(scenario, json.loads(overrides_json), name=name)


def _scenario_stamp(scenario: str) -> tuple:
    f = Path(scenario) if scenario.endswith((".yaml", ".yml")) else paths.scenario_file(scenario)
    try:
        st = f.stat()
    except OSError:
        return (str(f), None)
    return (str(f), st.st_size, st.st_mtime_ns, tuple(paths.list_scenarios()))


def values_match(trace: dict[str, Any], parameters: dict[str, Any] | None) -> bool:
    """Whether every assumption value and scenario text the trace recorded reads the same now.

    "self" is the run's own scenario: resolve(parameters). Any origin that no longer resolves
    (file gone, invalid) does not match."""
    for kind in ("reads", "meta"):
        for origin, values in (trace.get(kind) or {}).items():
            if origin == "self":
                if parameters is None:
                    return False
                scenario, overrides, name = str(parameters.get("scenario", "")), parameters.get("overrides") or {}, None
            else:
                scenario, overrides, name = json.loads(origin)
            try:
                sc = _resolve(scenario, json.dumps(overrides, sort_keys=True, default=str), name,
                              _scenario_stamp(scenario))
            except Exception:  # noqa: BLE001 - unknown, unreadable or invalid now: not the same values
                return False
            obj = sc.assumptions if kind == "reads" else sc
            with reads.paused():
                for field, value in values.items():
                    try:
                        if reads.jsonable(reads.value_of(obj, field)) != value:
                            return False
                    except AttributeError:
                        return False
    return True


def _files_now(trace: dict[str, Any], parameters: dict[str, Any]) -> dict[str, str | None]:
    """Return the sha256 now of every file behind the trace's reads, the run's own scenario file included."""
    files = {f: _file_sha(f) for f in trace.get("files") or {}}
    if "self" in (trace.get("reads") or {}) or "self" in (trace.get("meta") or {}):
        origin = reads.origin_key(parameters.get("scenario", ""), parameters.get("overrides") or {})
        scenario = json.loads(origin)[0]
        f = Path(scenario) if scenario.endswith((".yaml", ".yml")) else paths.scenario_file(scenario)
        rel = str(f.resolve().relative_to(paths.ROOT)) if paths.ROOT in f.resolve().parents else str(f.resolve())
        files[rel] = _file_sha(rel)
    return files


def run_state(output: Path, notebook: Path, parameters: dict[str, Any], record: dict[str, Any] | None = None,
              quick_only: bool = False) -> str | None:
    """Return the run key if output's record still holds for these parameters, else None.

    First from hashes alone (the same parameters and the same files behind every read); failing that
    (unless quick_only), by comparing the recorded values with what the current files give."""
    rec = _read(run_record(output)) if record is None else record
    if not rec or rec.get("version") != VERSION or rec.get("stat") != _stat(output) or "trace" not in rec:
        return None
    static = static_inputs(notebook, parameters)
    recorded = dict(rec["static"])
    if recorded.get("parameters") is not None and static["parameters"] is None:
        static["parameters"] = _params(parameters)  # recorded when unclean: keep comparing them
    if recorded != static:
        return None
    trace = rec["trace"]
    if trace.get("scenario_list") is not None and trace["scenario_list"] != paths.list_scenarios():
        return None
    if rec.get("untracked") != untracked_digest(trace.get("declared")):
        return None
    if rec.get("parameters") == _params(parameters) and rec.get("files") == _files_now(trace, parameters):
        return rec["key"]
    if quick_only:
        return None
    if any(_file_sha(f) != sha for f, sha in (trace.get("files") or {}).items() if _data_path(f)):
        return None
    return rec["key"] if values_match(trace, parameters) else None


def run_key(notebook: Path, parameters: dict[str, Any]) -> str:
    """Return the static part of a run's key (notebook, code, packages, parameters if they key it).

    The full key (trace_key) is known once the run has recorded what it read."""
    check_scenario_parameter(parameters)
    return _sha(json.dumps(static_inputs(notebook, parameters), sort_keys=True).encode())


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


def run_is_fresh(output: Path, notebook: Path, parameters: dict[str, Any]) -> bool:
    """Return whether output was produced by a run whose reads still hold and is untouched since."""
    return run_state(output, notebook, parameters) is not None


def recorded_key(output: Path) -> str | None:
    """Return the key in output's record if the record vouches for the file as it is."""
    rec = _read(run_record(output))
    return rec["key"] if rec and rec.get("stat") == _stat(output) and "key" in rec else None


def record_run(output: Path, notebook: Path, parameters: dict[str, Any], trace: dict[str, Any],
               seconds: float | None = None) -> str:
    """Record what the run that wrote output read (and how long it took); return its key."""
    static = static_inputs(notebook, parameters)
    key = trace_key(static, trace)
    write_json(run_record(output), {"version": VERSION, "key": key, "stat": _stat(output), "static": static,
                                    "trace": trace, "parameters": _params(parameters),
                                    "files": _files_now(trace, parameters), "seconds": seconds,
                                    "untracked": untracked_digest(trace.get("declared"))})
    return key


def expected_seconds(stem: str) -> float | None:
    """Return the longest time a run of this chapter took in any variant in build/ (None if never run)."""
    times = [rec.get("seconds") for rec in map(_read, paths.BUILD.glob(f"*/.{stem}.key")) if rec]
    times = [t for t in times if isinstance(t, (int, float))]
    return max(times) if times else None


def shared_results(min_seconds: float) -> set[frozenset[str]]:
    """Return the pairs of chapters whose runs of one edition asked the results store for the same
    entry that took at least min_seconds to compute (as recorded by the last runs in build/)."""
    users: dict[tuple[str, str], set[str]] = {}  # (edition folder, entry) -> chapters
    for rec_path in paths.BUILD.glob("*/.*.key"):
        rec = _read(rec_path)
        used = (rec or {}).get("trace", {}).get("results") or {}
        stem = rec_path.name[1:-len(".key")]
        for entry, seconds in used.items():
            if isinstance(seconds, (int, float)) and seconds >= min_seconds:
                users.setdefault((rec_path.parent.name, entry), set()).add(stem)
    return {frozenset((a, b)) for stems in users.values() for a in stems for b in stems if a < b}


def refresh_run(output: Path, notebook: Path, parameters: dict[str, Any], record: dict[str, Any]) -> None:
    """Re-record a run whose reads were found to hold under these parameters (new files or a copy)."""
    trace = record["trace"]
    write_json(run_record(output), {**record, "version": VERSION, "stat": _stat(output),
                                    "static": static_inputs(notebook, parameters),
                                    "parameters": _params(parameters), "files": _files_now(trace, parameters)})


def donors(stem: str, exclude: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Return every other executed copy of this chapter in build/ with its record (candidates for reuse)."""
    out = []
    for rec_path in sorted(paths.BUILD.glob(f"*/.{stem}.key")):
        output = rec_path.with_name(f"{stem}.ipynb")
        if output == exclude:
            continue
        rec = _read(rec_path)
        if rec and rec.get("stat") == _stat(output):
            out.append((output, rec))
    return out


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
              source_state, lock_digest, _resolve, _file_sha_cached, _untracked_digest):
        f.cache_clear()
