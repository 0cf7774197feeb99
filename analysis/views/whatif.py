"""The what-if chapter: the panel as live HTML (controls, numbers, two charts, the --set command) and,
for the PDF, the edition's values as a static table.

The page's arithmetic is the panel's Program (analysis/panel.py) printed as Vega-Lite parameters;
the glue script (templates/whatif.js) only moves values between the inputs and the Vega view.
"""

from __future__ import annotations

import html
import json
import shlex
from typing import Any

import altair as alt
import pandas as pd
import yaml

from .. import charts, halves, labels, paths, prose, tables
from ..assumptions import Scenario
from ..expr import vega_literal
from ..panel import COST_PARTS, INVALID_MESSAGE, OUTPUTS, PACE, Control, Panel

PREFIX = "w_"
YOURS, EDITION = "Your assumptions", "This edition"
DASH = "—"


def ref(name: str) -> str:
    """Return the Vega parameter that holds Program value `name`."""
    return PREFIX + name


def _yaml_value(x: Any) -> str:
    return yaml.safe_dump(list(x) if isinstance(x, tuple) else x, default_flow_style=True).strip().removesuffix("\n...")


def base_command(scenario: str, overrides: dict[str, Any], p: Panel) -> str:
    """Return the build command for this edition, without the controls' values (they are added live)."""
    shown = {c.name for c in p.controls} | ({"schedule_gw_per_half"} if any(c.name == PACE for c in p.controls) else set())
    where = (f"--scenario-file {shlex.quote(scenario)}" if scenario.endswith((".yaml", ".yml"))
             else f"--scenario {shlex.quote(scenario)}")
    sets = "".join(f" --set {shlex.quote(f'{k}={_yaml_value(v)}')}" for k, v in sorted(overrides.items())
                   if k not in shown)
    return f"python -m analysis build {where}{sets}"


def command_expr(scenario: str, overrides: dict[str, Any], p: Panel) -> str:
    """Return the Vega expression of the command that rebuilds the reader's choice as a full edition."""
    parts = [vega_literal(base_command(scenario, overrides, p))]
    for c in p.controls:
        if c.name == PACE:
            elements = " + ', ' + ".join(f"format({ref(PACE)} * {float(s)!r}, '.6~f')" for s in p.a.schedule_gw_per_half)
            always = "schedule_gw_per_half" in overrides
            text = f"\" --set 'schedule_gw_per_half=[\" + {elements} + \"]'\""
        else:
            always = c.name in overrides
            text = f"' --set {c.name}=' + {ref(c.name)}"
        parts.append(text if always else f"({ref(c.name)} !== {c.value!r} ? {text} : '')")
    return " + ".join(parts)


def params(p: Panel, scenario: str, overrides: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the Vega-Lite parameters: inputs, the Program's steps, displayed text and the command."""
    out: list[dict[str, Any]] = [{"name": ref(c.name), "value": c.value} for c in p.controls]
    out += p.program.vega_params(ref)
    valid = ref("valid")
    for o in OUTPUTS:
        x = ref(o.name)
        shown = x if o.scale == 1.0 else f"{x} * {o.scale!r}"
        out.append({"name": ref("text_" + o.name),
                    "expr": f"({valid} && isFinite({x})) ? format({shown}, ',.{o.decimals}f') : '{DASH}'"})
    out.append({"name": ref("message"), "expr": f"{valid} ? '' : {vega_literal(INVALID_MESSAGE)}"})
    out.append({"name": ref("command"), "expr": f"{valid} ? {command_expr(scenario, overrides, p)} : "
                                                 f"{vega_literal('(no command: the model rejects this choice)')}"})
    return out


def _pick(names: list[str], index: str) -> str:
    """Return a Vega expression choosing one of the named parameters by a row's index (NaN if invalid)."""
    return f"{ref('valid')} ? [{', '.join(ref(n) for n in names)}][{index}] : NaN"


def chart(p: Panel) -> alt.VConcatChart:
    """Return GW online by half-year and the cost of one GW-year, edition against the reader's choice."""
    labels = [halves.label(float(t)) for t in p.t]
    n = len(labels)
    online = pd.DataFrame({"j": range(n), "half": labels,
                           "edition": [float(p.edition[f"online_gw_{j}"]) for j in range(n)]})
    cases = [EDITION, YOURS]
    colour = alt.Scale(domain=cases, range=[charts.SINGLE_SERIES, charts.PALETTE["accent"]])
    dash = alt.Scale(domain=cases, range=[[1, 0], [6, 3]])
    path = alt.Chart(online).transform_calculate(
        yours=_pick([f"online_gw_{j}" for j in range(n)], "datum.j")
    ).transform_fold(["edition", "yours"], as_=["key", "gw"]).transform_calculate(
        case=f"datum.key === 'edition' ? '{EDITION}' : '{YOURS}'"
    ).mark_line(point=True).encode(
        x=alt.X("half:O", sort=labels, title=None),
        y=alt.Y("gw:Q", title="GW online"),
        color=alt.Color("case:N", scale=colour, title=None, sort=cases),
        strokeDash=alt.StrokeDash("case:N", scale=dash, title=None, sort=cases),
        tooltip=[alt.Tooltip("case:N", title="Case"), alt.Tooltip("half:O", title="Half-year"),
                 alt.Tooltip("gw:Q", title="GW online", format=",.1f")],
    ).properties(height=150, title=alt.Title("GW online by half-year"))
    parts = list(COST_PARTS)
    rows = [{"case": case, "k": k, "part": COST_PARTS[part], "edition": float(p.edition[f"per_gw_{part}"])}
            for case in cases for k, part in enumerate(parts)]
    cost = alt.Chart(pd.DataFrame(rows)).transform_calculate(
        value=f"datum.case === '{YOURS}' ? ({_pick([f'per_gw_{part}' for part in parts], 'datum.k')}) : datum.edition"
    ).mark_bar().encode(
        y=alt.Y("case:N", sort=cases, title=None),
        x=alt.X("value:Q", title="USD bn per GW-year", stack="zero"),
        color=alt.Color("part:N", sort=[COST_PARTS[q] for q in parts], title=None,
                        scale=alt.Scale(domain=[COST_PARTS[q] for q in parts],
                                        range=[charts.PALETTE["NVIDIA"], "#999999", "#56B4E9", "#E69F00"])),
        order=alt.Order("k:Q"),
        tooltip=[alt.Tooltip("case:N", title="Case"), alt.Tooltip("part:N", title="Component"),
                 alt.Tooltip("value:Q", title="USD bn per GW-year", format=",.2f")],
    ).properties(height=50, title=alt.Title("What one GW-year costs, by component"))
    return alt.vconcat(path, cost).resolve_scale(color="independent", strokeDash="independent")


DESCRIPTION = ("Two charts that follow the controls: GW online in each half-year for this edition and for "
               "your assumptions, and the cost of one GW-year split into depreciation of NVIDIA systems, "
               "depreciation of the rest of the campus, return on capital and electricity.")


def spec(p: Panel, scenario: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """Return the Vega-Lite spec: the two charts, themed, with every parameter the panel displays."""
    s = charts.figure(chart(p), description=DESCRIPTION, source="Ten Gigawatts model").spec()
    s.pop("usermeta", None)
    s["params"] = params(p, scenario, overrides) + s.get("params", [])
    return s


def _num(x: float) -> str:
    """Return a number for an HTML attribute: exact for the panel's values, without a trailing '.0'."""
    return format(float(x), ".12g")


def _control_html(uid: str, c: Control) -> str:
    cid = f"{uid}-{c.name}"
    attrs = (f'min="{_num(c.lo)}" max="{_num(c.hi)}" step="{_num(c.step)}" value="{c.value:.{c.decimals}f}" '
             f'data-edition="{_num(c.value)}" data-signal="{ref(c.name)}" data-decimals="{c.decimals}" disabled')
    label = html.escape(c.label)
    unit = "" if c.unit in labels.SILENT_UNITS else f' <span class="unit">({html.escape(c.unit)})</span>'
    return (
        f'<div class="whatif-control" data-name="{c.name}" data-value="{_num(c.value)}">'
        f'<label for="{cid}">{label}{unit}</label>'
        f'<input type="range" id="{cid}" {attrs} list="{cid}-ed" aria-describedby="{cid}-note">'
        f'<input type="number" {attrs} aria-label="{label}, value" aria-describedby="{cid}-note">'
        f'<datalist id="{cid}-ed"><option value="{_num(c.value)}"></option></datalist>'
        f'<span class="whatif-edition" id="{cid}-note">This edition: {c.show(c.value)} · '
        f'range {c.show(c.lo)} to {c.show(c.hi)}</span></div>')


def note(p: Panel) -> str:
    """Return what the panel holds fixed and where its numbers stand (shown next to the numbers)."""
    basis = ("The programme's gigawatts count facility power, so a higher PUE leaves power and electricity "
             "use as they are and fits fewer accelerators." if p.a.power_basis == "facility" else
             "The programme's gigawatts count IT power, so a higher PUE raises facility power and electricity use.")
    return (f"Results are for the end of the model's horizon ({p.horizon}), on this edition's half-year path: the "
            "build pace scales the GW of every half-year in its schedule, while the start date, the NVIDIA platform "
            "each half-year deploys, the yearly change in capital cost and the facility life stay as in this "
            f"edition; no risk events are drawn (the Monte Carlo is not rerun). {basis} The cost of one GW-year is "
            "the capital repaid over its life at the cost of capital (depreciation plus a return on capital, the "
            "treatment every cost in the report uses) and electricity, spread over the GW online.")


def panel_html(p: Panel, scenario: str, overrides: dict[str, Any], uid: str = "whatif") -> str:
    """Return the panel: controls, the numbers (the edition's until the page's script runs), charts, command."""
    s = spec(p, scenario, overrides)
    css = (paths.TEMPLATES / "whatif.css").read_text(encoding="utf-8")
    js = (paths.TEMPLATES / "whatif.js").read_text(encoding="utf-8")
    numbers = p.numbers({})
    results = "".join(
        f'<div class="whatif-card"><dt>{html.escape(o.label)}</dt><dd><output aria-live="off" '
        f'data-signal="{ref("text_" + o.name)}" data-output="{o.name}">{o.show(numbers[o.name])}</output> '
        f'<span class="unit">{html.escape(o.unit)}</span> <span class="whatif-was" hidden>'
        f'(edition: {o.show(numbers[o.name])})</span></dd></div>' for o in OUTPUTS)
    payload = json.dumps(s, separators=(",", ":")).replace("</", "<\\/")
    return (
        f"<style>\n{css}</style>\n"
        f'<div class="tengw-whatif" id="{uid}" data-state="static" data-valid="{ref("valid")}">'
        f'<div class="whatif-results"><p class="whatif-heading">Headline numbers, {p.horizon}</p>'
        f"<dl>{results}</dl>"
        f'<p class="whatif-status" role="status" data-signal="{ref("message")}"></p>'
        f'<p class="whatif-note">{html.escape(note(p))}</p></div>'
        f'<fieldset class="whatif-controls"><legend>Assumptions</legend><div class="whatif-grid">'
        + "".join(_control_html(uid, c) for c in p.controls)
        + '</div><button type="button" class="whatif-reset" disabled>Reset to this edition</button></fieldset>'
        f'<div class="whatif-chart" role="img" aria-label="{html.escape(DESCRIPTION)}"></div>'
        f'<p class="whatif-command">To build your choice as a full edition (HTML and PDF), run:'
        f'<code data-signal="{ref("command")}">{html.escape(base_command(scenario, overrides, p))}</code></p>'
        "</div>\n"
        f'<script type="application/json" id="{uid}-spec">{payload}</script>\n'
        f"<script>\n{js}tengwWhatif(document.getElementById({json.dumps(uid)}), "
        f"JSON.parse(document.getElementById({json.dumps(uid + '-spec')}).textContent));\n</script>")


def static_table(p: Panel) -> tables.Table:
    """Return the edition's values of every control and headline number (the PDF's form of the panel)."""
    numbers = p.numbers({})
    rows = [{"role": "Assumption", "what": c.label, "unit": c.unit, "range": f"{c.show(c.lo)} to {c.show(c.hi)}",
             "value": c.show(c.value)} for c in p.controls]
    rows += [{"role": "Result", "what": o.label, "unit": o.unit, "range": "",
              "value": o.show(numbers[o.name])} for o in OUTPUTS]
    t = tables.table(pd.DataFrame(rows), {"role": tables.Col(""), "what": tables.Col("Quantity"),
                                          "unit": tables.Col("Unit"), "range": tables.Col("Allowed range"),
                                          "value": tables.Col("This edition")},
                     note=note(p))
    t.align[-1] = "right"
    return t


class WhatIf:
    """The what-if panel as a notebook output: live HTML, and a static table for the PDF and Markdown."""

    def __init__(self, p: Panel, scenario: str, overrides: dict[str, Any]):
        self.panel, self.scenario, self.overrides = p, scenario, dict(overrides)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        bundle = static_table(self.panel)._repr_mimebundle_()
        bundle["text/html"] = panel_html(self.panel, self.scenario, self.overrides)
        return bundle


def whatif(sc: Scenario, scenario: str, overrides: dict[str, Any]) -> WhatIf:
    """Return the panel for an edition built from `scenario` with `overrides` (the notebook's parameters)."""
    return WhatIf(Panel(sc.assumptions), scenario, overrides)


def intro(sc: Scenario, w: WhatIf) -> prose.Markdown:
    """Return the chapter's opening paragraph."""
    p = w.panel
    return prose.md(
        f"Change the assumptions readers most often question and see the headline numbers for {p.horizon} "
        "follow. In the HTML edition the controls below work offline, in the page; the numbers are computed "
        "with the same formulas as the rest of the report, and the line under the charts gives the command that "
        "rebuilds your choice as a full edition. The PDF lists this edition's values. "
        f"Every control starts at the **{sc.title}** edition's value; each "
        "range is the one the assumptions schema allows.")
