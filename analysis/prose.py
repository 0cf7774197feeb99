"""Prose generated from results: number formatting and Markdown output for notebooks."""

from __future__ import annotations

import math

from . import units


def num(x: float, digits: int = 1) -> str:
    """Format a number with thousands separators and fixed decimals ('1,234.5')."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        raise ValueError(f"refusing to print a non-finite number: {x!r}")
    return f"{x:,.{digits}f}"


def sig(x: float, digits: int = units.SIG_FIGS) -> str:
    """Format with about `digits` significant figures, keeping thousands separators (units.number)."""
    return units.number(x, digits)


def quantity(x: float, unit: str, digits: int = units.SIG_FIGS) -> str:
    """Format a value in the unit that suits its size, to the report's significant figures ('249 ZFLOP/s')."""
    return units.quantity(x, unit, digits)


def usd_bn(x: float, digits: int = 0) -> str:
    """Format billions of US dollars as '$1,234bn'; from $1,000bn up as trillions ('$1.4tn')."""
    if x is not None and math.isfinite(x) and abs(x) >= units.STEP:
        return f"${units.number(x / 1000, trim=True)}tn"
    return f"${num(x, digits)}bn"


def flops(eflops: float) -> str:
    """Format compute given in EFLOP/s in the unit that suits its size ('249 ZFLOP/s', '3.6 EFLOP/s')."""
    return units.quantity(eflops, "EFLOP/s")


def energy(twh: float, per_year: bool = True) -> str:
    """Format electricity given in TWh in the unit that suits its size ('70.1 TWh a year', '512 GWh a year')."""
    text = units.quantity(twh, "TWh")
    return text + (" a year" if per_year else "")


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
