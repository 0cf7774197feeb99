"""The Figure wrapper and the colour helpers: fixed widths, required text, consistent colours."""

from __future__ import annotations

import re

import altair as alt
import pandas as pd
import pytest

from analysis import assumptions, charts


def svg_width(fig: charts.Figure) -> float:
    return float(re.search(r'<svg[^>]*\bwidth="([\d.]+)"', fig.svg()).group(1))


@pytest.fixture
def halves() -> pd.DataFrame:
    return pd.DataFrame({"half": [f"H{1 + i % 2} {2026 + i // 2}" for i in range(11)],
                         "gw": [float(i) for i in range(11)], "year": list(range(2026, 2037))})


def test_ordinal_and_quantitative_charts_come_out_the_same_width(halves):
    ordinal = charts.figure(alt.Chart(halves).mark_bar().encode(x="half:O", y=alt.Y("gw:Q", title="Power (GW)")),
                            description="d", source="s")
    few = charts.figure(alt.Chart(halves.head(3)).mark_bar().encode(x="half:O", y=alt.Y("gw:Q", title="Power (GW)")),
                        description="d", source="s")
    quant = charts.figure(alt.Chart(halves).mark_line().encode(x="year:Q", y=alt.Y("gw:Q", title="Power (GW)")),
                          description="d", source="s")
    widths = [svg_width(f) for f in (ordinal, few, quant)]
    assert ordinal.spec()["width"] == charts.WIDTH
    # Same plot width whatever the x type or the number of categories: only the axis labels differ.
    assert max(widths) - min(widths) < 40, widths
    assert charts.WIDTH <= min(widths) <= charts.WIDTH + 120


def test_an_authors_width_and_hconcat_panels_are_respected(halves):
    base = alt.Chart(halves).mark_line().encode(x="year:Q", y="gw:Q")
    assert charts.figure(base.properties(width=300), description="d", source="s").spec()["width"] == 300
    spec = charts.figure(base | base, description="d", source="s").spec()
    panel_widths = [p["width"] for p in spec["hconcat"]]
    assert panel_widths[0] == panel_widths[1] < charts.WIDTH / 2
    assert "width" not in spec


@pytest.mark.parametrize("kwargs", [{"description": "", "source": "s"}, {"description": "d", "source": "  "}])
def test_a_figure_needs_a_description_and_a_source(halves, kwargs):
    with pytest.raises(ValueError):
        charts.figure(alt.Chart(halves).mark_line().encode(x="year:Q", y="gw:Q"), **kwargs)


def test_html_carries_description_source_and_svg_fallback(halves):
    fig = charts.figure(alt.Chart(halves).mark_line().encode(x="year:Q", y="gw:Q"),
                        description='Rises to "10" GW <fast>', source="Test & data")
    out = fig._repr_mimebundle_()
    assert 'aria-label="Rises to &quot;10&quot; GW &lt;fast&gt;"' in out["text/html"]
    assert "Source: Test &amp; data" in out["text/html"]
    assert "data:image/svg+xml;base64," in out["text/html"]
    assert out["image/svg+xml"].startswith("<svg")
    assert out[charts.Figure.mime]["spec"]["usermeta"]["theme"] == charts.THEME


def test_scenarios_keep_their_colour_whatever_the_order():
    known = assumptions.scenario_names()
    assert known[0] == "base"
    one = charts.scenario_colours(known)
    other = charts.scenario_colours(list(reversed(known)) + ["base-custom-1234abcd"])
    assert all(one[n] == other[n] for n in known)
    assert one["base"] == ("#000000", [1, 0])  # the reference case: black, solid
    looks = list(other.values())
    assert len({c for c, _ in looks}) == len(looks)  # all colours differ
    assert len({tuple(d) for _, d in looks}) == len(looks)  # and all dashes (greyscale)
    assert not {c for c, _ in looks[:len(known)]} & {charts.PALETTE["OpenAI"], charts.PALETTE["NVIDIA"]}


def test_scenario_scale_matches_scenario_colours():
    colours, dashes = charts.scenario_scale(["constrained", "base"])
    looks = charts.scenario_colours(["constrained", "base"])
    assert colours.to_dict()["range"] == [looks["constrained"][0], looks["base"][0]]
    assert dashes.to_dict()["range"] == [looks["constrained"][1], looks["base"][1]]


def test_companies_keep_their_colours_in_any_series():
    c = charts.series_colours(["Capex, total", "NVIDIA investment released", "OpenAI revenue", "Other"])
    assert c["NVIDIA investment released"] == charts.PALETTE["NVIDIA"]
    assert c["OpenAI revenue"] == charts.PALETTE["OpenAI"]
    assert c["Capex, total"] not in (charts.PALETTE["OpenAI"], charts.PALETTE["NVIDIA"])
    assert c["Capex, total"] != c["Other"]


def test_palettes_are_distinct():
    for palette in (charts.SCENARIO_COLOURS, charts.CATEGORY_COLOURS):
        assert len(set(palette)) == len(palette)


def test_builders_make_titled_themed_figures(halves):
    long = pd.concat([halves.assign(scenario=s, gw=halves["gw"] * k)
                      for s, k in [("base", 1.0), ("constrained", 0.6)]])
    lines = charts.scenario_lines(long, x="half", y="gw", x_title="Half-year", y_title="Power (GW)",
                                  title="Capacity online")
    fan = charts.fan_chart(halves.assign(lo=halves["gw"] * 0.8, hi=halves["gw"] * 1.2), x="half", low="lo",
                           high="hi", mid="gw", x_title="Half-year", y_title="Power (GW)", title="Range")
    torn = charts.tornado(pd.DataFrame({"input": ["PUE", "Utilisation"], "lo": [60.0, 50.0], "hi": [80.0, 95.0]}),
                          label="input", low="lo", high="hi", base=70.0, x_title="Energy (TWh/yr)",
                          title="What moves energy use")
    for chart in (lines, fan, torn):
        fig = charts.figure(chart, description="d", source="s")
        spec = fig.spec()
        assert spec["title"], spec.get("title")
        assert fig.svg().startswith("<svg")
    enc = lines.to_dict()["encoding"]
    assert enc["color"]["scale"]["range"][:2] == [charts.scenario_colours(["base"])["base"][0],
                                                   charts.scenario_colours(["constrained"])["constrained"][0]]
    # Widest swing on top.
    assert torn.to_dict()["layer"][0]["encoding"]["y"]["sort"] == ["Utilisation", "PUE"]


def test_static_svg_ids_do_not_depend_on_earlier_charts():
    """vl-convert's gradient counter lives per process; each chart's SVG must not see it."""
    import altair as alt
    import pandas as pd

    from analysis import charts

    df = pd.DataFrame({"x": [1, 2], "y": [1.0, 2.0]})
    chart = alt.Chart(df).mark_rect().encode(x="x:O", y="y:O", color="y:Q").properties(title="Heat (GW)")
    fig = charts.figure(chart, description="A heatmap.", source="Test.")
    first, second = fig.svg(), fig.svg()
    assert 'id="gradient_0"' in first and "url(#gradient_0)" in first
    assert first == second
