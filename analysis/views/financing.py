"""The "Who pays" chapter's prose, figures and tables, built from analysis.financing."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, financing, labels, prose, scenarios, tables
from ..assumptions import Scenario
from ..deal import cite

SOURCE_EVENTS = "Company statements, filings and press reports, 2023-2026, one per flow (see the sources appendix)"
SOURCE_MODEL = "Ten Gigawatts model (each edition's assumptions)"
TYPE_COLOURS = ["#0072B2", "#E69F00", "#CC79A7", "#009E73", "#D55E00"]
#: Room around the layout's unit square: labels above the dots, names to the right of the last column.
X_DOMAIN, Y_DOMAIN = [-0.1, 1.3], [-0.05, 1.1]


def summary(scenario: Scenario, result: pd.DataFrame | None = None) -> prose.Markdown:
    """Return the chapter's opening paragraph, generated from the data and the edition's results."""
    a = scenario.assumptions
    k = financing.key_numbers(a, result)
    return prose.md(
        f"The money behind OpenAI's compute comes from four places: equity investors, the cloud companies that "
        f"rent it capacity, the developers and banks that build and finance the campuses those clouds lease, and "
        f"the chip suppliers themselves. This chapter follows {k['n_events']} dated flows from "
        f"{k['n_sources']} sources. OpenAI took in {prose.usd_bn(k['raised_2025_usd_bn'], 1)} of equity in 2025 and "
        f"{prose.usd_bn(k['raised_2026_usd_bn'])} in 2026. NVIDIA holds about "
        f"{prose.usd_bn(k['equity_at_cost_usd_bn'], 1)} of OpenAI at cost ({prose.pct(k['stake_share'], 1)} at the "
        f"prices paid), is reported to be ready to guarantee a {prose.num(k['openai_guarantee_gw'], 0)} GW lease, "
        f"and has put {prose.usd_bn(k['other_customers_usd_bn'])} into or behind its other customers. "
        f"In the **{scenario.title}** edition the programme needs {prose.usd_bn(k['gap_total_usd_bn'])} beyond "
        f"NVIDIA's own money over the horizon, {prose.usd_bn(k['capital_cost_total_usd_bn'])} of it the cost of "
        f"carrying the capital at {prose.num(a.cost_of_capital_pct, 0)}% a year; the need peaks in "
        f"{k['gap_peak_year']} at {prose.usd_bn(k['gap_peak_usd_bn'])}."
    )


# --- the events -------------------------------------------------------------------------------

def _events_table(group: str, note: str) -> tables.Table:
    ev = financing.events()
    ev = ev[ev["group"] == group].copy()
    ev["date_str"] = ev["date"].dt.strftime("%Y-%m-%d")
    ev["flow_str"] = ev["payer_label"] + " → " + ev["payee_label"]
    ev["part"] = ev["part_of"].map(lambda p: "part of the total above" if p else "")
    ev["what"] = ev["kind_label"] + ev["part"].map(lambda s: f" ({s})" if s else "")
    ev = _order_parts(ev)
    return tables.table(ev, {
        "date_str": tables.Col("Date"),
        "flow_str": tables.Col("From → to"),
        "what": tables.Col("What"),
        "amount_usd_bn": tables.Col("USD bn", 2),
        "power_gw": tables.Col("GW", 1),
        "status_label": tables.Col("Status"),
        "citation": tables.Col("Source (publisher, date)"),
    }, note=note)


def _order_parts(ev: pd.DataFrame) -> pd.DataFrame:
    """Put each total's parts right under it, the rest by date."""
    ev = ev.reset_index(drop=True)
    order, placed = [], set()
    children = {t: list(ev.index[ev["part_of"] == t]) for t in ev["event_id"]}

    def place(i: int) -> None:
        if i in placed:
            return
        placed.add(i)
        order.append(i)
        for c in children.get(ev.at[i, "event_id"], []):
            place(c)
    for i in ev.index[ev["part_of"] == ""]:
        place(i)
    for i in ev.index:  # parts whose total is in the other group
        place(i)
    return ev.loc[order]


def events_table() -> tables.Table:
    """Return the dated financing events around OpenAI's compute, parts under their totals."""
    return _events_table("openai", "Amounts as the sources state them (up-to and contingent amounts included); "
                                    "a dash means none was disclosed. Parts that are not stated are derived "
                                    "from the total, as the notes in the data say.")


def customers_table() -> tables.Table:
    """Return NVIDIA's investments in and commitments to its other customers."""
    return _events_table("nvidia_customers", "Equity, capacity purchases and guarantees NVIDIA has made for "
                                             "customers other than OpenAI, with Microsoft's part of the Anthropic "
                                             "round for completeness.")


def totals_note() -> prose.Markdown:
    """Return how totals and their parts are checked."""
    t = financing.totals()
    complete = t[t["breakdown"] == "complete"]
    ev = financing.events().set_index("event_id")
    named = ev[(ev["deal_event_id"] == "round_110bn") & (ev["kind"] == "equity")]["amount_usd_bn"]
    close = ev.at["oai_round_2026", "amount_usd_bn"]
    return prose.md(
        f"Where a source gives a total and its parts, both are in the table and the parts are checked against the "
        f"total: {len(complete)} totals are fully broken down and add up to within $0.05bn, and "
        f"{len(t) - len(complete)} are only partly broken down (where the sponsor is named, the rest "
        f"of such a total is drawn in the chart as coming from it). The February 2026 round's {len(named)} named investors add to the "
        f"{prose.usd_bn(float(named.sum()))} announced on 27 February ({cite('openai_round_feb2026')}); the close "
        f"on 31 March added {prose.usd_bn(float(close - named.sum()))} from others "
        f"({cite('openai_round_close_2026')})."
    )


# --- the network ------------------------------------------------------------------------------

@charts.of_data
def fig_network() -> charts.Figure:
    """Return who pays whom: parties as nodes in a computed layout, flows as typed, dated edges."""
    nodes, flows, pts = financing.network()
    pts = pts.merge(flows[["edge", "amount_usd_bn", "date", "payer_label", "payee_label", "kind_label",
                           "status_label", "citation"]], on="edge")
    pts["date_str"] = pts["date"].dt.strftime("%Y-%m-%d")
    pts["amount_str"] = pts["amount_usd_bn"].map(lambda v: f"${v:,.2f}bn" if pd.notna(v) else "not disclosed")
    pts["width"] = pts["amount_usd_bn"].fillna(0.0)
    pts["pending"] = pts["status"].isin(["in_talks", "not_finalised"]).map({True: "In talks or never finalised",
                                                                             False: "Agreed or reported"})
    sel = alt.selection_point(fields=["edge_type"], bind="legend")
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=X_DOMAIN))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=Y_DOMAIN))
    colour = alt.Color("edge_type:N", title="Flow", scale=alt.Scale(domain=financing.EDGE_TYPES,
                                                                      range=TYPE_COLOURS),
                       legend=alt.Legend(orient="bottom", columns=3))
    tip = [alt.Tooltip("payer_label:N", title="From"), alt.Tooltip("payee_label:N", title="To"),
           alt.Tooltip("kind_label:N", title="What"), alt.Tooltip("amount_str:N", title="Amount"),
           alt.Tooltip("date_str:N", title="Date"), alt.Tooltip("status_label:N", title="Status"),
           alt.Tooltip("citation:N", title="Source")]
    lines = alt.Chart(pts).mark_line(interpolate="monotone").encode(
        x=x, y=y, detail="edge:N", order="order:Q", color=colour,
        strokeWidth=alt.StrokeWidth("width:Q", title="USD bn", scale=alt.Scale(type="sqrt", range=[1.0, 7.0],
                                                                                    domain=[0, 300]),
                                    legend=None),
        strokeDash=alt.StrokeDash("pending:N", title=None, scale=alt.Scale(
            domain=["Agreed or reported", "In talks or never finalised"], range=[[1, 0], [5, 3]]),
            legend=alt.Legend(orient="bottom")),
        opacity=alt.condition(sel, alt.value(0.75), alt.value(0.08)),
        tooltip=tip).add_params(sel)
    arrows = alt.Chart(flows.assign(pending=flows["status"].isin(["in_talks", "not_finalised"]))).mark_point(
        shape="triangle-up", filled=True, size=45).encode(
        x=alt.X("ax:Q", axis=None, scale=alt.Scale(domain=X_DOMAIN)),
        y=alt.Y("ay:Q", axis=None, scale=alt.Scale(domain=Y_DOMAIN)),
        angle=alt.Angle("angle:Q", scale=None), color=colour,
        opacity=alt.condition(sel, alt.value(0.9), alt.value(0.1)))
    node_tip = [alt.Tooltip("label:N", title="Party"), alt.Tooltip("role_label:N", title="Role"),
                alt.Tooltip("volume_usd_bn:Q", format=",.1f", title="USD bn in and out (disclosed)")]
    fills = {"openai": charts.PALETTE["OpenAI"], "nvidia": charts.PALETTE["NVIDIA"]}
    dots = alt.layer(*[
        alt.Chart(nodes[nodes["party_id"].map(lambda p: p if p in fills else "other") == colour_key]).mark_circle(
            size=150, opacity=1, color=fills.get(colour_key, "#555555")).encode(x=x, y=y, tooltip=node_tip)
        for colour_key in ("openai", "nvidia", "other")])
    last_col = nodes["x"] >= 0.99
    lab_l = alt.Chart(nodes[~last_col]).mark_text(align="center", dy=-11, fontSize=10, color="#222222").encode(
        x=x, y=y, text="label:N")
    lab_r = alt.Chart(nodes[last_col]).mark_text(align="left", dx=8, fontSize=10, color="#222222").encode(
        x=x, y=y, text="label:N")
    heads = nodes.groupby("column").agg(x=("x", "first"), role=("column_label", "first")).reset_index()
    heads["y"] = 1.075
    cols = alt.layer(
        alt.Chart(heads[heads["x"] < 0.99]).mark_text(fontSize=10, fontStyle="italic", color="#666666",
                                                     baseline="bottom").encode(x=x, y=y, text="role:N"),
        alt.Chart(heads[heads["x"] >= 0.99]).mark_text(fontSize=10, fontStyle="italic", color="#666666",
                                                      baseline="bottom", align="left", dx=-6).encode(
            x=x, y=y, text="role:N"))
    chart = alt.layer(lines, arrows, dots, lab_l, lab_r, cols).properties(height=470, title=alt.Title(
        "Who pays whom around OpenAI's compute",
        subtitle=["Arrows run from payer to payee; line width grows with the amount (undisclosed: thinnest)",
                  "Dashed: in talks or never finalised. In the HTML edition, click a legend entry to pick out one kind"]))
    n_open = int(flows["status"].isin(["in_talks", "not_finalised"]).sum())
    top = flows.sort_values("amount_usd_bn", ascending=False).head(4)
    return charts.figure(chart, source=SOURCE_EVENTS, description=(
        f"Network chart of {len(nodes)} parties and {len(flows)} flows: investors and lenders on the left, OpenAI "
        f"in the middle, cloud providers and site developers to its right, chip suppliers and NVIDIA's other "
        f"customers on the far right. The largest flows: "
        + "; ".join(f"{r.payer_label} to {r.payee_label}, {r.kind_label.lower()}, {prose.usd_bn(r.amount_usd_bn)}"
                    for r in top.itertuples())
        + f". NVIDIA holds {prose.usd_bn(financing.nvidia_equity_at_cost(), 1)} of OpenAI equity at cost. "
        f"{n_open} flows are in talks or were never finalised."))


# --- NVIDIA's exposure ------------------------------------------------------------------------

def exposure_note(scenario: Scenario, result: pd.DataFrame | None = None) -> prose.Markdown:
    """Return NVIDIA's exposure to OpenAI in prose, against its own revenue and cash."""
    a = scenario.assumptions
    x = financing.exposure(a, result)
    path = ("the per-gigawatt tranches this edition assumes would take NVIDIA's investment to "
            f"{prose.usd_bn(x['edition_investment_usd_bn'])}" if a.investment_structure == "tranches" else
            f"this edition keeps NVIDIA's investment at the fixed {prose.usd_bn(x['edition_investment_usd_bn'])} stake")
    return prose.md(
        f"NVIDIA's equity in OpenAI cost about {prose.usd_bn(x['equity_at_cost_usd_bn'], 1)}, almost all of it "
        f"in the 2026 round. At the latest priced round "
        f"({prose.usd_bn(x['valuation_latest_usd_bn'])} post-money, 31 March 2026, {cite('openai_round_close_2026')}) it "
        f"is worth about {prose.usd_bn(x['equity_marked_usd_bn'], 1)} before dilution; no later priced round was "
        f"found in the sources. That equity is {prose.pct(x['equity_share_of_fcf'])} of the "
        f"{prose.usd_bn(x['nvidia_fcf_fy2026_usd_bn'], 1)} of free cash flow NVIDIA made in fiscal 2026 "
        f"({cite('stocktitan_nvda_fy2026')}). In the **{scenario.title}** edition {path}. "
        f"The larger exposure may be off balance sheet: NVIDIA is reported ready to guarantee both OpenAI's "
        f"20-year lease of a {prose.num(x['openai_guarantee_gw'], 0)} GW Ohio campus and its developer's "
        f"financing ({cite('networkworld_ohio_2026')}), a project put at $500bn or more; no amount has been "
        f"disclosed and no lease had been signed by the latest source. Revenue is the third exposure: in the "
        f"edition's peak year ({x['peak_year']}) the programme buys {prose.usd_bn(x['peak_year_revenue_usd_bn'])} "
        f"of NVIDIA systems, {prose.pct(x['peak_revenue_share_of_fy2026'])} of NVIDIA's fiscal 2026 revenue of "
        f"{prose.usd_bn(x['nvidia_revenue_fy2026_usd_bn'], 1)}, its latest full fiscal year (to January 2026), "
        f"shown for scale: no source projects NVIDIA's revenue for {x['peak_year']}."
    )


def exposure_table(scenario: Scenario, result: pd.DataFrame | None = None) -> tables.Table:
    """Return NVIDIA's exposure to OpenAI, item by item, against its fiscal 2026 revenue and cash."""
    x = financing.exposure(scenario.assumptions, result)
    rev, fcf = x["nvidia_revenue_fy2026_usd_bn"], x["nvidia_fcf_fy2026_usd_bn"]
    rows = [
        ("Equity in OpenAI, at cost (sourced)", x["equity_at_cost_usd_bn"], "2024-2026 rounds"),
        ("Equity in OpenAI, at the latest priced round", x["equity_marked_usd_bn"], "31 March 2026, before dilution"),
        ("Investment in OpenAI on this edition's path", x["edition_investment_usd_bn"], "model, to the horizon"),
        ("Guarantee of the Ohio lease and project debt", float("nan"), "reported, in talks; amount not public"),
        (f"Programme purchases of NVIDIA systems in {x['peak_year']}", x["peak_year_revenue_usd_bn"], "model, peak year"),
        ("For scale: NVIDIA revenue, fiscal 2026", rev, "year to 25 January 2026"),
        ("For scale: NVIDIA free cash flow, fiscal 2026", fcf, "year to 25 January 2026"),
    ]
    df = pd.DataFrame(rows, columns=["item", "usd_bn", "basis"])
    df["share_rev"] = 100 * df["usd_bn"] / rev
    df["share_fcf"] = 100 * df["usd_bn"] / fcf
    return tables.table(df, {"item": tables.Col("Exposure"), "usd_bn": tables.Col("USD bn", 1),
                             "share_rev": tables.Col("% of FY26 revenue", 0),
                             "share_fcf": tables.Col("% of FY26 free cash flow", 0),
                             "basis": tables.Col("Basis")},
                        note="Sourced rows from the financing table and NVIDIA's results; model rows from this "
                             "edition's assumptions.")


# --- the funding gap --------------------------------------------------------------------------

def funding_note(scenario: Scenario) -> prose.Markdown:
    """Return how the funding gap is built."""
    a = scenario.assumptions
    return prose.md(
        f"The funding gap below is the programme's capital spent in a year less the money NVIDIA puts into "
        f"OpenAI that year, plus the cost of carrying the capital funded so far: "
        f"{prose.num(a.cost_of_capital_pct, 0)}% a year on the capital outstanding at the start of the year, "
        f"each year's capital beyond NVIDIA's money being repaid over its life like a level loan, the one "
        f"treatment of the cost of capital every unit cost in the report uses. It is the same whether OpenAI, a "
        f"cloud partner or a lender carries the capital: a lease moves it to another balance sheet and turns it "
        f"into rent, which is why Oracle, the developers and their banks appear in @fig-who-pays-network. It leaves out "
        f"OpenAI's other spending and its other compute contracts, so it is the programme's share of the need, "
        f"not OpenAI's whole cash burn. Every edition is shown with the same treatment."
    )


def fig_funding_gap(scenario: Scenario) -> charts.Figure:
    """Return the yearly funding gap under every edition (one line each)."""
    all_sc = scenarios.resolve_all(scenario)
    g = financing.funding_gap_by_edition(all_sc)
    g = charts.mark_edition(g, "title", scenario.title)
    names = list(dict.fromkeys(g["title"]))
    colours = charts.scenario_colours(list(dict.fromkeys(g["scenario"])))
    by_title = dict(zip(g["title"], g["scenario"]))
    scale_c = alt.Scale(domain=names, range=[colours[by_title[n]][0] for n in names])
    scale_d = alt.Scale(domain=names, range=[colours[by_title[n]][1] for n in names])
    x = alt.X("year:O", title="Calendar year")
    y = alt.Y("funding_gap_usd_bn:Q", title=labels.titled("funding_gap_usd_bn"))
    chart = alt.Chart(g).mark_line(point=True).encode(
        x=x, y=y,
        color=alt.Color("title:N", title="Edition", scale=scale_c),
        strokeDash=alt.StrokeDash("title:N", title="Edition", scale=scale_d),
        tooltip=[alt.Tooltip("title:N", title="Edition"), alt.Tooltip("year:O", title="Year"),
                 alt.Tooltip("funding_gap_usd_bn:Q", format=",.1f", title=labels.titled("funding_gap_usd_bn")),
                 alt.Tooltip("capital_cost_usd_bn:Q", format=",.1f", title=labels.titled("capital_cost_usd_bn")),
                 alt.Tooltip("investment_usd_bn:Q", format=",.1f", title=labels.titled("investment_usd_bn"))])
    chart = (charts.edition_halo(g, x, y) + chart).properties(title=alt.Title(
        "The programme's yearly funding gap in every edition",
        subtitle="Capital spent less NVIDIA's investment, plus the cost of carrying the capital funded so far; "
                 "pale band: this edition"))
    peaks = g.loc[g.groupby("title")["funding_gap_usd_bn"].idxmax()]
    return charts.figure(chart, source=SOURCE_MODEL, description=(
        "Line chart of the funding gap by year, one line per edition; peaks: "
        + "; ".join(f"{r.title} {prose.usd_bn(r.funding_gap_usd_bn)} in {r.year}" for r in peaks.itertuples()) + "."))


def funding_table(scenario: Scenario, result: pd.DataFrame | None = None) -> tables.Table:
    """Return this edition's funding gap by year, with OpenAI's projected revenue for scale."""
    g = financing.funding_gap(scenario.assumptions, result)
    g["year_str"] = g["year"].astype(str)
    return tables.table(g, {
        "year_str": tables.Col("Year"),
        "capex_usd_bn": tables.Col(labels.titled("capex_usd_bn"), 1),
        "investment_usd_bn": tables.Col(labels.titled("investment_usd_bn"), 1),
        "capital_cost_usd_bn": tables.Col(labels.titled("capital_cost_usd_bn"), 1),
        "funding_gap_usd_bn": tables.Col(labels.titled("funding_gap_usd_bn"), 1),
        "funding_gap_cum_usd_bn": tables.Col(labels.titled("funding_gap_cum_usd_bn"), 1),
        "openai_revenue_usd_bn": tables.Col(labels.titled("openai_revenue_usd_bn"), 1),
    }, note="USD bn. OpenAI's revenue grows from the 2025 figure at the edition's assumed rate, as in the "
            "economics chapter; beyond 2030 that is an extrapolation past any source.")
