"""The empathy course's cmi5 package, launched by a small cmi5 LMS in front of a real LRS (Ralph).

The LMS (cmi5_lms/) registers the learner, sends `launched`, keeps LMS.LaunchData, hands out a
one-time fetch URL and launches the AU in chromium. Learners pass, fail, stop and resume, reload,
and play through an outage of the LRS; Browse and Review launches record nothing that counts, and
the LaunchData masteryScore wins over the course's. Every statement is read back from Ralph and
checked against xAPI, the cmi5 rules and an independent validator.
"""
from __future__ import annotations

from collections import Counter

import pytest
from playwright.sync_api import expect

from .cmi5_lms import wait_for
from .cmi5_lms.rules import MASTERY, check_cmi5, check_every_statement, ordered, verb
from .cmi5_lms.runs import pass_final, walk
from .harness import Learner



def statements_of(lrs_client, reg, until_terminated: int = 1) -> list[dict]:
    """The registration's statements, once `until_terminated` sessions have sent terminated."""
    def ready():
        found = lrs_client.all_statements(registration=reg.id)
        return found if sum(verb(s) == "terminated" for s in found) >= until_terminated else None
    return ordered(wait_for(ready, 30, "terminated in the LRS"))


def check_all(statements, reg, expected, modes=None) -> dict[str, list[dict]]:
    """Every xAPI rule, the validator and the cmi5 rules; the AU's statements per session."""
    mine = [s for s in statements if verb(s) != "launched"]
    check_every_statement(mine, package=expected["package"], actor=reg.actor, registration=reg.id,
                          root=reg.activity_id, definitions=expected["definitions"], xapi=expected["xapi"])
    modes = modes or {session.id: session.mode for session in reg.sessions}
    return check_cmi5(statements, activity_id=reg.activity_id, publisher_id=reg.au.publisher_id,
                      mastery=reg.au.mastery_score, modes=modes)


def au_verbs(items: list[dict], reg) -> list[str]:
    """The cmi5 defined verbs about the AU, in order."""
    return [verb(s) for s in items if s["object"]["id"] == reg.activity_id and verb(s) != "progressed"]


def test_learner_passes(launcher, empathy, expected, lrs_client, site):
    reg, open_au = launcher("cmi5-passes")
    run = open_au()
    assert site.lms.registrations[reg.id].sessions[0].fetches == 1
    learner = Learner(run, empathy)
    assert learner.title() == empathy.lessons[0].pages[0].title
    run.assert_accessible("a lesson page in cmi5 mode")
    checks = walk(learner, run)
    final = pass_final(learner)
    assert "You passed." in run.course.locator(".sb-result").inner_text()
    run.assert_accessible("the results in cmi5 mode")
    learner.press(learner.button("Exit"))
    run.page.wait_for_url(reg.sessions[0].return_url)  # returnURL once the queue is delivered

    statements = statements_of(lrs_client, reg)
    au = check_all(statements, reg, expected)[reg.sessions[0].id]
    assert au_verbs(au, reg) == ["initialized", "completed", "passed", "terminated"]
    kinds = Counter((verb(s), s["object"]["id"].split("/")[-2]) for s in au if s["object"]["id"] != reg.activity_id)
    assert kinds[("experienced", "page")] == len(empathy.pages)
    assert kinds[("completed", "lesson")] == len(empathy.lessons)
    assert kinds[("passed", "assessment")] == 1
    answered = [s["object"]["id"].rsplit("/", 1)[1] for s in au if verb(s) == "answered"]
    assert answered == checks + final
    passed = next(s for s in au if verb(s) == "passed" and s["object"]["id"] == reg.activity_id)
    assert passed["result"]["score"] == {"scaled": 1, "raw": 100, "min": 0, "max": 100}
    assert passed["context"]["extensions"][MASTERY] == 0.8
    progress = [s["result"]["extensions"] for s in au if verb(s) == "progressed"]
    assert progress and all(0 < next(iter(p.values())) < 100 for p in progress)
    assert site.lms.registrations[reg.id].sessions[0].fetches == 1, "the token was fetched once"
    assert not [entry for entry in site.lms.log if entry[2] >= 400]
    assert site.lms.suspend_state(reg)["location"] == empathy.final.id
    run.assert_clean()


def test_learner_fails_and_leaves(launcher, empathy, expected, lrs_client):
    reg, open_au = launcher("cmi5-fails")
    run = open_au()
    learner = Learner(run, empathy)
    learner.open_contents_link(empathy.final.title)
    attempts = empathy.completion.attempts
    for attempt in range(attempts):
        pass_final(learner, wrong=99)
        if attempt < attempts - 1:
            learner.press(learner.button("Try again"))
    assert "You have no attempts left." in run.course.locator(".sb-result").inner_text()
    run.assert_clean()
    run.leave()  # the learner closes the window: terminated goes with keepalive

    au = check_all(statements_of(lrs_client, reg), reg, expected)[reg.sessions[0].id]
    assert au_verbs(au, reg) == ["initialized", "failed", "terminated"]
    failed = next(s for s in au if verb(s) == "failed" and s["object"]["id"] == reg.activity_id)
    assert failed["result"]["success"] is False and failed["result"]["score"]["scaled"] < 0.8
    tries = [s for s in au if s["object"]["id"] == expected["xapi"]["assessments"][empathy.final.id]]
    assert [verb(s) for s in tries] == ["failed"] * attempts, "each attempt, as a cmi5 allowed statement"
    assert all(s["result"]["completion"] is True for s in tries)


def test_learner_stops_midway_and_resumes(launcher, empathy, expected, lrs_client, site):
    reg, open_au = launcher("cmi5-resumes")
    first = open_au()
    learner = Learner(first, empathy)
    walk(learner, first, pages=3)
    seen = learner.title()
    first.leave()
    statements_of(lrs_client, reg)
    state = site.lms.suspend_state(reg)
    assert state and state["suspendData"], "the AU saved its state in the LMS"

    second = open_au()  # a new session of the same registration
    learner = Learner(second, empathy)
    assert learner.title() == seen, "the learner is back where they stopped"
    walk(learner, second)
    pass_final(learner)
    learner.press(learner.button("Exit"))
    second.page.wait_for_url(reg.sessions[1].return_url)

    by_session = check_all(statements_of(lrs_client, reg, 2), reg, expected)
    one, two = (by_session[s.id] for s in reg.sessions)
    assert au_verbs(one, reg) == ["initialized", "terminated"]
    assert au_verbs(two, reg) == ["initialized", "completed", "passed", "terminated"]
    assert one[-1]["timestamp"] < two[0]["timestamp"]
    pages_one = [s for s in one if verb(s) == "experienced"]
    pages_two = [s for s in two if verb(s) == "experienced"]
    assert len(pages_one) == 4 and len(pages_two) == len(empathy.pages) - 3  # the resumed page again
    for session in reg.sessions:
        assert session.fetches == 1
    second.assert_clean()


def test_a_reload_keeps_the_token_and_ends_the_session(launcher, empathy, expected, lrs_client, site):
    reg, open_au = launcher("cmi5-reloads")
    run = open_au()
    learner = Learner(run, empathy)
    walk(learner, run, pages=2)
    run.reload()  # pagehide: terminated; the reloaded page must not fetch again
    session = reg.sessions[0]
    assert session.fetches == 1, "the token came from sessionStorage"
    assert site.lms.fetch(session.fetch_id) == {"error-code": "1", "error-text": "this fetch URL has been used already"}
    assert run.course.get_by_text("Preview: progress is not saved").is_visible(), "the session has ended"
    learner.next()  # nothing more is recorded
    au = check_all(statements_of(lrs_client, reg), reg, expected)[session.id]
    assert au_verbs(au, reg) == ["initialized", "terminated"]
    assert len([s for s in au if verb(s) == "experienced"]) == 3
    run.wait_delivered()
    assert len(lrs_client.all_statements(registration=reg.id)) == len(au) + 1, "nothing after terminated"
    run.assert_clean()


@pytest.mark.parametrize("mode", ["Browse", "Review"])
def test_browse_and_review_launches_judge_nothing(launcher, empathy, expected, lrs_client, site, mode):
    reg, open_au = launcher(f"cmi5-{mode.lower()}")
    run = open_au(mode=mode)
    learner = Learner(run, empathy)
    learner.open_contents_link(empathy.final.title)
    pass_final(learner)
    learner.press(learner.button("Exit"))
    run.page.wait_for_url(reg.sessions[0].return_url)
    au = check_all(statements_of(lrs_client, reg), reg, expected)[reg.sessions[0].id]
    assert au_verbs(au, reg) == ["initialized", "terminated"]
    assert not [s for s in au if verb(s) in ("completed", "passed", "failed")], "not even about a lesson or attempt"
    if mode == "Browse":
        assert [s for s in au if verb(s) == "answered"], "Browse still records the answers"
    if mode == "Review":
        assert site.lms.suspend_state(reg) is None, "Review is read only"
    else:
        assert site.lms.suspend_state(reg)["location"] == empathy.final.id
    run.assert_clean()


def test_the_launch_data_mastery_score_wins(launcher, empathy, expected, lrs_client):
    reg, open_au = launcher("cmi5-mastery")
    run = open_au(mastery_score=1.0)
    learner = Learner(run, empathy)
    learner.open_contents_link(empathy.final.title)
    assert "Pass mark: 100%." in run.course.locator(".sb-hint").first.inner_text()
    pass_final(learner, wrong=1)
    assert "You did not pass." in run.course.locator(".sb-result").inner_text()
    learner.press(learner.button("Exit"))
    run.page.wait_for_url(reg.sessions[0].return_url)
    statements = statements_of(lrs_client, reg)
    mine = [s for s in statements if verb(s) != "launched"]
    check_every_statement(mine, package=expected["package"], actor=reg.actor, registration=reg.id,
                          root=reg.activity_id, definitions=expected["definitions"], xapi=expected["xapi"])
    check_cmi5(statements, activity_id=reg.activity_id, publisher_id=reg.au.publisher_id, mastery=1.0,
               modes={reg.sessions[0].id: "Normal"})
    tries = [s for s in mine if s["object"]["id"] == expected["xapi"]["assessments"][empathy.final.id]]
    assert [verb(s) for s in tries] == ["failed"] and 0.8 <= tries[0]["result"]["score"]["scaled"] < 1
    run.assert_clean()


def test_an_lrs_outage_loses_nothing_and_duplicates_nothing(launcher, empathy, expected, lrs, lrs_client):
    reg, open_au = launcher("cmi5-outage")
    run = open_au()
    learner = Learner(run, empathy)
    walk(learner, run, pages=2)
    run.wait_delivered()
    with lrs.down():
        checks = walk(learner, run, stop="final")  # the LMS answers 502 meanwhile
        assert run.queued() > 0
        expect(run.course.locator(".sb-sync-note")).to_contain_text("Your progress is kept on this device")
    final = pass_final(learner)
    run.wait_delivered(60)
    assert run.course.locator(".sb-sync-note").is_hidden(), "the note goes once delivered"
    learner.press(learner.button("Exit"))
    run.page.wait_for_url(reg.sessions[0].return_url)

    statements = statements_of(lrs_client, reg)
    au = check_all(statements, reg, expected)[reg.sessions[0].id]
    assert au_verbs(au, reg) == ["initialized", "completed", "passed", "terminated"]
    stored = Counter(s["id"] for s in lrs.stored())
    sent = set(run.sent)
    assert len(run.sent) > len(sent), "some statements were sent more than once (retried)"
    assert all(stored[i] == 1 for i in sent), "every statement sent arrived exactly once"
    assert {s["id"] for s in au} == sent
    assert [s["object"]["id"].rsplit("/", 1)[1] for s in au if verb(s) == "answered"] == checks + final
    assert len([s for s in au if verb(s) == "experienced"]) == len(empathy.pages)
    run.assert_clean(allow_network_errors=True)
