"""Every path the project uses, resolved from the package so code runs from any directory."""

import os
from pathlib import Path

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


def scenario_names() -> list[str]:
    """Return the scenarios defined in data/scenarios/, base first (light: no pydantic, for the cache path)."""
    names = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
    return sorted(names, key=lambda n: (n != "base", n))
