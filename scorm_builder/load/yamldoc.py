"""YAML documents that remember where every key and item came from.

PyYAML composes a node tree (with line marks) and constructs plain Python data from it;
we keep both, so every later problem can name `file:line`.
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, Severity

Path_ = tuple  # a path into the data: keys and list indexes
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same nodes, much faster

# Work limits for one course source file. YAML aliases share nodes, so a few lines can stand for
# billions of values once expanded (the "billion laughs"); everything downstream (line map,
# Markdown rendering, the player's JSON) walks the expanded tree, so the limits count it expanded.
MAX_SOURCE_BYTES = 4 * 1024 * 1024  # one course.yaml, assessment or lesson file
MAX_ALIASES = 1000  # alias uses (`*name`) in one document
MAX_NODES = 100_000  # values in one document, every alias expanded
MAX_TEXT = 8 * 1024 * 1024  # characters of text in one document, every alias expanded
MAX_DEPTH = 50  # nesting of mappings and lists


@dataclass
class YamlDoc:
    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    first_line: int = 1  # line of the document start in the file (front matter: after `---`)

    def line(self, path: Path_) -> int | None:
        """The line of `path`, or of its nearest located parent."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return self.first_line
            path = path[:-1]


def parse_yaml(text: str, file: str, problems: list[Problem], line_offset: int = 0) -> YamlDoc | None:
    """Parse one YAML document; syntax errors, duplicate keys and documents over the work limits
    (MAX_ALIASES, MAX_NODES, MAX_TEXT, MAX_DEPTH) become problems, never exceptions.

    `line_offset` is added to every line (front matter: the lines above it). None when the text
    cannot be used at all."""
    if len(text) > MAX_SOURCE_BYTES:
        problems.append(Problem(file, f"the file is too large ({len(text):,} characters; at most "
                                f"{MAX_SOURCE_BYTES:,})", 1 + line_offset, hint="split it into smaller files"))
        return None
    try:
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
            if node is not None and (limit := _over_limits(node)):
                line, what, hint = limit
                problems.append(Problem(file, what, line + 1 + line_offset, hint=hint))
                return None
            try:
                data = loader.construct_document(node) if node is not None else None
            except (ValueError, TypeError, OverflowError) as exc:  # a date that does not exist, a 5000-digit int
                problems.append(Problem(file, f"YAML value cannot be read: {str(exc).split(';')[0]}",
                                        _unreadable_line(node) + 1 + line_offset,
                                        hint="quote the value to make it text, or correct it"))
                return None
        finally:
            loader.dispose()
    except RecursionError:
        problems.append(Problem(file, f"YAML nested too deeply (more than {MAX_DEPTH} levels)", 1 + line_offset,
                                hint="flatten the lists and mappings"))
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else None
        what = exc.problem or str(exc)
        if exc.context:
            what = f"{exc.context}, {what}"
        problems.append(Problem(file, f"YAML syntax error: {what}", line,
                                hint="check indentation and quote text that contains ': ' or starts with a symbol"))
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - non-marked errors are rare
        problems.append(Problem(file, f"YAML error: {exc}", 1 + line_offset))
        return None
    doc = YamlDoc(file, data, first_line=1 + line_offset)
    if node is not None:
        _collect_lines(node, (), doc, problems, line_offset)
    return doc


def _over_limits(root: yaml.Node) -> tuple[int, str, str] | None:
    """(0-based line, message, hint) of the first work limit `root` exceeds, else None.

    Walks the node graph once per distinct node (aliases point at shared nodes), computing for
    each the size of its expanded tree: values, text characters and depth."""
    sizes: dict[int, tuple[int, int, int]] = {}  # id(node) -> (values, characters, depth), expanded
    aliases = 0
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            open_nodes.discard(key)
            values = 1 + sum(sizes[id(c)][0] for c in children)
            own = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
            chars = own + sum(sizes[id(c)][1] for c in children)
            depth = 1 + max((sizes[id(c)][2] for c in children), default=0)
            sizes[key] = (values, chars, depth)
            line = node.start_mark.line
            if values > MAX_NODES:
                return line, f"the YAML expands to more than {MAX_NODES:,} values", _ALIAS_HINT
            if chars > MAX_TEXT:
                return line, f"the YAML expands to more than {MAX_TEXT:,} characters of text", _ALIAS_HINT
            if depth > MAX_DEPTH:
                return line, f"YAML nested too deeply (more than {MAX_DEPTH} levels)", "flatten the lists and mappings"
            continue
        if key in sizes or key in open_nodes:
            if key in open_nodes:
                return node.start_mark.line, "a YAML alias refers to a value that contains it", _ALIAS_HINT
            aliases += 1
            if aliases > MAX_ALIASES:
                return node.start_mark.line, f"more than {MAX_ALIASES} YAML alias uses (*name)", _ALIAS_HINT
            continue
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(children))
    return None


def _unreadable_line(root: yaml.Node) -> int:
    """0-based line of the first scalar PyYAML cannot construct (the whole tree is within the limits)."""
    constructor = yaml.constructor.SafeConstructor()
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode) and node.tag in constructor.yaml_constructors:
            try:
                constructor.yaml_constructors[node.tag](constructor, node)
            except (ValueError, TypeError, OverflowError, yaml.YAMLError):
                return node.start_mark.line
        stack.extend(reversed(_children(node)))
    return root.start_mark.line


_ALIAS_HINT = "write the values out instead of repeating them with YAML anchors (&name) and aliases (*name)"


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _collect_lines(node: yaml.Node, path: Path_, doc: YamlDoc, problems: list[Problem], offset: int) -> None:
    doc.lines.setdefault(path, node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1 + offset
            if key in seen:
                problems.append(Problem(doc.file, f"duplicate key '{key}'", line, dotted(path + (key,)),
                                        "keep one of the two; YAML would silently use the last one"))
            seen.add(key)
            doc.lines[path + (key,)] = line
            _collect_lines(value_node, path + (key,), doc, problems, offset)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            doc.lines[path + (index,)] = item.start_mark.line + 1 + offset
            _collect_lines(item, path + (index,), doc, problems, offset)


def dotted(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass(frozen=True)
class Key:
    """One allowed key of a mapping: its expected type(s) and whether it is required."""

    types: tuple[type, ...]
    required: bool = False
    what: str = ""  # how to describe the expected value in a message
    low: float | None = None  # numbers: the smallest value allowed
    high: float | None = None  # numbers: the largest value allowed


@dataclass
class Reader:
    """Reads fields of a YamlDoc, collecting every problem with its location."""

    doc: YamlDoc
    problems: list[Problem]

    def problem(self, path: Path_, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.doc.file, message, self.doc.line(path), dotted(path), hint))

    def warn(self, path: Path_, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.doc.file, message, self.doc.line(path), dotted(path), hint,
                                     Severity.WARNING))

    def get(self, path: Path_) -> Any:
        value = self.doc.data
        for part in path:
            value = value[part]
        return value

    def mapping(self, path: Path_, keys: dict[str, Key], what: str) -> dict[str, Any]:
        """The mapping at `path` restricted to well-typed known keys; reports the rest."""
        value = self.get(path) if path else self.doc.data
        if not isinstance(value, dict):
            self.problem(path, f"{what} must be a mapping of keys to values, not {_kind(value)}",
                         "write it as 'key: value' lines")
            return {}
        result: dict[str, Any] = {}
        for key, item in value.items():
            if key not in keys:
                close = difflib.get_close_matches(str(key), list(keys), n=1)
                hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(sorted(keys))
                self.problem(path + (key,), f"unknown key '{key}' in {what}", hint)
                continue
            spec = keys[key]
            if not _type_ok(item, spec.types):
                expected = spec.what or " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in spec.types)
                numeric = int in spec.types or float in spec.types
                self.problem(path + (key,), f"'{key}' must be {expected}, not {_kind(item)}",
                             _NUMBER_HINT if numeric else "")
                continue
            is_number = isinstance(item, (int, float)) and not isinstance(item, bool)
            reason = _number_problem(item, spec) if is_number else ""
            if reason:
                self.problem(path + (key,), f"{str(key).replace('_', ' ')} {reason}",
                             _range_hint(spec))
                continue
            result[key] = item
        for key, spec in keys.items():
            if spec.required and key not in value:
                self.problem(path, f"missing required key '{key}' in {what}",
                             f"add '{key}:' ({spec.what or _TYPE_NAMES.get(spec.types[0], 'a value')})")
        return result


_TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
               list: "a list", dict: "a mapping"}


def _number_problem(value: int | float, spec: Key) -> str:
    """Why a number cannot be used for `spec`: not finite (`.inf`, `.nan`) or out of its range."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, not {_kind(value)}"
    if (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
        return f"{_number(value)} is out of range"
    return ""


_NUMBER_HINT = "write a plain number such as 1 or 2.5: no quotes, not true/false, not .inf or .nan"


def _number(value: int | float) -> str:
    """A number as a message shows it: at most 20 characters."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text if len(text) <= 20 else f"{text[:8]}... ({len(text)} digits)"


def _range_hint(spec: Key) -> str:
    if spec.what:
        return f"give {spec.what}"
    if spec.low is not None and spec.high is not None:
        return f"give a number from {spec.low:g} to {spec.high:g}"
    return "give a finite number"


def _type_ok(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in types
    if float in types and isinstance(value, int):
        return True
    return isinstance(value, types)


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"'{str(value).lower()}' (true/false)"
    if isinstance(value, float) and not math.isfinite(value):
        return "'.nan' (not a number)" if math.isnan(value) else f"'{'-' if value < 0 else ''}.inf' (infinity)"
    if isinstance(value, (int, float)):
        return f"the number {_number(value)}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def read_text(path: Path, file: str, problems: list[Problem]) -> str | None:
    """The text of a course source file (UTF-8, a leading byte-order mark dropped), or None with a
    problem: missing, unreadable, not UTF-8, or over MAX_SOURCE_BYTES."""
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            problems.append(Problem(file, f"the file is too large ({size:,} bytes; at most {MAX_SOURCE_BYTES:,})", 1,
                                    hint="split it into smaller files"))
            return None
        return path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except FileNotFoundError:
        problems.append(Problem(file, "file not found", hint="check the path; it is relative to the course folder"))
    except UnicodeDecodeError as exc:
        problems.append(Problem(file, f"not valid UTF-8 text ({exc.reason} at byte {exc.start})",
                                exc.object[:exc.start].count(b"\n") + 1, hint="save the file as UTF-8"))
    except OSError as exc:
        problems.append(Problem(file, f"cannot read file: {exc.strerror}"))
    return None
