"""Every path the project uses, resolved from the package so code runs from any directory."""

import os
import re
from pathlib import Path

from . import reads
from .errors import InputError

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SCENARIOS = DATA / "scenarios"
NOTEBOOKS = ROOT / "notebooks"
REPORT = ROOT / "report"
QUARTO_YML = REPORT / "_quarto.yml"
#: Executed notebooks; TENGW_BUILD_DIR moves them (parallel checkouts, tests in a sandbox).
BUILD = Path(os.environ.get("TENGW_BUILD_DIR") or ROOT / "build")
#: Where rendered reports are published; TENGW_OUTPUT_DIR overrides _quarto.yml's output-dir.
OUTPUT_OVERRIDE = os.environ.get("TENGW_OUTPUT_DIR")
TEMPLATES = Path(__file__).resolve().parent / "templates"


def scenario_file(name: str) -> Path:
    """Return the YAML file of a named scenario."""
    return SCENARIOS / f"{name}.yaml"


def list_scenarios() -> list[str]:
    """Return the scenarios defined in data/scenarios/, base first (light: no pydantic, for the cache path)."""
    names = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
    return sorted(names, key=lambda n: (n != "base", n))


def scenario_names() -> list[str]:
    """Return the scenarios defined in data/scenarios/, base first; a notebook run records that it read
    the list (analysis/reads.py), so adding or removing a scenario re-runs the chapters that list them."""
    names = list_scenarios()
    reads.note_list(names)
    return names


#: A variant or edition name: one path component from a small alphabet, never '.', '..' or '-x'.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def check_name(name: str, what: str = "name", hint: str = "") -> str:
    """Return name if it can be a folder of build/ and report/_output; else raise InputError."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        shown = repr(name) if len(repr(name)) <= 70 else repr(name)[:67] + "..."
        raise InputError(f"{what} {shown} is not allowed: use 1 to 64 letters, digits, '-', '_' or '.', "
                         f"starting with a letter or digit{hint}")
    return name


def inside(root: Path, *parts: str) -> Path:
    """Return root/parts once the resolved path is proven to lie inside root (no '..', absolute part
    or symlink leads out). Every path built from a name the user gives goes through here."""
    path = Path(root).joinpath(*parts)
    base, target = Path(root).resolve(), path.resolve()
    if base not in target.parents:
        raise InputError(f"refusing to write outside {root}: {path}")
    return path
