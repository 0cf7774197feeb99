"""The one typed schema of every assumption, and loading scenarios that override its defaults.

Each assumption is declared once, with unit, default, allowed range, description and source id
(a row of data/sources.csv). Scenarios in data/scenarios/<name>.yaml override defaults only.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import paths, reads, safe_yaml
from .errors import AssumptionError, InputError
from .errors import did_you_mean as _suggest


#: Allowed GW per half-year for each element of schedule_gw_per_half.
SCHEDULE_GW_PER_HALF_RANGE = (0.0, 10.0)


def assumption(default: Any, *, label: str, unit: str, description: str, source: str, group: str,
               ge: float | None = None, le: float | None = None, uncertain: bool = False,
               informed_by: str = "", derived: bool = False, setting: bool = False, **kw: Any) -> Any:
    """Declare one assumption with its reader label, unit, range, description and source id.

    The label is what readers see wherever the assumption is named (prose, tables, charts); it has
    no unit, which `unit` gives. `source` is a row of data/sources.csv that states the value, or the
    report's judgement row (kind 'judgement'), in which case `informed_by` names the sources that
    inform it (';'-separated). `derived=True` marks a value computed from what `source` states;
    `setting=True` marks a setting of the model (a seed, a horizon), which claims nothing about the world.
    """
    extra = {"label": label, "unit": unit, "source": source, "group": group, "uncertain": uncertain,
             "informed_by": informed_by, "derived": derived, "setting": setting}
    return Field(default, ge=ge, le=le, description=description, json_schema_extra=extra, **kw)


class Assumptions(BaseModel):
    """Every assumption the models use; field names carry their unit."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False,
                              validate_default=True, strict=False)

    # --- Deployment -------------------------------------------------------------------------
    target_power_gw: float = assumption(
        10.0, label="Programme target", unit="GW",
        ge=0.0, le=50.0, group="deployment", source="openai_nvidia_loi_2025",
        description="Power of NVIDIA systems the programme aims to deploy (the LOI says at least 10 GW).")
    start_half: float = assumption(
        2026.5, label="First capacity online", unit="half-year",
        ge=2026.0, le=2030.0, group="deployment", source="openai_nvidia_loi_2025",
        description="Half-year in which the first capacity comes online (2026.5 = H2 2026).")
    schedule_gw_per_half: tuple[float, ...] = assumption(
        (1.0, 1.0, 1.0, 1.5, 1.5, 1.5, 1.5, 1.0), label="Build pace", unit="GW per half-year",
        group="deployment",
        source="assumption_tengw", informed_by="openai_nvidia_loi_2025",
        description="GW coming online in each half-year from the first capacity onward; the report's reading of the pace.")
    power_basis: Literal["facility", "it"] = assumption(
        "facility", label="What the gigawatts measure", unit="category",
        group="deployment", source="assumption_tengw", informed_by="openai_nvidia_loi_2025",
        description="Whether the programme's gigawatts count facility power (incl. cooling) or IT power.")
    horizon_end_half: float = assumption(
        2031.5, label="Last half-year modelled", unit="half-year",
        ge=2027.0, le=2035.5, group="deployment", source="assumption_tengw", setting=True,
        description="Last half-year the model reports.")

    # --- Platforms --------------------------------------------------------------------------
    platform_delay_halves: int = assumption(
        0, label="Delay of platforms after Vera Rubin", unit="halves",
        ge=0, le=6, group="platforms", source="assumption_tengw", informed_by="tomshardware_rubin_ultra_2025", uncertain=True,
        description="Half-years by which every platform after Vera Rubin arrives later than NVIDIA's roadmap.")
    adoption_lag_halves: int = assumption(
        1, label="Lag from platform launch to deployment", unit="halves",
        ge=0, le=4, group="platforms", source="assumption_tengw",
        description="Half-years between a platform's availability and its first deployment in this programme; "
                    "not applied to Vera Rubin, which the letter of intent pairs with the first gigawatt.")

    # --- Facility ---------------------------------------------------------------------------
    pue: float = assumption(
        1.2, label="Power usage effectiveness (PUE)", unit="ratio",
        ge=1.0, le=2.0, group="facility", source="assumption_tengw", informed_by="uptime_journal_2024;uptime_pue_2023", uncertain=True,
        description="Power usage effectiveness: facility power over IT power (liquid-cooled AI campus).")
    non_accelerator_it_share: float = assumption(
        0.10, label="IT power outside accelerator racks", unit="share",
        ge=0.0, le=0.5, group="facility", source="assumption_tengw",
        description="Share of IT power drawn outside accelerator racks (network, storage, CPU hosts).")
    utilisation: float = assumption(
        0.80, label="Average utilisation", unit="share",
        ge=0.1, le=1.0, group="facility", source="assumption_tengw", uncertain=True,
        description="Average draw over the year as a share of online facility power.")

    # --- Capital ----------------------------------------------------------------------------
    capex_total_usd_bn_per_gw: float = assumption(
        50.0, label="Capital cost per GW, all-in", unit="USD bn per GW",
        ge=10.0, le=150.0, group="capital", source="livemint_huang_50bn_2025",
        uncertain=True,
        description="All-in capital cost of one GW of AI factory (NVIDIA systems plus everything else).")
    capex_nvidia_usd_bn_per_gw: float = assumption(
        35.0, label="NVIDIA content per GW", unit="USD bn per GW",
        ge=5.0, le=120.0, group="capital", source="livemint_huang_50bn_2025",
        uncertain=True,
        description="NVIDIA's content (systems, networking, software) in one GW.")
    capex_change_pct_per_year: float = assumption(
        0.0, label="Yearly change in capital cost per GW", unit="percent per year",
        ge=-50.0, le=50.0, group="capital", source="assumption_tengw",
        uncertain=True,
        description="Yearly change in capital cost per GW after the first half-year (negative: cheaper).")

    # --- NVIDIA investment ------------------------------------------------------------------
    investment_structure: Literal["tranches", "equity"] = assumption(
        "tranches", label="Form of NVIDIA's investment", unit="category",
        group="investment", source="openai_nvidia_loi_2025",
        description="'tranches': investment released per GW deployed, as announced; "
                    "'equity': one fixed equity stake, as reported in 2026.")
    investment_per_gw_usd_bn: float = assumption(
        10.0, label="NVIDIA investment per GW deployed", unit="USD bn per GW",
        ge=0.0, le=50.0, group="investment", source="techspot_ft_tranche_2025",
        description="NVIDIA investment released for each GW deployed under the announced terms.")
    investment_cap_usd_bn: float = assumption(
        100.0, label="Cap on NVIDIA's investment", unit="USD bn",
        ge=0.0, le=300.0, group="investment", source="openai_nvidia_loi_2025",
        description="Ceiling on NVIDIA's investment under the announced terms.")
    equity_investment_usd_bn: float = assumption(
        30.0, label="NVIDIA equity stake", unit="USD bn",
        ge=0.0, le=300.0, group="investment", source="openai_round_feb2026",
        description="Fixed equity stake, as reported in February 2026 (used when NVIDIA's investment takes the form of equity).")
    equity_investment_half: float = assumption(
        2026.0, label="Half-year the equity stake is paid", unit="half-year",
        ge=2025.5, le=2030.0, group="investment", source="openai_round_feb2026",
        description="Half-year in which the fixed equity stake is paid.")

    # --- Risk and Monte Carlo (analysis/risk.py; the register is data/risks.csv) ---------------
    mc_seed: int = assumption(
        20250922, label="Random seed", unit="count",
        ge=0, le=2**32 - 1, group="risk", source="assumption_tengw", setting=True,
        description="Seed of the Monte Carlo's random number generator; same seed, same draws.")
    mc_draws: int = assumption(
        100_000, label="Monte Carlo draws", unit="count",
        ge=1, le=2_000_000, group="risk", source="assumption_tengw", setting=True,
        description="Number of Monte Carlo draws of the whole roadmap.")
    milestone_half: float = assumption(
        2028.5, label="Milestone half-year", unit="half-year",
        ge=2026.5, le=2035.5, group="risk", source="assumption_tengw", setting=True,
        description="Half-year at which the risk chapter reads GW online (H2 2028: mid-programme).")
    mc_pace_sigma: float = assumption(
        0.10, label="Spread of the build pace", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw",
        description="Log-normal spread of the build pace (GW added per half-year) around the schedule, "
                    "before any risk event.")
    mc_capex_overrun_sigma: float = assumption(
        0.15, label="Spread of non-NVIDIA capital cost", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw",
        description="Log-normal spread of the non-NVIDIA capital cost per GW (buildings, power, cooling).")
    mc_nvidia_price_sigma: float = assumption(
        0.10, label="Spread of NVIDIA's price per GW", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw",
        description="Log-normal spread of NVIDIA's price per GW around its assumed value.")
    mc_capex_change_sd_pct: float = assumption(
        5.0, label="Spread of the yearly capital-cost change", unit="percent per year",
        ge=0.0, le=30.0, group="risk", source="assumption_tengw", informed_by="epoch_ml_hardware",
        description="Standard deviation of the yearly change in capital cost per GW around its "
                    "assumed value.")
    mc_pue_sd: float = assumption(
        0.05, label="Spread of PUE", unit="ratio", ge=0.0, le=0.5, group="risk", source="assumption_tengw", informed_by="uptime_pue_2023",
        description="Standard deviation of PUE around its assumed value (clipped to 1.0-2.0).")
    mc_utilisation_sd: float = assumption(
        0.05, label="Spread of utilisation", unit="share",
        ge=0.0, le=0.5, group="risk", source="assumption_tengw",
        description="Standard deviation of average utilisation around its assumed value (clipped to 0.1-1.0).")
    # Risk events (data/risks.csv names which assumption is each risk's likelihood and impact).
    # A likelihood is per half-year, over the risk's stated window, or per platform launch, as the
    # register's 'basis' column says; data/risk_calibration.csv says how each number was reached.
    risk_correlation: float = assumption(
        0.5, label="Correlation of risks sharing a driver", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw",
        description="Share of draws in which every risk tied to a shared driver (build climate, chip supply, "
                    "financing climate) follows that driver's one draw instead of its own; this is also the "
                    "rank correlation of two such risks. 0 treats every risk as independent (judgement).")
    risk_correlation_high: float = assumption(
        0.8, label="High correlation tested", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw",
        description="Correlation of risks sharing a driver in the 'how much this owes to judgement' test "
                    "(the low end is independence).")
    risk_likelihood_scale: float = assumption(
        1.0, label="Scale on downside likelihoods", unit="ratio",
        ge=0.0, le=3.0, group="risk", source="assumption_tengw",
        description="Multiplier on every downside risk's likelihood over its window (capped at certainty).")
    upside_likelihood_scale: float = assumption(
        1.0, label="Scale on upside likelihoods", unit="ratio",
        ge=0.0, le=3.0, group="risk", source="assumption_tengw",
        description="Multiplier on every upside's likelihood over its window (capped at certainty).")
    judgement_likelihood_scales: tuple[Annotated[float, Field(ge=0.0, le=3.0)], ...] = assumption(
        (0.5, 1.5), label="Likelihood multipliers tested", unit="ratio",
        group="risk", source="assumption_tengw", min_length=1,
        description="Multipliers tried on every likelihood in the 'how much this owes to judgement' test.")
    risk_grid_probability: float = assumption(
        0.09, label="Grid connection late: likelihood", unit="share per half-year",
        ge=0.0, le=1.0, group="risk", source="semafor_sightline_2026", derived=True,
        description="Chance in each half-year of the build that a campus's grid connection or utility power "
                    "arrives late (reference class: data-centre projects delayed in 2025).")
    risk_grid_slip_halves: int = assumption(
        1, label="Grid connection late: delay", unit="halves",
        ge=0, le=6, group="risk", source="epoch_stargate_sites_2026", derived=True, uncertain=True,
        description="Half-years by which everything still to be built slips when the grid risk strikes "
                    "(Abilene's full power moved from mid-2026 to Q4 2026: about one half-year).")
    risk_electrical_probability: float = assumption(
        0.055, label="Transformers or turbines late: likelihood", unit="share per half-year",
        ge=0.0, le=1.0, group="risk", source="semafor_sightline_2026", derived=True,
        description="Chance in each half-year of the build that transformers, switchgear or turbines arrive "
                    "late for an energisation (the equipment share of the projects delayed in 2025).")
    risk_electrical_slip_halves: int = assumption(
        1, label="Transformers or turbines late: delay", unit="halves",
        ge=0, le=6, group="risk", source="assumption_tengw", informed_by="woodmac_transformers_2025", uncertain=True,
        description="Half-years by which everything still to be built slips when the equipment risk strikes "
                    "(judgement; no source states a delay per late delivery).")
    risk_permitting_probability: float = assumption(
        0.03, label="Local permits or opposition: likelihood", unit="share per half-year",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw",
        description="Chance in each half-year of the build that local permits, zoning or opposition hold up a "
                    "campus (judgement).")
    risk_permitting_slip_halves: int = assumption(
        1, label="Local permits or opposition: delay", unit="halves",
        ge=0, le=6, group="risk", source="assumption_tengw", uncertain=True,
        description="Half-years by which everything still to be built slips when the permitting risk strikes.")
    risk_regulation_probability: float = assumption(
        0.10, label="Antitrust review: likelihood", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw",
        description="Chance over the year after the letter of intent (H2 2025 to H2 2026) that a competition "
                    "authority reviews the supplier-financed deal and holds it up (judgement).")
    risk_regulation_slip_halves: int = assumption(
        1, label="Antitrust review: delay", unit="halves",
        ge=0, le=6, group="risk", source="assumption_tengw", uncertain=True,
        description="Half-years by which everything still to be built slips if an antitrust review holds it up.")
    risk_construction_cost_probability: float = assumption(
        0.5, label="Construction costs overrun: likelihood", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw", informed_by="flyvbjerg_overruns_2024",
        description="Chance over the build that the cost of everything around the NVIDIA systems overruns "
                    "(judgement: with the 15% overrun, it matches the modular projects' mean overrun).")
    risk_construction_cost_overrun_share: float = assumption(
        0.15, label="Construction costs overrun: size", unit="share",
        ge=0.0, le=2.0, group="risk", source="assumption_tengw", informed_by="flyvbjerg_overruns_2024", uncertain=True,
        description="Overrun on the non-NVIDIA capital cost per GW of capacity built after the overrun strikes.")
    risk_cooling_probability: float = assumption(
        0.25, label="Halls less efficient: likelihood", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw",
        description="Chance over the build that new halls run less efficiently than planned (judgement).")
    risk_cooling_pue_increase: float = assumption(
        0.10, label="Halls less efficient: rise in PUE", unit="ratio",
        ge=0.0, le=0.8, group="risk", source="assumption_tengw", informed_by="uptime_pue_2023", uncertain=True,
        description="Rise in the PUE of halls built after the efficiency risk strikes.")
    risk_hbm_probability: float = assumption(
        0.30, label="HBM or packaging shortfall: likelihood", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw",
        description="Chance over H1 2026 to H2 2027 that HBM or advanced-packaging (CoWoS) allocation falls "
                    "short of the plan (judgement).")
    risk_hbm_pace_loss_share: float = assumption(
        0.20, label="HBM or packaging shortfall: build lost", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw", uncertain=True,
        description="Share of each later half-year's build lost if the HBM or packaging risk strikes.")
    risk_memory_price_probability: float = assumption(
        0.40, label="Memory costs reach NVIDIA's prices: likelihood", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw", informed_by="trendforce_dram_2026",
        description="Chance over H1 2026 to H2 2027 that the memory price surge of 2025-26 passes into "
                    "NVIDIA's price per GW (judgement on the pass-through; the surge itself happened).")
    risk_memory_price_increase_share: float = assumption(
        0.08, label="Memory costs reach NVIDIA's prices: rise", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw", uncertain=True,
        description="Rise in NVIDIA's price per GW of capacity built after the pass-through.")
    risk_roadmap_probability: float = assumption(
        0.25, label="NVIDIA platform late: likelihood", unit="share per launch",
        ge=0.0, le=1.0, group="risk", source="bnn_blackwell_delay_2024", derived=True,
        description="Chance that each NVIDIA platform after Vera Rubin ships a half-year or more after its "
                    "roadmap date (reference class: NVIDIA's launches since Hopper).")
    risk_roadmap_delay_halves: int = assumption(
        1, label="NVIDIA platform late: delay", unit="halves",
        ge=0, le=6, group="risk", source="bnn_blackwell_delay_2024", derived=True, uncertain=True,
        description="Half-years a late platform arrives after its roadmap date (Blackwell's volume moved from "
                    "late 2024 to Q1 2025: about one half-year).")
    risk_lockin_probability: float = assumption(
        0.25, label="Volume moves to other chips: likelihood", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw",
        description="Chance by H2 2028 that alternative accelerators (OpenAI-Broadcom, AMD, Trainium) take "
                    "volume from the NVIDIA programme (judgement).")
    risk_lockin_volume_loss_share: float = assumption(
        0.30, label="Volume moves to other chips: share lost", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw", uncertain=True,
        description="Share of the GW still to be built, and of the build pace, moved to other suppliers.")
    risk_tranche_probability: float = assumption(
        0.10, label="Tranches withheld: likelihood", unit="share per half-year",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw",
        description="Chance in each half-year of the build that per-GW tranches still to come are withheld or "
                    "shrunk (judgement; applies only where the investment is paid in tranches).")
    risk_tranche_withheld_share: float = assumption(
        0.50, label="Tranches withheld: share withheld", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw", uncertain=True,
        description="Share of each later per-GW tranche not released if the tranche risk strikes.")
    risk_circular_probability: float = assumption(
        0.25, label="Financing climate tightens: likelihood", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw",
        description="Chance by H2 2028 that lenders and investors discount supplier-financed AI demand enough "
                    "to raise OpenAI's cost of funds (judgement).")
    risk_circular_cut_share: float = assumption(
        0.20, label="Financing climate tightens: cut", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw", uncertain=True,
        description="Cut in the build pace and in per-GW NVIDIA investment still to come.")
    risk_demand_probability: float = assumption(
        0.30, label="OpenAI revenue falls short: likelihood", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw",
        description="Chance by H2 2028 that OpenAI's revenue falls short enough to trim the programme "
                    "(judgement).")
    risk_demand_cut_share: float = assumption(
        0.25, label="OpenAI revenue falls short: cut", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw", uncertain=True,
        description="Cut in the GW still to be built, the build pace and the fleet's utilisation.")
    upside_fast_power_probability: float = assumption(
        0.20, label="Faster energisation: likelihood", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw",
        description="Chance over the build that on-site generation or early grid capacity lets halls "
                    "energise ahead of plan (judgement).")
    upside_fast_power_pace_gain_share: float = assumption(
        0.20, label="Faster energisation: faster pace", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw", uncertain=True,
        description="Rise in the build pace after the upside strikes (the planned GW are reached sooner).")
    upside_cheaper_build_probability: float = assumption(
        0.20, label="Construction costs ease: likelihood", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw",
        description="Chance over the build that equipment and construction costs ease as suppliers add "
                    "capacity (judgement).")
    upside_cheaper_build_saving_share: float = assumption(
        0.10, label="Construction costs ease: saving", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw", uncertain=True,
        description="Saving on the non-NVIDIA capital cost per GW of capacity built afterwards.")
    upside_early_platform_probability: float = assumption(
        0.10, label="NVIDIA platform early: likelihood", unit="share per launch",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw", informed_by="bnn_blackwell_delay_2024",
        description="Chance that each NVIDIA platform after Vera Rubin ships a half-year ahead of its roadmap "
                    "date (none of the four launches since Hopper did).")
    upside_early_platform_halves: int = assumption(
        1, label="NVIDIA platform early: lead", unit="halves",
        ge=0, le=4, group="risk", source="assumption_tengw", uncertain=True,
        description="Half-years an early platform arrives before its roadmap date.")
    upside_demand_probability: float = assumption(
        0.25, label="OpenAI revenue beats plan: likelihood", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw",
        description="Chance by H2 2028 that OpenAI's revenue runs ahead of plan and it pulls the build "
                    "forward (judgement).")
    upside_demand_pace_gain_share: float = assumption(
        0.20, label="OpenAI revenue beats plan: faster pace", unit="share",
        ge=0.0, le=1.0, group="risk", source="assumption_tengw", uncertain=True,
        description="Rise in the build pace after the upside strikes.")
    sensitivity_swing_share: float = assumption(
        0.25, label="Tornado swing", unit="share", ge=0.0, le=0.9, group="risk", source="assumption_tengw", setting=True,
        description="Tornado swing, down and up, for uncertain assumptions the Monte Carlo does not draw "
                    "(whole half-years swing by one).")
    cost_of_capital_pct: float = assumption(
        8.0, label="Cost of capital", unit="percent per year",
        ge=0.0, le=30.0, group="risk", source="assumption_tengw", uncertain=True,
        description="Yearly return the programme's capital must earn; every unit cost, carrying cost and "
                    "break-even in the report charges it through one annuity.")

    # --- Supply chain (chapter "Supply chain"; data/supply.csv) ------------------------------
    nvidia_supply_share: float = assumption(
        0.60, label="NVIDIA's share of packaging and memory supply", unit="share", ge=0.0, le=1.0, group="supply", source="semimedia_ms_cowos_2025", uncertain=True,
        description="NVIDIA's share of the world's CoWoS packaging and HBM output (Morgan Stanley: about 60% of "
                    "CoWoS in 2026); the same share is applied to HBM.")
    openai_share_of_nvidia_supply: float = assumption(
        0.15, label="Programme's share of NVIDIA's output", unit="share", ge=0.0, le=1.0, group="supply", source="assumption_tengw", uncertain=True,
        description="Share of NVIDIA's accelerator output the programme could plausibly get in a year; a "
                    "judgement of this report (range 5-30%), no source states it.")
    openai_share_range: tuple[Annotated[float, Field(ge=0.0, le=1.0)], ...] = assumption(
        (0.05, 0.30), label="Plausible range of the programme's share of NVIDIA's output", unit="share", group="supply", source="assumption_tengw", min_length=2, max_length=2,
        description="Low and high ends of the share of NVIDIA's output the programme could plausibly get "
                    "(judgement of this report).")
    packaging_yield: float = assumption(
        0.90, label="Packaging yield", unit="share", ge=0.5, le=1.0, group="supply", source="assumption_tengw", uncertain=True,
        description="Share of packages on a CoWoS wafer that pass test (judgement; packages per wafer are "
                    "quoted before yield).")
    supply_growth_pct_per_year: float = assumption(
        15.0, label="Supply growth after the sourced years", unit="percent per year", ge=-20.0, le=60.0, group="supply", source="assumption_tengw",
        uncertain=True,
        description="Yearly growth of packaging and HBM supply after the last year a source covers (2027 for "
                    "CoWoS, 2026 for HBM); a judgement of this report.")

    # --- Economics (chapter "Economics") ----------------------------------------------------
    gpu_useful_life_years: float = assumption(
        5.0, label="Useful life of accelerated IT", unit="years",
        ge=1.0, le=10.0, group="economics", source="assumption_tengw", informed_by="tipranks_burry_2025", uncertain=True,
        description="Straight-line life of the accelerated IT (NVIDIA content); hyperscalers book 5-6 years, "
                    "critics argue 2-3.")
    useful_life_options_years: tuple[Annotated[float, Field(ge=1.0, le=10.0)], ...] = assumption(
        (3.0, 4.0, 5.0, 6.0), label="Useful lives compared", unit="years",
        group="economics", source="assumption_tengw", informed_by="tipranks_burry_2025", min_length=1,
        description="Useful lives compared in the depreciation chart (each between 1 and 10 years).")
    facility_life_years: float = assumption(
        15.0, label="Useful life of facilities", unit="years",
        ge=5.0, le=40.0, group="economics", source="assumption_tengw", uncertain=True,
        description="Straight-line life of everything that is not NVIDIA content (buildings, power, cooling).")
    electricity_price_usd_per_mwh: float = assumption(
        80.6, label="Electricity price", unit="USD per MWh",
        ge=0.0, le=500.0, group="economics", source="eia_epa_2023_prices", uncertain=True,
        description="Price the programme pays for electricity (US average industrial price, 2023).")
    openai_revenue_growth_pct_per_year: float = assumption(
        84.5, label="Growth of OpenAI's revenue", unit="percent per year",
        ge=-50.0, le=300.0, group="economics", source="reuters_600bn_2026", derived=True,
        uncertain=True,
        description="Yearly growth of OpenAI's revenue after 2025; 84.5% takes $13.1bn (2025) to OpenAI's "
                    "stated >$280bn in 2030.")
    nvidia_gross_margin: float = assumption(
        0.727, label="NVIDIA's gross margin", unit="share",
        ge=0.0, le=1.0, group="economics", source="webpronews_nvidia_q2fy26_2025",
        description="NVIDIA's gross margin on the systems it sells to the programme (non-GAAP, Q2 FY2026).")

    @model_validator(mode="after")
    def _consistent(self) -> "Assumptions":
        problems = []
        if self.capex_nvidia_usd_bn_per_gw > self.capex_total_usd_bn_per_gw:
            problems.append("capex_nvidia_usd_bn_per_gw exceeds capex_total_usd_bn_per_gw")
        for i, gw in enumerate(self.schedule_gw_per_half):
            lo, hi = SCHEDULE_GW_PER_HALF_RANGE
            if not (lo <= gw <= hi) or math.isnan(gw):
                problems.append(f"schedule_gw_per_half[{i}] = {gw} is outside {lo:g} to {hi:g} GW per half-year")
        if (self.start_half * 2) % 1 or (self.horizon_end_half * 2) % 1:
            problems.append("start_half and horizon_end_half must be whole half-years (x.0 or x.5)")
        if self.start_half + 0.5 * (len(self.schedule_gw_per_half) - 1) > self.horizon_end_half:
            problems.append("schedule_gw_per_half runs past horizon_end_half")
        lo, hi = self.openai_share_range
        if not lo <= self.openai_share_of_nvidia_supply <= hi:
            problems.append("openai_share_of_nvidia_supply must lie within openai_share_range (low, high)")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # Read tracking (analysis/reads.py): which values a notebook run reads decides when it re-runs.
    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if reads.ACTIVE and (name in _FIELDS or name == "__dict__"):
            reads.on_attr(self, name, value, _FIELD_ORDER)
        return value

    def model_copy(self, *, update: Any = None, deep: bool = False) -> "Assumptions":
        """A copy whose replaced fields are derived values and whose other fields read this object's."""
        with reads.paused():
            new = super().model_copy(update=update, deep=deep)
        reads.derive(new, self, set(update or ()), "assumptions")
        return new

    @classmethod
    def ledger(cls) -> list[dict[str, Any]]:
        """Return one row per assumption: name, unit, default, range, description, source."""
        rows = []
        for name, f in cls.model_fields.items():
            extra = f.json_schema_extra or {}
            lo = next((m.ge for m in f.metadata if hasattr(m, "ge")), None)
            hi = next((m.le for m in f.metadata if hasattr(m, "le")), None)
            rows.append({"name": name, "label": extra["label"], "group": extra["group"], "unit": extra["unit"],
                         "default": f.default, "min": lo, "max": hi, "uncertain": extra["uncertain"],
                         "description": f.description, "source_id": extra["source"],
                         "informed_by": extra.get("informed_by", ""), "derived": bool(extra.get("derived")),
                         "setting": bool(extra.get("setting"))})
        return rows


class Citation(BaseModel):
    """Where a value comes from: the source that states it (or the judgement row) and what informs it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str
    informed_by: str = ""
    derived: bool = False
    set_by_reader: bool = False

    @property
    def informing(self) -> tuple[str, ...]:
        """Return the informing source ids, in order."""
        return tuple(s.strip() for s in self.informed_by.split(";") if s.strip())


class Scenario(BaseModel):
    """A named set of overrides, with the text the report shows about it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    title: str
    description: str
    assumptions: Assumptions
    #: Why each value set by the scenario file departs from the default: {assumption: Citation}.
    sources: dict[str, Citation] = {}
    #: Assumptions the reader set on the command line (--set), which no source backs.
    reader_set: tuple[str, ...] = ()

    def citation(self, name: str) -> Citation:
        """Return where this edition's value of one assumption comes from.

        Recorded as a read of this one citation (reads.CITATION + name), not of the whole `sources`
        and `reader_set`: a chapter that cites one value does not depend on how the others were set."""
        with reads.paused():
            cite = self._citation(name)
        if reads.ACTIVE:
            reads.on_attr(self, reads.CITATION + name, cite.model_dump(), _SCENARIO_FIELDS)
        return cite

    def _citation(self, name: str) -> Citation:
        if name in self.reader_set:
            return Citation(source="", set_by_reader=True)
        if name in self.sources:
            return self.sources[name]
        extra = Assumptions.model_fields[name].json_schema_extra or {}
        return Citation(source=str(extra["source"]), informed_by=str(extra.get("informed_by", "")),
                        derived=bool(extra.get("derived")))

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if reads.ACTIVE and (name in _SCENARIO_FIELDS or name == "__dict__"):
            reads.on_attr(self, name, value, _SCENARIO_FIELDS, nested=("assumptions",))
        return value

    def model_copy(self, *, update: Any = None, deep: bool = False) -> "Scenario":
        """A copy that shares this scenario's assumptions object (deep copies read everything)."""
        if deep:
            return super().model_copy(update=update, deep=True)
        with reads.paused():
            new = super().model_copy(update=update)
        reads.derive(new, self, set(update or ()), "scenario")
        return new


_FIELD_ORDER = tuple(Assumptions.model_fields)
_FIELDS = frozenset(_FIELD_ORDER)
_SCENARIO_FIELDS = tuple(Scenario.model_fields)


SCENARIO_KEYS = {"title", "description", "assumptions", "sources"}


def _citations(raw: Any, values: dict[str, Any], where: str) -> tuple[dict[str, Citation], list[str]]:
    """Parse a scenario file's `sources` mapping: name -> source id, or {source, informed_by}."""
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        return {}, [f"{where}: 'sources' must be a mapping of assumption: source id"]
    out, problems = {}, []
    for name, entry in raw.items():
        if name not in values:
            problems.append(f"{where}: sources.{name}: not an assumption this file sets"
                            f"{_suggest(str(name), list(values))}")
            continue
        try:
            out[name] = (Citation(source=entry) if isinstance(entry, str)
                         else Citation(**entry) if isinstance(entry, dict) else None)
        except ValidationError:
            out[name] = None
        if out[name] is None:
            problems.append(f"{where}: sources.{name}: expected a source id or {{source, informed_by}}")
            out.pop(name)
    return out, problems


scenario_names = paths.scenario_names


def _read_yaml(path: Path) -> dict[str, Any]:
    doc = safe_yaml.read(path, "scenario file")
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise InputError(f"{path.name}: expected a mapping with 'title', 'description', 'assumptions'")
    return doc


def _short(value: Any, limit: int = 60) -> str:
    """repr of a value, cut to one short phrase (a scenario file may hold a long list)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _problems(err: ValidationError, where: str) -> list[str]:
    out = []
    fields = Assumptions.model_fields
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "assumptions"
        name = str(e["loc"][0]) if e["loc"] else ""
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "invalid_key":
            out.append(f"{where}: key {_short(e['loc'][-1] if e['loc'] else None)} is not an assumption name")
            continue
        if e["type"] == "extra_forbidden":
            msg = f"unknown parameter{_suggest(name, list(fields))}"
            out.append(f"{where}: {loc}: {msg}")
            continue
        unit = (fields[name].json_schema_extra or {}).get("unit") if name in fields else None
        got = f" = {_short(e['input'])}" if "input" in e and not isinstance(e["input"], dict) else ""
        out.append(f"{where}: {loc}{got}: {msg}" + (f" (unit: {unit})" if unit else ""))
    return out


def resolve(scenario: str | Path = "base", overrides: dict[str, Any] | None = None,
            name: str | None = None) -> Scenario:
    """Load a scenario by name or YAML path, apply overrides, and validate everything at once."""
    path = Path(scenario)
    if path.suffix in {".yaml", ".yml"}:
        label = name or path.stem
    else:
        known = paths.list_scenarios()  # a membership check, not a read of the list: see reads.py
        if str(scenario) not in known:
            raise InputError(f"unknown scenario {str(scenario)!r}{_suggest(str(scenario), known)}; "
                             f"known: {', '.join(known)}")
        path, label = paths.scenario_file(str(scenario)), name or str(scenario)
    doc = _read_yaml(path)
    problems = [f"{path.name}: unknown key {k!r}{_suggest(str(k), sorted(SCENARIO_KEYS))}"
                for k in doc if k not in SCENARIO_KEYS]
    values = doc.get("assumptions") or {}
    if not isinstance(values, dict):
        problems.append(f"{path.name}: 'assumptions' must be a mapping of name: value")
        values = {}
    cites, cite_problems = _citations(doc.get("sources"), values, path.name)
    problems += cite_problems
    merged = {**values, **(overrides or {})}
    try:
        parsed = Assumptions.model_validate(merged)  # not **merged: a key may be a number
    except ValidationError as err:
        where = path.name if not overrides else f"{path.name} with overrides"
        problems += _problems(err, where)
        parsed = None
    if problems:
        raise AssumptionError(problems)
    sc = Scenario(name=label, title=str(doc.get("title", label)),
                  description=str(doc.get("description", "")), assumptions=parsed, sources=cites,
                  reader_set=tuple(sorted(overrides or {})))
    reads.tag(sc, reads.origin_key(scenario, overrides, name), _file_digest(path))
    return sc


def _file_digest(path: Path) -> tuple[str, str] | None:
    """Return the scenario file as the cache names it and the sha256 of its bytes (None if unreadable)."""
    import hashlib

    try:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
    resolved = path.resolve()
    return (str(resolved.relative_to(paths.ROOT)) if paths.ROOT in resolved.parents else str(resolved)), sha


def load(scenario: str | Path = "base", overrides: dict[str, Any] | None = None) -> Assumptions:
    """Return the validated assumptions of a scenario with optional overrides."""
    return resolve(scenario, overrides).assumptions
