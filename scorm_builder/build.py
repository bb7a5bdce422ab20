"""The recipe: load and check the course, render the shared files, make each standard's
package, zip it reproducibly, validate it, and only then put it in place."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import Problem, has_errors
from .load import load_course
from .model import Course
from .package import zip_bytes
from .render.content import shared_files
from .render.data import Delivery
from .standards import STANDARDS, Standard


@dataclass
class BuildResult:
    packages: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


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
          delivery: Delivery = Delivery()) -> BuildResult:
    course, problems = load_course(course_dir)
    result = BuildResult(problems=list(problems))
    if course is None:
        return result
    standards = resolve_targets(targets)
    for standard in standards:
        result.problems += suspend_problems(course, standard) + standard.notes(course)
    if not result.ok:
        return result
    out_dir.mkdir(parents=True, exist_ok=True)
    for standard in standards:
        files = standard.files(course, shared_files(course, standard.name, delivery))
        path = out_dir / package_name(course, standard)
        if path.parent != out_dir or path.name != package_name(course, standard):  # load checks id and version
            raise ValueError(f"package name {package_name(course, standard)!r} is not a plain file name")
        problems = write_validated(zip_bytes(files), path, validate)
        result.problems += problems
        if not has_errors(problems):
            result.packages.append(path)
    return result


def build_course(course_dir: Path, targets: list[str], out_dir: Path, delivery: Delivery = Delivery()) -> list[Path]:
    """For programs and tests: the packages written, or BuildFailed with every problem."""
    result = build(course_dir, targets, out_dir, delivery=delivery)
    if not result.ok:
        raise BuildFailed(result.problems)
    return result.packages


def write_validated(data: bytes, path: Path, validate: bool) -> list[Problem]:
    """Write `data` to `path` only if it validates; an invalid package is never left behind."""
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".zip", dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
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


def suspend_problems(course: Course, standard: Standard) -> list[Problem]:
    """A course whose saved progress could outgrow what the standard guarantees is refused."""
    if standard.suspend_limit is None:
        return []
    from .render.suspend import worst_case_suspend_length

    worst = worst_case_suspend_length(course, standard.name)
    if worst <= standard.suspend_limit:
        return []
    return [Problem("course.yaml", f"in the worst case the learner's saved progress needs {worst} characters, more "
                    f"than the {standard.suspend_limit} that {standard.title} guarantees", None, "lessons",
                    "split the course into smaller courses, or build only for targets with a larger limit")]


def _in_package(problem: Problem, package: str) -> Problem:
    return replace(problem, file=f"{package}!{problem.file}")
