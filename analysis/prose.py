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


def pct(share: float, digits: int = 0) -> str:
    """Format a share (0.25) as a percentage ('25%')."""
    return f"{num(100 * share, digits)}%"


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
