"""The longest suspend data the player can write for a course, per standard.

This mirrors `scorm_builder/player/suspend.js` (the format is described there): a fixed part whose
size follows from the course structure, plus learner texts that the player keeps only while the
whole stays within the standard's limit. The build refuses a course whose fixed part alone could
pass the limit. A test runs the JavaScript encoder on a maximal state and checks it never writes
more than this estimate.
"""
from __future__ import annotations

from math import ceil

from ..model import Assessment, Course, Question, QuestionType

SUSPEND_LIMITS = {"scorm12": 4096, "scorm2004": 64000}
# Longest text a learner may type, per standard (UTF-16 units); mirrors SB.limits in model.js.
TEXT_LIMITS = {
    "scorm12": {"fill-in": 250, "reflection": 255},
    "scorm2004": {"fill-in": 250, "reflection": 4000},
}
DEFAULT_TEXT_LIMITS = {"fill-in": 250, "reflection": 4000}

HEADER = 1 + 4 + 4  # version, fingerprint, seed
FINAL_HEADER = 2 + 1 + 1 + 3 + 3  # attempts, phase, outcome, last score, best score
TEXT_TYPES = (QuestionType.FILL_IN, QuestionType.REFLECTION)


def fixed_length(q: Question) -> int:
    """Characters one answer to `q` takes at most, not counting the learner's text."""
    if q.type in (QuestionType.SINGLE_CHOICE, QuestionType.TRUE_FALSE):
        return 1
    if q.type is QuestionType.MULTIPLE_RESPONSE:
        return ceil(len(q.options) / 6)
    if q.type is QuestionType.MATCHING:
        return len(q.pairs)
    if q.type is QuestionType.ORDERING:
        return 1 + len(q.items)
    if q.type in TEXT_TYPES:
        return 1 + 2  # result code (0: no answer), text length
    raise ValueError(f"unknown question type {q.type}")


def text_length(q: Question, standard: str) -> int:
    limits = TEXT_LIMITS.get(standard, DEFAULT_TEXT_LIMITS)
    return limits[q.type.value] if q.type in TEXT_TYPES else 0


def _worst_draw(assessment: Assessment, size) -> int:
    """The largest total of `size(q)` over any draw of the assessment's sections."""
    total = 0
    for section in assessment.sections:
        sizes = sorted((size(q) for q in section.questions), reverse=True)
        total += sum(sizes[: section.shown])
    return total


def worst_case_parts(course: Course, standard: str) -> tuple[int, int]:
    """(fixed part, learner texts) of the longest suspend data for `standard`."""
    fixed = HEADER + ceil(len(course.pages) / 6)
    texts = 0
    if course.final is not None:
        fixed += FINAL_HEADER + _worst_draw(course.final, fixed_length)
        texts += _worst_draw(course.final, lambda q: text_length(q, standard))
    for lesson in course.lessons:
        if lesson.check is not None:
            fixed += _worst_draw(lesson.check, fixed_length)
            texts += _worst_draw(lesson.check, lambda q: text_length(q, standard))
    return fixed, texts


def worst_case_suspend_length(course: Course, standard: str) -> int:
    """The most characters of suspend data the player can write for `course` under `standard`.

    Texts are kept only while the total stays within the standard's limit, so the answer exceeds
    the limit exactly when the fixed part alone does (then the build must refuse the course).
    """
    fixed, texts = worst_case_parts(course, standard)
    limit = SUSPEND_LIMITS.get(standard)
    if limit is None:
        return fixed + texts
    return fixed + min(texts, max(0, limit - fixed))
