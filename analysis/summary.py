"""The executive summary's findings, each computed: the scenario's value and the range across scenarios.

findings() returns a list of Finding (headline, text, numbers); the text is generated from the
numbers with analysis.prose, so no figure in the summary is typed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import benefits, data, deal, halves, prose, risk, scenarios, sensitivity
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

    out.append(Finding("scale", f"The programme is {prose.num(b['gw_vs_openai_2025'], 0)} times OpenAI's 2025 compute",
        f"In the {sc.title} scenario {prose.num(row['gw_end'])} GW of NVIDIA systems are online by the end of "
        f"the horizon ({_rng(table, 'gw_end', prose.num)} GW across the {n} scenarios), "
        f"{prose.num(b['gw_vs_openai_2025'])} times the {prose.num(data.fact('openai_compute_gw_2025'))} GW "
        f"OpenAI had in 2025 and {prose.pct(b['gw_share_of_commitments'])} of the "
        f"{prose.num(data.fact('openai_compute_commitments_gw'), 0)} GW it has committed to overall.",
        {"gw_end": row["gw_end"], "gw_vs_openai_2025": b["gw_vs_openai_2025"]}))

    out.append(Finding("capital", f"The build costs {prose.num(row['capex_cum_usd_bn'] / loi_max, 0)} times what NVIDIA offered to invest",
        f"Cumulative capital expenditure reaches {usd(row['capex_cum_usd_bn'])} "
        f"({_rng(table, 'capex_cum_usd_bn', usd)} across scenarios), of which "
        f"{usd(row['capex_nvidia_cum_usd_bn'])} is NVIDIA content. NVIDIA's investment released covers "
        f"{prose.pct(row['investment_share_of_capex'])} of it "
        f"({_rng(table, 'investment_share_of_capex', prose.pct)}); the announced {usd(loi_max)} "
        f"became a {usd(data.fact('nvidia_equity_investment_openai_usd_bn'))} equity stake "
        f"{prose.num(equity_months, 0)} months after the letter of intent.",
        {"capex": row["capex_cum_usd_bn"], "share": row["investment_share_of_capex"]}))

    out.append(Finding("nvidia", f"For NVIDIA each dollar invested returns {prose.num(b['investment_returned_as_revenue'])} dollars of sales",
        f"Each dollar NVIDIA invests returns as {prose.num(b['investment_returned_as_revenue'])} dollars of "
        f"revenue and {prose.num(b['gross_profit_per_dollar_invested'])} dollars of gross profit; at its peak "
        f"({b['nvidia_peak_year']}) the programme would equal {prose.pct(row['nvidia_peak_share_of_fy2026_dc'])} of "
        f"NVIDIA's FY2026 data-centre revenue ({_rng(table, 'nvidia_peak_share_of_fy2026_dc', prose.pct)} "
        f"across scenarios). NVIDIA supplies {prose.pct(b['nvidia_supply_share'])} of the "
        f"{prose.num(b['supply_gw_total'], 0)} GW of accelerators OpenAI has lined up.",
        {"returned": b["investment_returned_as_revenue"], "peak_share": row["nvidia_peak_share_of_fy2026_dc"]}))

    out.append(Finding("energy", "The fleet's electricity is a large slice of US data-centre use",
        f"At full build the fleet draws {prose.num(row['energy_twh_end'])} TWh a year "
        f"({_rng(table, 'energy_twh_end', prose.num)} TWh across scenarios), "
        f"{prose.pct(row['energy_twh_end'] / data.fact('us_dc_electricity_2024_twh'))} of what all US data "
        f"centres used in 2024.",
        {"energy_twh": row["energy_twh_end"]}))

    out.append(_risk_finding(sc, st, risk.judgement(a), table))

    out.append(Finding("whatif", "Each gigawatt must earn " + ("more" if w["revenue_per_gw_gap_ratio"] > 1 else "less") + " than OpenAI earns per gigawatt today",
        f"Covering depreciation, power and a return on capital of {prose.num(a.cost_of_capital_pct, 0)}% takes "
        f"{usd(row['cost_usd_bn_per_gw_year'], 1)} of revenue per GW-year "
        f"({_rng(table, 'cost_usd_bn_per_gw_year', lambda x: usd(x, 1))} across scenarios), "
        f"{prose.num(w['revenue_per_gw_gap_ratio'])} times OpenAI's 2025 revenue per GW of compute "
        f"({usd(w['openai_revenue_per_gw_2025'], 1)}); at that rate its "
        f"{prose.num(w['commitments_gw'], 0)} GW of commitments would cost {usd(w['commitments_annual_cost_usd_bn'])} "
        f"a year against a 2030 revenue target of {usd(w['openai_revenue_2030_target_usd_bn'])}.",
        {"cost_per_gw": row["cost_usd_bn_per_gw_year"], "gap": w["revenue_per_gw_gap_ratio"]}))
    return out


def markdown(items: list[Finding]) -> str:
    """Return the findings as a numbered Markdown list."""
    return "\n".join(f"{i}. **{f.headline}.** {f.text}" for i, f in enumerate(items, 1))
