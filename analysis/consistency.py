"""Checks of the report's prose that a careful reader would make: one denominator per quantity,
comparisons in matching years, nothing attributed to NVIDIA that rests on our assumption, no
projection past its source's horizon unannounced, one name per platform.

Each check takes text (or two renderings of it) and returns the problems it finds, one line each;
tests run them on the executed notebooks of every edition and on sentences of the old text.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

#: A sentence ends at . ! ? followed by a space and a capital, or at a line break between items.
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(*])|\n\s*\n|\n(?=\s*(?:\d+\.|-)\s)")


def sentences(text: str) -> list[str]:
    """Split prose into sentences (markdown tables dropped, emphasis removed, whitespace collapsed)."""
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("|"))
    text = re.sub(r"[*_`]", "", text)
    return [" ".join(s.split()) for s in _SENTENCE.split(text) if s.strip()]


def prose_of(notebook: Path) -> str:
    """Return the reader's prose of an executed notebook: markdown cells and text/markdown outputs."""
    nb = nbformat.read(notebook, as_version=4)
    parts = []
    for c in nb.cells:
        if c.cell_type == "markdown":
            parts.append(c.source)
        for out in c.get("outputs", []):
            md = out.get("data", {}).get("text/markdown")
            if md:
                parts.append(md if isinstance(md, str) else "".join(md))
    return "\n\n".join(parts)


# --- One denominator per quantity ---------------------------------------------------------------

#: "of the 28 GW of accelerator supply OpenAI has committed to", "its 30 GW of commitments".
_COMMITTED = re.compile(r"(?:of the|its) ([\d,.]+) GW\b[^.;]{0,70}?(?:commit|lined up|signed|supply deals)")


def denominator_problems(text: str) -> list[str]:
    """Return a problem if OpenAI's commitments in GW are divided by more than one figure."""
    found = {}
    for s in sentences(text):
        for m in _COMMITTED.finditer(s):
            found.setdefault(float(m.group(1).replace(",", "")), s)
    if len(found) > 1:
        return [f"OpenAI's committed GW appears as {', '.join(f'{v:g}' for v in sorted(found))}: "
                + " | ".join(found[v][:120] for v in sorted(found))]
    return []


# --- Comparisons in matching years --------------------------------------------------------------

_COMPARISON = re.compile(r"\d\s?% of\b|\d times\b|\bshare of\b|\bas a share\b")
#: A year, but not inside an ISO date (2025-09-22 is when something happened, not a compared year).
_YEAR = re.compile(r"(?<![-\d])(FY)?(20[2-3]\d)(?![-\d])")
#: Words that tell the reader a comparison spans years on purpose.
_HEDGES = ("for scale", "latest full", "a past year", "same year", "that year", "in the year of",
           "at today's prices", "no source projects", "those years")


def _years(sentence: str) -> set[int]:
    """Return the calendar years a sentence names (NVIDIA's fiscal year N ends in January of N)."""
    return {int(y) - 1 if fy else int(y) for fy, y in _YEAR.findall(sentence)}


def year_problems(text: str) -> list[str]:
    """Return every sentence that sets one quantity against another across different years without
    saying so."""
    out = []
    for s in sentences(text):
        if _COMPARISON.search(s) and len(_years(s)) > 1 and not any(h in s.lower() for h in _HEDGES):
            out.append(f"years {sorted(_years(s))} compared without saying so: {s[:160]}")
    return out


# --- Nothing resting on our assumption is attributed to NVIDIA -----------------------------------

_NVIDIA_FIGURES = re.compile(r"NVIDIA[’']s (?:own |roadmap )?(?:figures|numbers)", re.I)


def attribution_problems(with_assumed: str, without_assumed: str) -> list[str]:
    """Return every sentence attributed to NVIDIA's figures that changes when the platforms resting on
    this report's assumption are removed: such a number is ours, not NVIDIA's."""
    a = [s for s in sentences(with_assumed) if _NVIDIA_FIGURES.search(s)]
    b = set(s for s in sentences(without_assumed) if _NVIDIA_FIGURES.search(s))
    return [f"attributed to NVIDIA but rests on an assumed platform: {s[:160]}" for s in a if s not in b]


# --- No projection past its source's horizon, unannounced -----------------------------------------

_REVENUE = re.compile(r"\brevenue\b", re.I)
_BEYOND = ("beyond", "past ", "after ", "no source", "stops in", "not projected")


def horizon_problems(text: str, horizon_year: int, subject: re.Pattern = _REVENUE) -> list[str]:
    """Return every sentence that gives the subject (OpenAI's revenue) for a year past the source's
    horizon without saying it goes past it."""
    out = []
    for s in sentences(text):
        late = [y for y in _years(s) if y > horizon_year]
        if late and subject.search(s) and "OpenAI" in s and not any(w in s.lower() for w in _BEYOND):
            out.append(f"projects past {horizon_year} ({late}) without saying so: {s[:160]}")
    return out


# --- One name per platform ---------------------------------------------------------------------

_PLATFORM = re.compile(r"\b((?:Vera )?Rubin(?: Ultra)?|GB[23]00) NVL(\d+)\b")


def platform_name_problems(text: str, names: set[str]) -> list[str]:
    """Return every platform name that is not the one spelling the data holds, unless the same
    sentence also gives the data's name (an explained rename)."""
    out = []
    for s in sentences(text):
        for m in _PLATFORM.finditer(s):
            name = m.group(0)
            if name in names:
                continue
            family = m.group(1)
            if not any(n.startswith(family) and n in s for n in names):
                out.append(f"platform named {name!r}, not as in the data ({', '.join(sorted(names))}): {s[:140]}")
    return out
