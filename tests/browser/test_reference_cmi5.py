"""The empathy course's cmi5 package in the reference cmi5 LMS (ADL CATAPULT player, its LRS proxy
judging every request against the cmi5 rules) and the CATAPULT Content Test Suite, in chromium,
with the ADL LRS behind them (tests/reference/). Each scenario asserts what the LRS stored, the
player's session flags and, for the passing run, the CTS verdict; and that no request was refused
(a refused request changes nothing at the LMS: the AU's statements would simply be missing).
"""
from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import pytest

from reference.lms import (Watch, au_satisfied, cts_import, cts_launch, cts_logs, cts_result, cts_test, cts_violations,
                           import_course, launch, register, session, verb, wait_for)
from reference.plugin import REPORT
from scorm_builder.build import build_course

from .cmi5_lms.runs import LaunchRun, pass_final, screen_kind, walk
from .conftest import COURSES
from .harness import Learner

CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"


@pytest.fixture(scope="session")
def cmi5_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference-cmi5")
    (zip_path,) = build_course(COURSES["empathy"], ["cmi5"], out)
    with zipfile.ZipFile(zip_path) as archive:
        assert "cmi5.xml" in archive.namelist()
    return zip_path


@pytest.fixture(scope="session")
def catapult_course(catapult, cmi5_zip) -> dict:
    return import_course(catapult, cmi5_zip)


@pytest.fixture
def context(browser):
    """One browser profile (its storage survives closed tabs and crashed pages, as a real one's)."""
    ctx = browser.new_context()
    yield ctx
    ctx.close()


def stored(adl_lrs, code: str, terminated: int = 1, satisfied: bool = False) -> list[dict]:
    """The registration's statements in the ADL LRS once `terminated` sessions ended, oldest first."""
    def ready():
        found = adl_lrs.statements(registration=code)
        verbs = Counter(verb(s) for s in found)
        if verbs["terminated"] + verbs["abandoned"] < terminated or (satisfied and not verbs["satisfied"]):
            return None
        return found
    return sorted(wait_for(ready, 40, "the statements in the ADL LRS"), key=lambda s: s["timestamp"])


def au_statements(statements: list[dict], session_id: str) -> list[dict]:
    key = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
    return [s for s in statements if s.get("context", {}).get("extensions", {}).get(key) == session_id
            and verb(s) not in ("launched", "abandoned", "satisfied")]


def is_defined(statement: dict) -> bool:
    """A cmi5 defined statement (about the AU, with the cmi5 category)."""
    return any(c["id"] == CMI5 for c in statement["context"]["contextActivities"].get("category", []))


def defined(items: list[dict]) -> list[str]:
    """The cmi5 defined verbs in order."""
    return [verb(s) for s in items if is_defined(s)]


def exit_course(learner, run, return_url: str) -> None:
    """Exit once the queue is delivered (a loaded machine: the LMS judges each request in a
    transaction), then the AU goes to returnURL."""
    run.wait_delivered(120)
    learner.press(learner.button("Exit"))
    run.page.wait_for_url(return_url + "*", timeout=30000)


def ended(catapult, session_id: int) -> dict:
    return wait_for(lambda: (lambda s: s if s["isTerminated"] else None)(session(catapult, session_id)), 30,
                    "terminated at the LMS")


def test_passing_run_is_cts_conformant(cts, adl_lrs, cmi5_zip, browser, empathy, context):
    test = cts_test(cts, cts_import(cts, cmi5_zip), "passes")
    watch = Watch(context)
    run = LaunchRun(browser, cts_launch(cts, test), context=context)
    learner = Learner(run, empathy)
    walk(learner, run)
    pass_final(learner)
    assert "You passed." in run.course.locator(".sb-result").inner_text()
    exit_course(learner, run, "**/return-url")

    result = cts_verdict(cts, test, watch)
    assert result["result"] == "conformant", result
    assert [au["result"] for au in result["aus"]] == ["conformant"]
    statements = stored(adl_lrs, _cts_code(cts, test), satisfied=True)
    verbs = Counter(verb(s) for s in statements)
    assert verbs["launched"] == 1 and verbs["satisfied"] >= 1, verbs
    REPORT["passing run (CTS)"] = dict(verbs, verdict=result["result"])
    # the CTS's own return page wants a CTS login (401): its business, not the AU's
    errors = [e for e in run.console_errors if "/return-url" not in e and "status of 404" not in e]
    assert errors == []


def cts_verdict(cts, test, watch) -> dict:
    """The CTS's verdict once it is in, after asserting that no request was refused: no cmi5
    violation logged, no answer >= 400 but the CTS's own return page (it wants a CTS login, 401:
    the LMS's page, not a request of the AU)."""
    result = wait_for(lambda: (lambda r: r if r["result"] != "pending" else None)(cts_result(cts, test)), 30,
                      "the CTS verdict")
    violations = cts_violations(cts, test)
    assert violations == [], (violations, watch.refused, cts_logs(cts, test))
    assert [r for r in watch.refused if not r[1].endswith("/return-url")] == []
    return result


def _cts_code(cts, test) -> str:
    status, _, found = cts.api("GET", f"tests/{test.id}")
    return found["code"]


def test_failing_every_attempt(catapult, catapult_course, adl_lrs, browser, empathy, context):
    reg = register(catapult, catapult_course, "fails")
    back = adl_lrs.endpoint + "about"
    watch = Watch(context)
    run = LaunchRun(browser, launch(catapult, reg, back), context=context)
    learner = Learner(run, empathy)
    walk(learner, run)
    attempts = 0
    while True:
        pass_final(learner, wrong=99)
        attempts += 1
        assert "You did not pass." in run.course.locator(".sb-result").inner_text()
        retry = run.course.locator(".sb-retry")
        if not retry.count():
            break
        learner.press(retry)
        learner.next() if screen_kind(run) != "final" else None
    assert attempts == 3
    exit_course(learner, run, back)

    flags = ended(catapult, reg.sessions[0])
    assert (flags["isInitialized"], flags["isFailed"], flags["isPassed"], flags["isTerminated"]) == (1, 1, 0, 1)
    assert flags["isCompleted"] == 1  # every page was viewed
    assert not au_satisfied(catapult, reg)
    assert watch.refused == []
    statements = stored(adl_lrs, reg.code)
    mine = au_statements(statements, flags["code"])
    assert defined(mine) == ["initialized", "completed", "failed", "terminated"]
    failed = next(s for s in mine if verb(s) == "failed" and is_defined(s))
    assert failed["result"]["success"] is False and failed["result"]["score"]["scaled"] < 0.8
    assert "satisfied" not in Counter(verb(s) for s in statements)
    REPORT["failing every attempt"] = dict(Counter(verb(s) for s in statements))


def _interrupted_then_relaunched(how, catapult, catapult_course, adl_lrs, browser, empathy, context, label):
    reg = register(catapult, catapult_course, label)
    back = adl_lrs.endpoint + "about"
    watch = Watch(context)
    first = LaunchRun(browser, launch(catapult, reg, back), context=context)
    learner = Learner(first, empathy)
    walk(learner, first, pages=4)
    saved_title = learner.title()
    first.page.wait_for_timeout(1500)  # the suspend state is written a second after a page
    if how == "leave":
        first.leave()
    else:
        first.crash()
    wait_for(lambda: session(catapult, reg.sessions[0])["isInitialized"], 20, "the first session initialized")

    second = LaunchRun(browser, launch(catapult, reg, back), context=context)
    learner = Learner(second, empathy)
    assert learner.title() == saved_title, "resumes at the saved screen"
    walk(learner, second)
    pass_final(learner)
    exit_course(learner, second, back)

    assert watch.refused == [], second.console_all[-20:]
    one, two = session(catapult, reg.sessions[0]), ended(catapult, reg.sessions[1])
    assert one["isInitialized"] == 1 and (one["isTerminated"] or one["isAbandoned"])
    assert (two["isInitialized"], two["isCompleted"], two["isPassed"], two["isTerminated"]) == (1, 1, 1, 1)
    assert wait_for(lambda: au_satisfied(catapult, reg), 20, "the AU satisfied")
    assert watch.refused == []
    statements = stored(adl_lrs, reg.code, terminated=2, satisfied=True)
    assert defined(au_statements(statements, two["code"])) == ["initialized", "completed", "passed", "terminated"]
    assert defined(au_statements(statements, one["code"]))[:1] == ["initialized"]
    dropped = second.page.evaluate("Object.keys(localStorage).filter(k => k.endsWith(':dropped'))"
                                   ".reduce((n, k) => n + Number(localStorage.getItem(k)), 0)")
    REPORT[f"{label} + relaunch"] = dict(Counter(verb(s) for s in statements), dropped_on_device=dropped)
    return statements


def test_close_the_tab_then_relaunch(catapult, catapult_course, adl_lrs, browser, empathy, context):
    _interrupted_then_relaunched("leave", catapult, catapult_course, adl_lrs, browser, empathy, context, "closes-tab")


def test_crash_then_relaunch(catapult, catapult_course, adl_lrs, browser, empathy, context):
    _interrupted_then_relaunched("crash", catapult, catapult_course, adl_lrs, browser, empathy, context, "crashes")


def test_close_the_tab_then_relaunch_is_cts_conformant(cts, adl_lrs, cmi5_zip, browser, empathy, context):
    """The same interruption judged by the CTS: every request of both sessions, then the verdict."""
    test = cts_test(cts, cts_import(cts, cmi5_zip), "cts-relaunch")
    watch = Watch(context)
    first = LaunchRun(browser, cts_launch(cts, test), context=context)
    learner = Learner(first, empathy)
    walk(learner, first, pages=4)
    saved_title = learner.title()
    first.page.wait_for_timeout(1500)
    first.leave()
    second = LaunchRun(browser, cts_launch(cts, test), context=context)
    learner = Learner(second, empathy)
    assert learner.title() == saved_title, "resumes at the saved screen"
    walk(learner, second)
    pass_final(learner)
    exit_course(learner, second, "**/return-url")
    result = cts_verdict(cts, test, watch)
    assert result["result"] == "conformant", result
    statements = stored(adl_lrs, _cts_code(cts, test), terminated=2, satisfied=True)
    REPORT["closes-tab + relaunch (CTS)"] = dict(Counter(verb(s) for s in statements), verdict=result["result"])


def test_failing_every_attempt_is_pending_at_the_cts(cts, adl_lrs, cmi5_zip, browser, empathy, context):
    """Failing is no fault: the CTS sees no violation, and the AU stays unsatisfied ("pending")."""
    test = cts_test(cts, cts_import(cts, cmi5_zip), "cts-fails")
    watch = Watch(context)
    run = LaunchRun(browser, cts_launch(cts, test), context=context)
    learner = Learner(run, empathy)
    walk(learner, run)
    while True:
        pass_final(learner, wrong=99)
        retry = run.course.locator(".sb-retry")
        if not retry.count():
            break
        learner.press(retry)
    exit_course(learner, run, "**/return-url")
    statements = stored(adl_lrs, _cts_code(cts, test))
    violations = cts_violations(cts, test)
    assert violations == [], (violations, watch.refused, cts_logs(cts, test))
    result = cts_result(cts, test)
    assert result["result"] == "pending" and [au["result"] for au in result["aus"]] == ["pending"], result
    assert [r for r in watch.refused if not r[1].endswith("/return-url")] == []
    verbs = Counter(verb(s) for s in statements)
    assert verbs["failed"] >= 1 and verbs["passed"] == 0 and verbs["satisfied"] == 0, verbs
    REPORT["failing every attempt (CTS)"] = dict(verbs, verdict=result["result"])
