"""The course as the player reads it: one JSON document, written into `course.js`.

This is the contract between the Python side and the player. Keys are camelCase because
JavaScript reads them. Bump SCHEMA when a change would break a player reading it.
"""
from __future__ import annotations

import hashlib
import json
import string
from dataclasses import dataclass

from .. import __version__
from ..check.labels import carries, verdict_of
from ..model import Assessment, Course, Question, QuestionType

SCHEMA = 1
TARGET_IDS = string.ascii_lowercase  # matching targets: single characters for SCORM 1.2
XAPI_STANDARDS = frozenset({"xapi", "cmi5"})  # these always send statements


@dataclass(frozen=True)
class Delivery:
    """Where a SCORM package also sends xAPI statements (Tin Can and cmi5 learn it at launch).

    `auth` is an Authorization header value embedded in the package: anyone who opens the
    package can read it, so it is only ever set from an explicit build flag for a write-only key.
    """

    endpoint: str | None = None
    auth: str | None = None


def course_data(course: Course, standard: str, delivery: Delivery = Delivery()) -> dict:
    """Everything the player needs for `standard` (scorm12, scorm2004, xapi, cmi5, preview)."""
    data = _content(course, standard)
    data["package"] = {"version": course.version, "hash": content_hash(data, course)}
    if standard == "scorm2004":
        from ..standards.scorm2004 import delimiter_language

        # the {lang=} of interaction descriptions, in the form the runtimes take (check/targets.py warns)
        data["runtime"] = {"descriptionLanguage": delimiter_language(course.language)}
    if standard in XAPI_STANDARDS or delivery.endpoint:
        from ..xapi import xapi_data

        data["xapi"] = xapi_data(course, course.xapi_base)
        data["xapi"]["lrs"] = {"endpoint": delivery.endpoint, "auth": delivery.auth} if delivery.endpoint else None
    return data


def content_hash(data: dict, course: Course) -> str:
    """sha256 of what the learner is shown and graded on (course data, media, player version),
    the same for every standard, so a record can say exactly which content a learner took."""
    digest = hashlib.sha256()
    content = {key: value for key, value in data.items() if key not in ("standard", "package", "xapi", "runtime")}
    digest.update(json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    for media in course.media:
        digest.update(media.href.encode("utf-8") + b"\0" + hashlib.sha256(media.source.read_bytes()).digest())
    digest.update(__version__.encode("ascii"))
    return "sha256:" + digest.hexdigest()


def _content(course: Course, standard: str) -> dict:
    return {
        "schema": SCHEMA,
        "standard": standard,
        "course": {
            "id": course.id,
            "title": course.title,
            "description": course.description,
            "language": course.language,
            "version": course.version,
            "organisation": course.organisation,
            "durationMinutes": course.duration_minutes,
            "ceHours": course.ce_hours,
        },
        "completion": {
            "rule": course.completion.rule.value,
            "masteryScore": course.completion.mastery_score,
            "attempts": course.completion.attempts,
            "score": course.completion.score.value,
            "reportAs": course.completion.report_as.value,
            "interactionIds": course.completion.interaction_ids.value,
            "text": course.completion.describe(course.final is not None),
        },
        "objectives": [{"id": o.id, "text": o.text} for o in course.objectives],
        "lessons": [
            {
                "id": lesson.id,
                "title": lesson.title,
                "labelled": carries(lesson.title, "lessonLabel"),  # the title already says "Lesson n"
                "objectives": list(lesson.objectives),
                "pages": [{"id": p.id, "title": p.title, "html": p.html} for p in lesson.pages],
                "check": assessment_data(lesson.check) if lesson.check else None,
            }
            for lesson in course.lessons
        ],
        "final": assessment_data(course.final) if course.final else None,
    }


def assessment_data(assessment: Assessment) -> dict:
    return {
        "id": assessment.id,
        "title": assessment.title,
        "labelled": carries(assessment.title, "knowledgeCheck"),  # the title already says "Knowledge check"
        "graded": assessment.graded,
        "introHtml": assessment.intro_html,
        "shuffleQuestions": assessment.shuffle_questions,
        "sections": [
            {"id": s.id, "draw": s.draw, "questions": [question_data(q) for q in s.questions]}
            for s in assessment.sections
        ],
    }


def question_data(q: Question) -> dict:
    data: dict = {
        "id": q.id,
        "type": q.type.value,
        "promptHtml": q.prompt_html,
        "objective": q.objective,
        "weight": q.weight,
        "shuffle": q.shuffle,
        # ...Verdict: the result whose verdict the text already starts with (the player then adds none)
        "feedback": {"correctHtml": q.feedback.correct_html, "incorrectHtml": q.feedback.incorrect_html,
                     "correctVerdict": verdict_of(q.feedback.correct_html),
                     "incorrectVerdict": verdict_of(q.feedback.incorrect_html)},
    }
    if q.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        data["options"] = [{"id": o.id, "html": o.html, "correct": o.correct, "feedbackHtml": o.feedback_html,
                            "feedbackVerdict": verdict_of(o.feedback_html)} for o in q.options]
    elif q.type is QuestionType.TRUE_FALSE:
        data["answer"] = q.answer
    elif q.type is QuestionType.MATCHING:
        targets = [p.match_html for p in q.pairs] + list(q.distractors)
        data["targets"] = [{"id": TARGET_IDS[i], "html": html} for i, html in enumerate(targets)]
        data["pairs"] = [{"id": p.id, "promptHtml": p.prompt_html, "target": TARGET_IDS[i]}
                         for i, p in enumerate(q.pairs)]
    elif q.type is QuestionType.ORDERING:
        data["items"] = [{"id": i.id, "html": i.html} for i in q.items]
    elif q.type is QuestionType.FILL_IN:
        data["accepted"] = list(q.accepted)
        data["caseSensitive"] = q.case_sensitive
    return data


def course_js(data: dict) -> str:
    """`course.js`: the data as a script, so the player works from file:// and any LMS alike."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # `</script` and U+2028/9 must never end or break the script early
    text = text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.SCORM_BUILDER_COURSE = {text};\n"
