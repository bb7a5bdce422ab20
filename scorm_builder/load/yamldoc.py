"""YAML documents that remember where every key and item came from.

PyYAML composes a node tree (with line marks) and constructs plain Python data from it;
we keep both, so every later problem can name `file:line`.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, Severity

Path_ = tuple  # a path into the data: keys and list indexes
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same nodes, much faster


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
    """Parse one YAML document; syntax errors and duplicate keys become problems."""
    try:
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
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
                self.problem(path + (key,), f"'{key}' must be {expected}, not {_kind(item)}")
                continue
            result[key] = item
        for key, spec in keys.items():
            if spec.required and key not in value:
                self.problem(path, f"missing required key '{key}' in {what}",
                             f"add '{key}:' ({spec.what or _TYPE_NAMES.get(spec.types[0], 'a value')})")
        return result


_TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
               list: "a list", dict: "a mapping"}


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
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def read_text(path: Path, file: str, problems: list[Problem]) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem(file, "file not found", hint="check the path; it is relative to the course folder"))
    except UnicodeDecodeError as exc:
        problems.append(Problem(file, f"not valid UTF-8 text ({exc.reason} at byte {exc.start})",
                                hint="save the file as UTF-8"))
    except OSError as exc:
        problems.append(Problem(file, f"cannot read file: {exc.strerror}"))
    return None
