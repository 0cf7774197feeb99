"""Supply chain in gigawatts: CoWoS packaging and HBM supply turned into accelerator packages and then
into gigawatts a year for the programme's platforms, against what the programme adds.

Public API:
- packages_from_wafers(wafers, packages_per_wafer, yield_share): packages a year from CoWoS wafers;
- packages_from_hbm(hbm_gb, gb_per_package): packages a year the HBM can fill;
- gw_from_packages(a, packages, platform): GW of programme power those packages fill;
- cowos_wafers_by_year(a, years): wafers a year (12 x the mean of the year's opening and closing
  monthly capacity; grown at supply_growth_pct_per_year after the last sourced year);
- hbm_gb_by_year(a, years): HBM gigabytes a year, likewise;
- by_year(a, result, platforms): per calendar year the supply, NVIDIA's share in GW, the programme's
  need and the share of NVIDIA's output that need is;
- key_numbers(a): the chapter's headline numbers, with and without platforms of assumed specs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import data, economics, labels, roadmap
from .assumptions import Assumptions

MONTHS_PER_YEAR = 12
for _name, _label, _unit, _short in [
        ("nvidia_gw", "NVIDIA's output, packaging- and memory-limited", "GW a year", "NVIDIA's output"),
        ("need_gw", "GW the programme adds", "GW a year", "Programme adds"),
        ("programme_gw_central", "Programme's plausible share of NVIDIA's output", "GW a year",
         "Programme's share (central)"),
        ("need_share_of_nvidia", "Programme's need as a share of NVIDIA's output", "share", "Need, share of NVIDIA"),
        ("cowos_wafers", "CoWoS wafers", "wafers per year", ""),
        ("hbm_gb", "HBM supply", "GB per year", "")]:
    labels.register(_name, _label, _unit, _short)


def packages_from_wafers(wafers, packages_per_wafer, yield_share):
    """Return good accelerator packages from CoWoS wafers (broadcasts)."""
    return np.asarray(wafers, float) * np.asarray(packages_per_wafer, float) * np.asarray(yield_share, float)


def packages_from_hbm(hbm_gb, gb_per_package):
    """Return the accelerator packages a quantity of HBM can fill (broadcasts)."""
    return np.asarray(hbm_gb, float) / np.asarray(gb_per_package, float)


def gw_from_packages(a: Assumptions, packages, platform: pd.Series):
    """Return the GW of programme power (the schedule's basis) that packages of one platform fill.

    Uses the same racks-per-GW arithmetic as the roadmap: IT power per GW (1/PUE on a facility
    basis), less the share drawn outside accelerator racks, over rack power.
    """
    per_gw = economics.units_per_gw(a, platform.to_frame().T)["packages_per_gw"].iloc[0]
    return np.asarray(packages, float) / float(per_gw)


def _series(item: str, col: str = "value") -> pd.Series:
    s = data.table("supply")
    s = s[s["item"] == item]
    return s.set_index(s["year"].astype(int))[col].astype(float).fillna(s.set_index(s["year"].astype(int))["value"])


def _grow(points: pd.Series, years, growth_pct: float) -> pd.Series:
    """Return points on the given years, grown yearly from the last sourced year; NaN before the first."""
    years = [int(y) for y in years]
    last = int(points.index.max())
    g = 1.0 + growth_pct / 100.0
    return pd.Series([points.get(y, np.nan) if y <= last else points[last] * g ** (y - last) for y in years],
                     index=years, dtype=float)


def cowos_wafers_by_year(a: Assumptions, years, col: str = "value") -> pd.Series:
    """Return CoWoS wafers a year: 12 x the mean of the monthly capacity at the start and end of the year."""
    years = [int(y) for y in years]
    ends = _grow(_series("cowos_capacity", col), sorted(set(years) | {y - 1 for y in years}),
                 a.supply_growth_pct_per_year)
    return pd.Series([MONTHS_PER_YEAR * (ends[y - 1] + ends[y]) / 2 for y in years], index=years, dtype=float)


def hbm_gb_by_year(a: Assumptions, years) -> pd.Series:
    """Return HBM gigabytes a year (sourced year, then grown at supply_growth_pct_per_year)."""
    return _grow(_series("hbm_supply"), years, a.supply_growth_pct_per_year)


def packages_per_wafer(platform: str, col: str = "value") -> float:
    """Return CoWoS packages per wafer for a platform (data/supply.csv)."""
    s = data.table("supply")
    row = s[(s["item"] == "packages_per_wafer") & (s["platform"] == platform)]
    if row.empty:
        raise KeyError(f"data/supply.csv has no packages_per_wafer row for {platform!r}")
    v = row[col].iloc[0]
    return float(v if pd.notna(v) else row["value"].iloc[0])


def _platform_by_year(df: pd.DataFrame, plat: pd.DataFrame) -> pd.Series:
    """Return the platform each calendar year's additions go on (the newest added that year, else the
    newest deployable by the year's end)."""
    year = np.floor(df["half"]).astype(int)
    out = {}
    for y, grp in df.groupby(year):
        added = grp[grp["added_gw"] > 0]
        if len(added):
            out[y] = added["platform"].iloc[-1]
        else:
            ready = plat[plat["deployable_half"] <= y + 0.5]
            out[y] = ready.index[-1] if len(ready) else plat.index[0]
    return pd.Series(out)


def by_year(a: Assumptions, result: pd.DataFrame | None = None,
            platforms: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return per calendar year: the programme's platform, CoWoS wafers and HBM, the packages and GW
    NVIDIA's share of them makes (the smaller of the two binds), the GW at the assumed share for the
    programme (central and range), the GW the programme adds, and that need as a share of NVIDIA's GW."""
    p = data.platforms() if platforms is None else platforms
    df = roadmap.run(a, p) if result is None else result
    plat = roadmap.programme_platforms(a, p)
    year = np.floor(df["half"]).astype(int)
    need = df.groupby(year)["added_gw"].sum()
    years = list(need.index)
    which = _platform_by_year(df, plat)
    wafers = cowos_wafers_by_year(a, years)
    hbm = hbm_gb_by_year(a, years)
    assumed = set(data.assumed_platforms())
    rows = []
    for y in years:
        name = which[y]
        spec = p.loc[name]
        ppw = packages_per_wafer(name)
        pk_cowos = packages_from_wafers(wafers[y] * a.nvidia_supply_share, ppw, a.packaging_yield)
        pk_hbm = packages_from_hbm(hbm[y] * a.nvidia_supply_share, spec["hbm_gb_per_package"])
        gw_cowos = float(gw_from_packages(a, pk_cowos, spec))
        gw_hbm = float(gw_from_packages(a, pk_hbm, spec)) if np.isfinite(pk_hbm) else np.nan
        nvidia_gw = np.nanmin([gw_cowos, gw_hbm])
        rows.append({"year": y, "platform": name, "platform_assumed": name in assumed,
                     "packages_per_wafer": ppw, "cowos_wafers": wafers[y], "hbm_gb": hbm[y],
                     "nvidia_packages_cowos": float(pk_cowos), "nvidia_packages_hbm": float(pk_hbm),
                     "nvidia_gw_cowos": gw_cowos, "nvidia_gw_hbm": gw_hbm,
                     "binding": "HBM" if np.isfinite(gw_hbm) and gw_hbm < gw_cowos else "CoWoS",
                     "nvidia_gw": float(nvidia_gw),
                     "programme_gw_central": float(nvidia_gw * a.openai_share_of_nvidia_supply),
                     "programme_gw_low": float(nvidia_gw * a.openai_share_range[0]),
                     "programme_gw_high": float(nvidia_gw * a.openai_share_range[1]),
                     "need_gw": float(need[y])})
    out = pd.DataFrame(rows)
    out["need_share_of_nvidia"] = out["need_gw"] / out["nvidia_gw"]
    sup = data.table("supply")
    last = min(int(sup.loc[sup["item"] == item, "year"].max()) for item in ("cowos_capacity", "hbm_supply"))
    out["sourced_year"] = out["year"] <= last
    return out


def key_numbers(a: Assumptions) -> dict[str, float | str | bool]:
    """Return the chapter's headline numbers, and the same with announced platforms only."""
    full = by_year(a)
    ann = by_year(a, platforms=data.platforms(announced_only=True))
    active = full[full["need_gw"] > 0]
    peak = active.loc[active["need_share_of_nvidia"].idxmax()] if len(active) else full.iloc[0]
    peak_ann = ann.loc[peak.name] if len(active) else ann.iloc[0]
    first = full[full["year"] == 2026]
    return {
        "peak_year": int(peak["year"]), "peak_platform": str(peak["platform"]),
        "peak_platform_assumed": bool(peak["platform_assumed"]),
        "peak_need_gw": float(peak["need_gw"]), "peak_nvidia_gw": float(peak["nvidia_gw"]),
        "peak_need_share": float(peak["need_share_of_nvidia"]),
        "peak_need_share_announced": float(peak_ann["need_share_of_nvidia"]),
        "peak_nvidia_gw_announced": float(peak_ann["nvidia_gw"]),
        "peak_platform_announced": str(peak_ann["platform"]),
        "years_over_central": int((active["need_gw"] > active["programme_gw_central"] + 1e-9).sum()),
        "years_over_high": int((active["need_gw"] > active["programme_gw_high"] + 1e-9).sum()),
        "n_active_years": int(len(active)),
        "nvidia_gw_2026": float(first["nvidia_gw"].iloc[0]) if len(first) else float("nan"),
        "any_assumed": bool(full["platform_assumed"].any()),
    }
