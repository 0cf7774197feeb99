"""The results store: each model result is computed once and reused by every notebook, edition and build.

`@stored` on a library function (risk.simulate, scenarios.headline, sensitivity.tornado, ...) looks
its result up in build/.results/ before computing it. The key is content-addressed in two steps. A
family holds the function, the library code and installed packages (cache.code_digest, deps_digest)
and every argument that is not an Assumptions or Scenario, whole. Within a family, an entry is the
result of one computation with the values it read from its Assumptions or Scenario arguments (field
by field, recorded as it ran) and what it read besides them (data tables by sha256, other scenarios'
values, the list of scenarios; analysis/reads.py); it serves a call whose arguments give each of
those reads the same value. This is sound for the reason a notebook run's read set is
(analysis/reads.py): the computation is deterministic and its inputs arrive only through those reads,
so a call that would read the same values takes the same path and returns the same result; an
assumption it never read (the electricity price, for a Monte Carlo of gigawatts) cannot change it.

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
#: The entries the current notebook run asked for (not those inside another stored computation):
#: entry id -> seconds its computation took. A run's record keeps them (reads.finish), so the build can
#: put runs that need the same costly result on one kernel, one after the other (build.chains).
USED: dict[str, float] = {}


def root() -> Path:
    return paths.BUILD / ".results"


def enabled() -> bool:
    return os.environ.get("TENGW_RESULTS", "on") != "off"


class _Unstorable(Exception):
    """An argument the store cannot key (a DataFrame, an array): the function is simply called."""


def _canonical(value: Any, top: bool = False) -> Any:
    """Return an argument as JSON-able data that identifies it: arrays and tables by a hash of their
    contents, dataclasses field by field, tracked objects by all their values (read unrecorded); a
    tracked object passed as an argument itself (`top`) only by its type, since the values the
    computation reads from it select the entry within the family."""
    from .assumptions import Assumptions, Scenario

    if isinstance(value, (Assumptions, Scenario)):
        if top:
            return {"type": type(value).__name__, "keyed": "by the values read"}
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


def _family(name: str, key: str) -> Path:
    return root() / name / key


def _load(path: Path) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as f:
            entry = pickle.load(f)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
        return None
    return entry if isinstance(entry, dict) and entry.get("version") == VERSION else None


def _arg_value(obj: Any, path: str) -> Any:
    """Read one recorded field of an argument again (a dotted path: "assumptions.pue"), unrecorded."""
    with reads.paused():
        for part in path.split("."):
            obj = reads.value_of(obj, part)
        return reads.jsonable(obj)


def _arg_values(arg_reads: dict[str, list[str]], arguments: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p: {path: _arg_value(arguments[p], path) for path in paths_} for p, paths_ in sorted(arg_reads.items())}


def _find(family: Path, arguments: dict[str, Any]) -> tuple[Path, dict[str, Any]] | None:
    """Return the entry of a family whose recorded reads the arguments and the project still give
    (its result file and its record), newest first, or None."""
    try:
        records = sorted(family.glob("*.rec"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return None
    for rec_path in records:
        try:
            trace = json.loads(rec_path.read_text(encoding="utf-8"))
            if trace.get("version") != VERSION:
                continue
            if any(_arg_value(arguments[p], path) != value
                   for p, fields in trace["arg_values"].items() for path, value in fields.items()):
                continue
        except (OSError, ValueError, KeyError, AttributeError, TypeError):
            continue  # a record written by other code, or a read the arguments cannot give: no match
        if _still_valid(trace):
            return rec_path.with_suffix(".pkl"), trace
    return None


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


def _still_valid(trace: dict[str, Any]) -> bool:
    """Whether everything the computation read besides its arguments still reads the same."""
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


def _replay(trace: dict[str, Any], arguments: dict[str, Any]) -> None:
    """Report the stored computation's reads to the active recorders, as if it had just run."""
    if not reads.ACTIVE:
        return
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
            canonical = {k: _canonical(v, top=True) for k, v in bound.arguments.items()}
        except _Unstorable:
            return fn(*args, **kwargs)
        key = hashlib.sha256(json.dumps(
            {"version": VERSION, "function": name, "code": cache.code_digest(), "deps": cache.deps_digest(),
             "arguments": canonical}, sort_keys=True, default=str).encode()).hexdigest()
        family = _family(name, key)
        found = _find(family, bound.arguments)
        entry = _load(found[0]) if found is not None else None
        if entry is None:
            with _Lock(family):
                found = _find(family, bound.arguments)  # another kernel may have stored it meanwhile
                entry = _load(found[0]) if found is not None else None
                if entry is None:
                    STATS["misses"] += 1
                    return _compute(fn, family, bound, args, kwargs, keep=not _nested())
        STATS["hits"] += 1
        _replay(found[1], bound.arguments)
        if not _nested():
            USED[_entry_id(found[0])] = float(found[1].get("seconds") or 0.0)
        try:
            os.utime(found[0])  # recently used: prune() keeps it
        except OSError:
            pass
        return entry["result"]

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _entry_id(result_path: Path) -> str:
    """Return an entry's name in the store: function/family/variant."""
    return "/".join(result_path.with_suffix("").parts[-3:])


def take_used() -> dict[str, float]:
    """Return and forget the entries asked for since the last call (one notebook run's)."""
    used = dict(USED)
    USED.clear()
    return used


def _nested() -> bool:
    """Whether a stored computation is running already: its own entry will hold what this one gives.

    Such inner results (the eight Monte Carlo runs of risk.judgement, ~50 MB each, or the one inside
    scenarios.headline) are looked up but not written: writing them cost more than reusing them saved."""
    return any(isinstance(r, reads.StoreRecorder) for r in reads._stack)


def _compute(fn: Callable[..., Any], family: Path, bound: inspect.BoundArguments, args: tuple, kwargs: dict,
             keep: bool = True) -> Any:
    """Call fn while recording what it reads, store the result with that record and the values it read
    from its tracked arguments (unless not `keep`), return it."""
    rec = reads.push(reads.StoreRecorder(dict(bound.arguments)))
    t0 = time.perf_counter()
    try:
        result = fn(*args, **kwargs)
    finally:
        reads.pop(rec)
    seconds = time.perf_counter() - t0
    if not keep:
        return result
    trace = {**rec.export(), "declared": reads.declared_files(), "version": VERSION}
    trace["untracked"] = cache.untracked_digest(trace["declared"], fresh=True)
    trace["arg_values"] = _arg_values(trace["arg_reads"], bound.arguments)
    variant = hashlib.sha256(json.dumps(trace, sort_keys=True, default=str).encode()).hexdigest()
    trace["seconds"] = round(seconds, 3)  # not part of the entry's identity
    USED[_entry_id(family / f"{variant}.pkl")] = trace["seconds"]
    try:
        # The result first, then its record: a record is never seen without its result.
        _write_atomic(family / f"{variant}.pkl", pickle.dumps({"version": VERSION, "result": result},
                                                              protocol=pickle.HIGHEST_PROTOCOL))
        _write_atomic(family / f"{variant}.rec", json.dumps(trace, sort_keys=True, default=str).encode())
    except (OSError, pickle.PicklingError, TypeError, AttributeError, ValueError):
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


def of_data(kind: str, make: Callable[[], str], suffix: str = ".txt") -> str:
    """Return make()'s text, for text the library derives from the data files alone (the data date,
    the sources' citation texts): stored under the data files' and the code's digests."""
    return blob(kind, {"data": cache.data_digest(), "code": cache.code_digest()}, make, suffix)


def prune(max_bytes: int = MAX_BYTES) -> int:
    """Delete the least recently used entries until the store holds at most max_bytes; return bytes freed.

    A result and its record (.pkl, .rec: JSON) go together; a record without its result goes at once."""
    base = root()
    if not base.is_dir():
        return 0
    files = []
    for p in base.rglob("*"):
        if p.suffix == ".lock":
            if not p.with_suffix("").is_dir():
                p.unlink(missing_ok=True)  # the lock of a family already pruned
        elif p.suffix == ".rec":
            if not p.with_suffix(".pkl").exists():
                p.unlink(missing_ok=True)
        elif p.is_file():
            try:
                st = p.stat()
            except OSError:
                continue
            record = p.with_suffix(".rec") if p.suffix == ".pkl" else None
            size = st.st_size + (record.stat().st_size if record is not None and record.exists() else 0)
            files.append((st.st_mtime, size, p, record))
    total = sum(size for _, size, _, _ in files)
    freed = 0
    for _, size, p, record in sorted(files, key=lambda f: f[:2]):
        if total - freed <= max_bytes:
            break
        if record is not None:
            record.unlink(missing_ok=True)
        p.unlink(missing_ok=True)
        freed += size
    return freed
