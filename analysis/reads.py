"""What a notebook run reads: assumption values, scenario titles, data tables, the list of scenarios.

A build re-executes a chapter only when something it read has changed (analysis/cache.py). For that
every channel through which an input reaches a notebook reports here while a recorder is active:

- assumption values and scenario metadata (name, title, description): attribute reads on the
  Assumptions and Scenario objects that assumptions.resolve() returns (hooks in analysis/assumptions.py);
- data tables: data.table() (and everything built on it: fact(), platforms());
- the list of scenarios: paths.scenario_names();
- any other file under data/ (map shapes, ...), which code may read directly: not tracked one by
  one, so every run is keyed by all of them together (cache.untracked_digest);
- the notebook's own parameters, which a notebook may only pass to assumptions.resolve()/load()
  (cache.uses_parameters_only_to_resolve() checks the source; otherwise the parameters key the run).

Why the read set, with its values, is a sound cache key: a run is a deterministic program (seeded
random numbers, no clock) whose inputs arrive only through the channels above, besides its own
source, the library code and the installed packages, which key every run. Re-run it on new inputs:
up to its first read it does exactly what it did before; if that read returns the value recorded
last time it goes on identically to the next read, and so on, by induction, to the end. So when
every recorded read returns its recorded value, the run reads nothing else, takes the same path and
produces the same outputs; an input it never read cannot change them.

Values derived by code are not inputs: a copy made with model_copy(update=...) reports its other
fields as reads of the original and its updated fields not at all. Anything that reads the object
whole (model_dump, ==, hash, repr, copy, pickle: every access to __dict__) reads every field.
Recording costs one flag test per attribute access when no recorder is active; only build kernels
and results-store computations activate one. This module imports nothing heavy.
"""

from __future__ import annotations

import json
import weakref
from typing import Any

#: Whether any recorder listens; the hooks test this flag first.
ACTIVE = False
_stack: list["Recorder"] = []
_paused = 0


class Info:
    """Where a tracked object's values come from: a resolved scenario, or a copy of another object."""

    __slots__ = ("origin", "kind", "parent", "masked", "scenario", "__weakref__")

    def __init__(self, origin: str | None, kind: str, parent: "Info | None" = None,
                 masked: frozenset[str] = frozenset(), scenario: "Info | None" = None):
        self.origin = origin  # JSON [scenario, overrides, name] of the resolve() call; None: untracked values
        self.kind = kind  # "assumptions" or "scenario"
        self.parent = parent  # the object this one was copied from
        self.masked = masked  # fields the copy replaced (derived values, not reads of the parent)
        self.scenario = scenario  # for the assumptions of a resolved scenario: that scenario's Info


_info: dict[int, Info] = {}


def info(obj: Any) -> Info | None:
    return _info.get(id(obj))


def _attach(obj: Any, inf: Info) -> Info:
    key = id(obj)
    _info[key] = inf
    weakref.finalize(obj, _info.pop, key, None)
    return inf


def origin_key(scenario: Any, overrides: dict[str, Any] | None, name: str | None = None) -> str:
    """Return the canonical text of a resolve() call's arguments: the origin of what it returns."""
    return json.dumps([str(scenario), overrides or {}, name], sort_keys=True, default=str, separators=(",", ":"))


def tag(scenario_obj: Any, origin: str, file: tuple[str, str] | None = None) -> None:
    """Mark a resolved Scenario and its Assumptions as read from `origin` (file: path and sha256 read)."""
    s = _attach(scenario_obj, Info(origin, "scenario"))
    _attach(object.__getattribute__(scenario_obj, "__dict__")["assumptions"], Info(origin, "assumptions", scenario=s))
    if file is not None:
        FILES[origin] = file


#: Prefix of a synthetic field: the citation of one assumption (Scenario.citation), which depends only on
#: that assumption's entries in `sources` and `reader_set` (cache.values_match recomputes it).
CITATION = "citation:"
#: Replacing either of these in a copy changes every citation the copy gives.
_CITATION_INPUTS = frozenset({"sources", "reader_set"})


def value_of(obj: Any, field: str) -> Any:
    """Read one recorded field of an assumptions or scenario object again, as it was recorded (a
    synthetic citation field gives the citation's dump, as Scenario.citation records it)."""
    if field.startswith(CITATION):
        return obj.citation(field[len(CITATION):]).model_dump()
    return getattr(obj, field)

#: origin -> (scenario file, sha256 of the bytes resolve() read), for the build's fast freshness check.
FILES: dict[str, tuple[str, str]] = {}


def derive(new: Any, old: Any, masked: set[str] | frozenset[str], kind: str) -> None:
    """Record that `new` is a copy of `old` with the fields in `masked` replaced."""
    parent = info(old) or _attach(old, Info(None, kind))
    _attach(new, Info(None, kind, parent=parent, masked=frozenset(masked)))


class paused:
    """Context manager: reads made inside are not recorded (the library's own bookkeeping)."""

    def __enter__(self) -> None:
        global _paused
        _paused += 1

    def __exit__(self, *exc: Any) -> None:
        global _paused
        _paused -= 1


def jsonable(value: Any) -> Any:
    """Return a value as JSON would hold it (tuples as lists), so recorded and current values compare."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    return json.loads(json.dumps(value, default=str))


def on_attr(obj: Any, name: str, value: Any, fields: tuple[str, ...], nested: tuple[str, ...] = ()) -> None:
    """Hook of Assumptions/Scenario.__getattribute__ (called only when ACTIVE): report a read.

    `nested` names fields holding another tracked object (a Scenario's assumptions): handing that
    object out is not a read of a value; reading the outer object whole reads the inner one whole."""
    if _paused:
        return
    if name == "__dict__":  # the object read whole: every field
        with paused():
            items = [(f, value[f]) for f in fields if f in value]
        for f, v in items:
            if f in nested:
                on_attr(v, "__dict__", object.__getattribute__(v, "__dict__"), tuple(type(v).model_fields))
            else:
                _report(obj, f, v)
    elif name not in nested:
        _report(obj, name, value)


def _report(obj: Any, field: str, value: Any) -> None:
    for r in list(_stack):
        r.attr(obj, field, value)


def _root(obj: Any, field: str, stop: dict[int, Any] | None = None) -> tuple[Info | None, Any]:
    """Follow copies from obj back to the object its `field` was read from.

    Returns (None, None) when a copy replaced the field (a derived value), (info, name) when the walk
    reached an Info in `stop` (by id), else (root info or None, None)."""
    inf = info(obj)
    while inf is not None:
        if field in inf.masked or (field.startswith(CITATION) and inf.masked & _CITATION_INPUTS):
            return None, None
        if inf.parent is None:
            break
        inf = inf.parent
        if stop and id(inf) in stop:
            return inf, stop[id(inf)]
    return inf, None


def note(origin: str, kind: str, field: str, value: Any) -> None:
    """Report a read of one value of a resolved scenario (used when a stored result replays its reads)."""
    if ACTIVE and not _paused:
        for r in list(_stack):
            r.origin_read(origin, kind, field, value)


def note_table(name: str, sha: str, file: str) -> None:
    """Report that a data table was read (data.table)."""
    if ACTIVE and not _paused:
        for r in list(_stack):
            r.table(name, sha, file)


def note_list(names: list[str]) -> None:
    """Report that the list of scenarios was read (paths.scenario_names)."""
    if ACTIVE and not _paused:
        for r in list(_stack):
            r.scenario_list = list(names)


class Recorder:
    """Collects reads as origin -> field -> value, tables as name -> sha256, and the scenario list."""

    def __init__(self) -> None:
        self.reads: dict[str, dict[str, Any]] = {}
        self.meta: dict[str, dict[str, Any]] = {}
        self.tables: dict[str, str] = {}
        self.files: dict[str, str] = {}
        self.scenario_list: list[str] | None = None
        self.table_files: dict[str, str] = {}
        self._seen: set[tuple[Info, str]] = set()  # (object's Info, field) already handled: holds the Infos

    def attr(self, obj: Any, field: str, value: Any) -> None:
        own = info(obj)
        if own is None:
            return  # an object built by code, not read from a scenario: its values are derived
        if (own, field) in self._seen:
            return  # the same object's field again: already recorded (objects are immutable)
        self._seen.add((own, field))
        inf, _ = _root(obj, field)  # None when a copy set the field: derived, not an input
        if inf is not None and inf.origin is not None:
            self.origin_read(inf.origin, inf.kind, field, value)

    def origin_read(self, origin: str, kind: str, field: str, value: Any) -> None:
        (self.meta if kind == "scenario" else self.reads).setdefault(origin, {})[field] = jsonable(value)
        if origin in FILES:
            path, sha = FILES[origin]
            self.files[path] = sha

    def table(self, name: str, sha: str, file: str) -> None:
        self.tables[name] = sha
        self.table_files[name] = file
        self.files[file] = sha

    def export(self) -> dict[str, Any]:
        return {"reads": self.reads, "meta": self.meta, "tables": self.tables, "table_files": self.table_files,
                "scenario_list": self.scenario_list, "files": self.files}


class RunRecorder(Recorder):
    """The recorder of one notebook run: reads of the run's own scenario are also filed under "self",
    so a variant can reuse the run when its own scenario gives the same values (see cache.py)."""

    def __init__(self, parameters: dict[str, Any]):
        super().__init__()
        self.self_origin = origin_key(parameters.get("scenario", ""), parameters.get("overrides") or {})

    def origin_read(self, origin: str, kind: str, field: str, value: Any) -> None:
        super().origin_read(origin, kind, field, value)
        if origin == self.self_origin:
            # Filed twice: under "self" (checked against the variant's own scenario) and under the
            # absolute origin (checked against what an explicit resolve() of these arguments gives).
            (self.meta if kind == "scenario" else self.reads).setdefault("self", {})[field] = jsonable(value)


class StoreRecorder(Recorder):
    """The recorder of one results-store computation: reads through its arguments are kept apart, as
    paths from the argument ("pue", or "assumptions.pue" for a Scenario's), since the store selects an
    entry by the values its arguments give there; other reads by origin, as any recorder."""

    def __init__(self, args: dict[str, Any]):
        super().__init__()
        #: id of an argument, or of a Scenario argument's assumptions -> (parameter, path prefix)
        self.args: dict[int, tuple[str, str]] = {}
        for pname, value in args.items():
            self.args[id(value)] = (pname, "")
            try:  # unrecorded: building the recorder reads nothing
                inner = object.__getattribute__(value, "__dict__").get("assumptions")
            except AttributeError:
                inner = None
            if inner is not None and hasattr(type(inner), "model_fields"):
                self.args[id(inner)] = (pname, "assumptions.")
        self.arg_reads: dict[str, list[str]] = {}

    def _arg_read(self, pname: str, path: str) -> None:
        fields = self.arg_reads.setdefault(pname, [])
        if path not in fields:
            fields.append(path)

    def attr(self, obj: Any, field: str, value: Any) -> None:
        if id(obj) in self.args:
            pname, prefix = self.args[id(obj)]
            self._arg_read(pname, prefix + field)
            return
        own = info(obj)
        if own is None:
            return
        if (own, field) in self._seen:
            return
        self._seen.add((own, field))
        arg_infos = {id(i): where for a, where in self.args.items() if (i := _info.get(a)) is not None}
        inf, where = _root(obj, field, arg_infos)
        if where is not None:  # read through a copy of an argument
            self._arg_read(where[0], where[1] + field)
        elif inf is not None and inf.scenario is not None and id(inf.scenario) in arg_infos:
            self._arg_read(arg_infos[id(inf.scenario)][0], f"assumptions.{field}")  # a Scenario argument's
        elif inf is not None and inf.origin is not None:
            self.origin_read(inf.origin, inf.kind, field, value)

    def export(self) -> dict[str, Any]:
        return {**super().export(), "arg_reads": self.arg_reads}


def push(recorder: Recorder) -> Recorder:
    global ACTIVE
    _stack.append(recorder)
    ACTIVE = True
    return recorder


def pop(recorder: Recorder) -> None:
    global ACTIVE
    if recorder in _stack:
        _stack.remove(recorder)
    ACTIVE = bool(_stack)


# --- in a build kernel ------------------------------------------------------------------------

_run: RunRecorder | None = None


def start(parameters: dict[str, Any]) -> None:
    """Start recording one notebook run (called by the build in its kernel before the first cell)."""
    global _run
    _stack.clear()
    _run = push(RunRecorder(parameters))  # type: ignore[assignment]
    _used_results()


def declared_files() -> list[str]:
    """Return the data files the loader reads (and so tracks) table by table; every other file under
    data/ (map shapes, say) is read some other way, so the cache keys runs by all of them whole."""
    import sys

    data = sys.modules.get("analysis.data")
    return sorted(f"data/{spec.file}" for spec in data.TABLES.values()) if data is not None else []


def _used_results() -> dict[str, float]:
    """Return and forget which stored results the run asked for (analysis/results.py), if it used any."""
    import sys

    store = sys.modules.get("analysis.results")
    return store.take_used() if store is not None else {}


def finish(path: str) -> None:
    """Stop recording and write what the run read to `path` (JSON), for the build's run record."""
    global _run
    rec, _run = _run, None
    if rec is None:
        return
    pop(rec)
    from pathlib import Path

    trace = {**rec.export(), "declared": declared_files(), "results": _used_results()}
    tmp = Path(path).with_name(Path(path).name + ".tmp")
    tmp.write_text(json.dumps(trace, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
