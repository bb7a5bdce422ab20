"""Activity IRIs: derived from the course id, stable across builds, unique per activity.

    {base}{course}                      the course (and the Tin Can root activity)
    {base}{course}/lesson/{lesson}      a lesson
    {base}{course}/page/{page}          a page
    {base}{course}/assessment/{id}      a knowledge check or the final assessment
    {base}{course}/question/{id}        a question
    {base}{course}/objective/{id}       a learning objective
    {base}{course}/au                   the cmi5 assignable unit (the publisher id)

The ids come from the course source (the loader keeps each kind unique in the course), so a
rebuild gives the same IRIs. The course version is deliberately not part of them: an LRS
report must keep counting the same question across a typo fix. Only the base is the
agency's choice: an http(s) IRI on a domain it controls, from `xapi_base` in course.yaml.
Every segment is percent-encoded and joined with urllib, never concatenated raw.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from ..model import Course

DEFAULT_BASE = "https://courses.example.org/xapi/"
BASE_HINT = "use an http(s) address on a domain your agency controls, e.g. https://training.example.gov/xapi/"


def base_problem(base: str) -> str | None:
    """Why `base` cannot prefix activity IRIs, or None when it can."""
    if not isinstance(base, str) or not base.strip():
        return "the xAPI base is empty"
    if base != base.strip() or any(c.isspace() for c in base):
        return "the xAPI base contains whitespace"
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https"):
        return f"the xAPI base '{base}' is not an http(s) IRI"
    if not parts.hostname:
        return f"the xAPI base '{base}' has no domain"
    if parts.username or parts.password:
        return f"the xAPI base '{base}' contains credentials"
    if parts.query or parts.fragment or base.endswith(("?", "#")):
        return f"the xAPI base '{base}' has a query or fragment; activity ids would be ambiguous"
    return None


def normalise_base(base: str) -> str:
    """`base` ending in '/', so that ids are joined below it; ValueError when it is unusable."""
    problem = base_problem(base)
    if problem:
        raise ValueError(f"{problem} ({BASE_HINT})")
    return base if base.endswith("/") else base + "/"


def _segment(text: str) -> str:
    return quote(text, safe="")


@dataclass(frozen=True)
class ActivityIris:
    """The IRIs of one course's activities under one base."""

    course_id: str
    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", normalise_base(self.base))
        if not self.course_id:
            raise ValueError("a course id is needed for activity IRIs")

    @property
    def course(self) -> str:
        return urljoin(self.base, _segment(self.course_id))

    @property
    def au(self) -> str:
        """The cmi5 AU's publisher id (the whole course is one AU)."""
        return self._below("au")

    def lesson(self, lesson_id: str) -> str:
        return self._below("lesson", lesson_id)

    def page(self, page_id: str) -> str:
        return self._below("page", page_id)

    def assessment(self, assessment_id: str) -> str:
        return self._below("assessment", assessment_id)

    def question(self, question_id: str) -> str:
        return self._below("question", question_id)

    def objective(self, objective_id: str) -> str:
        return self._below("objective", objective_id)

    def _below(self, *segments: str) -> str:
        return urljoin(self.course + "/", "/".join(_segment(s) for s in segments))


def course_base(course: Course, base: str | None = None) -> str:
    """The base for `course`: the one given, else the course's `xapi_base`, else the default."""
    return base or getattr(course, "xapi_base", None) or DEFAULT_BASE


def iris_for(course: Course, base: str | None = None) -> ActivityIris:
    return ActivityIris(course.id, course_base(course, base))
