"""The embedded engine: render the project that report/_quarto.yml describes with pandoc and Typst.

It reads the same chapter list, title and output names as Quarto, takes each chapter's stored
outputs from the executed notebooks (it never runs code), and writes one self-contained HTML page
and one PDF per scenario. Figures are numbered in document order for both formats, the way Quarto
numbers them, and `@fig-x` / `@tbl-x` / `@sec-x` references become links.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pypandoc
import typst
import yaml

from . import colophon, paths, safe_yaml, sourcing, tables, vega
from .errors import InputError

FIG_MIME = vega.FIGURE_MIME
TABLE_MIME = "application/vnd.tengw.table+json"
FONT_DIRS = [d for d in ("/usr/share/fonts",) if Path(d).is_dir()]


@dataclass
class Project:
    """What _quarto.yml says: title, chapters, output folder and file name."""

    title: str
    subtitle: str
    author: str
    chapters: list[str]
    output_dir: Path
    output_file: str
    #: crossref.chapters: number figures and tables within chapters ("Figure 3.1"), as Quarto books do.
    chapter_numbering: bool = True

    def notebook_stems(self) -> list[str]:
        return [Path(c).stem for c in self.chapters if c.endswith(".ipynb")]


def read_project(path: Path = paths.QUARTO_YML) -> Project:
    """Parse report/_quarto.yml."""
    cfg = safe_yaml.read(path, "report configuration")
    if not isinstance(cfg, dict):
        raise InputError(f"{path.name}: expected a mapping with 'project' and 'book'")
    book = cfg.get("book", {})
    chapters: list[str] = []
    for entry in book.get("chapters", []):
        if isinstance(entry, dict):  # a part: {part: ..., chapters: [...]}
            chapters += entry.get("chapters", [])
        else:
            chapters.append(entry)
    return Project(
        title=book.get("title", "Report"), subtitle=book.get("subtitle", ""),
        author=book.get("author", ""), chapters=chapters,
        output_dir=Path(paths.OUTPUT_OVERRIDE) if paths.OUTPUT_OVERRIDE
        else path.parent / cfg.get("project", {}).get("output-dir", "_output"),
        output_file=book.get("output-file", "report"),
        # Quarto numbers floats within chapters in a book unless crossref.chapters says otherwise.
        chapter_numbering=bool((cfg.get("crossref") or {}).get(
            "chapters", (cfg.get("project") or {}).get("type") == "book")),
    )


# --- reading cells ---------------------------------------------------------------------------

OPTION = re.compile(r"^#\|\s*([\w-]+)\s*:\s*(.*)$")


def cell_options(source: str) -> dict[str, str]:
    """Return Quarto cell options (`#| key: value`) from the top of a code cell."""
    opts = {}
    for line in source.splitlines():
        m = OPTION.match(line)
        if not m:
            break
        value = m.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        opts[m.group(1)] = value
    return opts


def typographic(text: str) -> str:
    """Return a caption with typographic quotes, as pandoc's `smart` reading gives Quarto's captions:
    an apostrophe inside or at the end of a word becomes ’, "x" becomes “x”."""
    text = re.sub(r"(?<=\w)'", "’", text)
    return re.sub(r'"([^"]*)"', "“\\1”", text)


@dataclass
class Block:
    """One piece of the document: markdown, a figure or a table."""

    kind: str  # "md" | "figure" | "table"
    text: str = ""
    label: str = ""
    caption: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def notebook_blocks(path: Path) -> list[Block]:
    """Return the blocks a notebook contributes to the report, from its stored outputs."""
    if not path.exists():
        raise InputError(f"executed notebook missing: {path}")
    nb = nbformat.read(path, as_version=4)
    blocks: list[Block] = []
    auto = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            blocks.append(Block("md", text=cell.source))
            continue
        if cell.cell_type != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            continue
        opts = cell_options(cell.source)
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                raise InputError(f"{path.name} cell {i}: stored error {out.ename}: {out.evalue}")
            if out.output_type not in ("display_data", "execute_result"):
                continue
            bundle = out.get("data", {})
            if FIG_MIME in bundle:
                auto += 1
                label = opts.get("label") or f"fig-{path.stem}-{auto}"
                blocks.append(Block("figure", label=label, caption=typographic(opts.get("fig-cap", "")),
                                    data={"html": _text(bundle["text/html"]),
                                          "svg": _text(bundle["image/svg+xml"]),
                                          **bundle[FIG_MIME]}))
            elif TABLE_MIME in bundle:
                auto += 1
                label = opts.get("label") or f"tbl-{path.stem}-{auto}"
                blocks.append(Block("table", label=label, caption=typographic(opts.get("tbl-cap", "")),
                                    data={"html": _text(bundle["text/html"]), **bundle[TABLE_MIME]}))
            elif "text/markdown" in bundle:
                blocks.append(Block("md", text=_text(bundle["text/markdown"])))
    return blocks


def qmd_blocks(path: Path, edition: dict[str, str] | None = None) -> list[Block]:
    """Return a .qmd chapter as one markdown block, without its YAML front matter, shortcodes filled."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---"):
        end = text.find("\n---", 3)
        text = text[end + 4:] if end != -1 else text
    return [Block("md", text=expand_meta(text, edition or {}, path.name))]


SHORTCODE = re.compile(r"\{\{<\s*(\S+)\s*(\S*)\s*>\}\}")


def expand_meta(text: str, edition: dict[str, str], where: str = "") -> str:
    """Fill Quarto's `{{< meta edition.KEY >}}` shortcodes from the edition's metadata (analysis/colophon.py)."""
    def sub(m: re.Match) -> str:
        kind, key = m.group(1), m.group(2)
        if kind != "meta" or not key.startswith("edition."):
            raise InputError(f"{where}: the embedded engine fills only {{{{< meta edition.KEY >}}}}, not {m.group(0)}")
        if key[len("edition."):] not in edition:
            raise InputError(f"{where}: no edition metadata {key!r} (the build writes it before rendering)")
        # The filled text is read as markdown, as Quarto reads the metadata: it prints as written.
        return colophon.literal(edition[key[len("edition."):]])
    return SHORTCODE.sub(sub, text)


# --- cross references ------------------------------------------------------------------------

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{([^}]*)\})?\s*$", re.M)
FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
REF = re.compile(r"(?<![\w@])@((?:fig|tbl|sec)-[\w-]+)")


def numbering(blocks: list[Block], chapters: bool = True) -> dict[str, tuple[str, str]]:
    """Return label -> (kind word, number) for every figure, table and labelled section, as Quarto
    numbers a book: sections by pandoc's section numbers ("Chapter 3", "Section 3.2"), figures and
    tables within their chapter ("Figure 3.1") when `chapters`, else through the whole report.
    A labelled heading marked {.unnumbered} is referred to by its title in quotes."""
    refs: dict[str, tuple[str, str]] = {}
    sections = [0] * 6
    count = {"figure": 0, "table": 0}
    for b in blocks:
        if b.kind in count:
            count[b.kind] += 1
            number = f"{sections[0]}.{count[b.kind]}" if chapters and sections[0] else str(count[b.kind])
            refs[b.label] = ("Figure" if b.kind == "figure" else "Table", number)
            continue
        for m in HEADING.finditer(FENCE.sub("", b.text)):
            level, title, attrs = len(m.group(1)), m.group(2), m.group(3) or ""
            numbered = not re.search(r"(?:^|\s)(?:\.unnumbered|-)(?:\s|$)", attrs)
            if numbered:
                sections[level - 1] += 1
                sections[level:] = [0] * (6 - level)
                if level == 1 and chapters:
                    count = dict.fromkeys(count, 0)
            label = re.search(r"#(sec-[\w-]+)", attrs)
            if label:
                refs[label.group(1)] = (("Chapter" if level == 1 else "Section"),
                                        ".".join(map(str, sections[:level]))) if numbered else ("", f"“{title}”")
    return refs


def resolve_refs(text: str, refs: dict[str, tuple[str, str]]) -> str:
    """Replace @fig-x, @tbl-x and @sec-x with linked text; unknown labels fail loudly."""
    def sub(m: re.Match) -> str:
        label = m.group(1)
        if label not in refs:
            raise InputError(f"unresolved cross-reference @{label}")
        word, value = refs[label]
        return f"[{word} {value}](#{label})" if word else f"[{value}](#{label})"
    return REF.sub(sub, text)


# --- writing each format ---------------------------------------------------------------------

def _typst_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


#: The appendix's sources table: its rows get the anchors (#src-<source id>) that citations link to.
SOURCES_TABLE = "tbl-appendix-sources"
URL_CELL = re.compile(r"<td([^>]*)>(https?://[^<\s]*(?:<wbr>[^<\s]*)*)</td>")


def _link_url_cells(table_html: str, anchors: dict[str, str] | None = None) -> str:
    """Make every table cell that holds a web address a link; with anchors (url -> id), give its row that id."""
    def cell(m: re.Match) -> str:
        url = html.unescape(m.group(2).replace("<wbr>", ""))
        return f'<td{m.group(1)}><a href="{html.escape(url)}" rel="noopener">{m.group(2)}</a></td>'
    if not anchors:
        return URL_CELL.sub(cell, table_html)
    rows = []
    for row in re.split(r"(?=<tr>)", table_html):
        m = URL_CELL.search(row)
        url = html.unescape(m.group(2).replace("<wbr>", "")) if m else ""
        if row.startswith("<tr>") and url in anchors:
            row = f'<tr id="{anchors[url]}">' + row[len("<tr>"):]
        rows.append(URL_CELL.sub(cell, row))
    return "".join(rows)


def source_anchors() -> dict[str, str]:
    """Return web address -> in-page anchor id of each source's row in the sources table."""
    return _source_links()["anchors"]


def _source_links() -> dict[str, dict[str, str]]:
    """Return the source anchors and citation targets, kept in the results store under the data files
    and the code: rendering an edit loop's edition then reads no data table."""
    from . import results

    def make() -> str:
        src = sourcing.table()
        anchors = {str(url): f"src-{sid}" for sid, url in src["url"].items() if isinstance(url, str) and url.strip()}
        return json.dumps({"anchors": anchors, "targets": _citation_targets()})  # order kept: link_citations tries texts in it

    return json.loads(results.of_data("source-links", make, suffix=".json"))


def chart_csv(spec: dict[str, Any]) -> tuple[str, list[str]]:
    """Return the data behind a chart as CSV text and its columns.

    Rows are every tabular dataset of the spec (map outlines and other non-tables left out); columns are
    the dataset fields the spec refers to (encodings, transforms, expressions), in the data's order.
    """
    tables = {name: rows for name, rows in spec.get("datasets", {}).items()
              if isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows)}
    values = spec.get("data", {}).get("values") if isinstance(spec.get("data"), dict) else None
    if isinstance(values, list) and values and all(isinstance(r, dict) for r in values):
        tables["values"] = values
    used: set[str] = set()

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k not in ("datasets", "usermeta"):
                    walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str):
            used.add(node)
            used.update(a or b for a, b in re.findall(r"datum\.(\w+)|datum\[['\"]([^'\"]+)['\"]\]", node))
    walk({k: v for k, v in spec.items() if k != "data" or values is None})
    columns: list[str] = []
    for rows in tables.values():
        for row in rows:
            columns += [c for c in row if c in used and c not in columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for rows in tables.values():
        if not any(c in rows[0] for c in columns):
            continue
        for row in rows:
            writer.writerow([_csv_value(row.get(c)) for c in columns])
    return out.getvalue(), columns


def _csv_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def download_link(b: Block) -> str:
    """Return the line under a chart that hands over its data: a CSV embedded as a data: URI (no server)."""
    return chart_download(b.data["spec"], b.label)


def chart_download(spec: dict[str, Any], name: str) -> str:
    """Return the download line for a chart's spec, its file called name.csv (both engines' pages)."""
    text, columns = chart_csv(spec)
    rows = text.count("\n") - 1
    uri = "data:text/csv;charset=utf-8;base64," + base64.b64encode(text.encode("utf-8")).decode()
    return (f'<p class="tengw-download"><a href="{uri}" download="{name}.csv" type="text/csv" '
            f'data-columns="{html.escape(json.dumps(columns))}">Download the data behind this chart</a> '
            f"(CSV, {rows} rows)</p>")


def _html_block(b: Block, refs: dict[str, tuple[str, str]], anchors: dict[str, str] | None = None) -> str:
    word, num = refs[b.label]
    cap = html.escape(b.caption)
    if b.kind == "figure":
        return (f'```{{=html}}\n<figure id="{b.label}" class="tengw-figure">\n{b.data["html"]}\n'
                f"{download_link(b)}\n"
                f'<figcaption><span class="caption-label">{word} {num}.</span> {cap}</figcaption>\n'
                f"</figure>\n```\n")
    table = _link_url_cells(b.data["html"], anchors if b.label == SOURCES_TABLE else None)
    return (f'```{{=html}}\n<figure id="{b.label}" class="tengw-table-figure">\n'
            f'<figcaption><span class="caption-label">{word} {num}.</span> {cap}</figcaption>\n'
            f'{table}\n</figure>\n```\n')


# --- citations become links to their source's row --------------------------------------------

def _citation_pattern(text: str) -> str:
    """Return a regex matching a citation as it appears in HTML: escaped or typographic quotes, wrapped lines."""
    alts = {"'": "(?:'|&#x27;|&#39;|’)", '"': '(?:"|&quot;|“|”)', "&": "(?:&amp;|&)",
            "<": "&lt;", ">": "&gt;"}
    return "".join(r"\s+" if ch == " " else alts.get(ch, re.escape(ch)) for ch in text)


def citation_targets() -> dict[str, str]:
    """Return citation text (sourcing.cite, full and, where unambiguous, short) -> anchor id of its source's row."""
    return _source_links()["targets"]


def _citation_targets() -> dict[str, str]:
    anchors: dict[str, str] = {}
    short: dict[str, list[str]] = {}
    for sid in sourcing.table().index:
        if sourcing.is_judgement(sid):
            continue  # "our judgement" is not a source and has no address
        anchors[sourcing.cite(sid)] = f"src-{sid}"
        short.setdefault(sourcing.cite(sid, short=True), []).append(sid)
    # A short citation ('Publisher, YYYY', in crowded cells) links only when one source has it.
    anchors.update({text: f"src-{ids[0]}" for text, ids in short.items() if len(ids) == 1 and text not in anchors})
    return anchors


TAG = re.compile(r"(<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<[^>]+>)", re.S)
YEAR = re.compile(r"\d{4}")


def link_citations(page: str, targets: dict[str, str]) -> str:
    """Wrap every citation in the page's main text in a link to its source row.

    Text inside tags, scripts, existing links and the sources table itself is left alone.
    """
    if not targets:
        return page
    texts = sorted(targets, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w])(?:" + "|".join(f"({_citation_pattern(t)})" for t in texts) + r")(?![\w])")
    start = page.find("<main")
    end = page.rfind("</main>")
    if start == -1 or end == -1:
        return page
    out, in_link, in_sources = [], 0, False

    def sub(m: re.Match) -> str:
        target = targets[texts[m.lastindex - 1]]
        return f'<a class="tengw-cite" href="#{target}">{m.group(0)}</a>'

    # Every citation holds a year (cite() ends with a date): text without four digits in a row holds
    # none, and skipping it spares most of the page the long alternation below.
    has_year = all(YEAR.search(t) for t in texts)

    for token in TAG.split(page[start:end]):
        if token.startswith("<"):
            lowered = token[:40].lower()
            if lowered.startswith("<a ") or lowered == "<a>":
                in_link += 1
            elif lowered.startswith("</a"):
                in_link = max(0, in_link - 1)
            elif lowered.startswith(f'<figure id="{SOURCES_TABLE}"'):
                in_sources = True
            elif lowered.startswith("</figure") and in_sources:
                in_sources = False
            out.append(token)
        elif in_link or in_sources or not token.strip() or (has_year and not YEAR.search(token)):
            out.append(token)
        else:
            out.append(pattern.sub(sub, token))
    return page[:start] + "".join(out) + page[end:]


#: Typst points per SVG pixel: charts print as on a 96-dpi screen, so every chart's 11 px labels
#: come out at the same 8.25 pt whatever the chart's width.
PT_PER_PX = 0.75
#: Tallest chart in the PDF (pt); taller ones are scaled down so a figure and its caption fit a page.
MAX_CHART_HEIGHT_PT = 560.0
SVG_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)(?:px)?"[^>]*?\bheight="([\d.]+)(?:px)?"', re.S)


def svg_size(svg: str) -> tuple[float, float]:
    """Return an SVG's natural width and height in px, from its root element."""
    m = SVG_SIZE.search(svg)
    if not m:
        raise InputError("figure SVG has no width/height on its root element")
    return float(m.group(1)), float(m.group(2))


def chart_width_pt(svg: str) -> float:
    """Return the printed width of a chart: natural size at PT_PER_PX, scaled down if too tall."""
    w, h = svg_size(svg)
    width = w * PT_PER_PX
    height = h * PT_PER_PX
    if height > MAX_CHART_HEIGHT_PT:
        width *= MAX_CHART_HEIGHT_PT / height
    return round(width, 1)


URL = re.compile(r"^https?://\S+$")


def _typst_cell(text: str) -> str:
    """Return a table cell for Typst: a web address becomes a link, any other text a string."""
    if URL.match(text):
        return f"link({_typst_str(text)})[#{_typst_str(tables.breakable(text))}]"
    return _typst_str(tables.breakable(text))


def _typst_block(b: Block, figdir: Path) -> str:
    """Return a figure or table as Typst, built as pandoc builds Quarto's (the template styles both):
    the chart's SVG carries its source note; a table's columns share the width as its markdown says."""
    if b.kind == "figure":
        name = f"{b.label}.svg"
        (figdir / name).write_text(b.data["svg"], encoding="utf-8")
        # typst-template.typ moves a chart the page cannot hold to the next page's top (tengw-fit).
        return (f'```{{=typst}}\n#figure(tengw-chart("figs/{name}", {chart_width_pt(b.data["svg"])}pt), kind: image,\n'
                f"  caption: [#{_typst_str(b.caption)}]) <{b.label}>\n```\n")
    dashes = tables.rule_dashes(tables.column_widths(b.data["header"], b.data["rows"], b.data["align"]))
    widths = ", ".join(f"{100 * d / sum(dashes):.2f}%" for d in dashes)
    aligns = ", ".join("right" if a == "right" else "left" for a in b.data["align"])
    header = ", ".join(_typst_str(tables.breakable(h)) for h in b.data["header"])
    cells = ",\n    ".join(", ".join(_typst_cell(c) for c in row) for row in b.data["rows"])
    note = b.data.get("note") or ""
    body = (f"table(columns: ({widths},), align: ({aligns},),\n    table.header({header},), table.hline(),\n"
            f"    {cells},\n  )" + (f"\n  #par({_typst_str(note)})" if note else ""))
    return (f"```{{=typst}}\n#figure(kind: table, caption: [#{_typst_str(b.caption)}], [\n  #{body}\n]) "
            f"<{b.label}>\n```\n")


def document(blocks: list[Block], target: str, figdir: Path | None = None, chapters: bool = True) -> str:
    """Return the whole report as pandoc markdown with raw blocks for one target format."""
    refs = numbering(blocks, chapters)
    anchors = source_anchors() if target == "html" else {}
    parts = []
    for b in blocks:
        if b.kind == "md":
            parts.append(resolve_refs(b.text, refs) + "\n")
        elif target == "html":
            parts.append(_html_block(b, refs, anchors))
        else:
            parts.append(_typst_block(b, figdir))
    return "\n\n".join(parts)


ENGINE = "embedded pandoc + Typst engine"


def variants_html(editions: list[dict[str, Any]], pdf_name: str, link_prefix: str) -> tuple[str, str]:
    """Return the topbar switcher and the index of every edition (HTML and PDF links), from the
    editions the build listed beside this one (analysis/colophon.py)."""
    current = ' class="current" aria-current="page"'
    # data-tengw-edition: the page's script adds the reader's section to the link (report.html).
    switch = "".join(
        f'<a{current if e["current"] else ""} data-tengw-edition="{html.escape(e["name"])}" '
        f'href="{link_prefix}{e["name"]}/index.html">{html.escape(e["title"])}</a>'
        for e in editions)
    rows = []
    for e in editions:
        n, here = html.escape(e["name"]), ' class="current"' if e["current"] else ""
        rows.append(
            f"<tr{here}><td><strong>{html.escape(e['title'])}</strong></td>"
            f"<td>{html.escape(e['description'])}</td><td class=\"links\"><a href=\"{link_prefix}{n}/index.html\">HTML</a> · "
            f"<a href=\"{link_prefix}{n}/{pdf_name}\">PDF</a></td></tr>")
    index = ('<table class="tengw-variants"><thead><tr><th>Edition</th><th>What it assumes</th>'
             f'<th>Read</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
    return switch, index


def topbar_html(title: str, edition: dict[str, str], switch: str, all_editions: str = "") -> str:
    """Return the bar on top of every HTML page, either engine's: the edition read and its data date,
    the switcher (from `variants_html`), the edition's PDF and, where the page lists every edition,
    a link to that list (`all_editions`, an #id)."""
    e = lambda key: html.escape(edition.get(key, ""))  # noqa: E731 - plain text from colophon.read
    pdf = e("pdf_link")
    index = f'<a href="{all_editions}">All editions</a>' if all_editions else ""
    return (f'<div class="topbar" role="banner">\n'
            f'  <span class="brand">{html.escape(title)}</span>\n'
            f'  <span class="scenario-name">Edition: <strong>{e("scenario_title")}</strong></span>\n'
            f'  <span class="data-date">Data as of <strong>{e("data_date")}</strong></span>\n'
            f'  <nav class="switcher" aria-label="Editions">{switch}</nav>\n'
            f'  <span class="tools">{index}<a class="pdf" href="{pdf}" data-edition-file="{pdf}">PDF</a></span>\n'
            f'</div>')


#: The switcher's script: it carries the reader's section to the other edition (both engines' pages).
SWITCHER_JS = paths.TEMPLATES / "switcher.js"


def _pandoc_metadata(project: Project, edition_dir: Path, folder: Path) -> list[str]:
    """Return pandoc arguments that give the templates the book's fields (as Quarto reads them from
    _quarto.yml) and the edition's, from the same file Quarto reads (analysis/colophon.py writes it)."""
    book = folder / "book.yml"
    book.write_text(yaml.safe_dump({
        "title": colophon.literal(project.title), "subtitle": colophon.literal(project.subtitle),
        "author": colophon.literal(project.author), "crossref": {"chapters": project.chapter_numbering}},
        allow_unicode=True), encoding="utf-8")
    return ["--metadata-file", str(book), "--metadata-file", str(edition_dir / colophon.META_FILE)]


def render_html(project: Project, blocks: list[Block], edition_dir: Path, out: Path, link_prefix: str) -> None:
    """Write one self-contained HTML page: charts drawn by the embedded Vega bundle, no network.

    `edition_dir` holds the edition's metadata (build/<edition>/_edition.yml); `link_prefix` leads
    from this page's folder to the folder holding every edition ("" or "../").
    """
    md = document(blocks, "html", chapters=project.chapter_numbering)
    edition = colophon.read(edition_dir)
    with tempfile.TemporaryDirectory() as tmp:
        head = Path(tmp) / "head.html"
        css = (paths.TEMPLATES / "report.css").read_text(encoding="utf-8")
        tags = colophon.meta_tags(edition) if edition else ""
        head.write_text(f"{tags}<style>\n{css}\n</style>\n<script>\n{vega.javascript_bundle()}\n</script>\n",
                        encoding="utf-8")
        switch, index = variants_html(colophon.read_editions(edition_dir), f"{project.output_file}.pdf", link_prefix)
        pypandoc.convert_text(
            md, "html5", format="markdown-implicit_figures", outputfile=str(out),
            extra_args=["--standalone", "--toc", "--toc-depth=2", "--number-sections",
                        f"--template={paths.TEMPLATES / 'report.html'}", f"--include-in-header={head}",
                        *_pandoc_metadata(project, edition_dir, Path(tmp)),
                        "--variable", f"edition-prefix={link_prefix}",
                        "--variable", "topbar=" + topbar_html(project.title, edition, switch, "#variants"),
                        "--variable", "switcher-js=" + SWITCHER_JS.read_text(encoding="utf-8"),
                        "--variable", f"variants={index}",
                        "--variable", f"engine={ENGINE}"])
    out.write_text(link_citations(out.read_text(encoding="utf-8"), citation_targets()), encoding="utf-8")


def render_pdf(project: Project, blocks: list[Block], edition_dir: Path, out: Path) -> None:
    """Write the PDF: pandoc turns the markdown into Typst, Typst lays it out with static SVG charts."""
    edition = colophon.read(edition_dir)
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        figdir = tmpdir / "figs"
        figdir.mkdir()
        shutil.copy2(paths.TEMPLATES / "typst-template.typ", tmpdir / "typst-template.typ")
        md = document(blocks, "typst", figdir, chapters=project.chapter_numbering)
        source = tmpdir / "report.typ"
        pypandoc.convert_text(
            md, "typst", format="markdown-implicit_figures", outputfile=str(source),
            extra_args=["--standalone", "--toc", f"--template={paths.TEMPLATES / 'report.typ'}",
                        *_pandoc_metadata(project, edition_dir, tmpdir)])
        # The PDF's creation date is the colophon's build time (the template sets it too, for Quarto's
        # PDF), so SOURCE_DATE_EPOCH fixes both.
        when = int(edition["build_epoch"]) if edition.get("build_epoch") else None
        typst.compile(str(source), output=str(out), root=str(tmpdir), font_paths=FONT_DIRS, timestamp=when)


def report_blocks(project: Project, executed: Path, edition: dict[str, str] | None = None) -> list[Block]:
    """Return every chapter's blocks in _quarto.yml order, from a scenario's executed notebooks."""
    blocks: list[Block] = []
    for chapter in project.chapters:
        if chapter.endswith(".ipynb"):
            blocks += notebook_blocks(executed / Path(chapter).name)
        else:
            blocks += qmd_blocks(paths.REPORT / chapter, edition)
    return blocks
