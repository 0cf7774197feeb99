"""Each edition's metadata: what its cover and pages say about it, and its colophon (the commit, data,
assumptions, environment, engine and date that built it).

`edition_metadata` is the one place these fields are made, for both engines. The colophon's values
come from analysis/cache.py, the same digests that key the build cache, so what an edition says it
was built from is what the build checked. They are gathered once per edition at the render stage
(the commit and the date never enter a notebook run's key) into one flat mapping, written beside the
executed notebooks as `_edition.yml` and `_edition.html` (<meta> tags for the page head), with the
list of every edition for the switcher. Quarto reads `_edition.yml` as a metadata file (staged beside
report/_quarto.yml); the embedded engine hands pandoc the same file. The templates read the fields as
`edition.KEY`: the cover and running footer in analysis/templates/typst-show.typ, the HTML title block
in title-metadata.html, the colophon chapter in report/colophon.qmd (`{{< meta edition.KEY >}}`).
A new field goes in `edition_metadata` and in the templates that show it.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import __version__, cache, labels, lock, paths
from .errors import InputError

#: Packages whose versions the colophon names: those that compute, draw or lay out what readers see.
KEY_PACKAGES = ("numpy", "pandas", "pydantic", "altair", "vl-convert-python", "papermill", "ipykernel",
                "pypandoc-binary", "typst")
META_FILE = "_edition.yml"
HEAD_FILE = "_edition.html"


def build_time() -> dt.datetime:
    """Return the build's date and time in UTC, whole seconds; SOURCE_DATE_EPOCH fixes it (reproducible builds)."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        if not raw.isdigit():
            raise InputError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC, got {raw!r}")
        return dt.datetime.fromtimestamp(int(raw), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


@functools.lru_cache(maxsize=None)
def engine_description(engine: str) -> str:
    """Return the renderer and its version, as readers should cite it."""
    if engine == "quarto":
        try:
            version = subprocess.run(["quarto", "--version"], capture_output=True, text=True,
                                     timeout=60).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            version = "version unknown"
        # A source build of Quarto colours its answer ("quarto 99.9.9"); readers need the number.
        version = re.sub(r"\x1b\[[0-9;]*m", "", version).split()
        return f"Quarto {version[-1] if version else '(version unknown)'} engine"
    import pypandoc

    return f"embedded engine (pandoc {pypandoc.get_pandoc_version()} and Typst)"


#: Who publishes the report: the project itself (named on the cover and in "How to cite").
PUBLISHER = "Ten Gigawatts"
#: Shown on the cover of every edition: what the report is not, and how judgement is marked.
DISCLAIMER = ("This report analyses public information; nothing in it recommends "
              "buying, selling or holding any security. Figures that rest on this report's judgement rather "
              "than on a source are labelled as judgement where they appear and in the appendix's ledger.")


def licence() -> str:
    """Return the licence the checkout's LICENSE file grants (its first line), or say there is none."""
    try:
        first = next((ln.strip() for ln in (paths.ROOT / "LICENSE").read_text(encoding="utf-8").splitlines()
                      if ln.strip()), "")
    except OSError:
        first = ""
    return first or "no licence file in this checkout"


def version_text(commit: str | None, changed: bool) -> str:
    """Return the version readers cite: the package version and the commit (git describe has no tags here)."""
    if commit is None:
        return f"{__version__} (not built from a git checkout)"
    return f"{__version__}, commit {commit[:12]}" + (" with local changes" if changed else "")


def citation(title: str, subtitle: str, author: str, scenario_title: str, data_date: str, version: str,
             edition_date: str) -> str:
    """Return the "How to cite" line: authors, year, title, edition, data date, version, publisher, date."""
    full = f"{title}: {subtitle}" if subtitle else title
    return (f"{author} ({edition_date[:4]}). {full}. Edition “{scenario_title}”, data as of {data_date}, "
            f"version {version}. {PUBLISHER}, {edition_date}.")


def _value(v: Any) -> str:
    return ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)


def _version(name: str) -> str:
    return cache.environment()["distributions"].get(name, "not installed")


def lock_differences() -> list[str] | None:
    """Return the locked packages this Python lacks or has at another version (None without a lock)."""
    try:
        text = lock.LOCK.read_text(encoding="utf-8")
    except OSError:
        return None
    from packaging.markers import Marker

    installed = cache.environment()["distributions"]
    out = []
    for name, version, marker in lock.pins(text):
        if marker and not Marker(marker).evaluate():
            continue
        have = installed.get(name)
        if have != version:
            out.append(f"{name} {have or 'missing'} (locked {version})")
    return out


def newest_source_date() -> str:
    """Return the data date (data.data_date), kept in the results store under the data files and the
    code: the build process then renders an edit loop's edition without loading pandas and every table."""
    from . import results

    def newest() -> str:
        from . import data

        return data.data_date()

    return results.of_data("data-date", newest)


def edition_metadata(scenario: Any, variant: str, overrides: dict[str, Any], engine: str,
                     when: dt.datetime, pdf_name: str = "report.pdf") -> dict[str, str]:
    """Return one edition's metadata as a flat mapping of strings (shared by both engines and the <meta> tags):
    what its cover and title block show (scenario, description, data date, PDF) and its colophon.

    scenario is the resolved assumptions.Scenario; variant the edition's folder name.
    """
    env = cache.environment()
    src = cache.source_state()
    commit = src["commit"]
    changed = src["changed"]
    if commit is None:
        tree = "not a git checkout"
    elif changed:
        tree = f"modified: {len(changed)} {'file differs' if len(changed) == 1 else 'files differ'} from the commit"
    else:
        tree = "clean"
    diffs = lock_differences()
    if diffs is None:
        matches = "no requirements.lock in this checkout"
    elif diffs:
        matches = f"differs from the lock in {len(diffs)} package{'s' if len(diffs) != 1 else ''}: " + ", ".join(diffs[:5])
    else:
        matches = "the installed packages match it"
    python = f"{env['implementation']} {env['python'].split()[0]} on {env['platform']}"
    from . import render  # render reads _quarto.yml, the one description of the report

    project = render.read_project()
    version = version_text(commit, bool(changed))
    data_date = newest_source_date()
    meta = {
        "scenario": variant,
        "scenario_title": scenario.title,
        "scenario_description": edition_of(variant, scenario, bool(overrides)).description,
        "pdf_link": pdf_name,
        "overrides": "; ".join(f"{labels.titled(k)} set to {_value(v)}" for k, v in sorted(overrides.items()))
                     or "none",
        "commit": commit or "unknown",
        "commit_short": (commit or "unknown")[:12],
        "tree": tree,
        "modified": "unknown" if commit is None else ("true" if changed else "false"),
        "data_sha256": cache.data_digest(),
        "assumptions_sha256": cache.assumptions_digest(scenario.assumptions.model_dump(mode="json")),
        "code_sha256": cache.code_digest(),
        "environment_sha256": cache.deps_digest(),
        "lock_sha256": cache.lock_digest() or "none",
        "lock_match": matches,
        "python": python,
        "packages": ", ".join(f"{p} {_version(p)}" for p in KEY_PACKAGES),
        "engine": engine_description(engine),
        "version": __version__,
        "build_date": when.strftime("%Y-%m-%d"),
        "build_time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "build_time_text": when.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "build_epoch": str(int(when.timestamp())),
        "build_time_source": "SOURCE_DATE_EPOCH" if os.environ.get("SOURCE_DATE_EPOCH") else "clock",
        # The cover: who publishes it, under which licence, which version and data, and how to cite it.
        "publisher": PUBLISHER,
        "licence": licence(),
        "version_text": version,
        "data_date": data_date,
        "citation": citation(project.title, project.subtitle, project.author, scenario.title, data_date, version,
                             when.strftime("%Y-%m-%d")),
        "disclaimer": DISCLAIMER,
    }
    return meta


@dataclass(frozen=True)
class Edition:
    """One edition of the report, as the switcher lists it: a scenario, or a variant with overrides."""

    name: str
    title: str
    description: str


def edition_of(name: str, scenario: Any, has_overrides: bool = False) -> Edition:
    """Return the edition a scenario is published as; a variant with overrides has no description,
    since the scenario's own would not describe it."""
    description = "" if has_overrides else " ".join(scenario.description.split())
    return Edition(name=name, title=scenario.title, description=description)


def all_editions(built: list[Edition]) -> list[Edition]:
    """Return every scenario in data/scenarios (base first), then the built variants that are not one."""
    from . import assumptions

    known = assumptions.scenario_names()
    by_name = {e.name: e for e in built}
    out = [by_name.get(n) or edition_of(n, assumptions.resolve(n)) for n in known]
    return out + [e for e in built if e.name not in known]


#: The <meta> tag names of each field: Dublin Core where one fits, else the project's own prefix.
META_NAMES = {
    "build_time": "dcterms.created", "scenario": "tengw-edition", "commit": "tengw-git-commit", "modified": "tengw-git-modified",
    "data_sha256": "tengw-data-sha256",
    "assumptions_sha256": "tengw-assumptions-sha256", "code_sha256": "tengw-code-sha256",
    "environment_sha256": "tengw-environment-sha256", "lock_sha256": "tengw-lock-sha256",
    "python": "tengw-python", "packages": "tengw-packages", "engine": "tengw-engine",
    "publisher": "dcterms.publisher", "licence": "dcterms.license", "data_date": "tengw-data-date",
    "version_text": "tengw-version", "citation": "dcterms.bibliographicCitation",
}


def meta_tags(meta: dict[str, str]) -> str:
    """Return the HTML <meta> tags that carry the colophon in the page head."""
    tags = [f'<meta name="generator" content="Ten Gigawatts {html.escape(meta["version"])}">']
    tags += [f'<meta name="{name}" content="{html.escape(meta[key])}">' for key, name in META_NAMES.items()]
    return "\n".join(tags) + "\n"


MARKDOWN_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def literal(text: str) -> str:
    """Return text as markdown that reads back as exactly that text: pandoc and Quarto read metadata
    (and the embedded engine's filled shortcodes) as markdown, where `$10bn ... $30bn` would be
    maths, `*x*` emphasis and `@x` a citation."""
    return MARKDOWN_PUNCT.sub(r"\\\1", text)


def _unliteral(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def write(folder: Path, meta: dict[str, str], editions: list[Edition] = ()) -> None:
    """Write the edition's metadata where both engines read it: folder/_edition.yml (every string as
    literal markdown; with the list of editions, the current one marked) and _edition.html."""
    folder.mkdir(parents=True, exist_ok=True)
    doc = {"edition": {k: literal(str(v)) for k, v in meta.items()},
           "editions": [{"name": literal(e.name), "title": literal(e.title), "description": literal(e.description),
                         "current": e.name == meta.get("scenario")} for e in editions]}
    cache.write_text(folder / META_FILE, yaml.safe_dump(doc, sort_keys=True, allow_unicode=True, width=1000))
    cache.write_text(folder / HEAD_FILE, meta_tags(meta))


def _read(folder: Path) -> dict[str, Any]:
    try:
        return yaml.safe_load((folder / META_FILE).read_text(encoding="utf-8")) or {}
    except OSError:
        return {}


def read(folder: Path) -> dict[str, str]:
    """Return the edition metadata written into folder (as plain text), or {} when there is none."""
    return {k: _unliteral(str(v)) for k, v in (_read(folder).get("edition") or {}).items()}


def read_editions(folder: Path) -> list[dict[str, Any]]:
    """Return the editions listed beside this one (name, title, description as plain text; current)."""
    return [{k: v if isinstance(v, bool) else _unliteral(str(v)) for k, v in e.items()}
            for e in _read(folder).get("editions") or []]
