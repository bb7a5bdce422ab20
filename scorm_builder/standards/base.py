"""The small interface every output standard implements, and what SCORM flavours share."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..errors import Problem
from ..model import Course

Files = dict[str, bytes]  # package-relative POSIX path -> content


@dataclass(frozen=True)
class Standard:
    """One output standard: its name on the command line and how it makes its own files.

    `files(course, content)` gets the files every package shares (player, data, media)
    and returns the complete package: those plus the standard's manifest and schemas.
    """

    name: str  # as on the command line: scorm12, scorm2004, ...
    title: str  # for people: "SCORM 1.2"
    files: Callable[[Course, Files], Files]
    suspend_limit: int | None = None  # characters of suspend data the standard guarantees
    extension: str = "zip"  # of the package file: zip, or imscc for a Common Cartridge
    notes: Callable[[Course], list[Problem]] = lambda course: []  # what the build changed, per question


@dataclass(frozen=True)
class Sco:
    """One launchable unit in a manifest. One per package by default (navigation inside
    the player); the templates loop over a list so one per lesson can come later."""

    item_id: str
    resource_id: str
    title: str
    href: str
    files: tuple[str, ...]
    mastery_score: int | None = None  # SCORM 1.2 adlcp:masteryscore
    passing_score: str | None = None  # SCORM 2004 minNormalizedMeasure, e.g. "0.8"
    objective_id: str = ""


_NOT_NCNAME = re.compile(r"[^A-Za-z0-9._-]")


def xml_id(*parts: str) -> str:
    """An XML ID (NCName) built from readable parts: stable, unique per course."""
    text = _NOT_NCNAME.sub("_", "-".join(parts))
    return text if re.match(r"[A-Za-z_]", text) else f"_{text}"


def single_sco(course: Course, content: Files, mastery_for_lms: bool) -> Sco:
    """The default: the whole course as one SCO whose player navigates internally.

    The mastery score goes into the manifest only when passing the assessment is the whole
    completion rule: with 'both', an LMS that derives passed from the score alone (Moodle's
    "mastery score overrides status") would ignore the pages the learner still has to view.
    """
    exam_only = mastery_for_lms and course.final is not None and course.completion.rule.value == "assessment"
    mastery = course.completion.mastery_score if exam_only else None
    return Sco(
        item_id=xml_id("item", course.id),
        resource_id=xml_id("sco", course.id),
        title=course.title,
        href="index.html",
        files=tuple(sorted(content)),
        mastery_score=mastery,
        passing_score=None if mastery is None else _scaled(mastery),
        objective_id=xml_id(course.id, "passed"),
    )


def _scaled(percent: int) -> str:
    return f"{percent / 100:.2f}".rstrip("0").rstrip(".") if percent % 100 else str(percent // 100)
