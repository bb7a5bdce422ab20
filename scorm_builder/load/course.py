"""`course.yaml` and everything it names, to one checked Course."""
from __future__ import annotations

import re
from pathlib import Path

from ..check.language import language_problem
from ..errors import Problem, Severity, has_errors
from ..xapi.iris import base_problem
from ..model import (Assessment, Completion, CompletionRule, Course, InteractionIds, Media, Objective, ReportAs,
                     ScoreRule)
from .assessment import load_assessment
from .ids import ID_HINT, ID_PATTERN
from .scope import Scope
from .lesson import LessonSource, attach_check, load_lesson
from .markdown import Markdown, MediaSet, display
from .paths import Refused, course_path
from .yamldoc import Key, Reader, parse_yaml, read_text

MAX_MINUTES = 100_000  # duration_minutes: about 70 days
MAX_CE_HOURS = 1000
# a course version goes into package file names and IRIs: no path separators, no control characters
VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+-]{0,63}")
COURSE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
COURSE_KEYS = {
    "id": Key((str,), True, "a stable id such as 'empathy-crs'"),
    "title": Key((str,), True),
    "description": Key((str,)),
    "language": Key((str,), True, "a language tag such as 'en'"),
    "version": Key((str,), True, "text such as '1.0.0' (quote it if it looks like a number)"),
    "organisation": Key((str,)),
    "duration_minutes": Key((int,), low=0, high=MAX_MINUTES),
    "ce_hours": Key((int, float), low=0, high=MAX_CE_HOURS),
    "objectives": Key((list,), True),
    "lessons": Key((list,), True, "a list of lesson file paths"),
    "completion": Key((dict,), True),
    "final_assessment": Key((str,), False, "the path of the final assessment YAML file"),
    "xapi_base": Key((str,), False, "an https IRI on a domain you control, e.g. https://training.example.org/xapi/"),
}
OBJECTIVE_KEYS = {"id": Key((str,), True), "text": Key((str,), True)}
COMPLETION_KEYS = {
    "rule": Key((str,), True, "all-pages, assessment or both"),
    "mastery_score": Key((int, float), False, "a percentage from 0 to 100", low=0, high=100),
    "attempts": Key((int,), False, "a whole number from 0 (unlimited) to 1000", low=0, high=1000),
    "report_as": Key((str,), False, "passed-failed, passed-incomplete, completed-failed or completed-incomplete"),
    "interaction_ids": Key((str,), False, "per-question or per-attempt"),
    "score": Key((str,), False, "best or last"),
}


def load_course(course_dir: Path) -> tuple[Course | None, list[Problem]]:
    """The course in `course_dir` and every problem found; None when there is any error."""
    problems: list[Problem] = []
    course_file = course_dir / "course.yaml"
    markdown = Markdown(course_dir, problems, MediaSet(course_dir))
    file = display(course_file, course_dir)
    if not course_dir.is_dir():
        problems.append(Problem(course_dir.as_posix(), "no such course folder",
                                hint="give the folder that holds course.yaml, e.g. modules/empathy-crs"))
        return None, problems
    confined = course_path(course_dir, course_dir, "course.yaml")
    if isinstance(confined, Refused):
        problems.append(Problem(file, confined.message, hint=confined.hint))
        return None, problems
    text = read_text(confined, file, problems)
    doc = parse_yaml(text, file, problems) if text is not None else None
    if doc is None:
        return None, problems
    reader = Reader(doc, problems)
    top = reader.mapping((), COURSE_KEYS, "course.yaml")
    _check_scalars(reader, top)
    scope = Scope(set())
    for key in ("id", "title", "description", "language", "version", "lessons", "xapi_base"):
        scope.note(key, reader, (key,))
    objectives = _objectives(reader, top, scope)
    scope.objectives.update(o.id for o in objectives)
    completion = _completion(reader, top)
    sources = _lessons(reader, top, course_dir, markdown, scope)
    lessons = [attach_check(s, _check(s, markdown, scope, problems)) for s in sources]
    final = None
    if "final_assessment" in top:
        final_path = course_path(course_dir, course_dir, top["final_assessment"])
        if isinstance(final_path, Refused):
            reader.problem(("final_assessment",), final_path.message, final_path.hint)
        elif final_path.is_file():
            final = load_assessment(final_path, markdown, scope, problems)
        else:
            reader.problem(("final_assessment",), f"missing file '{top['final_assessment']}'",
                           "the path is relative to course.yaml")
    elif completion and completion.rule is not CompletionRule.ALL_PAGES:
        reader.problem(("completion", "rule"), f"rule '{completion.rule.value}' needs a final assessment",
                       "add 'final_assessment: assessments/final.yaml', or use rule all-pages")
    if final is not None and not final.graded:
        problems.append(Problem(display(final_path, course_dir),
                                "the final assessment must be graded", 1, "graded", "add 'graded: true'"))
    _coverage(problems, scope, objectives, final)
    if has_errors(problems) or completion is None or {"id", "title", "language", "version"} - top.keys():
        return None, problems
    course = Course(
        id=top["id"], title=top["title"], description=top.get("description", ""), language=top["language"],
        version=top["version"], organisation=top.get("organisation", ""),
        duration_minutes=top.get("duration_minutes", 0), ce_hours=float(top.get("ce_hours", 0)),
        objectives=tuple(objectives), lessons=tuple(lessons), completion=completion, final=final,
        media=tuple(Media(src, href) for src, href in sorted(markdown.media.files.items(), key=lambda i: i[1])),
        source_dir=course_dir, xapi_base=top.get("xapi_base"), origins=dict(scope.origins),
    )
    return course, problems


def _check_scalars(reader: Reader, top: dict) -> None:
    if "id" in top and not COURSE_ID.match(top["id"]):
        reader.problem(("id",), f"invalid course id '{top['id']}'",
                       "use letters, digits, '.', '-' and '_' (at most 100), starting with a letter or digit")
    if "language" in top and (reason := language_problem(top["language"])):
        reader.problem(("language",), f"'{top['language']}' is {reason}",
                       "use a BCP 47 tag such as en, en-US, ca-ES-valencia or x-mylang")
    if "version" in top and top["version"].strip() and not VERSION.fullmatch(top["version"]):
        reader.problem(("version",), f"invalid version {top['version']!r}",
                       "use letters, digits, '.', '_', '+' and '-' (at most 64), starting with a letter or digit, "
                       "such as 1.0.0: the version is part of the package's file name")
    if "xapi_base" in top and (reason := base_problem(top["xapi_base"])):
        reader.problem(("xapi_base",), reason, "use an https address on a domain your agency controls, ending in '/'")
    for key in ("title", "version"):
        if key in top and not top[key].strip():
            reader.problem((key,), f"'{key}' is empty")


def _objectives(reader: Reader, top: dict, scope: Scope) -> list[Objective]:
    result = []
    for index in range(len(top.get("objectives", []))):
        path = ("objectives", index)
        data = reader.mapping(path, OBJECTIVE_KEYS, "an objective")
        if {"id", "text"} <= data.keys():
            if not ID_PATTERN.match(data["id"]):
                reader.problem(path + ("id",), f"invalid objective id '{data['id']}'", ID_HINT)
            scope.claim("objective", data["id"], reader, path + ("id",))
            scope.note(f"objective:{data['id']}:text", reader, path + ("text",))
            result.append(Objective(data["id"], data["text"].strip()))
    if "objectives" in top and not result:
        reader.problem(("objectives",), "the course needs at least one learning objective")
    return result


def _completion(reader: Reader, top: dict) -> Completion | None:
    if "completion" not in top:
        return None
    data = reader.mapping(("completion",), COMPLETION_KEYS, "completion")
    rule = None
    if "rule" in data:
        try:
            rule = CompletionRule(data["rule"])
        except ValueError:
            reader.problem(("completion", "rule"), f"unknown completion rule '{data['rule']}'",
                           "use all-pages, assessment or both")
    mastery = data.get("mastery_score", 80)
    if mastery != int(mastery):
        reader.problem(("completion", "mastery_score"), "the mastery score must be a whole percentage",
                       "SCORM 1.2 LMSs compare it as a whole number; round it")
    attempts = data.get("attempts", 0)
    report_as = _choice(reader, data, "report_as", ReportAs, ReportAs.PASSED_FAILED)
    interaction_ids = _choice(reader, data, "interaction_ids", InteractionIds, InteractionIds.PER_QUESTION)
    score = _choice(reader, data, "score", ScoreRule, ScoreRule.BEST)
    if rule is None:
        return None
    return Completion(rule, int(mastery), attempts, report_as, interaction_ids, score)


def _choice(reader: Reader, data: dict, key: str, kind: type, default):
    """An enumerated completion option; an unknown value is reported with the values allowed."""
    if key not in data:
        return default
    try:
        return kind(data[key])
    except ValueError:
        allowed = ", ".join(v.value for v in kind)
        reader.problem(("completion", key), f"unknown {key} '{data[key]}'", f"use one of: {allowed}")
        return default


def _lessons(reader: Reader, top: dict, course_dir: Path, markdown: Markdown, scope: Scope) -> list[LessonSource]:
    sources = []
    for index, rel in enumerate(top.get("lessons", [])):
        if not isinstance(rel, str):
            reader.problem(("lessons", index), "a lesson is given by its file path (text)")
            continue
        path = course_path(course_dir, course_dir, rel)
        if isinstance(path, Refused):
            reader.problem(("lessons", index), path.message, path.hint)
            continue
        if not path.is_file():
            reader.problem(("lessons", index), f"missing lesson file '{rel}'", "the path is relative to course.yaml")
            continue
        source = load_lesson(path, markdown, scope, reader.problems)
        if source:
            sources.append(source)
    if "lessons" in top and not top["lessons"]:
        reader.problem(("lessons",), "the course has no lessons", "list the lesson files in order")
    return sources


def _check(source: LessonSource, markdown: Markdown, scope: Scope, problems: list[Problem]) -> Assessment | None:
    if source.check_path is None:
        return None
    check = load_assessment(source.check_path, markdown, scope, problems)
    if check is not None and check.graded:
        problems.append(Problem(display(source.check_path, markdown.course_dir),
                                "a knowledge check is never graded", 1, "graded",
                                "remove 'graded: true'; only the final assessment counts toward the score",
                                Severity.WARNING))
    return check


def _coverage(problems: list[Problem], scope: Scope, objectives: list[Objective], final: Assessment | None) -> None:
    """Every objective should be measured by the final assessment."""
    if final is None:
        return
    for objective in objectives:
        if objective.id not in scope.measured:
            problems.append(Problem("course.yaml", f"no final-assessment question measures objective "
                                    f"'{objective.id}'", None, "objectives",
                                    f"add a question with 'objective: {objective.id}'", Severity.WARNING))
    if not any(q.graded for q in final.questions):
        problems.append(Problem(f"assessment '{final.id}'", "the final assessment has no graded question",
                                hint="add questions with a weight above 0"))
