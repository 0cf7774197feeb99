"""Reproduction check: build one edition twice in fresh folders and compare what must be identical.

    python -m analysis.repro [--scenario NAME] [--keep]      (make repro)

The second build runs with SOURCE_DATE_EPOCH set to the first build's time, so the two editions'
published files must be identical byte for byte. What is compared, from the inside out:

- every executed notebook's outputs: the numbers and text, the tables (their cells as JSON) and the
  charts (their Vega-Lite specifications with the data inline, and the SVG drawn from them);
- the HTML page and the PDF, byte for byte.

What may differ between two builds, and why:

- the build time, when SOURCE_DATE_EPOCH does not fix it: it is printed in the colophon, carried by
  the HTML's `dcterms.created` <meta> tag and stamped as the PDF's creation date (Typst writes it
  into the document information and its XMP metadata). `differences(..., allow_build_time=True)`
  masks exactly these and nothing else. A date that uses another digit also renumbers the glyphs of
  the PDF's fonts on every later page (Typst numbers them in order of first use), so a page whose
  drawing instructions differ is compared pixel for pixel before it counts as a difference;
- in the executed notebooks only (never published): papermill's start and end times and durations,
  the input and output paths, and the cells' execution counts, which depend on which warm kernel ran
  the notebook and what it ran before (the kernels are reset between runs, their counters are not).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import colophon, paths


@dataclass(frozen=True)
class Edition:
    """Where one build of one edition left its executed notebooks and its published HTML and PDF."""

    executed: Path  # build/<variant>/
    published: Path  # <output>/<variant>/

    @property
    def edition(self) -> dict[str, str]:
        return colophon.read(self.executed)


def engine_of(edition: Edition) -> str:
    """Return the engine an edition was rendered with, from its colophon ('quarto' or 'embedded')."""
    return "quarto" if edition.edition.get("engine", "").startswith("Quarto") else "embedded"


def build(scenario: str, root: Path, source_date_epoch: str | None = None, engine: str = "embedded") -> Edition:
    """Build one scenario's edition in fresh folders under root (a subprocess: paths are read at import)."""
    env = {**os.environ, "TENGW_BUILD_DIR": str(root / "build"), "TENGW_OUTPUT_DIR": str(root / "output")}
    env.pop("SOURCE_DATE_EPOCH", None)
    if source_date_epoch:
        env["SOURCE_DATE_EPOCH"] = source_date_epoch
    proc = subprocess.run([sys.executable, "-m", "analysis", "build", "--scenario", scenario, "--quiet",
                           "--engine", engine], cwd=paths.ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"build of {scenario} in {root} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return Edition(root / "build" / scenario, root / "output" / scenario)


def notebook_outputs(path: Path) -> list[list[Any]]:
    """Return (cell index, outputs) of every code cell, without execution counts and timing metadata."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        outputs = [{k: v for k, v in o.items() if k != "execution_count"} for o in cell.get("outputs", [])]
        out.append([i, outputs])
    return out


def _first_difference(a: Any, b: Any, where: str = "") -> str:
    """Return where two JSON values first differ (a path into them and both values, shortened)."""
    if type(a) is not type(b):
        return f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                return _first_difference(a.get(k), b.get(k), f"{where}/{k}")
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _first_difference(x, y, f"{where}[{i}]")
    if isinstance(a, str) and len(a) > 80:  # show where the text starts to differ
        i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        a, b, where = a[max(0, i - 40):i + 40], b[max(0, i - 40):i + 40], f"{where} at character {i}"
    return f"{where}: {str(a)[:80]!r} vs {str(b)[:80]!r}"


def _mask_build_time(data: bytes, edition: dict[str, str]) -> bytes:
    """Replace every spelling of the edition's build time (colophon, <meta>, PDF dates) with a marker."""
    if not edition.get("build_epoch"):
        return data
    import datetime as dt

    when = dt.datetime.fromtimestamp(int(edition["build_epoch"]), dt.timezone.utc)
    spellings = {edition.get("build_time", ""), edition.get("build_time_text", ""),
                 f"built on {edition.get('build_date', '')}",
                 when.strftime("D:%Y%m%d%H%M%S"), when.strftime("%Y-%m-%dT%H:%M:%S")}
    for s in sorted(filter(None, spellings), key=len, reverse=True):
        data = data.replace(s.encode(), b"<build time>")
    # The cover's edition date and the "How to cite" line that carries it (analysis/colophon.py), as
    # written in the HTML (escaped, in tags) or in the PDF's text (wrapped across lines).
    if edition.get("citation"):
        words = [re.escape(html.escape(w, quote=False).encode()) for w in edition["citation"].split()]
        data = re.sub(rb"\s+".join(words), b"<build time>", data)
    if edition.get("build_date"):
        data = re.sub(rb"(Edition date(?:\s|<[^>]*>)*)" + re.escape(edition["build_date"].encode()),
                      rb"\1<build time>", data)
        if edition.get("publisher"):  # the citation's last words, even where hyphenation broke the rest
            data = re.sub(re.escape(edition["publisher"].encode()) + rb",\s+" + re.escape(edition["build_date"].encode()),
                          b"<build time>", data)
    return data


def _byte_difference(a: bytes, b: bytes) -> str:
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return (f"{len(a)} vs {len(b)} bytes, first difference at byte {i}: "
            f"{a[max(0, i - 30):i + 30]!r} vs {b[max(0, i - 30):i + 30]!r}")


def differences(a: Edition, b: Edition, allow_build_time: bool = False) -> list[str]:
    """Return every way two builds of an edition differ in what must be identical (empty: reproduced)."""
    out: list[str] = []
    names = sorted(p.name for p in a.executed.glob("*.ipynb") if not p.name.startswith("."))
    other = sorted(p.name for p in b.executed.glob("*.ipynb") if not p.name.startswith("."))
    if names != other:
        out.append(f"executed notebooks differ: {names} vs {other}")
    for name in sorted(set(names) & set(other)):
        x, y = notebook_outputs(a.executed / name), notebook_outputs(b.executed / name)
        if x != y:
            out.append(f"{name}: outputs differ at {_first_difference(x, y)}")
    # Every published file: the embedded engine's page and PDF, or Quarto's pages, search index and libraries.
    published = (sorted(str(p.relative_to(a.published)) for p in a.published.rglob("*") if p.is_file())
                 if a.published.is_dir() else [])
    if not published:
        out.append(f"nothing published in {a.published}")
    for name in published:
        fa, fb = a.published / name, b.published / name
        if not fb.is_file():
            out.append(f"{name}: missing from the second build")
            continue
        x, y = fa.read_bytes(), fb.read_bytes()
        if x == y:
            continue
        if allow_build_time and name.endswith(".pdf"):
            out += [f"{name}: {d}" for d in _pdf_differences(fa, fb, a.edition, b.edition)]
            continue
        if allow_build_time:
            x, y = _mask_build_time(x, a.edition), _mask_build_time(y, b.edition)
            if x == y:
                continue
        out.append(f"{name}: {_byte_difference(x, y)}")
    return out


#: Resolution at which two pages whose drawing instructions differ are compared pixel for pixel.
PAGE_DPI = 96


def _same_drawing(pa: Any, pb: Any) -> bool:
    """Whether two PDF pages draw the same: their instructions byte for byte or, failing that, their
    pixels. Typst numbers the glyphs of each embedded font in the order the document first uses them,
    so a build date that first uses another digit on the cover renumbers the glyphs of every later
    page: the instructions then differ while every glyph, and so every pixel, is where it was."""
    if pa.read_contents() == pb.read_contents():
        return True
    return pa.get_pixmap(dpi=PAGE_DPI).samples == pb.get_pixmap(dpi=PAGE_DPI).samples


def _pdf_differences(fa: Path, fb: Path, ea: dict[str, str], eb: dict[str, str]) -> list[str]:
    """Compare two PDFs but for the build time: metadata and page text with it masked, every other page's
    drawing (_same_drawing: the PDF's compressed streams hide the date from a byte mask)."""
    import pymupdf

    out = []
    with pymupdf.open(fa) as da, pymupdf.open(fb) as db:
        ma = {k: _mask_build_time(str(v).encode(), ea) for k, v in da.metadata.items()}
        mb = {k: _mask_build_time(str(v).encode(), eb) for k, v in db.metadata.items()}
        if ma != mb:
            out.append(f"document information differs: {_first_difference(ma, mb)}")
        if da.page_count != db.page_count:
            return out + [f"{da.page_count} vs {db.page_count} pages"]
        for i, (pa, pb) in enumerate(zip(da, db), start=1):
            ta = _mask_build_time(pa.get_text().encode(), ea)
            tb = _mask_build_time(pb.get_text().encode(), eb)
            if ta != tb:
                out.append(f"page {i} text: {_byte_difference(ta, tb)}")
            elif b"<build time>" not in ta and not _same_drawing(pa, pb):
                out.append(f"page {i}: drawing differs, text is the same")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.repro", description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="base", help="the edition to build twice (default: base)")
    parser.add_argument("--keep", action="store_true", help="keep the two builds' folders and print where")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="tengw-repro-"))
    try:
        t0 = time.perf_counter()
        first = build(args.scenario, root / "first")
        epoch = first.edition["build_epoch"]
        print(f"first build: {time.perf_counter() - t0:.1f} s, built at {first.edition['build_time']}")
        t1 = time.perf_counter()
        second = build(args.scenario, root / "second", source_date_epoch=epoch)
        print(f"second build (fresh folders, SOURCE_DATE_EPOCH={epoch}): {time.perf_counter() - t1:.1f} s")
        found = differences(first, second)
        n = len(list(first.executed.glob("*.ipynb")))
        if found:
            print(f"NOT reproduced: {len(found)} difference(s)", file=sys.stderr)
            for line in found:
                print(f"  {line}", file=sys.stderr)
            return 1
        files = ", ".join(sorted(p.name for p in first.published.iterdir()))
        print(f"reproduced: the outputs of {n} executed notebooks and the published files ({files}) are identical")
        return 0
    finally:
        if args.keep:
            print(f"builds kept in {root}")
        else:
            import shutil

            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
