"""The PDF as readers get it: chapters, numbered figures and tables, the key numbers, clean text on the page.

Expectations come from outside the PDF: chapter headings from _quarto.yml and each chapter's first H1,
figures and tables from the executed notebooks, key numbers recomputed with the library and formatted
with the prose helpers. Layout is read off the pages: every figure's caption sits under its chart on the
same page, no page is left mostly empty except where a chapter ends, table headers never run together,
and the cover names publisher, edition, version, licence and how to cite. The last tests damage copies of
the PDF (or render one with the layout rules taken out) and show each check catches it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pymupdf
import pytest
import typst

from analysis import assumptions, charts, colophon, paths, prose, render, roadmap, tables
from analysis.views import roadmap as roadmap_view
from conftest import (PLACEHOLDER, RERUN_HEADING, chapter_heading, chapter_numbers, code_name_problems,
                      floats_numbered_by_chapter, quarto_chapters)

pytestmark = pytest.mark.build

#: Every PDF a reader can download: the base report at the top and one per scenario.
PDFS = ["report"] + assumptions.scenario_names()
ROADMAP_CHAPTER = "compute_roadmap.ipynb"
TOLERANCE_PT = 1.0


def pdf_path(output_dir: Path, name: str) -> Path:
    project = render.read_project()
    sub = output_dir if name == "report" else output_dir / name
    return sub / f"{project.output_file}.pdf"


def scenario_of(name: str) -> str:
    return "base" if name == "report" else name


# --- text helpers ----------------------------------------------------------------------------

QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "−": "-", "\u2060": "", "\u00ad": "",
                        "\u200b": "", "…": "..."})


def flat(text: str) -> str:
    """Text with typographic quotes made plain and every run of whitespace one space."""
    return re.sub(r"\s+", " ", text.translate(QUOTES)).strip()


def squashed(text: str) -> str:
    """Text without whitespace or hyphens, so line breaks and hyphenation do not matter."""
    return re.sub(r"[\s\-‐‑–—*`]", "", text.translate(QUOTES))


def page_texts(doc: pymupdf.Document) -> list[str]:
    return [page.get_text() for page in doc]


def chapters_in_outline(doc: pymupdf.Document) -> list[tuple[str, int]]:
    """Level-1 bookmarks as (title without its number, 1-based page)."""
    return [(flat(re.sub(r"^\d+(\.\d+)*\s+", "", title)), page) for level, title, page, *_ in doc.get_toc()
            if level == 1]


# --- expectations from outside the PDF -------------------------------------------------------

def expected_headings() -> list[str]:
    return [flat(chapter_heading(c).replace("*", "").replace("`", "")) for c in quarto_chapters()]


def expected_floats(executed: Path) -> list[tuple[str, str, str]]:
    """(Figure|Table, caption, number) for every figure and table the executed chapter notebooks
    show, in order; numbers restart in each chapter ("3.1") when _quarto.yml numbers by chapter."""
    out = []
    numbers = chapter_numbers()
    by_chapter = floats_numbered_by_chapter()
    count = {"Figure": 0, "Table": 0}
    for chapter in quarto_chapters():
        if by_chapter:
            count = dict.fromkeys(count, 0)
        if not chapter.endswith(".ipynb"):
            continue
        nb = nbformat.read(executed / Path(chapter).name, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            opts = render.cell_options(cell.source)
            for o in cell.get("outputs", []):
                data = o.get("data", {})
                word = ("Figure" if charts.Figure.mime in data else "Table" if tables.Table.mime in data else None)
                if word is None:
                    continue
                count[word] += 1
                number = f"{numbers[chapter]}.{count[word]}" if by_chapter else str(count[word])
                out.append((word, opts.get("fig-cap" if word == "Figure" else "tbl-cap", ""), number))
    return out


def roadmap_key_numbers(scenario: str) -> list[str]:
    """The roadmap chapter's headline numbers, recomputed with the library and formatted as the prose does."""
    sc = assumptions.resolve(scenario)
    k = roadmap_view.key_numbers(roadmap.run(sc.assumptions))
    return [
        k["first_half"], k["full_half"], k["end_half"],
        f"{prose.num(k['final_gw'])} GW",
        prose.num(k["racks_k"]),
        f"{prose.num(k['accelerators_m'], 2)} million",
        f"{prose.num(k['dies_m'], 2)} million",
        prose.flops(k['fp4_eflops']),
        prose.flops(k['fp8_eflops']),
        f"{prose.num(k['energy_twh'])} TWh",
        prose.usd_bn(k["capex_usd_bn"]),
        prose.usd_bn(k["capex_nvidia_usd_bn"]),
        prose.usd_bn(k["investment_usd_bn"]),
    ]


#: A number as the prose prints it: a date, or an optional $ or sign, digits, and a bn/tn/% suffix.
NUMBER = re.compile(r"\d{4}-\d{2}-\d{2}|(?<![\w.,$-])(?:\$|-)?\d[\d,]*(?:\.\d+)?(?:bn|tn|%)?")


def prose_numbers(executed: Path) -> list[str]:
    """Every number the executed notebooks printed into their prose (text/markdown outputs)."""
    found = []
    for chapter in quarto_chapters():
        if not chapter.endswith(".ipynb"):
            continue
        nb = nbformat.read(executed / Path(chapter).name, as_version=4)
        for cell in nb.cells:
            for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
                data = o.get("data", {})
                if "text/markdown" not in data or charts.Figure.mime in data or tables.Table.mime in data:
                    continue
                text = "".join(data["text/markdown"])
                # Drop what is not shown as text: link targets, attributes, code, HTML tags, pipe tables.
                text = re.sub(r"\]\([^)]*\)|\{[^}]*\}|`[^`]*`|<[^>]+>|^\|.*$|\[\^[^\]]*\]", " ", text, flags=re.M)
                found += [m.group(0).rstrip(",.") for m in NUMBER.finditer(text)]
    return sorted(set(n for n in found if re.search(r"\d", n)))


# --- the checks, each returning the problems it found ----------------------------------------

def heading_problems(doc: pymupdf.Document, headings: list[str]) -> list[str]:
    outline = chapters_in_outline(doc)
    problems = []
    if [t for t, _ in outline] != headings:
        problems.append(f"chapters in the PDF outline {[t for t, _ in outline]} are not {headings}")
    body = squashed("".join(page_texts(doc)))
    problems += [f"heading {h!r} not in the text" for h in headings if squashed(h) not in body]
    pages = [p for _, p in outline]
    if pages != sorted(set(pages)):
        problems.append(f"chapters do not each start on a later page: {pages}")
    return problems


def float_problems(doc: pymupdf.Document, floats: list[tuple[str, str, str]]) -> list[str]:
    body = squashed("".join(page_texts(doc)))
    problems, expected = [], {"Figure": set(), "Table": set()}
    for word, caption, number in floats:
        expected[word].add(number)
        pattern = re.escape(f"{word}{number}") + r"[:.]" + re.escape(squashed(caption))
        if not re.search(pattern, body):
            problems.append(f"{word} {number} ({caption!r}) not found")
    for word, numbers in expected.items():
        numbered = set(re.findall(rf"{word}(\d+(?:\.\d+)?)[:.](?!\d)", body))
        extra = sorted(numbered - numbers)
        if extra:
            problems.append(f"unexpected {word} numbers {extra} (the notebooks show {sorted(numbers)})")
    return problems


def number_problems(text: str, numbers: list[str]) -> list[str]:
    text = flat(text).replace("/ ", "/")  # a line may break after a slash ('ZFLOP/' + 's')
    return [f"{n!r} not in the text" for n in numbers
            if not re.search(r"(?<![\d.,])" + re.escape(flat(n)) + r"(?![\d])", text)]


def placeholder_problems(doc: pymupdf.Document) -> list[str]:
    out = []
    for i, text in enumerate(page_texts(doc), 1):
        text = flat(text)
        out += [f"page {i}: {m.group(0)!r} in …{text[max(0, m.start() - 50):m.end() + 30]}…"
                for m in PLACEHOLDER.finditer(text)]
    return out


def off_page_problems(doc: pymupdf.Document) -> list[str]:
    """Text spans whose box is not inside the page (the text trace: get_text() clips at the page edge)."""
    out = []
    for i, page in enumerate(doc, 1):
        r = page.rect
        for span in page.get_texttrace():
            text = "".join(chr(c[0]) for c in span["chars"])
            if not text.strip() or span.get("type") == 3 or span.get("opacity", 1) == 0:  # invisible text
                continue
            x0, y0, x1, y1 = span["bbox"]
            if (x0 < r.x0 - TOLERANCE_PT or y0 < r.y0 - TOLERANCE_PT or x1 > r.x1 + TOLERANCE_PT
                    or y1 > r.y1 + TOLERANCE_PT):
                out.append(f"page {i}: {text[:40]!r} at {tuple(round(v) for v in span['bbox'])}")
    return out


def reader_pages(doc: pymupdf.Document) -> list[tuple[int, str]]:
    """(page, text) of every page, with the appendix's 'How to rerun' section left out: from its heading
    (found through the outline) to the next chapter, the one place code names and paths belong."""
    toc = doc.get_toc()
    rerun = [(i, page) for i, (level, title, page, *_) in enumerate(toc)
             if re.sub(r"^[\d.]+\s+", "", title).strip() == RERUN_HEADING]
    texts = page_texts(doc)
    if not rerun:
        return list(enumerate(texts, 1))
    i, start = rerun[-1]
    level = toc[i][0]
    end = next((page for lev, _, page, *_ in toc[i + 1:] if lev <= level), doc.page_count + 1)
    out = []
    for n, text in enumerate(texts, 1):
        if n == start:
            text = text[:text.rfind(RERUN_HEADING)] if RERUN_HEADING in text else text
        elif start < n < end:
            continue
        out.append((n, text))
    return out


def code_name_problems_pdf(doc: pymupdf.Document) -> list[str]:
    """Snake_case identifiers and data/ paths anywhere in the PDF but the rerun section."""
    return [p for n, text in reader_pages(doc) for p in code_name_problems(text, f"page {n}")]


#: The body of a page (A4 less the template's margins; the running header and footer lie outside).
BODY_TOP_PT, BODY_BOTTOM_PT = 2.5 * 72 / 2.54, 841.89 - 2.3 * 72 / 2.54
#: A page whose content ends above this share of the body is "mostly empty".
MIN_FILLED = 0.5
#: The stroke (pt) of a table's top rule and of the rule under its header (typst-template.typ).
TABLE_TOP_RULE, HEADER_RULE = 0.8, 0.6


def _lines(page: pymupdf.Page) -> list[dict]:
    return [ln for b in page.get_text("dict")["blocks"] for ln in b.get("lines", [])]


def caption_split_problems(doc: pymupdf.Document) -> list[str]:
    """Figure captions with nothing above them on their page: the chart was left on the page before."""
    out = []
    for i, page in enumerate(doc, 1):
        lines = _lines(page)
        caps = [ln for ln in lines if ln["spans"] and re.fullmatch(r"Figure \d+(?:\.\d+)*", ln["spans"][0]["text"].strip())
                and ln["spans"][0]["flags"] & 16]
        if not caps:
            continue
        boxes = [pymupdf.Rect(ln["bbox"]) for ln in lines if ln not in caps]
        boxes += [d["rect"] for d in page.get_drawings()] + [pymupdf.Rect(im["bbox"]) for im in page.get_image_info()]
        for cap in caps:
            y = cap["bbox"][1]
            if not any(r.y0 > BODY_TOP_PT and r.y1 <= y + 1 for r in boxes):
                out.append(f"page {i}: {cap['spans'][0]['text'].strip()}'s caption is not on its chart's page")
    return out


def filled_share(page: pymupdf.Page) -> float:
    """How far down the page body the content reaches (0 empty, 1 full)."""
    bottoms = [b[3] for b in page.get_text("blocks") if b[1] > BODY_TOP_PT - 5 and b[3] < BODY_BOTTOM_PT + 2]
    bottoms += [d["rect"].y1 for d in page.get_drawings()
                if d["rect"].y0 > BODY_TOP_PT and d["rect"].y1 < BODY_BOTTOM_PT + 2]
    bottoms += [im["bbox"][3] for im in page.get_image_info() if im["bbox"][1] > BODY_TOP_PT]
    return (max(bottoms, default=BODY_TOP_PT) - BODY_TOP_PT) / (BODY_BOTTOM_PT - BODY_TOP_PT)


def sparse_page_problems(doc: pymupdf.Document) -> list[str]:
    """Pages filled less than MIN_FILLED that do not end a chapter (or the contents, or the document)."""
    starts = {p for level, _, p, *_ in doc.get_toc() if level == 1}
    return [f"page {i} is {filled_share(page):.0%} filled in the middle of a chapter"
            for i, page in enumerate(doc, 1)
            if i > 1 and i + 1 not in starts and i < doc.page_count and filled_share(page) < MIN_FILLED]


def table_headers(executed: Path) -> list[str]:
    """Every table header cell the executed notebooks show."""
    out = []
    for nb in executed.glob("*.ipynb"):
        for cell in nbformat.read(nb, as_version=4).cells:
            for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
                if tables.Table.mime in o.get("data", {}):
                    out += o["data"][tables.Table.mime]["header"]
    return out


def header_problems(doc: pymupdf.Document, headers: list[str]) -> list[str]:
    """Words in a table's header row that belong to no single header cell: two cells run together."""
    cells = [squashed(h).replace("\u200b", "") for h in headers]
    out = []
    for i, page in enumerate(doc, 1):
        rules = [(d["rect"].y0, d["width"]) for d in page.get_drawings()
                 if d.get("width") and d["rect"].height < 1.5 and d["rect"].width > 100]
        for top in [y for y, w in rules if abs(w - TABLE_TOP_RULE) < 0.05]:
            below = [y for y, w in rules if abs(w - HEADER_RULE) < 0.05 and top < y < top + 80]
            if not below:
                continue
            for w in page.get_text("words"):
                if top < (w[1] + w[3]) / 2 < min(below) and not any(squashed(w[4]) in c for c in cells):
                    out.append(f"page {i}: table header word {w[4]!r} is in no header cell")
    return out


def chapter_text(doc: pymupdf.Document, heading: str) -> str:
    """The text of the pages from a chapter's first page to the page before the next chapter."""
    outline = chapters_in_outline(doc)
    starts = [p for t, p in outline]
    for i, (title, page) in enumerate(outline):
        if title == heading:
            end = starts[i + 1] - 1 if i + 1 < len(starts) else doc.page_count
            return "\n".join(doc[p].get_text() for p in range(page - 1, max(page, end)))
    raise AssertionError(f"chapter {heading!r} not in the PDF outline {[t for t, _ in outline]}")


# --- tests -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def open_pdf(built_report):
    opened: dict[str, pymupdf.Document] = {}

    def get(name: str) -> pymupdf.Document:
        if name not in opened:
            path = pdf_path(built_report, name)
            assert path.exists(), f"the build did not write {path}"
            opened[name] = pymupdf.open(path)
        return opened[name]
    yield get
    for doc in opened.values():
        doc.close()


@pytest.mark.parametrize("name", PDFS)
def test_page_count_and_every_chapter_heading(open_pdf, name):
    doc = open_pdf(name)
    headings = expected_headings()
    # Cover, contents, then each chapter starting on a page of its own.
    assert doc.page_count >= len(headings) + 2, f"{doc.page_count} pages for {len(headings)} chapters"
    problems = heading_problems(doc, headings)
    assert not problems, "\n".join(problems)
    assert doc.metadata.get("title") == render.read_project().title


@pytest.mark.parametrize("name", PDFS)
def test_every_numbered_figure_and_table(open_pdf, name):
    floats = expected_floats(paths.BUILD / scenario_of(name))
    assert floats, "the notebooks show no figures or tables"
    problems = float_problems(open_pdf(name), floats)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PDFS)
def test_key_numbers_equal_the_library(open_pdf, name):
    doc = open_pdf(name)
    text = chapter_text(doc, flat(chapter_heading(ROADMAP_CHAPTER)))
    problems = number_problems(text, roadmap_key_numbers(scenario_of(name)))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PDFS)
def test_every_number_in_the_prose_reaches_the_pdf(open_pdf, name):
    numbers = prose_numbers(paths.BUILD / scenario_of(name))
    assert len(numbers) >= 10, f"only {numbers} found in the notebooks' prose"
    problems = number_problems("\n".join(page_texts(open_pdf(name))), numbers)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PDFS)
def test_no_nan_none_or_unresolved_reference(open_pdf, name):
    problems = placeholder_problems(open_pdf(name))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PDFS)
def test_no_text_runs_off_the_page(open_pdf, name):
    problems = off_page_problems(open_pdf(name))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PDFS)
def test_no_code_name_or_data_path_outside_the_rerun_section(open_pdf, name):
    problems = code_name_problems_pdf(open_pdf(name))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PDFS)
def test_every_caption_is_on_its_figures_page(open_pdf, name):
    problems = caption_split_problems(open_pdf(name))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PDFS)
def test_no_page_is_mostly_empty_except_at_a_chapter_end(open_pdf, name):
    problems = sparse_page_problems(open_pdf(name))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PDFS)
def test_table_headers_never_run_together(open_pdf, name):
    headers = table_headers(paths.BUILD / scenario_of(name))
    assert headers
    problems = header_problems(open_pdf(name), headers)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PDFS)
def test_the_cover_names_publisher_edition_version_licence_and_citation(open_pdf, name):
    meta = colophon.read(paths.BUILD / scenario_of(name))
    cover = flat(open_pdf(name)[0].get_text())
    for label, key in (("Published by", "publisher"), ("Edition date", "build_date"), ("Data as of", "data_date"),
                       ("Version", "version_text"), ("Licence", "licence"), ("How to cite", "citation")):
        assert label in cover and flat(meta[key]) in cover, f"the cover lacks {label}: {meta[key]!r}"
    assert "Not investment advice" in cover and "judgement" in cover


# --- the checks can fail ---------------------------------------------------------------------

@pytest.fixture
def damaged(built_report, tmp_path):
    """Return a function giving a fresh copy of the base PDF to damage."""
    def copy() -> pymupdf.Document:
        target = tmp_path / f"copy-{len(list(tmp_path.iterdir()))}.pdf"
        shutil.copy2(pdf_path(built_report, "report"), target)
        return pymupdf.open(target)
    return copy


def test_a_nan_in_the_pdf_is_caught(damaged):
    doc = damaged()
    problems = placeholder_problems(doc)
    assert not problems, "\n".join(problems)
    doc[3].insert_text((72, 420), "Capital reaches $nanbn by None.", fontsize=9)
    assert len(placeholder_problems(doc)) == 2


def test_text_off_the_page_is_caught(damaged):
    doc = damaged()
    doc[3].insert_text((doc[3].rect.x1 - 40, 300), "a table column running off the page", fontsize=9)
    assert any("running off" in p for p in off_page_problems(doc))


def test_a_missing_chapter_figure_or_number_is_caught(damaged):
    doc = damaged()
    heading = flat(chapter_heading(ROADMAP_CHAPTER))
    start = dict(chapters_in_outline(doc))[heading]
    floats = expected_floats(paths.BUILD / "base")
    text = chapter_text(doc, heading)
    doc.delete_pages(start - 1, doc.page_count - 1)  # the roadmap chapter and everything after it
    assert heading_problems(doc, expected_headings())
    assert float_problems(doc, floats)
    assert number_problems("".join(page_texts(doc)), roadmap_key_numbers("base"))
    # Another scenario's numbers are not the base report's.
    assert number_problems(text, roadmap_key_numbers("constrained"))


def test_a_code_name_or_data_path_in_the_pdf_is_caught(damaged):
    doc = damaged()
    assert not code_name_problems_pdf(doc)
    doc[4].insert_text((72, 420), "moves most with schedule_gw_per_half (data/facts.csv)", fontsize=9)
    found = code_name_problems_pdf(doc)
    assert [p.split(" in ")[0] for p in found] == ["page 5: 'schedule_gw_per_half'", "page 5: 'data/facts.csv'"], found
    # The rerun section may name both: the same text there is not a problem.
    rerun = next(page for _, title, page, *_ in doc.get_toc() if title.endswith(RERUN_HEADING))
    doc2 = damaged()
    doc2[rerun - 1].insert_text((72, doc2[rerun - 1].rect.y1 - 60), "--set schedule_gw_per_half=1 data/facts.csv", fontsize=9)
    assert not code_name_problems_pdf(doc2)

def test_layout_checks_catch_a_render_without_the_layout_rules(built_report, tmp_path, monkeypatch):
    """Render the base PDF with charts never floated: the empty-page check fails; a chart allowed to part
    from its caption at a page's end fails the caption check; render its tables with columns too narrow for their headers: the header
    check fails."""
    template = (paths.TEMPLATES / "typst-template.typ").read_text(encoding="utf-8")
    broken = template.replace("show figure.where(kind: image): set block(breakable: false)", "")
    broken = broken.replace("if needed <= room { fig }", "if true { fig }")
    assert broken.count("breakable: false") < template.count("breakable: false") and "if true { fig }" in broken
    templates = tmp_path / "templates"
    shutil.copytree(paths.TEMPLATES, templates)
    (templates / "typst-template.typ").write_text(broken, encoding="utf-8")
    monkeypatch.setattr(render.paths, "TEMPLATES", templates)
    project = render.read_project()
    executed = paths.BUILD / "base"
    edition = colophon.read(executed)
    blocks = render.report_blocks(project, executed, edition)
    render.render_pdf(project, blocks, executed, tmp_path / "report.pdf")
    with pymupdf.open(tmp_path / "report.pdf") as doc:
        assert sparse_page_problems(doc)
    # Whether a caption parts from its chart depends on where pages end, so that check is shown on a
    # page built for it: a chart that just fits above the page's end, its caption not.
    rule = "show figure.where(kind: image): set block(breakable: false)"
    assert rule in template
    for keep in (True, False):
        doc_src = (f'#set page(paper: "a4", margin: 2.5cm)\n#show figure: set block(breakable: true)\n'
                   f'#{rule if keep else "none"}\n#set figure(numbering: "1.1")\n'
                   "#show figure.caption: it => block(text(weight: \"bold\")[#it.supplement "
                   "#context it.counter.display(it.numbering)] + it.separator + it.body)\n"
                   "#lorem(40)\n#v(19.5cm)\n#figure(rect(width: 10cm, height: 3cm), kind: image, caption: [A chart.])\n")
        (tmp_path / "split.typ").write_text(doc_src, encoding="utf-8")
        typst.compile(str(tmp_path / "split.typ"), output=str(tmp_path / "split.pdf"))
        with pymupdf.open(tmp_path / "split.pdf") as doc:
            assert bool(caption_split_problems(doc)) is not keep, doc_src
    # Columns sized for text a third as wide as it is (the sizing lives in render or, later, tables).
    monkeypatch.setattr(render if hasattr(render, "CHAR_PT") else tables, "CHAR_PT", 1.5)
    render.render_pdf(project, [b for b in blocks if b.kind == "table"], executed, tmp_path / "tables.pdf")
    with pymupdf.open(tmp_path / "tables.pdf") as doc:
        assert header_problems(doc, table_headers(executed))
