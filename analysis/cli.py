"""Command line: `python -m analysis build|validate|ledger`. Bad input exits 2 with one line."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Any

from . import build, paths, safe_yaml
from .errors import AssumptionError, InputError, did_you_mean


def parse_set(items: list[str]) -> dict[str, Any]:
    """Parse KEY=VALUE pairs; values are read as YAML scalars or lists of them, never evaluated as code."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"--set expects KEY=VALUE, got {item!r}")
        if key in out:
            raise InputError(f"--set {key} given twice")
        if not raw.strip():
            raise InputError(f"--set {key}: no value after '='")
        try:
            value = safe_yaml.loads(raw, f"--set {key}", max_bytes=safe_yaml.MAX_VALUE_BYTES)
        except InputError as exc:  # the loader's message, said about this value
            problem = str(exc).split(f"--set {key}", 1)[-1].lstrip(": ")
            raise InputError(f"--set {key}: cannot parse value {raw[:60]!r}: {problem}") from None
        scalars = (str, int, float, bool)
        if isinstance(value, list) and all(isinstance(x, scalars) for x in value):
            value = tuple(value)
        elif not isinstance(value, scalars) or value is None:
            # Mappings, nulls and self-referencing anchors are not assumption values.
            raise InputError(f"--set {key}: expected a number, a word or a [list, of, them], got {raw!r}")
        out[key] = value
    return out


def variants_from(args: argparse.Namespace) -> list[build.Variant]:
    """Turn --scenario, --set, --scenario-file and --name into the variants to build."""
    overrides = parse_set(args.set or [])
    if args.name is not None:
        paths.check_name(args.name, "--name")
    known = build.scenario_names()
    if args.scenario_file:
        path = Path(args.scenario_file)
        if not path.exists():
            raise InputError(f"scenario file not found: {path}")
        if not path.is_file():
            raise InputError(f"scenario file is not a regular file: {path}")
        if args.name is None:
            paths.check_name(path.stem, "the scenario file's name", hint="; or give the variant a --name")
        name = args.name or build.variant_name(path.stem, overrides)
        return [build.Variant(name=name, scenario=str(path.resolve()), overrides=overrides)]
    for n in args.scenario or []:
        if n not in known:
            hint = "; a file of your own goes with --scenario-file" if n.endswith((".yaml", ".yml")) else ""
            raise InputError(f"unknown scenario {n!r}{did_you_mean(n, known)}; known: {', '.join(known)}{hint}")
    names = list(dict.fromkeys(args.scenario or known))
    for n in names:  # a scenario's file name becomes its folder too
        paths.check_name(n, "scenario name", hint=f"; rename data/scenarios/{n}.yaml")
    if overrides:
        if len(names) != 1:
            names = ["base"] if not args.scenario else names
        if args.name is not None and len(names) > 1:
            raise InputError(f"--name names one variant, but --set applies to {len(names)} scenarios: "
                             "build them one at a time")
        return [build.Variant(name=args.name or build.variant_name(n, overrides), scenario=n,
                              overrides=overrides) for n in names]
    if args.name is not None:
        raise InputError("--name names a variant: use it with --set or --scenario-file")
    return [build.Variant(name=n, scenario=n) for n in names]


def _interrupt(signum: int, frame: Any) -> None:
    """Turn SIGTERM into the same clean stop as Ctrl-C."""
    raise KeyboardInterrupt


def _add_inputs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scenario", action="append", help="only this scenario (repeatable)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override one assumption; the value is read as YAML (a number, a word, [a, list])")
    p.add_argument("--scenario-file", metavar="FILE.yaml", help="a variant from your own scenario YAML file")
    p.add_argument("--name", help="folder name of the variant built with --set or --scenario-file "
                                  "(letters, digits, - _ .; never a scenario's name)")
    p.add_argument("--replace", action="store_true",
                   help="let --name overwrite an earlier variant of that name built from other inputs")


class _Parser(argparse.ArgumentParser):
    """Argument errors are bad input too: one line and exit code 2, not a usage block."""

    def error(self, message: str):  # type: ignore[override]
        raise InputError(f"{message} (see {self.prog} --help)")


def main(argv: list[str] | None = None) -> int:
    from . import speedups

    speedups.apply()  # this process is the build's own: skip jsonschema's unused IRI checker (speedups.py)
    parser = _Parser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="execute every notebook for every scenario and render the report")
    _add_inputs(b)
    b.add_argument("--jobs", type=int, default=None, help="parallel kernels (default: core count)")
    b.add_argument("--force", action="store_true", help="re-execute every notebook, ignoring the cache")
    b.add_argument("--quiet", action="store_true", help="print only errors and the output paths (for CI)")
    b.add_argument("--engine", choices=["auto", "quarto", "embedded"], default="auto",
                   help="renderer: Quarto if on PATH (auto), or the embedded pandoc + Typst engine")
    v = sub.add_parser("validate", help="check data, scenarios, overrides and notebooks without running anything")
    _add_inputs(v)
    sub.add_parser("ledger", help="print the assumptions schema: name, unit, default, range, source")
    try:
        args = parser.parse_args(argv)
    except InputError as exc:
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:  # not the main thread (tests calling main in a thread)
        previous = None
    try:
        if args.command == "validate":
            build.validate(variants_from(args), replace=args.replace)
            print("ok: data, scenarios and notebooks are valid")
            return 0
        if args.command == "ledger":
            from . import assumptions

            for row in assumptions.Assumptions.ledger():
                print(f"{row['name']:32} {str(row['default']):>28} {row['unit']:18} {row['source_id']}")
            return 0
        if args.jobs is not None and args.jobs < 1:
            raise InputError("--jobs must be at least 1")
        result = build.build(variants_from(args), jobs=args.jobs, quiet=args.quiet, engine=args.engine,
                             force=args.force, replace=args.replace)
    except AssumptionError as exc:
        # Every problem at once, on one line.
        print(f"error: {_one_line('; '.join(exc.problems))}", file=sys.stderr)
        return 2
    except InputError as exc:
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: kernels stopped; the published report is unchanged", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a failed run: one line, the kept notebook named
        print(f"error: {_one_line(str(exc)) or type(exc).__name__}", file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    done = (f"{result.executed} executed, "
            + (f"{result.reused} reused from runs with the same reads, " if result.reused else "")
            + f"{result.runs - result.executed - result.reused} from the cache, "
            f"{result.rendered} report(s) rendered" if result.executed or result.rendered
            else "nothing changed")
    print(f"Built {result.runs} notebook runs in {result.seconds:.1f} s with the {result.engine} engine "
          f"({done}).")
    for p in result.outputs:
        print(f"  {p}")
    return 0


def _one_line(text: str) -> str:
    """Collapse a message onto one line: the CLI's contract for errors."""
    return " ".join(text.split())
