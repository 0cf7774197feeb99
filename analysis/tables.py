"""Tables built once and shown well in HTML and PDF: units in headers, separators, right-aligned numbers."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import labels, units


#: From this many columns a table is "wide": smaller, condensed type in HTML and PDF.
WIDE_COLUMNS = 7


@dataclass(frozen=True)
class Col:
    """How one column shows: its header (with unit) and decimals for numbers."""

    header: str
    decimals: int | None = None  # None: text column
    factor: float = 1.0  # values are divided by this (a column shown in ZFLOP/s holds EFLOP/s)


def quantity(values, unit: str, header: str) -> Col:
    """Return a numeric column in the unit that suits its largest value, with the report's significant
    figures: 'header (unit)' for a header ('Dense FP4 (ZFLOP/s)'); silent units stay out of it."""
    nums = [float(v) for v in values if v is not None and v != "" and not (isinstance(v, float) and math.isnan(v))]
    factor, shown = units.scale_column(nums, unit)
    scaled = [v / factor for v in nums]
    title = labels.with_unit(header, shown)
    return Col(title, int(units.d3_format(scaled)[2:-1]) if scaled else 0, factor)


def metric(name: str, values, short_form: bool = False) -> Col:
    """Return the column of a registered metric or assumption: its label, its unit scaled to the values."""
    e = labels.entry(name)
    return quantity(values, e.unit, (e.short or e.label) if short_form else e.label)


def _cell(value: Any, col: Col) -> str:
    if col.decimals is None:
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return "–"
    return f"{float(value) / col.factor:,.{col.decimals}f}"


class Table:
    """A formatted table with text/html, text/markdown and a structured form for the PDF engine."""

    mime = "application/vnd.tengw.table+json"

    def __init__(self, df: pd.DataFrame, columns: dict[str, Col], note: str = ""):
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise KeyError(f"table columns not in frame: {', '.join(missing)}")
        self.header = [c.header for c in columns.values()]
        self.align = ["left" if c.decimals is None else "right" for c in columns.values()]
        self.rows = [[_cell(row[name], col) for name, col in columns.items()]
                     for _, row in df.iterrows()]
        self.note = note

    def to_html(self) -> str:
        """Return an HTML table with right-aligned numeric columns."""
        def cls(a: str) -> str:
            return ' class="num"' if a == "right" else ""
        head = "".join(f"<th{cls(a)}>{html.escape(h)}</th>" for h, a in zip(self.header, self.align))
        def cell(v: str) -> str:  # identifiers may wrap after underscores
            return html.escape(v).replace("_", "_<wbr>")
        body = "\n".join("<tr>" + "".join(f"<td{cls(a)}>{cell(v)}</td>" for v, a in zip(r, self.align))
                         + "</tr>" for r in self.rows)
        note = f'<p class="tengw-source">{html.escape(self.note)}</p>' if self.note else ""
        wide = " wide" if len(self.header) >= WIDE_COLUMNS else ""
        return (f'<div class="tengw-table-wrap"><table class="tengw-table{wide}"><thead><tr>{head}</tr></thead>'
                f"<tbody>\n{body}\n</tbody></table></div>{note}")

    def to_markdown(self) -> str:
        """Return a pipe table (what Quarto and pandoc use for PDF)."""
        def esc(s: str) -> str:
            return s.replace("|", "\\|")
        rule = ["---:" if a == "right" else ":---" for a in self.align]
        lines = ["| " + " | ".join(map(esc, self.header)) + " |", "|" + "|".join(rule) + "|"]
        lines += ["| " + " | ".join(map(esc, r)) + " |" for r in self.rows]
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines) + "\n"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        md = self.to_markdown()
        return {
            "text/plain": md,
            "text/markdown": md,
            "text/html": self.to_html(),
            self.mime: {"header": self.header, "align": self.align, "rows": self.rows, "note": self.note},
        }


def table(df: pd.DataFrame, columns: dict[str, Col], note: str = "") -> Table:
    """Build a report table from a frame and a column spec."""
    return Table(df, columns, note)
