"""The embedded engine's PDF layout: cover, contents, charts at one scale, long wide tables that fit."""

from __future__ import annotations

import shutil

import altair as alt
import pandas as pd
import pymupdf
import pypandoc
import pytest
import typst

from analysis import charts, paths, render, tables
from analysis.tables import Col

MARGIN_X_PT = 2.5 / 2.54 * 72  # typst-template.typ: page margin x 2.5cm


def test_chart_width_known_answers():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" class="marks" width="620" height="400" viewBox="0 0 620 400">'
    assert render.svg_size(svg) == (620.0, 400.0)
    assert render.chart_width_pt(svg) == 465.0  # 0.75 pt per px
    tall = '<svg class="marks" width="800" height="1000">'
    assert render.chart_width_pt(tall) == pytest.approx(800 * 0.75 * render.MAX_CHART_HEIGHT_PT / 750, abs=0.1)
    with pytest.raises(Exception):
        render.svg_size("<svg viewBox='0 0 1 1'>")


def test_typst_markup_escapes_what_typst_would_read_as_code():
    assert render.typst_markup("$10bn #1 <x> [y] // z") == "\\$10bn \\#1 \\<x\\> \\[y\\] \\/\\/ z"


def blocks_for_layout() -> list[render.Block]:
    """A chapter with a narrow ordinal chart, an over-wide chart and a long 10-column table."""
    df = pd.DataFrame({"half": ["H2 2026", "H1 2027", "H2 2027"], "gw": [1.0, 2.0, 3.0]})
    narrow = charts.figure(alt.Chart(df).mark_bar().encode(x="half:O", y=alt.Y("gw:Q", title="Power (GW)"))
                           .properties(title="Narrow"), description="Three bars.", source="Test source A")
    wide = charts.figure(alt.Chart(df).mark_bar().encode(x="half:O", y=alt.Y("gw:Q", title="Power (GW)"))
                         .properties(title="Wide", width=1400), description="Wide bars.", source="Test source B")
    long = pd.DataFrame({f"c{i}": [1234567.891 * (r + 1) for r in range(90)] for i in range(9)})
    long.insert(0, "name", [f"Vera Rubin NVL144 row {r}" for r in range(90)])
    cols = {"name": Col("Platform added")} | {f"c{i}": Col(f"Cumulative capital {i} (USD bn)", 1) for i in range(9)}
    table = tables.table(long, cols, note="Source: test table note.")._repr_mimebundle_()
    figs = []
    for label, f in (("fig-narrow", narrow), ("fig-wide", wide)):
        b = f._repr_mimebundle_()
        figs.append(render.Block("figure", label=label, caption=f"Caption {label}",
                                 data={"html": b["text/html"], "svg": b["image/svg+xml"], **b[charts.Figure.mime]}))
    return [render.Block("md", text="# A chapter {#sec-a}\n\nSee @fig-narrow, @fig-wide and @tbl-long.\n\n## A section\n\nText."),
            *figs,
            render.Block("table", label="tbl-long", caption="A long wide table",
                         data={"html": table["text/html"], **table[tables.Table.mime]})]


@pytest.fixture(scope="module")
def layout_pdf(tmp_path_factory) -> pymupdf.Document:
    out = tmp_path_factory.mktemp("pdf") / "report.pdf"
    project = render.Project(title="Test Report", subtitle="A subtitle", author="Tester", chapters=[],
                             output_dir=out.parent, output_file="report")
    ctx = render.Context(scenario="base", scenario_title="As announced", data_date="2026-06-15",
                         scenarios=[("base", "As announced")], scenario_description="Costs $10bn #1 <x> [y] // z")
    render.render_pdf(project, blocks_for_layout(), ctx, out)
    return pymupdf.open(out)


def test_cover_shows_title_scenario_date_and_escaped_description(layout_pdf):
    cover = layout_pdf[0].get_text()
    for text in ("Test Report", "A subtitle", "As announced", "2026-06-15", "Costs $10bn #1 <x> [y] // z"):
        assert text in cover


def test_contents_and_numbered_chapter(layout_pdf):
    assert "Contents" in layout_pdf[1].get_text()
    assert "A chapter" in layout_pdf[1].get_text() and "1.1" in layout_pdf[1].get_text()
    body = "".join(p.get_text() for p in layout_pdf)
    assert "CHAPTER 1" in body


def test_captions_are_numbered_with_source_notes(layout_pdf):
    body = " ".join(" ".join(p.get_text().split()) for p in layout_pdf)
    assert "Figure 1. Caption fig-narrow" in body and "Figure 2. Caption fig-wide" in body
    assert "Source: Test source A" in body and "Source: Test source B" in body
    assert "Table 1. A long wide table" in body and "Source: test table note." in body
    assert "See Figure 1, Figure 2 and Table 1." in body


def test_running_header_and_page_numbers(layout_pdf):
    last = len(layout_pdf) - 1  # pages after the cover are numbered 1..N
    for i in range(1, len(layout_pdf)):
        text = layout_pdf[i].get_text()
        assert "Edition: As announced" in text and "Data as of 2026-06-15" in text
        assert f"Page {i} of {last}" in text


def test_long_table_breaks_with_repeated_header_and_nothing_is_clipped(layout_pdf):
    pages_with_rows = [p for p in layout_pdf if "Vera Rubin" in p.get_text()]
    assert len(pages_with_rows) >= 2, "90 rows should run over more than one page"
    assert all("Platform" in p.get_text() and "added" in p.get_text() for p in pages_with_rows)
    for p in layout_pdf.pages(1):
        right = p.rect.width - MARGIN_X_PT
        for block in p.get_text("dict")["blocks"]:
            x0, y0, x1, y1 = block["bbox"]
            # Justified text hangs punctuation a few pt into the margin (optical alignment); a table
            # or chart that overflows does so by far more.
            assert MARGIN_X_PT - 1.5 <= x0 and x1 <= right + 6, (p.number, block["bbox"])
            assert 0 <= y0 and y1 <= p.rect.height
        for d in p.get_drawings():
            assert d["rect"].x1 <= right + 1.5 and d["rect"].x0 >= MARGIN_X_PT - 1.5, (p.number, d["rect"])


def test_charts_print_at_one_scale_capped_at_the_text_width(tmp_path):
    narrow, wide = [b for b in blocks_for_layout() if b.kind == "figure"]
    src = render._typst_block(narrow, tmp_path)
    assert f'tengw-chart("figs/fig-narrow.svg", {render.chart_width_pt(narrow.data["svg"])}pt)' in src
    assert 420 < render.chart_width_pt(narrow.data["svg"]) < 520  # the theme width, not stretched
    assert render.chart_width_pt(wide.data["svg"]) > 1000  # too wide: the template caps it (checked above)


def test_quarto_partials_compile_as_quarto_would_inline_them(tmp_path):
    """Quarto inlines typst-template.typ and typst-show.typ; check they make a PDF with the same look."""
    for name in ("typst-template.typ", "typst-show.typ"):
        shutil.copy2(paths.TEMPLATES / name, tmp_path / name)
    (tmp_path / "main.typ").write_text("$typst-template.typ()$\n\n$typst-show.typ()$\n\n$body$\n", encoding="utf-8")
    source = tmp_path / "doc.typ"
    pypandoc.convert_text("# One {#sec-one}\n\nText.\n", "typst", format="markdown", outputfile=str(source),
                          extra_args=["--standalone", f"--template={tmp_path / 'main.typ'}",
                                      "-M", "title=Quarto Title", "-M", "toc=true",
                                      "-M", "scenario-title=Constrained", "-M", "data-date=2026-06-15"])
    typst.compile(str(source), output=str(tmp_path / "doc.pdf"), root=str(tmp_path), font_paths=render.FONT_DIRS)
    doc = pymupdf.open(tmp_path / "doc.pdf")
    assert "Quarto Title" in doc[0].get_text() and "Constrained" in doc[0].get_text()
    assert "Contents" in doc[1].get_text()


def test_identifiers_and_urls_may_wrap_in_table_cells():
    assert render.breakable("capex_total_usd_bn") == "capex_\u200btotal_\u200busd_\u200bbn"
    assert render.breakable("https://a.com/x") == "https:/\u200b/\u200ba.\u200bcom/\u200bx"
    assert render.breakable("1,234.5") == "1,234.5"  # numbers stay whole



def test_table_columns_numbers_fixed_text_shares_the_rest():
    header = ["Risk: what could happen", "Likelihood (share)", "GW lost"]
    rows = [["a long sentence describing a risk in some detail", "0.25", "1.5"]] * 3
    widths = render.column_widths(header, rows, ["left", "right", "right"])
    assert widths[0].endswith("fr")
    # Numbers keep a width that fits their longest value or header word ("Likelihood" = 10 chars).
    assert widths[1] == f"{10 * render.CHAR_PT + render.CELL_PAD_PT:.0f}pt"
    many = render.column_widths(["Name"] + [f"Value {i}" for i in range(9)], [["x"] + ["123,456,789.1"] * 9],
                                ["left"] + ["right"] * 9)
    assert all(w.endswith("fr") for w in many)  # too many wide numbers: everything shares in proportion
