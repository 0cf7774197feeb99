"""Who pays: the sourced financing events around OpenAI's compute, the network of who pays whom,
NVIDIA's exposure to OpenAI, and OpenAI's yearly funding gap.

Public API (USD bn unless a column says otherwise):
- events(): every row of data/financing.csv with its labels and source, oldest first;
- total_problems(df): totals whose listed parts do not add up (the check the tests run);
- network(df): nodes with a computed layout and the drawn edges (money, capacity, guarantees);
- capital_cost_usd_bn(a, capital_usd_bn): the one cost-of-capital charge used here;
- funding_gap(a, result): per calendar year, the programme's capital need net of NVIDIA's money;
- exposure(a, result): NVIDIA's exposure to OpenAI against its own revenue and cash;
- key_numbers(a, result): the chapter's headline numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import data, economics, labels, roadmap
from .assumptions import Assumptions
from .deal import with_sources

#: Reader labels of the kinds of financing event.
KIND_LABEL = {
    "equity": "Equity investment",
    "letter_of_intent": "Intended investment (letter of intent)",
    "cloud_contract": "Cloud or compute contract",
    "lease": "Data-centre lease",
    "project_debt": "Project finance",
    "bonds": "Corporate bonds",
    "authorised_bonds": "Authorised revenue bonds",
    "guarantee": "Guarantee",
    "capacity_purchase": "Capacity purchase or backstop",
    "chip_purchase": "Chip purchase",
    "supplier_warrant": "Supplier's shares (warrant)",
}
STATUS_LABEL = {"closed": "Closed", "announced": "Announced", "reported": "Reported by the press",
                "in_talks": "In talks", "not_finalised": "Never finalised"}
GROUP_LABEL = {"openai": "Around OpenAI's compute", "nvidia_customers": "NVIDIA and its other customers"}
#: Edge types drawn in the network chart, in legend order (several kinds share one type).
EDGE_TYPE = {
    "equity": "Equity", "letter_of_intent": "Equity", "supplier_warrant": "Equity",
    "cloud_contract": "Compute contracts and leases", "lease": "Compute contracts and leases",
    "capacity_purchase": "Compute contracts and leases",
    "project_debt": "Debt", "bonds": "Debt",
    "chip_purchase": "Chip purchases",
    "guarantee": "Guarantees",
}
EDGE_TYPES = ["Equity", "Compute contracts and leases", "Debt", "Chip purchases", "Guarantees"]
#: Column of the layout for each role, left to right: who lends and invests, OpenAI, who builds and
#: rents, who supplies chips. NVIDIA's other customers sit in the suppliers' column.
ROLE_COLUMN = {"lender": 0, "investor": 1, "openai": 2, "cloud": 3, "developer": 3, "supplier": 4,
               "nvidia_customer": 4}
#: Column headings of the network chart.
COLUMN_LABEL = {0: "Lenders", 1: "Investors", 2: "OpenAI", 3: "Clouds and site developers",
                4: "Suppliers; NVIDIA's other customers"}
ROLE_LABEL = {"lender": "Lenders", "investor": "Investors", "openai": "OpenAI", "cloud": "Cloud providers",
              "developer": "Site developers", "supplier": "Chip suppliers",
              "nvidia_customer": "NVIDIA's other customers"}
for _name, _label, _unit in [
        ("funding_gap_usd_bn", "Funding gap", "USD bn a year"),
        ("funding_gap_cum_usd_bn", "Funding gap, cumulative", "USD bn"),
        ("capital_cost_usd_bn", "Cost of carrying the capital", "USD bn a year"),
        ("net_capital_usd_bn", "Capital spent less NVIDIA's investment", "USD bn a year"),
        ("capital_outstanding_usd_bn", "Capital funded and not yet written off", "USD bn"),
        ("openai_revenue_usd_bn", "OpenAI revenue (projection)", "USD bn a year"),
        ("investment_usd_bn", "NVIDIA's investment that year", "USD bn")]:
    labels.register(_name, _label, _unit)

#: Tolerance when parts are compared with their total (sources round to $0.05bn).
SUM_TOLERANCE_USD_BN = 0.051


def events(df: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the financing table with reader labels, party names and sources, oldest first."""
    ev = (data.table("financing") if df is None else df).copy()
    parties = data.table("financing_parties").set_index("party_id")["label"]
    ev["date"] = pd.to_datetime(ev["date"], format="%Y-%m-%d")
    ev["kind_label"] = ev["kind"].map(KIND_LABEL).fillna(ev["kind"])
    ev["status_label"] = ev["status"].map(STATUS_LABEL).fillna(ev["status"])
    ev["payer_label"] = ev["payer"].map(parties).fillna(ev["payer"])
    ev["payee_label"] = ev["payee"].map(parties).fillna(ev["payee"])
    ev["is_total"] = ev["event_id"].isin(set(ev["part_of"]) - {""})
    ev = ev.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)
    return with_sources(ev)


def totals(df: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return each total with the sum of its listed parts and whether its breakdown is complete."""
    ev = data.table("financing") if df is None else df
    parts = ev[ev["part_of"] != ""].groupby("part_of")["amount_usd_bn"].agg(["sum", "count"])
    tot = ev[ev["event_id"].isin(parts.index)].set_index("event_id")
    out = tot[["amount_usd_bn", "breakdown", "payer", "payee"]].join(parts)
    out = out.rename(columns={"sum": "parts_usd_bn", "count": "n_parts"})
    out["gap_usd_bn"] = out["amount_usd_bn"] - out["parts_usd_bn"]
    return out.reset_index()


def total_problems(df: pd.DataFrame | None = None) -> list[str]:
    """Return every total whose parts do not add up: equal when complete, never above when partial."""
    out = []
    for r in totals(df).itertuples():
        if r.breakdown == "complete" and abs(r.gap_usd_bn) > SUM_TOLERANCE_USD_BN:
            out.append(f"{r.event_id}: parts add to {r.parts_usd_bn:g}, total is {r.amount_usd_bn:g} (complete)")
        elif r.breakdown != "complete" and r.gap_usd_bn < -SUM_TOLERANCE_USD_BN:
            out.append(f"{r.event_id}: parts add to {r.parts_usd_bn:g}, more than the total {r.amount_usd_bn:g}")
        elif r.breakdown not in ("complete", "partial"):
            out.append(f"{r.event_id}: has parts but breakdown is {r.breakdown!r} (complete or partial)")
    return out


# --- the network ------------------------------------------------------------------------------

def edges(df: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the flows drawn in the network: every row that is not a total, plus what a partial
    total leaves unexplained (drawn from the total's payer). Self-flows, 'several parties' and
    authorisations are left out; they stay in the table."""
    ev = events(df)
    leaves = ev[~ev["is_total"]].copy()
    tot = totals(df)
    rest = tot[(tot["breakdown"] == "partial") & (tot["gap_usd_bn"] > SUM_TOLERANCE_USD_BN)]
    extra = ev[ev["event_id"].isin(rest["event_id"])].copy()
    extra["amount_usd_bn"] = extra["event_id"].map(rest.set_index("event_id")["gap_usd_bn"])
    extra["note"] = "Rest of the total after the parts listed separately. " + extra["note"]
    out = pd.concat([leaves, extra], ignore_index=True)
    out = out[(out["payer"] != out["payee"]) & (out["payer"] != "various") & (out["flow"] != "authorisation")]
    out["edge_type"] = out["kind"].map(EDGE_TYPE)
    return out.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)


def layout(parties: pd.DataFrame, flows: pd.DataFrame) -> pd.DataFrame:
    """Return x, y (0-1) for every party in the flows: one column per role, OpenAI in the middle.

    Within a column parties are ordered by the money they move (largest nearest the middle row) so
    the heaviest edges stay short; NVIDIA sits at the top of its column, its other customers below
    a gap, so the two groups read apart. Deterministic: ties break on the party id.
    """
    used = sorted(set(flows["payer"]) | set(flows["payee"]))
    p = parties.set_index("party_id").loc[used].reset_index()
    money = pd.concat([flows.groupby("payer")["amount_usd_bn"].sum(), flows.groupby("payee")["amount_usd_bn"].sum()])
    p["volume_usd_bn"] = p["party_id"].map(money.groupby(level=0).sum()).fillna(0.0)
    p["column"] = p["role"].map(ROLE_COLUMN)
    if p["column"].isna().any():
        bad = p.loc[p["column"].isna(), "role"].unique()
        raise ValueError(f"data/financing_parties.csv: role(s) with no layout column: {', '.join(bad)}")
    rows = []
    n_cols = int(p["column"].max()) + 1
    for col, grp in p.groupby("column"):
        if col == ROLE_COLUMN["supplier"]:
            # NVIDIA first, then the other suppliers, then (after a gap) NVIDIA's other customers.
            sup = grp[grp["role"] == "supplier"].sort_values(["volume_usd_bn", "party_id"], ascending=[False, True])
            cus = grp[grp["role"] == "nvidia_customer"].sort_values(["volume_usd_bn", "party_id"], ascending=[False, True])
            order = list(sup["party_id"]) + [None] + list(cus["party_id"])
        else:
            g = grp.sort_values(["volume_usd_bn", "party_id"], ascending=[False, True])
            ids = list(g["party_id"])
            # Largest in the middle, then alternate above and below.
            order = []
            for i, pid in enumerate(ids):
                order.insert(0, pid) if i % 2 else order.append(pid)
        n = len(order)
        # Short columns in odd positions sit inside their neighbours' span so labels at the same
        # height in adjacent columns do not run into each other.
        margin = 0.2 if (n <= 3 and col % 2) else 0.0
        for i, pid in enumerate(order):
            if pid is None:
                continue
            y = 0.5 if n == 1 else 1.0 - margin - (1.0 - 2 * margin) * i / (n - 1)  # first at the top
            rows.append({"party_id": pid, "x": col / (n_cols - 1), "y": y})
    pos = pd.DataFrame(rows)
    out = p.merge(pos, on="party_id")
    out["role_label"] = out["role"].map(ROLE_LABEL)
    out["column_label"] = out["column"].map(COLUMN_LABEL)
    return out.sort_values(["column", "y"], ascending=[True, False]).reset_index(drop=True)


def curve_points(x0: float, y0: float, x1: float, y1: float, bend: float = 0.18, n: int = 12) -> np.ndarray:
    """Return n points on a quadratic Bézier from (x0, y0) to (x1, y1), bowed to the left of travel.

    Bowing left means A→B and B→A never overlap, so the side of the arc shows the direction.
    """
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    dx, dy = x1 - x0, y1 - y0
    cx, cy = mx - bend * dy, my + bend * dx
    t = np.linspace(0.0, 1.0, n)[:, None]
    p0, c, p1 = np.array([x0, y0]), np.array([cx, cy]), np.array([x1, y1])
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * c + t ** 2 * p1


def network(df: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (nodes, edges, edge_points): the layout, one row per drawn flow, and the points of each
    flow's curve (for a line per edge) with the arrow point at 70% of the way."""
    flows = edges(df)
    nodes = layout(data.table("financing_parties"), flows)
    pos = nodes.set_index("party_id")[["x", "y"]]
    pts = []
    arrows = []
    flows = flows.reset_index(drop=True)
    # Several flows between the same two parties bow by growing amounts, so each stays visible.
    nth = flows.groupby(["payer", "payee"]).cumcount()
    for i, e in flows.iterrows():
        (x0, y0), (x1, y1) = pos.loc[e["payer"]], pos.loc[e["payee"]]
        c = curve_points(x0, y0, x1, y1, bend=0.18 + 0.07 * int(nth[i]))
        for k, (x, y) in enumerate(c):
            pts.append({"edge": i, "order": k, "x": x, "y": y})
        j = int(0.7 * (len(c) - 1))
        dx, dy = c[j + 1] - c[j]
        arrows.append({"edge": i, "ax": c[j + 1][0], "ay": c[j + 1][1],
                       # Vega angles run clockwise from 'up' and the chart's y axis points up.
                       "angle": (90.0 - math.degrees(math.atan2(dy, dx))) % 360.0})
    flows = flows.reset_index(drop=True).reset_index().rename(columns={"index": "edge"})
    flows = flows.merge(pd.DataFrame(arrows), on="edge")
    return nodes, flows, pd.DataFrame(pts).merge(flows[["edge", "edge_type", "status"]], on="edge")


# --- money over time --------------------------------------------------------------------------

def capital_cost_usd_bn(a: Assumptions, capital_usd_bn):
    """Return a year's cost of carrying capital outstanding: cost_of_capital_pct of it (the interest part
    of the annuity economics.capital_charge sets; funding_gap takes the outstanding balance from
    economics.carrying_cost)."""
    return np.asarray(capital_usd_bn, float) * a.cost_of_capital_pct / 100.0


def funding_gap(a: Assumptions, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return, per calendar year, what the programme needs beyond NVIDIA's money.

    Capital spent less NVIDIA's investment released that year, plus the cost of carrying the capital
    funded so far: each year's capital beyond NVIDIA's money (NVIDIA's money offsets the first capital
    spent, in order) is a cohort repaid by the report's one annuity (economics.capital_charge, through
    economics.carrying_cost), and the cost is cost_of_capital_pct on the balance outstanding at the
    start of the year. Who carries it (OpenAI, a cloud partner or a lender through a lease) does not
    change its size, only whose balance sheet shows it.
    """
    df = roadmap.run(a) if result is None else result
    f = economics.funding(a, df)
    year = np.floor(df["half"]).astype(int)
    by_year = df.assign(year=year).groupby("year")[["capex_usd_bn", "capex_nvidia_usd_bn"]].sum()
    nvidia_share = (by_year["capex_nvidia_usd_bn"] / by_year["capex_usd_bn"].where(by_year["capex_usd_bn"] > 0)).fillna(0.0)
    net = (f["capex_usd_bn"] - f["investment_usd_bn"]).to_numpy()
    funded, offset = np.zeros(len(net)), 0.0
    for i, v in enumerate(net):  # NVIDIA's money covers the first capital spent, in order
        if v < 0:
            offset -= v
        else:
            used = min(offset, v)
            offset -= used
            funded[i] = v - used
    share = nvidia_share.reindex(f["year"]).to_numpy()
    carry = economics.carrying_cost(a, funded * share, funded * (1.0 - share))
    out = f[["year", "capex_usd_bn", "investment_usd_bn", "depreciation_usd_bn", "openai_revenue_usd_bn"]].copy()
    out["net_capital_usd_bn"] = net
    out["capital_outstanding_usd_bn"] = carry["capital_outstanding_usd_bn"].to_numpy()
    out["capital_cost_usd_bn"] = capital_cost_usd_bn(a, out["capital_outstanding_usd_bn"])
    out["funding_gap_usd_bn"] = out["net_capital_usd_bn"] + out["capital_cost_usd_bn"]
    out["funding_gap_cum_usd_bn"] = out["funding_gap_usd_bn"].cumsum()
    out["gap_to_revenue"] = out["funding_gap_usd_bn"] / out["openai_revenue_usd_bn"]
    return out


def funding_gap_by_edition(scenarios) -> pd.DataFrame:
    """Return funding_gap() for every edition given (resolved Scenario objects), long format."""
    frames = []
    for sc in scenarios:
        g = funding_gap(sc.assumptions)
        g.insert(0, "scenario", sc.name)
        g.insert(1, "title", sc.title)
        frames.append(g)
    return pd.concat(frames, ignore_index=True)


def raised_by_year(df: pd.DataFrame | None = None) -> pd.Series:
    """Return equity OpenAI raised per calendar year (closed rounds, totals only), for scale."""
    ev = events(df)
    money_in = ev[(ev["payee"] == "openai") & (ev["kind"] == "equity") & (ev["status"] == "closed")
                  & (ev["part_of"] == "")]
    return money_in.groupby(money_in["date"].dt.year)["amount_usd_bn"].sum()


# --- NVIDIA's exposure ------------------------------------------------------------------------

def nvidia_equity_at_cost(df: pd.DataFrame | None = None) -> float:
    """Return NVIDIA's equity purchases in OpenAI (sourced, USD bn)."""
    ev = events(df)
    return float(ev.loc[(ev["payer"] == "nvidia") & (ev["payee"] == "openai") & (ev["kind"] == "equity"),
                        "amount_usd_bn"].sum())


#: Facts (data/facts.csv) the exposure reads.
VALUATION_LATEST_FACT = "openai_valuation_post_mar2026_usd_bn"
NVIDIA_REVENUE_FACT = "nvidia_revenue_fy2026_usd_bn"
NVIDIA_FCF_FACT = "nvidia_free_cash_flow_fy2026_usd_bn"
#: Post-money valuation at which each NVIDIA equity purchase was made (fact ids), by event id.
ENTRY_VALUATION_FACT = {"nvidia_oai_2024": "openai_valuation_oct2024_usd_bn",
                        "nvidia_oai_2026": "openai_valuation_post_mar2026_usd_bn"}


def exposure(a: Assumptions, result: pd.DataFrame | None = None, df: pd.DataFrame | None = None) -> dict[str, float]:
    """Return NVIDIA's exposure to OpenAI: equity at cost and at the latest valuation (sourced), the
    edition's path, guarantees, and the programme's revenue in its peak year against NVIDIA's own
    revenue and free cash flow. Marking at the latest valuation ignores dilution between rounds."""
    ev = events(df)
    stakes = ev[(ev["payer"] == "nvidia") & (ev["payee"] == "openai") & (ev["kind"] == "equity")]
    latest = data.fact(VALUATION_LATEST_FACT)
    at_cost = float(stakes["amount_usd_bn"].sum())
    marked = float(sum(r.amount_usd_bn * latest / data.fact(ENTRY_VALUATION_FACT[r.event_id])
                       for r in stakes.itertuples()))
    guarantees = ev[(ev["payer"] == "nvidia") & (ev["kind"] == "guarantee")]
    openai_guar = guarantees[guarantees["group"] == "openai"]
    other = ev[(ev["payer"] == "nvidia") & (ev["group"] == "nvidia_customers") & ~ev["is_total"]]
    df_r = roadmap.run(a) if result is None else result
    years = np.floor(df_r["half"]).astype(int)
    nvidia_rev = df_r.groupby(years)["capex_nvidia_usd_bn"].sum()
    revenue = data.fact(NVIDIA_REVENUE_FACT)
    fcf = data.fact(NVIDIA_FCF_FACT)
    return {
        "equity_at_cost_usd_bn": at_cost,
        "equity_marked_usd_bn": marked,
        "valuation_latest_usd_bn": latest,
        "stake_share": float(sum(r.amount_usd_bn / data.fact(ENTRY_VALUATION_FACT[r.event_id])
                                 for r in stakes.itertuples())),
        "edition_investment_usd_bn": float(df_r["investment_cum_usd_bn"].iloc[-1]),
        "openai_guarantees_n": int(len(openai_guar)),
        "openai_guarantee_gw": float(openai_guar["power_gw"].sum()),
        "other_customers_usd_bn": float(other["amount_usd_bn"].sum()),
        "peak_year": int(nvidia_rev.idxmax()),
        "peak_year_revenue_usd_bn": float(nvidia_rev.max()),
        "nvidia_revenue_fy2026_usd_bn": revenue,
        "nvidia_fcf_fy2026_usd_bn": fcf,
        "peak_revenue_share_of_fy2026": float(nvidia_rev.max() / revenue),
        "equity_share_of_fcf": at_cost / fcf,
    }


def key_numbers(a: Assumptions, result: pd.DataFrame | None = None) -> dict[str, float]:
    """Return the chapter's headline numbers for one edition."""
    ev = events()
    g = funding_gap(a, result)
    x = exposure(a, result)
    raised = raised_by_year()
    peak = g.loc[g["funding_gap_usd_bn"].idxmax()]
    return {
        "n_events": int(len(ev)), "n_sources": int(ev["source_id"].nunique()),
        "raised_2025_usd_bn": float(raised.get(2025, 0.0)), "raised_2026_usd_bn": float(raised.get(2026, 0.0)),
        "gap_peak_year": int(peak["year"]), "gap_peak_usd_bn": float(peak["funding_gap_usd_bn"]),
        "gap_total_usd_bn": float(g["funding_gap_usd_bn"].sum()),
        "capital_cost_total_usd_bn": float(g["capital_cost_usd_bn"].sum()),
        **x,
    }
