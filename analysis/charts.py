"""The report's one chart theme, and the Figure wrapper every chart is shown through.

A Figure carries an interactive Vega view for HTML (drawn by the page's embedded Vega bundle, with
the static SVG as fallback), the static SVG for PDF, a text description for screen readers and
its source note. Colours are fixed per meaning: OpenAI, NVIDIA and each scenario always get the
same Okabe-Ito colour (safe for colour-blind readers), and series also differ by dash or shape so
they stay apart in greyscale.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import html
import json
import re
from typing import Any, Callable

import altair as alt
import pandas as pd
import vl_convert as vlc

from . import results, vega

THEME = "tengw"
FONT = "DejaVu Sans"
#: Plot area of a single chart in px; with axes the SVG is ~620 px wide, which the PDF prints at
#: 0.75 pt/px (~465 pt, the text width) so chart fonts come out at the same size in every figure.
WIDTH, HEIGHT = 560, 260
FONT_SIZE = 11

#: Okabe-Ito colours: distinct for colour-blind readers. Companies keep their colour in every chart.
PALETTE = {
    "OpenAI": "#0072B2",   # blue
    "NVIDIA": "#009E73",   # bluish green
    "other": "#999999",
    "accent": "#D55E00",   # vermillion: the one highlighted value
}
#: Scenarios in data/scenarios order (base first): black is the reference case, then colours the
#: companies do not use; dashes keep them apart in greyscale.
SCENARIO_COLOURS = ["#000000", "#E69F00", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#0072B2", "#009E73"]
SCENARIO_DASHES = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [4, 4], [1, 3], [10, 4], [3, 1]]
#: Generic categories (platforms, series) avoid the company colours first.
CATEGORY_COLOURS = ["#E69F00", "#56B4E9", "#CC79A7", "#D55E00", "#0072B2", "#009E73", "#F0E442", "#999999"]
SINGLE_SERIES = "#44546A"
SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "wedge", "stroke"]


def theme_config() -> dict[str, Any]:
    """Return the Vega-Lite config of the report's theme."""
    label = {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE}
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "padding": 6,
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "discreteWidth": WIDTH,
                     "discreteHeight": {"step": 22}, "stroke": None},
            "title": {"anchor": "start", "fontSize": 14, "fontWeight": "bold", "color": "#222222",
                      "subtitleFontSize": FONT_SIZE, "subtitleColor": "#555555", "offset": 8,
                      "limit": 0},  # never cut: Figure.spec wraps long titles into lines instead
            "axis": {**label, "titleFontWeight": "normal", "titleColor": "#333333", "labelColor": "#333333",
                     "gridColor": "#e6e6e6", "domainColor": "#888888", "tickColor": "#888888",
                     "labelLimit": 0},  # axis labels are never cut (0: no limit)
            # Half-year and category labels stay horizontal; every other one is dropped if crowded.
            "axisXDiscrete": {"labelAngle": 0, "labelOverlap": "greedy"},
            "axisY": {"titleAngle": -90},
            # Legends under the chart wrap into at most 3 columns (fewer when labels are long: Figure.spec
            # sets them from the labels), so a long legend never widens the chart; labels are never cut.
            "legend": {**label, "orient": "bottom", "columns": 3, "titleFontWeight": "normal", "symbolStrokeWidth": 2,
                       "symbolSize": 120, "labelLimit": 0},
            "header": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE},
            "range": {"category": CATEGORY_COLOURS},
            # A single series is neutral slate: blue and green mean OpenAI and NVIDIA.
            "mark": {"color": SINGLE_SERIES},
            "line": {"strokeWidth": 2.2},
            "point": {"size": 40, "filled": True},
            "bar": {"discreteBandSize": {"band": 0.8}},
            "text": {"fontSize": FONT_SIZE, "font": FONT},
        },
        "usermeta": {"theme": THEME},
    }


@alt.theme.register(THEME, enable=True)
def _theme() -> alt.theme.ThemeConfig:
    return theme_config()  # type: ignore[return-value]


def _uid(spec: dict[str, Any]) -> str:
    """Return a stable element id from the spec, so executed notebooks are reproducible."""
    return "vis-" + hashlib.sha1(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]


COMPOSITE = ("hconcat", "vconcat", "concat", "facet", "repeat")


def _fix_width(spec: dict[str, Any]) -> None:
    """Give charts without an explicit width the theme's width, so every figure prints alike.

    A single or layered chart gets WIDTH; the panels of an hconcat share it. Faceted, repeated and
    wrapped charts keep what their author set (their panel count is known only to Vega).
    """
    if not any(k in spec for k in COMPOSITE):
        spec.setdefault("width", WIDTH)
    elif "hconcat" in spec:
        panels = spec["hconcat"]
        each = int((WIDTH - 70 * (len(panels) - 1)) / max(1, len(panels)))
        for p in panels:
            if not any(k in p for k in COMPOSITE):
                p.setdefault("width", each)
    elif "vconcat" in spec:
        for p in spec["vconcat"]:
            _fix_width(p)


_SVG_ID = re.compile(r'id="([A-Za-z]+_?)(\d+)"')


def static_svg(spec: dict[str, Any]) -> str:
    """Return the chart as SVG with element ids numbered from 0 within the chart.

    vl-convert numbers gradients with a counter that lives as long as the process, so the same
    chart would otherwise get different ids depending on what the kernel drew before.
    Drawing is the costliest step of a chart (~0.1 s of CPU, most of it measuring text), so the SVG
    is kept in the results store under the spec and vl-convert's version: a chart drawn by one
    edition, one variant or one build is drawn once.
    """
    return results.blob("svg", {"spec": spec, "vl_convert": vega.vl_convert_version()}, lambda: _draw_svg(spec),
                        suffix=".svg")


def _draw_svg(spec: dict[str, Any]) -> str:
    svg = vlc.vegalite_to_svg(spec)
    mapping: dict[str, str] = {}
    for prefix, num in _SVG_ID.findall(svg):
        old = f"{prefix}{num}"
        if old not in mapping:
            mapping[old] = f"{prefix}{sum(1 for k in mapping if k.startswith(prefix) and k[len(prefix):].isdigit())}"
    if not mapping:
        return svg
    pattern = re.compile(r'(?<=id=")(' + "|".join(map(re.escape, mapping)) + r')(?=")|(?<=#)('
                         + "|".join(map(re.escape, mapping)) + r')(?=[)"\s])')
    return pattern.sub(lambda m: mapping[m.group(0)], svg)


#: The source line under a printed chart: a little smaller and lighter than axis labels.
SOURCE_FONT_SIZE, SOURCE_COLOUR, SOURCE_LINE_PX = 10, "#5f5f5f", 13
_SVG_ROOT = re.compile(r'<svg\b[^>]*>')


def with_source_note(svg: str, source: str) -> str:
    """Return the SVG with "Source: ..." printed under the chart, wrapped to its width.

    The static SVG is what both PDF engines print (Quarto reads a notebook's image/svg+xml output and
    knows nothing of the figure's source), so the note travels inside the image; HTML pages show
    the same note as text under the live chart.
    """
    root = _SVG_ROOT.search(svg)
    size = re.search(r'\bwidth="([\d.]+)"[^>]*?\bheight="([\d.]+)"', root.group(0)) if root else None
    if not size:
        raise ValueError("chart SVG has no width/height on its root element")
    width, height = float(size.group(1)), float(size.group(2))
    per_line = max(20, int((width - 12) / (SOURCE_FONT_SIZE * 0.56)))  # DejaVu Sans: ~0.56 em a glyph
    lines: list[str] = []
    for word in f"Source: {source}".split():
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    extra = len(lines) * SOURCE_LINE_PX + 6
    new_h = f"{height + extra:g}"
    tag = re.sub(r'\bheight="[\d.]+"', f'height="{new_h}"', root.group(0), count=1)
    tag = re.sub(r'\bviewBox="([\d.-]+) ([\d.-]+) ([\d.]+) [\d.]+"',
                 lambda m: f'viewBox="{m.group(1)} {m.group(2)} {m.group(3)} {new_h}"', tag, count=1)
    text = "".join(
        f'<text x="6" y="{height + 2 + (i + 1) * SOURCE_LINE_PX - 3:g}" font-family="{FONT}, sans-serif" '
        f'font-size="{SOURCE_FONT_SIZE}" fill="{SOURCE_COLOUR}">{html.escape(line, quote=False)}</text>'
        for i, line in enumerate(lines))
    body = svg[:root.start()] + tag + svg[root.end():]
    cut = body.rindex("</svg>")
    return (body[:cut] + f'<rect x="0" y="{height:g}" width="{width:g}" height="{extra:g}" fill="white"/>'
            + f'<g class="tengw-source">{text}</g>' + body[cut:])


#: Average advance of a DejaVu Sans character, as a share of the font size (its glyphs are wide).
CHAR_EM = 0.62
#: Space a legend entry needs besides its label: symbol, padding and the gap to the next column (px).
LEGEND_ENTRY_PX = 44
LEGEND_CHANNELS = ("color", "fill", "stroke", "strokeDash", "shape", "opacity", "size")


def text_px(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """Estimate the width of a line of chart text in px (to fit legends and wrap titles before drawing)."""
    return len(str(text)) * size * CHAR_EM * (1.08 if bold else 1.0)


def wrap(text: str, width_px: float, size: float = FONT_SIZE, bold: bool = False) -> list[str]:
    """Break text into lines that fit width_px, at spaces (a title is wrapped, never cut)."""
    lines: list[str] = []
    for word in str(text).split(" "):
        if lines and text_px(f"{lines[-1]} {word}", size, bold) <= width_px:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _walk(spec: Any):
    """Yield every dict in a spec (layers, concatenations, facets)."""
    if isinstance(spec, dict):
        yield spec
        for v in spec.values():
            yield from _walk(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from _walk(v)


def _legend_labels(spec: dict[str, Any], field: str) -> list[str]:
    """Return the values a legend on `field` shows: its scale domain, else the field's values in the data."""
    values: list[Any] = []
    for rows in spec.get("datasets", {}).values():
        if isinstance(rows, list):
            values += [r[field] for r in rows if isinstance(r, dict) and field in r]
    return [str(v) for v in dict.fromkeys(values)]


def _fit_legends(spec: dict[str, Any]) -> None:
    """Give each legend as many columns (at most the theme's 3) as its longest label leaves room for."""
    width = float(spec.get("width", WIDTH)) if isinstance(spec.get("width"), (int, float)) else WIDTH
    for node in list(_walk(spec)):
        enc = node.get("encoding") if isinstance(node.get("encoding"), dict) else None
        if not enc:
            continue
        for ch in LEGEND_CHANNELS:
            e = enc.get(ch)
            if not isinstance(e, dict) or "field" not in e or e.get("legend", {}) is None:
                continue
            domain = (e.get("scale") or {}).get("domain")
            labels = [str(v) for v in domain] if isinstance(domain, list) else _legend_labels(spec, str(e["field"]))
            if not labels:
                continue
            need = max(text_px(x) for x in labels) + LEGEND_ENTRY_PX
            fit = max(1, min(3, int(width // need), len(labels)))
            legend = dict(e.get("legend") or {})
            legend["columns"] = min(int(legend.get("columns", 3)), fit)
            e["legend"] = legend


def _wrap_titles(spec: dict[str, Any]) -> None:
    """Wrap every chart title and subtitle into lines that fit the chart, so none is cut."""
    for node in list(_walk(spec)):
        t = node.get("title")
        # Only views carry chart titles; an encoding channel's title is an axis or legend title.
        if not isinstance(t, (str, dict)) or not any(k in node for k in ("mark", "layer", *COMPOSITE)):
            continue
        width = node.get("width") if isinstance(node.get("width"), (int, float)) else WIDTH
        room = max(float(width), 240.0) + 40
        title = {"text": t} if isinstance(t, str) else dict(t)
        for key, size, bold in (("text", 14, True), ("subtitle", FONT_SIZE, False)):
            value = title.get(key)
            if value is None or isinstance(value, dict):
                continue
            lines = [value] if isinstance(value, str) else list(value)
            wrapped = [w for line in lines for w in wrap(line, room, size, bold)]
            title[key] = wrapped[0] if len(wrapped) == 1 else wrapped
        node["title"] = title


class Figure:
    """A themed chart with its description and source, displayable in HTML, PDF and notebooks."""

    mime = vega.FIGURE_MIME

    def __init__(self, chart: alt.TopLevelMixin, *, description: str, source: str,
                 datasets: dict[str, Any] | None = None):
        if not description or not description.strip():
            raise ValueError("a figure needs a description (the text screen readers announce)")
        if not source or not source.strip():
            raise ValueError("a figure needs a source note")
        self.chart = chart
        self.description = description.strip()
        self.source = source.strip()
        # Large inline data (map outlines) joins the spec only here, under names the chart refers to
        # with alt.NamedData: Altair would deep-copy and validate it once per layer otherwise.
        self.datasets = datasets or {}
        self._spec: dict[str, Any] | None = None

    @classmethod
    def from_spec(cls, spec: dict[str, Any], *, description: str, source: str) -> "Figure":
        """A figure whose finished spec is already known (kept in the results store by of_data)."""
        fig = cls(alt.Chart(), description=description, source=source)
        fig._spec = spec
        return fig

    def spec(self) -> dict[str, Any]:
        """Return the Vega-Lite spec with theme, width, description and source note applied."""
        if self._spec is not None:
            return copy.deepcopy(self._spec)
        with alt.theme.enable(THEME):
            spec = self.chart.to_dict()
        # The theme's values win over chart-level configure_* calls only where the chart set none.
        config = copy.deepcopy(theme_config()["config"])
        for key, value in spec.get("config", {}).items():
            if isinstance(value, dict) and isinstance(config.get(key), dict):
                config[key].update(value)
            else:
                config[key] = value
        spec["config"] = config
        if self.datasets:
            spec.setdefault("datasets", {}).update(self.datasets)
        _fix_width(spec)
        _fit_legends(spec)
        _wrap_titles(spec)
        spec["description"] = self.description
        spec.setdefault("usermeta", {}).update({"theme": THEME, "source": self.source})
        return spec

    def svg(self) -> str:
        """Return the static SVG of the chart (for PDF), with its source note under it."""
        return with_source_note(static_svg(self.spec()), self.source)

    def html(self, spec: dict[str, Any] | None = None, svg: str | None = None) -> str:
        """Return a div the page's Vega bundle draws into, holding the static SVG until it does."""
        spec = spec or self.spec()
        uid = _uid(spec)
        fallback = base64.b64encode((svg or static_svg(spec)).encode()).decode()
        payload = json.dumps(spec).replace("</", "<\\/")
        alt_text = html.escape(self.description, quote=True)
        return (
            f'<div class="tengw-chart" id="{uid}" role="img" aria-label="{alt_text}">'
            f'<img src="data:image/svg+xml;base64,{fallback}" alt="{alt_text}" style="max-width:100%"></div>\n'
            f'<p class="tengw-source">Source: {html.escape(self.source)}</p>\n'
            f'<script type="application/json" id="{uid}-spec">{payload}</script>\n'
            f'<script>if (window.vegaEmbed) {{ vegaEmbed("#{uid}", JSON.parse(document.getElementById('
            f'"{uid}-spec").textContent), {{actions: false, renderer: "svg"}})'
            f'.then(function (r) {{ r.view.container().setAttribute("aria-label", {json.dumps(self.description)}); }})'
            f'.catch(function (e) {{ console.error(e); }}); }}</script>'
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        spec = self.spec()
        svg = static_svg(spec)  # the HTML shows the source as text under the chart
        return {
            "text/plain": f"Figure: {self.description} Source: {self.source}",
            "text/html": self.html(spec, svg),
            "image/svg+xml": with_source_note(svg, self.source),
            self.mime: {"spec": spec, "description": self.description, "source": self.source},
        }


def of_data(fn: Callable[[], Figure]) -> Callable[[], Figure]:
    """For a figure drawn from the data files alone (a view function without arguments: a map, a
    network): its finished spec is a stored result (analysis/results.py), keyed like any other by the
    tables it read, which a hit reports to the notebook run again; every edition and build after the
    first loads it instead of drawing it (up to a second of CPU for the map)."""

    @functools.wraps(fn)
    def parts() -> dict[str, Any]:
        fig = fn()
        return {"spec": fig.spec(), "description": fig.description, "source": fig.source}

    stored_parts = results.stored(parts)

    @functools.wraps(fn)
    def wrapper() -> Figure:
        got = stored_parts()
        return Figure.from_spec(got["spec"], description=got["description"], source=got["source"])

    return wrapper


def figure(chart: alt.TopLevelMixin, *, description: str, source: str,
           datasets: dict[str, Any] | None = None) -> Figure:
    """Wrap an Altair chart as a report figure (theme, fixed width, description, source note).

    datasets: named inline data (e.g. TopoJSON outlines) added to the spec's top-level datasets.
    """
    return Figure(chart, description=description, source=source, datasets=datasets)


# --- consistent colours ----------------------------------------------------------------------

def _known_scenarios() -> list[str]:
    from . import assumptions  # local: charts must not need the schema to import
    try:
        return assumptions.scenario_names()
    except Exception:  # noqa: BLE001 - no scenarios folder: fall back to the order given
        return []


def scenario_colours(names: list[str]) -> dict[str, tuple[str, list[int]]]:
    """Return name -> (colour, dash) so a scenario looks the same in every chart of every variant.

    Scenarios in data/scenarios keep their slot (base is always black, solid); other names
    (custom variants) take the next free slots in the order given.
    """
    known = _known_scenarios()
    slots: dict[str, int] = {}
    free = iter(i for i in range(len(SCENARIO_COLOURS)) if i >= len(known))
    for name in names:
        if name in known and known.index(name) < len(SCENARIO_COLOURS):
            slots[name] = known.index(name)
        else:
            slots[name] = next(free, len(slots) % len(SCENARIO_COLOURS))
    return {n: (SCENARIO_COLOURS[i], SCENARIO_DASHES[i]) for n, i in slots.items()}


def scenario_scale(names: list[str]) -> tuple[alt.Scale, alt.Scale]:
    """Return colour and dash scales that give each scenario the same look in every chart."""
    looks = scenario_colours(names)
    colours = alt.Scale(domain=list(names), range=[looks[n][0] for n in names])
    dashes = alt.Scale(domain=list(names), range=[looks[n][1] for n in names])
    return colours, dashes


#: Added to the edition's own scenario wherever scenarios are compared (legends, axis labels, headers).
EDITION_MARK = " (this edition)"
#: Width of the pale band under the edition's own line, where editions are drawn as lines (px).
EDITION_HALO_PX = 10


def edition_label(title: str, edition: str | None) -> str:
    """Return a scenario's title as a comparison shows it: marked when it is the edition being read."""
    return f"{title}{EDITION_MARK}" if edition and title == edition else title


#: Column that says whether a row belongs to the edition being read (added by mark_edition).
EDITION_FIELD = "edition_own"


def mark_edition(df: pd.DataFrame, field: str, edition: str | None) -> pd.DataFrame:
    """Return df with the edition's own scenario marked in `field` and a column edition_halo reads."""
    out = df.assign(**{field: df[field].map(lambda t: edition_label(t, edition))})
    out[EDITION_FIELD] = ["this" if edition and t == edition_label(edition, edition) else "other" for t in out[field]]
    return out


def edition_halo(df: pd.DataFrame, x: Any, y: Any) -> alt.Chart:
    """Return a wide pale band drawn under the edition's own line (rows marked by mark_edition), so it
    stands out from the other editions in colour and in greyscale."""
    return alt.Chart(df).transform_filter(alt.datum[EDITION_FIELD] == "this").mark_line(
        strokeWidth=EDITION_HALO_PX, opacity=0.22, color="#444444", strokeCap="round").encode(x=x, y=y)


def series_colours(names: list[str]) -> dict[str, str]:
    """Return name -> colour: OpenAI and NVIDIA (and names starting with them) get their own colour,
    other series the category colours in order."""
    out: dict[str, str] = {}
    rest = iter(c for c in CATEGORY_COLOURS if c not in (PALETTE["OpenAI"], PALETTE["NVIDIA"]))
    for name in names:
        company = next((k for k in ("OpenAI", "NVIDIA") if str(name).startswith(k)), None)
        out[name] = PALETTE[company] if company else next(rest, PALETTE["other"])
    return out


def series_scale(names: list[str]) -> tuple[alt.Scale, alt.Scale, alt.Scale]:
    """Return colour, dash and shape scales for named series (companies keep their colours)."""
    colours = series_colours(names)
    return (alt.Scale(domain=list(names), range=[colours[n] for n in names]),
            alt.Scale(domain=list(names), range=[SCENARIO_DASHES[i % len(SCENARIO_DASHES)] for i in range(len(names))]),
            alt.Scale(domain=list(names), range=[SHAPES[i % len(SHAPES)] for i in range(len(names))]))


# --- chart builders other chapters can reuse -------------------------------------------------

def scenario_lines(df: pd.DataFrame, *, x: str, y: str, scenario: str = "scenario", x_title: str,
                   y_title: str, title: str, subtitle: str = "", x_type: str = "O",
                   y_format: str = ",.1f") -> alt.Chart:
    """Return a line chart with one line per scenario, each in its fixed colour and dash.

    x_title and y_title should carry units, e.g. "Power (GW)".
    """
    names = list(dict.fromkeys(df[scenario]))
    colours, dashes = scenario_scale(names)
    xenc = alt.X(f"{x}:{x_type}", title=x_title, sort=list(dict.fromkeys(df[x])) if x_type in "ON" else "ascending")
    return alt.Chart(df).mark_line(point=True).encode(
        x=xenc, y=alt.Y(f"{y}:Q", title=y_title),
        color=alt.Color(f"{scenario}:N", scale=colours, title="Scenario"),
        strokeDash=alt.StrokeDash(f"{scenario}:N", scale=dashes, title="Scenario"),
        tooltip=[alt.Tooltip(f"{scenario}:N", title="Scenario"), alt.Tooltip(f"{x}:{x_type}", title=x_title),
                 alt.Tooltip(f"{y}:Q", title=y_title, format=y_format)],
    ).properties(title=alt.Title(title, subtitle=subtitle) if subtitle else title)


def fan_chart(df: pd.DataFrame, *, x: str, low: str, high: str, mid: str, x_title: str, y_title: str,
              title: str, subtitle: str = "", colour: str = PALETTE["OpenAI"], x_type: str = "O",
              y_format: str = ",.1f") -> alt.LayerChart:
    """Return an uncertainty band (low..high, e.g. P10..P90) with its central line (e.g. median)."""
    xenc = alt.X(f"{x}:{x_type}", title=x_title, sort=list(dict.fromkeys(df[x])) if x_type in "ON" else "ascending")
    band = alt.Chart(df).mark_area(opacity=0.25, color=colour).encode(
        x=xenc, y=alt.Y(f"{low}:Q", title=y_title), y2=f"{high}:Q",
        tooltip=[alt.Tooltip(f"{x}:{x_type}", title=x_title), alt.Tooltip(f"{low}:Q", format=y_format, title="low"),
                 alt.Tooltip(f"{high}:Q", format=y_format, title="high")])
    line = alt.Chart(df).mark_line(point=True, color=colour).encode(
        x=xenc, y=alt.Y(f"{mid}:Q", title=y_title),
        tooltip=[alt.Tooltip(f"{x}:{x_type}", title=x_title), alt.Tooltip(f"{mid}:Q", format=y_format, title="central")])
    return (band + line).properties(title=alt.Title(title, subtitle=subtitle) if subtitle else title)


def tornado(df: pd.DataFrame, *, label: str, low: str, high: str, base: float, x_title: str, title: str,
            subtitle: str = "", x_format: str = ",.1f") -> alt.LayerChart:
    """Return a tornado chart: for each input (label), the result at its low and high value.

    Bars run from the base result to the low (blue) and high (orange) results, widest swing on top.
    """
    d = df.assign(_swing=(df[high] - df[low]).abs()).sort_values("_swing", ascending=False)
    long = pd.concat([
        pd.DataFrame({"input": d[label], "end": d[low], "case": "Low input value"}),
        pd.DataFrame({"input": d[label], "end": d[high], "case": "High input value"})])
    long["base"] = base
    order = list(d[label])
    cases = ["Low input value", "High input value"]
    bars = alt.Chart(long).mark_bar().encode(
        y=alt.Y("input:N", sort=order, title=None),
        x=alt.X("base:Q", title=x_title), x2="end:Q",
        color=alt.Color("case:N", title=None, scale=alt.Scale(domain=cases, range=["#56B4E9", "#E69F00"])),
        tooltip=["input:N", "case:N", alt.Tooltip("end:Q", format=x_format, title=x_title)])
    rule = alt.Chart(pd.DataFrame({"base": [base]})).mark_rule(color="#222222", strokeDash=[4, 2]).encode(x="base:Q")
    return (bars + rule).properties(title=alt.Title(title, subtitle=subtitle) if subtitle else title)


def javascript_bundle() -> str:
    """Return Vega, Vega-Lite and vega-embed as one script, so pages draw charts offline."""
    return vega.javascript_bundle()


def warm() -> None:
    """Start vl-convert's JavaScript engine (half a second of CPU on first use) ahead of the first chart."""
    vlc.vegalite_to_svg({"data": {"values": [{"x": 0}]}, "mark": "point",
                         "encoding": {"x": {"field": "x", "type": "quantitative"}}})
