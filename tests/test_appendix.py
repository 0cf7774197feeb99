"""Appendix: the ledger covers the schema with each scenario's value; the sources list covers data/."""

from analysis import appendix, assumptions, data
from analysis.assumptions import Assumptions


def test_every_schema_assumption_is_in_the_ledger_with_each_scenario_value():
    led = appendix.ledger().set_index("name")
    assert list(led.index) == list(Assumptions.model_fields)
    for name in assumptions.scenario_names():
        a = assumptions.load(name)
        for field in Assumptions.model_fields:
            unit = led.at[field, "unit"]
            assert led.at[field, name].rstrip(appendix.JUDGEMENT_MARK) == appendix.fmt(getattr(a, field), unit), (name, field)
    assert (led["unit"] != "").all() and (led["source_id"] != "").all()


def test_ledger_shows_a_changed_value():
    sc = assumptions.resolve("base", {"pue": 1.45})
    sc = sc.model_copy(update={"name": "my-variant"})
    led = appendix.ledger(sc).set_index("name")
    # The reader's value is theirs; the edition's default PUE is our judgement, marked.
    assert led.at["pue", "my-variant"] == "1.45" and led.at["pue", "base"] == "1.2" + appendix.JUDGEMENT_MARK


def test_sources_list_is_generated_from_data():
    s = appendix.sources()
    src = data.table("sources")
    assert set(s["source_id"]) == set(src["source_id"])
    for col in ("title", "publisher", "published"):
        assert (s[col].str.len() > 0).all()
    external = s[s["kind"] != data.JUDGEMENT]
    assert external["url"].str.startswith("http").all()
    assert (s["supports"].str.len() > 0).all(), "every source row says what it supports"
    cited = set(s.loc[s["cited_by"].str.contains("risks"), "source_id"])
    assert "wsj_on_ice_2026" in cited


def test_fmt_known_answers():
    assert appendix.fmt((1.0, 1.5)) == "1, 1.5"
    assert appendix.fmt(100000) == "100,000"
    assert appendix.fmt("tranches") == "tranches"


def test_ledger_formats_half_years_and_ids_readably():
    assert appendix.fmt(2026.5, "half-year") == "H2 2026"
    assert appendix.fmt(2027.0, "half-year") == "H1 2027"
    assert appendix.fmt(20250922, "count") == "20250922"
    assert appendix.fmt(1.25, "ratio") == "1.25"
