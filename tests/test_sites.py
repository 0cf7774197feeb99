"""Sites: every campus has its grid region, US campuses map to an EPA subregion with a sourced rate,
the phasing and the named share have known answers, and the bundled map shapes load."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import assumptions, data, paths, sites
from analysis.data import check_table


def test_every_site_has_a_grid_region_and_us_sites_a_subregion():
    s = data.table("sites")
    assert (s["grid_region"].str.strip() != "").all()
    us = s[s["country"] == "United States"]
    regions = set(data.table("grid_intensity")["region"])
    assert (us["egrid_subregion"] != "").all() and set(us["egrid_subregion"]) <= regions


def test_a_site_without_grid_region_is_caught():
    raw = pd.read_csv(paths.DATA / "sites.csv", dtype=str, keep_default_na=False)
    raw.index = raw.index + 2  # the file line each row is on (the header is line 1)
    assert check_table("sites", raw, set(data.table("sources")["source_id"])) == []
    raw.loc[4, "grid_region"] = ""
    problems = check_table("sites", raw, set(data.table("sources")["source_id"]))
    assert problems == ["data/sites.csv line 4, column grid_region: empty"]


def test_site_phasing_known_answer():
    s = pd.DataFrame({"site_id": ["a", "b", "c"], "planned_gw": [2.0, 10.0, float("nan")],
                      "first_phase_gw": [0.5, 0.8, float("nan")], "first_year": [2026.0, 2028.0, 2026.0],
                      "full_year": [2028.0, float("nan"), 2026.0]})
    g = sites.site_gw_by_year([2025, 2026, 2027, 2028, 2029], s).pivot(index="year", columns="site_id", values="gw")
    assert g["a"].tolist() == pytest.approx([0.0, 0.5, 1.25, 2.0, 2.0])   # linear from first phase to full
    assert g["b"].tolist() == pytest.approx([0.0, 0.0, 0.0, 0.8, 0.8])    # no full date: first phase only
    assert g["c"].tolist() == [0.0] * 5                                    # size not disclosed


def test_named_share_is_capped_and_computed():
    sh = sites.named_share(assumptions.load("base"))
    # No share before the programme's first gigawatt (the reported path starts in 2027).
    assert sh["named_share"].isna().eq(sh["programme_gw"] <= 0).all()
    assert sh["named_share"].dropna().between(0, 1).all()
    row = sh.iloc[-1]
    assert row["named_share"] == pytest.approx(min(row["named_sites_gw"], row["programme_gw"]) / row["programme_gw"])


def test_map_shapes_load_offline():
    topo, obj = sites.shapes("us_states")
    assert topo["type"] == "Topology" and obj in topo["objects"]
    assert len(topo["objects"][obj]["geometries"]) >= 50
    topo, obj = sites.shapes("world_land")
    assert obj in topo["objects"]
