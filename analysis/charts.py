"""The report's one chart theme, and the Figure wrapper every chart is shown through.

A Figure carries an interactive Vega view for HTML (drawn by the page's embedded Vega bundle, with
the static SVG as fallback), the static SVG for PDF, a text description for screen readers and
its source note.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from typing import Any

import altair as alt
import vl_convert as vlc

THEME = "tengw"
FONT = "DejaVu Sans"
WIDTH, HEIGHT = 560, 260

#: Okabe-Ito colours: distinct for colour-blind readers; paired with dashes for greyscale.
PALETTE = {
    "OpenAI": "#0072B2",
    "NVIDIA": "#009E73",
    "other": "#999999",
    "accent": "#D55E00",
}
SCENARIO_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"]
SCENARIO_DASHES = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [4, 4], [1, 3], [10, 4], [3, 1]]
CATEGORY_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#999999"]


def theme_config() -> dict[str, Any]:
    """Return the Vega-Lite config of the report's theme."""
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "title": {"anchor": "start", "fontSize": 14, "fontWeight": "bold", "color": "#222222",
                      "subtitleFontSize": 11, "subtitleColor": "#555555", "offset": 8},
            "axis": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal",
                     "titleColor": "#333333", "labelColor": "#333333", "gridColor": "#e6e6e6",
                     "domainColor": "#888888", "tickColor": "#888888"},
            "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom",
                       "titleFontWeight": "normal", "symbolStrokeWidth": 2},
            "range": {"category": CATEGORY_COLOURS},
            "line": {"strokeWidth": 2.2},
            "point": {"size": 40, "filled": True},
            "bar": {"discreteBandSize": {"band": 0.8}},
            "axisY": {"titleAngle": -90},
            "text": {"fontSize": 11, "font": FONT},
        },
        "usermeta": {"theme": THEME},
    }


@alt.theme.register(THEME, enable=True)
def _theme() -> alt.theme.ThemeConfig:
    return theme_config()  # type: ignore[return-value]


def _uid(spec: dict[str, Any]) -> str:
    """Return a stable element id from the spec, so executed notebooks are reproducible."""
    return "vis-" + hashlib.sha1(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]


class Figure:
    """A themed chart with its description and source, displayable in HTML, PDF and notebooks."""

    mime = "application/vnd.tengw.figure+json"

    def __init__(self, chart: alt.TopLevelMixin, *, description: str, source: str):
        self.chart = chart
        self.description = description
        self.source = source

    def spec(self) -> dict[str, Any]:
        """Return the Vega-Lite spec with theme, description and source note applied."""
        with alt.theme.enable(THEME):
            spec = self.chart.to_dict()
        spec["description"] = self.description
        spec.setdefault("usermeta", {}).update({"theme": THEME, "source": self.source})
        return spec

    def svg(self) -> str:
        """Return the static SVG of the chart (for PDF)."""
        return vlc.vegalite_to_svg(self.spec())

    def html(self, spec: dict[str, Any] | None = None, svg: str | None = None) -> str:
        """Return a div the page's Vega bundle draws into, holding the static SVG until it does."""
        spec = spec or self.spec()
        uid = _uid(spec)
        fallback = base64.b64encode((svg or self.svg()).encode()).decode()
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
        svg = vlc.vegalite_to_svg(spec)
        return {
            "text/plain": f"Figure: {self.description} Source: {self.source}",
            "text/html": self.html(spec, svg),
            "image/svg+xml": svg,
            self.mime: {"spec": spec, "description": self.description, "source": self.source},
        }


def figure(chart: alt.TopLevelMixin, *, description: str, source: str) -> Figure:
    """Wrap an Altair chart as a report figure."""
    return Figure(chart, description=description, source=source)


def scenario_scale(names: list[str]) -> tuple[alt.Scale, alt.Scale]:
    """Return colour and dash scales that give each scenario the same look in every chart."""
    colours = alt.Scale(domain=names, range=SCENARIO_COLOURS[: len(names)])
    dashes = alt.Scale(domain=names, range=SCENARIO_DASHES[: len(names)])
    return colours, dashes


def javascript_bundle() -> str:
    """Return Vega, Vega-Lite and vega-embed as one script, so pages draw charts offline."""
    return vlc.javascript_bundle()
