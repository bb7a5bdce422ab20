"""The validation report: what was found, what could not be checked, and the verdict."""
from __future__ import annotations

from dataclasses import dataclass

from scorm_builder.errors import Problem, Severity, has_errors
from scorm_builder.textsafe import escape

from .limits import DEFAULT, Limits, omitted_line, shown

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2


@dataclass(frozen=True)
class Report:
    package: str
    standard: str  # scorm12 | scorm2004 | xapi | cmi5 | unknown
    edition: str  # 1.2 | CAM 1.3 | 2004 3rd Edition | 2004 4th Edition | Tin Can | cmi5 | unknown
    problems: tuple[Problem, ...]
    unchecked: tuple[str, ...]
    readable: bool

    @property
    def ok(self) -> bool:
        return self.readable and not has_errors(self.problems)

    @property
    def exit_code(self) -> int:
        if not self.readable:
            return EXIT_UNREADABLE
        return EXIT_VALID if self.ok else EXIT_INVALID

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)

    def to_dict(self, limits: Limits = DEFAULT) -> dict:
        """The report as JSON data: at most `limits.max_problems_printed` problems (errors first),
        with `problems_total` and `problems_omitted` telling how many there were."""
        kept, omitted = shown(self.problems, limits)
        return {
            "package": self.package,
            "standard": self.standard,
            "edition": self.edition,
            "readable": self.readable,
            "ok": self.ok,
            "exit_code": self.exit_code,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.to_dict() for p in kept],
            "problems_total": len(self.problems),
            "problems_omitted": omitted,
            "unchecked": list(self.unchecked),
        }

    def format_text(self, limits: Limits = DEFAULT) -> str:
        """What `validate` prints: at most `limits.max_problems_printed` problems (errors first),
        then a count of the rest, the notes and the verdict. Untrusted text is escaped."""
        kept, omitted = shown(self.problems, limits)
        lines = [p.format() for p in kept]
        if omitted:
            lines.append(omitted_line(omitted, self.problems, kept))
        lines += [f"not checked: {escape(note)}" for note in self.unchecked]
        lines.append(verdict(self))
        return "\n".join(lines)


def verdict(report: Report) -> str:
    counts = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    if not report.readable:
        return f"NOT READ: {escape(report.package)} could not be read or was rejected as unsafe ({counts})"
    what = describe(report.standard, report.edition)
    if report.ok:
        return f"VALID: {escape(report.package)} is a valid {what} package ({counts})"
    return f"INVALID: {escape(report.package)} ({what}): {counts}"


def describe(standard: str, edition: str) -> str:
    if standard == "scorm12":
        return "SCORM 1.2"
    if standard == "scorm2004":
        if edition.startswith("2004"):
            return f"SCORM {edition}"
        return f"SCORM 2004 ({edition})" if edition != "unknown" else "SCORM 2004 (edition unknown)"
    if standard == "xapi":
        return "xAPI (Tin Can)"
    if standard == "cmi5":
        return "cmi5"
    if standard == "cc":
        return edition
    return "unrecognised"
