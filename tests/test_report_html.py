"""The HTML report as readers get it: opened from disk in Chromium with the network blocked.

Each edition (the base report at the top and every scenario's variant) is read page by page, as the
engine that built it published it: one page from the embedded engine, or Quarto's index page and one
page per chapter. Each page is loaded once from file:// with every request other than the page itself
aborted and recorded. The checks then read what the browser drew: every chart has marks, no console
errors, no request left the file, every link resolves, every chart has a text description, figures
and tables numbered within their chapters. Screenshots of each chapter of the base report land in
test-artifacts/html/base/. Reader services are checked too: every citation links to its source's row
and every source's address is a link; every chart hands over its data as a CSV holding the chart's
columns; the edition switcher can land on every section of a page in every other edition (and, in a
real click, does). The last test injects one defect of each kind into a copy of a page and shows each
check catches it.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from analysis import assumptions, render, sourcing
from conftest import ARTIFACTS, PLACEHOLDER, RERUN_HEADING, code_name_problems, edition_dir, edition_pages

pytestmark = [pytest.mark.build, pytest.mark.browser]

#: The editions a reader opens: the base report at the top ("index") and one per scenario.
PAGES = ["index"] + assumptions.scenario_names()
CHART_TIMEOUT_S = 30.0


# The chapter headings of a page: the embedded engine's H1s in <main>; Quarto's chapter title in the
# title block of a chapter page (it holds the chapter's id), or a level-1 section of its index page
# (not the book's title).
CHAPTERS_JS = r"""
  const chapterHeadings = () => [...document.querySelectorAll(
      'main > h1:not(.title), main section.level1 > h1, #title-block-header h1.title')]
    .filter(h => !h.classList.contains('title') || h.querySelector('.quarto-section-identifier'));
"""

# What the page holds once drawn: charts with their marks and descriptions, chapters, links, ids.
PAGE_STATE_JS = r"""
() => {""" + CHAPTERS_JS + r"""
  const LEAVES = new Set(['path', 'rect', 'line', 'circle', 'ellipse', 'polygon', 'polyline', 'image', 'text']);
  const marks = (svg) => {
    let n = 0;
    for (const g of svg.querySelectorAll('g.role-mark')) {
      for (const el of g.children) {
        const tag = el.tagName.toLowerCase();
        if (!LEAVES.has(tag)) continue;
        if (tag === 'path' && !(el.getAttribute('d') || '').trim()) continue;
        if (tag === 'text' && !el.textContent.trim()) continue;
        n++;
      }
    }
    return n;
  };
  const charts = [...document.querySelectorAll('div.tengw-chart')].map(d => {
    const svg = d.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : null;
    // The embedded engine labels the <figure>; Quarto labels the block around it.
    const fig = d.closest('figure');
    const figId = fig ? (fig.id || (fig.closest('[id^="fig-"]') || {}).id || '') : '';
    return {
      id: d.id, role: d.getAttribute('role'), label: d.getAttribute('aria-label') || '',
      svg: !!svg, marks: svg ? marks(svg) : 0,
      width: box ? box.width : 0, height: box ? box.height : 0,
      figure: figId, caption: fig && fig.querySelector('figcaption') ? fig.querySelector('figcaption').textContent.trim() : '',
    };
  });
  const main = document.querySelector('main');
  const chapters = chapterHeadings().map(h => ({
    id: h.id || (h.querySelector('[id]') || {}).id || (h.closest('section') || {}).id || '',
    text: h.textContent.replace(/\s+/g, ' ').trim()}));
  const links = [...document.querySelectorAll('a[href]')].map(a => ({
    raw: a.getAttribute('href'), href: a.href, toc: !!a.closest('nav#TOC, nav#quarto-sidebar'),
    resolves: a.getAttribute('href').startsWith('#') ? !!document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))) : null,
  }));
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const captions = [...document.querySelectorAll('figure > figcaption')].map(c => c.textContent.replace(/\s+/g, ' ').trim());
  // Citations: the links to source rows, and the text a reader sees outside any link and outside the
  // sources table (where an unlinked citation would show).
  const cites = [...document.querySelectorAll('main a[href*="#src-"]')].map(a => ({
    text: a.textContent.replace(/\s+/g, ' ').trim(), href: a.getAttribute('href')}));
  const sources = document.getElementById('tbl-appendix-sources');
  const walker = document.createTreeWalker(main || document.body, NodeFilter.SHOW_TEXT, {acceptNode: n =>
    n.parentElement.closest('a, script, style, #tbl-appendix-sources') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  const plain = [];
  while (walker.nextNode()) plain.push(walker.currentNode.nodeValue);
  const sourceRows = sources ? [...sources.querySelectorAll('tr[id]')].map(r => r.id) : [];
  const sourceLinks = sources ? [...sources.querySelectorAll('a[href^="http"]')].map(a => a.getAttribute('href')) : [];
  const downloads = [...document.querySelectorAll('figure')].filter(f => f.querySelector('div.tengw-chart')).map(f => {
    const a = f.querySelector('a[download]');
    return {figure: f.id, chart: f.querySelector('div.tengw-chart').id, href: a ? a.getAttribute('href') : '',
            name: a ? a.getAttribute('download') : ''};
  });
  const headings = [...document.querySelectorAll('main h1[id], main h2[id], main h3[id]')].map(h => h.id);
  const switcher = [...document.querySelectorAll('a[data-tengw-edition]')].map(a => a.dataset.tengwEdition);
  return {charts, chapters, links, ids, captions, text: main ? main.innerText : '',
          cites, plain: plain.join(' ').replace(/\s+/g, ' '), sourceRows, sourceLinks, downloads, headings, switcher,
          scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth};
}
"""


@dataclass
class PageReport:
    """What Chromium saw on one page."""

    path: Path
    state: dict = field(default_factory=dict)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every request other than the page itself
    screenshots: list[Path] = field(default_factory=list)

    # --- the checks, each returning the problems it found -------------------------------------

    def charts_without_marks(self) -> list[str]:
        return [f"{c['id']} ({c['figure']}): " + ("no SVG drawn" if not c["svg"] else
                f"{c['marks']} marks, {c['width']:.0f}x{c['height']:.0f}px")
                for c in self.state["charts"] if not c["svg"] or c["marks"] == 0 or c["height"] < 20]

    def charts_without_description(self) -> list[str]:
        """Charts a screen reader cannot describe: in the markup (no script) or once Vega has drawn."""
        bad = []
        markup = {m.group(1): m.group(0) for m in
                  re.finditer(r'<div class="tengw-chart" id="([^"]+)"[^>]*>', self.path.read_text(encoding="utf-8"))}
        for c in self.state["charts"]:
            label = c["label"].strip()
            tag = markup.get(c["id"], "")
            static = re.search(r'aria-label="([^"]*)"', tag)
            # Vega turns role="img" into the ARIA graphics role; both are read out with their label.
            if (c["role"] not in ("img", "graphics-document") or len(label) < 20 or PLACEHOLDER.search(label)
                    or 'role="img"' not in tag or not static or len(static.group(1).strip()) < 20):
                bad.append(f"{c['id']} ({c['figure']}): role={c['role']!r} aria-label={label!r}, markup {tag[:120]!r}")
        return bad

    def broken_links(self) -> list[str]:
        """In-page anchors whose target id is missing, and links to files that do not exist (a bare
        "#" is a control, such as Quarto's sidebar toggle, not a reference)."""
        bad = []
        for link in self.state["links"]:
            raw, href = link["raw"], link["href"]
            if raw == "#":
                continue
            if raw.startswith("#"):
                if not link["resolves"]:
                    bad.append(f"{raw} (in {'TOC' if link['toc'] else 'text'}) has no target")
            elif href.startswith("file://"):
                target = Path(unquote(urlparse(href).path))
                if not target.exists():
                    bad.append(f"{raw} -> {target} does not exist")
            elif href.startswith("data:"):
                if not href.startswith("data:text/csv;"):
                    bad.append(f"{raw[:60]}…: a data: link that is not a CSV download")
            elif not re.match(r"^(https?|mailto):", href):
                bad.append(f"{raw}: unexpected link scheme")
        return bad

    def toc_problems(self) -> list[str]:
        """Every chapter is reachable from the navigation (the page's contents, or Quarto's chapter
        list linking its page), and ids are unique."""
        toc = {link["raw"] for link in self.state["links"] if link["toc"]}
        toc_files = {Path(unquote(urlparse(link["href"]).path)).name for link in self.state["links"]
                      if link["toc"] and link["href"].startswith("file://")}
        problems = [f"chapter {c['text']!r} (#{c['id']}) is not in the table of contents"
                    for c in self.state["chapters"] if f"#{c['id']}" not in toc and self.path.name not in toc_files]
        if not self.state["chapters"]:
            problems.append("no chapter headings found")
        seen: set[str] = set()
        problems += [f"duplicate id {i!r}" for i in self.state["ids"] if i in seen or seen.add(i)]
        return problems

    def reader_text(self) -> str:
        """The page's text without the appendix's 'How to rerun' section (its heading to the next chapter's)."""
        text = self.state["text"]
        heads = list(re.finditer(rf"^[\d.\s]*{re.escape(RERUN_HEADING)}\s*$", text, re.M))
        if not heads:
            return text
        start = heads[-1].start()
        after = [text.find(c["text"], start) for c in self.state["chapters"]]
        end = min([i for i in after if i > start], default=len(text))
        return text[:start] + text[end:]

    def code_names(self) -> list[str]:
        return code_name_problems(self.reader_text(), self.path.parent.name or "index")

    def citation_problems(self) -> list[str]:
        """Citations that are not links to their own source's row; sources whose address is not a link."""
        targets = {_plain(t): anchor for t, anchor in render.citation_targets().items()}
        ids = set(self.state["ids"])
        bad = []
        for c in self.state["cites"]:
            want = targets.get(_plain(c["text"]))
            # On a multi-page (Quarto) edition a citation may lead to the appendix page's row.
            if want is None or c["href"].rpartition("#")[2] != want:
                bad.append(f"citation {c['text']!r} links to {c['href']}, not its source (#{want})")
            elif want not in ids:
                bad.append(f"citation {c['text']!r} links to #{want}, which is not on the page")
        plain = _plain(self.state["plain"])
        bad += [f"citation {t!r} is not a link" for t in targets
                if re.search(r"(?<![\w])" + re.escape(t) + r"(?![\w])", plain)]
        src = sourcing.table()
        links = set(self.state["sourceLinks"])
        rows = set(self.state["sourceRows"])
        for sid, url in src["url"].items():
            if isinstance(url, str) and url.strip() and (url not in links or f"src-{sid}" not in rows):
                bad.append(f"source {sid}: address not a link or row without its anchor")
        return bad

    def download_problems(self) -> list[str]:
        """Charts without a data download, or whose CSV does not parse or lacks a column the chart encodes."""
        page = self.path.read_text(encoding="utf-8")
        bad = []
        for d in self.state["downloads"]:
            where = f"{d['figure']} ({d['chart']})"
            m = re.match(r"data:text/csv;charset=utf-8;base64,(.+)$", d["href"])
            if not m:
                bad.append(f"{where}: no CSV download")
                continue
            try:
                rows = list(csv.reader(io.StringIO(base64.b64decode(m.group(1)).decode("utf-8"))))
            except (ValueError, csv.Error) as exc:
                bad.append(f"{where}: download does not parse as CSV ({exc})")
                continue
            spec = re.search(rf'<script type="application/json" id="{d["chart"]}-spec">(.*?)</script>', page, re.S)
            encoded = _encoded_fields(json.loads(spec.group(1).replace("<\\/", "</"))) if spec else set()
            if not rows or len(rows) < 2 or any(len(r) != len(rows[0]) for r in rows):
                bad.append(f"{where}: CSV has no rows or ragged rows")
            elif encoded - set(rows[0]):
                bad.append(f"{where}: CSV lacks the chart's columns {sorted(encoded - set(rows[0]))}")
        return bad

    def placeholder_text(self) -> list[str]:
        text = self.state["text"]
        return [f"{m.group(0)!r} in …{text[max(0, m.start() - 60):m.end() + 30]!r}…"
                for m in PLACEHOLDER.finditer(text)]


def _plain(text: str) -> str:
    """Text with typographic apostrophes and quotes made plain and whitespace runs one space."""
    return re.sub(r"\s+", " ", text.translate(str.maketrans({"\u2019": "'", "\u201c": '"', "\u201d": '"'}))).strip()


def _encoded_fields(spec: dict) -> set[str]:
    """Fields a chart's encodings read straight from its data (fields made by transforms excluded)."""
    columns = {c for rows in spec.get("datasets", {}).values() if isinstance(rows, list)
               for r in rows if isinstance(r, dict) for c in r}
    found: set[str] = set()

    def walk(node, in_encoding=False):
        if isinstance(node, dict):
            if in_encoding and isinstance(node.get("field"), str):
                found.add(node["field"])
            for k, v in node.items():
                if k not in ("datasets", "data"):
                    walk(v, in_encoding or k == "encoding")
        elif isinstance(node, list):
            for v in node:
                walk(v, in_encoding)
    walk(spec)
    return found & columns


def switcher_problems(page: "PageReport", others: dict[str, "PageReport"]) -> list[str]:
    """Sections of this page the switcher would send a reader to that another edition does not have."""
    bad = [f"switcher lists {sorted(set(others) - set(page.state['switcher']))} but not all editions"
           ] if not set(others) <= set(page.state["switcher"]) else []
    for name, other in others.items():
        have = set(other.state["ids"])
        bad += [f"section #{h} is not in edition {name}" for h in page.state["headings"] if h not in have]
    return bad


def _wait_for_charts(page, deadline: float) -> None:
    """Wait until every chart holds an SVG with marks, or all SVGs are in and one stays empty for 2 s."""
    js = ("() => [...document.querySelectorAll('div.tengw-chart')].map(d => { const s = d.querySelector('svg');"
          " return s ? s.querySelectorAll('g.role-mark > *').length : -1; })")
    drawn_at = None
    while time.monotonic() < deadline:
        counts = page.evaluate(js)
        if all(n > 0 for n in counts):
            return
        if all(n >= 0 for n in counts):  # all SVGs are in; an empty one may still be filling
            drawn_at = drawn_at or time.monotonic()
            if time.monotonic() - drawn_at > 2.0:
                return
        page.wait_for_timeout(100)


def inspect_page(browser, path: Path, shots: Path | None = None, prefix: str = "") -> PageReport:
    """Open one HTML file offline in Chromium and return what it drew, logged and requested."""
    report = PageReport(path=path)
    url = path.resolve().as_uri()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")

    def route(r):
        req_url = r.request.url
        if req_url.split("#")[0] == url:
            r.continue_()
        else:
            if req_url[:200] not in report.requests:
                report.requests.append(req_url[:200])
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and report.console_errors.append(m.text[:500]))
    page.on("pageerror", lambda e: report.page_errors.append(str(e)[:500]))
    page.on("request", lambda r: r.url.split("#")[0] != url and not r.url.startswith(("data:", "blob:"))
            and r.url[:200] not in report.requests and report.requests.append(r.url[:200]))
    try:
        page.goto(url, wait_until="load")
        _wait_for_charts(page, time.monotonic() + CHART_TIMEOUT_S)
        report.state = page.evaluate(PAGE_STATE_JS)
        if shots is not None:
            report.screenshots = _chapter_screenshots(page, shots, prefix)
    finally:
        context.close()
    return report


def _chapter_screenshots(page, folder: Path, prefix: str = "") -> list[Path]:
    """Save one PNG per chapter on the page: the main column from its heading down to the next."""
    folder.mkdir(parents=True, exist_ok=True)
    boxes = page.evaluate("""() => {""" + CHAPTERS_JS + """
      const main = document.querySelector('main').getBoundingClientRect();
      const hs = chapterHeadings();
      const end = main.bottom + window.scrollY;
      return hs.map((h, i) => ({id: h.id || (h.querySelector('[id]') || {}).id || (h.closest('section') || {}).id
          || ('chapter-' + i),
        x: main.left, width: main.width, top: h.getBoundingClientRect().top + window.scrollY,
        bottom: i + 1 < hs.length ? hs[i + 1].getBoundingClientRect().top + window.scrollY : end}));
    }""")
    out = []
    for i, b in enumerate(boxes, 1):
        target = folder / f"{prefix}{'-' if prefix else ''}{i:02d}-{re.sub(r'[^A-Za-z0-9_-]', '_', b['id'])}.png"
        clip = {"x": b["x"], "y": max(0, b["top"] - 10), "width": b["width"],
                "height": max(50, min(b["bottom"] - b["top"], 12000))}
        page.screenshot(path=str(target), clip=clip, full_page=True)
        out.append(target)
    return out


#: A caption's label: "Figure 3.1." (chapter 3's first figure), or "Figure 3." without chapters.
CAPTION_LABEL = re.compile(r"^(Figure|Table)\s+(?:(\d+)\.)?(\d+)\.(?:\s|$)")


def numbering_problems(captions: list[str]) -> list[str]:
    """Figures and tables are numbered in reading order: within each chapter 1..n, chapters ascending."""
    problems, seen = [], {}
    for cap in captions:
        m = CAPTION_LABEL.match(cap)
        if not m:
            problems.append(f"caption {cap[:60]!r} does not start 'Figure c.n.' or 'Table c.n.'")
            continue
        word, chapter, n = m.group(1), int(m.group(2) or 0), int(m.group(3))
        last_chapter, last_n = seen.get(word, (0, 0))
        expected = last_n + 1 if chapter == last_chapter else 1
        if chapter < last_chapter or n != expected:
            problems.append(f"{word} {chapter}.{n} follows {word} {last_chapter}.{last_n}")
        seen[word] = (chapter, n)
    return problems


@dataclass
class Edition:
    """What Chromium saw on every page of one edition, in reading order."""

    pages: list[PageReport]

    def each(self, check: str) -> list[str]:
        """Run a PageReport check on every page; name the page in each problem."""
        return [f"{p.path.name}: {problem}" for p in self.pages for problem in getattr(p, check)()]

    @property
    def captions(self) -> list[str]:
        return [c for p in self.pages for c in p.state["captions"]]

    @property
    def charts(self) -> list[dict]:
        return [c for p in self.pages for c in p.state["charts"]]

    @property
    def state(self) -> dict:
        """What every page drew, as one page: lists joined in reading order, the rest from the first page."""
        merged = dict(self.pages[0].state)
        for key, value in merged.items():
            if isinstance(value, list):
                merged[key] = [x for p in self.pages for x in p.state[key]]
        merged["plain"] = " ".join(p.state["plain"] for p in self.pages)
        return merged

    @property
    def path(self) -> Path:
        return self.pages[0].path

    def citation_problems(self) -> list[str]:
        """PageReport.citation_problems over the whole edition (a citation may lead to another page's row)."""
        return PageReport.citation_problems(self)

    def download_problems(self) -> list[str]:
        return self.each("download_problems")

    def code_names(self) -> list[str]:
        return self.each("code_names")


@pytest.fixture(scope="module")
def pages(browser, built_report):
    """Each edition's pages inspected once, on first use."""
    cache: dict[str, Edition] = {}

    def get(name: str) -> Edition:
        if name not in cache:
            folder = edition_dir(built_report, name)
            paths = edition_pages(folder)
            missing = [str(p) for p in paths if not p.exists()]
            assert not missing, f"the build did not write {missing}"
            # Pictures of the base report only: screenshots cost more time than every check together.
            shots = ARTIFACTS / "html" / "base" if name == "index" else None
            if shots is not None:
                shots.mkdir(parents=True, exist_ok=True)
                for old in shots.glob("*.png"):
                    old.unlink()
            cache[name] = Edition([inspect_page(browser, p, shots, prefix=f"{i:02d}")
                                   for i, p in enumerate(paths, 1)])
        return cache[name]
    return get


@pytest.mark.parametrize("name", PAGES)
def test_every_chart_draws_marks(pages, name):
    ed = pages(name)
    assert ed.charts, f"{name}: no charts found"
    assert not ed.each("charts_without_marks"), f"{name}: charts drew nothing: {ed.each('charts_without_marks')}"


@pytest.mark.parametrize("name", PAGES)
def test_no_console_errors(pages, name):
    ed = pages(name)
    errors = [(p.path.name, p.console_errors, p.page_errors) for p in ed.pages if p.console_errors or p.page_errors]
    assert not errors, f"{name}: console errors and uncaught exceptions (page, console, exceptions): {errors}"


@pytest.mark.parametrize("name", PAGES)
def test_no_request_leaves_the_file(pages, name):
    ed = pages(name)
    asked = [(p.path.name, p.requests) for p in ed.pages if p.requests]
    assert not asked, f"{name}: pages asked for {asked} (every page must be self-contained)"


@pytest.mark.parametrize("name", PAGES)
def test_toc_and_cross_reference_links_resolve(pages, name):
    ed = pages(name)
    assert not ed.each("broken_links"), f"{name}: broken links {ed.each('broken_links')}"
    assert not ed.each("toc_problems"), f"{name}: {ed.each('toc_problems')}"
    refs = [link for p in ed.pages for link in p.state["links"]
            if re.match(r"#(fig|tbl|sec)-", link["raw"]) and not link["toc"]]
    if ed.charts:
        assert refs, f"{name}: no cross-reference links at all (@fig-/@tbl-/@sec- in the prose)"


@pytest.mark.parametrize("name", PAGES)
def test_every_chart_has_a_text_description(pages, name):
    ed = pages(name)
    assert not ed.each("charts_without_description"), (
        f"{name}: charts without a screen-reader description: {ed.each('charts_without_description')}")
    unplaced = [c["id"] for c in ed.charts if not c["figure"].startswith("fig-") or not c["caption"]]
    assert not unplaced, f"{name}: charts outside a captioned figure: {unplaced}"


@pytest.mark.parametrize("name", PAGES)
def test_figures_and_tables_are_numbered_in_order(pages, name):
    ed = pages(name)
    assert ed.captions, f"{name}: no captions found"
    assert not numbering_problems(ed.captions), f"{name}: {numbering_problems(ed.captions)}"


@pytest.mark.parametrize("name", PAGES)
def test_no_placeholder_or_unresolved_text(pages, name):
    ed = pages(name)
    assert all(p.state["text"].strip() for p in ed.pages), f"{name}: a page with empty main text"
    assert not ed.each("placeholder_text"), f"{name}: {ed.each('placeholder_text')}"


@pytest.mark.parametrize("name", PAGES)
def test_page_does_not_scroll_sideways(pages, name):
    wide = [(p.path.name, p.state["scrollWidth"]) for p in pages(name).pages
            if p.state["scrollWidth"] > p.state["innerWidth"]]
    assert not wide, f"{name}: pages wider than the 1280px window: {wide}"


@pytest.mark.parametrize("name", PAGES)
def test_no_code_name_or_data_path_outside_the_rerun_section(pages, name):
    problems = pages(name).code_names()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PAGES)
def test_every_citation_links_to_its_source_row(pages, name):
    page = pages(name)
    assert len(page.state["cites"]) >= 20, f"{page.path}: only {len(page.state['cites'])} citation links"
    assert not page.citation_problems(), f"{page.path}: {page.citation_problems()[:10]}"


@pytest.mark.parametrize("name", PAGES)
def test_every_chart_hands_over_its_data(pages, name):
    page = pages(name)
    assert len(page.state["downloads"]) == len(page.state["charts"]) > 0
    assert not page.download_problems(), f"{page.path}: {page.download_problems()}"


@pytest.mark.parametrize("name", PAGES)
def test_the_switcher_can_land_on_every_section(pages, name):
    page = pages(name)
    others = {n: pages(n) for n in assumptions.scenario_names() if n != name}
    assert page.state["headings"], f"{page.path}: no section headings with ids"
    assert not switcher_problems(page, others), f"{page.path}: {switcher_problems(page, others)[:10]}"


def test_switching_edition_keeps_the_readers_section(browser, built_report):
    """A reader at a section of the base report clicks another edition and lands on the same section
    (on the same page: the embedded engine's one page, or Quarto's page of that chapter)."""
    root = built_report.resolve()
    section = "sec-energy-sensitivity"
    start = next(p for p in edition_pages(edition_dir(root, "index"))
                 if re.search(rf'\sid="{section}"', p.read_text(encoding="utf-8")))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(root.as_uri()) else r.abort())
    page = context.new_page()
    try:
        page.goto(start.as_uri(), wait_until="load")
        _wait_for_charts(page, time.monotonic() + CHART_TIMEOUT_S)  # drawn charts change the page's length
        page.evaluate(f"document.getElementById('{section}').scrollIntoView()")
        page.wait_for_timeout(300)
        other = [n for n in assumptions.scenario_names() if n != "base"][0]
        # A mouse click where the link is drawn: page.click() would first scroll the sticky bar "into view".
        box = page.evaluate(f"""() => {{ const r = document.querySelector('nav.switcher a[data-tengw-edition="{other}"]')
            .getBoundingClientRect(); return {{x: r.x + r.width / 2, y: r.y + r.height / 2}}; }}""")
        with page.expect_navigation(wait_until="load"):
            page.mouse.click(box["x"], box["y"])
        assert f"/{other}/{start.name}?" in page.url and page.url.endswith(f"#{section}"), page.url
        top = page.evaluate(f"document.getElementById('{section}').getBoundingClientRect().top")
        assert -5 <= top < 200, f"landed {top:.0f}px from the top of #{section}"
        bar = page.evaluate("document.querySelector('.topbar').getBoundingClientRect().bottom")
        assert top >= bar - 5, f"#{section} landed at {top:.0f}px, under the edition bar (to {bar:.0f}px)"
    finally:
        context.close()


def test_a_screenshot_of_each_chapter_is_saved(pages):
    ed = pages("index")
    shots = [s for p in ed.pages for s in p.screenshots]
    chapters = [c for p in ed.pages for c in p.state["chapters"]]
    assert len(shots) == len(chapters) > 0
    for shot in shots:
        assert shot.stat().st_size > 2000, f"{shot} looks empty"


# --- the checks can fail ---------------------------------------------------------------------

def _inject(html: str) -> tuple[str, dict[str, str]]:
    """Return a copy of the page with one defect of each kind, and the ids of the charts it broke."""
    specs = list(re.finditer(r'<script type="application/json" id="(vis-[0-9a-f]+)-spec">(.*?)</script>', html, re.S))
    assert len(specs) >= 2, "need two charts to break"
    empty, mute = specs[0].group(1), specs[1].group(1)
    spec = json.loads(specs[0].group(2).replace("<\\/", "</"))
    for name in spec.get("datasets", {}):
        spec["datasets"][name] = []
    if "values" in spec.get("data", {}):
        spec["data"]["values"] = []
    payload = json.dumps(spec).replace("</", "<\\/")
    html = html.replace(specs[0].group(0), f'<script type="application/json" id="{empty}-spec">{payload}</script>')
    # The second chart loses its description (in the markup and in the script that restores it).
    div = re.search(rf'<div class="tengw-chart" id="{mute}"[^>]*>', html).group(0)
    html = html.replace(div, f'<div class="tengw-chart" id="{mute}">')
    html = re.sub(rf'(vegaEmbed\("#{mute}".*?setAttribute\("aria-label", )"[^"]*"', r'\1""', html, flags=re.S)
    # The defects go under the title block (the embedded engine's, or Quarto's on a chapter page).
    title_block = re.search(r'<header\b[^>]*(?:class="title-block"|id="title-block-header")', html)
    end = html.index("</header>", title_block.end()) + len("</header>")
    defects = ('<p>See <a href="#fig-does-not-exist">Figure 99</a>; capital reaches $nanbn.</p>'
               '<p>GW move most with schedule_gw_per_half (data/facts.csv).</p>'
               '<img src="https://example.com/pixel.png" alt="">'
               '<script>console.error("injected defect");</script>')
    html = html[:end] + defects + html[end:]
    # A citation loses its link, another links to the wrong source, a source row loses its anchor.
    cites = list(re.finditer(r'<a class="tengw-cite" href="([^"]*#src-[^"]+)">(.*?)</a>', html, re.S))
    unlinked, wrong = cites[0], next(c for c in cites if c.group(1) != cites[0].group(1))
    html = html.replace(unlinked.group(0), unlinked.group(2), 1)
    html = html.replace(wrong.group(0), f'<a class="tengw-cite" href="{cites[0].group(1)}">{wrong.group(2)}</a>', 1)
    row = re.search(r'<tr id="(src-[^"]+)">', html)
    if row:
        html = html.replace(row.group(0), "<tr>", 1)
    # One chart's download loses its first column, another's is gone.
    # (charts 3 and 4: the first two are broken above)
    downloads = list(re.finditer(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', html))
    out = io.StringIO()
    csv.writer(out).writerows(r[1:] for r in csv.reader(io.StringIO(base64.b64decode(downloads[2].group(1)).decode())))
    html = html.replace(downloads[2].group(1), base64.b64encode(out.getvalue().encode()).decode(), 1)
    html = html.replace(downloads[3].group(0), 'href="#"', 1)
    # A section that no other edition has.
    html = html[:end] + '<h2 id="sec-only-here">Only here</h2>' + html[end:]
    return html, {"empty": empty, "mute": mute, "row": row.group(1) if row else None}


def test_checks_catch_injected_defects(browser, built_report, tmp_path, pages):
    """An empty chart, a missing description, a broken link, a request out, a console error, a NaN, a code
    name and a data path (the rerun section's own code names stay allowed), citations and downloads
    broken, a section no other edition has."""
    source = next(p for p in edition_pages(built_report) if p.read_text(encoding="utf-8").count("-spec\">") >= 4)
    html, broken = _inject(source.read_text(encoding="utf-8"))
    copy = tmp_path / source.name
    copy.write_text(html, encoding="utf-8")
    page = inspect_page(browser, copy)
    assert [p.split(" ")[0] for p in page.charts_without_marks()] == [broken["empty"]]
    assert [p.split(" ")[0] for p in page.charts_without_description()] == [broken["mute"]]
    assert any(p.startswith("#fig-does-not-exist") for p in page.broken_links())
    assert any("example.com" in r for r in page.requests)
    assert any("injected defect" in e for e in page.console_errors)
    assert any("nan" in p for p in page.placeholder_text())
    assert [p.split(" in ")[0].split(": ", 1)[1] for p in page.code_names()] == ["'schedule_gw_per_half'",
                                                                              "'data/facts.csv'"]

    cites = page.citation_problems()
    assert any(p.endswith("is not a link") for p in cites), cites
    assert any("not its source" in p for p in cites), cites
    if broken["row"]:
        assert any(broken["row"][len("src-"):] in p for p in cites), cites
    downloads = page.download_problems()
    assert any("lacks the chart's columns" in p for p in downloads), downloads
    assert any("no CSV download" in p for p in downloads), downloads
    others = {n: pages(n) for n in assumptions.scenario_names()[:1]}  # already inspected by the tests above
    assert [p for p in switcher_problems(page, others) if "sec-only-here" in p]


def test_numbering_check_catches_gaps_restarts_and_doubled_delimiters():
    good = ["Figure 1.1. A", "Table 1.1. B", "Figure 1.2. C", "Figure 2.1. D", "Table 3.1. E"]
    assert numbering_problems(good) == []
    assert numbering_problems(["Figure 1.1. A", "Figure 1.3. B"])                  # a gap
    assert numbering_problems(["Figure 2.1. A", "Figure 1.2. B"])                  # chapters go back
    assert numbering_problems(["Figure 1.1. A", "Figure 2.2. B"])                  # no restart per chapter
    assert numbering_problems(["Figure\u00a02.1.. A"])                            # Quarto's doubled "."
    assert numbering_problems(["Figure 1. A", "Figure 2. B"]) == []              # without chapters
