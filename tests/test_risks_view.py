"""The risk chapter's register, matrix and calibration table as readers see them."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import assumptions, charts, risk
from analysis.views import risks as view

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def _boxes(x, y, texts, aligns):
    out = []
    for xi, yi, t, al in zip(x, y, texts, aligns):
        w = view.CHAR_PX * len(t)
        left = xi if al == "left" else xi - w
        out.append((left, yi - view.LABEL_PX / 2, left + w, yi + view.LABEL_PX / 2))
    return out


def _overlaps(boxes):
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
            if not (boxes[i][2] <= boxes[j][0] or boxes[j][2] <= boxes[i][0]
                    or boxes[i][3] <= boxes[j][1] or boxes[j][3] <= boxes[i][1])]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=9))
def test_labels_are_placed_without_overlap_inside_the_panel(points):
    width, height = 560.0, float(view._panel_height(len(points)))
    x = np.array([p[0] for p in points]) * width
    y = np.array([p[1] for p in points]) * height
    texts = [f"Risk with a long name {i}" for i in range(len(points))]
    lx, ly, al = view.place_labels(x, y, texts, width, height)
    boxes = _boxes(lx, ly, texts, al)
    assert not _overlaps(boxes)
    assert all(b[1] >= 0 and b[3] <= height and b[0] >= -1e-9 and b[2] <= width + 1e-9 for b in boxes)


@pytest.mark.parametrize("name", assumptions.scenario_names())
def test_risk_matrix_names_every_risk_once_with_no_overlapping_labels(name):
    a = assumptions.load(name)
    p = risk.plan(a)
    m = view.matrix_frame(a, p)
    assert sorted(m["name"]) == sorted(set(p.register.loc[p.register["status"] == "drawn", "name"]))
    for _, g in m.groupby("panel"):
        h, top, right = float(g["height"].iloc[0]), float(g["y_top"].iloc[0]), float(g["x_top"].iloc[0])
        x = g["label_x"].to_numpy() / right * charts.WIDTH
        y = (1 - g["label_y"].to_numpy() / top) * h
        labels = _boxes(x, y, list(g["name"]), list(g["align"]))
        assert not _overlaps(labels)
        px, py = g["probability"].to_numpy() / right * charts.WIDTH, (1 - g["size"].to_numpy() / top) * h
        points = [(u - view.POINT_PX, v - view.POINT_PX, u + view.POINT_PX, v + view.POINT_PX) for u, v in zip(px, py)]
        assert not [pair for pair in _overlaps(labels + points) if pair[0] < len(labels) <= pair[1]]


def test_register_and_calibration_tables_speak_to_readers():
    for name in assumptions.scenario_names():
        a = assumptions.load(name)
        p = risk.plan(a)
        for t in (view.register_table(a, p), view.calibration_table(a, p), view.status_text(a, p)):
            text = t.to_markdown() if hasattr(t, "to_markdown") else t.text
            assert not SNAKE.search(text), (name, SNAKE.search(text).group(0))
            assert "data/" not in text


def test_a_constant_quantity_is_said_not_drawn_as_a_band():
    a = assumptions.load("base", {"investment_structure": "equity"})
    sim = risk.simulate(a, 5_000)
    fan = risk.fan(a, sim)
    assert not fan.loc[fan["metric"] == "investment_cum_usd_bn", "varies"].any()
    assert fan.loc[fan["metric"] == "online_gw", "varies"].all()
    assert "no band" in view.fan_text(a, fan).text
    spec = view.fig_fans(fan).spec()
    titles = [c["title"]["text"] for c in spec["vconcat"]]
    assert risk.METRICS["investment_cum_usd_bn"][0] not in titles and risk.METRICS["online_gw"][0] in titles


def test_the_chapter_shows_the_calibration_table_and_what_it_owes_to_judgement():
    import json

    from analysis import paths
    nb = json.loads((paths.NOTEBOOKS / "risks.ipynb").read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    for label in ("tbl-risks-calibration", "tbl-risks-judgement", "fig-risks-judgement", "tbl-risks-register",
                  "fig-risks-matrix"):
        assert any(f"#| label: {label}" in c for c in cells), label
