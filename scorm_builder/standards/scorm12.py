"""SCORM 1.2: `imsmanifest.xml` with the adlcp_rootv1p2 extension and the 1.2 schema set."""
from __future__ import annotations

from ..model import Course
from .base import Files, Standard
from .scorm import scorm_files


def files(course: Course, content: Files) -> Files:
    return scorm_files(course, content, "scorm12/imsmanifest.xml.j2", "scorm12")


STANDARD = Standard(name="scorm12", title="SCORM 1.2", files=files, suspend_limit=4096)
