"""xAPI (Tin Can): the shared files plus `tincan.xml`, the course as its one launchable root
activity and every other activity (objectives, lessons, pages, assessments, questions) listed
after it without a launch. The LMS launches index.html with endpoint, auth, actor,
registration and activity_id in the query string; nothing secret is in the package."""
from __future__ import annotations

from ..model import Course
from ..resources import manifest_templates
from ..xapi import activities
from .base import Files, Standard

LAUNCH = "index.html"


def tincan_xml(course: Course, base: str | None = None) -> str:
    rows = []
    for activity in activities(course, base):
        definition = activity.definition_json()
        rows.append({
            "id": activity.id,
            "type": definition["type"],
            "name": definition["name"][course.language],
            "description": definition.get("description", {}).get(course.language, ""),
            "launch": LAUNCH if activity.kind == "course" else None,
        })
    return manifest_templates().get_template("xapi/tincan.xml.j2").render(lang=course.language, activities=rows)


def files(course: Course, content: Files) -> Files:
    package = dict(content)
    package["tincan.xml"] = tincan_xml(course).encode("utf-8")
    return package


STANDARD = Standard(name="xapi", title="xAPI (Tin Can)", files=files, suspend_limit=None)
