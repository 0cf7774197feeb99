"""The locked environment: requirements.lock pins every package `make report` and `make test` install.

The lock is compiled by uv from pyproject.toml's requirements (the build-system's, the project's, the
`test` extra's) plus pip itself, for every platform and Python the project supports, with the hash of
every file. Its header records the requirements it was compiled from, so a change to pyproject.toml
that was not followed by `make lock` is caught before anything is installed:

    python -m analysis.lock check      # one line and exit code 1 when they disagree
    make lock                          # refresh: keep pins where possible, add what is new
    make lock ARGS=--upgrade           # move every pin to the newest release

This module runs on the system's Python before the project's .venv exists: standard library only.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
#: The uv release that compiles the lock (pinned so a refresh changes pins, not the file's format).
UV_VERSION = "0.13.9"
#: Extras of pyproject.toml whose packages the build and the tests install (not `quarto`: its
#: package downloads a binary while it installs, which the registries-only machines cannot).
EXTRAS = ("test",)
#: Installed besides the requirements: the installer itself, so a fresh clone's pip is the locked one.
TOOLS = ("pip",)
INPUT = re.compile(r"^#\s{3}(build-system|project|test|tool):\s*(\S.*)$")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


class LockError(Exception):
    """The lock and pyproject.toml disagree, or the lock cannot be read."""


def canonical(name: str) -> str:
    """Return a distribution name in its normal form (PEP 503): lower case, runs of -_. as one -."""
    return re.sub(r"[-_.]+", "-", name).lower()


def normal_requirement(req: str) -> str:
    """Return a requirement with its name in normal form and no spaces, for comparing two lists."""
    req = "".join(req.split())
    m = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", req)
    return canonical(m.group(0)) + req[m.end():] if m else req


def requirement_name(req: str) -> str:
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
    return canonical(m.group(1)) if m else req


def inputs(pyproject: Path = PYPROJECT) -> list[tuple[str, str]]:
    """Return (group, requirement) for everything the lock must cover, in pyproject.toml's order."""
    try:
        cfg = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LockError(f"cannot read {pyproject.name}: {exc}") from None
    out = [("build-system", r) for r in cfg.get("build-system", {}).get("requires", [])]
    out += [("project", r) for r in cfg.get("project", {}).get("dependencies", [])]
    extras = cfg.get("project", {}).get("optional-dependencies", {})
    for extra in EXTRAS:
        out += [(extra, r) for r in extras.get(extra, [])]
    out += [("tool", t) for t in TOOLS]
    return [(g, normal_requirement(r)) for g, r in out]


def recorded_inputs(lock_text: str) -> list[tuple[str, str]]:
    """Return the (group, requirement) list the lock's header says it was compiled from."""
    return [(m.group(1), normal_requirement(m.group(2)))
            for m in map(INPUT.match, lock_text.splitlines()) if m]


def pins(lock_text: str) -> list[tuple[str, str, str]]:
    """Return (name, version, marker) of every package the lock pins; marker is '' when unconditional."""
    out = []
    for line in lock_text.splitlines():
        m = PIN.match(line)
        if m:
            out.append((canonical(m.group(1)), m.group(2), (m.group(3) or "").strip()))
    return out


def digest(path: Path = LOCK) -> str:
    """Return the sha256 of the lock file (shown in each edition's colophon)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def problems(pyproject: Path = PYPROJECT, lock: Path = LOCK) -> list[str]:
    """Return why the lock does not match pyproject.toml (empty when it does)."""
    want = inputs(pyproject)
    try:
        text = lock.read_text(encoding="utf-8")
    except OSError:
        return [f"{lock.name} is missing"]
    have = recorded_inputs(text)
    if not have:
        return [f"{lock.name} has no record of the requirements it was compiled from"]
    out = []
    added = [r for r in want if r not in have]
    gone = [r for r in have if r not in want]
    was = {(g, requirement_name(r)): r for g, r in gone}
    changed = [(g, r) for g, r in added if (g, requirement_name(r)) in was]
    if changed:
        out.append("changed: " + ", ".join(f"{was[g, requirement_name(r)]} -> {r} ({g})" for g, r in changed))
    added = [x for x in added if x not in changed]
    gone = [(g, r) for g, r in gone if not any((g, requirement_name(r)) == (h, requirement_name(s))
                                               for h, s in changed)]
    if added:
        out.append("not in the lock: " + ", ".join(f"{r} ({g})" for g, r in added))
    if gone:
        out.append("no longer in pyproject.toml: " + ", ".join(f"{r} ({g})" for g, r in gone))
    pinned = {name for name, _, _ in pins(text)}
    unpinned = sorted({requirement_name(r) for _, r in want} - pinned)
    if unpinned:
        out.append("required but not pinned: " + ", ".join(unpinned))
    out += _unsatisfied(want, pins(text))
    return out


def _unsatisfied(want: list[tuple[str, str]], pinned: list[tuple[str, str, str]]) -> list[str]:
    """Return requirements whose pinned version falls outside their range (needs `packaging`, else [])."""
    try:
        from packaging.requirements import Requirement
    except ImportError:  # the system's Python may lack it; the header comparison already ran
        return []
    versions: dict[str, set[str]] = {}
    for name, version, _ in pinned:
        versions.setdefault(name, set()).add(version)
    out = []
    for _, r in want:
        req = Requirement(r)
        bad = sorted(v for v in versions.get(canonical(req.name), ()) if not req.specifier.contains(v, prereleases=True))
        if bad:
            out.append(f"{req.name} is pinned to {', '.join(bad)}, outside {req}")
    return out


def check(pyproject: Path = PYPROJECT, lock: Path = LOCK) -> str | None:
    """Return one line saying how the lock and pyproject.toml disagree, or None when they agree."""
    try:
        found = problems(pyproject, lock)
    except LockError as exc:
        return str(exc)
    if not found:
        return None
    return (f"{lock.name} does not match {pyproject.name} ({'; '.join(found)}): "
            "run `make lock` and commit requirements.lock")


def header(requirements: list[tuple[str, str]]) -> str:
    """Return the lock's header: what it is, how to refresh it, and the requirements it was compiled from."""
    lines = [
        "# Locked environment of Ten Gigawatts: the exact version and file hashes of every package that",
        "# `make report` and `make test` install (`pip install --require-hashes --no-deps -r requirements.lock`).",
        "# Do not edit by hand. After changing a requirement in pyproject.toml, refresh it with `make lock`",
        "# (keeps the other pins) or `make lock ARGS=--upgrade` (newest releases), then commit it.",
        f"# Compiled by uv {UV_VERSION} for every platform and Python >= 3.11 the project supports.",
        "# Compiled from (checked by `python -m analysis.lock check`, which `make test` runs first):",
    ]
    lines += [f"#   {group}: {req}" for group, req in requirements]
    return "\n".join(lines) + "\n"


def compile_lock(uv: str, upgrade: bool = False, lock: Path = LOCK, pyproject: Path = PYPROJECT) -> None:
    """Resolve the requirements with uv into the lock file, keeping its pins unless upgrade is set."""
    reqs = inputs(pyproject)
    cmd = [uv, "pip", "compile", "-", "--generate-hashes", "--universal", "--fork-strategy", "fewest",
           "--python-version", "3.11", "--no-header", "--quiet", "-o", str(lock)]
    if upgrade:
        cmd.append("--upgrade")
    # uv reads the existing output file for its preferences; stdin carries the requirements.
    subprocess.run(cmd, input="\n".join(r for _, r in reqs) + "\n", text=True, check=True, cwd=ROOT)
    body = lock.read_text(encoding="utf-8")
    body = "\n".join(line for line in body.splitlines() if not INPUT.match(line)
                     and not line.startswith("# ")) + "\n"
    lock.write_text(header(reqs) + body, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["check"]:
        files = [Path(a) for a in args[1:3]]
        msg = check(*files)
        if msg:
            print(f"error: {msg}", file=sys.stderr)
            return 1
        print(f"ok: {LOCK.name} matches {PYPROJECT.name}")
        return 0
    if args[:1] == ["compile"]:
        uv = args[1] if len(args) > 1 and not args[1].startswith("-") else shutil.which("uv")
        if not uv:
            print("error: uv not found (make lock installs it)", file=sys.stderr)
            return 1
        compile_lock(uv, upgrade="--upgrade" in args)
        msg = check()
        print(f"error: {msg}" if msg else f"wrote {LOCK.name}", file=sys.stderr if msg else sys.stdout)
        return 1 if msg else 0
    print("usage: python -m analysis.lock check [PYPROJECT LOCK] | compile [UV] [--upgrade]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
