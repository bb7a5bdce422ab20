"""The labels and verdicts the player adds, and the one rule that says whether author text already
carries one (scorm_builder/check/labels.py): table-driven over every label, the player's own strings,
what the render step tells the player, and the loader's warning at the source line."""
from __future__ import annotations

import re

import pytest

from scorm_builder.check.labels import LABELS, VERDICTS, carries, verdict_of
from scorm_builder.load import load_course
from scorm_builder.render.data import course_data
from support import EMPATHY, ROOT, edit, line_of

STRINGS = (ROOT / "scorm_builder" / "player" / "strings.js").read_text(encoding="utf-8")

# label key -> (the player's text with its placeholders filled, author texts that carry it, texts that do not)
CASES = {
    "knowledgeCheck": ({"title": "listening"}, ["Knowledge check: listening", "KNOWLEDGE  CHECK - why",
                                                "<em>Knowledge check</em>"],
                       ["Knowledge checks ahead", "Check your knowledge", "A knowledge check"]),
    "lessonLabel": ({"n": 3, "title": "Trust"}, ["Lesson 3: Trust", "lesson 12 - endings"],
                    ["Lessons learned", "Lesson plan basics", "A lesson 3"]),
    "verdictCorrect": ({}, ["<p>Correct. Attention first.</p>", "<p><strong>Correct!</strong></p>", "Correct",
                           "correct, and more"],
                       ["<p>Correctly done.</p>", "<p>Not correct.</p>", "<p>Incorrect.</p>", ""]),
    "verdictIncorrect": ({}, ["<p>Not quite. Empathy means…</p>", "Incorrect: no", "Not correct.", "Wrong!"],
                         ["<p>Nothing to add</p>", "Wrongly placed"]),
    "verdictRecorded": ({}, ["<p>Thank you for reflecting.</p>", "Thanks. Noted.", "thank you"],
                        ["<p>Thankful people…</p>", "<p>Thanksgiving</p>"]),
}


def player_text(key: str, params: dict) -> str:
    match = re.search(rf"^\s*{key}: \"([^\"]*)\",?$", STRINGS, re.M)
    assert match, f"{key} is not a string the player has"
    return re.sub(r"\{(\w+)\}", lambda m: str(params[m.group(1)]), match.group(1))


def test_every_label_is_covered():
    assert set(CASES) == set(LABELS)
    assert set(VERDICTS) <= set(LABELS)


@pytest.mark.parametrize("key", sorted(LABELS))
def test_the_rule_over_every_label(key):
    params, carrying, plain = CASES[key]
    # the player's own wording counts (an author who copied it): the heads stay in step with strings.js
    assert carries(player_text(key, params), key)
    for text in carrying:
        assert carries(text, key), text
    for text in plain:
        assert not carries(text, key), text
    if key in VERDICTS:
        assert verdict_of(player_text(key, params)) == VERDICTS[key]
        assert all(verdict_of(text) == VERDICTS[key] for text in carrying)


# where the author wrote a label: (file, old text, new text, the warned field, what the player is told)
AUTHORED = [
    ("lessons/01-first.md", "title: The first lesson", "title: 'Lesson 1: the first idea'", "title", "lesson"),
    ("assessments/check-first.yaml", "title: Check your understanding", "title: 'Knowledge check: first'", "title",
     "check"),
    ("assessments/check-first.yaml", "correct: Yes, it is first.", "correct: Correct, it is first.",
     "questions[0].feedback.correct", "correct"),
    ("assessments/check-first.yaml", "incorrect: It is first, by name.", "incorrect: Not quite. It is first.",
     "questions[0].feedback.incorrect", "incorrect"),
    ("assessments/check-first.yaml", "submitted: Keep that idea", "submitted: Thank you. Keep that idea",
     "questions[1].feedback.submitted", "neutral"),
    ("assessments/final.yaml", "feedback: Right, it is first.", "feedback: Correct. It is first.",
     "questions[0].options[0].feedback", "option"),
    ("assessments/final.yaml", "feedback: No, that one is second.", "feedback: 'Incorrect: that one is second.'",
     "questions[0].options[1].feedback", "option-wrong"),
]


def told(data: dict, what: str):
    check = data["lessons"][0]["check"]
    questions = {q["id"]: q for a in [check, data["final"]] for s in a["sections"] for q in s["questions"]}
    return {
        "lesson": lambda: data["lessons"][0]["labelled"],
        "check": lambda: check["labelled"],
        "correct": lambda: questions["chk-tf"]["feedback"]["correctVerdict"] == "correct",
        "incorrect": lambda: questions["chk-tf"]["feedback"]["incorrectVerdict"] == "incorrect",
        "neutral": lambda: questions["chk-reflect"]["feedback"]["correctVerdict"] == "neutral",
        "option": lambda: questions["q-single"]["options"][0]["feedbackVerdict"] == "correct",
        "option-wrong": lambda: questions["q-single"]["options"][1]["feedbackVerdict"] == "incorrect",
    }[what]()


@pytest.mark.parametrize(("file", "old", "new", "field", "what"), AUTHORED)
def test_an_authored_label_is_warned_at_its_line_and_the_player_adds_none(mini, file, old, new, field, what):
    course, problems = load_course(mini)
    assert course is not None and not problems, [p.format() for p in problems]
    assert not told(course_data(course, "scorm2004"), what), "the untouched course carries no label"
    edit(mini / file, old, new)
    course, problems = load_course(mini)
    assert course is not None
    warned = [p for p in problems if p.field == field]
    assert len(warned) == 1 and not warned[0].is_error, [p.format() for p in problems]
    assert warned[0].file.endswith(file) and warned[0].line == line_of(mini / file, new.split(": ", 1)[1][:20])
    assert told(course_data(course, "scorm2004"), what)


def test_the_empathy_course_says_nothing_twice():
    course, problems = load_course(EMPATHY)
    assert course is not None and [p.format() for p in problems] == []
