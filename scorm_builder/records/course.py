"""Which course a records command is about: a course folder (title, CE hours, completion rule
from course.yaml) or a bare activity IRI (then those stay unknown until a folder is given)."""
from __future__ import annotations

from pathlib import Path

from ..model import CompletionRule, Course
from .derive import AU_SEGMENT, CourseInfo
from .errors import EXIT_PROBLEMS, RecordsError


def course_info(course: Course, base: str | None = None) -> CourseInfo:
    """What the records need from the typed course: its IRI (as the player sends it), title,
    CE hours, and whether completing it requires passing the final assessment."""
    from ..xapi import iris_for

    requires_pass = course.final is not None and course.completion.rule in (CompletionRule.ASSESSMENT,
                                                                             CompletionRule.BOTH)
    return CourseInfo(iris_for(course, base).course, course.id, course.title, course.ce_hours, requires_pass,
                      course.organisation, course.completion.score.value)


def load_course_info(folder: Path, base: str | None = None) -> tuple[CourseInfo, list]:
    """The course folder's CourseInfo and the loader's problems; RecordsError when it does not load."""
    from ..load import load_course

    course, problems = load_course(folder)
    if course is None:
        errors = sum(p.is_error for p in problems)
        raise RecordsError(str(folder), f"the course does not load ({errors} error(s))",
                           f"run 'scorm-builder check {folder}' and fix what it lists", EXIT_PROBLEMS)
    return course_info(course, base), problems


def course_iri_of(activity: str) -> str:
    """The course IRI for `--activity`: the IRI itself, or the course above a cmi5 AU IRI."""
    activity = activity.strip()
    if activity.endswith(AU_SEGMENT):
        return activity[: -len(AU_SEGMENT)]
    return activity
