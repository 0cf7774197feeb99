"""Read YAML that a user gives (scenario files, --set values, _quarto.yml) with bounded cost.

PyYAML's safe loader builds no objects from tags, but on its own it keeps the last of two equal keys
without a word, lets a few hundred bytes of aliases stand for billions of values, and overflows the
stack on deep nesting. This loader refuses each of those, and oversized input, with an InputError
that names the input and the line; every refusal costs time linear in the (bounded) input size.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError

#: Largest file read (a scenario file is ~2 kB, _quarto.yml ~1 kB).
MAX_FILE_BYTES = 64 * 1024
#: Largest --set value.
MAX_VALUE_BYTES = 4 * 1024
#: Most values (scalars, lists, mappings) a document may hold once its aliases are expanded.
MAX_NODES = 10_000
#: Deepest nesting of lists and mappings, aliases expanded.
MAX_DEPTH = 16

MERGE_TAG = "tag:yaml.org,2002:merge"


class _Refused(Exception):
    """A document this loader will not build; `mark` locates it."""

    def __init__(self, problem: str, mark: Any = None):
        super().__init__(problem)
        self.problem, self.mark = problem, mark


class _Loader(yaml.SafeLoader):
    """The safe loader with nesting bounded while composing, and a check of the whole node graph
    (size and depth with aliases expanded, alias cycles, duplicate keys) before anything is built."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self.multiline = "\n" in stream.strip("\n")

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        # The composer recurses once per level: stop before Python's stack does.
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 1:
                raise _Refused(f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        self._check(node)
        return self.construct_document(node)

    def _check(self, root: Node) -> None:
        """Walk the graph once per node (memoised), as if every alias were expanded."""
        done: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded size, height)
        active: set[int] = set()

        def walk(node: Node, depth: int) -> tuple[int, int]:
            if id(node) in done:
                size, height = done[id(node)]
            elif id(node) in active:
                raise _Refused("an alias refers to the value that contains it", node.start_mark)
            else:
                active.add(id(node))
                size, height = 1, 0
                if isinstance(node, MappingNode):
                    self._check_keys(node)
                    children = [n for pair in node.value for n in pair]
                elif isinstance(node, SequenceNode):
                    children = node.value
                else:
                    children = []
                for child in children:
                    s, h = walk(child, depth + 1)
                    size, height = size + s, max(height, h + 1)
                    if size > MAX_NODES:
                        raise _Refused(f"holds more than {MAX_NODES} values once its aliases are "
                                       "expanded", node.start_mark)
                active.discard(id(node))
                done[id(node)] = size, height
            if depth + height > MAX_DEPTH:
                raise _Refused(f"nested deeper than {MAX_DEPTH} levels once its aliases are expanded",
                               node.start_mark)
            return size, height

        walk(root, 0)

    def _check_keys(self, node: MappingNode) -> None:
        """Refuse a key given twice in one mapping (a merge '<<' may be overridden, as YAML intends)."""
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:
                key: Any = "<<"
            elif isinstance(key_node, ScalarNode):
                key = self.construct_object(key_node)
            else:
                continue  # a list or mapping as a key: the constructor refuses it as unhashable
            try:
                first = seen.get(key)
            except TypeError:  # e.g. !!binary is hashable, but be safe with exotic scalars
                continue
            if first is not None:
                raise _Refused(f"key {key_node.value!r} is given twice "
                               f"({self.locate_pair(first, key_node.start_mark)}); keep one")
            seen[key] = key_node.start_mark

    def locate(self, mark: Any) -> str:
        """Locate a mark: by line in a file, by column in a one-line value (--set)."""
        return f"line {mark.line + 1}" if self.multiline else f"column {mark.column + 1}"

    def locate_pair(self, a: Any, b: Any) -> str:
        if self.multiline and a.line != b.line:
            return f"lines {a.line + 1} and {b.line + 1}"
        on_line = f"line {a.line + 1}, " if self.multiline else ""
        return f"{on_line}columns {a.column + 1} and {b.column + 1}"


def loads(text: str, where: str, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """Parse one YAML document from text; `where` names it in errors ("mine.yaml", "--set pue")."""
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise InputError(f"{where}: longer than {max_bytes // 1024} kB")
    try:
        loader = _Loader(text)  # the reader refuses control characters here
    except yaml.reader.ReaderError as exc:
        line = text[:exc.position].count("\n") + 1
        raise InputError(f"{where} line {line}: character {exc.character!r} is not allowed in YAML") from None
    at = lambda mark: f" {loader.locate(mark)}" if mark is not None else ""  # noqa: E731
    try:
        return loader.get_single_data()
    except _Refused as exc:
        raise InputError(f"{where}{at(exc.mark)}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"malformed YAML in {where}{at(getattr(exc, 'problem_mark', None))}: {problem}") from None
    except (ValueError, OverflowError, RecursionError) as exc:
        # e.g. an integer of 5,000 digits: int() refuses it before any schema sees it.
        first = (str(exc).splitlines() or [type(exc).__name__])[0].split("; use sys.")[0]
        raise InputError(f"{where}: a value cannot be read: {first}") from None
    finally:
        loader.dispose()


def read(path: Path, what: str = "YAML file", max_bytes: int = MAX_FILE_BYTES) -> Any:
    """Parse a YAML file of at most max_bytes, UTF-8; a bad byte is named by line and column."""
    try:
        with open(path, "rb") as f:
            raw = f.read(max_bytes + 1)  # bounded: /dev/zero or a huge file costs nothing
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    except OSError as exc:
        raise InputError(f"{what} unreadable: {path}: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise InputError(f"{path.name}: larger than {max_bytes // 1024} kB, too large for a {what}")
    return copy.deepcopy(_parse(raw, path.name, max_bytes))  # a copy: callers may change what they get


@functools.lru_cache(maxsize=32)
def _parse(raw: bytes, name: str, max_bytes: int) -> Any:
    """Decode and parse a file's bytes, memoised on them: a build reads the same few files dozens of
    times (each scenario file on every resolve, _quarto.yml at each stage) and parsing them with the
    pure-Python composer costs ~10 ms a time; the same bytes always give the same document."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(f"{name} line {line}, column {column}: not UTF-8 (byte "
                         f"0x{raw[exc.start]:02x}); save the file as UTF-8") from None
    return loads(text, name, max_bytes)
