"""Economics: capital per GW, NVIDIA's revenue against its investment, OpenAI's funding need, depreciation
and the cost of a unit of compute.

Public API (USD bn unless a column says otherwise):
- capex_split(a): capital per GW and per half-year, NVIDIA content and the rest;
- recycling(a): NVIDIA revenue from the programme against the investment it releases, by half-year;
- capital_charge(a, nvidia, other): the yearly cost of holding capital, the one cost-of-capital
  treatment every unit cost, carrying cost and break-even in the report uses;
- funding(a): per calendar year, capital net of NVIDIA's investment against OpenAI's revenue;
- depreciation(a, lives): straight-line depreciation by half-year for each useful life;
- compute_cost(a): cost of a unit of compute for each NVIDIA platform, and trend_pct_per_year();
- key_numbers(a): the chapter's headline numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import data, formulas as F, roadmap
from .assumptions import Assumptions
from .units import HOURS_PER_YEAR

#: First calendar year of OpenAI revenue the projection grows from (data/facts.csv).
REVENUE_BASE_FACT = "openai_revenue_2025_usd_bn"
REVENUE_BASE_YEAR = 2025
#: The furthest OpenAI revenue figure any source gives; the projection stops at its year.
REVENUE_HORIZON_FACT = "openai_revenue_2030_target_usd_bn"


#: Key numbers that are NaN by design when a year lies beyond the revenue source's horizon.
BEYOND_HORIZON_KEYS = ("peak_funding_revenue_usd_bn",)


def revenue_horizon_year() -> int:
    """Return the last year a source gives OpenAI revenue for (the 2030 target's year)."""
    return int(str(data.fact_row(REVENUE_HORIZON_FACT)["as_of"])[:4])


# --- The one cost-of-capital treatment ---------------------------------------------------------

def capital_recovery_factor(rate_pct: float, life_years):
    """Return the level yearly payment that repays 1 of capital over its life at rate_pct a year
    (an annuity; 1/life as the rate goes to zero), from the one definition in analysis.formulas.
    Broadcasts over arrays of lives."""
    return F.evaluate("capital_recovery_nvidia", {"cost_of_capital_pct": float(rate_pct),
                                                  "gpu_useful_life_years": np.asarray(life_years, float)})


def capital_charge(a: Assumptions, nvidia_usd_bn, other_usd_bn) -> dict[str, np.ndarray | float]:
    """Return the yearly cost of holding capital: each part repaid as a level annuity over its own
    life (NVIDIA content over gpu_useful_life_years, the rest over facility_life_years) at
    cost_of_capital_pct. Split into straight-line depreciation and the return on capital (the rest).

    The definition is analysis.formulas 'capital_charge_usd_bn' (so the HTML what-if panel follows it);
    every unit cost, carrying cost and funding computation in Python calls this function, so they
    share one treatment; issue 13's funding gap uses it too.
    """
    nvidia = np.asarray(nvidia_usd_bn, float)
    env = {"capex_nvidia_cum_usd_bn": nvidia, "capex_cum_usd_bn": nvidia + np.asarray(other_usd_bn, float),
           **{k: getattr(a, k) for k in ("cost_of_capital_pct", "gpu_useful_life_years", "facility_life_years")}}
    total = F.evaluate("capital_charge_usd_bn", env)
    ret = F.evaluate("capital_return_usd_bn", env)
    return {"depreciation_usd_bn": total - ret, "return_on_capital_usd_bn": ret, "total_usd_bn": total}


def carrying_cost(a: Assumptions, nvidia_by_year, other_by_year) -> pd.DataFrame:
    """Return, per year, the capital outstanding at the start of the year and its cost of capital, when
    each year's capital is a cohort repaid by the level annuity capital_charge sets (NVIDIA content over
    gpu_useful_life_years, the rest over facility_life_years): each year the cohort pays its charge,
    cost_of_capital_pct on the balance outstanding and the rest as principal. Over a cohort's life the
    costs add up to the return on capital capital_charge includes, so the funding gap (issue 13) and
    every unit cost share one treatment. Capital spent in a year is outstanding from the next."""
    r = a.cost_of_capital_pct / 100.0
    parts = ((np.asarray(nvidia_by_year, float), 1.0, 0.0), (np.asarray(other_by_year, float), 0.0, 1.0))
    n = len(parts[0][0])
    outstanding = np.zeros(n)
    for amounts, nv, ot in parts:
        for c in np.flatnonzero(amounts > 0):
            payment = float(capital_charge(a, nv * amounts[c], ot * amounts[c])["total_usd_bn"])
            balance = float(amounts[c])
            for y in range(c + 1, n):
                if balance <= 1e-12:
                    break
                outstanding[y] += balance
                balance = balance * (1.0 + r) - payment
    return pd.DataFrame({"capital_outstanding_usd_bn": outstanding, "capital_cost_usd_bn": r * outstanding})


def _roadmap(a: Assumptions, result: pd.DataFrame | None) -> pd.DataFrame:
    return roadmap.run(a) if result is None else result


def capex_split(a: Assumptions, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return capital per GW (NVIDIA content and the rest) and capital spent, by half-year."""
    df = _roadmap(a, result)
    out = df[["half", "half_label", "added_gw", "online_gw"]].copy()
    out["capex_nvidia_usd_bn"] = df["capex_nvidia_usd_bn"]
    out["capex_other_usd_bn"] = df["capex_usd_bn"] - df["capex_nvidia_usd_bn"]
    out["capex_usd_bn"] = df["capex_usd_bn"]
    added = df["added_gw"].where(df["added_gw"] > 0)
    out["capex_nvidia_usd_bn_per_gw"] = out["capex_nvidia_usd_bn"] / added
    out["capex_other_usd_bn_per_gw"] = out["capex_other_usd_bn"] / added
    out["capex_usd_bn_per_gw"] = out["capex_usd_bn"] / added
    return out


def recycling(a: Assumptions, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return NVIDIA's revenue from the programme and the investment it releases, by half-year.

    NVIDIA's revenue is its content in the GW added that half-year (booked when the capacity comes
    online); recycling_ratio = investment / revenue, i.e. how much of each revenue dollar NVIDIA puts
    back into OpenAI. Cumulative columns carry '_cum'.
    """
    df = _roadmap(a, result)
    out = df[["half", "half_label", "added_gw"]].copy()
    out["nvidia_revenue_usd_bn"] = df["capex_nvidia_usd_bn"]
    out["investment_usd_bn"] = df["investment_released_usd_bn"]
    out["net_to_nvidia_usd_bn"] = out["nvidia_revenue_usd_bn"] - out["investment_usd_bn"]
    out["nvidia_gross_profit_usd_bn"] = out["nvidia_revenue_usd_bn"] * a.nvidia_gross_margin
    rev = out["nvidia_revenue_usd_bn"]
    out["recycling_ratio"] = (out["investment_usd_bn"] / rev.where(rev > 0)).astype(float)
    out["nvidia_revenue_cum_usd_bn"] = rev.cumsum()
    out["investment_cum_usd_bn"] = out["investment_usd_bn"].cumsum()
    out["net_to_nvidia_cum_usd_bn"] = out["net_to_nvidia_usd_bn"].cumsum()
    cum = out["nvidia_revenue_cum_usd_bn"]
    out["recycling_ratio_cum"] = (out["investment_cum_usd_bn"] / cum.where(cum > 0)).astype(float)
    return out


def openai_revenue_usd_bn(a: Assumptions, years) -> np.ndarray:
    """Return OpenAI's projected revenue for calendar years: the 2025 figure grown at the assumed rate,
    and NaN after the last year any source gives a figure for (no projection past its horizon)."""
    base = data.fact(REVENUE_BASE_FACT)
    years = np.asarray(years, float)
    rev = base * (1.0 + a.openai_revenue_growth_pct_per_year / 100.0) ** (years - REVENUE_BASE_YEAR)
    return np.where(years <= revenue_horizon_year(), rev, np.nan)


def _overlap(t: np.ndarray, life: float) -> np.ndarray:
    """Return, for cohorts (rows) coming online in each half of t, the years of each half (columns)
    that fall within their life."""
    starts, ends = t[:, None], t[None, :] + 0.5
    return np.clip(np.minimum(ends, starts + life) - np.maximum(t[None, :], starts), 0.0, 0.5)


def depreciation(a: Assumptions, lives=None, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return straight-line depreciation by half-year for each useful life of the NVIDIA content.

    Each half-year's cohort depreciates from the half it comes online: NVIDIA content over the useful
    life, everything else over facility_life_years. Long format: half, half_label, year, life_years,
    depreciation_usd_bn (per half-year), nvidia_part_usd_bn.
    """
    df = _roadmap(a, result)
    lives = tuple(a.useful_life_options_years if lives is None else lives)
    t = df["half"].to_numpy()

    def share(life: float) -> np.ndarray:
        """Fraction of a cohort's cost written off in each half: overlap of the half with its life."""
        return _overlap(t, life) / life

    nvidia = df["capex_nvidia_usd_bn"].to_numpy()
    other = (df["capex_usd_bn"] - df["capex_nvidia_usd_bn"]).to_numpy()
    other_dep = other @ share(a.facility_life_years)
    frames = []
    for life in lives:
        nv = nvidia @ share(float(life))
        frames.append(pd.DataFrame({"half": t, "half_label": df["half_label"], "year": np.floor(t).astype(int),
                                    "life_years": float(life), "nvidia_part_usd_bn": nv,
                                    "depreciation_usd_bn": nv + other_dep}))
    return pd.concat(frames, ignore_index=True)


def capital_charge_by_half(a: Assumptions, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return, per half-year, the capital charge of every cohort still within its life: each cohort's
    yearly annuity (capital_charge) times the years of the half it is in service."""
    df = _roadmap(a, result)
    t = df["half"].to_numpy()
    nvidia = df["capex_nvidia_usd_bn"].to_numpy()
    other = (df["capex_usd_bn"] - df["capex_nvidia_usd_bn"]).to_numpy()
    per_nv = capital_charge(a, 1.0, 0.0)["total_usd_bn"]
    per_other = capital_charge(a, 0.0, 1.0)["total_usd_bn"]
    charge = (nvidia * per_nv) @ _overlap(t, a.gpu_useful_life_years) \
        + (other * per_other) @ _overlap(t, a.facility_life_years)
    return pd.DataFrame({"half": t, "capital_charge_usd_bn": charge})


def funding(a: Assumptions, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return, per calendar year, the programme's capital, NVIDIA's investment, the capital left to fund,
    the yearly carrying cost (capital charge at the cost of capital, plus electricity) and OpenAI's
    revenue where a source reaches that year (NaN beyond it)."""
    df = _roadmap(a, result)
    year = np.floor(df["half"]).astype(int)
    dep = depreciation(a, (a.gpu_useful_life_years,), df)
    elec = F.ELECTRICITY_COST_USD_BN_PER_YEAR.evaluate({  # a year's cost; / 2 per half-year
        "energy_twh_per_year": df["energy_twh_per_year"],
        "electricity_price_usd_per_mwh": a.electricity_price_usd_per_mwh}) / 2
    per_half = pd.DataFrame({"year": year, "capex_usd_bn": df["capex_usd_bn"],
                             "investment_usd_bn": df["investment_released_usd_bn"],
                             "depreciation_usd_bn": dep["depreciation_usd_bn"].to_numpy(),
                             "capital_charge_usd_bn": capital_charge_by_half(a, df)["capital_charge_usd_bn"].to_numpy(),
                             "electricity_usd_bn": elec.to_numpy()})
    out = per_half.groupby("year", as_index=False).sum()
    out["funding_need_usd_bn"] = out["capex_usd_bn"] - out["investment_usd_bn"]
    out["carrying_cost_usd_bn"] = out["capital_charge_usd_bn"] + out["electricity_usd_bn"]
    out["openai_revenue_usd_bn"] = openai_revenue_usd_bn(a, out["year"])
    out["funding_need_to_revenue"] = out["funding_need_usd_bn"] / out["openai_revenue_usd_bn"]
    out["carrying_cost_to_revenue"] = out["carrying_cost_usd_bn"] / out["openai_revenue_usd_bn"]
    return out


def sourced_openai_finance() -> pd.DataFrame:
    """Return OpenAI's sourced revenue and cash-burn figures as year, series, value_usd_bn, source."""
    from .deal import with_sources
    facts = data.table("facts")
    f = facts[facts["topic"] == "openai_finance"].copy()
    rows = []
    for _, r in f.iterrows():
        fid = r["fact_id"]
        if fid.startswith("openai_revenue_") and fid.endswith("_usd_bn"):
            series = "Revenue (reported or target)"
        elif fid.startswith("openai_cash_burn_") and fid.endswith("_usd_bn"):
            series = "Cash burn (projection reported)"
        else:
            continue
        year = int(str(r["as_of"])[:4])
        rows.append({"year": year, "series": series, "value_usd_bn": r["value"], "fact_id": fid,
                     "source_id": r["source_id"]})
    return with_sources(pd.DataFrame(rows))


def units_per_gw(a: Assumptions, p: pd.DataFrame) -> pd.DataFrame:
    """Return racks, packages and dense PFLOP/s per GW of programme power for each platform."""
    it_per_gw = 1.0 / a.pue if a.power_basis == "facility" else 1.0
    racks = F.RACKS.evaluate({"it_gw": it_per_gw, "non_accelerator_it_share": a.non_accelerator_it_share,
                              "rack_power_kw": p["rack_power_kw"]})
    return pd.DataFrame({"racks_per_gw": racks, "packages_per_gw": racks * p["accelerators_per_rack"],
                         "fp8_pflops_per_gw": racks * p["fp8_dense_pflops_per_rack"],
                         "fp4_pflops_per_gw": racks * p["fp4_dense_pflops_per_rack"]}, index=p.index)


def compute_cost(a: Assumptions, platforms: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the cost of a unit of compute for each NVIDIA platform.

    Capital per GW is the scenario's, moved by its yearly trend to the platform's first deployable
    half-year (never before the programme starts). The unit is one PFLOP/s of dense FP8 (and FP4)
    throughput; the running cost is the capital charge (capital_charge: an annuity at the cost of
    capital over each part's life) plus electricity at the scenario's utilisation.

    A platform's first half-year is the roadmap's (roadmap.first_deployed); platforms the programme
    never deploys keep their availability and are shown for reference.
    """
    p = (data.platforms() if platforms is None else platforms).copy()
    prog = roadmap.programme_platforms(a, p)
    first = roadmap.first_deployed(a, platforms=platforms).reindex(p.index)
    p["deployable_half"] = first.fillna(prog["deployable_half"].reindex(p.index)).fillna(p["availability_half"])
    p["in_programme"] = first.notna().to_numpy()
    trend = F.COST_TREND.evaluate({"capex_change_pct_per_year": a.capex_change_pct_per_year,
                                   "years": p["deployable_half"] - a.start_half})
    u = units_per_gw(a, p)
    out = pd.concat([p, u], axis=1)
    out["capex_usd_bn_per_gw"] = a.capex_total_usd_bn_per_gw * trend
    out["capex_nvidia_usd_bn_per_gw"] = a.capex_nvidia_usd_bn_per_gw * trend
    facility_gw = 1.0 if a.power_basis == "facility" else a.pue
    energy_twh = F.ENERGY_TWH_PER_YEAR.evaluate({"facility_power_gw": facility_gw, "utilisation": a.utilisation})
    charge = capital_charge(a, out["capex_nvidia_usd_bn_per_gw"],
                            out["capex_usd_bn_per_gw"] - out["capex_nvidia_usd_bn_per_gw"])
    out["capital_charge_usd_bn_per_gw"] = charge["total_usd_bn"]
    out["annual_cost_usd_bn_per_gw"] = charge["total_usd_bn"] + F.ELECTRICITY_COST_USD_BN_PER_YEAR.evaluate(
        {"energy_twh_per_year": energy_twh, "electricity_price_usd_per_mwh": a.electricity_price_usd_per_mwh})
    out["capex_usd_per_fp8_pflops"] = out["capex_usd_bn_per_gw"] * 1e9 / out["fp8_pflops_per_gw"]
    out["capex_usd_per_fp4_pflops"] = out["capex_usd_bn_per_gw"] * 1e9 / out["fp4_pflops_per_gw"]
    out["usd_per_package_hour"] = out["annual_cost_usd_bn_per_gw"] * 1e9 / (out["packages_per_gw"] * HOURS_PER_YEAR)
    delivered = out["fp8_pflops_per_gw"] * HOURS_PER_YEAR * a.utilisation
    out["usd_per_fp8_pflops_hour"] = out["annual_cost_usd_bn_per_gw"] * 1e9 / delivered
    # USD m per MW-year of IT power, the unit of Epoch AI's cost-of-ownership estimate.
    out["usd_m_per_it_mw_year"] = out["annual_cost_usd_bn_per_gw"] / (1.0 / a.pue if a.power_basis == "facility" else 1.0)
    return out.reset_index().rename(columns={"index": "platform"}).sort_values("availability_half",
                                                                             ignore_index=True)


def trend_pct_per_year(cost: pd.DataFrame, column: str = "capex_usd_per_fp8_pflops",
                       only_programme: bool = True) -> float:
    """Return the yearly % change of a cost column across platforms (log-linear fit on availability)."""
    c = cost[cost["in_programme"]] if only_programme else cost
    if len(c) < 2:
        return float("nan")
    slope = np.polyfit(c["availability_half"].to_numpy(float), np.log(c[column].to_numpy(float)), 1)[0]
    return float((np.exp(slope) - 1.0) * 100.0)


def key_numbers(a: Assumptions, result: pd.DataFrame | None = None) -> dict[str, float | str]:
    """Return the economics chapter's headline numbers for one scenario."""
    df = _roadmap(a, result)
    r = recycling(a, df)
    f = funding(a, df)
    dep = depreciation(a, None, df)
    annual_dep = dep.groupby(["life_years", "year"])["depreciation_usd_bn"].sum()
    peak_dep = annual_dep.groupby(level=0).max()
    cost = compute_cost(a)
    prog = cost[cost["in_programme"]]
    peak = f.loc[f["funding_need_usd_bn"].idxmax()]
    horizon = revenue_horizon_year()
    window = f[(f["year"] >= 2026) & (f["year"] <= horizon)]
    last = r.iloc[-1]
    return {
        "capex_usd_bn_per_gw": a.capex_total_usd_bn_per_gw,
        "capex_nvidia_usd_bn_per_gw": a.capex_nvidia_usd_bn_per_gw,
        "capex_other_usd_bn_per_gw": a.capex_total_usd_bn_per_gw - a.capex_nvidia_usd_bn_per_gw,
        "nvidia_share_of_capex": a.capex_nvidia_usd_bn_per_gw / a.capex_total_usd_bn_per_gw,
        "capex_total_usd_bn": float(df["capex_usd_bn"].sum()),
        "nvidia_revenue_usd_bn": float(last["nvidia_revenue_cum_usd_bn"]),
        "investment_usd_bn": float(last["investment_cum_usd_bn"]),
        "net_to_nvidia_usd_bn": float(last["net_to_nvidia_cum_usd_bn"]),
        "recycling_ratio": float(last["recycling_ratio_cum"]) if pd.notna(last["recycling_ratio_cum"]) else 0.0,
        "revenue_per_invested_usd": (float(last["nvidia_revenue_cum_usd_bn"] / last["investment_cum_usd_bn"])
                                     if last["investment_cum_usd_bn"] > 0 else float("inf")),
        "investment_to_gross_profit": (float(last["investment_cum_usd_bn"]
                                             / (last["nvidia_revenue_cum_usd_bn"] * a.nvidia_gross_margin))
                                       if last["nvidia_revenue_cum_usd_bn"] > 0 else 0.0),
        "peak_funding_year": int(peak["year"]),
        "peak_funding_need_usd_bn": float(peak["funding_need_usd_bn"]),
        "peak_funding_revenue_usd_bn": float(peak["openai_revenue_usd_bn"]),
        "funding_need_2026_2030_usd_bn": float(window["funding_need_usd_bn"].sum()),
        "revenue_2026_2030_usd_bn": float(window["openai_revenue_usd_bn"].sum()),
        "revenue_horizon_year": horizon,
        "funding_need_after_horizon_usd_bn": float(f.loc[f["year"] > horizon, "funding_need_usd_bn"].sum()),
        "carrying_cost_end_usd_bn": float(f["carrying_cost_usd_bn"].iloc[-1]),
        "end_year": int(f["year"].iloc[-1]),
        "dep_peak_short_usd_bn": float(peak_dep.iloc[0]),
        "dep_peak_long_usd_bn": float(peak_dep.iloc[-1]),
        "life_short_years": float(peak_dep.index[0]),
        "life_long_years": float(peak_dep.index[-1]),
        "first_platform": str(prog["platform"].iloc[0]),
        "last_platform": str(prog["platform"].iloc[-1]),
        "cost_fp8_first_usd": float(prog["capex_usd_per_fp8_pflops"].iloc[0]),
        "cost_fp8_last_usd": float(prog["capex_usd_per_fp8_pflops"].iloc[-1]),
        "cost_trend_pct_per_year": trend_pct_per_year(cost),
        "usd_per_package_hour_first": float(prog["usd_per_package_hour"].iloc[0]),
        "usd_per_fp8_pflops_hour_first": float(prog["usd_per_fp8_pflops_hour"].iloc[0]),
        "usd_m_per_it_mw_year_first": float(prog["usd_m_per_it_mw_year"].iloc[0]),
        "epoch_tco_usd_m_per_mw_year": data.fact("epoch_tco_usd_m_per_mw_year"),
        "epoch_hw_trend_pct_per_year": -data.fact("ml_hw_price_performance_improvement_pct_per_year"),
    }
