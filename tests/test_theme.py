"""The one chart theme: charts.figure applies it, and every chart the notebooks produce carries it."""

from __future__ import annotations

import re

import altair as alt
import nbformat
import pandas as pd

from analysis import charts, paths, render

# An axis title names its unit: in parentheses ("Power (GW)") or as a unit word ("USD bn per year").
UNIT_WORDS = {"GW", "MW", "kW", "TWh", "MWh", "USD", "EFLOP/s", "PFLOP/s", "share", "percent", "%",
              "years", "year", "half-year", "halves", "ratio", "count", "millions", "million", "thousand", "x",
              "ZFLOP/s", "GWh", "PB", "EB"}  # the larger units analysis.units.LADDERS may switch to
UNIT = re.compile(r"\(.+\)|(?<![\w/])(" + "|".join(re.escape(w) for w in sorted(UNIT_WORDS, key=len, reverse=True))
                  + r")(?![\w/])")


def theme_problems(spec: dict) -> list[str]:
    """Return how a figure spec departs from the report's theme (empty when it follows it)."""
    problems = []
    if spec.get("usermeta", {}).get("theme") != charts.THEME:
        problems.append(f"usermeta.theme is {spec.get('usermeta', {}).get('theme')!r}")
    config = spec.get("config", {})
    for key, value in charts.theme_config()["config"].items():
        if config.get(key) != value:
            problems.append(f"config.{key} differs from the theme")
    return problems


def title_text(title) -> str:
    if isinstance(title, dict):
        title = title.get("text", "")
    return " ".join(title) if isinstance(title, list) else str(title or "")


def units(spec: dict) -> list[str]:
    """Return quantitative x/y axes with no unit in any layer's title, per (sub)chart."""
    missing = []

    def unit_charts(s: dict):
        for key in ("layer", "hconcat", "vconcat", "concat"):
            if key in s and key != "layer":
                for sub in s[key]:
                    yield from unit_charts(sub)
                return
        if "spec" in s:  # facet / repeat
            yield from unit_charts(s["spec"])
            return
        yield s

    for unit in unit_charts(spec):
        layers = unit.get("layer", [unit])
        for ch in ("x", "y"):
            encs = [lay.get("encoding", {}).get(ch) for lay in layers if "encoding" in lay]
            quant = [e for e in encs if isinstance(e, dict) and e.get("type") == "quantitative"
                     and e.get("axis", {}) is not None]
            if quant and not any(UNIT.search(title_text(e.get("title"))) for e in quant):
                missing.append(ch)
    return missing


def test_figure_applies_theme_to_a_bare_chart():
    df = pd.DataFrame({"half": ["H2 2026", "H1 2027"], "gw": [1.0, 2.0]})
    with alt.theme.enable("default"):  # even with another theme active, the Figure applies its own
        spec = charts.figure(alt.Chart(df).mark_bar().encode(x="half:O", y=alt.Y("gw:Q", title="Power (GW)")),
                             description="Two bars.", source="Test data").spec()
    assert theme_problems(spec) == []
    assert spec["usermeta"]["source"] == "Test data"
    assert spec["description"] == "Two bars."


def test_theme_problems_sees_an_overridden_config():
    df = pd.DataFrame({"x": [1, 2], "y": [1, 2]})
    chart = alt.Chart(df).mark_line().encode(x="x:Q", y="y:Q").configure_axis(labelFontSize=20)
    assert "config.axis differs from the theme" in theme_problems(
        charts.figure(chart, description="d", source="s").spec())


def test_units_check_finds_an_axis_without_unit():
    df = pd.DataFrame({"x": [1, 2], "y": [1, 2]})
    ok = alt.Chart(df).mark_line().encode(x=alt.X("x:Q", title="Year (calendar)"), y=alt.Y("y:Q", title="Power (GW)"))
    worded = alt.Chart(df).mark_line().encode(x=alt.X("x:Q", title="Year (calendar)"), y=alt.Y("y:Q", title="USD bn per year"))
    bad = alt.Chart(df).mark_line().encode(x=alt.X("x:Q", title="Year (calendar)"), y=alt.Y("y:Q", title="Power"))
    untitled = alt.Chart(df).mark_line().encode(x=alt.X("x:Q", title="Year (calendar)"), y="y:Q")
    assert units(ok.to_dict()) == [] and units(worded.to_dict()) == []
    assert units(bad.to_dict()) == ["y"] and units(untitled.to_dict()) == ["y"]


def built_figures() -> list[tuple[str, dict, str]]:
    """Return (where, figure payload, svg) for every figure output in the build's executed notebooks."""
    found = []
    for nb_path in sorted(paths.BUILD.glob("*/*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if charts.Figure.mime in data:
                    found.append((f"{nb_path.parent.name}/{nb_path.name} cell {i}", data[charts.Figure.mime],
                                  render._text(data.get("image/svg+xml", ""))))
    return found


def test_every_chart_in_the_built_notebooks_uses_the_theme(built_report):
    figures = built_figures()
    assert figures, f"no figure outputs under {paths.BUILD}"
    problems = []
    for nb_path in sorted(paths.BUILD.glob("*/*.ipynb")):  # every fig- cell shows a themed Figure
        for i, cell in enumerate(nbformat.read(nb_path, as_version=4).cells):
            if cell.cell_type == "code" and render.cell_options(cell.source).get("label", "").startswith("fig-"):
                if not any(charts.Figure.mime in o.get("data", {}) for o in cell.get("outputs", [])):
                    problems.append(f"{nb_path.parent.name}/{nb_path.name} cell {i}: fig- cell without a charts.figure output")
    for where, payload, svg in figures:
        spec = payload["spec"]
        issues = theme_problems(spec)
        if not title_text(spec.get("title")).strip() and not any(
                title_text(s.get("title")).strip() for s in spec.get("layer", [])):
            issues.append("no chart title")
        if not payload.get("description", "").strip() or spec.get("description") != payload["description"]:
            issues.append("no screen-reader description in the spec")
        if not payload.get("source", "").strip():
            issues.append("no source note")
        missing = units(spec)
        if missing:
            issues.append(f"quantitative axis without unit: {', '.join(missing)}")
        if not svg.startswith("<svg") or charts.FONT not in svg:
            issues.append("static SVG missing or not in the theme font")
        problems += [f"{where}: {p}" for p in issues]
    assert not problems, "\n".join(problems)
