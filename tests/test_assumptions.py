"""The assumptions schema: defaults, scenarios, and clear messages for bad values."""

import math

import pytest

from analysis import assumptions
from analysis.assumptions import Assumptions
from analysis.errors import AssumptionError, InputError


def test_every_scenario_is_valid():
    names = assumptions.scenario_names()
    assert names[0] == "base" and {"letter-of-intent", "accelerated", "constrained"} <= set(names)
    assert "restructured" not in names  # folded into base, the reported path
    for n in names:
        assert assumptions.resolve(n).assumptions is not None


def test_every_assumption_has_unit_range_description_and_source():
    from analysis import data
    ids = set(data.table("sources")["source_id"])
    for row in Assumptions.ledger():
        assert row["unit"] and row["description"], row["name"]
        assert row["source_id"] in ids, f"{row['name']}: source {row['source_id']!r} not in sources.csv"


def test_out_of_range_is_named_with_unit():
    with pytest.raises(AssumptionError) as err:
        assumptions.resolve("base", {"pue": 3.0})
    assert "pue" in str(err.value) and "less than or equal to 2" in str(err.value) and "ratio" in str(err.value)


def test_misspelled_parameter_gets_suggestion():
    with pytest.raises(AssumptionError) as err:
        assumptions.resolve("base", {"utilization": 0.5})
    assert "unknown parameter" in str(err.value) and "'utilisation'" in str(err.value)


@pytest.mark.parametrize("bad", [math.nan, math.inf, "high", None])
def test_nan_inf_and_wrong_types_rejected(bad):
    with pytest.raises(AssumptionError):
        assumptions.resolve("base", {"pue": bad})


def test_every_problem_reported_at_once():
    with pytest.raises(AssumptionError) as err:
        assumptions.resolve("base", {"pue": 9.0, "utilisation": -1.0, "nonsense": 1})
    assert len(err.value.problems) == 3


def test_unknown_scenario_suggests_closest():
    with pytest.raises(InputError, match="did you mean 'constrained'"):
        assumptions.resolve("constraned")


def test_malformed_yaml_names_file_and_line(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text("title: x\nassumptions:\n  pue: [1.2\n")
    with pytest.raises(InputError, match=r"malformed YAML in mine.yaml line"):
        assumptions.resolve(str(f))


def test_scenarios_override_defaults_only():
    # The defaults are the letter of intent as written; the default edition departs from it.
    assert assumptions.load("letter-of-intent") == Assumptions()
    base = assumptions.load("base")
    assert base.investment_structure == "equity" and base.start_half > Assumptions().start_half
    con = assumptions.load("constrained")
    assert con.pue != base.pue and con.investment_structure == base.investment_structure


def test_every_departure_names_its_source():
    import yaml

    from analysis import paths
    sc = assumptions.resolve("base")
    values = yaml.safe_load(paths.scenario_file("base").read_text(encoding="utf-8"))["assumptions"]
    differing = {k for k, v in sc.assumptions.model_dump().items() if v != getattr(Assumptions(), k)}
    assert differing <= set(values) == set(sc.sources)
    assert sc.citation("investment_structure").source == "ft_30bn_2026"
    assert sc.citation("pue").source == Assumptions.model_fields["pue"].json_schema_extra["source"]
    assert assumptions.resolve("base", {"pue": 1.3}).citation("pue").set_by_reader


def test_a_sources_entry_for_a_value_the_file_does_not_set_is_refused(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text("title: x\ndescription: y\nassumptions:\n  pue: 1.3\nsources:\n  pue: uptime_pue_2023\n"
                 "  utilisation: assumption_tengw\n")
    with pytest.raises(AssumptionError, match="sources.utilisation: not an assumption this file sets"):
        assumptions.resolve(str(f))


def test_nvidia_content_cannot_exceed_total():
    with pytest.raises(AssumptionError, match="capex_nvidia_usd_bn_per_gw exceeds"):
        assumptions.resolve("base", {"capex_nvidia_usd_bn_per_gw": 60.0})
