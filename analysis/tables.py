"""Tables built once and shown well in HTML and PDF: units in headers, separators, right-aligned numbers."""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import labels, units


#: From this many columns a table is "wide": smaller, condensed type in HTML and PDF.
WIDE_COLUMNS = 7

# Column widths for the PDF, decided here once and carried by the pipe table's separator line, so
# that pandoc (under Quarto) and the embedded engine lay a table out alike.
#: Width of one digit or letter in table text (at most 8 pt), in points, plus cell padding.
CHAR_PT, CELL_PAD_PT = 4.6, 10.0
#: Text width of the PDF page (A4 less 2.5 cm margins), in points.
TEXT_WIDTH_PT = 453.0
#: Cells at most this long are never wrapped: their column is sized to fit them.
SHORT_CELL_CHARS = 16
#: Dashes in a pipe table's separator line across all columns: pandoc reads a column's share of the
#: width from its share of the dashes (when a line is longer than 72 characters, as this makes it).
RULE_DASHES = 200
TOKEN = re.compile(r"[\s_/.\u200b-]+")
#: Characters markdown reads as markup (emphasis, maths, links, citations, HTML, cell borders), and
#: quotes, which its `smart` reading would curl where the HTML table keeps them straight.
MARKUP = re.compile(r"([\\`*_\[\]<>$@~^|'\"])")


def breakable(s: str) -> str:
    """Let identifiers (capex_total_usd_bn) and URLs wrap in narrow cells: a zero-width space after
    underscores, and in URLs after dots and slashes too."""
    s = s.replace("_", "_\u200b")
    if "://" in s:
        s = s.replace(".", ".\u200b").replace("/", "/\u200b")
    return s


def column_widths(header: list[str], rows: list[list[str]], align: list[str]) -> list[float]:
    """Return each column's share of the text width (summing to 1): short columns fit their
    content, long text shares the rest.

    Numbers and short cells never wrap, so their column is as wide as its longest value (or header
    word). Long text columns share what is left in proportion to their typical length, but never
    get less than their longest word needs. Equal or `auto` columns would let long headers or
    prose squeeze the other columns into slivers. A table of short columns only is spread over
    the whole width in proportion, as the HTML table is.
    """
    def pt(chars: int) -> float:
        return chars * CHAR_PT + CELL_PAD_PT

    fixed: dict[int, float] = {}
    weight: dict[int, float] = {}
    floor: dict[int, float] = {}
    for i, head in enumerate(header):
        cells = [r[i] for r in rows if i < len(r)] or [""]
        head_word = max((len(w) for w in head.split()), default=0)
        longest = max(len(c) for c in cells)
        if align[i] == "right" or longest <= SHORT_CELL_CHARS:
            fixed[i] = pt(max(longest, head_word, 3))
            continue
        lengths = sorted(len(c) for c in cells)
        token = max([len(t) for c in cells for t in TOKEN.split(c)] + [head_word])
        weight[i] = min(max(lengths[int(0.75 * (len(lengths) - 1))], 4), 60)
        floor[i] = pt(token)
    # Give a text column its floor as a fixed width when its share would fall below it.
    while weight:
        avail = TEXT_WIDTH_PT - sum(fixed.values())
        total = sum(weight.values())
        short = [i for i, w in weight.items() if avail * w / total < floor[i]]
        if not short or avail <= 0:
            break
        i = min(short, key=lambda k: avail * weight[k] / total - floor[k])
        fixed[i] = floor.pop(i)
        del weight[i]
    avail = TEXT_WIDTH_PT - sum(fixed.values())
    if not weight or avail < TEXT_WIDTH_PT * 0.05:
        # Nothing to share, or too much to fit at natural widths: every column in proportion.
        sizes = [fixed.get(i, 0.0) or weight[i] * CHAR_PT for i in range(len(header))]
    else:
        total = sum(weight.values())
        sizes = [fixed[i] if i in fixed else avail * weight[i] / total for i in range(len(header))]
    return [size / sum(sizes) for size in sizes]


def rule_dashes(shares: list[float]) -> list[int]:
    """Return the dashes of each column in a pipe table's separator line for these width shares."""
    return [max(3, round(share * RULE_DASHES)) for share in shares]


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

    def dashes(self) -> list[int]:
        """Return the separator dashes of each column: its share of the PDF's text width."""
        return rule_dashes(column_widths(self.header, self.rows, self.align))

    def to_markdown(self) -> str:
        """Return a pipe table (what Quarto's Typst PDF is made from): right-aligned numbers, column
        widths in the separator line, identifiers and URLs that may wrap."""
        def esc(s: str) -> str:  # what markdown would read as markup prints as itself
            return breakable(MARKUP.sub(r"\\\1", s))
        rule = [("-" * (n - 1) + ":") if a == "right" else (":" + "-" * (n - 1))
                for n, a in zip(self.dashes(), self.align)]
        lines = ["| " + " | ".join(map(esc, self.header)) + " |", "|" + "|".join(rule) + "|"]
        lines += ["| " + " | ".join(map(esc, r)) + " |" for r in self.rows]
        if self.note:
            lines += ["", MARKUP.sub(r"\\\1", self.note)]
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
