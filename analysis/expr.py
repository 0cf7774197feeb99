"""A tiny expression language for the model's formulas: one tree, two uses.

`evaluate` computes a formula with numpy (scalars or arrays broadcast, so the roadmap's draws work
unchanged); `vega` prints the same tree as a Vega expression, so the HTML what-if panel computes
with the library's own arithmetic instead of a copy written by hand in JavaScript.

    >>> energy = var("power_gw") * var("utilisation") * 8.76
    >>> energy.evaluate({"power_gw": 10.0, "utilisation": 0.8})
    70.08
    >>> energy.vega()
    '((power_gw * utilisation) * 8.76)'
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Mapping

import numpy as np

#: Operator -> (numpy function, Vega template). Binary operators print fully parenthesised.
_OPS: dict[str, tuple[Callable[..., Any], str]] = {
    "+": (lambda a, b: a + b, "({} + {})"),
    "-": (lambda a, b: a - b, "({} - {})"),
    "*": (lambda a, b: a * b, "({} * {})"),
    "/": (np.true_divide, "({} / {})"),       # numpy's, so x / 0 is inf or NaN, as in JavaScript
    "**": (np.power, "pow({}, {})"),
    "neg": (lambda a: -a, "(-{})"),
    "min": (np.minimum, "min({}, {})"),
    "max": (np.maximum, "max({}, {})"),
    "<=": (lambda a, b: a <= b, "({} <= {})"),
    ">": (lambda a, b: a > b, "({} > {})"),
    "and": (np.logical_and, "({} && {})"),
    "if": (lambda c, a, b: np.where(c, a, b) if np.ndim(c) else (a if c else b), "({} ? {} : {})"),
}


class Expr:
    """A node: a constant, a named variable, or an operator applied to nodes."""

    __slots__ = ("op", "args")

    def __init__(self, op: str, args: tuple):
        if op not in _OPS and op not in ("const", "var"):
            raise ValueError(f"unknown operator {op!r}")
        self.op = op
        self.args = args

    # --- building with Python operators ----------------------------------------------------

    def __add__(self, o): return Expr("+", (self, lift(o)))
    def __radd__(self, o): return Expr("+", (lift(o), self))
    def __sub__(self, o): return Expr("-", (self, lift(o)))
    def __rsub__(self, o): return Expr("-", (lift(o), self))
    def __mul__(self, o): return Expr("*", (self, lift(o)))
    def __rmul__(self, o): return Expr("*", (lift(o), self))
    def __truediv__(self, o): return Expr("/", (self, lift(o)))
    def __rtruediv__(self, o): return Expr("/", (lift(o), self))
    def __pow__(self, o): return Expr("**", (self, lift(o)))
    def __rpow__(self, o): return Expr("**", (lift(o), self))
    def __neg__(self): return Expr("neg", (self,))

    def __repr__(self) -> str:
        return f"Expr({self.vega()})"

    # --- using it ----------------------------------------------------------------------------

    def names(self) -> set[str]:
        """Return the names of every variable the expression reads."""
        if self.op == "var":
            return {self.args[0]}
        if self.op == "const":
            return set()
        return set().union(*(a.names() for a in self.args))

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        """Return the value with numpy semantics; every variable must be in env."""
        if self.op == "const":
            return self.args[0]
        if self.op == "var":
            try:
                return env[self.args[0]]
            except KeyError:
                raise KeyError(f"formula needs {self.args[0]!r}") from None
        with np.errstate(divide="ignore", invalid="ignore"):
            return _OPS[self.op][0](*(a.evaluate(env) for a in self.args))

    def vega(self, ref: Callable[[str], str] = str) -> str:
        """Return the expression in Vega's expression language; ref(name) prints each variable."""
        if self.op == "const":
            return vega_literal(self.args[0])
        if self.op == "var":
            return ref(self.args[0])
        return _OPS[self.op][1].format(*(a.vega(ref) for a in self.args))

    def subs(self, values: Mapping[str, Any]) -> "Expr":
        """Return a copy with the named variables replaced by expressions or numbers."""
        if self.op == "var":
            return lift(values[self.args[0]]) if self.args[0] in values else self
        if self.op == "const":
            return self
        return Expr(self.op, tuple(a.subs(values) for a in self.args))


def vega_literal(x: Any) -> str:
    """Return a number or a string as a Vega literal."""
    if isinstance(x, str):
        return "'" + x.replace("\\", "\\\\").replace("'", "\\'") + "'"
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "(-Infinity)"
    return repr(x) if x >= 0 else f"({x!r})"


def lift(x: Any) -> Expr:
    """Return x as an expression (numbers become constants)."""
    if isinstance(x, Expr):
        return x
    if isinstance(x, (int, float, np.floating, np.integer)) and not isinstance(x, bool):
        return Expr("const", (float(x),))
    raise TypeError(f"not a number or an expression: {x!r}")


def var(name: str) -> Expr:
    """Return the variable `name`."""
    if not name.isidentifier():
        raise ValueError(f"variable names are identifiers, got {name!r}")
    return Expr("var", (name,))


def const(x: float) -> Expr:
    return lift(x)


def minimum(a: Any, b: Any) -> Expr:
    return Expr("min", (lift(a), lift(b)))


def maximum(a: Any, b: Any) -> Expr:
    return Expr("max", (lift(a), lift(b)))


def at_most(a: Any, b: Any) -> Expr:
    """a <= b (true or false)."""
    return Expr("<=", (lift(a), lift(b)))


def greater(a: Any, b: Any) -> Expr:
    """a > b (true or false)."""
    return Expr(">", (lift(a), lift(b)))


def both(a: Expr, b: Expr) -> Expr:
    return Expr("and", (a, b))


def where(cond: Expr, a: Any, b: Any) -> Expr:
    """a where cond holds, else b (numpy.where on arrays)."""
    return Expr("if", (cond, lift(a), lift(b)))


def total(terms: Iterable[Any]) -> Expr:
    """Return t0 + t1 + ... added left to right, the order numpy's cumsum adds in."""
    out: Expr | None = None
    for t in terms:
        out = lift(t) if out is None else out + t
    return const(0.0) if out is None else out


class Program:
    """Named definitions in order, each reading inputs and the names defined before it."""

    def __init__(self) -> None:
        self.steps: dict[str, Expr] = {}

    def let(self, name: str, e: Any) -> Expr:
        """Define name = e and return the variable that reads it."""
        if name in self.steps:
            raise ValueError(f"{name!r} defined twice")
        self.steps[name] = lift(e)
        return var(name)

    def run(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """Return inputs plus every defined value, computed in order with numpy."""
        env = dict(inputs)
        for name, e in self.steps.items():
            env[name] = e.evaluate(env)
        return env

    def vega_params(self, ref: Callable[[str], str]) -> list[dict[str, str]]:
        """Return one Vega-Lite parameter {name, expr} per definition, in order."""
        return [{"name": ref(name), "expr": e.vega(ref)} for name, e in self.steps.items()]
