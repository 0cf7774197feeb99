"""Carbon and water: the programme's electricity turned into emissions under sourced grid intensities,
and into water use under sourced water-use-effectiveness figures.

Public API:
- intensities(): every grid-intensity case in tonnes CO2e per MWh, with its source;
- sites_intensity(): the named US sites' grids, weighted by planned GW (sites in talks left out);
- emissions_mt(energy_twh, t_per_mwh): Mt CO2e from TWh (1 TWh at 1 t/MWh is 1 Mt);
- water_gl(energy_twh, litres_per_kwh, basis, pue): gigalitres (billion litres) of water;
- by_year(a, result): emissions and water per calendar year under every case;
- key_numbers(a, result): the chapter's headline numbers at full build.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import data, labels, roadmap
from .assumptions import Assumptions
from .deal import with_sources

#: Tonnes per pound (exact) and per gram: eGRID publishes lb/MWh, IPCC g/kWh (= kg/MWh).
T_PER_LB = 0.45359237e-3
T_PER_KG = 1e-3
TO_T_PER_MWH = {"lb CO2e per MWh": T_PER_LB, "g CO2e per kWh": T_PER_KG}
#: Reference emissions for scale (fact-like rows read from data/facts.csv).
US_POWER_CO2_FACT = "us_power_sector_co2_2023_mt"
US_ENERGY_CO2_FACT = "us_energy_co2_2023_mt"


labels.register("emissions_mt", "Emissions", "Mt CO2e a year")
labels.register("energy_twh", "Electricity use", "TWh a year")


def intensities() -> pd.DataFrame:
    """Return the grid-intensity cases with value/low/high in t CO2e per MWh and their sources."""
    g = data.table("grid_intensity").copy()
    bad = sorted(set(g["unit"]) - set(TO_T_PER_MWH))
    if bad:
        raise ValueError(f"data/grid_intensity.csv: no conversion for unit(s) {', '.join(bad)}")
    k = g["unit"].map(TO_T_PER_MWH)
    for col in ("value", "low", "high"):
        g[f"{col}_t_per_mwh"] = g[col] * k
    return with_sources(g)


def sites_intensity() -> float:
    """Return the planned-GW-weighted grid intensity of the named US sites (t CO2e per MWh)."""
    s = data.table("sites")
    g = intensities()
    g = g[g["kind"] == "location"].set_index("region")
    # Sites still in talks are left out, so one proposed 10 GW campus does not set the average.
    us = s[(s["planned_gw"] > 0) & (s["egrid_subregion"] != "") & (s["status"] != "in talks")]
    rate = us["egrid_subregion"].map(g["value_t_per_mwh"])
    return float((rate * us["planned_gw"]).sum() / us["planned_gw"].sum())


def emissions_mt(energy_twh, t_per_mwh):
    """Return Mt CO2e: TWh x 1e6 MWh/TWh x t/MWh / 1e6 t/Mt (broadcasts)."""
    return np.asarray(energy_twh, float) * np.asarray(t_per_mwh, float)


def water_gl(energy_twh, litres_per_kwh, basis: str = "it", pue: float = 1.0):
    """Return gigalitres (1e9 litres) of water: 1 TWh is 1e9 kWh, so GL = TWh x L/kWh.

    basis 'it': the figure is per kWh of IT energy (water use effectiveness as defined), so facility
    energy is divided by PUE first; 'facility': per kWh of all the site's electricity.
    """
    if basis not in ("it", "facility"):
        raise ValueError(f"water basis must be 'it' or 'facility', not {basis!r}")
    energy = np.asarray(energy_twh, float) / (pue if basis == "it" else 1.0)
    return energy * np.asarray(litres_per_kwh, float)


def cases() -> pd.DataFrame:
    """Return the emission cases the chapter compares: US average, the sites' grids, on-site gas and
    low-carbon procurement (t CO2e per MWh)."""
    g = intensities().set_index("case_id")
    rows = [("us_average", "US average grid", g.at["us_average", "value_t_per_mwh"], "epa_egrid_2023"),
            ("sites", "Grids of the named US sites", sites_intensity(), "epa_egrid_2023"),
            ("onsite_gas", "On-site gas (combined cycle)", g.at["onsite_gas", "value_t_per_mwh"], "ipcc_ar5_annex3_2014"),
            ("low_carbon", "Low-carbon procurement", g.at["low_carbon", "value_t_per_mwh"], "ipcc_ar5_annex3_2014")]
    return pd.DataFrame(rows, columns=["case_id", "label", "t_per_mwh", "source_id"])


def by_year(a: Assumptions, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return per calendar year and case: TWh used, Mt CO2e, and gigalitres of on-site water.

    Energy in a year is the mean of its two half-years' annual rates (the capacity online each half).
    """
    df = roadmap.run(a) if result is None else result
    year = np.floor(df["half"]).astype(int)
    twh = df.groupby(year)["energy_twh_per_year"].mean()
    pue = a.pue if a.power_basis == "facility" else 1.0
    w = data.table("water").set_index("case_id")
    frames = []
    for c in cases().itertuples():
        frames.append(pd.DataFrame({"year": twh.index, "case_id": c.case_id, "case": c.label,
                                    "energy_twh": twh.to_numpy(), "emissions_mt": emissions_mt(twh.to_numpy(), c.t_per_mwh)}))
    out = pd.concat(frames, ignore_index=True)
    for cid in ("closed_loop_fleet", "us_average", "evaporative"):
        out[f"water_gl_{cid}"] = water_gl(out["energy_twh"], w.at[cid, "value"], w.at[cid, "basis"], pue)
    return out


def full_build(a: Assumptions, result: pd.DataFrame | None = None) -> dict[str, float]:
    """Return the programme's annual TWh at full build and the matching emissions and water per case."""
    df = roadmap.run(a) if result is None else result
    twh = float(df["energy_twh_per_year"].max())
    pue = a.pue if a.power_basis == "facility" else 1.0
    out: dict[str, float] = {"energy_twh": twh}
    for c in cases().itertuples():
        out[f"mt_{c.case_id}"] = float(emissions_mt(twh, c.t_per_mwh))
        out[f"t_per_mwh_{c.case_id}"] = float(c.t_per_mwh)
    w = data.table("water").set_index("case_id")
    for cid in w.index:
        out[f"gl_{cid}"] = float(water_gl(twh, w.at[cid, "value"], w.at[cid, "basis"], pue))
    return out


def key_numbers(a: Assumptions, result: pd.DataFrame | None = None) -> dict[str, float]:
    """Return the carbon-and-water headline numbers at full build, with references for scale."""
    f = full_build(a, result)
    power = data.fact(US_POWER_CO2_FACT)
    energy = data.fact(US_ENERGY_CO2_FACT)
    us_dc_water = data.fact("us_dc_direct_water_2023_gl")
    return {**f, "us_power_co2_mt": power, "us_energy_co2_mt": energy,
            "share_of_us_power_co2": f["mt_us_average"] / power,
            "share_of_us_energy_co2": f["mt_us_average"] / energy,
            "us_dc_water_gl": us_dc_water, "water_share_of_us_dc": f["gl_us_average"] / us_dc_water}
