"""The results store: each model result is computed once and reused by every notebook, edition and build.

`@stored` on a library function (risk.simulate, scenarios.headline, sensitivity.tornado, ...) looks
its result up in build/.results/ before computing it. The key is content-addressed: the function,
the library code and installed packages (cache.code_digest, deps_digest) and every argument whole
(an Assumptions or Scenario by all its validated values). A stored entry also lists what the
computation read besides its arguments (data tables by sha256, other scenarios' values, the list of
scenarios; analysis/reads.py); it is used only while each of those still reads the same, so a
changed data table or scenario file recomputes it.

A hit replays the computation's reads through the arguments, so the notebook run that asked records
them as if it had computed the result itself: caching never hides an input from the build's
decision to re-run a chapter. Notebooks need no change, and one run stand-alone (papermill, Jupyter)
uses the store too and computes what is missing. Entries are pickles written atomically; concurrent
kernels asking for the same result wait for the first to store it. The store is a cache: delete
build/.results (or build/) at any time; `prune()` keeps it under a size cap. Charts' static SVG and
the Vega JavaScript bundle are kept here too (`blob`), keyed by their spec and vl-convert version.
"""

from __future__ import annotations

import dataclasses
import fcntl
import functools
import hashlib
import inspect
import json
import os
import pickle
import time
from pathlib import Path
from typing import Any, Callable, TypeVar

from . import cache, paths, reads

F = TypeVar("F", bound=Callable[..., Any])
#: Bump when the layout of an entry changes.
VERSION = 1
#: Largest store kept by prune() (bytes); the least recently used entries go first.
MAX_BYTES = int(os.environ.get("TENGW_RESULTS_MAX_BYTES") or 2 * 2**30)
#: Statistics of this process, for tests and the bench: hits, misses, and blobs served.
STATS = {"hits": 0, "misses": 0, "blob_hits": 0, "blob_misses": 0}


def root() -> Path:
    return paths.BUILD / ".results"


def enabled() -> bool:
    return os.environ.get("TENGW_RESULTS", "on") != "off"


class _Unstorable(Exception):
    """An argument the store cannot key (a DataFrame, an array): the function is simply called."""


def _canonical(value: Any) -> Any:
    """Return an argument as JSON-able data that identifies it: tracked objects by all their values
    (read unrecorded), arrays and tables by a hash of their contents, dataclasses field by field."""
    from .assumptions import Assumptions, Scenario

    if isinstance(value, (Assumptions, Scenario)):
        with reads.paused():
            return {"type": type(value).__name__, "values": value.model_dump(mode="json")}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [_canonical(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _canonical(v) for k, v in sorted(value.items())}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"dataclass": type(value).__qualname__,
                "fields": {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    import numpy as np
    import pandas as pd

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.dtype != object:
        return {"ndarray": str(value.dtype), "shape": list(value.shape),
                "sha256": hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()}
    if isinstance(value, (pd.DataFrame, pd.Series)):
        try:
            rows = pd.util.hash_pandas_object(value, index=True).to_numpy()
        except TypeError:  # cells that cannot be hashed (lists): not keyable
            raise _Unstorable(type(value).__name__) from None
        frame = value if isinstance(value, pd.DataFrame) else value.to_frame()
        return {"frame": [str(c) for c in frame.columns], "dtypes": [str(d) for d in frame.dtypes],
                "sha256": hashlib.sha256(rows.tobytes()).hexdigest()}
    raise _Unstorable(type(value).__name__)


def _path(name: str, key: str) -> Path:
    return root() / name / f"{key}.pkl"


def _load(path: Path) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as f:
            entry = pickle.load(f)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
        return None
    return entry if isinstance(entry, dict) and entry.get("version") == VERSION else None


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class _Lock:
    """An flock beside an entry while it is computed, so two kernels do not compute it twice.
    Gives up waiting after `timeout` seconds and computes anyway (never a deadlock)."""

    def __init__(self, path: Path, timeout: float = 300.0):
        self.path, self.timeout, self.fd = path.with_suffix(".lock"), timeout, None

    def __enter__(self) -> "_Lock":
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return self
        end = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() > end:
                    return self
                time.sleep(0.02)

    def __exit__(self, *exc: Any) -> None:
        if self.fd is not None:
            os.close(self.fd)


def _still_valid(entry: dict[str, Any]) -> bool:
    """Whether everything the computation read besides its arguments still reads the same."""
    trace = entry["reads"]
    if trace.get("tables"):
        from . import data

        current = data._digests(data._stamp())
        if any(current.get(t) != sha for t, sha in trace["tables"].items()):
            return False
    if trace.get("scenario_list") is not None and trace["scenario_list"] != paths.list_scenarios():
        return False
    if trace.get("untracked") != cache.untracked_digest(trace.get("declared"), fresh=True):
        return False
    return cache.values_match(trace, None)


def _replay(entry: dict[str, Any], arguments: dict[str, Any]) -> None:
    """Report the stored computation's reads to the active recorders, as if it had just run."""
    if not reads.ACTIVE:
        return
    trace = entry["reads"]
    for pname, fields in trace.get("arg_reads", {}).items():
        obj = arguments.get(pname)
        for path in fields:
            target = obj
            for part in path.split("."):
                target = reads.value_of(target, part)
    for kind, table in (("assumptions", trace.get("reads", {})), ("scenario", trace.get("meta", {}))):
        for origin, values in table.items():
            for field, value in values.items():
                reads.note(origin, kind, field, value)
    for name, sha in trace.get("tables", {}).items():
        reads.note_table(name, sha, trace.get("table_files", {}).get(name, f"data/{name}.csv"))
    if trace.get("scenario_list") is not None:
        reads.note_list(trace["scenario_list"])


def stored(fn: F) -> F:
    """Serve fn's result from the results store when it was computed before from the same inputs."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    sig = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not enabled():
            return fn(*args, **kwargs)
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        try:
            canonical = {k: _canonical(v) for k, v in bound.arguments.items()}
        except _Unstorable:
            return fn(*args, **kwargs)
        key = hashlib.sha256(json.dumps(
            {"version": VERSION, "function": name, "code": cache.code_digest(), "deps": cache.deps_digest(),
             "arguments": canonical}, sort_keys=True, default=str).encode()).hexdigest()
        path = _path(name, key)
        entry = _load(path)
        if entry is None or not _still_valid(entry):
            with _Lock(path):
                entry = _load(path)  # another kernel may have stored it while this one waited
                if entry is None or not _still_valid(entry):
                    STATS["misses"] += 1
                    return _compute(fn, path, bound, args, kwargs, keep=not _nested())
        STATS["hits"] += 1
        _replay(entry, bound.arguments)
        try:
            os.utime(path)  # recently used: prune() keeps it
        except OSError:
            pass
        return entry["result"]

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _nested() -> bool:
    """Whether a stored computation is running already: its own entry will hold what this one gives.

    Such inner results (the eight Monte Carlo runs of risk.judgement, ~50 MB each, or the one inside
    scenarios.headline) are looked up but not written: writing them cost more than reusing them saved."""
    return any(isinstance(r, reads.StoreRecorder) for r in reads._stack)


def _compute(fn: Callable[..., Any], path: Path, bound: inspect.BoundArguments, args: tuple, kwargs: dict,
             keep: bool = True) -> Any:
    """Call fn while recording what it reads, store the result with that record (unless not `keep`),
    return it."""
    rec = reads.push(reads.StoreRecorder(dict(bound.arguments)))
    try:
        result = fn(*args, **kwargs)
    finally:
        reads.pop(rec)
    if not keep:
        return result
    trace = {**rec.export(), "declared": reads.declared_files()}
    trace["untracked"] = cache.untracked_digest(trace["declared"], fresh=True)
    try:
        _write_atomic(path, pickle.dumps({"version": VERSION, "reads": trace, "result": result},
                                         protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # a result that cannot be stored is still returned
    return result


# --- blobs: derived files keyed by their own content (chart SVG, the Vega bundle) ------------------

def _blob_path(kind: str, key_parts: Any, suffix: str) -> Path:
    key = hashlib.sha256(json.dumps(key_parts, sort_keys=True, default=str).encode()).hexdigest()
    return root() / kind / key[:2] / f"{key}{suffix}"


def lookup(kind: str, key_parts: Any, suffix: str = ".txt") -> str | None:
    """Return the text stored under key_parts, or None (read only: nothing is written)."""
    if not enabled():
        return None
    try:
        text = _blob_path(kind, key_parts, suffix).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        STATS["blob_misses"] += 1
        return None
    STATS["blob_hits"] += 1
    return text


def keep(kind: str, key_parts: Any, text: str, suffix: str = ".txt") -> None:
    """Store text under key_parts (best effort: a store that cannot be written is no error)."""
    if enabled():
        try:
            _write_atomic(_blob_path(kind, key_parts, suffix), text.encode("utf-8"))
        except OSError:
            pass


def blob(kind: str, key_parts: Any, make: Callable[[], str], suffix: str = ".txt") -> str:
    """Return make()'s text, stored under a key of key_parts, computing it only the first time."""
    text = lookup(kind, key_parts, suffix)
    if text is None:
        text = make()
        keep(kind, key_parts, text, suffix)
    return text


def prune(max_bytes: int = MAX_BYTES) -> int:
    """Delete the least recently used entries until the store holds at most max_bytes; return bytes freed."""
    base = root()
    if not base.is_dir():
        return 0
    files = []
    for p in base.rglob("*"):
        if p.suffix == ".lock" and not p.with_suffix(".pkl").exists():
            p.unlink(missing_ok=True)  # the lock of an entry already pruned
        elif p.is_file() and p.suffix != ".lock":
            try:
                st = p.stat()
            except OSError:
                continue
            files.append((st.st_mtime, st.st_size, p))
    total = sum(size for _, size, _ in files)
    freed = 0
    for _, size, p in sorted(files):
        if total - freed <= max_bytes:
            break
        p.unlink(missing_ok=True)
        freed += size
    return freed
