"""The embedded engine's PDF layout: cover, contents, charts at one scale, long wide tables that fit."""

from __future__ import annotations

import shutil
from pathlib import Path

import altair as alt
import pandas as pd
import pymupdf
import pypandoc
import pytest
import typst

from analysis import assumptions, charts, colophon, paths, render, tables
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


def layout_edition(folder: Path) -> Path:
    """Write edition metadata with text markdown and Typst would read as markup, a known data date
    and build time, as the build writes it beside the executed notebooks; return the folder."""
    sc = assumptions.resolve("base").model_copy(update={"title": "Test edition",  # not the template's default title
                                                          "description": "Costs $10bn #1 <x> [y] // z, *not* $30bn_"})
    when = colophon.dt.datetime(2026, 9, 21, 14, 13, 20, tzinfo=colophon.dt.timezone.utc)
    meta = colophon.edition_metadata(sc, "base", {}, "embedded", when)
    meta["data_date"] = "2026-06-15"
    colophon.write(folder, meta, [colophon.edition_of("base", sc)])
    return folder


@pytest.fixture(scope="module")
def layout_pdf(tmp_path_factory) -> pymupdf.Document:
    out = tmp_path_factory.mktemp("pdf") / "report.pdf"
    project = render.Project(title="Test Report", subtitle="A subtitle", author="Tester", chapters=[],
                             output_dir=out.parent, output_file="report")
    render.render_pdf(project, blocks_for_layout(), layout_edition(out.parent / "edition"), out)
    return pymupdf.open(out)


def test_cover_shows_title_scenario_date_and_escaped_description(layout_pdf):
    cover = layout_pdf[0].get_text()
    for text in ("Test Report", "A subtitle", "Test edition", "2026-06-15", "Costs $10bn #1 <x> [y] // z, *not* $30bn_"):
        assert text in " ".join(cover.split())


def test_contents_and_numbered_chapter(layout_pdf):
    assert "Contents" in layout_pdf[1].get_text()
    assert "A chapter" in layout_pdf[1].get_text() and "1.1" in layout_pdf[1].get_text()
    body = "".join(p.get_text() for p in layout_pdf)
    assert "CHAPTER 1" in body


def test_captions_are_numbered_within_the_chapter_with_source_notes(layout_pdf):
    body = " ".join(" ".join(p.get_text().split()) for p in layout_pdf)
    assert "Figure 1.1. Caption fig-narrow" in body and "Figure 1.2. Caption fig-wide" in body
    assert "Source: Test source A" in body and "Source: Test source B" in body  # printed in the chart
    assert "Table 1.1. A long wide table" in body and "Source: test table note." in body
    assert "See Figure 1.1, Figure 1.2 and Table 1.1." in body


def test_running_header_and_page_numbers(layout_pdf):
    last = len(layout_pdf) - 1  # pages after the cover are numbered 1..N
    for i in range(1, len(layout_pdf)):
        text = layout_pdf[i].get_text()
        assert "Edition: Test edition" in text and "Data as of 2026-06-15" in text
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
    """Quarto inlines typst-template.typ and typst-show.typ and reads _edition.yml; check they make a
    PDF with the same look: cover fields, contents, chapter-numbered captions, the build time as
    the PDF's date whoever compiles it."""
    for name in ("typst-template.typ", "typst-show.typ"):
        shutil.copy2(paths.TEMPLATES / name, tmp_path / name)
    (tmp_path / "main.typ").write_text("$typst-template.typ()$\n\n$typst-show.typ()$\n\n$body$\n", encoding="utf-8")
    layout_edition(tmp_path / "edition")
    (tmp_path / "book.yml").write_text("crossref:\n  chapters: true\n", encoding="utf-8")  # as a Quarto book sets it
    source = tmp_path / "doc.typ"
    fig = "```{=typst}\n#figure(rect(), kind: image, caption: [A box]) <fig-box>\n```\n"
    pypandoc.convert_text(f"# One {{#sec-one}}\n\nText.\n\n{fig}", "typst", format="markdown", outputfile=str(source),
                          extra_args=["--standalone", f"--template={tmp_path / 'main.typ'}",
                                      "-M", "title=Quarto Title", "-M", "toc=true",
                                      "--metadata-file", str(tmp_path / "book.yml"),
                                      "--metadata-file", str(tmp_path / "edition" / colophon.META_FILE)])
    typst.compile(str(source), output=str(tmp_path / "doc.pdf"), root=str(tmp_path), font_paths=render.FONT_DIRS)
    doc = pymupdf.open(tmp_path / "doc.pdf")
    cover = " ".join(doc[0].get_text().split())
    assert "Quarto Title" in cover and "Test edition" in cover and "2026-06-15" in cover
    assert "Costs $10bn #1 <x> [y] // z, *not* $30bn_" in cover
    assert "Contents" in doc[1].get_text()
    assert "Figure 1.1. A box" in " ".join(doc[2].get_text().split())
    assert doc.metadata["creationDate"].startswith("D:20260921141320")


def test_identifiers_and_urls_may_wrap_in_table_cells():
    assert tables.breakable("capex_total_usd_bn") == "capex_\u200btotal_\u200busd_\u200bbn"
    assert tables.breakable("https://a.com/x") == "https:/\u200b/\u200ba.\u200bcom/\u200bx"
    assert tables.breakable("1,234.5") == "1,234.5"  # numbers stay whole


def test_table_columns_numbers_fit_text_shares_the_rest():
    header = ["Risk: what could happen", "Likelihood (share)", "GW lost"]
    rows = [["a long sentence describing a risk in some detail", "0.25", "1.5"]] * 3
    shares = tables.column_widths(header, rows, ["left", "right", "right"])
    assert sum(shares) == pytest.approx(1.0)
    # Numbers keep a width that fits their longest value or header word ("Likelihood" = 10 chars);
    # the text column takes the rest of the page's text width.
    assert shares[1] == pytest.approx((10 * tables.CHAR_PT + tables.CELL_PAD_PT) / tables.TEXT_WIDTH_PT)
    assert shares[0] > 0.6
    many = tables.column_widths(["Name"] + [f"Value {i}" for i in range(9)], [["x"] + ["123,456,789.1"] * 9],
                                ["left"] + ["right"] * 9)
    assert sum(many) == pytest.approx(1.0) and max(many[1:]) == min(many[1:])  # too many: all in proportion
