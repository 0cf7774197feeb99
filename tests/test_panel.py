"""The what-if panel's arithmetic: one definition (analysis/formulas.py), used by the library and by the
panel's Program, which agrees with the library's own functions at random control positions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis import assumptions, economics, energy, formulas as F, panel, roadmap, sensitivity
from analysis.assumptions import Assumptions
from analysis.expr import Program, const, maximum, minimum, total, var, where, greater
from analysis.views import whatif as view

SCENARIOS = assumptions.scenario_names()


def library_numbers(a: Assumptions) -> dict[str, float]:
    """Every headline number of the panel, computed by the library's chapter functions (the oracle)."""
    r = roadmap.run(a)
    e = energy.run(a, r)
    rec = economics.recycling(a, r)
    end = r.iloc[-1]
    return {
        "online_gw": end["online_gw"],
        "accelerators_installed": end["accelerators_installed"],
        "energy_twh_per_year": e["energy_twh_per_year"].iloc[-1],
        "reactor_equivalents": e["reactor_equivalents"].iloc[-1],
        "capex_cum_usd_bn": end["capex_cum_usd_bn"],
        "nvidia_revenue_cum_usd_bn": rec["nvidia_revenue_cum_usd_bn"].iloc[-1],
        "investment_cum_usd_bn": rec["investment_cum_usd_bn"].iloc[-1],
        "electricity_cost_usd_bn_per_year": e["electricity_cost_usd_bn_per_year"].iloc[-1],
        "cost_usd_bn_per_gw_year": sensitivity.whatif(a)["cost_usd_bn_per_gw_year"],
    }


def edition_with(a: Assumptions, overrides: dict) -> Assumptions:
    return Assumptions(**{**a.model_dump(), **overrides})


def positions(p: panel.Panel, rng: np.random.Generator, n: int) -> list[dict[str, float]]:
    """Random slider positions (on each control's step grid), then every range end."""
    def tick(c, k):
        return round(c.lo + c.step * k, 10)
    out = [{c.name: tick(c, rng.integers(0, int(round((c.hi - c.lo) / c.step)) + 1)) for c in p.controls}
           for _ in range(n)]
    out += [{c.name: c.lo for c in p.controls}, {c.name: c.hi for c in p.controls}]
    out += [{c.name: end} for c in p.controls for end in (c.lo, c.hi)]
    return out


# --- the expression language ------------------------------------------------------------------

def test_expressions_evaluate_with_numpy_and_print_as_vega():
    e = minimum(var("a") * 2.0 + 1.0, var("b")) / maximum(var("c"), 1.0) - (-var("a")) ** 2.0
    assert e.names() == {"a", "b", "c"}
    x = e.evaluate({"a": np.array([1.0, 3.0]), "b": 5.0, "c": 0.5})
    assert np.allclose(x, [3.0 - 1.0, 5.0 - 9.0])
    assert e.vega() == "((min(((a * 2.0) + 1.0), b) / max(c, 1.0)) - pow((-a), 2.0))"
    assert e.vega(lambda n: "w_" + n).count("w_a") == 2
    cond = where(greater(var("g"), 0.0), 1.0 / var("g"), float("nan"))
    assert math.isnan(cond.evaluate({"g": 0.0})) and cond.evaluate({"g": 4.0}) == 0.25
    assert cond.vega() == "((g > 0.0) ? (1.0 / g) : NaN)"
    assert const(-2.5).vega() == "(-2.5)"
    assert total([]).evaluate({}) == 0.0 and total([var("x"), 2.0]).vega() == "(x + 2.0)"


def test_bad_expressions_fail_clearly():
    with pytest.raises(KeyError, match="'missing'"):
        var("missing").evaluate({})
    with pytest.raises(ValueError):
        var("not an identifier")
    with pytest.raises(TypeError):
        var("a") + "text"
    p = Program()
    p.let("x", var("a") + 1.0)
    with pytest.raises(ValueError, match="defined twice"):
        p.let("x", 2.0)
    assert p.run({"a": 1.0})["x"] == 2.0
    assert p.vega_params(lambda n: "w_" + n) == [{"name": "w_x", "expr": "(w_a + 1.0)"}]


def test_formulas_read_only_known_names():
    """Every definition reads assumptions, facts, draw factors or roadmap quantities that exist."""
    known = (set(Assumptions.model_fields) | set(F.DEFINITIONS)
             | {"scheduled_cum_gw", "facility_gw", "it_gw", "rack_power_kw", "accelerators_per_rack", "racks",
                "years", "added_gw", "nvidia_price_factor", "capex_factor", "facility_power_gw", "equity_paid",
                "reactor_power_gw", "capex_nvidia_cum_usd_bn", "capex_cum_usd_bn"})
    for name, e in F.DEFINITIONS.items():
        assert e.names() <= known, f"{name} reads {e.names() - known}"


# --- one definition -----------------------------------------------------------------------------

def test_library_and_panel_share_one_definition(monkeypatch):
    """A changed formula changes the library's result and the panel's alike (no second copy anywhere)."""
    a = assumptions.load("base")
    before = library_numbers(a)["energy_twh_per_year"]
    doubled = F.ENERGY_TWH_PER_YEAR * 2.0
    monkeypatch.setattr(F, "ENERGY_TWH_PER_YEAR", doubled)
    monkeypatch.setitem(F.DEFINITIONS, "energy_twh_per_year", doubled)
    after = library_numbers(a)
    assert after["energy_twh_per_year"] == pytest.approx(2 * before)
    assert panel.Panel(a).numbers({}) == pytest.approx(after, nan_ok=True)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_panel_agrees_with_the_library(scenario):
    """Random control positions and every range end: the Program's numbers are the library's, and the
    panel calls a choice invalid exactly when the schema rejects it."""
    a = assumptions.load(scenario)
    p = panel.Panel(a)
    rng = np.random.default_rng(17)
    checked = invalid = 0
    for inputs in positions(p, rng, 10):
        overrides = p.overrides(inputs)
        env = p.run(inputs)
        if not panel.within_schema(a, overrides):
            assert not env["valid"], f"schema rejects {overrides} but the panel shows numbers"
            assert all(math.isnan(x) for x in p.numbers(inputs).values())
            invalid += 1
            continue
        assert env["valid"]
        expected = library_numbers(edition_with(a, overrides))
        got = p.numbers(inputs)
        for k, x in expected.items():
            assert got[k] == pytest.approx(x, rel=1e-12, abs=1e-12, nan_ok=True), (k, inputs)
        checked += 1
    assert checked >= 20 and invalid >= 1


def test_controls_follow_the_schema_and_the_edition():
    for scenario in SCENARIOS:
        a = assumptions.load(scenario)
        cs = panel.controls(a)
        names = [c.name for c in cs]
        lever = panel.INVESTMENT_LEVER[a.investment_structure]
        assert lever in names and not (set(panel.INVESTMENT_LEVER.values()) - {lever}) & set(names)
        for c in cs:
            assert c.lo <= c.value <= c.hi, c
            k = (c.value - c.lo) / c.step
            assert abs(k - round(k)) < 1e-9, f"{c.name}: edition value {c.value} is off the slider's steps"
            assert "_" not in c.label and "_" not in c.unit, f"code name in a reader label: {c}"
            if c.name != panel.PACE:
                f = Assumptions.model_fields[c.name]
                assert (c.lo, c.hi) == (next(m.ge for m in f.metadata if hasattr(m, "ge")),
                                        next(m.le for m in f.metadata if hasattr(m, "le")))
        pace = next(c for c in cs if c.name == panel.PACE)
        assert panel.within_schema(a, panel.Panel(a).overrides({panel.PACE: pace.hi}))


def test_static_table_shows_the_edition():
    a = assumptions.load("base")
    p = panel.Panel(a)
    t = view.static_table(p)
    lib = library_numbers(a)
    rows = {r[1]: r[-1] for r in t.rows}
    for o in panel.OUTPUTS:
        assert rows[o.label] == o.show(lib[o.name])
    assert rows["Power usage effectiveness (PUE)"] == "1.20"


def test_base_command_keeps_the_editions_own_overrides():
    a = assumptions.load("base", {"pue": 1.3, "mc_draws": 5000})
    p = panel.Panel(a)
    cmd = view.base_command("base", {"pue": 1.3, "mc_draws": 5000}, p)
    assert cmd == "python -m analysis build --scenario base --set mc_draws=5000"
    expr = view.command_expr("base", {"pue": 1.3}, p)
    assert "' --set pue=' + w_pue" in expr and "w_pue !==" not in expr   # always part of the command
    assert view.base_command("/tmp/my file.yaml", {}, p).endswith("--scenario-file '/tmp/my file.yaml'")
