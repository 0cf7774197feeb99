"""Read tracking (analysis/reads.py): what a run records having read, and that nothing else matters.

The last test is the empirical side of the soundness argument: for library functions the chapters
call, every assumption the recorder did *not* see read is changed, one at a time, and the result
must not move; every one it did see is changed and the recorded values must no longer match.
"""

from __future__ import annotations

import typing

import pandas as pd
import pytest

from analysis import assumptions, benefits, cache, data, paths, reads, risk, roadmap, sensitivity
from analysis.assumptions import Assumptions


def record(fn, *args):
    rec = reads.push(reads.RunRecorder({"scenario": "base", "overrides": {}}))
    try:
        out = fn(*args)
    finally:
        reads.pop(rec)
    return out, rec.export()


def test_reads_of_the_run_scenario_are_filed_under_self_and_by_origin():
    def run():
        sc = assumptions.resolve("base", {})
        return sc.title, sc.assumptions.pue

    _, trace = record(run)
    origin = reads.origin_key("base", {})
    base = assumptions.resolve("base", {})  # read with no recorder active
    assert trace["reads"]["self"] == {"pue": base.assumptions.pue} == trace["reads"][origin]
    assert trace["meta"]["self"] == {"title": base.title}
    assert "data/scenarios/base.yaml" in trace["files"]


def test_a_copy_reports_its_own_values_as_derived_and_the_rest_as_reads_of_the_original():
    def run():
        a = assumptions.load("constrained")
        b = a.model_copy(update={"pue": 1.9})
        return b.pue, b.utilisation

    (pue, util), trace = record(run)
    assert pue == 1.9 and trace["reads"][reads.origin_key("constrained", None)] == {"utilisation": 0.7}


def test_citing_one_assumption_reads_that_citation_only():
    """A chapter that says where PUE comes from must not re-run when the reader sets another value."""
    params = {"scenario": "base", "overrides": {"utilisation": 0.7}}
    rec = reads.push(reads.RunRecorder(params))
    try:
        cite = assumptions.resolve("base", {"utilisation": 0.7}).citation("pue")
    finally:
        reads.pop(rec)
    trace = rec.export()
    assert set(trace["meta"]["self"]) == {reads.CITATION + "pue"} and not cite.set_by_reader
    assert cache.values_match(trace, {"scenario": "base", "overrides": {"utilisation": 0.75}})
    assert not cache.values_match(trace, {"scenario": "base", "overrides": {"utilisation": 0.7, "pue": 1.3}})


def test_a_copy_that_replaces_the_sources_does_not_report_the_original_citation():
    sc = assumptions.resolve("base", {})
    copy = sc.model_copy(update={"reader_set": ("pue",)})
    rec = reads.push(reads.RunRecorder({"scenario": "base", "overrides": {}}))
    try:
        assert copy.citation("pue").set_by_reader
    finally:
        reads.pop(rec)
    assert not rec.export()["meta"]


@pytest.mark.parametrize("whole", [lambda a: a.model_dump(), lambda a: a == assumptions.load("base"),
                                   lambda a: hash(a), lambda a: repr(a), lambda a: dict(a)])
def test_reading_an_object_whole_reads_every_field(whole):
    _, trace = record(lambda: whole(assumptions.load("base")))
    assert set(trace["reads"][reads.origin_key("base", None)]) == set(Assumptions.model_fields)


def test_tables_and_the_scenario_list_are_recorded_but_resolving_a_name_is_not_a_list_read():
    _, trace = record(lambda: (data.fact("openai_compute_gw_2025"), assumptions.resolve("accelerated")))
    assert set(trace["tables"]) == {"facts"} and trace["scenario_list"] is None
    _, trace = record(paths.scenario_names)
    assert trace["scenario_list"] == paths.list_scenarios()


def test_nothing_is_recorded_without_a_recorder_and_reads_cost_one_flag_test():
    assert not reads.ACTIVE
    a = assumptions.load("base")
    assert a.pue > 1 and reads.info(a) is not None


def _other_value(name: str, value):
    """A valid value of this assumption that differs from `value` (None if the schema gives none)."""
    field = Assumptions.model_fields[name]
    if typing.get_origin(field.annotation) is typing.Literal:
        return next((v for v in typing.get_args(field.annotation) if v != value), None)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    lo = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
    hi = next((m.le for m in field.metadata if hasattr(m, "le")), None)
    for candidate in (value + 1, value - 1, value * 1.1 + 0.01, value * 0.9):
        candidate = type(value)(candidate) if isinstance(value, int) else candidate
        if candidate != value and (lo is None or candidate >= lo) and (hi is None or candidate <= hi):
            return candidate
    return None


def _same(x, y) -> bool:
    if isinstance(x, pd.DataFrame):
        return x.equals(y)
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(_same(x[k], y[k]) for k in x)
    return x == y or (x != x and y != y)


@pytest.mark.parametrize("fn", [roadmap.run, risk.effects.uncached, sensitivity.whatif, benefits.key_numbers,
                                lambda a: risk.stats(a, risk.simulate.uncached(a, n=2000))],
                         ids=["roadmap.run", "risk.effects", "sensitivity.whatif", "benefits.key_numbers",
                              "risk.stats"])
def test_an_assumption_a_function_was_not_seen_reading_cannot_change_its_result(fn):
    base = assumptions.load("base")
    out, trace = record(fn, base)
    seen = trace["reads"][reads.origin_key("base", None)]
    unread = [n for n in Assumptions.model_fields if n not in seen]
    assert seen and unread
    checked = 0
    for name in Assumptions.model_fields:
        other = _other_value(name, getattr(base, name))
        if other is None:
            continue
        try:
            changed = Assumptions(**{**base.model_dump(), name: other})
        except ValueError:
            continue  # not valid together with the other values
        if name in seen:
            with reads.paused():
                moved = reads.jsonable(getattr(changed, name)) != seen[name]
            assert moved, name
        else:
            assert _same(fn(changed), out), f"{name} was not recorded as read, yet it changed the result"
            checked += 1
    assert checked >= 5


def test_values_match_compares_recorded_values_with_the_current_scenario():
    _, trace = record(lambda: assumptions.load("base", {}).pue)
    assert cache.values_match(trace, {"scenario": "base", "overrides": {}})
    assert cache.values_match(trace, {"scenario": "base", "overrides": {"utilisation": 0.5}})
    assert not cache.values_match(trace, {"scenario": "base", "overrides": {"pue": 1.5}})
    assert not cache.values_match(trace, {"scenario": "no-such-scenario", "overrides": {}})
