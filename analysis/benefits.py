"""Benefits of the partnership for OpenAI and for NVIDIA, quantified, and each claim checked since.

OpenAI: compute secured against its fleet and commitments, financing against capital needed, and
compute per watt gained from NVIDIA's roadmap. NVIDIA: assured demand against its data-centre revenue,
the equity stake and what the investment earns back, and its share of OpenAI's accelerator supply.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import data, deal, roadmap
from .assumptions import Assumptions

#: OpenAI's available compute by year-end (data/facts.csv).
OPENAI_COMPUTE_FACTS = {2023: "openai_compute_gw_2023", 2024: "openai_compute_gw_2024", 2025: "openai_compute_gw_2025"}
#: OpenAI's projected cash burn by year (data/facts.csv).
BURN_FACTS = {2026: "openai_cash_burn_2026_usd_bn", 2027: "openai_cash_burn_2027_usd_bn",
              2028: "openai_cash_burn_2028_usd_bn"}
#: Supply commitments by accelerator vendor (data/commitments.csv ids).
SUPPLY_VENDORS = {"nvidia_loi": "NVIDIA", "amd": "AMD", "broadcom": "Broadcom (OpenAI chip)",
                  "aws_trainium": "AWS Trainium"}


def by_year(df: pd.DataFrame, column: str, how: str = "sum") -> pd.Series:
    """Aggregate a half-year column to calendar years (sum of flows, or last value of stocks)."""
    years = np.floor(df["half"]).astype(int)
    g = df.groupby(years)[column]
    return g.sum() if how == "sum" else g.last()


def openai_compute(a: Assumptions, df: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return OpenAI's compute history and the programme's GW online at each year-end (long frame)."""
    df = roadmap.run(a) if df is None else df
    hist = pd.DataFrame({"year": list(OPENAI_COMPUTE_FACTS),
                         "gw": [data.fact(f) for f in OPENAI_COMPUTE_FACTS.values()],
                         "series": "OpenAI compute, all suppliers (reported)"})
    prog = by_year(df, "online_gw", "last").rename("gw").rename_axis("year").reset_index()
    prog["series"] = "This programme, NVIDIA GW online"
    return pd.concat([hist, prog], ignore_index=True)


def platform_efficiency(platforms: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return each platform's dense FP4 compute per MW of rack power, its gain over Vera Rubin, and
    whether its figures are NVIDIA's or this report's assumption."""
    p = (data.platforms() if platforms is None else platforms).copy()
    p["fp4_pflops_per_mw"] = p["fp4_dense_pflops_per_rack"] / (p["rack_power_kw"] / 1e3)
    p["gain_vs_first"] = p["fp4_pflops_per_mw"] / p.loc[roadmap.FIRST_PLATFORM, "fp4_pflops_per_mw"]
    p["assumed"] = p.index.isin(data.assumed_platforms())
    return p.reset_index()


def fleet_efficiency(df: pd.DataFrame) -> pd.DataFrame:
    """Return the fleet's installed FP4 compute per GW of IT power by half-year."""
    on = df[df["it_power_gw"] > 0]
    return pd.DataFrame({"half": on["half"], "half_label": on["half_label"],
                         "eflops_per_gw": on["fp4_dense_eflops"] / on["it_power_gw"]})


def nvidia_revenue(a: Assumptions, df: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return NVIDIA's revenue from the programme by calendar year and its share of FY2026 DC revenue."""
    df = roadmap.run(a) if df is None else df
    rev = by_year(df, "capex_nvidia_usd_bn").rename("revenue_usd_bn").rename_axis("year").reset_index()
    dc = data.fact("nvidia_dc_revenue_fy2026_usd_bn")
    rev["share_of_fy2026_dc"] = rev["revenue_usd_bn"] / dc
    return rev


def supply_shares() -> pd.DataFrame:
    """Return OpenAI's accelerator-supply commitments by vendor (GW) and each vendor's share."""
    c = deal.commitments().set_index("commitment_id")
    rows = [{"vendor": v, "gw": float(c.at[cid, "net_power_gw"]), "announced": c.at[cid, "announced"],
             "source_id": c.at[cid, "source_id"]} for cid, v in SUPPLY_VENDORS.items() if cid in c.index]
    out = pd.DataFrame(rows)
    out["share"] = out["gw"] / out["gw"].sum()
    return out


def key_numbers(a: Assumptions, df: pd.DataFrame | None = None) -> dict[str, float]:
    """Return every quantified benefit for one scenario (plain numbers)."""
    df = roadmap.run(a) if df is None else df
    last = df.iloc[-1]
    gw = float(last["online_gw"])
    capex = float(last["capex_cum_usd_bn"])
    invest = float(last["investment_cum_usd_bn"])
    nv_content = float(last["capex_nvidia_cum_usd_bn"])
    rev = nvidia_revenue(a, df)
    supply = supply_shares().set_index("vendor")
    eff = platform_efficiency()
    fleet = fleet_efficiency(df)
    burn = sum(data.fact(f) for f in BURN_FACTS.values())
    burn_years = (min(BURN_FACTS), max(BURN_FACTS))
    invest_in_burn_years = float(df.loc[(df["half"] >= burn_years[0]) & (df["half"] < burn_years[1] + 1),
                                        "investment_released_usd_bn"].sum())
    loi_max = data.fact("nvidia_loi_max_investment_usd_bn")
    equity = data.fact("nvidia_equity_investment_openai_usd_bn")
    val_sep = data.fact("openai_valuation_sep2025_usd_bn")
    val_now = data.fact("openai_valuation_post_mar2026_usd_bn")
    per_gw = data.fact("nvidia_investment_per_gw_usd_bn")
    gm = a.nvidia_gross_margin
    return {
        "gw": gw,
        "gw_vs_openai_2025": gw / data.fact("openai_compute_gw_2025"),
        "gw_share_of_commitments": gw / deal.committed_gw(),
        "openai_growth_2023_2025": (data.fact("openai_compute_gw_2025") / data.fact("openai_compute_gw_2023")) ** 0.5,
        "investment_usd_bn": invest,
        "capex_usd_bn": capex,
        "investment_share_of_capex": invest / capex if capex else float("nan"),
        "capex_not_financed_usd_bn": capex - invest,
        "burn_2026_2028_usd_bn": burn,
        "investment_in_burn_years_usd_bn": invest_in_burn_years,
        "investment_vs_burn": invest_in_burn_years / burn,
        "burn_first_year": burn_years[0], "burn_last_year": burn_years[1],
        "fleet_eflops_per_gw_first": float(fleet["eflops_per_gw"].iloc[0]) if len(fleet) else float("nan"),
        "fleet_eflops_per_gw_last": float(fleet["eflops_per_gw"].iloc[-1]) if len(fleet) else float("nan"),
        "best_platform_gain": float(eff.loc[~eff["assumed"], "gain_vs_first"].max()),
        "best_platform": str(eff.loc[~eff["assumed"]].sort_values("gain_vs_first")["platform"].iloc[-1]),
        "assumed_platform_gain": float(eff.loc[eff["assumed"], "gain_vs_first"].max()) if eff["assumed"].any() else float("nan"),
        "assumed_platform": ", ".join(eff.loc[eff["assumed"], "platform"]),
        "fleet_uses_assumed": bool(set(df.loc[df["added_gw"] > 0, "platform"]) & set(data.assumed_platforms())),
        "nvidia_content_usd_bn": nv_content,
        "nvidia_peak_year": int(rev.loc[rev["revenue_usd_bn"].idxmax(), "year"]),
        "nvidia_peak_year_revenue_usd_bn": float(rev["revenue_usd_bn"].max()),
        "nvidia_peak_share_of_fy2026_dc": float(rev["share_of_fy2026_dc"].max()),
        "nvidia_dc_revenue_fy2026_usd_bn": data.fact("nvidia_dc_revenue_fy2026_usd_bn"),
        "sales_to_investment": nv_content / invest if invest else float("nan"),
        "gross_profit_usd_bn": nv_content * gm,
        "gross_profit_per_dollar_invested": nv_content * gm / invest if invest else float("nan"),
        "announced_investment_per_gw_share_of_content": per_gw / a.capex_nvidia_usd_bn_per_gw,
        "stake_first_tranche": per_gw / val_sep,
        "stake_equity_2026": equity / val_now,
        "equity_vs_loi": equity / loi_max,
        "nvidia_supply_share": float(supply.at["NVIDIA", "share"]),
        "supply_gw_total": float(supply["gw"].sum()),
    }


def claims(a: Assumptions, df: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return each benefit claimed at the announcement, what was announced, what has happened since
    (dated, sourced) and a status computed from the two."""
    k = key_numbers(a, df)
    ev = deal.timeline().set_index("event_id")
    loi_gw = data.fact("deal_power_gw")
    loi_inv = data.fact("nvidia_loi_max_investment_usd_bn")
    equity = data.fact("nvidia_equity_investment_openai_usd_bn")
    deployed = ev[ev["stage"] == "deployment"]
    latest_dep = deployed.iloc[-1] if len(deployed) else None
    caveats = ev[ev["stage"].isin(["caveat", "restructured"])]

    def since(event_id: str) -> tuple[str, str]:
        e = ev.loc[event_id]
        return f"{e['date'].date().isoformat()}: {e['event']}", e["citation"]

    rows = []
    dep_text, dep_cite = (f"{latest_dep['date'].date().isoformat()}: {latest_dep['event']}", latest_dep["citation"]) \
        if latest_dep is not None else ("no deployment reported", "")
    rows.append({"party": "OpenAI", "benefit": "Compute secured",
                 "announced": f"at least {loi_gw:,.0f} GW of NVIDIA systems, first GW in H2 "
                              f"{data.fact('deal_first_gw_year'):.0f}",
                 "since": dep_text, "source": dep_cite,
                 "status": f"{len(caveats)} caveats or restructurings reported since; no source up to "
                           f"{data.data_date()} reports the first GW online"})
    txt, cite = since("round_110bn") if "round_110bn" in ev.index else ("", "")
    rows.append({"party": "OpenAI", "benefit": "Financing tied to deployment",
                 "announced": f"up to ${loi_inv:,.0f}bn, ${data.fact('nvidia_investment_per_gw_usd_bn'):,.0f}bn per GW",
                 "since": txt, "source": cite,
                 "status": f"scaled back to {equity / loi_inv:.0%} of the announced amount, untied from GW"})
    txt, cite = since("vera_rubin_full_production") if "vera_rubin_full_production" in ev.index else ("", "")
    rows.append({"party": "OpenAI", "benefit": "Hardware-software co-design",
                 "announced": "first GW on Vera Rubin; joint roadmap optimisation",
                 "since": txt, "source": cite,
                 "status": f"platform in production, shipments from autumn 2026; on NVIDIA's figures "
                           f"{k['best_platform']} offers {k['best_platform_gain']:.1f}x Vera Rubin's compute per MW"})
    txt, cite = since("kress_still_loi") if "kress_still_loi" in ev.index else ("", "")
    rows.append({"party": "NVIDIA", "benefit": "Assured demand",
                 "announced": f"{loi_gw:,.0f} GW, about ${loi_gw * a.capex_nvidia_usd_bn_per_gw:,.0f}bn of NVIDIA content",
                 "since": txt, "source": cite,
                 "status": "not contracted: excluded from NVIDIA's stated order visibility; in June 2026 NVIDIA "
                           "was reported in talks to guarantee a 10 GW lease for OpenAI instead"})
    txt, cite = since("round_closes_122bn") if "round_closes_122bn" in ev.index else ("", "")
    rows.append({"party": "NVIDIA", "benefit": "Equity in OpenAI",
                 "announced": f"about {k['stake_first_tranche']:.1%} per $10bn tranche at a "
                              f"${data.fact('openai_valuation_sep2025_usd_bn'):,.0f}bn valuation",
                 "since": txt, "source": cite,
                 "status": f"${equity:,.0f}bn for about {k['stake_equity_2026']:.1%} at the March 2026 valuation"})
    txt, cite = since("broadcom_10gw") if "broadcom_10gw" in ev.index else ("", "")
    rows.append({"party": "NVIDIA", "benefit": "Ecosystem lock-in",
                 "announced": "OpenAI's preferred strategic compute partner",
                 "since": txt, "source": cite,
                 "status": f"NVIDIA holds {k['nvidia_supply_share']:.0%} of OpenAI's "
                           f"{k['supply_gw_total']:,.0f} GW of accelerator supply deals"})
    return pd.DataFrame(rows)
