"""Every label and verdict the player adds is said once (issue 10 item 5), in chromium.

The player puts "Lesson n:" above a page, "Knowledge check:" before a check in Contents, and a
verdict ("Correct.", "Not quite.", "Thank you: your answer has been recorded.") before feedback.
The small course's texts carry none of them (the player adds each); its copy `small-labelled`
carries each one already (the player adds none). Either way the learner reads each label once.
The rule itself (scorm_builder/check/labels.py) is tested over every label in tests/test_labels.py.
"""
from __future__ import annotations

import re

import pytest

from .harness import Learner
from .test_player import screen_kind


def said(pattern: str, text: str) -> int:
    return len(re.findall(pattern, text))


@pytest.mark.parametrize("course", ["small", "small-labelled"])
def test_every_label_and_verdict_is_said_once(lms, small, course):
    authored = course == "small-labelled"
    run = lms(course, "scorm2004")
    learner = Learner(run, small)

    kicker = run.course.locator(".sb-kicker").inner_text()
    assert said(r"Lesson 1:", kicker) == 1 and kicker.startswith("Lesson 1: What listening is"), kicker
    nav = run.course.get_by_role("navigation", name="Contents")
    entries = [" ".join(t.split()) for t in nav.get_by_role("link").all_inner_texts() if "Knowledge check" in t]
    assert len(entries) == 2 and all(said("Knowledge check", e) == 1 for e in entries), entries
    title = "listening" if authored else "Check your understanding"
    assert entries[0].startswith(f"Knowledge check: {title}")
    assert entries[1].startswith("Knowledge check: Practise reflecting")

    while screen_kind(run) != "check":
        learner.next()
    assert said(r"Lesson 1:", run.course.locator(".sb-kicker").inner_text()) == 1
    by_id = {learner.question_in(s).id: s for s in learner.sections()}
    right, wrong = by_id["k-attention"], by_id["k-hearing"]
    learner.answer(right, learner.question_in(right), correct=True)
    learner.press(learner.button("Check answer", right))
    text = right.locator(".sb-feedback").inner_text()
    assert said(r"\bCorrect\b(?! answer)", text) == 1, text
    assert "Attention comes first." in text
    learner.answer(wrong, learner.question_in(wrong), correct=False)
    learner.press(learner.button("Check answer", wrong))
    text = wrong.locator(".sb-feedback").inner_text()
    assert said(r"\b(Not quite|Incorrect)\b", text) == 1, text
    assert ("Incorrect, hearing is only the start" if authored else "Not quite.") in text
    assert "Correct answer: False" in text
    run.assert_accessible("feedback without a doubled verdict")

    learner.open_contents_link(small.final.title)
    learner.answer_all(correct=True)
    learner.submit()
    reflection = next(s for s in learner.sections() if learner.question_in(s).id == "f-reflect")
    text = reflection.locator(".sb-feedback").inner_text()
    assert said(r"Thank you", text) == 1, text  # the author's "Thank you." stands for the verdict
    run.assert_clean()
