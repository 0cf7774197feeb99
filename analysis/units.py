"""The units a data row or an assumption may carry, and conversion constants."""

HOURS_PER_YEAR = 8760.0
HOURS_PER_HALF_YEAR = HOURS_PER_YEAR / 2
GW_PER_KW = 1e-6
TWH_PER_GWH = 1e-3
PFLOPS_PER_EFLOPS = 1e3

#: Units accepted in data/ tables; a row with any other unit fails validation.
KNOWN_UNITS = frozenset({
    "GW", "GW per reactor", "GW per half-year", "TWh per year", "USD bn", "USD bn per GW",
    "USD bn per year", "USD m per MW-year", "USD per MWh", "USD per GPU-hour", "ratio", "share",
    "percent", "percent per year", "years", "weeks", "year", "half-year", "halves", "homes per GW",
    "million GPUs", "million users", "wafers per month", "wafers per year", "H100-equivalents", "x",
    "packages per rack", "dies per package", "kW per rack", "PFLOP/s per rack", "GB per package",
    "category", "count", "PFLOP/s per package", "W per package", "share per half-year", "share per launch",
    "lb CO2e per MWh", "g CO2e per kWh", "litres per kWh", "wafers per year", "GB per year", "packages per wafer", "Mt CO2", "billion litres",
})


# --- the report's one number-formatting policy -----------------------------------------------
# Prose, tables, chart axes and tooltips all print numbers through these functions: about three
# significant figures (never rounding away whole units: 1,234 stays 1,234), in the unit that suits
# the size (ZFLOP/s rather than 248,882 EFLOP/s, USD tn rather than 1,400 USD bn).

import math as _math

#: Significant figures a number is printed with unless a caller has a reason for another precision.
SIG_FIGS = 3

#: For each base unit, the larger units a value may be shown in: (factor over the base, name).
#: A unit not listed here is never rescaled.
LADDERS: dict[str, list[tuple[float, str]]] = {
    "EFLOP/s": [(1.0, "EFLOP/s"), (1e3, "ZFLOP/s")],
    "PFLOP/s": [(1.0, "PFLOP/s"), (1e3, "EFLOP/s"), (1e6, "ZFLOP/s")],
    "GWh": [(1.0, "GWh"), (1e3, "TWh")],
    "TWh": [(1e-3, "GWh"), (1.0, "TWh")],
    "TWh per year": [(1e-3, "GWh per year"), (1.0, "TWh per year")],
    "USD bn": [(1.0, "USD bn"), (1e3, "USD tn")],
    "USD bn per year": [(1.0, "USD bn per year"), (1e3, "USD tn per year")],
    "PB": [(1.0, "PB"), (1e3, "EB")],
}
#: Below this size a value moves to the next smaller unit of its ladder; from 1,000 to the next larger.
STEP = 1000.0


def decimals(x: float, sig: int = SIG_FIGS) -> int:
    """Return the decimals that show `x` to about `sig` significant figures (0 from 10**(sig-1) up)."""
    if x is None or not _math.isfinite(x):
        raise ValueError(f"refusing to print a non-finite number: {x!r}")
    if x == 0:
        return 0
    mag = int(_math.floor(_math.log10(abs(x))))
    return max(0, sig - 1 - mag)


def number(x: float, sig: int = SIG_FIGS, trim: bool = False) -> str:
    """Return `x` with thousands separators and about `sig` significant figures ('1,234', '24.9', '0.249');
    trim drops trailing zeros after the point ('1.4', for prose; tables keep a column's decimals)."""
    d = decimals(x, sig)
    text = f"{round(x, d):,.{d}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "0", "-0.0") else text


def scale(value: float, unit: str) -> tuple[float, str]:
    """Return (factor, unit) that suit a value of this size: divide by factor to show it in unit."""
    ladder = LADDERS.get(unit)
    if not ladder or value is None or not _math.isfinite(value) or value == 0:
        return 1.0, unit
    size = abs(value)
    # The smallest unit in which the number stays under STEP (243 EFLOP/s, not 0.243 ZFLOP/s).
    for factor, name in ladder:
        if size / factor < STEP:
            return factor, name
    return ladder[-1]


def scale_column(values, unit: str) -> tuple[float, str]:
    """Return the (factor, unit) for a whole column or axis: the one its largest value needs."""
    finite = [abs(float(v)) for v in values if v is not None and _math.isfinite(float(v))]
    return scale(max(finite), unit) if finite else (1.0, unit)


def quantity(value: float, unit: str, sig: int = SIG_FIGS) -> str:
    """Return a value with the unit that suits its size ('249 ZFLOP/s', '70.1 TWh per year', '1.4 USD tn')."""
    factor, shown = scale(value, unit)
    return f"{number(value / factor, sig, trim=True)} {shown}"


def d3_format(values, sig: int = SIG_FIGS) -> str:
    """Return the Vega/d3 format for tooltips and axes of a column, fixed decimals by its largest value."""
    finite = [abs(float(v)) for v in values if v is not None and _math.isfinite(float(v))]
    return f",.{decimals(max(finite), sig) if finite and max(finite) else 0}f"
