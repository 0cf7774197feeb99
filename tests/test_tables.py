"""Tables: units in headers, thousands separators, fixed decimals, right-aligned numbers, notes."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from analysis import tables
from analysis.tables import Col


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"name": ["Vera | Rubin", "Feynman"], "gw": [1234.567, math.nan], "n": [1000000, 2]})


def test_numbers_are_rounded_and_separated(frame):
    t = tables.table(frame, {"name": Col("Platform"), "gw": Col("Power (GW)", 1), "n": Col("Racks (count)", 0)})
    assert t.rows == [["Vera | Rubin", "1,234.6", "1,000,000"], ["Feynman", "–", "2"]]
    assert t.align == ["left", "right", "right"]
    assert t.header == ["Platform", "Power (GW)", "Racks (count)"]


def test_html_right_aligns_numbers_and_escapes(frame):
    html = tables.table(frame, {"name": Col("Platform <x>"), "gw": Col("Power (GW)", 2)}, note="Source: A & B").to_html()
    assert '<th class="num">Power (GW)</th>' in html
    assert '<td class="num">1,234.57</td>' in html
    assert "Platform &lt;x&gt;" in html and "Source: A &amp; B" in html
    assert 'class="tengw-table"' in html


def test_wide_tables_are_marked(frame):
    wide = frame.assign(**{f"c{i}": 1.0 for i in range(tables.WIDE_COLUMNS)})
    cols = {f"c{i}": Col(f"C{i} (GW)", 0) for i in range(tables.WIDE_COLUMNS)}
    assert 'class="tengw-table wide"' in tables.table(wide, cols).to_html()
    assert 'class="tengw-table wide"' not in tables.table(wide, dict(list(cols.items())[:3])).to_html()


def test_markdown_escapes_markup_and_marks_alignment_and_widths(frame):
    t = tables.table(frame, {"name": Col("Platform"), "gw": Col("Power (GW)", 1)}, note="Note $5 *x*.")
    lines = t.to_markdown().splitlines()
    rule = lines[1].strip("|").split("|")
    assert rule[0].startswith(":-") and rule[1].endswith("-:")  # text left, numbers right
    assert [len(r) for r in rule] == t.dashes()
    assert sum(t.dashes()) >= tables.RULE_DASHES - 2 and len(lines[1]) > 72  # pandoc reads relative widths
    assert "Vera \\| Rubin" in lines[2]
    assert lines[-1] == "Note \\$5 \\*x\\*."


def test_pandoc_lays_out_the_markdown_table_as_the_embedded_engine_does(frame):
    """Quarto's Typst PDF is made from the table's markdown: pandoc must read the same column widths
    the embedded engine gives Typst, and print every cell literally."""
    import pypandoc

    t = tables.table(frame.assign(name=["Vera *Rubin* $1", "capex_total_usd_bn"]),
                     {"name": Col("Platform"), "gw": Col("Power (GW)", 1), "n": Col("Racks (count)", 0)})
    typ = pypandoc.convert_text(t.to_markdown(), "typst", format="markdown")
    got = [float(x) for x in re.search(r"columns: \(([^)]*)\)", typ).group(1).replace("%", "").split(",") if x.strip()]
    want = [100 * d / sum(t.dashes()) for d in t.dashes()]
    assert got == pytest.approx(want, abs=0.1)
    html = pypandoc.convert_text(t.to_markdown(), "html", format="markdown")
    assert "Vera *Rubin* $1" in html and "capex_\u200btotal" in html


def test_unknown_columns_fail_loudly(frame):
    with pytest.raises(KeyError, match="missing_col"):
        tables.table(frame, {"missing_col": Col("X")})


def test_structured_form_feeds_the_pdf_engine(frame):
    bundle = tables.table(frame, {"name": Col("Platform"), "gw": Col("Power (GW)", 1)}, note="n")._repr_mimebundle_()
    data = bundle[tables.Table.mime]
    assert data == {"header": ["Platform", "Power (GW)"], "align": ["left", "right"],
                    "rows": [["Vera | Rubin", "1,234.6"], ["Feynman", "–"]], "note": "n"}
