"""The Quarto path: _quarto.yml names exactly the chapters the build renders, every file it names
exists, and where Quarto is installed, `quarto render` of the project works.
"""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from analysis import build, colophon, paths, render
from conftest import chapter_heading, quarto_chapters

#: Files _quarto.yml may name that the build writes before it calls Quarto (git-ignored): the Vega
#: bundle, and each edition's colophon metadata, written beside its executed notebooks (chapters/).
GENERATED = {"_vega.html", f"chapters/{colophon.META_FILE}", f"chapters/{colophon.HEAD_FILE}"}


def named_files(cfg: dict) -> list[str]:
    """Files the format options point at (headers, stylesheets, templates, bibliographies)."""
    keys = {"include-in-header", "include-before-body", "include-after-body", "css", "template",
            "template-partials", "bibliography", "csl", "logo", "favicon", "cover-image"}
    out: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in keys:
                    out.extend([v] if isinstance(v, str) else [x for x in v if isinstance(x, str)])
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(cfg)
    return out


def file_problems(quarto_yml: Path, chapters: list[str], notebooks: Path = paths.NOTEBOOKS) -> list[str]:
    """Every chapter and every file _quarto.yml names exists (or is written by the build)."""
    cfg = yaml.safe_load(quarto_yml.read_text(encoding="utf-8"))
    problems = []
    for chapter in chapters:
        if chapter.endswith(".ipynb"):
            if not chapter.startswith("chapters/"):
                problems.append(f"{chapter}: notebooks are staged as chapters/<stem>.ipynb")
            src = notebooks / Path(chapter).name
        else:
            src = quarto_yml.parent / chapter
        if not src.exists():
            problems.append(f"{chapter}: {src} does not exist")
    for name in named_files(cfg.get("format") or {}) + list(cfg.get("metadata-files") or []):
        if not (quarto_yml.parent / name).exists() and name not in GENERATED:
            problems.append(f"format option names {name}, which does not exist")
    if chapters and chapters[0] != "index.qmd":
        problems.append(f"a Quarto book starts with index.qmd, not {chapters[0]}")
    return problems


def test_every_file_quarto_yml_names_exists():
    problems = file_problems(paths.QUARTO_YML, quarto_chapters())
    assert not problems, "\n".join(problems)


def test_generated_files_are_written_by_the_build():
    source = inspect.getsource(build._render_quarto)
    for name in GENERATED - {f"chapters/{colophon.META_FILE}", f"chapters/{colophon.HEAD_FILE}"}:
        assert f'"{name}"' in source, f"_quarto.yml relies on {name}, but the Quarto path does not write it"
    # chapters/ is a copy of the edition's build folder, where the build writes the colophon's files
    # (tests/test_colophon.py checks they are there after a build).
    assert "copytree(variant_dir(v.name), chapters)" in source  # build/<edition>, via the path helper


def test_the_build_renders_exactly_the_chapters_quarto_yml_names():
    chapters = quarto_chapters()
    project = render.read_project()
    assert project.chapters == chapters, f"the embedded engine reads {project.chapters}, _quarto.yml says {chapters}"
    stems = [Path(c).stem for c in chapters if c.endswith(".ipynb")]
    assert project.notebook_stems() == stems, "the build executes other notebooks than _quarto.yml names"
    from analysis import cache  # the build's planner reads the chapter list on its own, for its cache keys
    assert cache.chapter_stems() == stems, "the build's cache planner reads another chapter list"
    orphans = sorted({p.stem for p in paths.NOTEBOOKS.glob("*.ipynb")} - set(stems))
    assert not orphans, f"notebooks/ holds chapter notebooks _quarto.yml does not name: {orphans}"


def test_a_missing_chapter_file_is_caught():
    problems = file_problems(paths.QUARTO_YML, quarto_chapters() + ["chapters/no_such_chapter.ipynb", "extra.qmd"])
    assert [p.split(":")[0] for p in problems] == ["chapters/no_such_chapter.ipynb", "extra.qmd"]


class _Headings(HTMLParser):
    """Collect the text of <h1> elements inside <main>, except the title block's."""

    def __init__(self) -> None:
        super().__init__()
        self.in_main = self.in_h1 = False
        self.skip = False
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main = True
        elif tag == "h1" and self.in_main:
            self.in_h1, self.skip = True, "title" in (dict(attrs).get("class") or "").split()
            self.found.append("")

    def handle_endtag(self, tag):
        if tag == "h1" and self.in_h1:
            self.in_h1 = False
            if self.skip:
                self.found.pop()
        elif tag == "main":
            self.in_main = False

    def handle_data(self, data):
        if self.in_h1:
            self.found[-1] += data


@pytest.mark.build
def test_built_html_has_exactly_the_chapters_quarto_yml_names(built_report):
    parser = _Headings()
    parser.feed((built_report / "index.html").read_text(encoding="utf-8"))
    got = [re.sub(r"^\d+(\.\d+)*\s+", "", re.sub(r"\s+", " ", h).strip()) for h in parser.found]
    want = [re.sub(r"[*`]", "", chapter_heading(c)) for c in quarto_chapters()]
    assert got == want


@pytest.mark.quarto
def test_quarto_renders_the_project(tmp_path):
    quarto = shutil.which("quarto")
    if quarto is None:
        pytest.skip("Quarto is not on PATH (pip install -e '.[quarto]' where its binary can be downloaded); "
                    "the embedded engine's output is what the other report tests check")
    env = {**os.environ, "TENGW_BUILD_DIR": str(tmp_path / "build"), "TENGW_OUTPUT_DIR": str(tmp_path / "out")}
    proc = subprocess.run([sys.executable, "-m", "analysis", "build", "--engine", "quarto", "--scenario", "base"],
                          cwd=paths.ROOT, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-4000:]
    out = tmp_path / "out"
    pages = sorted(out.rglob("*.html"))
    assert (out / "index.html").exists(), f"quarto wrote {sorted(p.name for p in out.iterdir())}"
    assert (out / f"{render.read_project().output_file}.pdf").exists()
    text = re.sub(r"\s+", " ", " ".join(p.read_text(encoding="utf-8") for p in pages))
    missing = [h for h in (chapter_heading(c) for c in quarto_chapters()) if h not in text]
    assert not missing, f"chapters missing from Quarto's HTML: {missing}"
