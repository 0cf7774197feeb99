"""The inconsistencies a careful reader found, each class guarded: one denominator per quantity, dates
and platform names from one place, comparisons in matching years, nothing resting on our assumption
called NVIDIA's figures, one cost-of-capital treatment, no projection past its source's horizon.

Each class has a check of the library (fast, no build) and, where it is about wording, a check of the
prose in every edition's executed notebooks (reusing the session's built report). The OLD_* sentences
are verbatim from the report before this change: every check is shown failing on them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import (assumptions, benefits, consistency, data, deal, economics, formulas as F, paths,
                      roadmap, sensitivity, summary)
from analysis.views import benefits as benefits_view
from analysis.views import deal as deal_view

# --- Sentences of the old report, verbatim from its PDF -----------------------------------------
OLD_DENOMINATORS = ("In the As announced scenario 10.0 GW of NVIDIA systems are online by the end of the horizon "
                    "(6.0 to 10.0 GW across the 4 scenarios), 5.3 times the 1.9 GW OpenAI had in 2025 and 33% of "
                    "the 30 GW it has committed to overall.\n\nNVIDIA supplies 36% of the 28 GW of accelerators "
                    "OpenAI has lined up.")
OLD_YEARS = ("Each dollar NVIDIA invests returns as 3.5 dollars of revenue and 2.5 dollars of gross profit; at its "
             "peak (2028) the programme would equal 54% of NVIDIA’s FY2026 data-centre revenue (27% to 60% across "
             "scenarios). Drawing on average 80% of that power all year, it would use 70.1 TWh a year: 1.8% of all "
             "US electricity use in 2023, 38% of what US data centres used in 2024, and 7% of the IEA’s projection "
             "for the world’s data centres in 2030.")
OLD_PLATFORMS = ("Capital per unit of dense FP8 compute falls from about $10,556 per PFLOP/s on Vera Rubin NVL144 "
                 "to $4,000 on Feynman, a change of -38% a year. Microsoft says it is the first cloud to bring up a "
                 "Vera Rubin NVL72 system for validation.")
OLD_ATTRIBUTION = ("On NVIDIA’s own figures, the fleet’s dense FP4 compute per GW of IT power rises from 17,053 to "
                   "29,866 EFLOP/s per GW as later platforms arrive, and the best platform in the window offers 2.6 "
                   "times Vera Rubin’s compute per MW (Figure 21).")
#: The same sentence as the old code wrote it with the assumed platform (Feynman) removed from the data.
OLD_ATTRIBUTION_WITHOUT_FEYNMAN = OLD_ATTRIBUTION.replace("29,866", "20,211").replace("2.6 times", "1.3 times")
#: The old report projected OpenAI's revenue to 2031 in its funding table, not in a sentence; this sentence
#: says what that row said, for the text check (the table itself is guarded by the horizon test below).
OLD_HORIZON = "In 2031 the capital left to fund is $40bn against projected OpenAI revenue of $516bn that year."

#: Chapters the year check skips: none since issue 12's risk chapter landed (its what-would-have-to-be-true
#: paragraph set a 2025 multiple and the 2030 revenue target in one sentence; split and marked for scale).
YEAR_CHECK_SKIPS: set[str] = set()


# --- The checks catch the old text ---------------------------------------------------------------

def test_checks_catch_the_old_text():
    assert consistency.denominator_problems(OLD_DENOMINATORS)
    assert len(consistency.year_problems(OLD_YEARS)) == 2
    assert consistency.platform_name_problems(OLD_PLATFORMS, set(data.platforms().index))
    assert consistency.horizon_problems(OLD_HORIZON, economics.revenue_horizon_year())
    assert consistency.attribution_problems(OLD_ATTRIBUTION, OLD_ATTRIBUTION_WITHOUT_FEYNMAN)


def test_checks_pass_what_the_report_should_say():
    assert not consistency.denominator_problems("30% of the 28 GW it has committed to. 36% of the 28 GW "
                                                "of accelerator supply OpenAI has committed to.")
    assert not consistency.year_problems("In 2030 the fleet draws 45 TWh, 11% of the IEA's projection for "
                                         "that year. For scale, it is 4.5 times OpenAI's fleet in 2025.")
    names = set(data.platforms().index)
    assert not consistency.platform_name_problems(
        "The rack NVIDIA called Vera Rubin NVL144 in 2025 is the Vera Rubin NVL72.", names)
    assert not consistency.horizon_problems("Beyond 2030 the report projects no OpenAI revenue: $40bn "
                                            "is needed in 2031.", 2030)


# --- One denominator per quantity ----------------------------------------------------------------

def test_one_figure_for_openai_commitments_everywhere():
    committed = deal.committed_gw()
    for name in assumptions.scenario_names():
        a = assumptions.load(name)
        k = benefits.key_numbers(a)
        assert k["gw_share_of_commitments"] == pytest.approx(k["gw"] / committed)
        assert k["supply_gw_total"] == pytest.approx(committed)
        assert sensitivity.whatif(a)["commitments_gw"] == pytest.approx(committed)


# --- Dates and platform names from one place -----------------------------------------------------

def test_a_platform_first_appears_in_every_table_in_the_same_half_year():
    for name in assumptions.scenario_names():
        a = assumptions.load(name)
        df = roadmap.run(a)
        first = df[df["added_gw"] > 0].groupby("platform")["half"].min()
        cost = economics.compute_cost(a).set_index("platform")
        for plat, half in first.items():
            assert cost.at[plat, "deployable_half"] == half, (name, plat)
            assert cost.at[plat, "in_programme"]


def test_the_tranche_sentence_takes_its_dates_from_the_schedule():
    sc = assumptions.resolve("letter-of-intent")
    k = deal.key_numbers(sc.assumptions)
    text = deal_view.summary(sc).text
    assert f"released by {k['cap_reached_half']}, when the cap is reached" in text
    assert f"from {k['first_date']}" in text and k["first_date"] == deal.timeline()["date"].min().date().isoformat()


def test_platform_names_come_from_the_data():
    names = set(data.platforms().index)
    assert roadmap.FIRST_PLATFORM in names
    events = " ".join(data.table("deal_events")["event"])
    assert not consistency.platform_name_problems(events, names)
    # Every other table that names a platform uses the same spelling (supply.csv had the 2025 names).
    for name in data.TABLES:
        t = data.table(name)
        if name != "platforms" and "platform" in t.columns:
            used = {v for v in t["platform"] if v}
            assert used <= names, f"data/{name}.csv names {sorted(used - names)}, not in data/platforms.csv"


# --- Nothing resting on our assumption is NVIDIA's -----------------------------------------------

def test_sentences_on_nvidias_figures_do_not_move_without_the_assumed_platforms(monkeypatch):
    sc = assumptions.resolve("letter-of-intent")
    with_assumed = benefits_view.openai_text(sc, benefits.key_numbers(sc.assumptions)).text
    assumed = data.assumed_platforms()
    assert assumed, "the data holds a platform resting on this report's judgement"
    real = data.platforms
    monkeypatch.setattr(data, "platforms", lambda *a, **k: real(*a, **k).drop(index=list(assumed), errors="ignore"))
    without = benefits_view.openai_text(sc, benefits.key_numbers(sc.assumptions)).text
    assert not consistency.attribution_problems(with_assumed, without)
    assert "NVIDIA's roadmap figures" in with_assumed  # the check has something to look at


# --- One cost-of-capital treatment ---------------------------------------------------------------

def test_unit_cost_and_break_even_are_the_same_number_for_a_flat_one_platform_build():
    a = assumptions.load("letter-of-intent", {"schedule_gw_per_half": (1.0,), "horizon_end_half": 2027.5,
                                              "capex_change_pct_per_year": 0.0})
    unit = economics.compute_cost(a).set_index("platform").at[roadmap.FIRST_PLATFORM, "annual_cost_usd_bn_per_gw"]
    assert unit == pytest.approx(sensitivity.whatif(a)["cost_usd_bn_per_gw_year"])
    # The 1 GW built in H2 2026 is in service all of 2027: that year's carrying cost is the same number.
    f = economics.funding(a).set_index("year")
    assert f.at[2027, "carrying_cost_usd_bn"] == pytest.approx(unit)


def test_every_cost_goes_through_the_one_capital_charge(monkeypatch):
    # Python callers of a unit cost or a carrying cost call economics.capital_charge ...
    calls = []
    real = economics.capital_charge

    def spy(a, nvidia, other):
        calls.append(1)
        return real(a, nvidia, other)

    monkeypatch.setattr(economics, "capital_charge", spy)
    a = assumptions.load("base")
    for f in (economics.compute_cost, economics.funding):
        calls.clear()
        f(a)
        assert calls, f"{f.__name__} does not call economics.capital_charge"
    monkeypatch.undo()
    # ... which evaluates the one definition in analysis.formulas that the break-even, the tornado and
    # the what-if panel read: replace that definition and every one of them moves with it.
    before = (economics.capital_charge(a, 35.0, 15.0)["total_usd_bn"], sensitivity.whatif(a)["annual_cost_usd_bn"],
              economics.compute_cost(a)["annual_cost_usd_bn_per_gw"].iloc[0],
              float(sensitivity.annual_cost_per_gw(a, roadmap.compute(a))[0]))
    monkeypatch.setitem(F.DEFINITIONS, "capital_charge_usd_bn", F.DEFINITIONS["capital_charge_usd_bn"] * 2.0)
    after = (economics.capital_charge(a, 35.0, 15.0)["total_usd_bn"], sensitivity.whatif(a)["annual_cost_usd_bn"],
             economics.compute_cost(a)["annual_cost_usd_bn_per_gw"].iloc[0],
             float(sensitivity.annual_cost_per_gw(a, roadmap.compute(a))[0]))
    moved = [b < a_ for b, a_ in zip(before, after)]
    assert all(moved), f"not reading formulas' capital charge: {moved} (capital_charge, whatif, compute_cost, tornado)"


def test_unit_cost_moves_with_the_cost_of_capital():
    lo = economics.compute_cost(assumptions.load("base", {"cost_of_capital_pct": 0.0}))
    hi = economics.compute_cost(assumptions.load("base", {"cost_of_capital_pct": 12.0}))
    assert (hi["annual_cost_usd_bn_per_gw"] > lo["annual_cost_usd_bn_per_gw"]).all()


# --- No projection past its source's horizon -----------------------------------------------------

def test_openai_revenue_stops_at_its_sources_horizon():
    a = assumptions.load("base")
    h = economics.revenue_horizon_year()
    rev = economics.openai_revenue_usd_bn(a, [h, h + 1])
    assert np.isfinite(rev[0]) and np.isnan(rev[1])
    f = economics.funding(a)
    assert f.loc[f["year"] > h, "openai_revenue_usd_bn"].isna().all()


# --- The built report's prose, every edition -----------------------------------------------------

@pytest.fixture(scope="module")
def prose_by_edition(built_report):
    out = {}
    for name in assumptions.scenario_names():
        out[name] = {nb.stem: consistency.prose_of(nb) for nb in sorted((paths.BUILD / name).glob("*.ipynb"))
                     if not nb.name.startswith(".") and not nb.name.endswith(".failed.ipynb")}
    return out


def test_the_built_prose_passes_every_check(prose_by_edition):
    names = set(data.platforms().index)
    h = economics.revenue_horizon_year()
    problems = []
    for edition, chapters in prose_by_edition.items():
        everything = "\n\n".join(chapters.values())
        problems += [f"{edition}: {p}" for p in consistency.denominator_problems(everything)]
        for chapter, text in chapters.items():
            found = consistency.platform_name_problems(text, names) + consistency.horizon_problems(text, h)
            if chapter not in YEAR_CHECK_SKIPS:
                found += consistency.year_problems(text)
            problems += [f"{edition}/{chapter}: {p}" for p in found]
    assert not problems, "\n".join(problems)


def test_the_default_edition_leads_with_the_reported_path(prose_by_edition):
    text = prose_by_edition["base"]["summary"]
    base = assumptions.resolve("base")
    assert base.assumptions.investment_structure == "equity"
    assert f"This edition, {base.title}" in text and "tranches" in text
    loi = prose_by_edition["letter-of-intent"]["summary"]
    assert "counterfactual" in assumptions.resolve("letter-of-intent").title
    assert "counterfactual" in loi


def test_the_first_gigawatt_status_is_stated_plainly(prose_by_edition):
    s = deal.first_gigawatt_status(assumptions.load("base"))
    text = prose_by_edition["base"]["deal"]
    assert "The first gigawatt." in text and s["due"] in text and s["data_date"] in text
    assert "found nothing later" in text


def test_what_to_watch_has_ten_dated_sourced_signposts(prose_by_edition):
    from analysis import signposts
    t = signposts.table()
    assert len(t) >= 10
    assert t["citation"].str.len().gt(0).all() and t["due_date"].notna().all()
    assert set(t["status"]) <= {"open", "happened", "missed"} and {"open", "happened", "missed"} <= set(t["status"])
    assert "What to watch" in prose_by_edition["base"]["watch"]


def test_summary_text_reads_the_edition_not_a_fixed_name():
    sc = assumptions.resolve("base")
    tab = pd.DataFrame([summary_row(sc)])
    assert sc.title in summary.markdown(summary.findings(sc, tab))


def summary_row(sc):
    from analysis import scenarios
    return scenarios.headline(sc, n_draws=200)
