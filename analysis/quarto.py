"""The Quarto path: render report/ with the Quarto CLI, one edition at a time, offline.

For each edition the build stages what report/_quarto.yml names but git does not hold: the executed
notebooks as report/<chapter>.ipynb, the edition's metadata as report/_edition.yml and its <meta>
tags as report/_edition.html (analysis/colophon.py writes both beside the notebooks; the embedded
engine reads the same files) and the Vega bundle as report/_vega.html. Then:

- two passes into the same folder, HTML then Typst with --no-clean (`commands`): in a book with
  embed-resources, Quarto deletes each chapter's figure folder once its HTML is written, but the
  PDF needs the SVGs in it (quarto-cli issues #11206, #11316); without --no-clean the second pass
  would wipe the first one's pages;
- Quarto runs report/_post_render.py after each pass, which calls `post_render`: it removes the
  require.js and jQuery Quarto links from a CDN into every page whose notebook has a text/html
  output (src/core/jupyter/widgets.ts: no option turns it off), gives each page the embedded
  engine's edition bar and switcher (`add_switcher`: it leads to the same page of another edition
  and keeps the reader's section, whose id it moves from the <section> to its heading), points the
  edition links of each page at the right folder, and adds the reader services the embedded
  engine's page has (`reader_services`: chart data as CSV, source rows anchored, citations linked);
- the figure folders the Typst pass leaves in the output are removed: the pages embed their figures;
- the staged notebooks leave out papermill's run records (times, durations), which Quarto would
  write into the pages: two builds of an edition give the same pages.

This module imports only the standard library at the top: the post-render step runs it with
whichever Python Quarto finds.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from . import paths

#: Formats in the order they must be rendered (see the module docstring).
PASSES = ("html", "typst")
#: Files report/_quarto.yml names that the build writes before it runs Quarto (git-ignored), besides
#: the chapter notebooks (report/<stem>.ipynb).
GENERATED = ("_edition.yml", "_edition.html", "_vega.html")


def commands(output_dir: Path, project: Path = paths.REPORT) -> list[list[str]]:
    """Return the quarto invocations that render one edition into output_dir, in order."""
    return [["quarto", "render", str(project), "--to", fmt, "--output-dir", str(output_dir)]
            + (["--no-clean"] if i else []) for i, fmt in enumerate(PASSES)]


# --- post-render: what Quarto writes that a reader offline must not get ----------------------

#: A <script> Quarto links from a CDN (or pandoc inlined from it when online: it keeps the
#: integrity and crossorigin attributes), and the AMD shim that needs require.js.
REMOTE_SCRIPT = re.compile(
    r'<script\b(?=[^>]*\bsrc="(?:https?:)?//)[^>]*>\s*</script>\s*'
    r'|<script\b(?=[^>]*\bintegrity=")(?=[^>]*\bcrossorigin=)[^>]*>.*?</script>\s*'
    r"|<script\b[^>]*>\s*define\('jquery',\s*\[\],\s*function\(\)\s*\{\s*return window\.jQuery;\s*\}\)\s*</script>\s*",
    re.S)
#: Links to another edition's first page (data-edition="name"), to this page in another edition (the
#: switcher's data-tengw-edition="name") or to a file of this one (data-edition-file="x").
EDITION_LINK = re.compile(r'<a\b[^>]*\bdata-(tengw-)?edition(-file)?="([^"]+)"[^>]*>')


def strip_remote_scripts(page: str) -> tuple[str, int]:
    """Return the page without CDN scripts and the number removed."""
    return REMOTE_SCRIPT.subn("", page)


def relink(page: str, depth: int, editions_up: int = 1, here: str = "index.html") -> str:
    """Point edition links at their target from the page at `here` (its path from its edition's root,
    `depth` folders down), when the other editions sit `editions_up` folders above that root (1 in
    report/_output/<name>/, 0 for the base edition copied to report/_output/ itself). The switcher
    leads to the same page in the other edition: every edition has the same chapters."""
    def fix(m: re.Match) -> str:
        switcher, own_file, name = m.group(1), m.group(2), m.group(3)
        target = name if own_file else f"{'../' * editions_up}{name}/{here if switcher else 'index.html'}"
        href = "../" * depth + target
        return re.sub(r'\bhref="[^"]*"', f'href="{href}"', m.group(0), count=1)
    return EDITION_LINK.sub(fix, page)


#: Quarto's page body: the switcher bar goes first inside it, sticky like the embedded engine's.
QUARTO_MAIN = re.compile(r'<main\b[^>]*\bid="quarto-document-content"[^>]*>')
#: A section as pandoc wraps it for Quarto (section-divs), its id on the <section>, then its heading.
SECTION_ID = re.compile(r'<section\b([^>]*?)\s+id="([^"]+)"([^>]*)>(\s*)<(h[1-6])\b(?![^>]*\sid=)([^>]*)>')


def headings_with_ids(page: str) -> str:
    """Move each section's id onto its heading, as on the embedded engine's page: the switcher takes
    the reader's section from the headings (analysis/templates/switcher.js), and links, the contents'
    scroll tracking and Quarto's search (written already) find the same ids on the headings."""
    return SECTION_ID.sub(lambda m: f"<section{m.group(1)}{m.group(3)}>{m.group(4)}<{m.group(5)} id=\"{m.group(2)}\"{m.group(6)}>",
                          page)


def add_switcher(page: str, bar: str, script: str) -> str:
    """Put the edition bar (render.topbar_html) first in Quarto's page body and the switcher's script
    at the end, once (each pass's post-render sees the pages again)."""
    main = QUARTO_MAIN.search(page)
    if not main or 'class="topbar"' in page:
        return page
    page = page[:main.end()] + "\n" + bar + "\n" + page[main.end():]
    end = page.rindex("</body>")
    return page[:end] + f"<script>\n{script}\n</script>\n" + page[end:]


def switcher_bar() -> tuple[str, str]:
    """Return the staged edition's bar (its links as from the edition's root) and the switcher's script."""
    from . import colophon, render  # the build's Python (QUARTO_PYTHON): the project is there

    editions = colophon.read_editions(paths.REPORT)
    if not editions:
        raise QuartoError(f"no editions in {paths.REPORT / colophon.META_FILE}: the build stages it before Quarto runs")
    switch, _ = render.variants_html(editions, "", "../")
    bar = render.topbar_html(render.read_project().title, colophon.read(paths.REPORT), switch)
    # Quarto's topbar sits in <main>, not on top of the page: it is no landmark of its own there.
    return bar.replace(' role="banner"', "", 1), render.SWITCHER_JS.read_text(encoding="utf-8")


def fix_pages(root: Path, pages: list[Path] | None = None, editions_up: int = 1, services: bool = False) -> int:
    """Strip CDN scripts from and relink every HTML page of an edition rendered into root (with
    services, add the edition switcher and the reader services too: `add_switcher`, `reader_services`);
    return how many scripts were removed."""
    removed = 0
    pages = pages if pages is not None else sorted(root.rglob("*.html"))
    holder = next((p for p in pages if 'id="tbl-appendix-sources"' in p.read_text(encoding="utf-8")), None)
    bar = None
    for page in pages:
        text = page.read_text(encoding="utf-8")
        fixed, n = strip_remote_scripts(text)
        if services and QUARTO_MAIN.search(fixed):
            bar = bar or switcher_bar()
            fixed = add_switcher(headings_with_ids(fixed), *bar)
        fixed = relink(fixed, len(page.relative_to(root).parts) - 1, editions_up, page.relative_to(root).as_posix())
        if services:
            same = holder is None or holder == page or holder.parent != page.parent
            fixed = reader_services(fixed, "" if same else holder.name)
        removed += n
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")
    return removed


#: A chart as its notebook output wrote it (analysis/charts.py): its spec, then the script that draws it.
CHART = re.compile(r'<script type="application/json" id="(vis-[0-9a-f]+)-spec">(.*?)</script>\s*<script>.*?</script>',
                   re.S)
#: The appendix's table of sources (analysis/render.py SOURCES_TABLE) up to its end.
SOURCES = re.compile(r'id="tbl-appendix-sources".*?</table>', re.S)
ROW = re.compile(r"<tr\b([^>]*)>(.*?)</tr>", re.S)
URL_TEXT = re.compile(r">\s*(https?:[^<\s]*(?:<wbr>[^<\s]*)*)\s*<")  # zero-width spaces may follow the slashes


def reader_services(page: str, sources_page: str) -> str:
    """Give a Quarto page what the embedded engine's page has (analysis/render.py): each chart's data
    as an embedded CSV, each source row of the appendix an anchor and a link, each citation a link to
    its source's row (on `sources_page`, "" when it is this page)."""
    from . import render  # the build's Python (QUARTO_PYTHON): the project and pandas are there

    def download(m: re.Match) -> str:
        if 'class="tengw-download"' in page[m.end():m.end() + 200]:
            return m.group(0)
        spec = json.loads(m.group(2).replace("<\\/", "</"))
        return m.group(0) + "\n" + render.chart_download(spec, m.group(1))
    page = CHART.sub(download, page)

    anchors = render.source_anchors()

    def row(m: re.Match) -> str:
        url = URL_TEXT.search(m.group(0))
        if not url:
            return m.group(0)
        shown = url.group(1)
        address = shown.replace("<wbr>", "").replace("\u200b", "")
        attrs = m.group(1)
        if address in anchors and "id=" not in attrs:
            attrs = f' id="{anchors[address]}"' + attrs
        body = m.group(2)
        if "<a " not in body:
            body = body.replace(shown, f'<a href="{address}" rel="noopener">{shown}</a>', 1)
        return f"<tr{attrs}>{body}</tr>"
    page = SOURCES.sub(lambda t: ROW.sub(row, t.group(0)), page)
    page = render.link_citations(page, render.citation_targets())
    if sources_page:
        page = page.replace('<a class="tengw-cite" href="#src-', f'<a class="tengw-cite" href="{sources_page}#src-')
    return page


def post_render(env: dict[str, str] | None = None) -> None:
    """Quarto's post-render step (report/_post_render.py): fix the HTML pages this pass wrote."""
    env = os.environ if env is None else env
    root = Path(env["QUARTO_PROJECT_OUTPUT_DIR"])
    if not root.is_absolute():
        root = paths.REPORT / root
    listed = [f for f in env.get("QUARTO_PROJECT_OUTPUT_FILES", "").splitlines() if f.endswith(".html")]
    pages = [p if p.is_absolute() else (paths.REPORT / p).resolve() for p in map(Path, listed)]
    fix_pages(root, [p for p in pages if p.exists()] if listed else None, services=True)


# --- rendering an edition --------------------------------------------------------------------

class QuartoError(RuntimeError):
    """Quarto failed; the message names the pass and ends with Quarto's last lines."""


def stage(executed: Path, vega_js: str, stems: list[str]) -> None:
    """Put one edition's inputs where report/_quarto.yml expects them: its executed notebooks and the
    metadata files the build wrote beside them."""
    from . import colophon

    for stem in stems:
        nb = json.loads((executed / f"{stem}.ipynb").read_text(encoding="utf-8"))
        (paths.REPORT / f"{stem}.ipynb").write_text(json.dumps(without_run_records(nb)), encoding="utf-8")
    for name in (colophon.META_FILE, colophon.HEAD_FILE):
        shutil.copy2(executed / name, paths.REPORT / name)
    (paths.REPORT / "_vega.html").write_text(f"<script>\n{vega_js}\n</script>\n", encoding="utf-8")


#: Metadata papermill and the kernel record about a run (times, durations): Quarto writes a cell's
#: metadata and execution counts into the page as attributes, in an order that varies between
#: renders, so two builds of the same edition would differ.
RUN_RECORDS = ("papermill", "execution")


def without_run_records(nb: dict) -> dict:
    """Return the notebook without its run records (papermill's times, execution counts, empty tag
    lists); outputs, tags and cell options stay."""
    def cell(c: dict) -> dict:
        meta = {k: v for k, v in c.get("metadata", {}).items() if k not in RUN_RECORDS and v != []}
        out = {**c, "metadata": meta}
        if c.get("cell_type") == "code":
            out["execution_count"] = None
            out["outputs"] = [{**o, "execution_count": None} if "execution_count" in o else o
                              for o in c.get("outputs", [])]
        return out
    return {**nb, "metadata": {k: v for k, v in nb.get("metadata", {}).items() if k not in RUN_RECORDS},
            "cells": [cell(c) for c in nb.get("cells", [])]}


def unstage(stems: list[str]) -> None:
    """Remove the staged inputs, so report/ holds only its sources again."""
    for name in [*GENERATED, *(f"{stem}.ipynb" for stem in stems)]:
        (paths.REPORT / name).unlink(missing_ok=True)
    for stem in stems:  # figures Quarto writes beside a notebook while it renders
        shutil.rmtree(paths.REPORT / f"{stem}_files", ignore_errors=True)


def render_edition(output_dir: Path, say: Callable[[str], None] = lambda _: None) -> dict[str, float]:
    """Render the staged edition into output_dir (HTML pages, then the PDF); return seconds per pass."""
    env = {**os.environ, "QUARTO_PYTHON": sys.executable}  # the post-render step runs in this Python
    seconds: dict[str, float] = {}
    for fmt, cmd in zip(PASSES, commands(output_dir)):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=paths.REPORT, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
            raise QuartoError(f"quarto render --to {fmt} failed (exit {proc.returncode}):\n{tail}")
        seconds[fmt] = time.perf_counter() - t0
    # The Typst pass leaves the chapters' figure folders; the pages embed their figures already.
    for folder in output_dir.rglob("*_files"):
        if folder.is_dir():
            shutil.rmtree(folder)
    return seconds


def copy_as_root(edition_dir: Path, root: Path) -> list[Path]:
    """Copy the base edition's files to the output folder's root, its edition links one level up."""
    copied = []
    for item in edition_dir.iterdir():
        dest = root / item.name
        (shutil.copytree if item.is_dir() else shutil.copy2)(item, dest)
        copied.append(dest)
    pages = [p for c in copied for p in ([c] if c.suffix == ".html" else sorted(c.rglob("*.html")))]
    fix_pages(root, pages, editions_up=0)
    return copied
