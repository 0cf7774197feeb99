"""The build: validate everything, execute every (scenario, notebook) with papermill, render, publish.

Runs whose inputs are unchanged are served from the cache (analysis/cache.py); a rebuild with nothing
changed decides so from hashes alone, without importing pandas, papermill or Altair. Outputs are
rendered into a staging folder and moved into report/_output only when every run and render
succeeded, so a failed or interrupted build leaves the last good report as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from . import cache, paths, safe_yaml
from .errors import InputError
from .progress import Progress

if TYPE_CHECKING:  # heavy modules are imported only when a run or a render has to happen
    from . import assumptions, render


@dataclass
class Variant:
    """One report variant: a scenario (name or YAML file) plus reader overrides."""

    name: str
    scenario: str  # name in data/scenarios, or a YAML path
    overrides: dict[str, Any] = field(default_factory=dict)
    title: str = ""

    def __post_init__(self) -> None:
        paths.check_name(self.name)  # the name becomes a folder: one safe path component


@dataclass
class Result:
    """What a build produced and how long it took."""

    outputs: list[Path]
    engine: str
    runs: int
    seconds: float
    executed: int = 0
    rendered: int = 0
    reused: int = 0


def say(msg: str, quiet: bool = False) -> None:
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


scenario_names = paths.scenario_names  # light: the no-change path imports no pydantic


def variant_name(base: str, overrides: dict[str, Any]) -> str:
    """Return a stable folder name for a scenario with overrides."""
    if not overrides:
        return base
    digest = hashlib.sha1(json.dumps(overrides, sort_keys=True, default=str).encode()).hexdigest()[:8]
    return f"{base}-custom-{digest}"


# --- names: a variant never takes the place of an edition, a published file or another variant ---

def _inputs(v: Variant) -> dict[str, Any]:
    """What a variant is built from, as recorded in build/<name>/.variant.json."""
    return {"scenario": v.scenario, "overrides": json.loads(json.dumps(v.overrides, sort_keys=True, default=str))}


def _describe(inputs: dict[str, Any]) -> str:
    scenario = str(inputs.get("scenario"))
    what = f"the file {scenario}" if scenario.endswith((".yaml", ".yml")) else f"scenario {scenario}"
    sets = ", ".join(f"{k}={v}" for k, v in (inputs.get("overrides") or {}).items())
    return what + (f" with {sets}" if sets else "")


def is_edition(v: Variant) -> bool:
    """Whether v is a scenario of data/scenarios/ as it stands: its own name, its file, no overrides."""
    if v.overrides or v.name not in scenario_names():
        return False
    return v.scenario == v.name or Path(v.scenario).resolve() == paths.scenario_file(v.name).resolve()


def _record(name: str) -> Path:
    return variant_dir(name) / ".variant.json"


def record_variants(variants: list[Variant]) -> None:
    """Write down what each variant is built from, so its name cannot be reused for other inputs."""
    for v in variants:
        if not is_edition(v) and cache._read(_record(v.name)) != _inputs(v):
            cache.write_json(_record(v.name), _inputs(v))


def check_names(variants: list[Variant], out_dir: Path, replace: bool = False) -> None:
    """Refuse a variant name taken by a scenario edition, a file published at the report's root,
    another variant of this build, or (unless replace) a variant built from other inputs.
    Rebuilding a variant under its own name, with the same inputs, is allowed."""
    root_files = {"index.html", f"{_output_file()}.pdf"}
    if (out_dir / "base").is_dir():  # the root holds a copy of everything the base edition publishes
        root_files |= {p.name for p in (out_dir / "base").iterdir()}
    seen: set[str] = set()
    for v in variants:
        if v.name in seen:
            raise InputError(f"two variants would be called {v.name!r}: build them one at a time, each with "
                             "its own --name")
        seen.add(v.name)
        if is_edition(v):
            continue
        other = f"choose another --name (e.g. {variant_name(v.name, _inputs(v))})"
        if v.name in scenario_names():
            raise InputError(f"the name {v.name!r} belongs to the scenario edition data/scenarios/{v.name}.yaml, "
                             f"which a variant never replaces: {other}")
        if v.name in root_files:
            raise InputError(f"the name {v.name!r} is taken by a file the report publishes: {other}")
        recorded = cache._read(_record(v.name))
        if replace or recorded == _inputs(v):
            continue
        if recorded is not None:
            raise InputError(f"the name {v.name!r} is taken by a variant built from {_describe(recorded)}: "
                             f"{other}, or add --replace to overwrite it")
        if paths.inside(out_dir, v.name).exists() or any(variant_dir(v.name).glob("*.ipynb")):
            raise InputError(f"{out_dir.name}/{v.name} holds a variant built before inputs were recorded: "
                             f"{other}, or add --replace to overwrite it")


def variant_dir(name: str) -> Path:
    """build/<name>, proven to stay inside the build folder."""
    return paths.inside(paths.BUILD, name)


def has_parameters_cell(path: Path) -> bool:
    """Return whether a notebook has a cell tagged 'parameters' (raises ValueError if not a notebook)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("no list of cells")
    return any(isinstance(c, dict) and "parameters" in ((c.get("metadata") or {}).get("tags") or [])
               for c in nb["cells"])


def check_inputs(variants: list[Variant]) -> tuple[list[str], dict[str, "assumptions.Scenario"]]:
    """Check data, every variant's assumptions and the notebooks; return chapter stems and scenarios.

    Does not import the renderer (Altair), so the build can load it in the background meanwhile.
    """
    from . import assumptions

    # Cheapest first, so a mistyped --set fails before pandas is even imported.
    problems: list[str] = []
    resolved: dict[str, assumptions.Scenario] = {}
    for v in variants:
        try:
            resolved[v.name] = assumptions.resolve(v.scenario, v.overrides, name=v.name)
        except assumptions.AssumptionError as exc:
            problems += exc.problems
    if problems:
        raise assumptions.AssumptionError(problems)
    from . import results

    # The data files and the source ids the scenarios cite passed these checks before if the bytes,
    # the citations and the code are the same: noted in the results store once every input is valid,
    # so an edit loop does not import pandas to check them again.
    cited = sorted({sid for sc in resolved.values() for c in sc.sources.values() for sid in (c.source, *c.informing)})
    checked = {"data": cache.data_digest(), "code": cache.code_digest(), "deps": cache.deps_digest(), "cited": cited}
    if results.lookup("checks", checked) is None:
        _check_data(resolved)
    stems = cache.chapter_stems()
    if stems is None:  # let the renderer's reader say what is wrong with _quarto.yml
        from . import render

        stems = render.read_project().notebook_stems()
    for stem in stems:
        nb = paths.NOTEBOOKS / f"{stem}.ipynb"
        if not nb.exists():
            raise InputError(f"_quarto.yml names {stem}.ipynb but notebooks/{stem}.ipynb does not exist")
        try:
            ok = has_parameters_cell(nb)
        except Exception as exc:  # noqa: BLE001 - corrupt notebook JSON
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"notebooks/{stem}.ipynb is not a readable notebook: {first}") from None
        if not ok:
            raise InputError(f"notebooks/{stem}.ipynb has no cell tagged 'parameters'")
    results.keep("checks", checked, "ok")
    return stems, resolved


def _check_data(resolved: dict[str, "assumptions.Scenario"]) -> None:
    """Validate every data table, the risk register and the sources the scenarios cite; raise on the
    first problem."""
    from . import data, risk, sourcing

    data.validate()
    register = risk.check_register()  # risks.csv names assumptions: check them before a kernel would
    if register:
        more = f" (and {len(register) - 1} more)" if len(register) > 1 else ""
        raise InputError(f"data/risks.csv: {register[0]}{more}")
    cited = sourcing.scenario_problems(resolved.values())
    if cited:
        raise InputError(cited[0] + (f" (and {len(cited) - 1} more)" if len(cited) > 1 else ""))


def validate(variants: list[Variant],
             replace: bool = False) -> tuple["render.Project", dict[str, "assumptions.Scenario"]]:
    """Check names, data, every variant's assumptions and the notebooks before any kernel starts."""
    from . import render

    check_names(variants, output_dir(), replace)
    _, resolved = check_inputs(variants)
    return render.read_project(), resolved


def jobs_for(variants: list[Variant], stems: list[str]) -> list["execute.Job"]:
    """Return one job per (variant, chapter notebook); outputs are build/<variant>/<notebook>.ipynb."""
    from . import execute

    jobs = []
    for v in variants:
        for stem in stems:
            jobs.append(execute.Job(
                scenario=v.name, notebook=paths.NOTEBOOKS / f"{stem}.ipynb",
                output=variant_dir(v.name) / f"{stem}.ipynb",
                parameters={"scenario": v.scenario, "overrides": v.overrides}))
    return jobs


def _render_variant(project: "render.Project", v: Variant, staging: Path) -> tuple[list[Path], float]:
    """Render one variant's HTML and PDF into staging/<variant>/ (and the root page for base)."""
    from . import colophon, render

    t0 = time.perf_counter()
    executed = variant_dir(v.name)  # the notebooks and the edition's metadata (_edition.yml)
    blocks = render.report_blocks(project, executed, colophon.read(executed))
    out_dir = paths.inside(staging, v.name)
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf = f"{project.output_file}.pdf"
    with ThreadPoolExecutor(max_workers=1) as side:  # the HTML (pandoc, a subprocess) beside the PDF
        html = side.submit(render.render_html, project, blocks, executed, out_dir / "index.html", link_prefix="../")
        render.render_pdf(project, blocks, executed, out_dir / pdf)
        html.result()
    outputs = [out_dir / "index.html", out_dir / pdf]
    if v.name == "base":
        render.render_html(project, blocks, executed, staging / "index.html", link_prefix="")
        shutil.copy2(out_dir / pdf, staging / pdf)
        outputs += [staging / "index.html", staging / pdf]
    return outputs, time.perf_counter() - t0


def _render_embedded(project: "render.Project", variants: list[Variant], staging: Path, prog: Progress,
                     n_jobs: int) -> list[Path]:
    """Render variants in parallel threads: pandoc runs as a subprocess, Typst outside the GIL."""
    outputs: list[Path] = []
    with ThreadPoolExecutor(max_workers=max(1, min(n_jobs, len(variants)))) as pool:
        futures = {v.name: pool.submit(_render_variant, project, v, staging) for v in variants}
        try:
            for name, fut in futures.items():
                files, seconds = fut.result()
                prog.say(f"  rendered {name}: HTML and PDF ({seconds:.1f} s)")
                outputs += files
        except BaseException:
            for fut in futures.values():
                fut.cancel()
            raise
    return outputs


def _render_quarto(project: "render.Project", variants: list[Variant], staging: Path, prog: Progress) -> list[Path]:
    """Render with Quarto, one edition after another (they share report/): see analysis/quarto.py."""
    from . import quarto, vega

    outputs = []
    stems = project.notebook_stems()
    try:
        for v in variants:
            quarto.stage(variant_dir(v.name), vega.javascript_bundle(), stems)
            out_dir = paths.inside(staging, v.name)
            seconds = quarto.render_edition(out_dir)
            prog.say(f"  rendered {v.name} with Quarto: HTML pages ({seconds['html']:.1f} s), "
                     f"PDF ({seconds['typst']:.1f} s)")
            outputs.append(out_dir)
            if v.name == "base":
                outputs += quarto.copy_as_root(out_dir, staging)
    finally:
        quarto.unstage(stems)
    return outputs


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while the report is swapped in, so it is never left half-published."""
    sigs = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    except (AttributeError, ValueError, OSError):  # not the main thread, or no signal masks
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextmanager
def build_lock() -> Iterator[None]:
    """Hold this checkout's build lock, so one build at a time writes build/ and the published report.

    An flock on the build folder itself: no lock file, and the kernel drops the lock when the process
    ends, however it ends. A second build waits, then usually finds nothing left to do."""
    import fcntl

    paths.BUILD.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.BUILD, os.O_RDONLY)  # not inherited by kernels (O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"Waiting for the build already running in this checkout ({paths.BUILD}) to finish ...")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _is_edition(folder: Path) -> bool:
    """A published edition is a folder with its own index.html (report/_output/<variant>/)."""
    return folder.is_dir() and (folder / "index.html").is_file()


def publish(staging: Path, target: Path) -> None:
    """Move each staged entry into place; the old entry is removed only after the new one is in.

    When the staging holds the root edition (base's pages at the top), what the last root edition
    left at the top and this one did not write goes too (e.g. Quarto's chapter pages and search.json
    after a switch to the embedded engine), so no reader or test opens a stale page.
    """
    target.mkdir(parents=True, exist_ok=True)
    staged = {item.name for item in staging.iterdir()}
    root_edition = any(not _is_edition(item) for item in staging.iterdir())
    olds = []
    for item in sorted(staging.iterdir()):
        dest = target / item.name
        old = target / f".old-{item.name}-{os.getpid()}"
        if dest.exists():
            os.replace(dest, old)
            olds.append(old)
        os.replace(item, dest)
    if root_edition:
        for item in sorted(target.iterdir()):
            if item.name not in staged and not item.name.startswith(".") and not _is_edition(item):
                old = target / f".old-{item.name}-{os.getpid()}"
                os.replace(item, old)
                olds.append(old)
    for old in olds:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(output_dir: Path, variants: list[Variant]) -> None:
    """Remove what an interrupted build of another process left: staging folders, old entries, partial runs."""
    for pattern, folder in (("_staging-*", output_dir.parent), (".old-*", output_dir)):
        for item in folder.glob(pattern) if folder.is_dir() else []:
            pid = item.name.rsplit("-", 1)[-1]
            if pid.isdigit() and not _pid_alive(int(pid)):
                (shutil.rmtree if item.is_dir() else os.remove)(item)
    for v in variants:
        for partial in [*variant_dir(v.name).glob(".*.running.ipynb"), *variant_dir(v.name).glob(".*.reads.json")]:
            partial.unlink(missing_ok=True)


def engine_name(choice: str) -> str:
    """Return 'quarto' when asked for or found on PATH, else 'embedded'."""
    if choice == "quarto" or (choice == "auto" and shutil.which("quarto")):
        if not shutil.which("quarto"):
            raise InputError("--engine quarto asked for, but quarto is not on PATH")
        return "quarto"
    return "embedded"


@dataclass
class Plan:
    """What a build must do: the runs and renders whose cache records do not match their inputs."""

    stems: list[str] | None
    run_keys: dict[tuple[str, str], str | None]  # (variant, stem) -> key, None if it must run
    stale_runs: set[tuple[str, str]]
    stale_renders: set[str]
    render_keys: dict[str, str | None]
    #: (variant, stem) -> an executed copy elsewhere in build/ (and its record) whose reads hold for it
    reuse: dict[tuple[str, str], tuple[Path, dict]] = field(default_factory=dict)
    #: fresh runs found so by their values (a file behind a read changed): their records are refreshed
    verified: set[tuple[str, str]] = field(default_factory=set)

    @property
    def nothing_to_do(self) -> bool:
        return self.stems is not None and not self.stale_runs and not self.stale_renders


def _render_extra(v: Variant, engine: str, output_dir: Path, variants: list[Variant], known: list[str]) -> dict:
    """Render inputs besides the runs: engine, where it publishes, the variant and the switcher's names."""
    sfile = Path(v.scenario) if v.scenario.endswith((".yaml", ".yml")) else paths.scenario_file(v.scenario)
    return {"engine": engine, "output_dir": str(output_dir.resolve()), "variant": v.name,
            "scenario": v.scenario, "overrides": json.dumps(v.overrides, sort_keys=True, default=str),
            "scenario_file": cache._file_sha(str(sfile)),  # its colophon states its assumptions
            "switcher": known + [w.name for w in variants if w.name not in known]}


def render_keys_for(variants: list[Variant], stems: list[str], run_keys: dict, engine: str,
                    output_dir: Path) -> dict[str, str | None]:
    """Return each variant's render key: its runs' keys and executed files, and the report sources."""
    known = scenario_names()
    out: dict[str, str | None] = {}
    for v in variants:
        keys = [run_keys.get((v.name, s)) for s in stems]
        stats = [cache._stat(variant_dir(v.name) / f"{s}.ipynb") for s in stems]
        if any(k is None for k in keys) or any(st is None for st in stats):
            out[v.name] = None
            continue
        out[v.name] = cache.render_key([f"{k}:{st}" for k, st in zip(keys, stats)],
                                       _render_extra(v, engine, output_dir, variants, known))
    return out


def _params(v: Variant) -> dict[str, Any]:
    return {"scenario": v.scenario, "overrides": v.overrides}


def plan(variants: list[Variant], engine: str, output_dir: Path, force: bool = False) -> Plan:
    """Decide which runs and renders are stale: each run's recorded reads against the current inputs.

    From hashes alone when the files behind every read are unchanged (no pydantic, pandas or Altair
    imported); otherwise by comparing the recorded values (cache.run_state). A stale run whose
    chapter was executed elsewhere in build/ with reads that hold for it (the edition a --set
    variant derives from, typically) is planned as a copy of that one instead of a run."""
    stems = cache.chapter_stems()
    run_keys: dict[tuple[str, str], str | None] = {}
    verified: set[tuple[str, str]] = set()
    for quick_only in (True, False):  # every run by hashes first; values only for those that need it
        for v in variants:
            for stem in stems or []:
                if (v.name, stem) in run_keys and (run_keys[(v.name, stem)] or force):
                    continue
                key = None
                if not force:
                    try:
                        cache.check_scenario_parameter(_params(v))
                        key = cache.run_state(variant_dir(v.name) / f"{stem}.ipynb",
                                              paths.NOTEBOOKS / f"{stem}.ipynb", _params(v), quick_only=quick_only)
                    except Exception:  # noqa: BLE001 - unreadable input: validation will say what is wrong
                        key = None
                run_keys[(v.name, stem)] = key
                if key and not quick_only:
                    verified.add((v.name, stem))
        if force or all(run_keys.values()):
            break
    stale_runs = {k for k, key in run_keys.items() if key is None}
    reuse: dict[tuple[str, str], tuple[Path, dict]] = {}
    if not force:
        for name, stem in sorted(stale_runs):
            v = next(w for w in variants if w.name == name)
            out = variant_dir(name) / f"{stem}.ipynb"
            for donor, record in cache.donors(stem, exclude=out):
                try:
                    key = cache.run_state(donor, paths.NOTEBOOKS / f"{stem}.ipynb", _params(v), record=record)
                except Exception:  # noqa: BLE001 - an unreadable donor is no donor
                    key = None
                if key:
                    reuse[(name, stem)], run_keys[(name, stem)] = (donor, record), key
                    break
        stale_runs -= set(reuse)
    render_keys = render_keys_for(variants, stems or [], run_keys, engine, output_dir)
    stale_renders = {v.name for v in variants
                     if force or render_keys[v.name] is None
                     or any((v.name, s) in stale_runs or (v.name, s) in reuse for s in stems or [])
                     or not cache.render_is_fresh(variant_dir(v.name), render_keys[v.name])}
    return Plan(stems, run_keys, stale_runs, stale_renders, render_keys, reuse, verified)


def reuse_run(job: "execute.Job", donor: Path, record: dict) -> None:
    """Publish a donor's executed notebook as job's: its outputs are what job's run would produce (the
    donor's reads hold for job's parameters); only the injected-parameters cell is rewritten."""
    from papermill.translators import translate_parameters

    nb = json.loads(donor.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if "injected-parameters" in (cell.get("metadata", {}).get("tags") or []):
            cell["source"] = translate_parameters("python3", "python", job.parameters, "Parameters")
    meta = nb.setdefault("metadata", {}).setdefault("papermill", {})
    meta.update({"parameters": job.parameters, "output_path": str(job.output),
                 "reused_from": str(donor.parent.name)})
    cache.write_text(job.output, json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n")
    cache.refresh_run(job.output, job.notebook, job.parameters, record)


def output_dir() -> Path:
    """Return where reports are published, without importing the renderer."""
    if paths.OUTPUT_OVERRIDE:
        return Path(paths.OUTPUT_OVERRIDE)
    try:
        cfg = safe_yaml.read(paths.QUARTO_YML) or {}
        return paths.REPORT / cfg.get("project", {}).get("output-dir", "_output")
    except Exception:  # noqa: BLE001 - validation reports an unreadable _quarto.yml
        return paths.REPORT / "_output"


def published_outputs(variants: list[Variant], out: Path, output_file: str = "report") -> list[Path]:
    """Return the published files of these variants, the root page first when base is among them."""
    outputs = []
    for v in variants:
        folder = paths.inside(out, v.name)
        outputs += [folder / "index.html", folder / f"{output_file}.pdf"]
    if any(v.name == "base" for v in variants):
        outputs = [out / "index.html", out / f"{output_file}.pdf"] + outputs
    return outputs


def _output_file() -> str:
    try:
        return (safe_yaml.read(paths.QUARTO_YML) or {}).get("book", {}).get(
            "output-file", "report")
    except Exception:  # noqa: BLE001
        return "report"


def build(variants: list[Variant], jobs: int | None = None, quiet: bool = False, engine: str = "auto",
          force: bool = False, replace: bool = False) -> Result:
    """Validate, execute and render every variant; publish only if everything succeeded.

    One build at a time per checkout: a second one waits for the lock (see build_lock)."""
    with build_lock():
        check_names(variants, output_dir(), replace)
        return _build(variants, jobs, quiet, engine, force)


def _build(variants: list[Variant], jobs: int | None, quiet: bool, engine: str, force: bool) -> Result:
    t0 = time.perf_counter()
    engine = engine_name(engine)
    out_dir = output_dir()
    n = jobs or os.cpu_count() or 1
    from . import colophon

    pool, checked = None, None
    if any(not variant_dir(v.name).is_dir() for v in variants):
        # A variant never built runs chapters for sure (a reader's new --set): validate its inputs, then
        # start the kernels before planning, which they need not wait for.
        checked = check_inputs(variants)
        colophon.build_time()  # a malformed SOURCE_DATE_EPOCH is bad input: stop before any kernel starts
        pool = start_kernels(min(n, len(checked[0]) * len(variants)))
    try:
        p = plan(variants, engine, out_dir, force)
        if p.nothing_to_do:
            say(f"Nothing changed: {len(p.run_keys)} runs and {len(variants)} report(s) are up to date "
                "(--force rebuilds)", quiet)
            return Result(outputs=published_outputs(variants, out_dir, _output_file()), engine=engine,
                          runs=len(p.run_keys), seconds=time.perf_counter() - t0)
        if checked is None:
            checked = check_inputs(variants)
            colophon.build_time()
        stems, resolved = checked
        if pool is None and p.stale_runs:
            # Inputs valid and runs to do: start the kernels now, and import papermill while they start.
            pool = start_kernels(min(n, len(p.stale_runs)))
        return _build_with(variants, engine, out_dir, p, stems, resolved, n, pool, quiet, force, t0)
    finally:
        if pool is not None:  # stopped in the background while the report rendered; none outlives the build
            pool.close()
            pool.wait_closed()


def start_kernels(n: int):
    """Start n warm kernels in the background (analysis/kernels.py) and return their pool."""
    from . import kernels

    return kernels.KernelPool().start(max(1, n), paths.NOTEBOOKS)


def _build_with(variants: list[Variant], engine: str, out_dir: Path, p: "Plan", stems: list[str], resolved,
                n: int, pool, quiet: bool, force: bool, t0: float) -> Result:
    """Execute what the plan says is stale on the pool's kernels, then render and publish."""
    from . import execute

    if stems != p.stems:  # _quarto.yml was unreadable at planning time: run everything
        p = Plan(stems, {}, {(v.name, s) for v in variants for s in stems}, {v.name for v in variants}, {})
    clean_leftovers(out_dir, variants)
    record_variants(variants)
    all_jobs = jobs_for(variants, stems)
    todo = [j for j in all_jobs if (j.scenario, j.notebook.stem) in p.stale_runs]
    reused = [j for j in all_jobs if (j.scenario, j.notebook.stem) in p.reuse]
    prog = Progress(total=len(all_jobs), quiet=quiet)
    prog.skip(len(all_jobs) - len(todo))
    try:
        for j in reused:  # before any run: a donor may be among the runs re-executed below
            reuse_run(j, *p.reuse[(j.scenario, j.notebook.stem)])
        for j in all_jobs:  # their reads hold under the changed files: say so, so the next plan is quick
            if (j.scenario, j.notebook.stem) in p.verified:
                record = cache._read(cache.run_record(j.output))
                if record:
                    cache.refresh_run(j.output, j.notebook, j.parameters, record)
        if todo:
            fresh = len(all_jobs) - len(todo) - len(reused)
            prog.say(f"Executing {len(todo)} of {len(all_jobs)} notebook runs ({len(variants)} scenario(s) x "
                     f"{len(stems)} chapter(s)) with papermill on {min(n, len(todo))} kernel(s)"
                     + (f"; {fresh} unchanged, from the cache" if fresh else "")
                     + (f"; {len(reused)} whose reads match an edition's run, reused" if reused else ""))

        started: dict[str, float] = {}

        def event(kind: str, job: execute.Job, exc: BaseException | None) -> None:
            if kind == "start":
                started[job.name] = time.perf_counter()
                prog.start(job.name)
            elif kind == "done":
                record_trace(job, time.perf_counter() - started.get(job.name, time.perf_counter()))
                prog.finish(job.name)
            else:
                prog.finish(job.name, ok=False)

        # Longest first (as long as they took last time), so the kernels finish together; runs that
        # shared a costly result last time in one chain.
        grouped = chains(todo)

        if p.stale_renders or todo:
            _warm_renderer()
        for j in todo:
            cache.forget_run(j.output)
        if todo:
            execute.run_all(todo, n, paths.NOTEBOOKS, on_event=event, pool=pool, chains=grouped)
        run_keys = {(j.scenario, j.notebook.stem): cache.recorded_key(j.output) for j in all_jobs}
        render_keys = render_keys_for(variants, stems, run_keys, engine, out_dir)
        to_render = [v for v in variants if force or render_keys[v.name] is None
                     or not cache.render_is_fresh(variant_dir(v.name), render_keys[v.name])]
        from . import render

        project = render.read_project()
        if to_render:
            _render_and_publish(project, to_render, variants, resolved, engine, render_keys, prog, n)
    finally:
        prog.close()
    from . import results

    results.prune()
    return Result(outputs=published_outputs(variants, project.output_dir, project.output_file), engine=engine,
                  runs=len(all_jobs), seconds=time.perf_counter() - t0, executed=len(todo),
                  rendered=len(to_render), reused=len(reused))


#: Runs of one edition that last asked for the same stored result taking at least this long to compute
#: (the risk chapter's and the summary's judgement table, eight Monte Carlos) go to one kernel, one after
#: the other: otherwise both start together and one kernel idles while the other computes it.
CHAIN_MIN_SECONDS = 0.8


def chains(todo: list["execute.Job"]) -> list[list["execute.Job"]]:
    """Group the runs to execute into chains for run_all: runs of one variant whose chapters shared a
    costly result last time, longest first within a chain; chains longest first (the kernels finish
    together). Without a record of shared results, every run is its own chain."""
    pairs = cache.shared_results(CHAIN_MIN_SECONDS)
    expected = {stem: cache.expected_seconds(stem) or float("inf") for stem in {j.notebook.stem for j in todo}}
    groups: list[list["execute.Job"]] = []
    for job in todo:
        linked = [g for g in groups if g[0].scenario == job.scenario
                  and any(frozenset((job.notebook.stem, o.notebook.stem)) in pairs for o in g)]
        merged = [job] + [o for g in linked for o in g]
        groups = [g for g in groups if all(g is not h for h in linked)] + [merged]
    for g in groups:
        g.sort(key=lambda j: -expected[j.notebook.stem])
    return sorted(groups, key=lambda g: -sum(min(expected[j.notebook.stem], 1e9) for j in g))


def record_trace(job: "execute.Job", seconds: float | None = None) -> None:
    """Record a finished run's reads (written by its kernel) as its cache key; without them, no record."""
    try:
        trace = json.loads(job.trace_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cache.forget_run(job.output)  # nothing recorded: the run is simply executed again next time
        return
    finally:
        job.trace_path.unlink(missing_ok=True)
    cache.record_run(job.output, job.notebook, job.parameters, trace, seconds)


def _warm_renderer() -> None:
    """Import the renderer and load the Vega bundle (seconds, once per process) while the kernels start."""
    import threading

    def warm() -> None:
        try:
            from . import render, vega  # noqa: F401 - imported for the side effect of being loaded

            vega.javascript_bundle()
        except Exception:  # noqa: BLE001 - only a head start: the render stage imports and reports
            pass

    threading.Thread(target=warm, daemon=True, name="warm-renderer").start()


def _render_and_publish(project: "render.Project", to_render: list[Variant], variants: list[Variant], resolved,
                        engine: str, render_keys: dict[str, str | None], prog: Progress, n: int) -> None:
    """Render the variants into a staging folder, then swap them into the output folder at once."""
    from . import colophon

    staging = project.output_dir.parent / f"_staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    prog.say(f"Rendering {len(to_render)} report(s) with the "
             f"{'Quarto' if engine == 'quarto' else 'embedded pandoc + Typst'} engine"
             + ("" if engine == "quarto" or shutil.which("quarto") else " (quarto is not on PATH)"))
    when = colophon.build_time()
    editions = colophon.all_editions([colophon.edition_of(v.name, resolved[v.name], bool(v.overrides))
                                      for v in variants])
    for v in to_render:  # beside the executed notebooks, where both engines read it
        colophon.write(variant_dir(v.name), colophon.edition_metadata(
            resolved[v.name], v.name, v.overrides, engine, when, f"{project.output_file}.pdf"), editions)
    try:
        t0 = time.perf_counter()
        if engine == "quarto":
            _render_quarto(project, to_render, staging, prog)
        else:
            _render_embedded(project, to_render, staging, prog, n)
        prog.say(f"Rendered in {time.perf_counter() - t0:.1f} s; publishing to {project.output_dir}")
        with signals_deferred():
            for v in to_render:
                cache.forget_render(variant_dir(v.name))
            publish(staging, project.output_dir)
            for v in to_render:
                files = published_outputs([v], project.output_dir, project.output_file)
                cache.record_render(variant_dir(v.name), render_keys[v.name], files)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
