"""The colophon: each edition names the commit, digests, versions, engine and date that built it."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pymupdf
import pytest

from analysis import assumptions, build, cache, colophon, paths, render
from analysis.errors import InputError
from conftest import edition_pages


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(paths.ROOT), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture
def meta(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    return colophon.edition_metadata(assumptions.resolve("base"), "base", {}, "embedded", colophon.build_time())


def test_the_colophon_states_what_the_cache_keys_on(meta):
    """Same computation: the digests printed are the cache's own."""
    assert meta["data_sha256"] == cache.data_digest()
    assert meta["code_sha256"] == cache.code_digest()
    assert meta["environment_sha256"] == cache.deps_digest()
    assert meta["lock_sha256"] == cache.lock_digest()
    assert meta["commit"] == git("rev-parse", "HEAD")
    assert meta["build_time"] == "2026-09-21T14:13:20Z" and meta["build_date"] == "2026-09-21"
    assert all(re.fullmatch(r"[0-9a-f]{64}", meta[k]) for k in meta if k.endswith("_sha256"))
    versions = cache.environment()["distributions"]
    assert f"pandas {versions['pandas']}" in meta["packages"] and f"typst {versions['typst']}" in meta["packages"]


def test_the_assumptions_digest_follows_values_not_spelling():
    base = assumptions.resolve("base")
    digest = cache.assumptions_digest(base.assumptions.model_dump(mode="json"))
    same = assumptions.resolve("base", {"pue": base.assumptions.pue})
    other = assumptions.resolve("base", {"pue": round(base.assumptions.pue + 0.05, 2)})
    assert cache.assumptions_digest(same.assumptions.model_dump(mode="json")) == digest
    assert cache.assumptions_digest(other.assumptions.model_dump(mode="json")) != digest


def test_the_commit_and_date_key_the_render_not_the_runs(monkeypatch):
    """A new commit re-renders every edition (its colophon names the commit) but re-executes nothing."""
    nb = paths.NOTEBOOKS / "summary.ipynb"
    params = {"scenario": "base", "overrides": {}}
    run, render_key = cache.run_key(nb, params), cache.render_key([], {})
    monkeypatch.setattr(cache, "source_state", lambda: {"commit": "0" * 40, "changed": []})
    assert cache.run_key(nb, params) == run
    assert cache.render_key([], {}) != render_key
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    assert cache.run_key(nb, params) == run and cache.render_key([], {}) != render_key


def test_the_tree_state_counts_only_build_inputs(tmp_path, monkeypatch):
    """An edited library file marks the edition modified; a scratch file outside the inputs does not."""
    repo = tmp_path / "repo"
    (repo / "analysis").mkdir(parents=True)
    (repo / "analysis" / "x.py").write_text("x = 1\n")
    run = lambda *a: subprocess.run(["git", "-C", str(repo), *a], check=True, capture_output=True)  # noqa: E731
    run("init", "-q")
    run("add", ".")
    run("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    monkeypatch.setattr(paths, "ROOT", repo)
    cache.source_state.cache_clear()
    try:
        (repo / "notes.txt").write_text("scratch")
        state = cache.source_state()
        assert state["commit"] == subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                                                 text=True).stdout.strip() and state["changed"] == []
        (repo / "analysis" / "x.py").write_text("x = 2\n")
        (repo / "analysis" / "new.py").write_text("")
        cache.source_state.cache_clear()
        assert cache.source_state()["changed"] == ["analysis/new.py", "analysis/x.py"]
        monkeypatch.setattr(paths, "ROOT", tmp_path)  # not a git checkout
        cache.source_state.cache_clear()
        assert cache.source_state() == {"commit": None, "changed": []}
    finally:
        cache.source_state.cache_clear()


def test_source_date_epoch_fixes_the_build_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert colophon.build_time() == dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH must be whole seconds"):
        colophon.build_time()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert colophon.build_time().microsecond == 0


def test_a_bad_source_date_epoch_stops_the_build_before_any_kernel(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "2026-01-01")
    monkeypatch.setattr(build, "plan", lambda *a, **k: build.Plan(["summary"], {}, {("base", "summary")},
                                                                     {"base"}, {}))
    started = []
    import analysis.execute

    monkeypatch.setattr(analysis.execute, "run_all", lambda *a, **k: started.append(a))
    monkeypatch.setattr(build, "start_kernels", lambda n: started.append(n))
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH"):
        build.build([build.Variant("base", "base")], quiet=True)
    assert not started


def test_shortcodes_are_filled_and_unknown_ones_refused(meta):
    text = "Built at {{< meta edition.build_time >}} from {{<meta edition.commit>}}."
    # Filled as markdown that reads back as the value (Quarto reads the metadata file as markdown too).
    want = f"Built at {colophon.literal(meta['build_time'])} from {colophon.literal(meta['commit'])}."
    assert render.expand_meta(text, meta, "x.qmd") == want
    with pytest.raises(InputError, match="no edition metadata 'edition.nope'"):
        render.expand_meta("{{< meta edition.nope >}}", meta, "x.qmd")
    with pytest.raises(InputError, match="fills only"):
        render.expand_meta("{{< var x >}}", meta, "x.qmd")
    with pytest.raises(InputError, match="no edition metadata"):  # rendered without the build's metadata
        render.qmd_blocks(paths.REPORT / "colophon.qmd", {})


def test_the_colophon_chapter_uses_only_keys_the_build_writes(meta):
    used = set(re.findall(r"\{\{<\s*meta\s+edition\.(\w+)\s*>\}\}", (paths.REPORT / "colophon.qmd").read_text()))
    assert used and used <= set(meta), used - set(meta)
    assert "colophon.qmd" in render.read_project().chapters


def test_metadata_round_trips_through_the_files_both_engines_read(meta, tmp_path):
    colophon.write(tmp_path, meta)
    assert colophon.read(tmp_path) == meta
    head = (tmp_path / colophon.HEAD_FILE).read_text()
    assert f'<meta name="tengw-git-commit" content="{meta["commit"]}">' in head
    assert '<meta name="dcterms.created" content="2026-09-21T14:13:20Z">' in head


# --- the built report ---------------------------------------------------------------------------

def editions(out):
    return sorted(p.parent for p in out.glob("*/index.html"))


@pytest.mark.build
def test_every_edition_carries_its_colophon_in_html_and_pdf(built_report):
    found = editions(built_report)
    assert {p.name for p in found} >= set(assumptions.scenario_names())
    for folder in found:
        meta = colophon.read(paths.BUILD / folder.name)
        assert meta, f"no {colophon.META_FILE} beside build/{folder.name}'s notebooks (Quarto reads it there)"
        assert (paths.BUILD / folder.name / colophon.HEAD_FILE).is_file()
        assert meta["commit"] == git("rev-parse", "HEAD")
        # Every page of the edition: the embedded engine's one page, or Quarto's page per chapter.
        pages = [p.read_text(encoding="utf-8") for p in edition_pages(folder)]
        html = pages[0]
        head = html[:html.index("</head>")]
        for key, name in colophon.META_NAMES.items():
            assert f'<meta name="{name}" content="' in head, f"{folder.name}: no <meta name={name}>"
        assert f'content="{meta["data_sha256"]}"' in head and f'content="{meta["build_time"]}"' in head
        whole = "".join(pages)
        section = whole[whole.index('id="sec-colophon"'):]
        for key in ("commit", "data_sha256", "assumptions_sha256", "environment_sha256", "build_time_text"):
            assert meta[key] in section, f"{folder.name}: the colophon section lacks {key}"
        assert "{{<" not in whole
        with pymupdf.open(folder / "report.pdf") as pdf:
            last = "".join(pdf[i].get_text() for i in range(pdf.page_count - 2, pdf.page_count))
            created = pdf.metadata["creationDate"]
        assert "Colophon" in last and meta["commit"] in last and meta["assumptions_sha256"] in last
        assert meta["python"] in last and meta["build_time_text"] in last
        assert created.startswith("D:" + meta["build_time"].replace("-", "").replace(":", "").replace("T", "")[:14])
