"""The reproduction check's PDF comparison (analysis/repro.py), on two small Typst documents.

Typst numbers each embedded font's glyphs in the order the document first uses them. A build date
on the first page that uses another digit first (2026-12-04 instead of 2026-12-03) renumbers the
glyphs of every later page, so their drawing instructions differ while every glyph is in place:
that is not a difference. A change to what a page draws is one.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest
import typst

from analysis import repro

EPOCHS = {"2026-12-03": 1764720000, "2026-12-04": 1764806400}


def _edition(day: str) -> dict[str, str]:
    return {"build_epoch": str(EPOCHS[day]), "build_time": day}


def _document(folder: Path, day: str) -> Path:
    """A two-page PDF: the build date on page 1, the same sentence with both digits on page 2."""
    src = folder / f"{day}.typ"
    src.write_text(f"Built on {day}.\n#pagebreak()\nChapter 3 of 4, on 34 pages.\n", encoding="utf-8")
    out = folder / f"{day}.pdf"
    typst.compile(str(src), output=str(out), timestamp=EPOCHS[day])
    return out


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("repro-pdf")
    return _document(folder, "2026-12-03"), _document(folder, "2026-12-04")


def test_glyphs_renumbered_by_another_build_date_are_no_difference(pdfs):
    a, b = pdfs
    with pymupdf.open(a) as da, pymupdf.open(b) as db:
        # The case this test is about: page 2 reads the same, its instructions do not.
        assert da[1].get_text() == db[1].get_text()
        assert da[1].read_contents() != db[1].read_contents()
    assert repro._pdf_differences(a, b, _edition("2026-12-03"), _edition("2026-12-04")) == []


def test_a_changed_drawing_is_still_a_difference(pdfs, tmp_path):
    a, b = pdfs
    changed = tmp_path / "changed.pdf"
    with pymupdf.open(b) as doc:
        doc[1].draw_rect(pymupdf.Rect(100, 300, 140, 320), color=(0.8, 0.1, 0.1), width=1)  # no text
        doc.save(changed)
    found = repro._pdf_differences(a, changed, _edition("2026-12-03"), _edition("2026-12-04"))
    assert found == ["page 2: drawing differs, text is the same"]
