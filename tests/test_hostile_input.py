"""Hostile input, generated: variant names, --set values, scenario files and data files.

For every input the command line (run in this process, on a sandbox with its own build and output
folders) exits 0 or 2 and never shows a traceback; on exit 2 it says one line, within 2 s, before
any kernel starts, and build/ and the published report keep every byte. Whatever it does, it writes
nowhere but those two folders and the staging folder beside the output, which it removes (every file
write is seen through a Python audit hook), and never touches a published scenario edition. Kernels and renderers are stubs that write where they are
told: what is under test is where the build decides to write, and what it refuses.
"""

from __future__ import annotations

import contextlib
import csv
import faulthandler
import io
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from analysis import build, cache, cli, data, execute, paths, render, safe_yaml
from analysis.errors import InputError
from fixture_project import snapshot

#: Exit-2 answers must come within this many seconds (the acceptance figure; the work is ~0.1 s).
REFUSAL_SECONDS = 2.0
#: A successful (stubbed) build of one variant: generous, it only has to show nothing hangs.
BUILD_SECONDS = 20.0
#: Past this, a run is taken for hung and the test process ends with every thread's stack.
HANG_SECONDS = 120

# --- a sandbox the build writes into, watched by an audit hook ----------------------------------

_WRITE_EVENTS = {"os.mkdir", "os.remove", "os.rmdir", "shutil.rmtree", "os.symlink", "os.link",
                 "os.truncate", "os.chmod", "os.utime"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_recording: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    """Note every path this process writes, creates, moves or deletes while _recording is a list."""
    rec = _recording
    if rec is None:
        return
    if event == "open":
        path, mode, flags = args
        writes = isinstance(mode, str) and any(c in mode for c in "wax+")
        if writes or (isinstance(flags, int) and flags & _WRITE_FLAGS):
            rec.append(path)
    elif event in _WRITE_EVENTS:
        path, dir_fd = args[0], args[-1] if event in ("os.remove", "os.rmdir", "os.mkdir") else None
        if isinstance(dir_fd, int) and dir_fd >= 0 and not os.path.isabs(os.fsdecode(path)):
            path = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), os.fsdecode(path))  # rmtree's way
        rec.append(path)
    elif event in ("os.rename", "shutil.copyfile", "shutil.copytree", "shutil.move"):
        rec += [args[0], args[1]] if event in ("os.rename", "shutil.move") else [args[1]]


sys.addaudithook(_audit)  # cannot be removed; costs nothing while _recording is None


@dataclass
class Sandbox:
    top: Path  # holds only build/ and out/; its parents are watched too
    build: Path
    out: Path
    inputs: Path  # where tests write scenario files (outside the watched tree)
    kernel_runs: list[int]

    def editions(self) -> dict[str, str]:
        """Bytes of the published editions (root page and PDF, one folder per scenario)."""
        snap = snapshot(self.out)
        keep = {"index.html", "report.pdf"} | set(paths.scenario_names())
        return {k: v for k, v in snap.items() if k.split("/")[0] in keep}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    top = base / "a" / "b"  # two levels deep, so '../../x' lands where the test looks
    build_dir, out = top / "build", top / "out"
    for rel in ["index.html", "report.pdf"] + [f"{s}/{f}" for s in paths.scenario_names()
                                               for f in ("index.html", "report.pdf")]:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(f"published edition {rel}")
    build_dir.mkdir()
    inputs = base / "inputs"
    inputs.mkdir()
    runs: list[int] = []

    def fake_run_all(jobs, n_jobs, cwd, on_event=lambda *a: None, pool=None, chains=None):
        runs.append(len(jobs))
        for job in jobs:
            on_event("start", job, None)
            job.output.parent.mkdir(parents=True, exist_ok=True)
            job.output.write_text(json.dumps({"cells": [], "parameters": job.parameters}, default=str))
            on_event("done", job, None)

    def fake_html(project, blocks, edition_dir, out_path, link_prefix):  # edition_dir: build/<variant>
        Path(out_path).write_text(f"variant {Path(edition_dir).name}")

    def fake_pdf(project, blocks, edition_dir, out_path):
        Path(out_path).write_bytes(b"%PDF-stub")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(paths, "BUILD", build_dir)
        mp.setattr(paths, "OUTPUT_OVERRIDE", str(out))
        mp.setattr(execute, "run_all", fake_run_all)
        mp.setattr(build, "start_kernels", lambda n: None)  # no real kernel behind the fake runs
        mp.setattr(build, "_warm_renderer", lambda: None)  # a head start for real renders only
        mp.setattr(render, "report_blocks", lambda project, executed, *edition: [])
        mp.setattr(render, "render_html", fake_html)
        mp.setattr(render, "render_pdf", fake_pdf)
        sb = Sandbox(top, build_dir, out, inputs, runs)
        _run(sb, ["validate"])  # imports and data caches warm before anything is timed
        yield sb


def _inside(path: str, roots: list[Path]) -> bool:
    real = os.path.realpath(os.fsdecode(path))
    return any(real == str(r) or real.startswith(str(r) + os.sep) for r in roots)


def _around(sb: Sandbox) -> list[list[str]]:
    """What sits beside the two folders, and two levels up: where '../..' in a name would write."""
    return [sorted(os.listdir(d)) for d in (sb.top, sb.top.parent, sb.top.parent.parent)]


def _run(sb: Sandbox, argv: list[str]) -> tuple[int, str]:
    """Run the command line in this process and check what every run must satisfy; return rc, stderr."""
    global _recording
    before = snapshot(sb.out), snapshot(sb.build)
    around = _around(sb)
    editions = sb.editions()
    runs = len(sb.kernel_runs)
    err = io.StringIO()
    writes: list[str] = []
    t0 = time.perf_counter()
    _recording = writes
    # A hang (an alias bomb being printed, say) is stuck in C code no signal interrupts: dump the stacks
    # and end the test process rather than let CI wait for its time limit.
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            # The embedded engine's renders are faked here; Quarto, where installed, is tested elsewhere.
            rc = cli.main(argv + ["--engine", "embedded"] if argv[:1] == ["build"] else argv)
    finally:
        faulthandler.cancel_dump_traceback_later()
        _recording = None
    seconds = time.perf_counter() - t0
    text = err.getvalue()
    assert rc in (0, 2), (argv, rc, text)
    assert "Traceback" not in text, text
    allowed = [p.resolve() for p in (sb.build, sb.out, sb.top / f"_staging-{os.getpid()}")]
    outside = [w for w in writes if not isinstance(w, int) and "__pycache__" not in os.fsdecode(w)
               and not _inside(w, allowed)]
    assert not outside, f"{argv} wrote outside build/ and the output folder: {outside[:3]}"
    assert _around(sb) == around, f"{argv} left something beside build/ and the output folder"
    assert sb.editions() == editions, f"{argv} changed a published edition"
    if rc == 2:
        lines = text.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), text
        assert (snapshot(sb.out), snapshot(sb.build)) == before, f"{argv} exited 2 but changed files"
        assert len(sb.kernel_runs) == runs, f"{argv} exited 2 after starting kernels"
        assert seconds < REFUSAL_SECONDS, f"{argv} took {seconds:.2f} s to refuse"
    else:
        assert seconds < BUILD_SECONDS, f"{argv} took {seconds:.1f} s"
    return rc, text


# --- what the attacks are made of ---------------------------------------------------------------

ATTACK_NAMES = ["../../x", "..", ".", "{ABS}", "a/b", "a/../../x", "./x", "x/..", "base", "constrained",
                "accelerated", "restructured", "index.html", "report.pdf", "-rf", ".hidden", "x" * 65,
                "a\x00b", "é", "two words", "base/", "~", "$HOME", "x\ny"]
names = st.one_of(
    st.from_regex(paths.NAME, fullmatch=True),
    st.sampled_from(ATTACK_NAMES),
    st.lists(st.sampled_from(["..", ".", "/", "x", "base", "a"]), min_size=1, max_size=5).map("".join),
    st.text(max_size=12),
)
GOOD_SETS = [("pue", "1.3"), ("pue", "1.35"), ("utilisation", "0.7"), ("schedule_gw_per_half", "[1, 2, 2]")]


def _bomb(width: int, depth: int) -> str:
    """A flow list whose aliases expand to width**depth values."""
    parts = [f"&l0 [{', '.join(['1'] * width)}]"]
    parts += [f"&l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, depth)]
    return f"[{', '.join(parts)}]"


yaml_values = st.one_of(
    st.sampled_from(["1.3", "0.7", "2", "it", "[1, 1.5]", ".nan", "-.inf", "1e400", "null", "~", "true", "'x'",
                     "{a: 1, a: 2}", "[{a: 1, a: 2}]", "&a [*a]", "*undefined", "!!binary aGk=", "!!set {a, b}",
                     "!!omap [a: 1]", "2025-01-01", "!!python/object/apply:os.system ['touch pwned']", "%YAML 9",
                     "<<: {a: 1}", "[1, 2", "'", "\x1b", "\x00"]),
    st.builds(_bomb, st.integers(2, 12), st.integers(2, 9)),
    st.integers(1, 200).map(lambda n: "[" * n + "]" * n),
    st.integers(10, 6000).map(lambda n: "9" * n),
    st.text(max_size=20),
)
fuzz_keys = st.one_of(st.sampled_from(["pue", "utilisation", "power_basis", "schedule_gw_per_half", "mc_draws"]),
                      st.text(max_size=12))
good_pairs = st.lists(st.sampled_from(GOOD_SETS), min_size=1, max_size=3, unique_by=lambda kv: kv[0])
set_pairs = st.one_of(good_pairs, st.lists(st.one_of(st.sampled_from(GOOD_SETS), st.tuples(fuzz_keys, yaml_values)),
                                           min_size=1, max_size=3))


def _argv_name(name: str | None, sb: Sandbox) -> list[str]:
    if name is None:
        return []
    return ["--name", name.replace("{ABS}", str(sb.top.parent / "abs-escape"))]


# --- the properties -------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.one_of(st.none(), names), sets=set_pairs,
       scenario=st.sampled_from([[], ["--scenario", "base"], ["--scenario", "constrained"]]),
       replace=st.booleans())
def test_any_variant_name_and_set_values_build_or_are_refused_safely(sandbox, name, sets, scenario, replace):
    argv = ["build", "--quiet", *scenario, *_argv_name(name, sandbox)]
    for k, v in sets:
        argv += ["--set", f"{k}={v}"]
    rc, err = _run(sandbox, argv + (["--replace"] if replace else []))
    event(f"exit {rc}")
    if name is not None and name in paths.scenario_names():
        assert rc == 2, err


@st.composite
def scenario_files(draw) -> tuple[bytes, str | None]:
    """A scenario file, plausible or not, with one attack on its structure or its bytes; and the words
    the refusal must hold when the attack is one the loader must refuse (None: exit 0 or 2 will do)."""
    attack = draw(st.sampled_from(["none", "none", "bomb", "cycle", "deep", "duplicate", "bytes", "bom", "control",
                                   "size", "merge", "not a mapping", "fuzz"]))
    entries = draw(st.lists(st.tuples(fuzz_keys, yaml_values), max_size=4) if attack == "fuzz" else good_pairs)
    lines = ["title: Mine", "description: a test", "assumptions:"] + [f"  {k}: {v}" for k, v in entries]
    refusal = None
    if attack == "bomb":
        width, depth = draw(st.integers(2, 12)), draw(st.integers(2, 9))
        lines.append(f"  useful_life_options_years: {_bomb(width, depth)}")
        refusal = "once its aliases are expanded" if width ** depth > 2 * safe_yaml.MAX_NODES else None
    elif attack == "cycle":
        lines.append("  useful_life_options_years: &s [1, *s]")
        refusal = "refers to the value that contains it"
    elif attack == "deep":
        n = draw(st.integers(1, 400))
        lines.append(f"  useful_life_options_years: {'[' * n}1{']' * n}")
        refusal = "nested deeper" if n > safe_yaml.MAX_DEPTH else None
    elif attack == "duplicate":
        at = draw(st.sampled_from(["top", "assumptions", "nested"]))
        lines += {"top": ["title: Twice"], "assumptions": ["  pue: 1.3", "  pue: 1.4"],
                  "nested": ["  power_basis: {a: 1, b: 2, a: 3}"]}[at]
        refusal = "is given twice"
    elif attack == "merge":
        lines += ["  extra: &e {pue: 1.3}", "  <<: *e"]
    elif attack == "not a mapping":
        lines = [draw(st.sampled_from(["- 1", "just words", "42", "[]"]))]
        refusal = "expected a mapping"
    text = "\n".join(lines) + "\n"
    if attack == "size":
        text += "# " + "x" * draw(st.integers(1, 100_000)) + "\n"
        refusal = "larger than" if len(text) > safe_yaml.MAX_FILE_BYTES else None
    if attack == "control":
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + draw(st.characters(max_codepoint=31, exclude_characters="\n\r\t")) + text[pos:]
        refusal = "is not allowed in YAML"
    raw = text.encode("utf-8")
    if attack == "bom":
        raw = b"\xef\xbb\xbf" + raw
    if attack == "bytes":
        pos = draw(st.integers(0, len(raw)))
        raw = raw[:pos] + draw(st.binary(min_size=1, max_size=3)) + raw[pos:]
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            refusal = "not UTF-8"
    return raw, refusal


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(attack=scenario_files(), name=st.one_of(st.none(), names))
def test_any_scenario_file_builds_or_is_refused_safely(sandbox, attack, name):
    raw, refusal = attack
    f = sandbox.inputs / "mine.yaml"
    f.write_bytes(raw)
    rc, err = _run(sandbox, ["build", "--quiet", "--scenario-file", str(f), *_argv_name(name, sandbox)])
    event(f"exit {rc}")
    if refusal and name is None:  # (a bad --name may be what is refused first)
        assert rc == 2 and refusal in err, (refusal, err)


def test_a_variant_name_is_kept_for_its_inputs(sandbox):
    """The same variant rebuilds under its name; other inputs need another name or --replace."""
    mine = ["build", "--quiet", "--set", "pue=1.25", "--name", "kept"]
    assert _run(sandbox, mine)[0] == 0
    assert _run(sandbox, mine)[0] == 0  # the same inputs again: allowed (and nothing to do)
    rc, err = _run(sandbox, ["build", "--set", "pue=1.26", "--name", "kept"])
    assert rc == 2 and "built from scenario base with pue=1.25" in err and "--replace" in err, err
    assert _run(sandbox, ["build", "--quiet", "--set", "pue=1.26", "--name", "kept", "--replace"])[0] == 0
    assert (sandbox.out / "kept" / "index.html").read_text() == "variant kept"


def test_a_scenario_file_that_never_ends_is_refused(sandbox):
    """A pipe, a device or a folder given as a scenario file: refused before anything reads it whole."""
    fifo = sandbox.inputs / "pipe.yaml"
    os.mkfifo(fifo)
    big = sandbox.inputs / "big.yaml"
    big.write_bytes(b"# " + b"x" * (10 * safe_yaml.MAX_FILE_BYTES))
    try:
        for f in (fifo, "/dev/zero", sandbox.inputs):
            rc, err = _run(sandbox, ["build", "--scenario-file", str(f)])
            assert rc == 2 and "not a regular file" in err, err
        rc, err = _run(sandbox, ["build", "--scenario-file", str(big)])
        assert rc == 2 and "larger than 64 kB" in err, err
    finally:
        fifo.unlink()
        big.unlink()


def test_a_variant_folder_that_links_elsewhere_is_refused(sandbox):
    """Defence in depth: a name that passes the alphabet still may not lead out through a symlink."""
    elsewhere = sandbox.inputs / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    link = sandbox.build / "linked"
    link.symlink_to(elsewhere, target_is_directory=True)
    try:
        rc, err = _run(sandbox, ["build", "--quiet", "--set", "pue=1.3", "--name", "linked"])
    finally:
        link.unlink()
    assert rc == 2 and "refusing to write outside" in err, err
    assert not list(elsewhere.iterdir())


# --- data files as a user edits them ----------------------------------------------------------

def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _write(path: Path, rows: list[list[str]]) -> list[int]:
    """Write rows as CSV; return the line each row starts on."""
    buf, starts = io.StringIO(), []
    w = csv.writer(buf, lineterminator="\n")
    for row in rows:
        starts.append(buf.getvalue().count("\n") + 1)
        w.writerow(row)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return starts


#: The columns that identify a row of each table, stated here independently of analysis/data.py.
ID_COLUMNS = {"sources": ("source_id",), "deal_events": ("event_id",), "platforms": ("platform", "metric"),
              "commitments": ("commitment_id",), "facts": ("fact_id",), "risks": ("risk_id",),
              "financing": ("event_id",), "financing_parties": ("party_id",), "sites": ("site_id",),
              "grid_intensity": ("case_id",), "water": ("case_id",), "supply": ("item_id",),
              "signposts": ("signpost_id",), "reference_cases": ("class_id", "case"),
              "risk_calibration": ("risk_id",)}


@st.composite
def data_attacks(draw):
    """(table, kind, mutate) where mutate(path) damages the file and returns the words the error must hold."""
    kind = draw(st.sampled_from(["duplicate id", "stray character", "unknown source", "empty", "header only",
                                 "bad byte", "utf-16"]))
    pool = {"stray character": [n for n, s in data.TABLES.items() if s.numeric],
            "unknown source": [n for n in data.TABLES if n != "sources"]}.get(kind, sorted(data.TABLES))
    table = draw(st.sampled_from(pool))
    spec = data.TABLES[table]
    where = f"data/{spec.file}"
    pick = draw(st.randoms(use_true_random=False))

    def mutate(path: Path) -> list[str]:
        rows = _rows(path)
        header, body = rows[0], rows[1:]
        if kind == "empty":
            path.write_bytes(b"")
            return [where, "empty"]
        if kind == "header only":
            _write(path, [header])
            return [where, "no rows"]
        if kind == "utf-16":
            path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
            return [where, "line 1", "not UTF-8"]
        i = pick.randrange(len(body))
        if kind == "duplicate id":
            starts = _write(path, rows + [body[i]])
            return [where, f"line {starts[-1]}", f"column {ID_COLUMNS[table][-1]}", f"repeats line {starts[i + 1]}"]
        if kind == "stray character":
            col = pick.choice(spec.numeric)
            filled = [r for r in range(len(body)) if body[r][header.index(col)].strip()]
            i = pick.choice(filled)
            cell = body[i][header.index(col)].strip()
            pos = pick.randrange(len(cell) + 1)
            body[i][header.index(col)] = cell[:pos] + pick.choice("x_%,$ #'٣O") + cell[pos:]
            if body[i][header.index(col)].strip() == cell:  # a space at either end is not a stray character
                body[i][header.index(col)] += "x"
            starts = _write(path, [header] + body)
            return [where, f"line {starts[i + 1]}", f"column {col}", "not a number"]
        if kind == "unknown source":
            body[i][header.index("source_id")] = "no_such_source_" + str(pick.randrange(1000))
            starts = _write(path, [header] + body)
            return [where, f"line {starts[i + 1]}", "column source_id", "not a source_id"]
        # a byte that is never UTF-8, inside one cell
        j = pick.randrange(len(header))
        body[i][j] += "\x07MARK"
        starts = _write(path, [header] + body)
        path.write_bytes(path.read_bytes().replace(b"\x07MARK", bytes([pick.randrange(0xF8, 0x100)])))
        return [where, f"line {starts[i + 1]}", f"column {header[j]}", "not UTF-8"]

    return table, kind, mutate


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(attack=data_attacks())
def test_any_damaged_data_file_is_refused_naming_file_line_and_column(sandbox, tmp_path_factory, attack):
    table, kind, mutate = attack
    top = tmp_path_factory.mktemp("data")
    shutil.copytree(paths.DATA, top / "data")
    expected = mutate(top / "data" / data.TABLES[table].file)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(paths, "ROOT", top)
        mp.setattr(paths, "DATA", top / "data")
        mp.setattr(paths, "SCENARIOS", top / "data" / "scenarios")
        cache.data_digest.cache_clear()
        data._load_all.cache_clear()
        try:
            rc, err = _run(sandbox, ["build", "--quiet", "--scenario", "base", "--set", "pue=1.31"])
        finally:
            cache.data_digest.cache_clear()
            data._load_all.cache_clear()
    assert rc == 2, f"{kind} in {table} was accepted"
    for words in expected:
        assert words in err, (kind, words, err)


# --- the loader on its own: a few kB never cost more than a fraction of a second ----------------

@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(attack=scenario_files())
def test_the_yaml_loader_answers_fast_or_refuses_in_one_line(tmp_path_factory, attack):
    raw, refusal = attack
    f = tmp_path_factory.mktemp("y") / "f.yaml"
    f.write_bytes(raw)
    t0 = time.perf_counter()
    try:
        safe_yaml.read(f)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert refusal in (None, "expected a mapping"), f"accepted, but should be refused: {refusal}"
    assert time.perf_counter() - t0 < 1.0


def test_duplicate_keys_are_named_with_both_lines():
    with pytest.raises(Exception, match=r"key 'pue' is given twice \(lines 4 and 5\)"):
        safe_yaml.loads("title: t\ndescription: d\nassumptions:\n  pue: 1.3\n  pue: 1.4\n", "mine.yaml")
    with pytest.raises(Exception, match=r"key 'a' is given twice \(line 2, columns 9 and 21\)"):
        safe_yaml.loads("x: 1\ny: [1, {a: 1, b: 2, a: 3}]\n", "mine.yaml")
    # A merge key ('<<') may be overridden, as YAML intends: not a duplicate.
    assert safe_yaml.loads("d: &d {pue: 1.2}\ne: {<<: *d, pue: 1.3}\n", "m.yaml")["e"] == {"pue": 1.3}


def test_aliases_within_bounds_still_work():
    doc = safe_yaml.loads("a: &s [1, 1.5]\nb: *s\n", "m.yaml")
    assert doc == {"a": [1, 1.5], "b": [1, 1.5]}


def test_a_file_read_twice_is_parsed_once_and_each_reader_gets_its_own_copy(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("title: t\nassumptions:\n  pue: 1.3\n", encoding="utf-8")
    safe_yaml._parse.cache_clear()
    first = safe_yaml.read(f)
    first["assumptions"]["pue"] = 9.9  # a caller changing its document changes nobody else's
    assert safe_yaml.read(f) == {"title": "t", "assumptions": {"pue": 1.3}}
    assert safe_yaml._parse.cache_info().hits == 1
    f.write_text("title: t\nassumptions:\n  pue: 1.4\n", encoding="utf-8")  # new bytes: parsed again
    assert safe_yaml.read(f)["assumptions"]["pue"] == 1.4
    f.write_bytes(b"title: \xff\n")  # a refusal is never served from the memo
    with pytest.raises(InputError, match=r"s.yaml line 1, column 8: not UTF-8"):
        safe_yaml.read(f)
