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
