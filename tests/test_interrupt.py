"""Killing a build midway: Ctrl-C of the build, SIGKILL of a kernel.

Each leaves the last good report byte for byte, no kernel process behind (found by scanning /proc
for a marker in the environment the build passes to its kernels), and the next build succeeds.
"""

from __future__ import annotations

import json
import os
import signal
import uuid

import pytest

from fixture_project import TINY, cli, kernels_with, make_project, popen, processes_with, snapshot, wait_for

SLOW = {"TENGW_TEST_SLEEP": "120"}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return make_project(tmp_path_factory.mktemp("interrupt") / "p")


def _start_slow_build(root, marker: str):
    """Start a forced build whose chapter sleeps; return it once a kernel is executing the notebook."""
    key, value = marker.split("=")
    proc = popen(root, "build", "--scenario", "base", "--force", **SLOW, **{key: value})
    running = wait_for(lambda: _sleeping(root) or proc.poll() is not None, timeout=90)
    assert running and proc.poll() is None, proc.communicate()[1] if proc.poll() is not None else "timed out"
    return proc


def _sleeping(root) -> bool:
    """Return whether the kernel is inside the chapter's sleeping cell (papermill marks it running)."""
    for nb in (root / "build" / "base").glob(".*.running.ipynb"):
        try:
            cells = json.loads(nb.read_text())["cells"]
        except (OSError, ValueError, KeyError):
            return False
        return any("TENGW_TEST_SLEEP" in "".join(c["source"]) and
                   c["metadata"].get("papermill", {}).get("status") == "running" for c in cells)
    return False


def _no_kernel_left(marker: str) -> None:
    # Checked right after the build exits: the build must have stopped its kernels itself, not left
    # them to notice their parent is gone (ipykernel polls for that once a second).
    left = wait_for(lambda: not kernels_with(marker), timeout=0.3, every=0.05)
    assert left, f"kernel processes left behind: {kernels_with(marker)}"
    assert not processes_with(marker), f"processes left behind: {processes_with(marker)}"


def _build_ok(root) -> None:
    proc = cli(root, "build", "--scenario", "base")
    assert proc.returncode == 0, proc.stderr
    assert "1 executed" in proc.stdout, proc.stdout  # a real run: the interrupted one left no cache record


def test_sigint_stops_every_kernel_and_keeps_the_report(project):
    # The last good report: stand-in files are enough to show nothing is touched (saves a build).
    for rel in ("index.html", "report.pdf", "base/index.html", "base/report.pdf"):
        (project / "out" / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / "out" / rel).write_text(f"last good {rel}")
    before = snapshot(project / "out")
    marker = f"TENGW_TEST_MARK={uuid.uuid4().hex}"
    proc = _start_slow_build(project, marker)
    try:
        assert kernels_with(marker), "no kernel found to interrupt"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    _no_kernel_left(marker)
    assert snapshot(project / "out") == before
    assert not list((project / "build").rglob(".*.running.ipynb"))
    assert not list(project.glob("_staging-*"))
    _build_ok(project)


def test_sigkill_of_a_kernel_fails_the_build_cleanly(project):
    before = snapshot(project / "out")
    marker = f"TENGW_TEST_MARK={uuid.uuid4().hex}"
    proc = _start_slow_build(project, marker)
    try:
        kernels = kernels_with(marker)
        assert len(kernels) == 1
        os.kill(kernels[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 1
    line = err.strip().splitlines()[-1]
    assert "'base'" in line and f"{TINY}.ipynb" in line and "Kernel died" in line and "cell 3" in line, err
    assert "Traceback" not in err
    _no_kernel_left(marker)
    assert snapshot(project / "out") == before
    assert (project / "build" / "base" / f"{TINY}.failed.ipynb").exists()
    _build_ok(project)
    assert not (project / "build" / "base" / f"{TINY}.failed.ipynb").exists()


def test_ctrl_c_in_process_stops_kernels_while_the_parent_lives(tmp_path, monkeypatch):
    """The build must stop its own kernels on Ctrl-C. Here the parent process stays alive, so
    ipykernel's watch on its parent cannot be what stops them (the subprocess tests cannot tell)."""
    import _thread
    import threading

    import nbformat

    from analysis import execute
    from fixture_project import tiny_notebook

    marker = f"TENGW_TEST_MARK={uuid.uuid4().hex}"
    key, value = marker.split("=")
    monkeypatch.setenv(key, value)
    monkeypatch.setenv("TENGW_TEST_SLEEP", "120")
    nb = tmp_path / "tiny.ipynb"
    nbformat.write(tiny_notebook(), nb)
    job = execute.Job("base", nb, tmp_path / "out" / "tiny.ipynb", {"scenario": "base", "overrides": {}})

    def interrupt_once_running() -> None:
        if wait_for(lambda: job.running_path.exists() and "TENGW_TEST_SLEEP" in job.running_path.read_text()
                    and '"status": "running"' in job.running_path.read_text(), timeout=90, every=0.1):
            _thread.interrupt_main()

    threading.Thread(target=interrupt_once_running, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        execute.run_all([job], 1, tmp_path)
    left = kernels_with(marker)
    assert not left, f"kernels still running after Ctrl-C while their parent lives: {left}"
    assert not job.output.exists() and not job.running_path.exists()
