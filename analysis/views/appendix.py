"""The appendix: ledger and sources tables, methodology and how to rerun."""

from __future__ import annotations

from .. import appendix, data, prose, sourcing, tables
from ..assumptions import Scenario


def intro(sc: Scenario) -> prose.Markdown:
    """Return the sizes of the ledger and the sources list, and how judgement is marked."""
    c = appendix.counts()
    return prose.md(
        f"The report rests on {c['assumptions']} assumptions ({c['uncertain']} flagged uncertain and varied in the "
        f"sensitivity analysis), {c['tables']} data tables and {c['sources']} sources, {c['weak']} of them "
        f"({prose.pct(sourcing.weak_share())}) flagged weak: an aggregator, repost, blog or minor outlet whose "
        f"original we could not reach, marked 'weak source' wherever it is cited. {c['judgement']} of the "
        f"assumptions' defaults rest on no source that states them; the ledger marks them as our judgement and "
        f"names the sources that inform them, and a † marks every edition's value that is our judgement. "
        f"{c['settings']} more are settings of the model (a seed, a horizon), which claim nothing about the world. This "
        f"edition was built for **{sc.title}**; the ledger shows every edition's value side by side.")


def departures_note(sc: Scenario) -> prose.Markdown:
    """Return what the departures table shows, or that this edition sets nothing of its own."""
    if appendix.departures(sc).empty:
        return prose.md(f"The **{sc.title}** edition sets no value of its own: every assumption holds its "
                        f"default, and the defaults are the letter of intent as written.")
    return prose.md("@tbl-appendix-departures lists what this edition sets differently from the letter of "
                    "intent, and what backs each value.")


def departures_table(sc: Scenario) -> tables.Table | None:
    """Return the values this edition sets, each with what backs it (None when it sets none)."""
    d = appendix.departures(sc)
    if d.empty:
        return None
    return tables.table(d, {"label": tables.Col("Assumption"), "unit": tables.Col("Unit"),
                            "value": tables.Col("This edition"), "default": tables.Col("Letter of intent"),
                            "basis": tables.Col("Basis"), "backing": tables.Col("Source or judgement")},
                        note="The defaults are the letter of intent as announced; every edition that departs from "
                             "it names the source of each departure, or says it is our judgement.")


def ledger_table(sc: Scenario) -> tables.Table:
    """Return the assumptions ledger generated from the schema."""
    led = appendix.ledger(sc)
    scs = appendix.scenario_columns(sc)
    cols = {"label": tables.Col("Assumption"), "unit": tables.Col("Unit")}
    cols |= {n: tables.Col(t) for n, t in scs}
    cols |= {"range": tables.Col("Allowed range"), "basis": tables.Col("Basis of the default")}
    return tables.table(led, cols, note="† our judgement: no source states this value. Editions override the "
                                        "defaults only; the next table says what backs each default.")


def backing_table(sc: Scenario) -> tables.Table:
    """Return what each assumption means and what backs its default."""
    led = appendix.ledger(sc)
    return tables.table(led, {"label": tables.Col("Assumption"), "description": tables.Col("Meaning"),
                              "backing": tables.Col("Source of the default, or the sources informing our judgement")})


def descriptions_table(sc: Scenario) -> tables.Table:
    """Return what each assumption means (kept for callers of the earlier name)."""
    return backing_table(sc)


def sources_table() -> tables.Table:
    """Return the sources list with what each supports and whether it is weak."""
    s = appendix.sources()
    s["source"] = [f"{t}. {p}, {d}" + (f" ({f.lower()})" if f else "")
                   for t, p, d, f in zip(s["title"], s["publisher"], s["published"], s["reliability"])]
    return tables.table(s, {"source": tables.Col("Source (title, publisher, date, flag)"),
                            "supports": tables.Col("What it supports in this report"), "url": tables.Col("Address")},
                        note="All sources accessed on the date recorded with them (2026-11-26 or 2026-12-02). "
                             "'Supports' is generated from the rows that cite each source.")


def sources_note() -> prose.Markdown:
    """Return the limitation the sources' dates set: the newest source, the last search, the weak share."""
    src = sourcing.table()
    external = src[src["kind"] != data.JUDGEMENT]
    weak = int(external["weak"].sum())
    return prose.md(
        f"The newest source is of {data.data_date()}; searching again on {sourcing.searched_date()} found "
        f"nothing later, and the report makes no claim about what happened since. {weak} of the "
        f"{len(external)} sources ({prose.pct(weak / len(external))}) are weak (aggregators, reposts, minor "
        f"outlets whose original we could not reach); each is flagged where it is cited.")
