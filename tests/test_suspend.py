"""Suspend data: the player's JavaScript encoder against the Python worst-case estimate.

The encoder (scorm_builder/player/suspend.js) runs in node on maximal learner states: every page
viewed, every question answered with its longest answer, texts at the longest a learner may type.
It must never write more than `worst_case_suspend_length` says, and must stay within the standard's
limit for a course of 50 lessons and 300 questions.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import string
from pathlib import Path

import pytest

from scorm_builder.model import (Assessment, Completion, CompletionRule, Course, Feedback, Lesson, MatchPair,
                                 Objective, Option, OrderItem, Page, Question, QuestionType, Section)
from scorm_builder.render.data import course_data
from scorm_builder.render.suspend import SUSPEND_LIMITS, worst_case_parts, worst_case_suspend_length

ROOT = Path(__file__).resolve().parents[1]
PLAYER = ROOT / "scorm_builder" / "player"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is needed to run the player's encoder")

HARNESS = r"""
const vm = require("vm");
const fs = require("fs");
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const context = { console };
context.window = context;
vm.createContext(context);
for (const file of input.files) vm.runInContext(fs.readFileSync(file, "utf8"), context, { filename: file });
const SB = context.ScormBuilder;
const M = SB.model, S = SB.suspend;
const data = input.data;
const limits = SB.limitsFor(input.standard);
const layout = M.layout(data);

function longest(q) {
  switch (q.type) {
    case "single-choice": return q.options.length - 1;
    case "multiple-response": return M.range(q.options.length);
    case "true-false": return true;
    case "matching": return q.pairs.map(() => q.targets.length - 1);
    case "ordering": return M.range(q.items.length).reverse();
    default: {
      const max = M.textLimit(q, limits);  // astral characters count two units, like maxlength
      return "\u{1F642}".repeat(Math.floor(max / 2)) + (max % 2 ? "x" : "");
    }
  }
}

function maximal(seed) {
  const state = S.empty(layout, seed);
  state.viewed = state.viewed.map(() => true);
  state.checks = layout.checks.map((c) => M.draw(c.assessment, seed, 0).map(longest));
  if (layout.final) {
    state.final = { attempts: 4095, phase: 2, outcome: 2, lastScore: 99.99, bestScore: 88.5, answers: null };
    state.final.answers = M.draw(layout.final, seed, 4094).map(longest);
  }
  return state;
}

const out = { lengths: [], roundTrips: true };
for (const seed of input.seeds) {
  const state = maximal(seed);
  const text = S.encode(data, layout, state, limits.suspend);
  out.lengths.push(text.length);
  const back = S.decode(data, layout, text);
  const again = S.encode(data, layout, back, limits.suspend);
  if (again !== text) out.roundTrips = false;
  if (input.strictRoundTrip && JSON.stringify(back) !== JSON.stringify(state)) out.roundTrips = false;
}
process.stdout.write(JSON.stringify(out));
"""
FILES = [str(PLAYER / name) for name in ("strings.js", "model.js", "suspend.js", "tracking.js")]


def encode_maximal(course: Course, standard: str, seeds=range(20), strict: bool = False) -> dict:
    payload = {"files": FILES, "data": course_data(course, standard), "standard": standard,
               "seeds": list(seeds), "strictRoundTrip": strict}
    done = subprocess.run([NODE, "-e", HARNESS], input=json.dumps(payload), capture_output=True, text=True,
                          check=True, timeout=120)
    return json.loads(done.stdout)


# ---- courses ----

def question(qid: str, kind: QuestionType, size: str = "max") -> Question:
    """A question of `kind`, as large as the format allows (size="max") or typical ("small")."""
    big = size == "max"
    common = dict(id=qid, type=kind, prompt_html="<p>Question?</p>", objective="o1", weight=1.0,
                  feedback=Feedback("<p>Yes.</p>", "<p>No.</p>"), shuffle=True)
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        count = 26 if big else 4
        options = tuple(Option(string.ascii_lowercase[i], f"option {i}", i < (1 if kind is QuestionType.SINGLE_CHOICE else 2))
                        for i in range(count))
        return Question(**common, options=options)
    if kind is QuestionType.TRUE_FALSE:
        return Question(**common, answer=True)
    if kind is QuestionType.MATCHING:
        pairs = tuple(MatchPair(str(i + 1), f"prompt {i}", f"match {i}") for i in range(9 if big else 3))
        distractors = tuple(f"extra {i}" for i in range(17 if big else 1))
        return Question(**common, pairs=pairs, distractors=distractors)
    if kind is QuestionType.ORDERING:
        return Question(**common, items=tuple(OrderItem(string.ascii_lowercase[i], f"step {i}")
                                              for i in range(10 if big else 4)))
    if kind is QuestionType.FILL_IN:
        return Question(**common, accepted=("answer", "other"))
    return Question(**{**common, "weight": 0.0, "objective": None})


def make_course(lessons: int, pages: int, check_questions: int, final_questions: int, kinds: list[QuestionType],
                size: str = "max", pools: bool = True) -> Course:
    counter = iter(range(10**6))

    def next_question() -> Question:
        n = next(counter)
        return question(f"q{n}", kinds[n % len(kinds)], size)

    lesson_list = []
    for li in range(lessons):
        check = None
        if check_questions:
            check = Assessment(f"check-{li}", "Check", False, "",
                               (Section(f"check-{li}-main", tuple(next_question() for _ in range(check_questions))),))
        lesson_list.append(Lesson(f"lesson-{li}", f"Lesson {li}", ("o1",),
                                  tuple(Page(f"lesson-{li}-p{p + 1}", f"Page {p + 1}", "<p>Text.</p>") for p in range(pages)),
                                  check))
    sections = []
    if pools:  # half the final always shown, half drawn from pools twice their size
        always = final_questions // 2
        sections.append(Section("final-main", tuple(next_question() for _ in range(always))))
        drawn = final_questions - always
        for pi in range(0, drawn, 10):
            count = min(10, drawn - pi)
            sections.append(Section(f"pool-{pi}", tuple(next_question() for _ in range(2 * count)), draw=count))
    else:
        sections.append(Section("final-main", tuple(next_question() for _ in range(final_questions))))
    final = Assessment("final", "Final", True, "", tuple(sections))
    return Course(id="big", title="Big", description="", language="en", version="1", organisation="",
                  duration_minutes=0, ce_hours=0, objectives=(Objective("o1", "Objective"),),
                  lessons=tuple(lesson_list), completion=Completion(CompletionRule.BOTH, 80, 0), final=final)


ALL_KINDS = list(QuestionType)


def question_count(course: Course) -> int:
    return sum(len(a.questions) for a in course.assessments)


# ---- tests ----

@pytest.mark.parametrize("standard", ["scorm12", "scorm2004"])
def test_a_course_of_50_lessons_and_300_questions_fits(standard):
    # 50 lessons x 10 pages; 200 knowledge-check questions and a final of 100 shown (50 of them drawn
    # from pools of 100), every type at its largest: 26 options, 9 pairs + 17 distractors, 10 items
    course = make_course(lessons=50, pages=10, check_questions=4, final_questions=100, kinds=ALL_KINDS)
    assert len(course.lessons) == 50 and len(course.pages) == 500
    assert sum(a.max_shown for a in course.assessments) == 300
    worst = worst_case_suspend_length(course, standard)
    assert worst <= SUSPEND_LIMITS[standard]
    fixed, _texts = worst_case_parts(course, standard)
    assert fixed < SUSPEND_LIMITS[standard]  # progress, answers and attempts always fit; texts share the rest
    result = encode_maximal(course, standard, seeds=range(5))
    assert max(result["lengths"]) <= worst
    assert result["roundTrips"]


@pytest.mark.parametrize("standard", ["scorm12", "scorm2004"])
def test_the_estimate_is_exact_without_pools(standard):
    course = make_course(lessons=3, pages=4, check_questions=3, final_questions=7, kinds=ALL_KINDS, pools=False)
    worst = worst_case_suspend_length(course, standard)
    result = encode_maximal(course, standard, seeds=[1], strict=True)
    assert result["lengths"] == [worst]
    assert result["roundTrips"]


@pytest.mark.parametrize("standard", ["scorm12", "scorm2004"])
def test_no_draw_writes_more_than_the_estimate(standard):
    course = make_course(lessons=4, pages=3, check_questions=2, final_questions=30, kinds=ALL_KINDS)
    worst = worst_case_suspend_length(course, standard)
    result = encode_maximal(course, standard, seeds=range(40))
    assert max(result["lengths"]) <= worst
    assert result["roundTrips"]


def test_texts_give_way_so_scorm12_never_exceeds_its_limit():
    # sixty reflections of 255 characters cannot all be kept in 4096: some are dropped, whole
    course = make_course(lessons=2, pages=2, check_questions=0, final_questions=60,
                         kinds=[QuestionType.REFLECTION], pools=False)
    fixed, texts = worst_case_parts(course, "scorm12")
    assert fixed + texts > 4096
    assert worst_case_suspend_length(course, "scorm12") == 4096
    result = encode_maximal(course, "scorm12", seeds=[3])
    assert result["lengths"][0] <= 4096
    assert result["roundTrips"]


def test_a_course_too_large_for_scorm12_is_reported():
    # 400 ordering questions of 10 items need 11 characters each: more than 4096 without any text
    course = make_course(lessons=50, pages=10, check_questions=6, final_questions=100,
                         kinds=[QuestionType.ORDERING], pools=False)
    assert question_count(course) == 400
    worst = worst_case_suspend_length(course, "scorm12")
    assert worst > SUSPEND_LIMITS["scorm12"]
    assert worst_case_suspend_length(course, "scorm2004") <= SUSPEND_LIMITS["scorm2004"]
    result = encode_maximal(course, "scorm12", seeds=[0])
    assert result["lengths"] == [worst], "the JavaScript really writes that much"


def test_the_browser_test_course_and_the_example_course():
    from scorm_builder.load import load_course

    for folder in (ROOT / "tests" / "browser" / "course", ROOT / "modules" / "empathy-crs"):
        course, _problems = load_course(folder)
        if course is None:
            continue
        for standard in ("scorm12", "scorm2004"):
            worst = worst_case_suspend_length(course, standard)
            assert worst <= SUSPEND_LIMITS[standard]
            assert max(encode_maximal(course, standard, seeds=range(10))["lengths"]) <= worst
