"""The labels registry: every assumption and model output has a reader label; no code name leaks."""

import re

import pytest

from analysis import labels, roadmap
from analysis.assumptions import Assumptions

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def test_every_assumption_has_a_reader_label():
    for row in Assumptions.ledger():
        assert row["label"].strip(), row["name"]
        assert labels.label(row["name"]) == row["label"]
        assert labels.unit(row["name"]) == row["unit"]


def test_every_roadmap_column_has_a_reader_label():
    df = roadmap.run(Assumptions())
    missing = [c for c in df.columns if c not in labels.METRICS]
    assert not missing, f"roadmap columns without a label in analysis/labels.py: {missing}"


def test_labels_are_words_not_code_names():
    names = [r["label"] for r in Assumptions.ledger()] + [e.label for e in labels.METRICS.values()]
    names += [e.short for e in labels.METRICS.values() if e.short]
    leaks = [n for n in names if SNAKE.search(n) or n != n.strip() or not n[:1].isupper()]
    assert not leaks, f"labels that look like code or are not sentence case: {leaks}"


def test_labels_are_unique_among_assumptions():
    seen: dict[str, str] = {}
    for row in Assumptions.ledger():
        assert row["label"] not in seen, f"{row['name']} and {seen.get(row['label'])} share a label"
        seen[row["label"]] = row["name"]


def test_unknown_name_fails_with_a_suggestion():
    with pytest.raises(KeyError, match="did you mean 'capex_cum_usd_bn'"):
        labels.label("capex_cumm_usd_bn")


def test_titled_adds_the_unit_unless_silent():
    assert labels.titled("capex_cum_usd_bn") == "Capital expenditure, cumulative (USD bn)"
    assert labels.titled("racks_installed") == "Racks installed"
    assert labels.titled("pue") == "Power usage effectiveness (PUE)"


def test_register_refuses_a_conflicting_second_declaration():
    labels.register("_test_metric_gw", "Test metric", "GW")
    labels.register("_test_metric_gw", "Test metric", "GW")  # same again: fine
    with pytest.raises(ValueError):
        labels.register("_test_metric_gw", "Another label", "GW")
    del labels.METRICS["_test_metric_gw"]
