"""What the whole course knows while its files load: objective ids and ids already taken."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from ..model import Origin
from .yamldoc import Reader, dotted


@dataclass
class Scope:
    objectives: set[str]
    taken: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, id) -> "file:line"
    measured: set[str] = field(default_factory=set)  # objectives a graded final question measures
    origins: dict[str, Origin] = field(default_factory=dict)  # author value key -> where it is written

    def note(self, key: str, reader: Reader, path: tuple) -> None:
        """Remember where the author wrote the value known as `key` (see model.Course.origins)."""
        self.origins.setdefault(key, Origin(reader.doc.file, reader.doc.line(path), dotted(path)))

    def claim(self, kind: str, value: str, reader: Reader, path: tuple) -> None:
        """Record `value` as a `kind` id; report it when another place has it already."""
        here = f"{reader.doc.file}:{reader.doc.line(path)}"
        first = self.taken.setdefault((kind, value), here)
        if first != here:
            reader.problem(path, f"duplicate {kind} id '{value}', first used at {first}",
                           f"every {kind} id must be unique in the course: the LMS records by id")

    def check_objective(self, value: object, reader: Reader, path: tuple) -> bool:
        if not isinstance(value, str):
            reader.problem(path, "an objective is given by its id (text)")
            return False
        if value in self.objectives:
            return True
        close = difflib.get_close_matches(value, sorted(self.objectives), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "objectives in course.yaml: " + ", ".join(
            sorted(self.objectives))
        reader.problem(path, f"unknown objective '{value}'", hint)
        return False
