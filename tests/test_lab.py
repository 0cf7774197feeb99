"""`make lab` as documented: the server starts (as root too, as in a container or on CI) and a chapter
runs in one of its kernels, computing its model results into an empty results store (stand-alone)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from jupyter_client import BlockingKernelClient

from analysis import paths
from fixture_project import wait_for

CHAPTER = "compute_roadmap"
TOKEN = "tengw-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(port: int, path: str, method: str = "GET", body: dict | None = None) -> dict | list:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        text = r.read().decode()
    return json.loads(text) if text else {}


@pytest.fixture
def lab(tmp_path):
    """`make lab` with a fixed port and token, its Jupyter state in tmp_path; stopped afterwards."""
    port = _free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws"),
           "TENGW_BUILD_DIR": str(tmp_path / "build")}  # an empty results store: the chapter computes it all
    args = f"--no-browser --port={port} --ServerApp.token={TOKEN} --ServerApp.ip=127.0.0.1"
    log = (tmp_path / "lab.log").open("w")
    proc = subprocess.Popen(["make", "--no-print-directory", "lab", f"ARGS={args}"], cwd=paths.ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def up():
        if proc.poll() is not None:
            return "exited"
        try:
            return _api(port, "/api/status")
        except OSError:
            return None

    try:
        state = wait_for(up, timeout=90, every=0.25)
        text = (tmp_path / "lab.log").read_text()
        assert state not in (None, "exited"), f"JupyterLab did not start:\n{text[-3000:]}"
        yield port, tmp_path
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_make_lab_starts_and_runs_a_chapter(lab):
    port, tmp = lab
    assert "Running as root is not recommended" not in (tmp / "lab.log").read_text()
    assert any(s["name"] == "python3" for s in _api(port, "/api/kernelspecs")["kernelspecs"].values())
    listing = _api(port, "/api/contents")  # the server's root is notebooks/
    assert f"{CHAPTER}.ipynb" in {item["name"] for item in listing["content"]}
    kernel = _api(port, "/api/kernels", "POST", {"name": "python3"})
    kc = BlockingKernelClient(connection_file=str(tmp / "runtime" / f"kernel-{kernel['id']}.json"))
    kc.load_connection_file()
    # No heartbeat: it declares the kernel dead after 1 s without a beat, which a loaded machine can miss.
    kc.start_channels(hb=False)
    try:
        kc.wait_for_ready(timeout=60)
        nb = json.loads((paths.NOTEBOOKS / f"{CHAPTER}.ipynb").read_text(encoding="utf-8"))
        figures = 0
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            outputs = []
            reply = kc.execute_interactive("".join(cell["source"]), timeout=120,
                                           output_hook=lambda msg: outputs.append(msg))
            assert reply["content"]["status"] == "ok", reply["content"].get("evalue")
            figures += sum("application/vnd.tengw.figure+json" in m["content"].get("data", {}) for m in outputs
                           if m["msg_type"] in ("display_data", "execute_result"))
        assert figures >= 3, "the chapter's charts were not displayed"
    finally:
        kc.stop_channels()
        _api(port, f"/api/kernels/{kernel['id']}", "DELETE")
    # Run stand-alone, the chapter computed its charts into the (empty) results store of its build folder.
    assert list((tmp / "build" / ".results" / "svg").rglob("*.svg"))
