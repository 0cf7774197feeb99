"""Execute notebooks with papermill on a pool of warm kernels.

Starting a kernel and importing pandas and Altair costs seconds per notebook; a pool of kernels,
one per job slot, pays it once per slot. Each run starts from a cleared namespace, so notebooks
stay independent. Kernels talk over IPC files, so parallel kernels never race for TCP ports.
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import nbformat
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


class RunFailed(Exception):
    """A notebook raised; the message names scenario, notebook and cell."""

    def __init__(self, job: Job, detail: str):
        self.job = job
        super().__init__(f"scenario {job.scenario!r}, notebook {job.notebook.name}: {detail}")


class WarmKernel:
    """One kernel kept alive across notebook runs."""

    def __init__(self, cwd: Path):
        self._dir = tempfile.mkdtemp(prefix="tengw-kernel-")
        self.km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(self._dir, "k"))
        self.km.start_kernel(cwd=str(cwd), env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
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
        """Clear the namespace; start a new kernel if this one died."""
        if not self.km.is_alive():
            self.km.restart_kernel(now=True)
            self._run(WARM_UP)
        self._run(RESET)

    def pid(self) -> int | None:
        proc = getattr(self.km, "provisioner", None)
        return getattr(getattr(proc, "process", None), "pid", None)

    def shutdown(self) -> None:
        try:
            self.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001 - best effort on the way out
            pass
        shutil.rmtree(self._dir, ignore_errors=True)


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


def _describe(exc: PapermillExecutionError) -> str:
    return f"cell {exc.exec_count}: {exc.ename}: {str(exc.evalue).splitlines()[0] if exc.evalue else ''}"


def run_one(job: Job, kernel: WarmKernel | None, timeout: int = 600) -> None:
    """Execute one job with papermill, on a warm kernel when given."""
    job.output.parent.mkdir(parents=True, exist_ok=True)
    extra = {"engine_name": ENGINE, "km": kernel.km} if kernel else {}
    if kernel:
        kernel.reset()
    try:
        pm.execute_notebook(str(job.notebook), str(job.output), parameters=job.parameters,
                            kernel_name="python3", progress_bar=False, log_output=False,
                            execution_timeout=timeout, **extra)
    except PapermillExecutionError as exc:
        raise RunFailed(job, _describe(exc)) from None
    except Exception as exc:  # noqa: BLE001 - a dead kernel or timeout: say which run
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise RunFailed(job, f"{type(exc).__name__}: {first}") from None


def run_all(jobs: list[Job], n_jobs: int, cwd: Path,
            on_event: Callable[[str, Job, BaseException | None], None] = lambda *a: None) -> None:
    """Run every job on n_jobs warm kernels; stop at the first failure and shut every kernel down."""
    todo: queue.Queue[Job] = queue.Queue()
    for j in jobs:
        todo.put(j)
    failures: list[BaseException] = []
    kernels: list[WarmKernel] = []
    lock = threading.Lock()
    stop = threading.Event()

    def worker() -> None:
        try:
            kernel = WarmKernel(cwd)
        except BaseException as exc:  # noqa: BLE001
            failures.append(RuntimeError(f"could not start a kernel: {exc}"))
            stop.set()
            return
        with lock:
            kernels.append(kernel)
        while not stop.is_set():
            try:
                job = todo.get_nowait()
            except queue.Empty:
                return
            on_event("start", job, None)
            try:
                run_one(job, kernel)
            except BaseException as exc:  # noqa: BLE001
                if not stop.is_set():
                    failures.append(exc)
                    on_event("fail", job, exc)
                stop.set()
                return
            on_event("done", job, None)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, min(n_jobs, len(jobs))))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.1)
    except KeyboardInterrupt:
        stop.set()
        raise
    finally:
        stop.set()
        with lock:
            for k in kernels:
                k.shutdown()
    if failures:
        raise failures[0]


def has_parameters_cell(path: Path) -> bool:
    """Return whether a notebook has a cell tagged 'parameters'."""
    nb = nbformat.read(path, as_version=4)
    return any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells)
