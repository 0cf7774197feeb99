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

from . import colophon, paths, safe_yaml, sourcing, vega
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
                blocks.append(Block("figure", label=label, caption=opts.get("fig-cap", ""),
                                    data={"html": _text(bundle["text/html"]),
                                          "svg": _text(bundle["image/svg+xml"]),
                                          **bundle[FIG_MIME]}))
            elif TABLE_MIME in bundle:
                auto += 1
                label = opts.get("label") or f"tbl-{path.stem}-{auto}"
                blocks.append(Block("table", label=label, caption=opts.get("tbl-cap", ""),
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
        return edition[key[len("edition."):]]
    return SHORTCODE.sub(sub, text)


# --- cross references ------------------------------------------------------------------------

HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*\{[^}]*#(sec-[\w-]+)[^}]*\}\s*$", re.M)
REF = re.compile(r"(?<![\w@])@((?:fig|tbl|sec)-[\w-]+)")


def numbering(blocks: list[Block]) -> dict[str, tuple[str, str]]:
    """Return label -> (kind word, number or title) for every figure, table and section."""
    refs: dict[str, tuple[str, str]] = {}
    n_fig = n_tbl = 0
    for b in blocks:
        if b.kind == "figure":
            n_fig += 1
            refs[b.label] = ("Figure", str(n_fig))
        elif b.kind == "table":
            n_tbl += 1
            refs[b.label] = ("Table", str(n_tbl))
        else:
            for m in HEADING.finditer(b.text):
                refs[m.group(2)] = ("Section", m.group(1))
    return refs


def resolve_refs(text: str, refs: dict[str, tuple[str, str]]) -> str:
    """Replace @fig-x, @tbl-x and @sec-x with linked text; unknown labels fail loudly."""
    def sub(m: re.Match) -> str:
        label = m.group(1)
        if label not in refs:
            raise InputError(f"unresolved cross-reference @{label}")
        word, value = refs[label]
        shown = f"{word} {value}" if word != "Section" else f"“{value}”"
        return f"[{shown}](#{label})"
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
    src = sourcing.table()
    return {str(url): f"src-{sid}" for sid, url in src["url"].items() if isinstance(url, str) and url.strip()}


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
    text, columns = chart_csv(b.data["spec"])
    rows = text.count("\n") - 1
    uri = "data:text/csv;charset=utf-8;base64," + base64.b64encode(text.encode("utf-8")).decode()
    return (f'<p class="tengw-download"><a href="{uri}" download="{b.label}.csv" type="text/csv" '
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
        elif in_link or in_sources or not token.strip():
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


TYPST_SPECIAL = re.compile(r'([\\#$*_`<>@\[\]~=/+\-"])')


def typst_markup(s: str) -> str:
    """Escape text for Typst markup (variables pandoc passes through unescaped)."""
    return TYPST_SPECIAL.sub(r"\\\1", s)


def breakable(s: str) -> str:
    """Let identifiers (capex_total_usd_bn) and URLs wrap in narrow cells: a zero-width space after
    underscores, and in URLs after dots and slashes too."""
    s = s.replace("_", "_\u200b")
    if "://" in s:
        s = s.replace(".", ".\u200b").replace("/", "/\u200b")
    return s


#: Width of one digit or letter in table text (at most 8 pt), in points, plus cell padding.
CHAR_PT, CELL_PAD_PT = 4.6, 10.0
#: Text width of the PDF page (A4 less 2.5 cm margins), in points.
TEXT_WIDTH_PT = 453.0
#: Cells at most this long are never wrapped: their column is sized to fit them.
SHORT_CELL_CHARS = 16
TOKEN = re.compile(r"[\s_/.\u200b-]+")


def column_widths(header: list[str], rows: list[list[str]], align: list[str]) -> list[str]:
    """Return Typst column widths: short columns fit their content, long text shares the rest.

    Numbers and short cells never wrap, so their column is as wide as its longest value (or header
    word). Long text columns share what is left in proportion to their typical length, but never
    get less than their longest word needs. Plain `auto` columns would let long headers or prose
    squeeze the other columns into slivers.
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
    if sum(fixed.values()) > TEXT_WIDTH_PT * (0.95 if weight else 1.0):
        # Too much to fit at natural widths: every column shares the width in proportion.
        sizes = {i: (fixed.get(i, 0.0) / CHAR_PT) or weight[i] for i in range(len(header))}
        return [f"{sizes[i] / 10:.1f}fr" for i in range(len(header))]
    return [f"{fixed[i]:.0f}pt" if i in fixed else f"{weight[i] / 10:.1f}fr" for i in range(len(header))]


URL = re.compile(r"^https?://\S+$")


def _typst_cell(text: str) -> str:
    """Return a table cell for Typst: a web address becomes a link, any other text a string."""
    if URL.match(text):
        return f"link({_typst_str(text)})[#{_typst_str(breakable(text))}]"
    return _typst_str(breakable(text))


def _typst_block(b: Block, figdir: Path) -> str:
    if b.kind == "figure":
        name = f"{b.label}.svg"
        (figdir / name).write_text(b.data["svg"], encoding="utf-8")
        source = b.data.get("source", "")
        caption = (f"[#{_typst_str(b.caption)}"
                   + (f' \\ #text(size: 7.5pt, fill: tengw-muted)[#{_typst_str("Source: " + source)}]' if source else "")
                   + "]")
        # typst-template.typ moves a chart the page cannot hold to the next page's top (tengw-fit).
        return (f'```{{=typst}}\n#figure(tengw-chart("figs/{name}", {chart_width_pt(b.data["svg"])}pt), kind: image,\n'
                f"  caption: {caption}) <{b.label}>\n```\n")
    widths = ", ".join(column_widths(b.data["header"], b.data["rows"], b.data["align"]))
    aligns = ", ".join("right" if a == "right" else "left" for a in b.data["align"])
    header = ", ".join(_typst_str(breakable(h)) for h in b.data["header"])
    cells = ",\n    ".join(", ".join(_typst_cell(c) for c in row) for row in b.data["rows"])
    note = b.data.get("note") or ""
    body = (f"tengw-table(aligns: ({aligns},), widths: ({widths},), header: ({header},),\n"
            f"    cells: ({cells},),\n    note: {_typst_str(note) if note else 'none'})")
    return f"```{{=typst}}\n#figure(kind: table, caption: {_typst_str(b.caption)},\n  {body}) <{b.label}>\n```\n"


def document(blocks: list[Block], target: str, figdir: Path | None = None) -> str:
    """Return the whole report as pandoc markdown with raw blocks for one target format."""
    refs = numbering(blocks)
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


@dataclass
class Context:
    """What every page shows about the run: scenario, its title and the data date."""

    scenario: str
    scenario_title: str
    data_date: str
    scenarios: list[tuple[str, str]]  # (name, title) for the switcher
    engine: str = "embedded pandoc + Typst engine"
    scenario_description: str = ""  # empty: looked up in data/scenarios when the name is known
    edition: dict[str, str] = field(default_factory=dict)  # the colophon's values (analysis/colophon.py)

    def description_of(self, name: str) -> str:
        """Return a scenario's one-paragraph description (empty for unknown names)."""
        if name == self.scenario and self.scenario_description:
            return self.scenario_description
        from . import assumptions
        try:
            if name in assumptions.scenario_names():
                return " ".join(assumptions.resolve(name).description.split())
        except Exception:  # noqa: BLE001 - a description is decoration; never fail a render for it
            pass
        return ""


def variants_html(ctx: Context, link_prefix: str, pdf_name: str) -> tuple[str, str]:
    """Return the topbar switcher and the index of every scenario variant (HTML and PDF links)."""
    current = ' class="current" aria-current="page"'
    # data-tengw-edition: the page's script adds the reader's section to the link (report.html).
    switch = "".join(
        f'<a{current if n == ctx.scenario else ""} data-tengw-edition="{n}" href="{link_prefix}{n}/index.html">'
        f"{html.escape(t)}</a>"
        for n, t in ctx.scenarios)
    rows = []
    for n, t in ctx.scenarios:
        here = ' class="current"' if n == ctx.scenario else ""
        desc = html.escape(ctx.description_of(n))
        rows.append(
            f"<tr{here}><td><strong>{html.escape(t)}</strong></td>"
            f"<td>{desc}</td><td class=\"links\"><a href=\"{link_prefix}{n}/index.html\">HTML</a> · "
            f"<a href=\"{link_prefix}{n}/{pdf_name}\">PDF</a></td></tr>")
    index = ('<table class="tengw-variants"><thead><tr><th>Edition</th><th>What it assumes</th>'
             f'<th>Read</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
    return switch, index


def render_html(project: Project, blocks: list[Block], ctx: Context, out: Path, link_prefix: str) -> None:
    """Write one self-contained HTML page: charts drawn by the embedded Vega bundle, no network."""
    md = document(blocks, "html")
    pdf_name = f"{project.output_file}.pdf"
    with tempfile.TemporaryDirectory() as tmp:
        head = Path(tmp) / "head.html"
        css = (paths.TEMPLATES / "report.css").read_text(encoding="utf-8")
        tags = colophon.meta_tags(ctx.edition) if ctx.edition else ""
        head.write_text(f"{tags}<style>\n{css}\n</style>\n<script>\n{vega.javascript_bundle()}\n</script>\n",
                        encoding="utf-8")
        switch, index = variants_html(ctx, link_prefix, pdf_name)
        pypandoc.convert_text(
            md, "html5", format="markdown-implicit_figures", outputfile=str(out),
            extra_args=["--standalone", "--toc", "--toc-depth=2", "--number-sections",
                        f"--template={paths.TEMPLATES / 'report.html'}", f"--include-in-header={head}",
                        "--metadata", f"title={project.title}", "--metadata", f"subtitle={project.subtitle}",
                        "--variable", f"scenario={ctx.scenario}",
                        "--variable", f"scenario-title={html.escape(ctx.scenario_title)}",
                        "--variable", f"scenario-description={html.escape(ctx.description_of(ctx.scenario))}",
                        "--variable", f"data-date={html.escape(ctx.data_date)}",
                        "--variable", f"author={html.escape(project.author)}",
                        "--variable", f"switcher={switch}",
                        "--variable", f"variants={index}",
                        "--variable", f"engine={ctx.engine}",
                        "--variable", f"pdf-link={pdf_name}",
                        *[a for k, v in cover_fields(ctx.edition).items()
                          for a in ("--variable", f"{k}={html.escape(v)}")]])
    out.write_text(link_citations(out.read_text(encoding="utf-8"), citation_targets()), encoding="utf-8")


#: The cover's fields (typst-template.typ's `colophon`) and the colophon key each comes from.
COVER_FIELDS = {"publisher": "publisher", "edition-date": "build_date", "version": "version_text",
                "licence": "licence", "citation": "citation", "disclaimer": "disclaimer"}


def cover_fields(edition: dict[str, str]) -> dict[str, str]:
    """Return the cover's fields that the edition's colophon (analysis/colophon.py) fills."""
    return {var: edition[key] for var, key in COVER_FIELDS.items() if edition.get(key)}


def cover_variables(edition: dict[str, str]) -> list[str]:
    """Return pandoc --variable arguments for the PDF cover."""
    return [a for var, value in cover_fields(edition).items() for a in ("--variable", f"{var}={typst_markup(value)}")]


def render_pdf(project: Project, blocks: list[Block], ctx: Context, out: Path) -> None:
    """Write the PDF: pandoc turns the markdown into Typst, Typst lays it out with static SVG charts."""
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        figdir = tmpdir / "figs"
        figdir.mkdir()
        shutil.copy2(paths.TEMPLATES / "typst-template.typ", tmpdir / "typst-template.typ")
        md = document(blocks, "typst", figdir)
        source = tmpdir / "report.typ"
        pypandoc.convert_text(
            md, "typst", format="markdown-implicit_figures", outputfile=str(source),
            extra_args=["--standalone", f"--template={paths.TEMPLATES / 'report.typ'}",
                        "--metadata", f"title={project.title}", "--metadata", f"subtitle={project.subtitle}",
                        "--variable", f"scenario={ctx.scenario}",
                        "--variable", f"scenario-title={typst_markup(ctx.scenario_title)}",
                        "--variable", f"scenario-description={typst_markup(ctx.description_of(ctx.scenario))}",
                        "--variable", f"data-date={typst_markup(ctx.data_date)}",
                        "--variable", f"author={typst_markup(project.author)}",
                        *cover_variables(ctx.edition)])
        # The PDF's creation date is the colophon's build time, so SOURCE_DATE_EPOCH fixes both.
        when = int(ctx.edition["build_epoch"]) if ctx.edition.get("build_epoch") else None
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
