"""No chart cuts its text: every title and subtitle line of a spec is drawn whole in its SVG, and no
legend label, axis label or title ends in the ellipsis Vega puts where it truncates.

The checks read the SVG each executed notebook holds (what the PDF prints and the HTML shows before
Vega redraws it), so they cost no rendering; the last test renders one damaged spec to show they fail.
"""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import nbformat
import pytest
import vl_convert as vlc

from analysis import assumptions, charts, paths, roadmap
from analysis.views import roadmap as roadmap_view
from conftest import code_name_problems

TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)
TSPAN = re.compile(r"<tspan\b[^>]*>(.*?)</tspan>", re.S)
ELLIPSIS = "…"


def svg_texts(svg: str) -> list[str]:
    """Return every line of text an SVG draws (a multi-line title is one <text> with a <tspan> per line)."""
    out = []
    for body in TEXT.findall(svg):
        lines = TSPAN.findall(body) or [body]
        out += [html.unescape(re.sub(r"<[^>]+>", "", line)) for line in lines]
    return out


def spec_titles(spec: dict) -> list[str]:
    """Return every title and subtitle line of every view of a spec, as the author wrote them."""
    out = []
    for node in charts._walk(spec):
        t = node.get("title")
        if not isinstance(t, (str, dict)) or not any(k in node for k in ("mark", "layer", *charts.COMPOSITE)):
            continue
        t = {"text": t} if isinstance(t, str) else t
        for key in ("text", "subtitle"):
            v = t.get(key)
            if isinstance(v, str):
                out.append(v)
            elif isinstance(v, list):
                out += [str(x) for x in v]
    return [x for x in out if x.strip()]


def cut_text_problems(spec: dict, svg: str, where: str) -> list[str]:
    """Return each title line missing from the SVG and each drawn text Vega shortened with an ellipsis."""
    drawn = svg_texts(svg)
    authored = repr(spec)
    problems = [f"{where}: title {t!r} not drawn whole" for t in spec_titles(spec) if t not in drawn]
    problems += [f"{where}: {t!r} is cut" for t in drawn if t.endswith(ELLIPSIS) and t not in authored]
    return problems


def tooltip_problems(spec: dict, where: str) -> list[str]:
    """Return each tooltip entry that would show a field name: no title of its own, or a code-like title."""
    out = []
    for node in charts._walk(spec):
        enc = node.get("encoding") if isinstance(node.get("encoding"), dict) else None
        tips = enc.get("tooltip") if enc else None
        for tip in (tips if isinstance(tips, list) else [tips] if isinstance(tips, dict) else []):
            title = tip.get("title") if isinstance(tip, dict) else None
            if not isinstance(title, str) or code_name_problems(title, "", urls=[]):
                out.append(f"{where}: tooltip on {tip.get('field') if isinstance(tip, dict) else tip!r} "
                           f"shows {title if isinstance(title, str) else 'its field name'!r}")
    return out


def reader_text_problems(spec: dict, svg: str, where: str) -> list[str]:
    """Return code names and data/ paths among the text a chart draws or its tooltips show."""
    return code_name_problems("\n".join(svg_texts(svg)), where, urls=[]) + tooltip_problems(spec, where)


def executed_figures(scenario: str) -> list[tuple[str, dict, str]]:
    """(chapter: figure n, spec, svg) for every figure the executed notebooks of one edition show."""
    out = []
    for nb_path in sorted((paths.BUILD / scenario).glob("*.ipynb")):
        if nb_path.name.endswith(".failed.ipynb"):
            continue
        nb = nbformat.read(nb_path, as_version=4)
        n = 0
        for cell in nb.cells:
            for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
                data = o.get("data", {})
                if charts.Figure.mime in data:
                    n += 1
                    out.append((f"{scenario}/{nb_path.stem} figure {n}", data[charts.Figure.mime]["spec"],
                                "".join(data["image/svg+xml"])))
    return out


@pytest.mark.build
@pytest.mark.parametrize("scenario", assumptions.scenario_names())
def test_no_chart_cuts_a_title_legend_or_label(built_report, scenario):
    figures = executed_figures(scenario)
    assert len(figures) >= 20, f"only {len(figures)} figures in the executed notebooks of {scenario}"
    problems = [p for where, spec, svg in figures for p in cut_text_problems(spec, svg, where)]
    assert not problems, "\n".join(problems)


@pytest.mark.build
@pytest.mark.parametrize("scenario", assumptions.scenario_names())
def test_no_chart_shows_a_code_name(built_report, scenario):
    problems = [p for where, spec, svg in executed_figures(scenario) for p in reader_text_problems(spec, svg, where)]
    assert not problems, "\n".join(problems)


def test_a_code_name_in_a_chart_is_caught():
    """A tooltip without a title and an axis titled with a column name, as several charts had."""
    import altair as alt
    import pandas as pd

    df = pd.DataFrame({"half_label": ["H1 2027", "H2 2027"], "online_gw": [0.5, 1.0]})
    good = charts.figure(alt.Chart(df).mark_line().encode(
        x=alt.X("half_label:O", title="Half-year"), y=alt.Y("online_gw:Q", title="GW online"),
        tooltip=[alt.Tooltip("online_gw:Q", title="GW online")]), description="d", source="s")
    assert not reader_text_problems(good.spec(), good.svg(), "good")
    bad = charts.figure(alt.Chart(df).mark_line().encode(x="half_label:O", y="online_gw:Q", tooltip=["online_gw"]),
                        description="d", source="s")
    problems = reader_text_problems(bad.spec(), bad.svg(), "bad")
    assert any("'half_label'" in p for p in problems) and any("tooltip on 'online_gw'" in p for p in problems), problems


def test_a_cut_legend_or_title_is_caught():
    """Damage one figure the way the old theme did (label and title limits) and show the check fails."""
    fig = roadmap_view.fig_context(roadmap.run(assumptions.load("base")))
    spec = fig.spec()
    assert not cut_text_problems(spec, charts.static_svg(spec), "intact")
    bad = copy.deepcopy(spec)
    bad["config"]["legend"]["labelLimit"] = 120
    for node in charts._walk(bad):
        if isinstance(node.get("legend"), dict):
            node["legend"]["labelLimit"] = 120
    bad["config"]["title"]["limit"] = 300
    bad["title"] = {"text": " ".join(spec_titles(spec)[:1] if isinstance(spec["title"]["text"], str)
                                     else spec["title"]["text"]), "subtitle": spec["title"]["subtitle"]}
    problems = cut_text_problems(bad, charts.static_svg(bad), "damaged")
    assert any("title" in p and "not drawn whole" in p for p in problems), problems
    assert any("This programme, o…" in p and "is cut" in p for p in problems), problems  # the legend label
