"""The player in a real browser against a real LMS runtime (scorm-again), for SCORM 1.2 and 2004.

Learners walk the empathy course by keyboard and accessible roles: one passes, one fails, one stops
midway and resumes. The LMS side is checked element by element, axe-core checks every page kind
and question state, and no request may leave 127.0.0.1. A small course with every feature (pools,
an image, a table) covers preview mode, a late API and small screens.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from scorm_builder.model import QuestionType

from .harness import Learner, LmsRun, plain

STANDARDS = ["scorm12", "scorm2004"]
LIMITS = {"scorm12": 4096, "scorm2004": 64000}

TIMESPAN = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")  # CMITimespan
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,2})?$")  # CMITime (1.2)
DURATION = re.compile(r"^P(?=.)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,2}(Z|[+-]\d\d(:\d\d)?)$")  # fraction with TZD
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
ID12 = re.compile(r"^[A-Za-z0-9_-]{1,255}$")  # strict CMIIdentifier
CHAR = r"[0-9a-z]"
RESPONSE12 = {
    "choice": re.compile(rf"^{CHAR}(,{CHAR})*$"),
    "sequencing": re.compile(rf"^{CHAR}(,{CHAR})*$"),
    "true-false": re.compile(r"^[01tf]$"),
    "matching": re.compile(rf"^{CHAR}\.{CHAR}(,{CHAR}\.{CHAR})*$"),
    "fill-in": re.compile(r"^[\s\S]{0,255}$"),
}
SHORT = r"[^\s\[\]{}]{1,250}"
RESPONSE2004 = {
    "choice": re.compile(rf"^{SHORT}(\[,\]{SHORT})*$"),
    "sequencing": re.compile(rf"^{SHORT}(\[,\]{SHORT})*$"),
    "true-false": re.compile(r"^(true|false)$"),
    "matching": re.compile(rf"^{SHORT}\[\.\]{SHORT}(\[,\]{SHORT}\[\.\]{SHORT})*$"),
    "fill-in": re.compile(r"^(?!\{)[^\n]{0,250}$"),
    "long-fill-in": re.compile(r"^(?!\{)[^\n]{0,4000}$"),
}
TYPES = {
    QuestionType.SINGLE_CHOICE: "choice", QuestionType.MULTIPLE_RESPONSE: "choice",
    QuestionType.TRUE_FALSE: "true-false", QuestionType.MATCHING: "matching",
    QuestionType.ORDERING: "sequencing", QuestionType.FILL_IN: "fill-in", QuestionType.REFLECTION: "long-fill-in",
}


# ---- walking the course ----

def screen_kind(run: LmsRun) -> str:
    return run.frame.evaluate("document.querySelector('.sb-screen').className.replace(/.*sb-screen-/, '')")


def walk_to_final(learner: Learner, run: LmsRun, checks_correct: bool = True, axe: bool = False) -> None:
    """From wherever the learner is to the final assessment with Next, answering knowledge checks."""
    first_check = True
    while screen_kind(run) != "final":
        if screen_kind(run) == "check":
            sections = learner.sections()
            if axe and first_check:
                run.assert_accessible("a knowledge check, unanswered")
                # a wrong answer first: feedback in the live region, the right answer shown
                graded = next(s for s in sections if learner.question_in(s).type is not QuestionType.REFLECTION)
                learner.answer(graded, learner.question_in(graded), correct=False)
                learner.press(learner.button("Check answer", graded))
                assert "Not quite." in graded.locator(".sb-feedback").inner_text()
                assert "Correct answer:" in graded.locator(".sb-feedback").inner_text()
                run.assert_accessible("a knowledge check with feedback")
                sections = [s for s in sections if s != graded]
            for section in sections:
                q = learner.question_in(section)
                learner.answer(section, q, correct=checks_correct)
                learner.press(learner.button("Check answer", section))
                feedback = section.locator(".sb-feedback")
                assert feedback.is_visible()
                verdict = ("Thank you: your answer has been recorded." if q.type is QuestionType.REFLECTION
                           else "Correct." if checks_correct else "Not quite.")
                assert verdict in feedback.inner_text()
                expect(run.course.locator("#sb-app > [role=status]")).to_contain_text(verdict)  # the live region
            first_check = False
        learner.next()
        assert learner.focused()["tag"] == "H1", "focus moves to the new page's heading"


def final_prompts(learner: Learner) -> list[str]:
    return [learner.question_in(s).id for s in learner.sections()]


# ---- what the LMS holds ----

def interactions_sent(run: LmsRun) -> list[dict[str, str]]:
    """Interaction elements as the content set them, one dict per index."""
    found: dict[int, dict[str, str]] = {}
    for element, value in run.sets():
        match = re.match(r"cmi\.interactions\.(\d+)\.(.+)$", element)
        if match:
            found.setdefault(int(match.group(1)), {})[match.group(2)] = value
    first = min(found, default=0)
    assert sorted(found) == list(range(first, first + len(found))), "interactions are appended in order"
    return [found[i] for i in sorted(found)]


def check_interactions(run: LmsRun, course, standard: str) -> list[dict[str, str]]:
    questions = {q.id: q for a in course.assessments for q in a.questions}
    sent = interactions_sent(run)
    for ix in sent:
        q = questions[ix["id"]]
        kind = TYPES[q.type]
        if standard == "scorm12":
            kind = "fill-in" if kind == "long-fill-in" else kind
            assert ID12.match(ix["id"])
            assert ix["type"] == kind
            assert RESPONSE12[kind].match(ix["student_response"]), ix
            assert CLOCK.match(ix["time"]), ix
            assert TIMESPAN.match(ix["latency"]), ix
            assert ix["result"] in ({"neutral"} if q.type is QuestionType.REFLECTION else {"correct", "wrong"}), ix
            if q.type is not QuestionType.REFLECTION:
                assert RESPONSE12[kind].match(ix["correct_responses.0.pattern"]), ix
        else:
            assert ix["type"] == kind
            assert RESPONSE2004[kind].match(ix["learner_response"]), ix
            assert TIMESTAMP.match(ix["timestamp"]), ix
            assert DURATION.match(ix["latency"]), ix
            assert ix["description"].startswith("{lang=en}")
            if q.type is QuestionType.REFLECTION:
                assert ix["result"] == "neutral" and ix["weighting"] == "0"
                assert not any(k.startswith("correct_responses") for k in ix), "a reflection has no right answer"
            elif q.type is QuestionType.FILL_IN:
                assert ix["result"] in {"correct", "incorrect"}
                patterns = [v for k, v in ix.items() if k.startswith("correct_responses.")]
                assert patterns == [f"{{case_matters=false}}{a}" for a in q.accepted]
            else:
                assert ix["result"] in {"correct", "incorrect"}
                assert RESPONSE2004[kind].match(ix["correct_responses.0.pattern"]), ix
        assert DECIMAL.match(ix["weighting"])
        if q.objective:
            assert ix["objectives.0.id"] == q.objective
    return sent


def check_session(run: LmsRun, standard: str, location: str) -> dict:
    """The elements every session writes, in the right format; returns the LMS's CMI."""
    run.assert_clean()
    cmi = run.cmi()
    last = run.last_set()
    if standard == "scorm12":
        assert TIMESPAN.match(last["cmi.core.session_time"]), last["cmi.core.session_time"]
        assert cmi["core"]["lesson_location"] == location
        suspend = cmi["suspend_data"]
    else:
        assert DURATION.match(last["cmi.session_time"]), last["cmi.session_time"]
        assert cmi["location"] == location
        suspend = cmi["suspend_data"]
    assert 0 < len(suspend) <= LIMITS[standard]
    return cmi


def relaunch_data(cmi: dict, standard: str) -> dict:
    """What an LMS hands back when the learner relaunches: stored elements, entry=resume after suspend."""
    if standard == "scorm12":
        core = cmi["core"]
        return {
            "core": {"lesson_location": core["lesson_location"], "lesson_status": core["lesson_status"],
                     "score": core["score"], "entry": "resume" if core["exit"] == "suspend" else ""},
            "suspend_data": cmi["suspend_data"], "objectives": cmi["objectives"], "interactions": cmi["interactions"],
        }
    keys = ("location", "suspend_data", "completion_status", "success_status", "score", "progress_measure",
            "objectives", "interactions")
    data = {key: cmi[key] for key in keys}
    data["entry"] = "resume" if cmi["exit"] == "suspend" else ""
    return data


# ---- the tests ----

def checks_of(course):
    return [lesson.check for lesson in course.lessons if lesson.check]


def attempts_left_text(n: int) -> str:
    return "You have 1 more attempt." if n == 1 else f"You have {n} more attempts."


@pytest.mark.parametrize("standard", STANDARDS)
def test_learner_passes(lms, empathy, standard):
    course = empathy
    run = lms("empathy", standard)
    learner = Learner(run, course)
    assert learner.title() == course.lessons[0].pages[0].title
    run.assert_accessible("a lesson page")
    walk_to_final(learner, run, axe=True)

    assert learner.title() == course.final.title
    run.assert_accessible("the final assessment, unanswered")
    learner.submit()
    alert = run.course.get_by_role("alert")
    assert "not answered yet" in alert.inner_text(), "submitting with unanswered questions is refused"
    run.assert_accessible("the final assessment, refused for unanswered questions")
    answered = learner.answer_all(correct=True)
    assert len(answered) == course.final.max_shown
    learner.submit()
    assert learner.title() == f"{course.final.title}: results"
    assert learner.focused()["tag"] == "H1"
    result = run.course.locator(".sb-result").inner_text()
    assert "Your score: 100%." in result and "You passed." in result and "completed the course" in result
    assert run.course.get_by_role("button", name="Try again").count() == 0
    run.assert_accessible("the results with answer review")

    learner.press(learner.button("Exit"))
    assert learner.title() == "Session ended"
    run.assert_accessible("the end of the session")
    cmi = check_session(run, standard, course.final.id)
    sent = check_interactions(run, course, standard)
    check_count = sum(check.max_shown for check in checks_of(course))
    assert len(sent) == check_count + len(answered)
    final = sent[check_count:]
    assert all(ix["result"] in ("correct", "neutral") for ix in final)
    assert [ix["id"] for ix in final] == [q.id for q in answered]
    measured = {q.objective for q in answered if q.graded and q.objective}
    if standard == "scorm12":
        assert cmi["core"]["lesson_status"] == "passed"
        assert cmi["core"]["score"] == {"raw": "100", "min": "0", "max": "100"}
        assert run.last_set()["cmi.core.exit"] == ""
        statuses = {o["id"]: o["status"] for o in cmi["objectives"].values()}
        assert statuses == {o.id: "passed" if o.id in measured else "completed" for o in course.objectives}
    else:
        assert cmi["completion_status"] == "completed" and cmi["success_status"] == "passed"
        assert cmi["score"] == {"scaled": "1", "raw": "100", "min": "0", "max": "100"}
        assert cmi["progress_measure"] == "1"
        assert cmi["exit"] == "normal"
        objectives = {o["id"]: (o["success_status"], o["completion_status"], o["score"]["scaled"])
                      for o in cmi["objectives"].values()}
        assert objectives == {o.id: ("passed", "completed", "1") if o.id in measured else ("unknown", "completed", "")
                              for o in course.objectives}
        assert not any(e.startswith("adl.nav") for e, _ in run.sets())


@pytest.mark.parametrize("standard", STANDARDS)
def test_learner_fails(lms, empathy, standard):
    course = empathy
    allowed = course.completion.attempts
    assert allowed > 1
    run = lms("empathy", standard)
    learner = Learner(run, course)
    learner.open_contents_link(course.final.title)
    assert learner.title() == course.final.title
    for attempt in range(1, allowed + 1):
        assert run.course.locator(".sb-kicker").inner_text() == f"Attempt {attempt} of {allowed}."
        learner.answer_all(correct=False)
        learner.submit()
        result = run.course.locator(".sb-result").inner_text()
        assert "You did not pass." in result
        if attempt < allowed:
            assert attempts_left_text(allowed - attempt) in result
            # the review does not give the right answers away while attempts remain
            assert run.course.locator(".sb-correct-answer").count() == 0
            learner.press(learner.button("Try again"))
            assert learner.title() == course.final.title and learner.focused()["tag"] == "H1"
    assert "You have no attempts left." in result
    assert run.course.get_by_role("button", name="Try again").count() == 0
    assert run.course.locator(".sb-correct-answer").count() > 0, "once finished, the review shows right answers"

    cmi = check_session(run, standard, course.final.id)
    sent = check_interactions(run, course, standard)
    assert len(sent) == allowed * course.final.max_shown
    assert all(ix["result"] in ("wrong", "incorrect", "neutral") for ix in sent)
    if standard == "scorm12":
        assert cmi["core"]["lesson_status"] == "failed"
        assert cmi["core"]["score"]["raw"] == "0"
        assert run.last_set()["cmi.core.exit"] == "suspend"
    else:
        # rule "both": failed at once, but complete only when every page has been viewed too
        assert (cmi["completion_status"], cmi["success_status"]) == ("incomplete", "failed")
        assert cmi["score"]["raw"] == "0" and cmi["score"]["scaled"] == "0"
        assert cmi["exit"] == "suspend"

    learner.open_contents_entry(0)
    walk_to_final(learner, run, checks_correct=True)
    run.unload_course()  # the learner leaves: pagehide ends the session
    cmi = check_session(run, standard, course.final.id)
    assert [c["method"] for c in run.calls()][-1] in ("LMSFinish", "Terminate")
    if standard == "scorm12":
        assert cmi["core"]["lesson_status"] == "failed"
    else:
        assert (cmi["completion_status"], cmi["success_status"]) == ("completed", "failed")
        assert cmi["exit"] == "normal"


RESUMED_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.FILL_IN, QuestionType.ORDERING, QuestionType.MATCHING)


@pytest.mark.parametrize("standard", STANDARDS)
def test_learner_resumes(lms, empathy, standard):
    course = empathy
    first_check = checks_of(course)[0]
    run = lms("empathy", standard)
    learner = Learner(run, course)
    viewed = 0
    while screen_kind(run) != "check":
        learner.next()
        viewed += 1
    assert learner.title() == first_check.title
    first = learner.sections()[0]
    learner.answer(first, learner.question_in(first))
    learner.press(learner.button("Check answer", first))
    learner.next()  # the first page of lesson 2
    learner.open_contents_link(course.final.title)
    drawn = final_prompts(learner)
    partial = set()
    for section in learner.sections():
        q = learner.question_in(section)
        if q.type in RESUMED_TYPES:
            learner.answer(section, q, correct=True)
            partial.add(q.id)
    assert partial
    run.unload_course()
    cmi = check_session(run, standard, course.final.id)
    methods = [c["method"] for c in run.calls()]
    assert methods.count("LMSFinish") + methods.count("Terminate") == 1
    if standard == "scorm12":
        assert cmi["core"]["lesson_status"] == "incomplete" and cmi["core"]["exit"] == "suspend"
    else:
        assert (cmi["completion_status"], cmi["success_status"]) == ("incomplete", "unknown")
        assert cmi["exit"] == "suspend"
        assert 0 < float(cmi["progress_measure"]) < 1
    assert len(interactions_sent(run)) == 1

    # relaunch with what the LMS kept: same place, same draw, same answers, same progress
    again = lms("empathy", standard, preload=relaunch_data(cmi, standard))
    learner = Learner(again, course)
    assert learner.title() == course.final.title
    assert final_prompts(learner) == drawn
    # contents entries: lesson 1's pages, its check, then lesson 2's first page (viewed), second (not)
    for index in range(viewed + 1):
        if index != viewed:
            assert "(viewed)" in learner.contents_entry(index)
    assert "(done)" not in learner.contents_entry(viewed), "the check is only partly answered"
    assert "(viewed)" in learner.contents_entry(viewed + 1)
    assert "(not viewed)" in learner.contents_entry(viewed + 2)
    for section in learner.sections():
        q = learner.question_in(section)
        if q.type is QuestionType.SINGLE_CHOICE:
            correct = next(o for o in q.options if o.correct)
            assert section.get_by_role("radio", name=plain(correct.html), exact=True).is_checked()
        elif q.type is QuestionType.FILL_IN:
            assert section.get_by_role("textbox").input_value() == q.accepted[0]
        elif q.type is QuestionType.ORDERING:
            assert learner.order_shown(section) == [plain(i.html) for i in q.items]
        elif q.type is QuestionType.MATCHING:
            for pair in q.pairs:
                select = section.get_by_role("combobox", name=plain(pair.prompt_html), exact=True)
                assert select.evaluate("s => s.options[s.selectedIndex].text") == plain(pair.match_html)
        else:
            learner.answer(section, q, correct=True)
    learner.submit()
    assert "You passed." in again.course.locator(".sb-result").inner_text()
    learner.open_contents_entry(viewed)
    assert learner.sections()[0].locator(".sb-feedback").is_visible(), "a checked answer comes back with feedback"
    learner.next()  # lesson 2, page 1: already viewed
    walk_to_final(learner, again)
    learner.press(learner.button("Exit"))

    cmi = check_session(again, standard, course.final.id)
    sent = check_interactions(again, course, standard)
    later_checks = sum(check.max_shown for check in checks_of(course)[1:])
    assert len(sent) == course.final.max_shown + later_checks  # appended after session 1's
    counts = [c for c in again.calls() if c["args"][:1] == ["cmi.interactions._count"]]
    assert counts[0]["result"] == "1"
    if standard == "scorm12":
        assert cmi["core"]["lesson_status"] == "passed" and cmi["core"]["score"]["raw"] == "100"
    else:
        assert (cmi["completion_status"], cmi["success_status"]) == ("completed", "passed")
        assert cmi["score"]["raw"] == "100"


def test_api_that_appears_late_is_found(lms):
    run = lms("small", "scorm2004", delay=400)
    methods = [c["method"] for c in run.calls()]
    assert methods[0] == "Initialize"
    assert run.course.get_by_text("Preview: progress is not saved").count() == 0
    run.assert_clean()


def test_without_an_lms_the_course_runs_as_a_preview(lms, small):
    run = lms("small", "scorm12", direct=True)
    learner = Learner(run, small)
    assert run.course.get_by_text("Preview: progress is not saved").is_visible()
    learner.next()
    assert learner.title() == small.lessons[0].pages[1].title
    run.assert_accessible("a lesson page in preview")
    learner.press(learner.button("Exit"))
    assert "not saved" in run.course.locator(".sb-screen").inner_text()
    run.assert_clean()


def test_small_screen_reflows_and_motion_is_reduced(lms, small):
    run = lms("small", "scorm2004", viewport={"width": 320, "height": 640}, reduced_motion="reduce")
    learner = Learner(run, small)
    frame = run.frame
    assert frame.evaluate("getComputedStyle(document.querySelector('.sb-progress-fill')).transitionDuration") == "0s"
    contents = run.course.get_by_role("navigation", name="Contents")
    assert not contents.is_visible(), "on a narrow screen the contents wait behind a button"
    toggle = learner.button("Contents")
    for name in ("What listening is", "Reflecting back", "Practise reflecting", "Putting it together",
                 "Final assessment"):
        learner.press(toggle)
        assert toggle.get_attribute("aria-expanded") == "true" and contents.is_visible()
        learner.press(contents.get_by_role("link", name=re.compile(name)))
        assert not contents.is_visible()
        run.assert_no_horizontal_scroll(name)
    run.assert_accessible("the final assessment on a small screen")
    learner.press(toggle)
    run.assert_no_horizontal_scroll("the open contents")
    run.assert_accessible("the open contents on a small screen")
    run.assert_clean()


@pytest.mark.parametrize(("standard", "preload", "shown"), [
    ("scorm12", {"student_data": {"mastery_score": "50"}}, "Pass mark: 50%."),
    ("scorm2004", {"scaled_passing_score": "0.6"}, "Pass mark: 60%."),
])
def test_the_lms_pass_mark_wins(lms, small, standard, preload, shown):
    run = lms("small", standard, preload=preload)
    learner = Learner(run, small)
    learner.open_contents_link("Final assessment")
    assert shown in run.course.locator(".sb-screen").inner_text()
    for index, section in enumerate(learner.sections()):  # wrong, wrong, then right: 5 of 7 scored = 71.43%
        learner.answer(section, learner.question_in(section), correct=index >= 2)
    learner.submit()
    result = run.course.locator(".sb-result").inner_text()
    assert "Your score: 71.43%." in result and "You passed." in result, "below the course's 80, above the LMS's mark"
    run.assert_clean()
    cmi = run.cmi()
    if standard == "scorm12":
        assert cmi["core"]["score"]["raw"] == "71.43"
        assert cmi["core"]["lesson_status"] == "incomplete"  # rule both: passed, pages still to view
    else:
        assert cmi["score"]["raw"] == "71.43" and cmi["score"]["scaled"] == "0.7143"
        assert (cmi["completion_status"], cmi["success_status"]) == ("incomplete", "unknown")


def test_tab_reaches_every_control_in_order(lms, small):
    run = lms("small", "scorm12")
    learner = Learner(run, small)
    frame = run.frame
    frame.evaluate("document.activeElement && document.activeElement.blur()")
    frame.locator("body").focus()
    learner.page.keyboard.press("Tab")
    assert learner.focused() == {"tag": "A", "text": "Skip to content"}
    learner.page.keyboard.press("Enter")
    assert learner.focused()["tag"] == "H1"
    learner.open_contents_link("Final assessment")
    seen = []
    for _ in range(80):
        learner.page.keyboard.press("Tab")
        seen.append(frame.evaluate(
            "(() => { const e = document.activeElement; return [e.tagName, e.type || '', e.getAttribute('aria-label') ||"
            " e.textContent.trim()]; })()"))
        if seen[-1][2] == "Submit answers":
            break
    assert seen[-1][2] == "Submit answers", seen
    kinds = {(tag, kind) for tag, kind, _ in seen}
    assert {("INPUT", "radio"), ("INPUT", "checkbox"), ("SELECT", "select-one"), ("BUTTON", "button"),
            ("INPUT", "text"), ("TEXTAREA", "textarea")} <= kinds
    assert any(name.startswith("Move up: ") for _, _, name in seen)
