"""Errors the command line reports as one clear line with exit code 2."""

import difflib


class InputError(Exception):
    """Bad input from the reader: a scenario, a parameter, a data file or a notebook."""


class DataError(InputError):
    """A data file is missing, unreadable or breaks its contract."""


class AssumptionError(InputError):
    """A scenario or override names an unknown assumption or gives an invalid value."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def did_you_mean(name: str, options: list[str]) -> str:
    """Return " (did you mean 'x'?)" for the closest option, or "" when none is close."""
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
