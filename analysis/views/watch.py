"""The "What to watch" chapter: dated signposts, their status at the data date, what each would move."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, data, deal, prose, signposts, sourcing, tables
from ..assumptions import Scenario

SOURCE = "Company statements and press reports (sources appendix); status computed at the data date"
#: Status colours: open in the accent, happened in a neutral dark, missed in red-orange (colour-blind safe).
STATUS_COLOURS = {"Open": charts.PALETTE["OpenAI"], "Happened": "#555555", "Missed by its date": "#D55E00"}


def intro(sc: Scenario) -> prose.Markdown:
    """Return what the chapter is for, the data date and the counts by status."""
    c = signposts.counts()
    s = deal.first_gigawatt_status(sc.assumptions)
    return prose.md(
        f"What would tell a reader, before the companies say so, which way the partnership is going? "
        f"@tbl-watch lists {c['total']} dated signposts: events the sources say to expect by a date, each with "
        f"what it would move in this report, an assumption or a whole edition. Status is read at the data "
        f"date, {s['data_date']}, the publication date of the newest source: {c['happened']} have happened, "
        f"{c['missed']} passed {'its' if c['missed'] == 1 else 'their'} date without happening and {c['open']} "
        f"are open. "
        f"A signpost still open after its date means only that the sources checked say nothing either way."
        + _passed_since(s["data_date"], s["searched_date"]))


def _passed_since(data_date: str, searched: str) -> str:
    """Name the open signposts whose date fell between the data date and the last search, if any."""
    t = signposts.table()
    late = t[(t["status"] == "open") & (t["due_date"] > pd.Timestamp(data_date))
             & (t["due_date"] <= pd.Timestamp(searched))]
    if late.empty:
        return ""
    items = [f"“{r.short}”, due by {r.due_date.date().isoformat()}" for r in late.itertuples()]
    listed = "; ".join(items)
    return (f" When the sources were last searched, on {searched}, {prose.num(len(items), 0) if len(items) > 9 else _WORDS[len(items)]} "
            f"more {'date had' if len(items) == 1 else 'dates had'} passed with no report either way: {listed}.")


_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


@charts.of_data
def fig_signposts() -> charts.Figure:
    """Return the signposts on a time axis, coloured by status, with the data date marked."""
    t = signposts.table()
    t["due_str"] = t["due_date"].dt.strftime("%Y-%m-%d")
    when = pd.Timestamp(data.data_date())
    domain = [(t["due_date"].min() - pd.Timedelta(days=60)).isoformat(),
              (t["due_date"].max() + pd.Timedelta(days=60)).isoformat()]
    base = alt.Chart(t).encode(
        x=alt.X("due_date:T", title="Due by", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6),
                scale=alt.Scale(domain=domain)),
        y=alt.Y("short:N", sort=list(t["short"]), title=None))
    points = base.mark_point(size=110, filled=True).encode(
        color=alt.Color("status_label:N", title="Status", scale=alt.Scale(
            domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values()))),
        shape=alt.Shape("status_label:N", title="Status", scale=alt.Scale(
            domain=list(STATUS_COLOURS), range=["circle", "square", "triangle-up"])),
        tooltip=[alt.Tooltip("signpost:N", title="Signpost"), alt.Tooltip("due_str:N", title="Due by"),
                 alt.Tooltip("status_label:N", title="Status"), alt.Tooltip("moves_label:N", title="Would move"),
                 alt.Tooltip("citation:N", title="Source")])
    searched = pd.Timestamp(sourcing.searched_date())
    marks = pd.DataFrame({"d": [when, searched],
                          "text": [f"Data date {when.date().isoformat()}", f"Last searched {searched.date().isoformat()}"]})
    rule = alt.Chart(marks).mark_rule(strokeDash=[4, 3], color="#555555").encode(x="d:T")
    label = (alt.Chart(marks.iloc[[0]]).mark_text(align="right", dx=-4, dy=-6, fontSize=10, color="#333333")
             .encode(x="d:T", y=alt.value(0), text="text:N")
             + alt.Chart(marks.iloc[[1]]).mark_text(align="left", dx=4, dy=-6, fontSize=10, color="#333333")
             .encode(x="d:T", y=alt.value(0), text="text:N"))
    chart = (rule + label + points).properties(height=22 * len(t), title=alt.Title(
        "Signposts to watch, by the date they are due",
        subtitle="Status at the data date (the newest source): happened, missed by its date, or open"))
    c = signposts.counts()
    return charts.figure(chart, source=SOURCE, description=(
        f"Dot chart of {c['total']} signposts by due date from {t['due_str'].iloc[0]} to {t['due_str'].iloc[-1]}: "
        f"{c['happened']} happened, {c['missed']} missed, {c['open']} open; the data date is "
        f"{when.date().isoformat()}; the sources were last searched on {searched.date().isoformat()}."))


def signposts_table() -> tables.Table:
    """Return every signpost with its date, status, source and what it would move and how."""
    t = signposts.table()
    t["due_str"] = t["due_date"].dt.strftime("%Y-%m-%d")
    return tables.table(t, {
        "due_str": tables.Col("Due by"),
        "signpost": tables.Col("Signpost"),
        "status_label": tables.Col("Status"),
        "moves_label": tables.Col("Would move"),
        "direction": tables.Col("How"),
        "citation": tables.Col("Source of the date (publisher, date)"),
    }, note="Status at the data date. Where a date reads a vague phrase ('in the coming weeks', 'this fall'), "
            "the list below says how it was set.")


def dates_note() -> prose.Markdown:
    """Return how each date was set, signpost by signpost."""
    t = signposts.table()
    lines = [f"- **{r.signpost}** (by {r.due_date.date().isoformat()}): {r.due_basis}" for r in t.itertuples()]
    return prose.md("Where each date comes from:\n\n" + "\n".join(lines))
