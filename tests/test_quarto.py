"""The Quarto path: report/_quarto.yml is one description both engines render alike.

Static checks run everywhere (no Quarto needed, a few seconds): every file _quarto.yml names exists
or is written by the build, and each trap seen when Quarto renders this book is guarded: a book with
embed-resources is rendered HTML first, then Typst with --no-clean; page navigation is off; index.qmd
does not repeat its title; the CDN scripts Quarto adds are removed after each render; numbering,
table style and edition metadata come from the files both engines read.

Where `quarto` is on PATH, `make report` renders with Quarto and the tests marked `quarto` check its
output as a reader gets it (tests/test_report_html.py and test_report_pdf.py read it page by page in
Chromium and PDF too): every page of every edition is Quarto's, one page per chapter with its number,
and the PDF and the pages carry the same chapters, captions, numbers and cover as the embedded
engine's. Without Quarto they skip and say why.
"""

from __future__ import annotations

import inspect
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pymupdf
import pytest
import yaml

from analysis import build, colophon, paths, quarto, render, sourcing
from conftest import (chapter_heading, chapter_numbers, edition_dir, edition_pages, expected_engine, page_engine,
                      quarto_chapters)

#: What quarto-cli's src/core/jupyter/widgets.ts adds to the head of a page whose notebook has a
#: text/html output (verbatim, as of quarto-cli 1.11), and the same scripts as pandoc's
#: embed-resources writes them when it could fetch them (src dropped, body inlined).
QUARTO_WIDGET_HEAD = (
    '<script src="https://cdn.jsdelivr.net/npm/requirejs@2.3.6/require.min.js" integrity="sha384-c9c+LnTbwQ3aujuU7ULE'
    'PVvgLs+Fn6fJUvIGTsuu1ZcCf11fiEubah0ttpca4ntM sha384-6V1/AdqZRWk1KAlWbKBlGhN7VG4iE/yAZcO6NZPMF8od0vukrvr0tg4qY6NSr'
    'Itx" crossorigin="anonymous"></script>\n'
    '<script src="https://cdn.jsdelivr.net/npm/jquery@3.5.1/dist/jquery.min.js" integrity="sha384-ZvpUoO/+PpLXR1lu4jm'
    'pXWu80pZlYUAfxl5NsBMWOEPSjUn/6Z/hRTt8+pR6L4N2" crossorigin="anonymous" data-relocate-top="true"></script>\n'
    "<script type=\"application/javascript\">define('jquery', [],function() {return window.jQuery;})</script>\n")
INLINED_BY_PANDOC = ('<script integrity="sha384-c9c+LnTbwQ3aujuU7ULE" crossorigin="anonymous">var requirejs, '
                     'require, define; (function (global) { /* ... */ })(this);</script>\n')


def quarto_config() -> dict:
    return yaml.safe_load(paths.QUARTO_YML.read_text(encoding="utf-8"))


def named_files(cfg: dict) -> list[str]:
    """Files the format options point at (headers, stylesheets, templates, bibliographies)."""
    keys = {"include-in-header", "include-before-body", "include-after-body", "css", "template",
            "template-partials", "bibliography", "csl", "logo", "favicon", "cover-image"}
    out: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in keys:
                    out.extend([v] if isinstance(v, str) else [x for x in v if isinstance(x, str)])
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(cfg)
    return out


def file_problems(quarto_yml: Path, chapters: list[str], notebooks: Path = paths.NOTEBOOKS) -> list[str]:
    """Every chapter and every file _quarto.yml names exists (or is written by the build)."""
    cfg = yaml.safe_load(quarto_yml.read_text(encoding="utf-8"))
    problems = []
    for chapter in chapters:
        if chapter.endswith(".ipynb"):
            if "/" in chapter:
                problems.append(f"{chapter}: notebooks are staged beside _quarto.yml, as <stem>.ipynb "
                                "(Quarto doubles a '.' caption delimiter on pages in subfolders)")
            src = notebooks / Path(chapter).name
        else:
            src = quarto_yml.parent / chapter
        if not src.exists():
            problems.append(f"{chapter}: {src} does not exist")
    project = cfg.get("project") or {}
    scripts = [project[k] for k in ("pre-render", "post-render") if k in project]
    for name in named_files(cfg.get("format") or {}) + list(cfg.get("metadata-files") or []) + scripts:
        name = name if isinstance(name, str) else name[0]
        if not (quarto_yml.parent / name).exists() and name not in quarto.GENERATED:
            problems.append(f"_quarto.yml names {name}, which does not exist")
    if chapters and chapters[0] != "index.qmd":
        problems.append(f"a Quarto book starts with index.qmd, not {chapters[0]}")
    return problems


# --- static checks: they run everywhere ------------------------------------------------------

def test_every_file_quarto_yml_names_exists():
    problems = file_problems(paths.QUARTO_YML, quarto_chapters())
    assert not problems, "\n".join(problems)


def test_a_missing_chapter_file_is_caught():
    problems = file_problems(paths.QUARTO_YML, quarto_chapters() + ["no_such_chapter.ipynb", "extra.qmd",
                                                                    "sub/summary.ipynb"])
    assert [p.split(":")[0] for p in problems] == ["no_such_chapter.ipynb", "extra.qmd", "sub/summary.ipynb"]


def test_the_build_renders_exactly_the_chapters_quarto_yml_names():
    chapters = quarto_chapters()
    project = render.read_project()
    assert project.chapters == chapters, f"the embedded engine reads {project.chapters}, _quarto.yml says {chapters}"
    stems = [Path(c).stem for c in chapters if c.endswith(".ipynb")]
    assert project.notebook_stems() == stems, "the build executes other notebooks than _quarto.yml names"
    from analysis import cache  # the build's planner reads the chapter list on its own, for its cache keys
    assert cache.chapter_stems() == stems, "the build's cache planner reads another chapter list"
    orphans = sorted({p.stem for p in paths.NOTEBOOKS.glob("*.ipynb")} - set(stems))
    assert not orphans, f"notebooks/ holds chapter notebooks _quarto.yml does not name: {orphans}"


def test_the_build_stages_what_quarto_yml_relies_on(tmp_path, monkeypatch):
    """Every generated file _quarto.yml names is written before Quarto runs and removed after."""
    executed = tmp_path / "executed"
    colophon.write(executed, {**{k: "x" for k in colophon.META_NAMES}, "scenario": "base", "version": "0",
                              "scenario_title": "As announced", "scenario_description": "Costs $10bn."},
                   [colophon.Edition("base", "As announced", "Costs $10bn.")])
    run = {"papermill": {"duration": 0.03}, "execution": {"iopub.execute_input": "2026-12-02T08:32:02Z"}}
    (executed / "summary.ipynb").write_text(json.dumps({
        "metadata": {"kernelspec": {"name": "python3"}, "papermill": {"duration": 4.2}}, "nbformat": 4,
        "cells": [{"cell_type": "code", "metadata": {"tags": ["parameters"], **run}, "execution_count": 3,
                   "outputs": [], "source": ""}]}),
        encoding="utf-8")
    monkeypatch.setattr(paths, "REPORT", tmp_path)
    quarto.stage(executed, "/* vega */", ["summary"])
    cfg = quarto_config()
    named = set(named_files(cfg.get("format") or {})) | set(cfg.get("metadata-files") or [])
    assert set(quarto.GENERATED) <= named, "quarto.GENERATED lists a file _quarto.yml does not use"
    for name in quarto.GENERATED + ("summary.ipynb",):
        assert (tmp_path / name).exists(), f"the Quarto path does not write {name}"
    doc = yaml.safe_load((tmp_path / "_edition.yml").read_text())
    assert doc["edition"]["scenario_description"] == r"Costs \$10bn\."  # read back as written
    assert doc["editions"] == [{"name": "base", "title": "As announced", "description": r"Costs \$10bn\.",
                                "current": True}]
    staged = json.loads((tmp_path / "summary.ipynb").read_text())  # without papermill's times, which
    assert staged["metadata"] == {"kernelspec": {"name": "python3"}}    # Quarto would print in the page
    assert staged["cells"][0]["metadata"] == {"tags": ["parameters"]} and staged["cells"][0]["execution_count"] is None
    quarto.unstage(["summary"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["executed"]
    assert "quarto.stage(" in inspect.getsource(build._render_quarto)


def test_a_book_with_embedded_resources_renders_html_then_typst_without_cleaning():
    """Quarto deletes a chapter's figure folder once its HTML is embedded (quarto-cli #11206,
    #11316), so the PDF must come from a second pass that does not wipe the first one's pages."""
    cfg = quarto_config()
    formats = list((cfg.get("format") or {}).keys())
    embeds = any((opts or {}).get("embed-resources") for opts in (cfg.get("format") or {}).values())
    cmds = quarto.commands(Path("/out"))
    assert [c[c.index("--to") + 1] for c in cmds] == list(quarto.PASSES)
    assert sorted(quarto.PASSES) == sorted(formats), "every format in _quarto.yml needs a pass"
    if cfg["project"]["type"] == "book" and embeds:
        assert len(cmds) >= 2 and cmds[0][cmds[0].index("--to") + 1] == "html", "HTML must be rendered on its own, first"
        assert all("--no-clean" in c for c in cmds[1:]), "a later pass without --no-clean wipes the HTML"
        assert "--no-clean" not in cmds[0], "the first pass starts from an empty folder"
        assert len({c[c.index("--output-dir") + 1] for c in cmds}) == 1
    assert "quarto.render_edition(" in inspect.getsource(build._render_quarto)


def test_page_navigation_is_off_when_pages_embed_their_resources():
    """With embed-resources, pandoc would inline each page's previous and next chapter into it."""
    cfg = quarto_config()
    if (cfg["format"].get("html") or {}).get("embed-resources"):
        assert cfg["book"].get("page-navigation") is False


def test_index_qmd_does_not_repeat_its_title():
    """A front-matter title in a book chapter becomes a numbered chapter of its own, so the first
    chapter would appear twice and every chapter number shift by one."""
    for chapter in quarto_chapters():
        if chapter.endswith(".ipynb"):
            continue
        text = (paths.REPORT / chapter).read_text(encoding="utf-8")
        front = yaml.safe_load(text[3:text.find("\n---", 3)]) if text.startswith("---") else {}
        assert "title" not in (front or {}), f"{chapter} has a front-matter title and a body heading"
    assert chapter_numbers()["index.qmd"] is None, "index.qmd's heading must be {.unnumbered}"


def test_post_render_removes_the_cdn_scripts_quarto_adds(tmp_path):
    """Quarto's require.js and jQuery (as linked, or as pandoc inlined them when online) go; the
    page's own scripts stay."""
    cfg = quarto_config()
    assert cfg["project"].get("post-render") == "_post_render.py"
    assert "post_render()" in (paths.REPORT / "_post_render.py").read_text(encoding="utf-8")
    own = '<script>vegaEmbed("#vis-1", spec);</script>\n<script type="application/json" id="vis-1-spec">{}</script>\n'
    page = f"<html><head>{QUARTO_WIDGET_HEAD}{INLINED_BY_PANDOC}{own}</head><body></body></html>"
    fixed, removed = quarto.strip_remote_scripts(page)
    assert removed == 4 and own in fixed
    assert "cdn.jsdelivr" not in fixed and "define(" not in fixed and "requirejs" not in fixed


def test_post_render_fixes_every_page_quarto_wrote_and_relinks_editions(tmp_path):
    link = ('<a href="accelerated/index.html" data-edition="accelerated">Accelerated</a>'
            '<a href="report.pdf" data-edition-file="report.pdf">PDF</a>')
    out = tmp_path / "base"
    (out / "sub").mkdir(parents=True)
    for rel in ("index.html", "deal.html", "sub/x.html"):
        (out / rel).write_text(QUARTO_WIDGET_HEAD + link, encoding="utf-8")
    quarto.post_render({"QUARTO_PROJECT_OUTPUT_DIR": str(out),
                        "QUARTO_PROJECT_OUTPUT_FILES": f"{out / 'index.html'}\n{out / 'deal.html'}\n{out / 'sub/x.html'}"})
    for rel in ("index.html", "deal.html"):
        text = (out / rel).read_text()
        assert "cdn.jsdelivr" not in text and 'href="../accelerated/index.html"' in text and 'href="report.pdf"' in text
    assert 'href="../../accelerated/index.html"' in (out / "sub/x.html").read_text()
    assert 'href="../report.pdf"' in (out / "sub/x.html").read_text()
    # The base edition copied to the top of the output: the other editions are one level down.
    root = tmp_path
    quarto.copy_as_root(out, root)
    assert 'href="accelerated/index.html"' in (root / "index.html").read_text()
    assert 'href="../accelerated/index.html"' in (root / "sub/x.html").read_text()


def test_post_render_gives_quartos_pages_the_reader_services(tmp_path):
    """Quarto's pages get what the embedded engine's page has: each chart's data as an embedded CSV,
    the appendix's source rows anchored and linked, citations on every page linked to their row."""
    sid, url = next((i, u) for i, u in sourcing.table()["url"].items() if isinstance(u, str) and u.strip()
                    and not sourcing.is_judgement(i))
    cite = sourcing.cite(sid)
    spec = {"datasets": {"d": [{"x": 1, "y": 2}, {"x": 2, "y": 3}]}, "data": {"name": "d"},
            "mark": "line", "encoding": {"x": {"field": "x"}, "y": {"field": "y"}}}
    chart = (f'<div class="tengw-chart" id="vis-ab12"></div>\n<script type="application/json" id="vis-ab12-spec">'
             f'{json.dumps(spec)}</script>\n<script>vegaEmbed("#vis-ab12", {{}});</script>')
    shown = url.replace("/", "/\u200b")
    out = tmp_path / "base"
    out.mkdir()
    (out / "deal.html").write_text(f'<main class="content"><p>As {cite} says.</p>{chart}</main>', encoding="utf-8")
    (out / "appendix.html").write_text(
        f'<main class="content"><div id="tbl-appendix-sources"><table><tbody><tr class="odd"><td>{sid}</td>'
        f'<td style="text-align: left;">{shown}</td></tr></tbody></table></div></main>', encoding="utf-8")
    for _ in range(2):  # after each pass: a second run changes nothing
        quarto.post_render({"QUARTO_PROJECT_OUTPUT_DIR": str(out)})
    deal, appendix = (out / "deal.html").read_text(), (out / "appendix.html").read_text()
    assert f'<a class="tengw-cite" href="appendix.html#src-{sid}">' in deal
    assert deal.count('class="tengw-download"') == 1 and 'download="vis-ab12.csv"' in deal
    assert f'<tr id="src-{sid}" class="odd">' in appendix and f'<a href="{url}" rel="noopener">' in appendix


def _quarto_page(body: str) -> str:
    """A page shaped as Quarto writes one: its body in <main id="quarto-document-content">."""
    return (f'<html><head></head><body><div id="quarto-content"><main class="content" id="quarto-document-content">'
            f'<header id="title-block-header"><h1 class="title">T</h1></header>{body}</main></div></body></html>')


def test_post_render_gives_quartos_pages_the_embedded_engines_switcher(tmp_path, monkeypatch):
    """Every Quarto page gets the embedded engine's edition bar, once, with its switcher leading to the
    same page of each other edition and its script; section ids move onto the headings the script
    reads, so the reader's section is carried over (tests/test_report_html.py clicks it in Chromium)."""
    colophon.write(tmp_path, {**{k: "x" for k in colophon.META_NAMES}, "scenario": "base", "version": "0",
                              "scenario_title": "Reported path", "data_date": "2026-06-26", "pdf_link": "report.pdf"},
                   [colophon.Edition("base", "Reported path", ""), colophon.Edition("accelerated", "Accelerated", "")])
    monkeypatch.setattr(paths, "REPORT", tmp_path)
    out = tmp_path / "_output" / "base"
    out.mkdir(parents=True)
    section = ('<section id="sec-energy-use" class="level2" data-number="6.1">\n'
               '<h2 data-number="6.1" class="anchored" data-anchor-id="sec-energy-use">Power</h2><p>x</p></section>')
    for name in ("index.html", "energy.html"):
        (out / name).write_text(_quarto_page(section), encoding="utf-8")
    for _ in range(2):  # after each pass: a second run changes nothing
        quarto.post_render({"QUARTO_PROJECT_OUTPUT_DIR": str(out)})
    energy = (out / "energy.html").read_text()
    assert energy.count('class="topbar"') == 1 and energy.count("function place()") == 1
    assert energy.index('id="quarto-document-content">') < energy.index('class="topbar"') < energy.index("title-block-header")
    assert 'data-tengw-edition="accelerated" href="../accelerated/energy.html"' in energy
    assert 'class="current" aria-current="page" data-tengw-edition="base" href="../base/energy.html"' in energy
    assert "Edition: <strong>Reported path</strong>" in energy and "Data as of <strong>2026-06-26</strong>" in energy
    assert '<section class="level2" data-number="6.1">\n<h2 id="sec-energy-use" data-number="6.1"' in energy
    assert len(re.findall(r'\sid="sec-energy-use"', energy)) == 1
    assert render.SWITCHER_JS.read_text(encoding="utf-8") in energy  # the embedded engine's own script
    # The base edition copied to the top of the output: the switcher leads one level down.
    quarto.copy_as_root(out, tmp_path / "_output")
    top = (tmp_path / "_output" / "energy.html").read_text()
    assert 'data-tengw-edition="accelerated" href="accelerated/energy.html"' in top
    assert top.count('class="topbar"') == 1
    # Without the staged editions there is nothing to switch to: post-render says so and fails.
    (tmp_path / colophon.META_FILE).unlink()
    (out / "deal.html").write_text(_quarto_page(""), encoding="utf-8")
    with pytest.raises(quarto.QuartoError, match="no editions"):
        quarto.post_render({"QUARTO_PROJECT_OUTPUT_DIR": str(out)})


def test_both_engines_run_the_same_switcher():
    """One bar and one script for both engines: the embedded page's template takes them from render.py."""
    template = (paths.TEMPLATES / "report.html").read_text(encoding="utf-8")
    assert "$topbar$" in template and "$switcher-js$" in template and "function place()" not in template
    source = inspect.getsource(render.render_html)
    assert "topbar_html(" in source and "SWITCHER_JS" in source
    assert "topbar_html(" in inspect.getsource(quarto.switcher_bar) and "SWITCHER_JS" in inspect.getsource(quarto.switcher_bar)


def test_numbering_comes_from_quarto_yml_for_both_engines(tmp_path):
    """crossref.chapters in _quarto.yml decides chapter-prefixed numbers: the embedded engine reads
    it, and both PDFs get it through the one typst-show.typ partial."""
    cfg = quarto_config()
    project = render.read_project()
    assert project.chapter_numbering == cfg["crossref"]["chapters"]
    off = tmp_path / "_quarto.yml"
    off.write_text(yaml.safe_dump({**cfg, "crossref": {**cfg["crossref"], "chapters": False}}), encoding="utf-8")
    assert render.read_project(off).chapter_numbering is False
    blocks = [render.Block("md", text="# About {.unnumbered #sec-about}"), render.Block("md", text="# One {#sec-one}"),
              render.Block("figure", label="fig-a"), render.Block("table", label="tbl-a"),
              render.Block("md", text="# Two\n\n```\n# not a heading\n```\n\n## Part {#sec-two-part}"),
              render.Block("figure", label="fig-b")]
    assert render.numbering(blocks, True) == {
        "sec-about": ("", "“About”"), "sec-one": ("Chapter", "1"), "fig-a": ("Figure", "1.1"),
        "tbl-a": ("Table", "1.1"), "sec-two-part": ("Section", "2.1"), "fig-b": ("Figure", "2.1")}
    assert render.numbering(blocks, False)["fig-b"] == ("Figure", "2")
    show = (paths.TEMPLATES / "typst-show.typ").read_text(encoding="utf-8")
    assert "chapter-numbering: $if(crossref.chapters)$true$else$false$endif$" in show


def test_both_engines_read_the_same_partials_and_edition_fields():
    """Quarto uses typst-show.typ and title-metadata.html as partials and _edition.yml as metadata;
    the embedded engine's templates include the same partials and it hands pandoc the same file."""
    cfg = quarto_config()
    assert "../analysis/templates/typst-show.typ" in cfg["format"]["typst"]["template-partials"]
    assert "../analysis/templates/typst-template.typ" in cfg["format"]["typst"]["template-partials"]
    assert "../analysis/templates/title-metadata.html" in cfg["format"]["html"]["template-partials"]
    assert colophon.META_FILE in cfg["metadata-files"] and colophon.HEAD_FILE in cfg["format"]["html"]["include-in-header"]
    assert "${ typst-show() }" in (paths.TEMPLATES / "report.typ").read_text(encoding="utf-8")
    assert "${ title-metadata() }" in (paths.TEMPLATES / "report.html").read_text(encoding="utf-8")
    assert "colophon.META_FILE" in inspect.getsource(render._pandoc_metadata)
    show = (paths.TEMPLATES / "typst-show.typ").read_text(encoding="utf-8")
    for field in ("scenario", "scenario_title", "scenario_description", "data_date", "build_time"):
        assert f"$edition.{field}$" in show, f"the PDF cover and footer need edition.{field}"
    block = (paths.TEMPLATES / "title-metadata.html").read_text(encoding="utf-8")
    for field in ("scenario_title", "scenario_description", "data_date", "pdf_link"):
        assert f"$edition.{field}$" in block, f"the HTML title block needs edition.{field}"
    assert "$edition.scenario$" not in block, "readers see the edition's title, never its folder name"
    assert "$for(editions)$" in block


def test_metadata_prints_as_written(tmp_path):
    """Metadata strings are read as markdown by pandoc and Quarto; the edition file escapes them."""
    import pypandoc

    text = "Costs $10bn *not* $30bn_ <b> @ref [x](y) 2026-06-15 -- ok"
    colophon.write(tmp_path, {**{k: "x" for k in colophon.META_NAMES}, "version": "0", "scenario_description": text})
    assert colophon.read(tmp_path)["scenario_description"] == text
    (tmp_path / "t.html").write_text("$edition.scenario_description$\n", encoding="utf-8")
    html = pypandoc.convert_text("", "html", format="markdown",
                                 extra_args=["--metadata-file", str(tmp_path / colophon.META_FILE),
                                             "--template", str(tmp_path / "t.html")])
    assert html.strip() == text.replace("<", "&lt;").replace(">", "&gt;")


def test_publishing_the_root_edition_removes_what_the_last_one_left(tmp_path):
    """After Quarto's root pages (one per chapter, search.json) an embedded root page replaces them
    all, and the other editions' folders stay."""
    out, staging = tmp_path / "out", tmp_path / "staging"
    for rel in ("index.html", "deal.html", "search.json", "site_libs/x.js", "constrained/index.html",
                "constrained/report.pdf", "base/index.html"):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text("old", encoding="utf-8")
    for rel in ("index.html", "report.pdf", "base/index.html", "base/report.pdf"):
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_text("new", encoding="utf-8")
    build.publish(staging, out)
    got = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert got == ["base/index.html", "base/report.pdf", "constrained/index.html", "constrained/report.pdf",
                   "index.html", "report.pdf"]
    # Publishing another edition alone leaves the root as it is.
    (staging / "constrained").mkdir(parents=True)
    (staging / "constrained" / "index.html").write_text("newer", encoding="utf-8")
    build.publish(staging, out)
    assert (out / "index.html").read_text() == "new" and (out / "report.pdf").exists()
    assert not (out / "constrained" / "report.pdf").exists(), "an edition's folder is replaced whole"


# --- Quarto's output, where Quarto is installed -----------------------------------------------

class _Headings(HTMLParser):
    """Collect a page's chapter headings: the <h1>s in <main>, not a title block's book title (but
    a Quarto chapter page's title, which holds the chapter's name)."""

    def __init__(self) -> None:
        super().__init__()
        self.in_main = self.in_h1 = False
        self.skip = False
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        cls = (dict(attrs).get("class") or "").split()
        if tag == "main":
            self.in_main = True
        elif tag == "h1" and self.in_main:
            self.in_h1, self.skip = True, "title" in cls
            self.found.append("")
        elif self.in_h1 and "quarto-section-identifier" in cls:  # a chapter page's title
            self.skip = False

    def handle_endtag(self, tag):
        if tag == "h1" and self.in_h1:
            self.in_h1 = False
            if self.skip:
                self.found.pop()
        elif tag == "main":
            self.in_main = False

    def handle_data(self, data):
        if self.in_h1:
            self.found[-1] += data


def page_headings(page: Path) -> list[str]:
    """A page's chapter headings as (number, title) text, whitespace collapsed."""
    parser = _Headings()
    parser.feed(page.read_text(encoding="utf-8"))
    return [re.sub(r"\s+", " ", h).strip() for h in parser.found]


def captions(page: Path) -> list[str]:
    """The figure and table captions of a page, as text ("Figure 2.1. Capital ...")."""
    html = page.read_text(encoding="utf-8")
    out = []
    for m in re.finditer(r"<figcaption\b[^>]*>(.*?)</figcaption>", html, re.S):
        text = re.sub(r"<[^>]+>", "", m.group(1)).replace("&nbsp;", " ").replace("&amp;", "&")
        out.append(re.sub(r"\s+", " ", text).strip())
    return out


@pytest.mark.build
def test_built_html_has_exactly_the_chapters_quarto_yml_names(built_report):
    pages = edition_pages(built_report)
    got = [re.sub(r"^\d+(\.\d+)*\s+", "", h) for p in pages for h in page_headings(p)]
    want = [re.sub(r"[*`]", "", chapter_heading(c)) for c in quarto_chapters()]
    assert got == want


@pytest.fixture(scope="module")
def quarto_report(built_report):
    """The published report, which `make report` rendered with Quarto (skip where it is not installed)."""
    if shutil.which("quarto") is None:
        pytest.skip("Quarto is not on PATH, so `make report` uses the embedded engine; its output is what "
                    "the other report tests check (to render with Quarto, install it: see README)")
    return built_report


EDITIONS = ["index"] + [n for n in __import__("analysis.assumptions", fromlist=["x"]).scenario_names()]


@pytest.mark.quarto
@pytest.mark.build
@pytest.mark.parametrize("name", EDITIONS)
def test_every_page_of_every_edition_is_quartos(quarto_report, name):
    """No page from an earlier build (another engine, an old chapter) survives: each edition is
    Quarto's index page, one page per chapter numbered as the book numbers it, and the PDF."""
    folder = edition_dir(quarto_report, name)
    pages = edition_pages(folder)
    assert expected_engine() == "quarto"
    stale = [str(p) for p in pages if not p.exists() or page_engine(p) != "quarto"]
    assert not stale, f"pages missing or not rendered by Quarto: {stale}"
    own = {p.name for p in pages} | {"search.json", "site_libs", f"{render.read_project().output_file}.pdf"}
    extra = sorted(p.name for p in folder.iterdir() if p.name not in own and not (p / "index.html").exists())
    assert not extra, f"{folder} holds files this build did not write: {extra}"
    numbers = chapter_numbers()
    chapters = quarto_chapters()
    for page, chapter in zip(pages, chapters):
        heading = re.sub(r"[*`]", "", chapter_heading(chapter))
        want = heading if numbers[chapter] is None else f"{numbers[chapter]} {heading}"
        assert page_headings(page) == [want], f"{page.name}: headings {page_headings(page)}, expected [{want!r}]"
    pdf = folder / f"{render.read_project().output_file}.pdf"
    assert pdf.exists() and pdf.stat().st_mtime >= max(p.stat().st_mtime for p in pages) - 3600


@pytest.fixture(scope="module")
def embedded_base(quarto_report, tmp_path_factory):
    """The base edition rendered by the embedded engine from the same executed notebooks and edition
    metadata (~10 s)."""
    out = tmp_path_factory.mktemp("embedded")
    project = render.read_project()
    executed = paths.BUILD / "base"
    blocks = render.report_blocks(project, executed, colophon.read(executed))
    render.render_html(project, blocks, executed, out / "index.html", link_prefix="")
    render.render_pdf(project, blocks, executed, out / "report.pdf")
    return out


@pytest.mark.quarto
@pytest.mark.build
def test_quartos_pages_have_the_embedded_engines_captions(quarto_report, embedded_base):
    """Same figures and tables, in the same order, with the same numbers and captions."""
    got = [c for p in edition_pages(quarto_report) for c in captions(p)]
    want = captions(embedded_base / "index.html")
    assert got and got == want


@pytest.mark.quarto
@pytest.mark.build
def test_quartos_pdf_is_the_embedded_engines(quarto_report, embedded_base):
    """Same outline, captions, cover and running footer, table style, and about the same length."""
    name = f"{render.read_project().output_file}.pdf"
    q, e = pymupdf.open(quarto_report / name), pymupdf.open(embedded_base / name)
    assert [t[:2] for t in q.get_toc()] == [t[:2] for t in e.get_toc()], "chapters and sections differ"

    def labels(doc):  # the first line of every caption
        return [line.strip() for p in doc for line in p.get_text().splitlines()
                if re.match(r"(?:Figure|Table) \d+\.\d+\. ", line.strip())]
    # The same captions; their order in the pages may differ where a chart the page cannot hold floats
    # to the next page's top (typst-template.typ's tengw-fit) in one engine's layout and not the other's.
    assert sorted(labels(q)) == sorted(labels(e))
    assert " ".join(q[0].get_text().split()) == " ".join(e[0].get_text().split()), "the covers differ"
    def footer(page):  # "Data as of ..." and "Page 2 of N": N is compared below, with a margin
        return [re.sub(r" of \d+$", " of N", line) for line in page.get_text().splitlines()[-2:]]
    assert footer(q[2]) == footer(e[2]) and footer(e[2])[-1] == "Page 2 of N", "the footers differ"
    assert abs(q.page_count - e.page_count) <= max(2, e.page_count // 20), (q.page_count, e.page_count)

    def table_rules(doc):  # the table style draws zebra rows: count the filled row rectangles
        return sum(1 for p in doc for d in p.get_drawings() if d.get("fill") and d["rect"].height < 40)
    assert abs(table_rules(q) - table_rules(e)) <= table_rules(e) // 10
