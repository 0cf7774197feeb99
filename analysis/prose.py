"""Prose generated from results: number formatting and Markdown output for notebooks."""

from __future__ import annotations

import math


def num(x: float, digits: int = 1) -> str:
    """Format a number with thousands separators and fixed decimals ('1,234.5')."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        raise ValueError(f"refusing to print a non-finite number: {x!r}")
    return f"{x:,.{digits}f}"


def sig(x: float, digits: int = 2) -> str:
    """Format with about `digits` significant figures, keeping thousands separators."""
    if x is None or not math.isfinite(x):
        raise ValueError(f"refusing to print a non-finite number: {x!r}")
    if x == 0:
        return "0"
    mag = int(math.floor(math.log10(abs(x))))
    decimals = max(0, digits - 1 - mag)
    return f"{round(x, decimals):,.{decimals}f}"


def usd_bn(x: float, digits: int = 0) -> str:
    """Format billions of US dollars as '$1,234bn'."""
    return f"${num(x, digits)}bn"


def flops(eflops: float) -> str:
    """Format compute given in EFLOP/s in the unit that suits its size ('267 ZFLOP/s', '3.6 EFLOP/s')."""
    if abs(eflops) >= 1000:
        return f"{num(eflops / 1000, 0 if abs(eflops) >= 10_000 else 1)} ZFLOP/s"
    return f"{num(eflops, 0 if abs(eflops) >= 10 else 1)} EFLOP/s"


def judged_list(scenario, items: list[tuple[str, str]]) -> str:
    """Return values joined in prose, then one mark saying which of them are our judgement:
    items are (text, assumption name)."""
    texts = [t for t, _ in items]
    marked = [t for t, n in items if judged(scenario, n)]
    joined = texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]
    if not marked:
        return joined
    if len(marked) == len(items):
        return joined + (" (all our judgement)" if len(items) > 1 else JUDGEMENT_MARK)
    return joined + f" ({', '.join(marked)}: our judgement)"


def pct(share: float, digits: int = 0) -> str:
    """Format a share (0.25) as a percentage ('25%')."""
    return f"{num(100 * share, digits)}%"


#: Marks a number that rests on this report's judgement, wherever it appears in the prose.
JUDGEMENT_MARK = " (our judgement)"


def judged(scenario, name: str) -> str:
    """Return ' (our judgement)' when the edition's value of an assumption rests on no source that
    states it (see analysis.sourcing.basis), else ''; append it right after the number."""
    from . import sourcing

    c = scenario.citation(name)
    return JUDGEMENT_MARK if sourcing.basis(c.source, c.derived, c.set_by_reader) == "judgement" else ""


class Markdown:
    """Markdown text shown as a text/markdown output (the report engine and Quarto render it)."""

    def __init__(self, text: str):
        self.text = text.strip() + "\n"

    def _repr_markdown_(self) -> str:
        return self.text

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/markdown": self.text, "text/plain": self.text}


def md(text: str) -> Markdown:
    """Wrap generated Markdown for display."""
    return Markdown(text)
