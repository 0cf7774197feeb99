"""Half-year time axis: 2026.5 is H2 2026, 2027.0 is H1 2027."""

import numpy as np


def axis(start: float, end: float) -> np.ndarray:
    """Return every half-year from start to end inclusive."""
    return np.arange(start, end + 0.25, 0.5)


def label(half: float) -> str:
    """Return 'H1 2027' for 2027.0 and 'H2 2027' for 2027.5."""
    year = int(np.floor(half))
    return f"H{1 if half - year < 0.25 else 2} {year}"
