"""Execute notebooks with papermill on a pool of warm kernels.

Starting a kernel and importing pandas and Altair costs seconds per notebook; a pool of kernels,
one per job slot (analysis/kernels.py), pays it once per slot. Each run starts from a cleared
namespace, so notebooks stay independent. A run writes to a hidden file beside its output and is
moved into place only when it succeeded; a failed run is kept as <notebook>.failed.ipynb. An interrupt or a failure shuts every kernel down.

Per run the kernel also records what the notebook read (analysis/reads.py) into a hidden
.<stem>.reads.json beside the output, which keys the run in the build cache (analysis/cache.py).
What a run costs beyond its own cells was measured and cut: one kernel client per kernel for the
whole build (a new one waits ~0.2 s for its IOPub channel to settle), the namespace reset and the
read recorder sent in the same request as silent code, the warm-up's objects frozen out of the
garbage collector (IPython's reset calls gc.collect(), which otherwise walks Altair's and pandas'
hundreds of thousands of objects every run), and the running notebook saved when a cell starts but
not again when it completes.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import papermill as pm
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
from papermill.exceptions import PapermillExecutionError

from .kernels import WARM_UP, Interrupted, KernelPool, WarmKernel  # noqa: F401 - the pool lives there

#: Cleared before each run so no notebook sees another's variables.
RESET = "get_ipython().run_line_magic('reset', '-f')"
ENGINE = "tengw-pool"


def setup_code(parameters: dict[str, Any]) -> str:
    """Return the silent code run before a notebook's first cell: clear the namespace, start recording reads."""
    return (f"{RESET}\n"
            f"__import__('analysis.reads').reads.start(__import__('json').loads({json.dumps(json.dumps(parameters, default=str))}))")


def teardown_code(trace: Path) -> str:
    """Return the silent code run after the last cell: write what the run read to `trace`."""
    return f"__import__('analysis.reads').reads.finish({str(trace)!r})"


@dataclass(frozen=True)
class Job:
    """One (scenario, notebook) run: where it reads, where it writes, with which parameters."""

    scenario: str
    notebook: Path
    output: Path
    parameters: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.scenario}/{self.notebook.stem}"

    @property
    def running_path(self) -> Path:
        """Where the run writes while it executes (hidden, beside the output)."""
        return self.output.with_name(f".{self.output.stem}.running.ipynb")

    @property
    def failed_path(self) -> Path:
        """Where a failed run's executed notebook is kept for inspection."""
        return self.output.with_name(f"{self.output.stem}.failed.ipynb")

    @property
    def trace_path(self) -> Path:
        """Where the kernel writes what the run read (analysis/reads.py), for the run's cache record."""
        return self.output.with_name(f".{self.output.stem}.reads.json")


class RunFailed(Exception):
    """A notebook raised; the message names scenario, notebook and cell, and the kept notebook."""

    def __init__(self, job: Job, detail: str, kept: Path | None = None):
        self.job = job
        where = f"; executed notebook kept at {kept}" if kept else ""
        super().__init__(f"scenario {job.scenario!r}, notebook {job.notebook.name}: {detail}{where}")



#: A cell running longer than this (seconds) has the running notebook saved, showing which cell runs.
SLOW_CELL_S = 1.0


class _Manager(NotebookExecutionManager):
    """Papermill saves the whole running notebook when each cell starts and again when it completes
    (a deep copy, validation and JSON of a growing notebook: ~15% of the build process's time).
    This manager saves when the notebook starts, when a cell has run for SLOW_CELL_S (so an
    interrupted or stuck run shows which cell it is in) and, after a failure, at the end."""

    def save(self, **kwargs):
        """Papermill's own saves (each cell's start and end): skipped."""

    def save_now(self) -> None:
        super().save()


class PoolClient(PapermillNotebookClient):
    """Papermill's client, running silent set-up and tear-down code around the notebook's cells."""

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        # The save runs on this event loop between two messages, so it never sees a half-updated notebook.
        timer = asyncio.get_running_loop().call_later(SLOW_CELL_S, self.nb_man.save_now)
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count=execution_count,
                                                    store_history=store_history)
        finally:
            timer.cancel()

    execute_cell = run_sync(async_execute_cell)

    def run_notebook(self, setup: str, teardown: str):
        self.reset_execution_trackers()
        with self.setup_kernel():
            self._silent(setup)
            self.papermill_execute_cells()
            self._silent(teardown)
            info_msg = self.wait_for_reply(self.kc.kernel_info())
            self.nb.metadata["language_info"] = info_msg["content"]["language_info"]
            self.set_widgets_metadata()
        return self.nb

    def _silent(self, code: str) -> None:
        if not code:
            return
        reply = self.wait_for_reply(self.kc.execute(code, silent=True, store_history=False, allow_stdin=False))
        if reply is None or reply["content"]["status"] != "ok":
            detail = (reply or {}).get("content", {})
            raise RuntimeError(f"run set-up failed: {detail.get('ename', '')}: {detail.get('evalue', 'no reply')}")


class PoolEngine(NBClientEngine):
    """Papermill engine that runs on the warm kernel and client passed as `km` and `kc`."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                         autosave_cell_every=30, **kwargs):
        nb_man = _Manager(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                          autosave_cell_every=autosave_cell_every)
        nb_man.notebook_start()
        nb_man.save_now()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        except BaseException:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
            nb_man.save_now()  # a dead kernel: the kept notebook shows the cells that ran
            raise
        nb_man.cleanup_pbar()
        nb_man.notebook_complete()  # papermill writes the finished notebook once, after this
        return nb_man.nb

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
        kwargs.pop("input_path", None)
        kc = kwargs.pop("kc", None)
        setup, teardown = kwargs.pop("setup", ""), kwargs.pop("teardown", "")
        client = PoolClient(nb_man, kernel_name=kernel_name, timeout=execution_timeout,
                            startup_timeout=start_timeout, log_output=log_output,
                            stdout_file=stdout_file, stderr_file=stderr_file, **kwargs)
        client.kc = kc  # the kernel's own client, kept open across its runs
        return client.run_notebook(setup, teardown)


papermill_engines.register(ENGINE, PoolEngine)


def _source_cell(notebook: Path, source: str) -> int | None:
    """Return the 0-based index of the cell with this source in the stored notebook.

    Papermill inserts an injected-parameters cell, so indices in the executed notebook are shifted;
    messages say "cell N" counting from 1 in the notebook the reader opens.
    """
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None
    for i, cell in enumerate(cells):
        text = cell.get("source", "")
        if ("".join(text) if isinstance(text, list) else text) == source:
            return i
    return None


def _describe(job: Job, exc: PapermillExecutionError) -> str:
    index = _source_cell(job.notebook, exc.source)
    first = next((ln for ln in (exc.source or "").splitlines() if ln.strip() and not ln.startswith("#|")), "")
    where = f"cell {index + 1}" if index is not None else f"executed cell {exc.cell_index + 1}"
    code = f" ({first.strip()[:60]})" if first else ""
    value = str(exc.evalue).strip().splitlines()[0] if str(exc.evalue).strip() else ""
    return f"{where}{code}: {exc.ename}: {value}"


def _running_cell(executed: Path | None, notebook: Path) -> str:
    """Return 'cell N (first line): ' for the cell papermill marked failed or running in an executed notebook."""
    try:
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"] if executed else []
    except (OSError, ValueError, KeyError):
        return ""
    meta = [c.get("metadata", {}).get("papermill", {}) for c in cells]
    marked = [c for c, m in zip(cells, meta) if m.get("status") in ("failed", "running")]
    # When the kernel dies papermill marks every cell completed; the last one started is the culprit.
    started = [c for c, m in zip(cells, meta) if m.get("start_time")]
    for cell in (marked or started[-1:])[:1]:
            src = cell.get("source", "")
            src = "".join(src) if isinstance(src, list) else src
            index = _source_cell(notebook, src)
            first = next((ln for ln in src.splitlines() if ln.strip() and not ln.startswith("#|")), "")
            where = f"cell {index + 1}" if index is not None else "a cell"
            return where + (f" ({first.strip()[:60]})" if first else "") + ": "
    return ""


def _keep_failed(job: Job) -> Path | None:
    if job.running_path.exists():
        os.replace(job.running_path, job.failed_path)
        return job.failed_path
    return None


def run_one(job: Job, kernel: WarmKernel | None, timeout: int = 600) -> None:
    """Execute one job with papermill, on a warm kernel when given; publish its output only on success.

    On a warm kernel the run also leaves what it read in job.trace_path."""
    job.output.parent.mkdir(parents=True, exist_ok=True)
    job.trace_path.unlink(missing_ok=True)
    extra: dict[str, Any] = {}
    if kernel:
        kernel.ready()
        extra = {"engine_name": ENGINE, "km": kernel.km, "kc": kernel.kc,
                 "setup": setup_code(job.parameters), "teardown": teardown_code(job.trace_path)}
    try:
        pm.execute_notebook(str(job.notebook), str(job.running_path), parameters=job.parameters,
                            kernel_name="python3", progress_bar=False, log_output=False,
                            execution_timeout=timeout, **extra)
    except PapermillExecutionError as exc:
        raise RunFailed(job, _describe(job, exc), _keep_failed(job)) from None
    except Exception as exc:  # noqa: BLE001 - a dead kernel or timeout: say which run
        if kernel is not None and kernel.pool is not None and kernel.pool.closed:
            job.running_path.unlink(missing_ok=True)
            raise Interrupted("build stopped") from None
        if kernel is not None:
            kernel._close_client()  # a dead kernel's client is of no use to the next run
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        kept = _keep_failed(job)
        raise RunFailed(job, f"{_running_cell(kept, job.notebook)}{type(exc).__name__}: {first}", kept) from None
    os.replace(job.running_path, job.output)
    job.failed_path.unlink(missing_ok=True)


def run_all(jobs: list[Job], n_jobs: int, cwd: Path,
            on_event: Callable[[str, Job, BaseException | None], None] = lambda *a: None,
            pool: KernelPool | None = None, chains: list[list[Job]] | None = None) -> None:
    """Run every job on n_jobs warm kernels (those of `pool` if it was started ahead); stop at the
    first failure and shut every kernel down.

    `chains` (default: each job alone, in the order given) groups jobs that run one after the other
    on the same kernel, in the order listed: runs that need the same costly result, so one computes
    it and the next reuses it instead of a second kernel waiting for it. Kernels take chains in order.
    on_event(kind, job, exc) is called with kind "start", "done" or "fail" from the worker threads.
    With a `pool` from the caller, a successful run leaves the kernels stopping in the background
    (the caller waits with pool.wait_closed()); any failure or interrupt stops them before returning.
    """
    chains = chains if chains is not None else [[j] for j in jobs]
    if sorted(id(j) for c in chains for j in c) != sorted(id(j) for j in jobs):
        raise ValueError("chains must hold every job exactly once")
    todo: queue.Queue[list[Job]] = queue.Queue()
    for c in chains:
        todo.put(c)
    failures: list[BaseException] = []
    background = pool is not None
    pool = pool or KernelPool()
    if not pool.started:
        pool.start(max(1, min(n_jobs, len(chains))), cwd)
    stop = threading.Event()
    finished = False

    def worker() -> None:
        try:
            kernel = pool.take()
        except Interrupted:
            return
        except BaseException as exc:  # noqa: BLE001
            if not stop.is_set():
                failures.append(RuntimeError(f"could not start a kernel: {exc}"))
            stop.set()
            return
        while not stop.is_set():
            try:
                chain = todo.get_nowait()
            except queue.Empty:
                return
            for job in chain:
                if stop.is_set():
                    return
                on_event("start", job, None)
                try:
                    run_one(job, kernel)
                except Interrupted:
                    return
                except BaseException as exc:  # noqa: BLE001
                    if not stop.is_set():
                        failures.append(exc)
                        on_event("fail", job, exc)
                    stop.set()
                    return
                on_event("done", job, None)

    threads = [threading.Thread(target=worker, daemon=True, name=f"kernel-{i}") for i in range(pool.started)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.1)
                if stop.is_set():
                    break
        finished = not failures
    finally:
        # Reached on success, on the first failure and on Ctrl-C alike: no kernel outlives the build.
        stop.set()
        pool.close(wait=not (finished and background))
        for t in threads:
            t.join(5)
        for j in jobs:
            j.running_path.unlink(missing_ok=True)
            if failures:
                j.trace_path.unlink(missing_ok=True)
    if failures:
        raise failures[0]
