"""The executive summary's findings, each computed: the scenario's value and the range across scenarios.

findings() returns a list of Finding (headline, text, numbers); the text is generated from the
numbers with analysis.prose, so no figure in the summary is typed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

import numpy as np

from . import benefits, data, deal, energy, halves, prose, risk, scenarios, sensitivity
from .assumptions import Scenario


@dataclass(frozen=True)
class Finding:
    """One finding: a short headline, its generated sentence(s) and the numbers behind them."""

    key: str
    headline: str
    text: str
    numbers: dict[str, float] = field(default_factory=dict)


def _rng(table: pd.DataFrame, col: str, fmt) -> str:
    lo, hi = float(table[col].min()), float(table[col].max())
    return f"{fmt(lo)} to {fmt(hi)}"


def _risk_finding(sc: Scenario, st: dict[str, float], judge: pd.DataFrame, table: pd.DataFrame) -> Finding:
    """Return the risk finding, worded with the spread the judgement tests give each probability."""
    a = sc.assumptions
    lo, hi = risk.spread(judge, "p_target_by_horizon")
    lo_b, hi_b = risk.spread(judge, "p_behind_at_milestone")
    lo_o, hi_o = risk.spread(judge, "p_first_capacity_on_time")
    when = halves.label(a.horizon_end_half)
    if hi < 0.5:
        headline = f"Risk-adjusted, the plan is more likely missed than met by {when}"
    elif lo > 0.5:
        headline = f"Risk-adjusted, the plan is more likely met than missed by {when}"
    else:
        headline = f"Whether the plan is met by {when} turns on judgement"
    pct = prose.pct
    text = (f"Across {prose.num(st['draws'], 0)} Monte Carlo draws the {sc.title} edition's plan, "
            f"{prose.num(st['gw_end_det'])} GW by {when}, is reached in {pct(st['p_target_by_horizon'])} of draws; "
            f"scaling every likelihood by {' or '.join(f'{s:g}' for s in a.judgement_likelihood_scales)} and "
            f"switching the correlation of shared drivers off or raising it gives {pct(lo)} to {pct(hi)}. "
            f"At the milestone ({halves.label(a.milestone_half)}) the median is {prose.num(st['gw_milestone_p50'])} GW "
            f"against {prose.num(st['gw_milestone_det'])} GW planned (P10 {prose.num(st['gw_milestone_p10'])}, "
            f"P90 {prose.num(st['gw_milestone_p90'])}), and {pct(st['p_behind_at_milestone'])} of draws are behind "
            f"plan ({pct(lo_b)} to {pct(hi_b)} under the same tests); the first capacity arrives on time in "
            f"{pct(st['p_first_capacity_on_time'])} ({pct(lo_o)} to {pct(hi_o)}). The median at the milestone ranges "
            f"{_rng(table, 'mc_gw_milestone_p50', prose.num)} GW across the editions.")
    return Finding("risk", headline, text, {"p_target": st["p_target_by_horizon"], "p_target_low": lo,
                                            "p_target_high": hi, "p50": st["gw_milestone_p50"]})


def findings(sc: Scenario, table: pd.DataFrame | None = None) -> list[Finding]:
    """Return the summary's findings for scenario `sc`, with ranges across every scenario."""
    a = sc.assumptions
    table = scenarios.compare(sc) if table is None else table
    row = table[table["scenario"] == sc.name].iloc[-1]
    n = len(table)
    b = benefits.key_numbers(a)
    w = sensitivity.whatif(a)
    st = risk.stats(a)
    ev = deal.timeline().set_index("event_id")
    loi_date = ev.loc[ev["stage"] == "announced", "date"].min()
    equity_months = (ev.at["round_110bn", "date"] - loi_date).days / 30.44
    loi_max = data.fact("nvidia_loi_max_investment_usd_bn")
    usd = prose.usd_bn
    out = []

    committed = deal.committed_gw()
    yr = int(np.floor(a.horizon_end_half))
    equity = data.fact("nvidia_equity_investment_openai_usd_bn")
    out.append(Finding("scale", f"For scale: by {yr} the programme would be {prose.num(b['gw_vs_openai_2025'], 1)} times OpenAI's computing capacity in 2025",
        f"In the {sc.title} edition {prose.num(row['gw_end'])} GW of NVIDIA systems are online by the end of "
        f"{yr} ({_rng(table, 'gw_end', prose.num)} GW across the {n} editions): for scale, "
        f"{prose.num(b['gw_vs_openai_2025'])} times the {prose.num(data.fact('openai_compute_gw_2025'))} GW "
        f"OpenAI ran at the end of 2025, and {prose.pct(b['gw_share_of_commitments'])} of the "
        f"{prose.num(committed, 0)} GW of accelerator supply OpenAI has committed to, net of overlaps.",
        {"gw_end": row["gw_end"], "gw_vs_openai_2025": b["gw_vs_openai_2025"]}))

    if a.investment_structure == "tranches":
        money = (f"NVIDIA's tranches cover {prose.pct(row['investment_share_of_capex'])} of it "
                 f"({_rng(table, 'investment_share_of_capex', prose.pct)} across editions), as the letter of intent "
                 f"planned; the sources report that NVIDIA instead bought a fixed {usd(equity)} equity stake "
                 f"{prose.num(equity_months, 0)} months after the letter.")
    else:
        money = (f"NVIDIA's fixed {usd(equity)} equity stake, bought {prose.num(equity_months, 0)} months after the "
                 f"letter of intent in place of its per-gigawatt tranches, covers {prose.pct(row['investment_share_of_capex'])} "
                 f"of it ({_rng(table, 'investment_share_of_capex', prose.pct)} across editions).")
    out.append(Finding("capital", f"The build costs {prose.num(row['capex_cum_usd_bn'] / max(row['investment_cum_usd_bn'], 1e-9), 0)} times NVIDIA's investment",
        f"Capital expenditure reaches {usd(row['capex_cum_usd_bn'])} by {yr} "
        f"({_rng(table, 'capex_cum_usd_bn', usd)} across editions), of which "
        f"{usd(row['capex_nvidia_cum_usd_bn'])} is NVIDIA content. {money}",
        {"capex": row["capex_cum_usd_bn"], "share": row["investment_share_of_capex"]}))

    fy_dc = data.fact_row("nvidia_dc_revenue_fy2026_usd_bn")
    out.append(Finding("nvidia", f"NVIDIA's sales to the programme are {prose.num(b['sales_to_investment'], 1)} times its investment",
        f"NVIDIA would sell {usd(b['nvidia_content_usd_bn'])} of systems to the programme by {yr}, "
        f"{prose.num(b['sales_to_investment'], 1)} times the {usd(b['investment_usd_bn'])} it invests in OpenAI. That is a "
        f"ratio, not a return: the investment does not buy the sales, and the ratio rises whenever NVIDIA invests "
        f"less. Its peak year, {b['nvidia_peak_year']}, brings {usd(b['nvidia_peak_year_revenue_usd_bn'])}; for scale, "
        f"that is {prose.pct(row['nvidia_peak_share_of_fy2026_dc'])} of NVIDIA's data-centre revenue in its latest "
        f"full fiscal year reported, FY2026 ({usd(fy_dc['value'], 1)}), as no source projects NVIDIA's revenue "
        f"for {b['nvidia_peak_year']}. The letter's {prose.num(data.fact('deal_power_gw'), 0)} GW of NVIDIA systems are "
        f"{prose.pct(b['nvidia_supply_share'])} of the {prose.num(committed, 0)} GW of accelerator supply OpenAI has "
        f"committed to, net of overlaps.",
        {"returned": b["sales_to_investment"], "peak_share": row["nvidia_peak_share_of_fy2026_dc"]}))

    e = energy.key_numbers(a)
    out.append(Finding("energy", f"In {e['match_year']} the fleet would use {prose.pct(e['us_dc_match_share'])} of what US data centres are projected to use",
        f"In {e['match_year']}, the year of the IEA's projection, the fleet draws "
        f"{prose.num(e['energy_match_twh'])} TWh ({_rng(table, 'energy_twh_match', prose.num)} TWh across editions), "
        f"{prose.pct(e['us_dc_match_share'])} of the {prose.num(e['us_dc_match_twh'], 0)} TWh the IEA projects for "
        f"all US data centres that year. At full build, in {e['peak_half']}, it draws {prose.num(e['energy_twh'])} TWh a year.",
        {"energy_twh": row["energy_twh_end"]}))

    out.append(_risk_finding(sc, st, risk.judgement(a), table))

    out.append(Finding("whatif", "Each gigawatt must earn " + ("more" if w["revenue_per_gw_gap_ratio"] > 1 else "less") + " than OpenAI earned per gigawatt in 2025",
        f"Repaying the capital over its life at a cost of capital of {prose.num(a.cost_of_capital_pct, 0)}% "
        f"(our judgement), plus power, takes "
        f"{usd(row['cost_usd_bn_per_gw_year'], 1)} of revenue per GW-year "
        f"({_rng(table, 'cost_usd_bn_per_gw_year', lambda x: usd(x, 1))} across editions), "
        f"{prose.num(w['revenue_per_gw_gap_ratio'])} times the revenue OpenAI earned per GW of compute in 2025 "
        f"({usd(w['openai_revenue_per_gw_2025'], 1)}, at today's prices for both). At that cost, its "
        f"{prose.num(w['commitments_gw'], 0)} GW of commitments would cost {usd(w['commitments_annual_cost_usd_bn'])} "
        f"a year once built, against the more than {usd(w['openai_revenue_2030_target_usd_bn'])} of revenue OpenAI "
        f"told investors to expect in 2030.",
        {"cost_per_gw": row["cost_usd_bn_per_gw_year"], "gap": w["revenue_per_gw_gap_ratio"]}))
    return out


def markdown(items: list[Finding]) -> str:
    """Return the findings as a numbered Markdown list."""
    return "\n".join(f"{i}. **{f.headline}.** {f.text}" for i, f in enumerate(items, 1))
