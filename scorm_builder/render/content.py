"""The files every package shares, whatever the standard: player, course data, media,
and the completion contract in plain words for the agency."""
from __future__ import annotations

from ..model import Course
from .data import Delivery, course_data


def shared_files(course: Course, standard: str, delivery: Delivery = Delivery()) -> dict[str, bytes]:
    from .player import player_files  # the player is rendered by its own module

    files = player_files(course, course_data(course, standard, delivery))
    for media in course.media:
        files[media.href] = media.source.read_bytes()
    files["completion.txt"] = completion_text(course).encode("utf-8")
    return files


def completion_text(course: Course) -> str:
    lines = [
        f"Course: {course.title}",
        f"Course id: {course.id}",
        f"Version: {course.version}",
        f"Organisation: {course.organisation}" if course.organisation else "",
        f"Estimated duration: {course.duration_minutes} minutes" if course.duration_minutes else "",
        f"Continuing-education hours: {course.ce_hours:g}" if course.ce_hours else "",
        "",
        "Completion rule",
        course.completion.describe(course.final is not None),
        "",
        "Learning objectives",
        *(f"- {o.text} ({o.id})" for o in course.objectives),
    ]
    return "\n".join(line for i, line in enumerate(lines) if line or (i and lines[i - 1])) + "\n"
