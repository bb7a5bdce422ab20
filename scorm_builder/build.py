"""The recipe: load and check the course, render the shared files, make each standard's
package, zip it reproducibly, validate it, and only then put it in place."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.sax.saxutils import escape

from .check.targets import check_targets
from .errors import Problem, has_errors
from .load import load_course
from .model import Course
from .package import stage, zip_bytes
from .render.content import shared_files
from .render.data import Delivery
from .profiles import Profile, apply_profile, settings_text
from .standards import STANDARDS, Standard


@dataclass(frozen=True)
class Outcome:
    """What became of one target: the package written (validated or not), or why it was not."""

    target: str  # scorm12, scorm2004, ...
    path: Path | None  # the package written, None when nothing was written
    validated: bool = False
    errors: int = 0  # errors that kept the package from being written (course-wide ones included)

    def describe(self) -> str:
        """One line for people: 'scorm12: written dist/x.zip (validated, 1,234 bytes)' or
        'scorm2004: not written: 2 problems'."""
        if self.path is None:
            return f"{self.target}: not written: {self.errors} problem{'s' if self.errors != 1 else ''}"
        size = self.path.stat().st_size if self.path.exists() else 0
        checked = "validated" if self.validated else "not validated"
        return f"{self.target}: written {self.path} ({checked}, {size:,} bytes)"


@dataclass
class BuildResult:
    packages: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)  # one per target asked for, in order

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)

    def summary(self) -> str:
        """The last line: how many packages were written, truthfully."""
        written = [o.target for o in self.outcomes if o.path is not None]
        refused = [o.target for o in self.outcomes if o.path is None]
        if not written:
            return "nothing written"
        if not refused:
            return f"{len(written)} package{'s' if len(written) != 1 else ''} written ({', '.join(written)})"
        return f"{len(written)} of {len(self.outcomes)} packages written ({', '.join(written)}); " \
               f"not written: {', '.join(refused)}"


class BuildFailed(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.format() for p in problems if p.is_error))
        self.problems = problems


def resolve_targets(names: list[str]) -> list[Standard]:
    """Standards for the names given; 'all' means every standard there is."""
    wanted = list(STANDARDS) if "all" in names else list(dict.fromkeys(names))
    return [STANDARDS[name] for name in wanted]


def package_name(course: Course, standard: Standard) -> str:
    return f"{course.id}-{course.version}-{standard.name}.{standard.extension}"


def build(course_dir: Path, targets: list[str], out_dir: Path, validate: bool = True,
          delivery: Delivery = Delivery(), profile: Profile | None = None) -> BuildResult:
    """Check the course for every target, then build, validate and write each target whose
    values all fit it. A course-wide error writes nothing; a value that does not fit one target
    (check/targets.py) keeps only that target's package from being written. Without targets, a
    profile's targets are built; a profile also sets the reporting options and writes its LMS
    settings into each package's completion.txt."""
    course, problems = load_course(course_dir)
    result = BuildResult(problems=list(problems))
    standards = resolve_targets(targets or list(profile.targets if profile else ()))
    course_errors = sum(p.is_error for p in problems)
    if course is None or course_errors:
        result.outcomes = [Outcome(s.name, None, errors=course_errors) for s in standards]
        return result
    if profile is not None:
        course = apply_profile(course, profile)
    for standard in standards:
        own = check_targets(course, [standard.name]) + standard.notes(course)
        result.problems += own
        errors = sum(p.is_error for p in own)
        if errors:
            result.outcomes.append(Outcome(standard.name, None, errors=errors))
            continue
        out_dir.mkdir(parents=True, exist_ok=True)
        files = standard.files(course, shared_files(course, standard.name, delivery))
        if profile is not None:
            files["completion.txt"] += ("\n" + settings_text(profile, standard.name, course)).encode("utf-8")
        path = out_dir / package_name(course, standard)
        if path.parent != out_dir or path.name != package_name(course, standard):  # load checks id and version
            raise ValueError(f"package name {package_name(course, standard)!r} is not a plain file name")
        written = write_validated(zip_bytes(files), path, validate)
        written = [to_source(p, course, files, path.name) for p in written]
        result.problems += written
        errors = sum(p.is_error for p in written)
        result.outcomes.append(Outcome(standard.name, None if errors else path, validate and not errors, errors))
        if not errors:
            result.packages.append(path)
    return result


def build_course(course_dir: Path, targets: list[str], out_dir: Path, delivery: Delivery = Delivery()) -> list[Path]:
    """For programs and tests: the packages written, or BuildFailed with every problem."""
    result = build(course_dir, targets, out_dir, delivery=delivery)
    if not result.ok:
        raise BuildFailed(result.problems)
    return result.packages


def write_validated(data: bytes, path: Path, validate: bool) -> list[Problem]:
    """Write `data` to `path` only if it validates; an invalid package is never left behind.
    The package is staged in `path`'s folder and renamed into place (atomic), with the mode
    the umask gives any new file (0644 under umask 022)."""
    temp = stage(data, path)
    try:
        problems: list[Problem] = []
        if validate:
            from .validate import validate_package

            report = validate_package(temp)
            problems = [_in_package(p, path.name) for p in report.problems]
            if not report.ok:
                return problems + [Problem(path.name, "the built package did not validate, so it was not written",
                                           hint="this is a bug in scorm-builder; please report it with the problems above")]
        os.replace(temp, path)
        return problems
    finally:
        temp.unlink(missing_ok=True)


def to_source(problem: Problem, course: Course, files: dict[str, bytes], package: str) -> Problem:
    """A validation problem on a package line that carries an author's value, reported at the
    place the author wrote that value: the checker (check/targets.py) should have caught it, so
    the message says so. Other problems are returned unchanged."""
    prefix = f"{package}!"
    if not problem.is_error or problem.line is None or not problem.file.startswith(prefix):
        return problem
    inside = problem.file[len(prefix):]
    if inside not in files:
        return problem
    lines = files[inside].decode("utf-8", "replace").splitlines()
    if not 0 < problem.line <= len(lines):
        return problem
    line = _element_text(lines, problem.line)
    found = [(key, origin, value) for key, origin in course.origins.items()
             if (value := _origin_value(course, key)) and any(form in line for form in _xml_forms(value))]
    # the value the validator quotes first, else the longest (the most specific) of those on the line
    found.sort(key=lambda item: (not any(f in problem.message for f in _xml_forms(item[2])), -len(item[2])))
    if found:
        key, origin, _ = found[0]
        return replace(problem, file=origin.file, line=origin.line, field=origin.field,
                       message=f"{inside}:{problem.line} of the {package} package refused this value: "
                               f"{problem.message}",
                       hint="a check/targets.py limit is missing (a bug in scorm-builder): please report it")
    return problem


def _element_text(lines: list[str], number: int) -> str:
    """The text of the start tag ending on line `number` (parsers report a multi-line start tag
    at its last line), with that line's content."""
    start = number - 1
    while start > 0 and number - start < 20 and not lines[start].lstrip().startswith("<"):
        start -= 1
    return "\n".join(lines[start:number])


def _xml_forms(value: str) -> tuple[str, ...]:
    return (value, escape(value), escape(value, {'"': "&quot;"}), escape(value, {'"': "&#34;"}))


def _origin_value(course: Course, key: str) -> str:
    """The author's value behind an origins key, when it is a plain course field."""
    if key in ("id", "title", "description", "language", "version"):
        return str(getattr(course, key))
    return ""


def _in_package(problem: Problem, package: str) -> Problem:
    return replace(problem, file=f"{package}!{problem.file}")
