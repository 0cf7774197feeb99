"""Every path the project uses, resolved from the package so code runs from any directory."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SCENARIOS = DATA / "scenarios"
NOTEBOOKS = ROOT / "notebooks"
REPORT = ROOT / "report"
QUARTO_YML = REPORT / "_quarto.yml"
BUILD = ROOT / "build"
TEMPLATES = Path(__file__).resolve().parent / "templates"


def scenario_file(name: str) -> Path:
    """Return the YAML file of a named scenario."""
    return SCENARIOS / f"{name}.yaml"
