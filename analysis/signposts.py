"""What to watch: dated signposts, each with its status at the data date and what it would move.

A signpost (data/signposts.csv) is an event expected by a date. Its status is computed, never typed:
'happened' when a timeline event fulfils it, 'missed' when its date passed before the newest source
without one, 'open' otherwise. Status is read at the data date (the newest source's publication
date), not at the build date, because the sources say nothing about what came after them.
"""

from __future__ import annotations

import pandas as pd

from . import assumptions, data, deal, labels, sourcing
from .assumptions import Assumptions

STATUS_LABEL = {"happened": "Happened", "missed": "Missed by its date", "open": "Open"}
#: Prefix of a 'moves' entry that names an edition (a scenario file) rather than an assumption.
EDITION = "edition:"


def check(table: pd.DataFrame | None = None) -> list[str]:
    """Return every problem in the signposts: bad dates, unknown events, assumptions or editions."""
    sp = data.table("signposts") if table is None else table
    events = set(data.table("deal_events")["event_id"])
    fields = Assumptions.model_fields
    editions = set(assumptions.scenario_names())
    problems = []
    for _, r in sp.iterrows():
        sid = r["signpost_id"]
        if pd.isna(pd.to_datetime(r["due"], format="%Y-%m-%d", errors="coerce")):
            problems.append(f"signpost {sid}: due {r['due']!r} is not a YYYY-MM-DD date")
        if r["happened_event"] and r["happened_event"] not in events:
            problems.append(f"signpost {sid}: happened_event {r['happened_event']!r} is not in the timeline")
        for m in str(r["moves"]).split(";"):
            m = m.strip()
            if m.startswith(EDITION):
                if m[len(EDITION):] not in editions:
                    problems.append(f"signpost {sid}: moves unknown edition {m[len(EDITION):]!r}")
            elif m not in fields:
                problems.append(f"signpost {sid}: moves {m!r}, which is not an assumption")
    if sp["signpost_id"].duplicated().any():
        problems.append(f"duplicate signpost_id {sp['signpost_id'][sp['signpost_id'].duplicated()].iloc[0]!r}")
    return problems


def moves_text(moves: str) -> str:
    """Return the assumptions and editions a signpost moves, in the reader's words."""
    out = []
    for m in str(moves).split(";"):
        m = m.strip()
        if m.startswith(EDITION):
            out.append(f"Edition: {assumptions.resolve(m[len(EDITION):]).title}")
        elif m:
            out.append(labels.label(m))
    return "; ".join(out)


def table(as_of: str | None = None) -> pd.DataFrame:
    """Return every signpost with its status at the data date (or `as_of`), due date first."""
    problems = check()
    if problems:
        raise data.DataError(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    sp = data.table("signposts").copy()
    ev = deal.timeline().set_index("event_id")
    when = pd.Timestamp(as_of or data.data_date())
    sp["due_date"] = pd.to_datetime(sp["due"], format="%Y-%m-%d")
    happened_on = sp["happened_event"].map(lambda e: ev.at[e, "date"] if e else pd.NaT)
    sp["happened_on"] = happened_on
    sp["status"] = ["happened" if pd.notna(h) and h <= when else "missed" if d < when else "open"
                    for h, d in zip(happened_on, sp["due_date"])]
    sp["status_label"] = sp["status"].map(STATUS_LABEL)
    sp["moves_label"] = sp["moves"].map(moves_text)
    sp["happened_event_text"] = sp["happened_event"].map(lambda e: str(ev.at[e, "event"]) if e else "")
    sp = sourcing.with_sources(sp)
    return sp.sort_values(["due_date", "signpost_id"], kind="stable").reset_index(drop=True)


def status(signpost_id: str, as_of: str | None = None) -> str:
    """Return one signpost's status: 'happened', 'missed' or 'open'."""
    t = table(as_of).set_index("signpost_id")
    return str(t.at[signpost_id, "status"])


def counts(as_of: str | None = None) -> dict[str, int]:
    """Return how many signposts are open, happened and missed."""
    t = table(as_of)
    return {k: int((t["status"] == k).sum()) for k in STATUS_LABEL} | {"total": int(len(t))}
