"""SCORM 2004 4th Edition: imscp_v1p1 manifest with adlcp/imsss/adlseq/adlnav and its schemas."""
from __future__ import annotations

import re

from ..model import Course
from .base import Files, Standard
from .scorm import scorm_files


# The `{lang=}` delimiter of a localized_string_type (RTE 4.1.1.6; cmi.interactions.n.description)
# as both reference runtimes accept it: scorm-again takes `([a-zA-Z]{1,8}|i|x)(-[a-zA-Z0-9-]{2,8})?`,
# Moodle's runtime `([a-zA-Z]{2,3}|i|x)(-...)?`. The tag written must match both.
DELIMITER_LANGUAGE = re.compile(r"^(?:[a-zA-Z]{2,3}|i|x)(?:-[a-zA-Z0-9]{2,8})?$")


def delimiter_language(tag: str) -> str | None:
    """The language to write in `{lang=...}`: the course's tag when the runtimes' grammar takes
    it, else its language and first subtag ('ca-ES-valencia' -> 'ca-ES'), else its language
    alone ('zh-Hant-TW' -> 'zh-Hant' fits; 'sgn-BE-FR' -> 'sgn-BE'), else None: no delimiter
    (the description is then untagged, which the data model allows)."""
    parts = tag.split("-")
    for size in range(len(parts), 0, -1):
        candidate = "-".join(parts[:size])
        if DELIMITER_LANGUAGE.match(candidate) and candidate.lower() not in ("x", "i") \
                and not candidate.lower().endswith(("-x", "-i")):
            return candidate
    return None


def files(course: Course, content: Files) -> Files:
    return scorm_files(course, content, "scorm2004/imsmanifest.xml.j2", "scorm2004-4th")


STANDARD = Standard(name="scorm2004", title="SCORM 2004 4th Edition", files=files, suspend_limit=64000)
