"""The build: validate everything, execute every (scenario, notebook) with papermill, render, publish.

Outputs are rendered into a staging folder and moved into report/_output only when every run and
render succeeded, so a failed build leaves the last good report as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import assumptions, data, execute, paths, render
from .errors import InputError


@dataclass
class Variant:
    """One report variant: a scenario (name or YAML file) plus reader overrides."""

    name: str
    scenario: str  # name in data/scenarios, or a YAML path
    overrides: dict[str, Any] = field(default_factory=dict)
    title: str = ""


@dataclass
class Result:
    """What a build produced and how long it took."""

    outputs: list[Path]
    engine: str
    runs: int
    seconds: float


def say(msg: str, quiet: bool = False) -> None:
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


def variant_name(base: str, overrides: dict[str, Any]) -> str:
    """Return a stable folder name for a scenario with overrides."""
    if not overrides:
        return base
    digest = hashlib.sha1(json.dumps(overrides, sort_keys=True, default=str).encode()).hexdigest()[:8]
    return f"{base}-custom-{digest}"


def validate(variants: list[Variant]) -> tuple[render.Project, dict[str, assumptions.Scenario]]:
    """Check data, every variant's assumptions and the notebooks before any kernel starts."""
    data.validate()
    problems: list[str] = []
    resolved: dict[str, assumptions.Scenario] = {}
    for v in variants:
        try:
            resolved[v.name] = assumptions.resolve(v.scenario, v.overrides, name=v.name)
        except assumptions.AssumptionError as exc:
            problems += exc.problems
    if problems:
        raise assumptions.AssumptionError(problems)
    project = render.read_project()
    for stem in project.notebook_stems():
        nb = paths.NOTEBOOKS / f"{stem}.ipynb"
        if not nb.exists():
            raise InputError(f"_quarto.yml names chapters/{stem}.ipynb but notebooks/{stem}.ipynb does not exist")
        try:
            ok = execute.has_parameters_cell(nb)
        except Exception as exc:  # noqa: BLE001 - corrupt notebook JSON
            raise InputError(f"notebooks/{stem}.ipynb is not a readable notebook: {exc}") from None
        if not ok:
            raise InputError(f"notebooks/{stem}.ipynb has no cell tagged 'parameters'")
    return project, resolved


def jobs_for(variants: list[Variant], project: render.Project) -> list[execute.Job]:
    """Return one job per (variant, chapter notebook); outputs are build/<variant>/<notebook>.ipynb."""
    jobs = []
    for v in variants:
        for stem in project.notebook_stems():
            jobs.append(execute.Job(
                scenario=v.name, notebook=paths.NOTEBOOKS / f"{stem}.ipynb",
                output=paths.BUILD / v.name / f"{stem}.ipynb",
                parameters={"scenario": v.scenario, "overrides": v.overrides}))
    return jobs


def data_date() -> str:
    """Return the publication date of the newest source: the date the data speaks for."""
    src = data.table("sources")
    return str(src.loc[~src["publisher"].str.startswith("Ten Gigawatts"), "published"].max())


def _render_embedded(project: render.Project, variants: list[Variant], resolved, staging: Path,
                     switcher: list[tuple[str, str]], quiet: bool) -> list[Path]:
    outputs = []
    date = data_date()
    for v in variants:
        sc = resolved[v.name]
        blocks = render.report_blocks(project, paths.BUILD / v.name)
        ctx = render.Context(scenario=v.name, scenario_title=sc.title, data_date=date, scenarios=switcher)
        out_dir = staging / v.name
        out_dir.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        render.render_html(project, blocks, ctx, out_dir / "index.html", link_prefix="../")
        render.render_pdf(project, blocks, ctx, out_dir / f"{project.output_file}.pdf")
        say(f"  rendered {v.name}: HTML and PDF ({time.perf_counter() - t0:.1f} s)", quiet)
        outputs += [out_dir / "index.html", out_dir / f"{project.output_file}.pdf"]
        if v.name == "base":
            render.render_html(project, blocks, ctx, staging / "index.html", link_prefix="")
            shutil.copy2(out_dir / f"{project.output_file}.pdf", staging / f"{project.output_file}.pdf")
            outputs += [staging / "index.html", staging / f"{project.output_file}.pdf"]
    return outputs


def _render_quarto(project: render.Project, variants: list[Variant], staging: Path, quiet: bool) -> list[Path]:
    """Render with Quarto: stage each variant's executed notebooks as the chapters, then quarto render."""
    from . import charts

    (paths.REPORT / "_vega.html").write_text(f"<script>\n{charts.javascript_bundle()}\n</script>\n",
                                             encoding="utf-8")
    chapters = paths.REPORT / "chapters"
    outputs = []
    for v in variants:
        shutil.rmtree(chapters, ignore_errors=True)
        shutil.copytree(paths.BUILD / v.name, chapters)
        out_dir = staging / v.name
        subprocess.run(["quarto", "render", str(paths.REPORT), "--output-dir", str(out_dir)], check=True)
        outputs.append(out_dir)
        if v.name == "base":
            for item in out_dir.iterdir():
                dest = staging / item.name
                (shutil.copytree if item.is_dir() else shutil.copy2)(item, dest)
    return outputs


def publish(staging: Path, target: Path) -> None:
    """Move each staged entry into place; the old entry is removed only after the new one is in."""
    target.mkdir(parents=True, exist_ok=True)
    for item in sorted(staging.iterdir()):
        dest = target / item.name
        old = target / f".old-{item.name}-{os.getpid()}"
        if dest.exists():
            os.replace(dest, old)
        os.replace(item, dest)
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        elif old.exists():
            old.unlink()
    shutil.rmtree(staging, ignore_errors=True)


def engine_name(choice: str) -> str:
    """Return 'quarto' when asked for or found on PATH, else 'embedded'."""
    if choice == "quarto" or (choice == "auto" and shutil.which("quarto")):
        if not shutil.which("quarto"):
            raise InputError("--engine quarto asked for, but quarto is not on PATH")
        return "quarto"
    return "embedded"


def build(variants: list[Variant], jobs: int | None = None, quiet: bool = False,
          engine: str = "auto") -> Result:
    """Validate, execute and render every variant; publish only if everything succeeded."""
    t0 = time.perf_counter()
    project, resolved = validate(variants)
    engine = engine_name(engine)
    all_jobs = jobs_for(variants, project)
    n = jobs or os.cpu_count() or 1
    say(f"Executing {len(all_jobs)} notebook runs ({len(variants)} scenario(s) x "
        f"{len(project.notebook_stems())} chapter(s)) with papermill on {min(n, len(all_jobs))} kernel(s)", quiet)
    done = [0]

    def event(kind: str, job: execute.Job, exc: BaseException | None) -> None:
        if kind == "done":
            done[0] += 1
            say(f"  [{done[0]}/{len(all_jobs)}] {job.name}", quiet)

    execute.run_all(all_jobs, n, paths.NOTEBOOKS, on_event=event)
    staging = project.output_dir.parent / f"_staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    say(f"Rendering with the {'Quarto' if engine == 'quarto' else 'embedded pandoc + Typst'} engine"
        + ("" if engine == "quarto" else " (quarto is not on PATH)"), quiet)
    known = assumptions.scenario_names()
    switcher = [(s, assumptions.resolve(s).title) for s in known]
    switcher += [(v.name, resolved[v.name].title) for v in variants if v.name not in known]
    try:
        if engine == "quarto":
            _render_quarto(project, variants, staging, quiet)
        else:
            _render_embedded(project, variants, resolved, staging, switcher, quiet)
        publish(staging, project.output_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    outputs = []
    for v in variants:
        outputs += [project.output_dir / v.name / "index.html",
                    project.output_dir / v.name / f"{project.output_file}.pdf"]
    if any(v.name == "base" for v in variants):
        outputs = [project.output_dir / "index.html", project.output_dir / f"{project.output_file}.pdf"] + outputs
    return Result(outputs=outputs, engine=engine, runs=len(all_jobs), seconds=time.perf_counter() - t0)
