"""Energy and infrastructure: the programme's power and electricity set against national and global use.

Public API:
- run(a): per half-year facility power, annual energy, reactor-equivalents, shares of US use, cost;
- comparison(a): the programme's annual TWh at full build against sourced reference figures;
- sensitivity_grid(it_power_gw, pues, utilisations): TWh a year over a PUE x utilisation grid (vectorised);
- constraints(a): sourced physical constraints with the programme's matching figure;
- key_numbers(a): the chapter's headline numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import data, formulas as F, roadmap
from .assumptions import Assumptions
from .deal import with_sources

#: Reference figures of electricity use (fact id -> label), in the order the chapter shows them.
REFERENCES = {
    "us_dc_electricity_2023_twh": "US data centres, 2023 (LBNL)",
    "us_dc_electricity_2024_twh": "US data centres, 2024 (IEA)",
    "us_dc_electricity_2028_low_twh": "US data centres, 2028 low (LBNL)",
    "us_dc_electricity_2028_high_twh": "US data centres, 2028 high (LBNL)",
    "us_dc_electricity_2030_twh": "US data centres, 2030 (IEA)",
    "global_dc_electricity_2024_twh": "World data centres, 2024 (IEA)",
    "global_dc_electricity_2030_twh": "World data centres, 2030 (IEA)",
    "us_electricity_use_twh": "All US electricity use, 2023 (EIA)",
}

#: Physical constraints (fact id -> label) shown in the constraints table.
CONSTRAINTS = {
    "interconnection_queue_gw": "Generation and storage waiting in US interconnection queues",
    "interconnection_median_years": "Median time from interconnection request to operation",
    "transformer_lead_time_weeks": "Lead time, power transformers",
    "gsu_transformer_lead_time_weeks": "Lead time, generator step-up transformers",
    "gas_turbine_backlog_gw": "Gas turbine order backlog (GE Vernova)",
    "hbm_sold_out_year": "HBM supply sold out through",
    "cowos_demand_wafers_2026": "CoWoS advanced-packaging wafers needed worldwide, 2026",
    "nvidia_cowos_share_2026": "NVIDIA's share of 2026 CoWoS demand",
}

#: The projection the fleet's electricity is set against in a matching year (data/facts.csv).
MATCH_FACT = "us_dc_electricity_2030_twh"


def annual_twh(power_gw, utilisation) -> np.ndarray:
    """Return TWh a year drawn by power_gw at an average load of utilisation (broadcasts)."""
    return F.ENERGY_TWH_PER_YEAR.evaluate({"facility_power_gw": np.asarray(power_gw, float),
                                           "utilisation": np.asarray(utilisation, float)})


def run(a: Assumptions, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the energy view of the roadmap, one row per half-year (units in column names)."""
    df = roadmap.run(a) if result is None else result
    out = df[["half", "half_label", "online_gw", "facility_power_gw", "it_power_gw",
              "energy_twh_per_year"]].copy()
    out["reactor_equivalents"] = F.REACTOR_EQUIVALENTS.evaluate(
        {"facility_power_gw": out["facility_power_gw"], "reactor_power_gw": data.fact("reactor_power_gw")})
    out["us_nuclear_fleet_share"] = out["facility_power_gw"] / data.fact("us_nuclear_fleet_gw")
    out["us_electricity_share"] = out["energy_twh_per_year"] / data.fact("us_electricity_use_twh")
    out["us_dc_2024_share"] = out["energy_twh_per_year"] / data.fact("us_dc_electricity_2024_twh")
    out["homes_million"] = out["facility_power_gw"] * data.fact("homes_per_gw") / 1e6
    out["electricity_cost_usd_bn_per_year"] = F.ELECTRICITY_COST_USD_BN_PER_YEAR.evaluate(
        {"energy_twh_per_year": out["energy_twh_per_year"],
         "electricity_price_usd_per_mwh": a.electricity_price_usd_per_mwh})
    return out


def comparison(a: Assumptions, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return each sourced reference with the programme's use in the same year (matching years only:
    NaN where the reference's year is outside the modelled half-years), plus the programme at full build."""
    e = run(a, result)
    peak = e.loc[e["energy_twh_per_year"].idxmax()]
    facts = data.table("facts").set_index("fact_id")
    ref = facts.loc[list(REFERENCES)].reset_index()
    ref["label"] = ref["fact_id"].map(REFERENCES)
    ref["year"] = ref["as_of"].astype(str).str[:4].astype(int)
    modelled = set(np.floor(e["half"]).astype(int))
    ref["programme_same_year_twh"] = [float(in_year(e, y)["energy_twh_per_year"]) if y in modelled else np.nan
                                      for y in ref["year"]]
    ref["programme_share"] = ref["programme_same_year_twh"] / ref["value"]
    ref = with_sources(ref)
    prog = pd.DataFrame([{"fact_id": "programme", "year": int(np.floor(peak["half"])),
                          "label": f"This programme at full build, {peak['half_label']} (model)",
                          "value": float(peak["energy_twh_per_year"]), "programme_same_year_twh": np.nan,
                          "programme_share": np.nan, "as_of": "", "source_id": "",
                          "citation": "Ten Gigawatts model", "publisher": "", "published": "", "url": ""}])
    cols = ["fact_id", "label", "year", "value", "programme_same_year_twh", "programme_share", "as_of", "source_id",
            "citation", "publisher", "published", "url"]
    return pd.concat([prog[cols], ref[cols]], ignore_index=True).rename(columns={"value": "energy_twh_per_year"})


def sensitivity_grid(it_power_gw: float, pues, utilisations) -> pd.DataFrame:
    """Return annual TWh for a fixed IT load over every (PUE, utilisation) pair, long format.

    Holding IT power (and so the compute installed) fixed, facility power = IT power x PUE.
    """
    p, u = np.meshgrid(np.asarray(pues, float), np.asarray(utilisations, float), indexing="ij")
    twh = annual_twh(it_power_gw * p, u)
    return pd.DataFrame({"pue": p.ravel(), "utilisation": u.ravel(), "energy_twh_per_year": twh.ravel(),
                         "facility_power_gw": (it_power_gw * p).ravel()})


def default_grid(a: Assumptions, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the sensitivity grid around the scenario: PUE 1.1 to 1.6, utilisation 40% to 100%."""
    e = run(a, result)
    return sensitivity_grid(float(e["it_power_gw"].max()), np.round(np.arange(1.1, 1.61, 0.1), 2),
                            np.round(np.arange(0.4, 1.01, 0.1), 2))


def constraints(a: Assumptions, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the sourced constraints, each with the programme figure it is compared to (if any)."""
    df = roadmap.run(a) if result is None else result
    years = np.floor(df["half"]).astype(int)
    peak_year_gw = float(df.groupby(years)["added_gw"].sum().max())
    facts = data.table("facts").set_index("fact_id")
    c = facts.loc[list(CONSTRAINTS)].reset_index()
    c["label"] = c["fact_id"].map(CONSTRAINTS)
    programme = {"interconnection_queue_gw": peak_year_gw, "gas_turbine_backlog_gw": peak_year_gw}
    c["programme_value"] = c["fact_id"].map(programme)
    c["programme_share"] = c["programme_value"] / c["value"]
    return with_sources(c)


def months_from_loi(a: Assumptions) -> tuple[float, float]:
    """Return months from the letter of intent to the start and to the end of the first deployment half-year."""
    from .deal import timeline
    ev = timeline()
    loi = ev.loc[ev["stage"] == "announced", "date"].min()
    loi_year = loi.year + (loi.day_of_year - 1) / (366 if loi.is_leap_year else 365)
    return (a.start_half - loi_year) * 12.0, (a.start_half + 0.5 - loi_year) * 12.0


def in_year(e: pd.DataFrame, year: int) -> pd.Series:
    """Return the energy view at the end of a calendar year (its last half-year on the axis)."""
    rows = e[np.floor(e["half"]).astype(int) == year]
    if rows.empty:
        raise ValueError(f"year {year} is outside the modelled half-years")
    return rows.iloc[-1]


def key_numbers(a: Assumptions, result: pd.DataFrame | None = None) -> dict[str, float | str]:
    """Return the energy chapter's headline numbers for one scenario.

    Shares of a projection are taken in the projection's own year ('match'): the fleet in 2030 against
    the IEA's 2030 figure, never the full-build fleet against another year's use.
    """
    df = roadmap.run(a) if result is None else result
    e = run(a, df)
    peak = e.loc[e["energy_twh_per_year"].idxmax()]
    grid = default_grid(a, df)
    years = np.floor(df["half"]).astype(int)
    match = data.fact_row(MATCH_FACT)
    match_year = int(str(match["as_of"])[:4])
    modelled = match_year in set(years)
    m_twh = float(in_year(e, match_year)["energy_twh_per_year"]) if modelled else float("nan")
    return {
        "match_year": match_year,
        "energy_match_twh": m_twh,
        "us_dc_match_twh": float(match["value"]),
        "us_dc_match_share": m_twh / float(match["value"]),
        "global_dc_match_share": m_twh / data.fact("global_dc_electricity_2030_twh"),
        "peak_year": int(np.floor(peak["half"])),
        "peak_half": str(peak["half_label"]),
        "facility_power_gw": float(peak["facility_power_gw"]),
        "it_power_gw": float(peak["it_power_gw"]),
        "energy_twh": float(peak["energy_twh_per_year"]),
        "reactors": float(peak["reactor_equivalents"]),
        "us_nuclear_share": float(peak["us_nuclear_fleet_share"]),
        "us_share": float(peak["us_electricity_share"]),
        "us_dc_2024_share": float(peak["us_dc_2024_share"]),
        "us_dc_2030_share": float(peak["energy_twh_per_year"] / data.fact("us_dc_electricity_2030_twh")),
        "global_dc_2024_share": float(peak["energy_twh_per_year"] / data.fact("global_dc_electricity_2024_twh")),
        "global_dc_2030_share": float(peak["energy_twh_per_year"] / data.fact("global_dc_electricity_2030_twh")),
        "us_dc_growth_2024_2030_twh": data.fact("us_dc_electricity_2030_twh") - data.fact("us_dc_electricity_2024_twh"),
        "homes_million": float(peak["homes_million"]),
        "electricity_cost_usd_bn": float(peak["electricity_cost_usd_bn_per_year"]),
        "grid_min_twh": float(grid["energy_twh_per_year"].min()),
        "grid_max_twh": float(grid["energy_twh_per_year"].max()),
        "peak_gw_added_per_year": float(df.groupby(years)["added_gw"].sum().max()),
    }
