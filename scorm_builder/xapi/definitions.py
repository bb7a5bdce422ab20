"""Activity definitions for every activity of a course, built with the `tincan` library.

Questions become `cmi.interaction` activities whose `interactionType`, `correctResponsesPattern`
and component lists follow the xAPI 1.0.3 formats exactly (../shared/specs/xapi.md):

    single-choice, multiple-response -> choice        correct ids joined by [,]
    true-false                       -> true-false    true | false
    matching                         -> matching      src[.]tgt pairs joined by [,]
    ordering                         -> sequencing    ids in the correct order joined by [,]
    fill-in                          -> fill-in       one pattern per accepted answer,
                                                      {case_matters=true} first when case sensitive
    reflection                       -> long-fill-in  no pattern: any answer is fine

Language maps are keyed by the course language and hold plain text. The same definitions
are available as JSON dicts for the player to embed, and as a listing for agencies that set
up reports in their LRS.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from tincan import ActivityDefinition, InteractionComponent, InteractionComponentList, LanguageMap

from ..model import Assessment, Course, Question, QuestionType
from ..render.data import TARGET_IDS
from ..textsafe import escape
from .iris import ActivityIris, iris_for
from .text import plain_text, short_text
from .vocabulary import VERBS, XAPI_VERSION, ActivityType

CHOICE_SEPARATOR = "[,]"
PAIR_SEPARATOR = "[.]"
CASE_MATTERS = "{case_matters=true}"

INTERACTION_TYPE: dict[QuestionType, str] = {
    QuestionType.SINGLE_CHOICE: "choice",
    QuestionType.MULTIPLE_RESPONSE: "choice",
    QuestionType.TRUE_FALSE: "true-false",
    QuestionType.MATCHING: "matching",
    QuestionType.ORDERING: "sequencing",
    QuestionType.FILL_IN: "fill-in",
    QuestionType.REFLECTION: "long-fill-in",
}


@dataclass(frozen=True)
class Activity:
    """One activity of the course: its IRI, what it is in the course, and its definition."""

    id: str  # the activity IRI
    kind: str  # course | objective | lesson | page | assessment | question
    ref: str  # its id in the course source
    parent: str | None  # the IRI statements use as context parent (None: course, objectives)
    definition: ActivityDefinition

    def definition_json(self) -> dict:
        return self.definition.as_version()

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "ref": self.ref, "parent": self.parent,
                "definition": self.definition_json()}


def activities(course: Course, base: str | None = None) -> list[Activity]:
    """Every activity, in course order: the course, its objectives, then each lesson with its
    pages and knowledge check, then the final assessment. Questions follow their assessment."""
    iris = iris_for(course, base)
    lang = course.language
    found = [Activity(iris.course, "course", course.id, None,
                      _definition(ActivityType.COURSE, lang, course.title, _one_line(course.description)))]
    found += [Activity(iris.objective(o.id), "objective", o.id, None,
                       _definition(ActivityType.OBJECTIVE, lang, short_text(o.text), _one_line(o.text)))
              for o in course.objectives]
    for lesson in course.lessons:
        lesson_iri = iris.lesson(lesson.id)
        found.append(Activity(lesson_iri, "lesson", lesson.id, iris.course,
                              _definition(ActivityType.LESSON, lang, lesson.title)))
        found += [Activity(iris.page(p.id), "page", p.id, lesson_iri, _definition(ActivityType.PAGE, lang, p.title))
                  for p in lesson.pages]
        if lesson.check:
            found += _assessment_activities(lesson.check, lesson_iri, iris, lang)
    if course.final:
        found += _assessment_activities(course.final, iris.course, iris, lang)
    return found


def _assessment_activities(assessment: Assessment, parent: str, iris: ActivityIris, lang: str) -> list[Activity]:
    own = iris.assessment(assessment.id)
    intro = plain_text(assessment.intro_html)
    found = [Activity(own, "assessment", assessment.id, parent,
                      _definition(ActivityType.ASSESSMENT, lang, assessment.title, intro))]
    found += [Activity(iris.question(q.id), "question", q.id, own, question_definition(q, lang))
              for q in assessment.questions]
    return found


def question_definition(q: Question, lang: str) -> ActivityDefinition:
    """The cmi.interaction definition of one question."""
    prompt = plain_text(q.prompt_html)
    definition = _definition(ActivityType.INTERACTION, lang, short_text(prompt), prompt)
    definition.interaction_type = INTERACTION_TYPE[q.type]
    if q.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        definition.choices = _components(lang, ((o.id, o.html) for o in q.options))
        definition.correct_responses_pattern = [CHOICE_SEPARATOR.join(o.id for o in q.options if o.correct)]
    elif q.type is QuestionType.TRUE_FALSE:
        definition.correct_responses_pattern = ["true" if q.answer else "false"]
    elif q.type is QuestionType.MATCHING:
        targets = [p.match_html for p in q.pairs] + list(q.distractors)
        definition.source = _components(lang, ((p.id, p.prompt_html) for p in q.pairs))
        definition.target = _components(lang, ((TARGET_IDS[i], html) for i, html in enumerate(targets)))
        definition.correct_responses_pattern = [CHOICE_SEPARATOR.join(
            f"{p.id}{PAIR_SEPARATOR}{TARGET_IDS[i]}" for i, p in enumerate(q.pairs))]
    elif q.type is QuestionType.ORDERING:
        definition.choices = _components(lang, ((i.id, i.html) for i in q.items))
        definition.correct_responses_pattern = [CHOICE_SEPARATOR.join(i.id for i in q.items)]
    elif q.type is QuestionType.FILL_IN:
        prefix = CASE_MATTERS if q.case_sensitive else ""
        definition.correct_responses_pattern = [prefix + answer for answer in q.accepted]
    # reflection: long-fill-in without a pattern, so that any answer counts as fine
    return definition


def _definition(kind: str, lang: str, name: str, description: str = "") -> ActivityDefinition:
    definition = ActivityDefinition(type=kind, name=LanguageMap({lang: name}))
    if description:
        definition.description = LanguageMap({lang: description})
    return definition


def _components(lang: str, items) -> InteractionComponentList:
    return InteractionComponentList(
        [InteractionComponent(id=cid, description=LanguageMap({lang: plain_text(html)})) for cid, html in items])


def _one_line(text: str) -> str:
    return " ".join(text.split())


def activity_definitions(course: Course, base: str | None = None) -> dict[str, dict]:
    """Every activity's definition as plain JSON, keyed by activity IRI (for the player)."""
    return {a.id: a.definition_json() for a in activities(course, base)}


def list_activities(course: Course, base: str | None = None) -> list[dict]:
    """Every activity as {id, kind, ref, parent, definition}: what `scorm-builder activities` prints."""
    return [a.to_dict() for a in activities(course, base)]


def xapi_data(course: Course, base: str | None = None) -> dict:
    """What the player needs to send statements: the IRI of every activity by kind and source
    id, their definitions, the verbs, and the xAPI version. Keys are camelCase for JavaScript."""
    iris = iris_for(course, base)
    found = activities(course, base)
    by_kind: dict[str, dict[str, str]] = {}
    for activity in found:
        if activity.kind != "course":
            by_kind.setdefault(activity.kind + "s", {})[activity.ref] = activity.id
    return {
        "version": XAPI_VERSION,
        "base": iris.base,
        "course": iris.course,
        "au": iris.au,
        **{kind: by_kind.get(kind, {}) for kind in ("objectives", "lessons", "pages", "assessments", "questions")},
        "parents": {a.id: a.parent for a in found if a.parent},
        "definitions": {a.id: a.definition_json() for a in found},
        "verbs": dict(VERBS),
    }


def format_activities(rows: list[dict]) -> str:
    """The listing as text: each activity's IRI, then its definition, indented."""
    lines: list[str] = []
    for row in rows:
        d = row["definition"]
        lines.append(f"{row['kind']:<11} {row['id']}")
        pad = " " * 12
        for lang, text in d.get("name", {}).items():
            lines.append(f"{pad}name [{lang}]: {text}")
        names = set(d.get("name", {}).values())
        for lang, text in d.get("description", {}).items():
            if text not in names:
                lines.append(f"{pad}description [{lang}]: {short_text(text, 120)}")
        lines.append(f"{pad}type: {d.get('type', '')}")
        if "interactionType" in d:
            lines.append(f"{pad}interactionType: {d['interactionType']}")
        for pattern in d.get("correctResponsesPattern", []):
            lines.append(f"{pad}correctResponsesPattern: {json.dumps(pattern, ensure_ascii=False)}")
        for key in ("choices", "source", "target", "steps", "scale"):
            for component in d.get(key, []):
                text = next(iter(component.get("description", {}).values()), "")
                lines.append(f"{pad}{key}: {component['id']} = {short_text(text, 80)}")
        if row.get("parent"):
            lines.append(f"{pad}parent: {row['parent']}")
    return "\n".join(escape(line) for line in lines) + ("\n" if lines else "")  # course text is untrusted
