"""Sites: the campuses that carry OpenAI's NVIDIA capacity, their grids, and how much of the
programme's gigawatts named sites account for.

Public API:
- table(): every site of data/sites.csv with its source, largest first;
- shapes(): the bundled map outlines (TopoJSON dicts, read from data/shapes/);
- site_gw_by_year(years): GW each site could carry at each year's end (a linear ramp from its first
  phase to its full size; a site with no date for full size counts its first phase only);
- named_share(a, result): per calendar year, programme GW online against GW at named sites;
- key_numbers(a, result): the chapter's headline numbers.
"""

from __future__ import annotations

import functools
import json

import numpy as np
import pandas as pd

from . import data, labels, paths, roadmap
from .assumptions import Assumptions
from .deal import with_sources
from .errors import DataError

labels.register("programme_gw", "Programme online", "GW")
labels.register("named_sites_gw", "Named campuses", "GW")
labels.register("named_share", "Share of the programme named campuses can hold", "share")

SHAPES = {"us_states": ("us-states-10m.json", "states"), "world_land": ("world-land-110m.json", "land")}
STATUS_ORDER = ["operating", "operating (partly)", "under construction", "in talks"]


def table() -> pd.DataFrame:
    """Return the sites with sources, largest planned capacity first (unknown size last)."""
    s = data.table("sites")
    s = s.sort_values(["planned_gw", "site_id"], ascending=[False, True], na_position="last", kind="stable")
    return with_sources(s.reset_index(drop=True))


@functools.lru_cache(maxsize=4)
def _shape(name: str) -> str:
    file, _ = SHAPES[name]
    path = paths.DATA / "shapes" / file
    try:
        text = path.read_text(encoding="utf-8")
        json.loads(text)
    except (OSError, ValueError) as exc:
        raise DataError(f"map shapes unreadable: data/shapes/{file}: {exc}") from None
    return text


def shapes(name: str) -> tuple[dict, str]:
    """Return (TopoJSON dict, object name) for one bundled outline."""
    return json.loads(_shape(name)), SHAPES[name][1]


def site_gw_by_year(years, sites: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return GW per site at the end of each year (long: site_id, year, gw).

    A site has its first phase from first_year and grows linearly to planned_gw at full_year; with
    no full_year only the first phase counts. Sites of unknown size add nothing.
    """
    s = (data.table("sites") if sites is None else sites).copy()
    years = np.asarray(list(years), float)
    rows = []
    for r in s.itertuples():
        if not (r.planned_gw > 0) or not (r.first_year > 0):
            gw = np.zeros_like(years)
        else:
            first = r.first_phase_gw if r.first_phase_gw > 0 else r.planned_gw
            if r.full_year > 0 and r.full_year > r.first_year:
                frac = np.clip((years - r.first_year) / (r.full_year - r.first_year), 0.0, 1.0)
                gw = np.where(years >= r.first_year, first + frac * (r.planned_gw - first), 0.0)
            elif r.full_year > 0:
                gw = np.where(years >= r.first_year, r.planned_gw, 0.0)
            else:
                gw = np.where(years >= r.first_year, first, 0.0)
        rows += [{"site_id": r.site_id, "year": int(y), "gw": float(g)} for y, g in zip(years, gw)]
    return pd.DataFrame(rows)


def named_share(a: Assumptions, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return per calendar year: programme GW online at year end, GW at named sites, and the share of
    the programme those sites can hold (capped at 1: they cannot hold more than the programme).

    Named sites' gigawatts are as their sources state them (IT or facility, often unsaid), and some
    of that capacity serves OpenAI outside this programme; the share is an upper bound on what the
    named sites explain, not a claim that the programme is built there.
    """
    df = roadmap.run(a) if result is None else result
    year = np.floor(df["half"]).astype(int)
    online = df.groupby(year)["online_gw"].last()
    g = site_gw_by_year(online.index)
    named = g.groupby("year")["gw"].sum().reindex(online.index, fill_value=0.0)
    out = pd.DataFrame({"year": online.index, "programme_gw": online.to_numpy(), "named_sites_gw": named.to_numpy()})
    prog = out["programme_gw"].where(out["programme_gw"] > 0)
    out["named_share"] = (np.minimum(out["named_sites_gw"], out["programme_gw"]) / prog).astype(float)
    return out


def key_numbers(a: Assumptions, result: pd.DataFrame | None = None) -> dict[str, float]:
    """Return the chapter's headline numbers for one edition."""
    s = data.table("sites")
    share = named_share(a, result)
    sized = s[s["planned_gw"] > 0]
    us = sized[sized["country"] == "United States"]
    last = share.iloc[-1]
    first_full = share[share["named_share"] >= 0.999]
    return {
        "n_sites": int(len(s)), "n_sized": int(len(sized)),
        "planned_gw": float(sized["planned_gw"].sum()),
        "planned_us_gw": float(us["planned_gw"].sum()),
        "planned_ex_ohio_gw": float(sized.loc[sized["status"] != "in talks", "planned_gw"].sum()),
        "reported_gw": float(s["reported_gw"].fillna(0).sum()),
        "n_ercot": int((s["egrid_subregion"] == "ERCT").sum()),
        "last_year": int(last["year"]), "last_share": float(last["named_share"]),
        "first_full_year": int(first_full["year"].iloc[0]) if len(first_full) else 0,
    }
