"""The empathy course's Tin Can package launched with query parameters, and its SCORM packages built
with an LRS endpoint, sending statements straight to a real LRS (Ralph) from chromium.

Tin Can: the launch parameters (an 0.9-form actor, registration, activity_id) shape every
statement; Ralph has no State API, so a relaunch resumes from this device's copy. The queue: an
outage with a reload, a crashed page and an offline spell loses no statement and stores none
twice; a statement the LRS refuses is set aside and reported, a refused key stops sending and
keeps everything for the next launch. SCORM: the LMS (scorm-again) gets its data as before and
the LRS gets the statements.
"""
from __future__ import annotations

import json
import uuid
from collections import Counter
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from .cmi5_lms import LaunchRun, wait_for
from .cmi5_lms.rules import check_every_statement, ordered, verb
from .cmi5_lms.runs import pass_final, walk
from .harness import Learner, LmsRun


HOME = "https://lms.example.org/"  # the LMS's home page in the learner's account (an identifier, never fetched)


def tincan_url(site, lrs, registration: str, learner: str, activity_id: str | None = None, auth: str | None = None) -> str:
    # the actor in the 0.9 form some LMSs still send: arrays, accountServiceHomePage/accountName
    actor = {"name": [f"Learner {learner}"], "account": [{"accountServiceHomePage": HOME, "accountName": learner}]}
    query = {"endpoint": lrs.endpoint, "auth": auth or lrs.writer.authorization,
             "actor": json.dumps(actor), "registration": registration}
    if activity_id:
        query["activity_id"] = activity_id
    return site.url("/pkg/empathy/xapi/index.html?" + urlencode(query))


def agent(learner: str) -> dict:
    return {"objectType": "Agent", "name": f"Learner {learner}", "account": {"homePage": HOME, "name": learner}}


@pytest.fixture
def runs(browser):
    opened: list = []
    yield opened
    for run in opened:
        run.close()


def statements_of(lrs_client, registration: str, count_terminated: int = 1) -> list[dict]:
    def ready():
        found = lrs_client.all_statements(registration=registration)
        return found if sum(verb(s) == "terminated" for s in found) >= count_terminated else None
    return ordered(wait_for(ready, 30, "terminated in the LRS"))


def test_tincan_launch_sends_statements_and_resumes(site, xapi_packages, browser, runs, empathy, expected, lrs,
                                                     lrs_client):
    registration = str(uuid.uuid4())
    root = f"https://training.example.gov/courses/{registration}"
    url = tincan_url(site, lrs, registration, "tc-1", activity_id=root)
    run = LaunchRun(browser, url)
    runs.append(run)
    learner = Learner(run, empathy)
    checks = walk(learner, run, pages=4)  # lesson 1, its knowledge check, lesson 2's first page
    learner.open_contents_link(empathy.final.title)
    final = pass_final(learner)
    learner.press(learner.button("Exit"))
    statements = statements_of(lrs_client, registration)
    check_every_statement(statements, package=expected["package"], actor=agent("tc-1"), registration=registration,
                          root=root, definitions=expected["definitions"], xapi=expected["xapi"])
    verbs = [verb(s) for s in statements if s["object"]["id"] == root]
    assert verbs == ["initialized", "suspended", "terminated"], "pages left unseen: suspended, not completed"
    assert [s["object"]["id"].rsplit("/", 1)[1] for s in statements if verb(s) == "answered"] == checks + final
    attempt = [s for s in statements if s["object"]["id"] == expected["xapi"]["assessments"][empathy.final.id]]
    assert [verb(s) for s in attempt] == ["passed"] and attempt[0]["result"]["score"]["scaled"] == 1
    lesson = expected["xapi"]["lessons"][empathy.lessons[0].id]
    assert [verb(s) for s in statements if s["object"]["id"] == lesson] == ["completed"]
    # Ralph has no State API: its 404 is the one console error, and the device keeps the state
    run.assert_clean(allow_404=("/activities/state",))
    assert any("sb-xapi-state:" in key for key in run.stored_keys())

    again = LaunchRun(browser, url, context=run.context)  # the LMS relaunches the same registration
    runs.append(again)
    learner = Learner(again, empathy)
    assert learner.title() == f"{empathy.final.title}: results", "resumed where the learner left"
    again.leave()  # closing the window: suspended and terminated go with keepalive, CORS preflight and all
    statements = statements_of(lrs_client, registration, 2)
    verbs = [verb(s) for s in statements if s["object"]["id"] == root]
    assert verbs == ["initialized", "suspended", "terminated", "initialized", "resumed", "suspended", "terminated"]
    check_every_statement(statements, package=expected["package"], actor=agent("tc-1"), registration=registration,
                          root=root, definitions=expected["definitions"], xapi=expected["xapi"])


def test_outage_reload_crash_and_offline_lose_nothing(site, xapi_packages, browser, runs, empathy, expected, lrs,
                                                      lrs_client):
    registration = str(uuid.uuid4())
    url = tincan_url(site, lrs, registration, "tc-outage")
    lrs.stop()  # the LRS is down from the start
    try:
        run = LaunchRun(browser, url)
        runs.append(run)
        learner = Learner(run, empathy)
        walk(learner, run, pages=2)
        expect(run.course.locator(".sb-sync-note")).to_contain_text("kept on this device")
        run.reload()  # pagehide: suspended, terminated; queued with the rest
        learner = Learner(run, empathy)
        walk(learner, run, pages=2)
        held = run.queued()
        run.crash()  # no pagehide: only what was stored survives
        run.open(url)
        learner = Learner(run, empathy)
        assert run.queued() >= held, "the queue came back from localStorage"
        walk(learner, run, pages=1)
        run.context.set_offline(True)
        walk(learner, run, pages=1)
    finally:
        lrs.start()
    run.context.set_offline(False)  # back online: sent at once, whatever the backoff said
    run.wait_delivered(15)
    learner.press(learner.button("Exit"))
    statements = statements_of(lrs_client, registration, 2)
    check_every_statement(statements, package=expected["package"], actor=agent("tc-outage"),
                          registration=registration, root=expected["xapi"]["course"],
                          definitions=expected["definitions"], xapi=expected["xapi"])
    sent = set(run.sent)
    stored = Counter(s["id"] for s in lrs.stored())
    assert sent == {s["id"] for s in statements}
    assert all(stored[i] == 1 for i in sent), "exactly once each"
    verbs = Counter(verb(s) for s in statements)
    assert verbs["initialized"] == 3 and verbs["terminated"] == 2, "three page loads; the crashed one never ended"
    assert verbs["experienced"] == 1 + 2 + 1 + 2 + 1 + 1 + 1, "every page shown, each load showing its first one"
    run.assert_clean(allow_network_errors=True, allow_404=("/activities/state",))


def test_a_refused_statement_is_set_aside_and_the_rest_delivered(site, xapi_packages, browser, runs, empathy,
                                                                 expected, lrs, lrs_client):
    registration = str(uuid.uuid4())
    bad_page = expected["xapi"]["pages"][empathy.lessons[0].pages[1].id]
    run = LaunchRun(browser, tincan_url(site, lrs, registration, "tc-refused"), wait=False)
    runs.append(run)

    def lrs_route(route):
        body = route.request.post_data or ""
        if route.request.method == "POST" and bad_page in body:
            route.fulfill(status=400, content_type="application/json", body='{"error": "refused"}',
                          headers={"Access-Control-Allow-Origin": site.origin})
        else:
            route.continue_()

    run.page.route(lrs.endpoint + "statements", lrs_route)
    run.course.locator("html[data-sb-ready]").wait_for(state="attached")
    learner = Learner(run, empathy)
    walk(learner, run, pages=3)
    run.wait_delivered()
    expect(run.course.locator(".sb-sync-note")).to_contain_text("could not be recorded")
    learner.press(learner.button("Exit"))
    run.wait_delivered()  # the route above only answers while the test talks to the browser
    statements = statements_of(lrs_client, registration)
    assert bad_page not in {s["object"]["id"] for s in statements}
    assert len([s for s in statements if verb(s) == "experienced"]) == 3, "the others got through"
    aside = [k for k in run.stored_keys() if ":aside:" in k]
    assert len(aside) == 1, "the refused statement is kept aside on the device"
    refused = [e for e in run.console_errors if "refused a statement (HTTP 400)" in e]
    assert len(refused) == 1
    others = [e for e in run.console_errors if e not in refused and "status of 400" not in e and "status of 404" not in e]
    assert not others, others


def test_a_refused_key_stops_sending_and_keeps_everything(site, xapi_packages, browser, runs, empathy, lrs,
                                                          lrs_client):
    registration = str(uuid.uuid4())
    wrong = "Basic " + "bm90OmFrZXk="  # not:akey
    run = LaunchRun(browser, tincan_url(site, lrs, registration, "tc-401", auth=wrong))
    runs.append(run)
    learner = Learner(run, empathy)
    walk(learner, run, pages=2)
    expect(run.course.locator(".sb-sync-note")).to_contain_text("could not be recorded")
    held = run.queued()
    assert held >= 3
    assert len([u for u in run.requests if u.endswith("/statements")]) == 1, "no retry against a 401"
    assert lrs_client.all_statements(registration=registration) == []
    run.page.close()
    # the LMS launches again, now with a good key: what was kept goes first
    again = LaunchRun(browser, tincan_url(site, lrs, registration, "tc-401"), context=run.context)
    runs.append(again)
    learner = Learner(again, empathy)
    learner.press(learner.button("Exit"))

    # The first session's own terminated (queued at close) may arrive before the second session's
    # statements, so wait for what the second session sends, not for a count of terminated.
    def delivered():
        found = lrs_client.all_statements(registration=registration)
        pages = Counter(verb(s) for s in found)["experienced"]
        return found if pages >= 3 + 1 and any(verb(s) == "terminated" for s in found) else None

    statements = wait_for(delivered, 30, "both sessions' statements in the LRS")
    assert Counter(verb(s) for s in statements)["experienced"] == 3 + 1, "each statement once"


# ---- SCORM packages that also send statements ----

@pytest.mark.parametrize("standard", ["scorm12", "scorm2004"])
def test_scorm_package_with_an_lrs_keeps_the_lms_record_and_sends_statements(site, xapi_packages, browser, empathy,
                                                                             expected, lrs_client, standard):
    learner_id = f"scorm-{standard}-{uuid.uuid4().hex[:8]}"
    preload = {"core": {"student_id": learner_id}} if standard == "scorm12" else {"learner_id": learner_id}
    run = LmsRun(browser, site.origin, "empathy-lrs", standard, preload=preload)
    try:
        learner = Learner(run, empathy)
        checks = walk(learner, run)
        final = pass_final(learner)
        assert "You passed." in run.course.locator(".sb-result").inner_text()
        if standard == "scorm12":
            run.unload_course()  # the LMS closes the course: pagehide, statements go with keepalive
        else:
            learner.press(learner.button("Exit"))
        run.assert_clean()  # the LMS side: every call succeeded, as without an LRS
        cmi = run.cmi()
        if standard == "scorm12":
            assert cmi["core"]["lesson_status"] == "passed" and cmi["core"]["score"]["raw"] == "100"
        else:
            assert (cmi["completion_status"], cmi["success_status"]) == ("completed", "passed")
        actor = {"objectType": "Agent", "account": {"homePage": site.origin + "/", "name": learner_id}}

        def ended():
            found = lrs_client.all_statements(agent=json.dumps(actor))
            return found if any(verb(s) == "terminated" for s in found) else None

        statements = ordered(wait_for(ended, 30, "the SCORM package's statements"))
        check_every_statement(statements, package=expected["package"], actor=actor, registration=None,
                              root=expected["xapi"]["course"], definitions=expected["definitions"],
                              xapi=expected["xapi"])
        course = [verb(s) for s in statements if s["object"]["id"] == expected["xapi"]["course"]]
        assert course == ["initialized", "completed", "passed", "terminated"]
        assert [s["object"]["id"].rsplit("/", 1)[1] for s in statements if verb(s) == "answered"] == checks + final
        outside = [u for u in run.requests if not u.startswith(site.origin) and not u.startswith(lrs_client.endpoint)]
        assert not outside, outside
    finally:
        run.close()
