"""Executive summary: 5-7 computed findings, no number typed by hand."""

import ast
import re
from pathlib import Path

import pytest

from analysis import assumptions, paths, scenarios, summary


@pytest.fixture(scope="module")
def table():
    return scenarios.compare(n_draws=5000)


def test_five_to_seven_findings_with_base_value_and_range(table):
    f = summary.findings(assumptions.resolve("base"), table)
    assert 5 <= len(f) <= 7
    for item in f:
        assert " to " in item.text and item.numbers, item.key
    text = summary.markdown(f)
    lo, hi = table["capex_cum_usd_bn"].min(), table["capex_cum_usd_bn"].max()
    assert f"${lo:,.0f}bn to ${hi:,.0f}bn" in text


def test_findings_follow_the_assumptions(table):
    base = summary.markdown(summary.findings(assumptions.resolve("base"), table))
    sc = assumptions.resolve("base", {"capex_total_usd_bn_per_gw": 70.0})
    other = summary.markdown(summary.findings(sc, scenarios.compare(sc, n_draws=2000)))
    # 8.5 GW at $70bn instead of $50bn.
    assert "$595bn" in other and "$595bn" not in base


def _literal_text(path: Path) -> list[str]:
    """Return the literal text of every string in a module, skipping docstrings and format specs."""
    tree = ast.parse(path.read_text())
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    specs = {id(c) for n in ast.walk(tree) if isinstance(n, ast.FormattedValue) and n.format_spec
             for c in ast.walk(n.format_spec)}
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docs and id(n) not in specs]


@pytest.mark.parametrize("module", ["analysis/summary.py", "analysis/views/summary.py"])
def test_no_number_is_typed_into_summary_text(module):
    # Years naming a sourced figure (2025 revenue, FY2026) and quantile names (P10) are labels, not numbers.
    # Identifiers (capex_cum_usd_bn) and format codes (",.2f") are code, not text.
    allowed = re.compile(r"(?i)\b\w*_\w*\b|\b(FY)?20\d\d\b|\bP\d0\b|\bH[12]\b|#[0-9A-F]{6}")
    for s in _literal_text(paths.ROOT / module):
        if re.fullmatch(r"[,.+]*\d*[.]?\d*[dfe%]", s):
            continue
        assert not re.search(r"\d", allowed.sub("", s)), f"{module}: number typed in {s!r}"
