"""Warm kernels for the build: started as soon as the build knows it will run a chapter.

This module imports only jupyter_client (not papermill and nbformat, analysis/execute.py), so the
build can launch its kernels first and import the rest while they start (their imports and warm-up
take ~1.5 s of CPU each). Kernels talk over IPC files, so parallel kernels never race for TCP ports.
Every kernel is registered before it starts, so an interrupt or a failure shuts all of them down
and none is left behind.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import tempfile
import threading
from pathlib import Path

from jupyter_client import KernelManager
from jupyter_core.utils import run_sync

#: Imports paid once per kernel, not once per notebook; then the imported objects are frozen out of
#: the garbage collector's reach (gc.freeze), so a collection walks only what a run allocated.
WARM_UP = ("import analysis.speedups; analysis.speedups.apply()\n"
           "import analysis.charts, analysis.roadmap, analysis.assumptions, analysis.reads, analysis.results\n"
           "import numpy, pandas, altair, gc\n"
           "analysis.cache.code_digest(); analysis.cache.deps_digest(); analysis.charts.warm()\n"
           "gc.collect(); gc.freeze()")


class Interrupted(Exception):
    """The pool was closed (interrupt or another run failed) while this kernel was starting."""


class WarmKernel:
    """One kernel kept alive across notebook runs."""

    def __init__(self, cwd: Path, pool: "KernelPool | None" = None):
        self.kc = None  # the client every run of this kernel uses, opened in the thread that runs them
        self._dir = tempfile.mkdtemp(prefix="tengw-kernel-")
        # nbclient gets an async client from this manager: a blocking one would block its event loop
        # in a read that never returns when the kernel dies, instead of noticing the death.
        self.km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(self._dir, "k"),
                                client_class="jupyter_client.asynchronous.AsyncKernelClient")
        self.pool = pool
        if pool is not None:
            pool.register(self)  # before the process exists, so a shutdown cannot miss it
        # No input history: IPython writes it to SQLite and syncs it to disk on every reset, which a
        # build never reads back.
        self.km.start_kernel(cwd=str(cwd), env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
                             extra_arguments=["--HistoryManager.enabled=False"])
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

    def ready(self) -> None:
        """Start a new kernel if this one died (never once the pool is closed); open the run client once.

        The namespace is cleared by each run's set-up code (setup_code), in the run's own request."""
        if self.pool is not None and self.pool.closed:
            raise Interrupted("build stopped")
        if not self.km.is_alive():
            self._close_client()
            self.km.restart_kernel(now=True)
            self._run(WARM_UP)
        if self.kc is None:
            kc = self.km.client()
            kc.start_channels()
            run_sync(kc.wait_for_ready)(timeout=60)
            kc.allow_stdin = False
            self.kc = kc

    def _close_client(self) -> None:
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # noqa: BLE001 - closing on the way out or after a kernel died
                pass
            self.kc = None

    def pid(self) -> int | None:
        proc = getattr(self.km, "provisioner", None)
        return getattr(getattr(proc, "process", None), "pid", None)

    def shutdown(self) -> None:
        """Stop the kernel and anything it started (it leads its own process group)."""
        self._close_client()
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
    """The kernels of one build; closing it shuts every one down, including those still starting.

    start(n) launches n kernels in background threads; run_all's workers take them as they are ready."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kernels: list[WarmKernel] = []
        self._ready: queue.Queue[WarmKernel | BaseException] = queue.Queue()
        self.started = 0
        self.closed = False
        self._closing: list[threading.Thread] = []

    def register(self, kernel: WarmKernel) -> None:
        with self._lock:
            self._kernels.append(kernel)

    def start(self, n: int, cwd: Path) -> "KernelPool":
        """Start n more kernels in background threads."""
        def one() -> None:
            try:
                self._ready.put(WarmKernel(cwd, self))
            except BaseException as exc:  # noqa: BLE001 - handed to the worker that takes it
                self._ready.put(exc)

        for i in range(n):
            threading.Thread(target=one, daemon=True, name=f"kernel-start-{self.started + i}").start()
        self.started += n
        return self

    def take(self) -> WarmKernel:
        """Return the next kernel that finished starting (raise what stopped one from starting)."""
        while True:
            try:
                item = self._ready.get(timeout=0.1)
            except queue.Empty:
                if self.closed:
                    raise Interrupted("build stopped while kernels were starting") from None
                continue
            if isinstance(item, BaseException):
                raise item
            return item

    def close(self, wait: bool = True) -> None:
        """Shut every kernel down, all at once; without `wait`, in the background (the build renders
        meanwhile and calls wait_closed() before it returns, so no kernel outlives it)."""
        with self._lock:
            self.closed = True
            kernels, self._kernels = self._kernels, []
        threads = [threading.Thread(target=k.shutdown, daemon=True, name="kernel-stop") for k in kernels]
        for t in threads:
            t.start()
        self._closing += threads
        if wait:
            self.wait_closed()

    def wait_closed(self) -> None:
        """Return once every kernel closed so far has stopped."""
        for t in self._closing:
            t.join()
        self._closing = []
