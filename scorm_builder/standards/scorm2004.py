"""SCORM 2004 4th Edition: imscp_v1p1 manifest with adlcp/imsss/adlseq/adlnav and its schemas."""
from __future__ import annotations

from ..model import Course
from .base import Files, Standard
from .scorm import scorm_files


def files(course: Course, content: Files) -> Files:
    return scorm_files(course, content, "scorm2004/imsmanifest.xml.j2", "scorm2004-4th")


STANDARD = Standard(name="scorm2004", title="SCORM 2004 4th Edition", files=files, suspend_limit=64000)
