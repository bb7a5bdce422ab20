"""cmi5: the shared files plus `cmi5.xml` at the package root, a course structure with the
whole course as one AU (the player navigates inside it). `moveOn` follows the completion rule
and `masteryScore` the final assessment, so the LMS judges satisfaction as the course does.
The AU gets its credentials at launch from the LMS's fetch URL: nothing secret is packaged."""
from __future__ import annotations

from decimal import Decimal

from ..model import CompletionRule, Course
from ..resources import manifest_templates
from ..xapi import iris_for
from ..xapi.text import short_text
from ..xapi.vocabulary import ActivityType
from .base import Files, Standard

LAUNCH = "index.html"

MOVE_ON: dict[CompletionRule, str] = {
    CompletionRule.ALL_PAGES: "Completed",
    CompletionRule.ASSESSMENT: "Passed",
    CompletionRule.BOTH: "CompletedAndPassed",
}


def move_on(course: Course) -> str:
    """The AU's moveOn: without a graded final assessment there is nothing to pass."""
    if course.final is None or not course.final.graded:
        return "Completed"
    return MOVE_ON[course.completion.rule]


def mastery_score(course: Course) -> str | None:
    """The final assessment's pass mark as a cmi5 decimal 0..1 ("0.8"), or None without one."""
    if course.final is None or not course.final.graded:
        return None
    scaled = (Decimal(course.completion.mastery_score) / 100).normalize()
    return format(scaled, "f")


def cmi5_xml(course: Course, base: str | None = None) -> str:
    iris = iris_for(course, base)
    description = " ".join(course.description.split()) or course.title
    objectives = [{"id": iris.objective(o.id), "title": short_text(" ".join(o.text.split())),
                   "description": " ".join(o.text.split())} for o in course.objectives]
    au = {
        "id": iris.au,
        "title": course.title,
        "description": course.completion.describe(course.final is not None),
        "move_on": move_on(course),
        "mastery_score": mastery_score(course),
        "launch_method": "AnyWindow",
        "activity_type": ActivityType.COURSE,
        "objectives": [o["id"] for o in objectives],
        "url": LAUNCH,
    }
    return manifest_templates().get_template("cmi5/cmi5.xml.j2").render(
        lang=course.language, course_id=iris.course, title=course.title, description=description,
        objectives=objectives, aus=[au])


def files(course: Course, content: Files) -> Files:
    package = dict(content)
    package["cmi5.xml"] = cmi5_xml(course).encode("utf-8")
    return package


STANDARD = Standard(name="cmi5", title="cmi5", files=files, suspend_limit=None)
