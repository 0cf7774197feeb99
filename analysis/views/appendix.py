"""The appendix: ledger and sources tables, methodology and how to rerun."""

from __future__ import annotations

from .. import appendix, prose, tables
from ..assumptions import Scenario


def intro(sc: Scenario) -> prose.Markdown:
    """Return the sizes of the ledger and the sources list."""
    c = appendix.counts()
    return prose.md(
        f"The report rests on {c['assumptions']} assumptions ({c['uncertain']} flagged uncertain and varied in the "
        f"sensitivity analysis), {c['tables']} data tables and {c['sources']} sources. This edition was built for "
        f"the **{sc.title}** scenario; the ledger shows every scenario's value side by side.")


def ledger_table(sc: Scenario) -> tables.Table:
    """Return the assumptions ledger generated from the schema."""
    led = appendix.ledger(sc)
    scs = appendix.scenario_columns(sc)
    cols = {"name": tables.Col("Assumption"), "unit": tables.Col("Unit")}
    cols |= {n: tables.Col(t) for n, t in scs}
    cols |= {"range": tables.Col("Allowed range"), "source_id": tables.Col("Source")}
    return tables.table(led, cols, note="Generated from analysis/assumptions.py (python -m analysis ledger); "
                                        "scenario files override defaults only.")


def descriptions_table(sc: Scenario) -> tables.Table:
    """Return what each assumption means."""
    led = appendix.ledger(sc)
    return tables.table(led, {"name": tables.Col("Assumption"), "group": tables.Col("Group"),
                              "uncertain": tables.Col("Uncertain"), "description": tables.Col("Meaning")})


def sources_table() -> tables.Table:
    """Return the sources list from data/sources.csv."""
    s = appendix.sources()
    return tables.table(s, {"source_id": tables.Col("Id"), "title": tables.Col("Title"),
                            "publisher": tables.Col("Publisher"), "published": tables.Col("Published"),
                            "url": tables.Col("URL"), "cited_by": tables.Col("Cited by")},
                        note="All sources accessed on the date in data/sources.csv (column 'accessed').")
