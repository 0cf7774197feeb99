"""Shared fixtures: a tiny synthetic platform roadmap with known answers, the built report, Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from analysis import paths

#: Where tests leave files for people to look at (screenshots); git-ignored.
ARTIFACTS = Path(os.environ.get("TENGW_ARTIFACTS_DIR") or paths.ROOT / "test-artifacts")
#: Flags for Debian's Chromium under Playwright: no sandbox (root in CI), no GPU, no phoning home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-default-apps", "--disable-extensions"]


@pytest.fixture
def platforms() -> pd.DataFrame:
    """Two platforms with round numbers, so expected values can be computed by hand."""
    return pd.DataFrame(
        {"availability_half": [2026.5, 2027.5], "accelerators_per_rack": [72.0, 144.0],
         "dies_per_package": [2.0, 4.0], "rack_power_kw": [200.0, 600.0],
         "fp4_dense_pflops_per_rack": [3600.0, 15000.0], "fp8_dense_pflops_per_rack": [1200.0, 5000.0],
         "hbm_gb_per_package": [288.0, 1024.0]},
        index=pd.Index(["Vera Rubin NVL72", "Rubin Ultra NVL144"], name="platform"))


@pytest.fixture(scope="session")
def built_report():
    """Build the report once per test session (the build's cache makes reruns cheap).

    TENGW_TEST_EXISTING=1 tests the report already in the output folder without building it, e.g. a
    copy with a defect put in by hand to see which check catches it.
    """
    if os.environ.get("TENGW_TEST_EXISTING") == "1":
        from analysis import render
        out = render.read_project().output_dir
        if not (out / "index.html").exists():
            pytest.fail(f"TENGW_TEST_EXISTING=1 but {out} holds no built report")
        return out
    proc = subprocess.run([sys.executable, "-m", "analysis", "build", "--quiet"], cwd=paths.ROOT,
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        pytest.fail(f"build failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    from analysis import render
    return render.read_project().output_dir


def chromium_executable() -> str | None:
    """Return Debian's Chromium (or the one TENGW_CHROMIUM names), or None when it is not installed."""
    if os.environ.get("TENGW_CHROMIUM"):
        return os.environ["TENGW_CHROMIUM"] if Path(os.environ["TENGW_CHROMIUM"]).exists() else None
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def skip_or_fail_without_browser(reason: str) -> None:
    """Skip with the reason locally; fail in CI, where TENGW_REQUIRE_BROWSER=1 says the browser must run."""
    if os.environ.get("TENGW_REQUIRE_BROWSER") == "1":
        pytest.fail(f"TENGW_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by Playwright, shared by the session; skips (or fails in CI) if absent."""
    exe = chromium_executable()
    if exe is None:
        skip_or_fail_without_browser("Chromium is not installed (apt-get install chromium); browser tests skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        skip_or_fail_without_browser(f"playwright is not importable ({exc}); pip install -e '.[test]'")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


#: Text that means a value or a cross-reference did not make it into the report
#: ("$nanbn" is what prose.usd_bn(nan) would print; "None of" is English).
PLACEHOLDER = re.compile(r"(?<![A-Za-z])(?:nan|NaN|-?inf|None(?! of\b)|undefined|null)(?:bn|%|(?![A-Za-z]))"
                         r"|@(?:fig|tbl|sec)-|\?@|\?\?")
H1 = re.compile(r"^#\s+(.+?)\s*(?:\{[^}]*\})?\s*$", re.M)


def quarto_chapters() -> list[str]:
    """Every chapter _quarto.yml names, read independently of the build: chapters, parts, appendices."""
    cfg = yaml.safe_load(paths.QUARTO_YML.read_text(encoding="utf-8"))
    book = cfg.get("book") or {}
    out: list[str] = []
    for key in ("chapters", "appendices"):
        for entry in book.get(key) or []:
            if isinstance(entry, dict):  # a part: {part: title-or-file, chapters: [...]}
                part = entry.get("part", "")
                if isinstance(part, str) and part.endswith((".qmd", ".md", ".ipynb")):
                    out.append(part)
                out += list(entry.get("chapters") or [])
            else:
                out.append(entry)
    return out


def chapter_source(chapter: str) -> Path:
    """Return the file a chapter entry stands for: <stem>.ipynb is notebooks/<stem>.ipynb."""
    if chapter.endswith(".ipynb"):
        return paths.NOTEBOOKS / Path(chapter).name
    return paths.REPORT / chapter


def chapter_heading(chapter: str) -> str:
    """Return the chapter's first H1 (a notebook's markdown cells, or a .qmd's body), without attributes."""
    src = chapter_source(chapter)
    if src.suffix == ".ipynb":
        nb = nbformat.read(src, as_version=4)
        texts = [c.source for c in nb.cells if c.cell_type == "markdown"]
    else:
        text = src.read_text(encoding="utf-8")
        if text.startswith("---"):
            text = text[text.find("\n---", 3) + 4:]
        texts = [text]
    for text in texts:
        m = H1.search(text)
        if m:
            return m.group(1).strip()
    raise AssertionError(f"{src.relative_to(paths.ROOT)} has no '# Heading'")


# --- the published editions, whichever engine rendered them ---------------------------------

GENERATOR = re.compile(r'<meta name="generator" content="([^"]+)"')


def page_engine(page: Path) -> str:
    """Return who rendered an HTML page: 'quarto' (a generator tag says so) or 'embedded'."""
    head = page.read_text(encoding="utf-8", errors="replace")[:50000]
    return "quarto" if any(g.startswith("quarto") for g in GENERATOR.findall(head)) else "embedded"


def expected_engine() -> str:
    """The engine `make report` picks here: Quarto when `quarto` is on PATH."""
    return "quarto" if shutil.which("quarto") else "embedded"


def edition_dir(output_dir: Path, name: str) -> Path:
    """Where an edition is published: "index" is the base edition at the top of the output folder."""
    return output_dir if name == "index" else output_dir / name


def edition_pages(folder: Path) -> list[Path]:
    """An edition's HTML pages in reading order: index.html, then with Quarto one page per chapter
    after index.qmd (the embedded engine puts every chapter on index.html)."""
    index = folder / "index.html"
    if not index.exists() or page_engine(index) == "embedded":
        return [index]
    return [index] + [folder / f"{Path(c).stem}.html" for c in quarto_chapters()[1:]]


def chapter_numbers() -> dict[str, int | None]:
    """Each chapter's number as a book numbers it: chapters whose first H1 is {.unnumbered} (or {-})
    get None, the others 1, 2, ... in _quarto.yml order."""
    out: dict[str, int | None] = {}
    n = 0
    for chapter in quarto_chapters():
        src = chapter_source(chapter)
        if src.suffix == ".ipynb":
            text = "\n".join(c.source for c in nbformat.read(src, as_version=4).cells if c.cell_type == "markdown")
        else:
            text = src.read_text(encoding="utf-8")
        m = re.search(r"^#\s+.*?(\{[^}]*\})?\s*$", text, re.M)
        attrs = (m.group(1) or "") if m else ""
        if re.search(r"(?:\{|\s)(?:\.unnumbered|-)(?:\s|\})", attrs):
            out[chapter] = None
        else:
            n += 1
            out[chapter] = n
    return out


def floats_numbered_by_chapter() -> bool:
    """Whether figures and tables are numbered within chapters: _quarto.yml's crossref.chapters (a
    Quarto book's default)."""
    cfg = yaml.safe_load(paths.QUARTO_YML.read_text(encoding="utf-8"))
    return bool((cfg.get("crossref") or {}).get("chapters", (cfg.get("project") or {}).get("type") == "book"))


# --- code names in reader text ---------------------------------------------------------------

#: A code name: a snake_case identifier (one underscore or more), as tests/test_labels.py defines it.
#: The before-stop hook counts the stricter form with two or more underscores; this finds both.
SNAKE = re.compile(r"(?<![\w/.-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-])")
#: A path into the project's data folder (data/facts.csv, data/scenarios/).
DATA_PATH = re.compile(r"(?<![\w/.-])data/[\w./-]*")
#: Words shaped like code names that are not this project's: the colophon's machine architecture.
NOT_CODE = {"x86_64", "aarch64"}
#: The one section of the report where code names and paths belong.
RERUN_HEADING = "How to rerun"


def source_urls() -> list[str]:
    """Every source URL: a snake_case piece of a URL printed in the sources list is an address, not a leak."""
    src = pd.read_csv(paths.ROOT / "data" / "sources.csv", dtype=str, keep_default_na=False)
    return [u for u in src["url"] if u]


def code_name_problems(text: str, where: str, urls: list[str] | None = None) -> list[str]:
    """Return each snake_case identifier or data/ path in reader text (URL pieces excused), with context."""
    urls = source_urls() if urls is None else urls
    text = text.replace("\u200b", "").replace("\u2060", "").replace("\u00ad", "")
    out = []
    for pattern in (SNAKE, DATA_PATH):
        for m in pattern.finditer(text):
            if pattern is SNAKE and (m.group(0) in NOT_CODE or any(m.group(0) in u for u in urls)):
                continue
            around = " ".join(text[max(0, m.start() - 40):m.end() + 30].split())
            out.append(f"{where}: {m.group(0)!r} in …{around}…")
    return out
