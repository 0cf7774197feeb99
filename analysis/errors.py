"""Errors the command line reports as one clear line with exit code 2."""


class InputError(Exception):
    """Bad input from the reader: a scenario, a parameter, a data file or a notebook."""


class DataError(InputError):
    """A data file is missing, unreadable or breaks its contract."""


class AssumptionError(InputError):
    """A scenario or override names an unknown assumption or gives an invalid value."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))
