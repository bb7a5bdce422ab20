"""Problems as values: every stage returns them with a location instead of raising."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum

from .textsafe import escape


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong, where it is, and how to fix it.

    `file` is a path (or a path inside a package), `line` is 1-based or None when the
    problem has no line, `field` names the key, element or attribute concerned.
    """

    file: str
    message: str
    line: int | None = None
    field: str = ""
    hint: str = ""
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        """`file:line: field: message (hint: ...)`, each part of the location printed once: a
        field that only names the file again (`course/imsmanifest.xml` + `imsmanifest.xml`) is left out.
        The line is for a terminal: every part is escaped (textsafe.escape), since files, fields and
        messages often quote untrusted text."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.field and self.field.lower() not in (self.file.lower(), _basename(self.file).lower()):
            parts.append(self.field)
        text = ": ".join(parts) + ": "
        if self.severity is Severity.WARNING:
            text += "warning: "
        text += self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return escape(text)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def _basename(path: str) -> str:
    """The last name of a path, inside a package too (`x.zip!course/imsmanifest.xml`)."""
    return path.replace("!", "/").rstrip("/").rsplit("/", 1)[-1]


def has_errors(problems: list[Problem] | tuple[Problem, ...]) -> bool:
    return any(p.is_error for p in problems)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.field, p.message))
