"""One progress display for the whole build: runs done of total, what is running, elapsed time.

On a terminal it redraws a single status line; in a log (CI, a pipe) it prints one line per
finished run; quiet prints nothing. Messages (stages, failures) go above the status line.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m:d}:{s:02d}"


class Progress:
    """Track runs started, finished and failed, and show them on one line."""

    def __init__(self, total: int = 0, quiet: bool = False, stream: TextIO | None = None,
                 tick_seconds: float = 0.5):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = not quiet and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.total = total
        self.done = 0
        self.cached = 0
        self.running: dict[str, float] = {}
        self.t0 = time.perf_counter()
        self._lock = threading.RLock()
        self._shown = False
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._tick = tick_seconds

    # --- output ------------------------------------------------------------------------------
    def status(self) -> str:
        """Return the status line: [done/total] elapsed, and the runs in progress with their time."""
        now = time.perf_counter()
        running = ", ".join(f"{n} {now - t:.0f}s" for n, t in sorted(self.running.items(), key=lambda x: x[1]))
        extra = f" ({self.cached} cached)" if self.cached else ""
        return (f"[{self.done}/{self.total}]{extra} {_clock(now - self.t0)}"
                + (f"  running: {running}" if running else ""))

    def _draw(self) -> None:
        if self.live:
            width = 160
            self.stream.write("\r\033[K" + self.status()[:width])
            self.stream.flush()
            self._shown = True

    def _clear(self) -> None:
        if self.live and self._shown:
            self.stream.write("\r\033[K")
            self._shown = False

    def say(self, msg: str) -> None:
        """Print a message above the status line (nothing when quiet)."""
        if self.quiet:
            return
        with self._lock:
            self._clear()
            print(msg, file=self.stream, flush=True)
            if self.running:
                self._draw()

    def error(self, msg: str) -> None:
        """Print an error, even when quiet."""
        with self._lock:
            self._clear()
            print(msg, file=self.stream, flush=True)

    # --- events ------------------------------------------------------------------------------
    def start(self, name: str) -> None:
        with self._lock:
            self.running[name] = time.perf_counter()
            self._draw()
        if self.live and self._ticker is None:
            self._ticker = threading.Thread(target=self._tick_loop, daemon=True)
            self._ticker.start()

    def finish(self, name: str, ok: bool = True) -> None:
        with self._lock:
            started = self.running.pop(name, time.perf_counter())
            if ok:
                self.done += 1
            if not self.live and not self.quiet and ok:
                print(f"  [{self.done}/{self.total}] {name} ({time.perf_counter() - started:.1f} s)",
                      file=self.stream, flush=True)
            self._draw()

    def skip(self, n: int) -> None:
        """Count n runs served from the cache as done."""
        with self._lock:
            self.done += n
            self.cached += n

    def _tick_loop(self) -> None:
        while not self._stop.wait(self._tick):
            with self._lock:
                if self.running:
                    self._draw()

    def close(self) -> None:
        """Stop redrawing and leave the terminal on a clean line."""
        self._stop.set()
        with self._lock:
            self._clear()
            if self.live:
                self.stream.flush()
