"""The build on a small copy of the project: parallel runs, the cache, variants, failures, publishing."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import nbformat
import pytest

from analysis import build, cache, paths
from analysis.progress import Progress
from fixture_project import TINY, cli, make_project, popen, snapshot, tiny_notebook, wait_for

SCENARIOS = ("--scenario", "base", "--scenario", "constrained")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the project with one tiny chapter, built once for two scenarios on two kernels."""
    root = make_project(tmp_path_factory.mktemp("build") / "p")
    # A cell that fails only when the test asks, so the notebook (and its cache key) stays the same.
    nbformat.write(tiny_notebook(["if os.environ.get('TENGW_TEST_FAIL') == scenario:\n    1 / 0"]),
                   root / "notebooks" / f"{TINY}.ipynb")
    proc = cli(root, "build", *SCENARIOS, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert "on 2 kernel(s)" in proc.stderr
    return root


def test_cold_build_publishes_every_variant(project):
    out = project / "out"
    for rel in ("index.html", "report.pdf", "base/index.html", "base/report.pdf",
                "constrained/index.html", "constrained/report.pdf"):
        assert (out / rel).stat().st_size > 0, rel
    # Each scenario's chapter was run with its own parameters (PUE 1.2 in base, 1.3 in constrained).
    assert "The PUE in this scenario is 1.3." in (out / "constrained" / "index.html").read_text()
    assert "The PUE in this scenario is 1.2." in (out / "base" / "index.html").read_text()
    assert not list(project.glob("_staging-*")), "staging folder left behind"


def test_no_change_rebuild_does_no_work_in_under_a_second(project):
    before = snapshot(project / "out")
    executed = {p: p.stat().st_mtime_ns for p in (project / "build").rglob("*.ipynb")}
    t0 = time.perf_counter()
    proc = cli(project, "build", *SCENARIOS)
    seconds = time.perf_counter() - t0
    assert proc.returncode == 0, proc.stderr
    assert "nothing changed" in proc.stdout
    assert "Executing" not in proc.stderr and "Rendering" not in proc.stderr
    assert seconds < 1.0, f"no-change rebuild took {seconds:.2f} s (with Python start-up)"
    assert snapshot(project / "out") == before
    assert {p: p.stat().st_mtime_ns for p in (project / "build").rglob("*.ipynb")} == executed


def test_set_builds_a_named_variant_beside_the_others(project):
    before = snapshot(project / "out")
    proc = cli(project, "build", "--set", "pue=1.45", "--name", "my-pue")
    assert proc.returncode == 0, proc.stderr
    assert "1 executed" in proc.stdout
    page = (project / "out" / "my-pue" / "index.html").read_text()
    assert "The PUE in this scenario is 1.45." in page
    after = snapshot(project / "out")
    assert {k: v for k, v in after.items() if not k.startswith("my-pue/")} == before


def test_two_builds_at_once_take_turns_and_publish_one_complete_build(project):
    """The second build waits for the first (one line says so), then finds nothing left to do."""
    args = ("build", "--set", "pue=1.55", "--name", "together")
    first = popen(project, *args, TENGW_TEST_SLEEP="3")
    try:
        running = wait_for(lambda: list((project / "build" / "together").glob(".*.running.ipynb"))
                           or first.poll() is not None, timeout=90)
        assert running and first.poll() is None, first.communicate()[1]
        second = popen(project, *args)
        out2, err2 = second.communicate(timeout=300)
        out1, err1 = first.communicate(timeout=300)
    finally:
        first.kill()
    assert first.returncode == 0 and "1 executed" in out1, err1
    assert second.returncode == 0, err2
    assert "Waiting for the build already running" in err2 and "nothing changed" in out2, (out2, err2)
    record = json.loads((project / "build" / "together" / ".render.json").read_text())
    assert sorted(Path(p).name for p in record["outputs"]) == ["index.html", "report.pdf"]
    assert all(list(cache._stat(Path(p))) == st for p, st in record["outputs"].items()), "published files changed"
    assert "The PUE in this scenario is 1.55." in (project / "out" / "together" / "index.html").read_text()
    assert not list(project.glob("_staging-*")) and not list((project / "out").glob(".old-*"))


def test_failed_run_names_scenario_notebook_cell_and_keeps_last_report(project):
    before = snapshot(project / "out")
    proc = cli(project, "build", *SCENARIOS, "--force", "--quiet", TENGW_TEST_FAIL="constrained")
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "'constrained'" in lines[0] and f"{TINY}.ipynb" in lines[0] and "cell 4" in lines[0]
    assert "ZeroDivisionError" in lines[0]
    kept = project / "build" / "constrained" / f"{TINY}.failed.ipynb"
    assert kept.exists() and str(kept) in lines[0]
    errors = [o for c in json.loads(kept.read_text())["cells"] for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors and errors[0]["ename"] == "ZeroDivisionError"
    assert snapshot(project / "out") == before
    assert not list((project / "build").rglob(".*.running.ipynb"))


def test_jobs_write_to_distinct_paths():
    variants = [build.Variant(n, n) for n in ("base", "constrained")] + [
        build.Variant(build.variant_name("base", {"pue": 1.3}), "base", {"pue": 1.3}),
        build.Variant(build.variant_name("base", {"pue": 1.4}), "base", {"pue": 1.4})]
    jobs = build.jobs_for(variants, ["a", "b"])
    outputs = [j.output for j in jobs] + [j.running_path for j in jobs] + [j.failed_path for j in jobs]
    assert len(set(outputs)) == len(outputs) == 24
    assert all(paths.BUILD in o.parents for o in outputs)


def test_variant_names_are_stable_and_distinct():
    a = build.variant_name("base", {"pue": 1.3, "utilisation": 0.7})
    assert a == build.variant_name("base", {"utilisation": 0.7, "pue": 1.3})
    assert a != build.variant_name("base", {"pue": 1.31, "utilisation": 0.7})
    assert build.variant_name("base", {}) == "base"


def test_progress_in_a_log_prints_one_line_per_run_and_quiet_prints_nothing():
    log = io.StringIO()
    prog = Progress(total=3, stream=log)
    prog.skip(1)
    prog.start("base/a")
    prog.start("base/b")
    assert "base/a" in prog.status() and "base/b" in prog.status() and prog.status().startswith("[1/3]")
    prog.finish("base/a")
    prog.finish("base/b")
    prog.close()
    assert [ln.split(" (")[0].strip() for ln in log.getvalue().splitlines()] == ["[2/3] base/a", "[3/3] base/b"]
    quiet = io.StringIO()
    q = Progress(total=1, quiet=True, stream=quiet)
    q.start("x")
    q.say("stage")
    q.finish("x")
    q.close()
    assert quiet.getvalue() == ""


def test_progress_on_a_terminal_redraws_one_line():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    prog = Progress(total=2, stream=tty)
    prog.start("base/a")
    prog.finish("base/a")
    prog.close()
    text = tty.getvalue()
    assert "\n" not in text and "\r" in text and "[1/2]" in text


def test_lab_target_opens_the_notebooks_with_the_project_environment():
    makefile = (paths.ROOT / "Makefile").read_text()
    lab = makefile.split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert "notebooks" in lab and "$(BIN)/jupyter lab" in lab


def test_runs_that_shared_a_costly_result_are_chained_on_one_kernel(tmp_path, monkeypatch):
    """Two chapters whose runs of one edition asked for the same slow stored result last time are one
    chain (the longer first), per variant; a result under the threshold or in another edition does not
    link them, and every other run stays a chain of its own."""
    monkeypatch.setattr(paths, "BUILD", tmp_path / "build")
    seconds = {"risks": 3.9, "summary": 2.6, "deal": 0.8, "energy": 0.5}

    def record(edition: str, stem: str, used: dict[str, float]) -> None:
        folder = paths.BUILD / edition
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f".{stem}.key").write_text(json.dumps({"seconds": seconds[stem], "trace": {"results": used}}))

    record("base", "risks", {"analysis.risk.judgement/f/1": 1.4, "analysis.risk.simulate/f/2": 0.2})
    record("base", "summary", {"analysis.risk.judgement/f/1": 1.4, "analysis.risk.simulate/f/2": 0.2})
    record("base", "deal", {"analysis.risk.simulate/f/2": 0.2})  # shares only a quick result
    record("base", "energy", {})
    record("constrained", "deal", {"analysis.risk.judgement/f/1": 1.4})  # same entry id, other edition
    variants = [build.Variant("base", "base"), build.Variant("v", "base", {"pue": 1.3})]
    todo = build.jobs_for(variants, ["deal", "energy", "risks", "summary"])
    groups = build.chains(todo)
    names = [[j.name for j in g] for g in groups]
    assert ["base/risks", "base/summary"] in names and ["v/risks", "v/summary"] in names
    assert sorted(j.name for g in groups for j in g) == sorted(j.name for j in todo)
    assert all(len(g) == 1 for g in groups if g[0].notebook.stem in ("deal", "energy"))
    assert names[0][0].endswith("/risks")  # the longest chain first
    monkeypatch.setattr(build, "CHAIN_MIN_SECONDS", 10.0)
    assert all(len(g) == 1 for g in build.chains(todo))


def test_run_all_refuses_chains_that_lose_or_repeat_a_run():
    from analysis import execute

    todo = build.jobs_for([build.Variant("base", "base")], ["a", "b"])
    with pytest.raises(ValueError, match="exactly once"):
        execute.run_all(todo, 1, paths.NOTEBOOKS, chains=[[todo[0]]])
    with pytest.raises(ValueError, match="exactly once"):
        execute.run_all(todo, 1, paths.NOTEBOOKS, chains=[[todo[0], todo[1]], [todo[1]]])
