"""The results store (analysis/results.py): a model result is computed once, served to later callers
with the reads it made, and recomputed when a data table it read changes."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import assumptions, cache, data, paths, reads, results, risk
from fixture_project import make_project


@pytest.fixture
def store(tmp_path, monkeypatch):
    """An empty store in a copy of the project (its data may be edited)."""
    root = make_project(tmp_path / "p")
    for name, value in {"ROOT": root, "DATA": root / "data", "SCENARIOS": root / "data" / "scenarios",
                        "BUILD": root / "build"}.items():
        monkeypatch.setattr(paths, name, value)
    cache.clear_digests()
    before = dict(results.STATS)
    yield root
    cache.clear_digests()
    results.STATS.update(before)


def counts() -> tuple[int, int]:
    return results.STATS["hits"], results.STATS["misses"]


def recorded(fn):
    rec = reads.push(reads.RunRecorder({"scenario": "base", "overrides": {}}))
    try:
        out = fn()
    finally:
        reads.pop(rec)
    return out, rec.export()


def test_a_result_is_computed_once_and_a_hit_reports_the_same_reads(store):
    a = assumptions.load("base")
    h0, m0 = counts()
    first, reads_first = recorded(lambda: risk.effects(a))
    assert counts() == (h0, m0 + 1)
    second, reads_second = recorded(lambda: risk.effects(assumptions.load("base")))
    assert counts() == (h0 + 1, m0 + 1)
    pd.testing.assert_frame_equal(first, second)
    assert reads_second == reads_first and reads_first["tables"] and reads_first["reads"]["self"]
    assert list((store / "build" / ".results" / "analysis.risk.effects").rglob("*.pkl"))


def test_other_assumptions_are_another_entry(store):
    risk.effects(assumptions.load("base"))
    h, m = counts()
    risk.effects(assumptions.load("constrained"))
    assert counts() == (h, m + 1)


def test_an_assumption_the_computation_never_read_does_not_recompute_it(store):
    """Entries are selected by the values the computation read: the Monte Carlo of gigawatts never
    reads the electricity price, so a variant with another price is served the same result, with the
    same reads replayed; a variant of a value it reads (the PUE) is computed anew."""
    a = assumptions.resolve("base", {}).assumptions
    first, reads_first = recorded(lambda: risk.simulate(a, n=200))
    h, m = counts()
    cheap = assumptions.resolve("base", {"electricity_price_usd_per_mwh": 61}).assumptions
    second, reads_second = recorded(lambda: risk.simulate(cheap, n=200))
    assert counts() == (h + 1, m)
    read_first = reads_first["reads"][reads.origin_key("base", {})]
    read_second = reads_second["reads"][reads.origin_key("base", {"electricity_price_usd_per_mwh": 61})]
    assert "electricity_price_usd_per_mwh" not in read_second and read_second == read_first
    assert second is not None and type(second) is type(first)
    hot = assumptions.resolve("base", {"pue": 1.31}).assumptions
    risk.simulate(hot, n=200)
    assert counts() == (h + 1, m + 1)
    assert len(list((store / "build" / ".results" / "analysis.risk.simulate").rglob("*.pkl"))) == 2


def test_the_judgement_test_is_not_redone_for_a_pue_edit(store):
    """The judgement test simulates GW alone, which reads neither PUE nor utilisation: a PUE variant
    is served the stored table, and the GW headlines it reports agree with the full simulation's."""
    a = assumptions.resolve("base", {}).assumptions
    first, reads_first = recorded(lambda: risk.judgement(a, n=300))
    read = reads_first["reads"][reads.origin_key("base", {})]
    assert "pue" not in read and "utilisation" not in read and "risk_correlation" in read
    h, m = counts()
    hot = assumptions.resolve("base", {"pue": 1.31}).assumptions
    second = risk.judgement(hot, n=300)
    assert counts() == (h + 1, m)
    pd.testing.assert_frame_equal(first, second)
    full = risk.stats(a, risk.simulate(a, n=300))
    row = first.iloc[0]  # "As assumed"
    assert row["p_behind_at_milestone"] == full["p_behind_at_milestone"]
    assert row["gw_milestone_p50"] == full["gw_milestone_p50"]


def test_a_function_of_the_data_alone_is_computed_once_and_reports_its_reads_each_time(store):
    calls = []

    @data.per_data_version
    def n_commitments() -> pd.DataFrame:
        calls.append(1)
        return data.table("commitments")

    _, first = recorded(n_commitments)
    _, second = recorded(n_commitments)
    assert len(calls) == 1 and second["tables"] == first["tables"] and "commitments" in first["tables"]
    got = n_commitments()
    got.loc[:, "power_gw"] = -1.0  # a caller's change does not reach the next caller
    assert (n_commitments()["power_gw"] != -1.0).any()
    path = store / "data" / "commitments.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # a new version of the data
    n_commitments()
    assert len(calls) == 2


def test_a_figure_of_the_data_alone_is_drawn_once_and_reports_its_reads(store):
    """A view's figure that depends on the data files alone (charts.of_data) is a stored result: later
    calls load its spec and report the tables it read; a changed table draws it again."""
    from analysis.views import deal as view

    first, reads_first = recorded(view.fig_commitments_gw)
    h, m = counts()
    second, reads_second = recorded(view.fig_commitments_gw)
    assert counts() == (h + 1, m)
    assert second.spec() == first.spec() and second.description == first.description
    assert reads_second["tables"] == reads_first["tables"] and "commitments" in reads_first["tables"]
    path = store / "data" / "commitments.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    view.fig_commitments_gw()
    assert counts() == (h + 1, m + 1)


def test_a_scenario_argument_is_keyed_by_its_assumptions_reads_even_when_built_by_code(store):
    """A Scenario made by code (no scenario file behind it) still has every read of its assumptions
    recorded, so two such scenarios differing in a value the computation reads are two entries."""
    from analysis import scenarios

    base = assumptions.resolve("base", {})
    with reads.paused():
        one = base.model_copy(deep=True)
        two = one.model_copy(update={"assumptions": one.assumptions.model_copy(update={"pue": 1.4})})
    h, m = counts()
    first = scenarios.headline(one, n_draws=200)
    second = scenarios.headline(two, n_draws=200)
    assert counts()[1] >= m + 2
    assert first != second


def test_a_changed_data_table_recomputes_what_read_it(store):
    a = assumptions.load("base")
    risk.effects(a)
    csv = store / "data" / "risks.csv"
    csv.write_text(csv.read_text().replace("0.35", "0.35", 1) + "\n")  # same rows, other bytes
    h, m = counts()
    risk.effects(a)
    assert counts() == (h, m + 1)


def test_tables_are_keyed_by_content_and_what_cannot_be_keyed_bypasses_the_store(store):
    a = assumptions.load("base")
    h, m = counts()
    risk.simulate(a, n=50, platforms=data.platforms())
    risk.simulate(a, n=50, platforms=data.platforms().copy())  # an equal table: the same entry
    assert counts() == (h + 1, m + 1)
    odd = data.platforms().assign(notes=[["a"]] * len(data.platforms()))  # lists cannot be hashed
    risk.simulate(a, n=50, platforms=odd)
    assert counts() == (h + 1, m + 1)
    assert len(list((store / "build" / ".results" / "analysis.risk.simulate").rglob("*.pkl"))) == 1


def test_the_store_can_be_turned_off_and_pruned(store, monkeypatch):
    risk.simulate(assumptions.load("base"), n=5000)
    assert results.prune(max_bytes=0) > 0
    assert not list((store / "build" / ".results").rglob("*.pkl"))
    monkeypatch.setenv("TENGW_RESULTS", "off")
    h, m = counts()
    risk.simulate(assumptions.load("base"), n=50)
    assert counts() == (h, m) and not list((store / "build" / ".results").rglob("*.pkl"))


def test_results_computed_inside_another_stored_result_are_not_written(store):
    """risk.judgement runs eight Monte Carlos: only the judgement table is written, and a second
    call is served whole from it."""
    a = assumptions.load("base").model_copy(update={"mc_draws": 500})
    h, m = counts()
    first = risk.judgement(a)
    assert counts()[1] > m + 1  # the judgement and its simulations were computed
    stored_dir = store / "build" / ".results"
    assert list((stored_dir / "analysis.risk.judgement").rglob("*.pkl"))
    assert not list((stored_dir / "analysis.risk.simulate").rglob("*.pkl"))
    h, m = counts()
    pd.testing.assert_frame_equal(risk.judgement(a), first)
    assert counts() == (h + 1, m)


def test_a_run_records_which_stored_results_it_asked_for_and_how_long_they_took(store, tmp_path):
    """The run's trace lists each stored result it asked for (computed or served) with the seconds
    its computation took, so the build can chain runs that share a costly one (build.chains)."""
    import json

    a = assumptions.load("base")
    for name in ("first", "second"):
        reads.start({"scenario": "base", "overrides": {}})
        risk.simulate(a, n=300)
        reads.finish(str(tmp_path / f"{name}.json"))
    first, second = (json.loads((tmp_path / f"{n}.json").read_text())["results"] for n in ("first", "second"))
    assert len(first) == 1 and first == second
    (entry, seconds), = first.items()
    assert entry.startswith("analysis.risk.simulate/") and seconds > 0
