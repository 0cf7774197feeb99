"""Execute notebooks with papermill on a pool of warm kernels.

Starting a kernel and importing pandas and Altair costs seconds per notebook; a pool of kernels,
one per job slot, pays it once per slot. Each run starts from a cleared namespace, so notebooks
stay independent. Kernels talk over IPC files, so parallel kernels never race for TCP ports.
A run writes to a hidden file beside its output and is moved into place only when it succeeded;
a failed run is kept as <notebook>.failed.ipynb. Every kernel is registered before it starts, so
an interrupt or a failure shuts all of them down and none is left behind.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import papermill as pm
from jupyter_client import KernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillExecutionError

#: Imports paid once per kernel, not once per notebook.
WARM_UP = "import analysis.charts, analysis.roadmap, analysis.assumptions, numpy, pandas, altair"
#: Cleared before each run so no notebook sees another's variables.
RESET = "get_ipython().run_line_magic('reset', '-f')"
ENGINE = "tengw-pool"


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


class RunFailed(Exception):
    """A notebook raised; the message names scenario, notebook and cell, and the kept notebook."""

    def __init__(self, job: Job, detail: str, kept: Path | None = None):
        self.job = job
        where = f"; executed notebook kept at {kept}" if kept else ""
        super().__init__(f"scenario {job.scenario!r}, notebook {job.notebook.name}: {detail}{where}")


class Interrupted(Exception):
    """The pool was closed (interrupt or another run failed) while this kernel was starting."""


class WarmKernel:
    """One kernel kept alive across notebook runs."""

    def __init__(self, cwd: Path, pool: "KernelPool | None" = None):
        self._dir = tempfile.mkdtemp(prefix="tengw-kernel-")
        # nbclient gets an async client from this manager: a blocking one would block its event loop
        # in a read that never returns when the kernel dies, instead of noticing the death.
        self.km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(self._dir, "k"),
                                client_class="jupyter_client.asynchronous.AsyncKernelClient")
        self.pool = pool
        if pool is not None:
            pool.register(self)  # before the process exists, so a shutdown cannot miss it
        self.km.start_kernel(cwd=str(cwd), env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
        if pool is not None and pool.closed:
            self.shutdown()
            raise Interrupted("build stopped while a kernel was starting")
        self._run(WARM_UP)

    def _run(self, code: str) -> None:
        kc = self.km.blocking_client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            reply = kc.execute_interactive(code, timeout=120, output_hook=lambda msg: None)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"kernel set-up failed: {reply['content'].get('evalue')}")
        finally:
            kc.stop_channels()

    def reset(self) -> None:
        """Clear the namespace; start a new kernel if this one died (never once the pool is closed)."""
        if self.pool is not None and self.pool.closed:
            raise Interrupted("build stopped")
        if not self.km.is_alive():
            self.km.restart_kernel(now=True)
            self._run(WARM_UP)
        self._run(RESET)

    def pid(self) -> int | None:
        proc = getattr(self.km, "provisioner", None)
        return getattr(getattr(proc, "process", None), "pid", None)

    def shutdown(self) -> None:
        """Stop the kernel and anything it started (it leads its own process group)."""
        pid = self.pid()
        try:
            if self.km.has_kernel:
                self.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001 - best effort on the way out: the kill below remains
            pass
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:  # the group is already gone
                pass
        shutil.rmtree(self._dir, ignore_errors=True)


class KernelPool:
    """The kernels of one build; closing it shuts every one down, including those still starting."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kernels: list[WarmKernel] = []
        self.closed = False

    def register(self, kernel: WarmKernel) -> None:
        with self._lock:
            self._kernels.append(kernel)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            kernels, self._kernels = self._kernels, []
        for k in kernels:
            k.shutdown()


class PoolEngine(NBClientEngine):
    """Papermill engine that runs on the warm kernel passed as `km`, and closes its channels."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
        kwargs.pop("input_path", None)
        client = PapermillNotebookClient(nb_man, kernel_name=kernel_name, timeout=execution_timeout,
                                         startup_timeout=start_timeout, log_output=log_output,
                                         stdout_file=stdout_file, stderr_file=stderr_file, **kwargs)
        try:
            return client.execute()
        finally:
            if client.kc is not None:
                client.kc.stop_channels()


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
    """Execute one job with papermill, on a warm kernel when given; publish its output only on success."""
    job.output.parent.mkdir(parents=True, exist_ok=True)
    extra = {"engine_name": ENGINE, "km": kernel.km} if kernel else {}
    if kernel:
        kernel.reset()
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
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        kept = _keep_failed(job)
        raise RunFailed(job, f"{_running_cell(kept, job.notebook)}{type(exc).__name__}: {first}", kept) from None
    os.replace(job.running_path, job.output)
    job.failed_path.unlink(missing_ok=True)


def run_all(jobs: list[Job], n_jobs: int, cwd: Path,
            on_event: Callable[[str, Job, BaseException | None], None] = lambda *a: None) -> None:
    """Run every job on n_jobs warm kernels; stop at the first failure and shut every kernel down.

    on_event(kind, job, exc) is called with kind "start", "done" or "fail" from the worker threads.
    """
    todo: queue.Queue[Job] = queue.Queue()
    for j in jobs:
        todo.put(j)
    failures: list[BaseException] = []
    pool = KernelPool()
    stop = threading.Event()

    def worker() -> None:
        try:
            kernel = WarmKernel(cwd, pool)
        except Interrupted:
            return
        except BaseException as exc:  # noqa: BLE001
            if not stop.is_set():
                failures.append(RuntimeError(f"could not start a kernel: {exc}"))
            stop.set()
            return
        while not stop.is_set():
            try:
                job = todo.get_nowait()
            except queue.Empty:
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

    threads = [threading.Thread(target=worker, daemon=True, name=f"kernel-{i}")
               for i in range(max(1, min(n_jobs, len(jobs))))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.1)
                if stop.is_set():
                    break
    finally:
        # Reached on success, on the first failure and on Ctrl-C alike: no kernel outlives the build.
        stop.set()
        pool.close()
        for t in threads:
            t.join(5)
        for j in jobs:
            j.running_path.unlink(missing_ok=True)
    if failures:
        raise failures[0]
