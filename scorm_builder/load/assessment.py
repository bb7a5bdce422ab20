"""Assessment YAML files to typed Assessments, every problem reported with its line."""
from __future__ import annotations

import math
import re
import string
from dataclasses import dataclass, replace
from pathlib import Path

from ..check.labels import carries, verdict_of
from ..errors import Problem
from ..model import (Assessment, Feedback, MatchPair, Option, OrderItem, Question, QuestionType,
                     Section)
from .ids import ID_HINT, ID_PATTERN
from .markdown import Markdown, display
from .scope import Scope
from .yamldoc import Key, Reader, dotted, parse_yaml, read_text

OPTION_IDS = string.ascii_lowercase  # SCORM 1.2 choice responses are single characters
MAX_OPTIONS = len(OPTION_IDS)
MAX_ROWS = 10  # matching pairs and ordering items: single-digit sources in SCORM 1.2

ASSESSMENT_KEYS = {
    "id": Key((str,), True, "an id such as 'final'"),
    "title": Key((str,), True),
    "graded": Key((bool,)),
    "intro": Key((str,)),
    "shuffle_questions": Key((bool,)),
    "questions": Key((list,)),
    "pools": Key((list,)),
}
POOL_KEYS = {
    "id": Key((str,), True),
    "draw": Key((int,), True, "the number of questions to draw", low=1, high=10_000),
    "questions": Key((list,), True),
}
COMMON_KEYS = {
    "id": Key((str,), True),
    "type": Key((str,), True, "one of " + ", ".join(t.value for t in QuestionType)),
    "prompt": Key((str,), True, "the question text (Markdown)"),
    "objective": Key((str,)),
    "weight": Key((int, float), False, "a number from 0 (not scored) to 1000",
                  low=0, high=1000),
    "feedback": Key((dict,)),
    "shuffle": Key((bool,)),
}
TYPE_KEYS: dict[QuestionType, dict[str, Key]] = {
    QuestionType.SINGLE_CHOICE: {"options": Key((list,), True)},
    QuestionType.MULTIPLE_RESPONSE: {"options": Key((list,), True)},
    QuestionType.TRUE_FALSE: {"answer": Key((bool,), True, "true or false")},
    QuestionType.MATCHING: {"pairs": Key((list,), True), "distractors": Key((list,))},
    QuestionType.ORDERING: {"items": Key((list,), True, "the items in the correct order")},
    QuestionType.FILL_IN: {"accepted": Key((list,), True, "a list of accepted answers"),
                           "case_sensitive": Key((bool,))},
    QuestionType.REFLECTION: {},
}
OPTION_KEYS = {"id": Key((str,)), "text": Key((str,), True), "correct": Key((bool,)), "feedback": Key((str,))}
PAIR_KEYS = {"prompt": Key((str,), True), "match": Key((str,), True)}
FEEDBACK_KEYS = {"correct": Key((str,)), "incorrect": Key((str,)), "submitted": Key((str,))}


@dataclass
class _Ctx:
    reader: Reader
    markdown: Markdown
    source: Path
    scope: Scope
    graded: bool = False

    def md(self, path: tuple, inline: bool = False) -> str:
        text = self.reader.get(path)
        line = self.reader.doc.line(path) or 1
        # block scalars (`|`) start on the line after the key
        first = line + 1 if "\n" in text.rstrip("\n") else line
        return self.markdown.render(text, self.source, first, dotted(path), inline)




def load_assessment(path: Path, markdown: Markdown, scope: Scope, problems: list[Problem]) -> Assessment | None:
    file = display(path, markdown.course_dir)
    text = read_text(path, file, problems)
    if text is None:
        return None
    doc = parse_yaml(text, file, problems)
    if doc is None:
        return None
    ctx = _Ctx(Reader(doc, problems), markdown, path, scope)
    top = ctx.reader.mapping((), ASSESSMENT_KEYS, "an assessment")
    if "id" not in top or "title" not in top:
        return None
    aid = top["id"]
    ctx.graded = top.get("graded", False)
    if not ID_PATTERN.match(aid):
        ctx.reader.problem(("id",), f"invalid assessment id '{aid}'", ID_HINT)
    scope.claim("assessment", aid, ctx.reader, ("id",))
    scope.note(f"assessment:{aid}:title", ctx.reader, ("title",))
    if not ctx.graded and carries(top["title"], "knowledgeCheck"):
        ctx.reader.warn(("title",), "the title starts with 'Knowledge check', which the player already adds "
                        "in Contents ('Knowledge check: <title>')", "drop those words from the title")
    sections: list[Section] = []
    if "questions" in top:
        questions = _questions(ctx, ("questions",))
        sections.append(Section(f"{aid}-main", questions))
    for index, _ in enumerate(top.get("pools", [])):
        section = _pool(ctx, ("pools", index))
        if section:
            sections.append(section)
    if not any(s.questions for s in sections):
        ctx.reader.problem((), "the assessment has no questions", "add a 'questions:' list (or 'pools:')")
    return Assessment(
        id=aid,
        title=top["title"],
        graded=top.get("graded", False),
        intro_html=ctx.md(("intro",)) if "intro" in top else "",
        sections=tuple(sections),
        shuffle_questions=top.get("shuffle_questions", False),
    )


def _pool(ctx: _Ctx, path: tuple) -> Section | None:
    pool = ctx.reader.mapping(path, POOL_KEYS, "a pool")
    if "questions" not in pool:
        return None
    questions = _questions(ctx, path + ("questions",))
    draw = pool.get("draw")
    if draw is not None and not 1 <= draw <= len(questions):
        ctx.reader.problem(path + ("draw",), f"draw {draw} is impossible from a pool of {len(questions)} question(s)",
                           f"draw between 1 and {len(questions)}, or add questions to the pool")
        draw = max(1, min(draw, len(questions))) if questions else None
    return Section(pool.get("id", "pool"), questions, draw)


def _questions(ctx: _Ctx, path: tuple) -> tuple[Question, ...]:
    items = ctx.reader.get(path)
    result = []
    for index in range(len(items)):
        question = _question(ctx, path + (index,))
        if question:
            result.append(question)
    return tuple(result)


def _question(ctx: _Ctx, path: tuple) -> Question | None:
    reader = ctx.reader
    raw = reader.get(path)
    qtype = None
    if isinstance(raw, dict) and isinstance(raw.get("type"), str):
        try:
            qtype = QuestionType(raw["type"])
        except ValueError:
            reader.problem(path + ("type",), f"unknown question type '{raw['type']}'",
                           "use one of " + ", ".join(t.value for t in QuestionType))
    keys = {**COMMON_KEYS, **(TYPE_KEYS[qtype] if qtype else {k: v for t in TYPE_KEYS.values() for k, v in t.items()})}
    data = reader.mapping(path, keys, "a question")
    if qtype is None or not {"id", "prompt"} <= data.keys():
        return None
    if not ID_PATTERN.match(data["id"]):
        reader.problem(path + ("id",), f"invalid question id '{data['id']}'", ID_HINT)
    ctx.scope.claim("question", data["id"], reader, path + ("id",))
    ctx.scope.note(f"question:{data['id']}:prompt", reader, path + ("prompt",))
    objective = data.get("objective")
    if objective is not None and ctx.scope.check_objective(objective, reader, path + ("objective",)):
        if ctx.graded and qtype is not QuestionType.REFLECTION:
            ctx.scope.measured.add(objective)
    elif objective is None and ctx.graded and qtype is not QuestionType.REFLECTION:
        reader.problem(path, f"graded question '{data['id']}' does not say which objective it measures",
                       "add 'objective: <objective id from course.yaml>'")
    weight = float(data.get("weight", 0 if qtype is QuestionType.REFLECTION else 1))
    ctx.scope.note(f"question:{data['id']}:weight", reader, path + (("weight",) if "weight" in data else ()))
    feedback = _feedback(ctx, path, data)
    question = Question(id=data["id"], type=qtype, prompt_html=ctx.md(path + ("prompt",)),
                        objective=data.get("objective"), weight=weight, feedback=feedback,
                        shuffle=data.get("shuffle", False),
                        source=f"{display(ctx.source, ctx.markdown.course_dir)}:{reader.doc.line(path) or 1}")
    build = _BUILDERS[qtype]
    return build(ctx, path, data, question)


def _feedback(ctx: _Ctx, path: tuple, data: dict) -> Feedback:
    if "feedback" not in data:
        return Feedback()
    fb = ctx.reader.mapping(path + ("feedback",), FEEDBACK_KEYS, "feedback")
    html = {key: ctx.md(path + ("feedback", key)) for key in fb}
    reflection = data.get("type") == QuestionType.REFLECTION.value
    for key, text in html.items():
        said = "neutral" if reflection else "incorrect" if key == "incorrect" else "correct"
        _warn_verdict(ctx.reader, path + ("feedback", key), text, said)
    return Feedback(correct_html=html.get("correct", html.get("submitted", "")),
                    incorrect_html=html.get("incorrect", ""))


def _choice(ctx: _Ctx, path: tuple, data: dict, question: Question) -> Question:
    reader = ctx.reader
    raw = data.get("options", [])
    options = []
    for index in range(len(raw)):
        opath = path + ("options", index)
        opt = reader.mapping(opath, OPTION_KEYS, "an option")
        if "text" not in opt:
            continue
        oid = opt.get("id", OPTION_IDS[index] if index < MAX_OPTIONS else f"o{index}")
        if not re.fullmatch(r"[a-z0-9]", oid):
            reader.problem(opath + ("id",), f"option id '{oid}' must be one lowercase letter or digit",
                           "SCORM 1.2 records choices as single characters; omit 'id' to letter options a, b, c...")
        feedback = ctx.md(opath + ("feedback",)) if "feedback" in opt else ""
        if question.type is QuestionType.SINGLE_CHOICE:  # the chosen option decides the verdict
            _warn_verdict(reader, opath + ("feedback",), feedback, "correct" if opt.get("correct") else "incorrect")
        options.append(Option(oid, ctx.md(opath + ("text",), inline=True), opt.get("correct", False), feedback))
    if not 2 <= len(raw) <= MAX_OPTIONS:
        reader.problem(path + ("options",), f"a choice question needs 2 to {MAX_OPTIONS} options, not {len(raw)}")
    _unique(reader, path + ("options",), [o.id for o in options], "option id")
    correct = sum(o.correct for o in options)
    if question.type is QuestionType.SINGLE_CHOICE and correct != 1:
        reader.problem(path + ("options",), f"a single-choice question needs exactly one correct option, not {correct}",
                       "mark one option 'correct: true', or use type multiple-response")
    if question.type is QuestionType.MULTIPLE_RESPONSE and correct == 0:
        reader.problem(path + ("options",), "no option is marked correct", "mark at least one option 'correct: true'")
    _require_feedback(reader, path, question, all(o.feedback_html for o in options))
    return replace(question, options=tuple(options))


def _true_false(ctx: _Ctx, path: tuple, data: dict, question: Question) -> Question:
    _require_feedback(ctx.reader, path, question, False)
    return replace(question, answer=data.get("answer"))


def _matching(ctx: _Ctx, path: tuple, data: dict, question: Question) -> Question:
    reader = ctx.reader
    raw = data.get("pairs", [])
    pairs = []
    for index in range(len(raw)):
        ppath = path + ("pairs", index)
        pair = reader.mapping(ppath, PAIR_KEYS, "a matching pair")
        if {"prompt", "match"} <= pair.keys():
            pairs.append(MatchPair(str(index + 1), ctx.md(ppath + ("prompt",), inline=True),
                                   ctx.md(ppath + ("match",), inline=True)))
    if not 2 <= len(raw) <= MAX_ROWS - 1:
        reader.problem(path + ("pairs",), f"a matching question needs 2 to {MAX_ROWS - 1} pairs, not {len(raw)}")
    distractors = []
    for index, text in enumerate(data.get("distractors", [])):
        if not isinstance(text, str):
            reader.problem(path + ("distractors", index), "a distractor must be text")
            continue
        distractors.append(ctx.md(path + ("distractors", index), inline=True))
    targets = [p.match_html for p in pairs] + distractors
    if len(set(targets)) != len(targets):
        reader.problem(path + ("pairs",), "two matches (or distractors) have the same text, so the answer is ambiguous",
                       "make every match and distractor different")
    if len(targets) > MAX_OPTIONS:
        reader.problem(path + ("distractors",), f"at most {MAX_OPTIONS} matches and distractors in all")
    _require_feedback(reader, path, question, False)
    return replace(question, pairs=tuple(pairs), distractors=tuple(distractors))


def _ordering(ctx: _Ctx, path: tuple, data: dict, question: Question) -> Question:
    reader = ctx.reader
    raw = data.get("items", [])
    items = []
    for index, text in enumerate(raw):
        if not isinstance(text, str):
            reader.problem(path + ("items", index), "an ordering item must be text")
            continue
        items.append(OrderItem(OPTION_IDS[index] if index < MAX_OPTIONS else f"i{index}",
                               ctx.md(path + ("items", index), inline=True)))
    if not 2 <= len(raw) <= MAX_ROWS:
        reader.problem(path + ("items",), f"an ordering question needs 2 to {MAX_ROWS} items, not {len(raw)}")
    if len({i.html for i in items}) != len(items):
        reader.problem(path + ("items",), "two items have the same text, so the order is ambiguous")
    _require_feedback(reader, path, question, False)
    return replace(question, items=tuple(items))


def _fill_in(ctx: _Ctx, path: tuple, data: dict, question: Question) -> Question:
    reader = ctx.reader
    accepted = []
    for index, text in enumerate(data.get("accepted", [])):
        if not isinstance(text, (str, int, float)) or isinstance(text, bool) or not str(text).strip() \
                or (isinstance(text, float) and not math.isfinite(text)):
            reader.problem(path + ("accepted", index), "an accepted answer must be non-empty text",
                           "write the answer as text; quote it if YAML would read it otherwise ('.nan', 'true')")
            continue
        if len(str(text)) > 250:
            reader.problem(path + ("accepted", index), "an accepted answer may be at most 250 characters")
        ctx.scope.note(f"question:{data['id']}:accepted:{len(accepted)}", reader, path + ("accepted", index))
        accepted.append(str(text).strip())
    if not accepted:
        reader.problem(path + ("accepted",), "no accepted answer, so nobody can answer correctly",
                       "list at least one accepted answer")
    if len(accepted) > 10:
        reader.problem(path + ("accepted",), "at most 10 accepted answers (SCORM 2004 stores up to 10 patterns)")
    _unique(reader, path + ("accepted",), [a if data.get("case_sensitive") else a.lower() for a in accepted],
            "accepted answer")
    _require_feedback(reader, path, question, False)
    return replace(question, accepted=tuple(accepted), case_sensitive=data.get("case_sensitive", False))


def _reflection(ctx: _Ctx, path: tuple, data: dict, question: Question) -> Question:
    if data.get("weight"):
        ctx.reader.problem(path + ("weight",), "a reflection question is never graded", "remove 'weight'")
    return replace(question, weight=0.0)


def _require_feedback(reader: Reader, path: tuple, question: Question, per_option: bool) -> None:
    outcome = question.feedback.correct_html and question.feedback.incorrect_html
    if question.graded and not per_option and not outcome:
        reader.warn(path, f"question '{question.id}' has no feedback explaining the answer",
                    "add 'feedback: {correct: ..., incorrect: ...}' (or feedback on every option)")


PLAYER_VERDICTS = {"correct": "Correct.", "incorrect": "Not quite.", "neutral": "Thank you: your answer has been recorded."}


def _warn_verdict(reader: Reader, path: tuple, html: str, result: str) -> None:
    """Warn when feedback shown with `result` starts with that result's verdict, which the player
    says itself (it then leaves its own out, but the author's wording is neither emphasised nor
    translated like the player's)."""
    if html and verdict_of(html) == result:
        reader.warn(path, f"the feedback starts with a verdict, which the player already gives "
                    f"('{PLAYER_VERDICTS[result]}')", "start with the explanation; the player says the verdict")


def _unique(reader: Reader, path: tuple, values: list[str], what: str) -> None:
    seen = set()
    for value in values:
        if value in seen:
            reader.problem(path, f"duplicate {what} '{value}'")
        seen.add(value)


_BUILDERS = {
    QuestionType.SINGLE_CHOICE: _choice,
    QuestionType.MULTIPLE_RESPONSE: _choice,
    QuestionType.TRUE_FALSE: _true_false,
    QuestionType.MATCHING: _matching,
    QuestionType.ORDERING: _ordering,
    QuestionType.FILL_IN: _fill_in,
    QuestionType.REFLECTION: _reflection,
}
