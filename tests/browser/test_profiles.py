"""LMS profiles in the browser: packages built with `--profile` played against scorm-again.

A learner views every page and fails every attempt at the final assessment. Under the moodle
profile the data the course sends must make that learner NOT complete in Moodle with "Require
status" set to "Passed" and to "Passed" + "Completed" (Moodle counts the activity as done when the
learner has any one of the checked statuses: /work/shared/specs/lms-notes.md §1b), in SCORM 2004
and 1.2. The generic profile (plain SCORM reading) is the contrast that shows the option matters.
"""
from __future__ import annotations

import threading
import zipfile
from functools import partial
from http.server import ThreadingHTTPServer

import pytest

from scorm_builder.build import build
from scorm_builder.profiles import PROFILES

from .conftest import COURSES, HERE, NODE_MODULES, _Handler, _ensure_node_modules, _standard_of
from .harness import Learner, LmsRun
from .test_player import interactions_sent, walk_to_final

PLAYED = ("moodle", "generic", "scorm-cloud")


@pytest.fixture(scope="module")
def profile_server(tmp_path_factory):
    """Packages of the small course built with each profile, served on 127.0.0.1 beside the test LMS."""
    _ensure_node_modules()
    out = tmp_path_factory.mktemp("profiles")
    routes = {"/lms/": HERE / "lms", "/node_modules/": NODE_MODULES}
    for name in PLAYED:
        result = build(COURSES["small"], ["scorm12", "scorm2004"], out / name / "zips", profile=PROFILES[name])
        assert result.ok, [p.format() for p in result.problems]
        for zip_path in result.packages:
            target = out / name / _standard_of(zip_path)
            with zipfile.ZipFile(zip_path) as archive:
                archive.extractall(target)
            routes[f"/pkg/{name}/{target.name}/"] = target
    handler = type("Handler", (_Handler,), {"routes": routes})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def moodle_done(cmi: dict, standard: str, require: set[str]) -> bool:
    """Moodle 4.5's "Require status": done when the learner has any one of the checked statuses,
    read from cmi.core.lesson_status (1.2) or completion_status / success_status (2004)."""
    if standard == "scorm12":
        statuses = {cmi["core"]["lesson_status"]}
    else:
        statuses = {cmi["completion_status"], cmi["success_status"]}
    return bool(statuses & require)


def fail_everything(browser, server: str, profile: str, standard: str, small) -> LmsRun:
    run = LmsRun(browser, server, profile, standard)
    learner = Learner(run, small)
    walk_to_final(learner, run)  # every page viewed: the course's own completion is "completed"
    for attempt in range(1, small.completion.attempts + 1):
        learner.answer_all(correct=False)
        learner.submit()
        if attempt < small.completion.attempts:
            learner.press(learner.button("Try again"))
    assert "You have no attempts left." in run.course.locator(".sb-result").inner_text()
    run.unload_course()
    return run


@pytest.mark.parametrize("standard", ["scorm2004", "scorm12"])
def test_moodle_profile_never_shows_a_failing_learner_as_complete(browser, profile_server, small, standard):
    run = fail_everything(browser, profile_server, "moodle", standard, small)
    try:
        run.assert_clean()
        cmi = run.cmi()
        if standard == "scorm12":
            assert cmi["core"]["lesson_status"] == "incomplete"
        else:
            assert (cmi["completion_status"], cmi["success_status"]) == ("incomplete", "failed")
            assert float(cmi["progress_measure"]) < 1
        assert cmi["score"]["raw"] == "0" if standard == "scorm2004" else cmi["core"]["score"]["raw"] == "0"
        for require in ({"passed"}, {"passed", "completed"}):
            assert not moodle_done(cmi, standard, require), require
    finally:
        run.close()


def test_the_plain_reading_is_what_moodle_counts_as_done(browser, profile_server, small):
    """The contrast: the generic profile reports completed + failed in 2004, which Moodle's
    "Passed" + "Completed" setting counts as Done (measured in Moodle 4.5)."""
    run = fail_everything(browser, profile_server, "generic", "scorm2004", small)
    try:
        cmi = run.cmi()
        assert (cmi["completion_status"], cmi["success_status"]) == ("completed", "failed")
        assert moodle_done(cmi, "scorm2004", {"passed", "completed"})
        assert not moodle_done(cmi, "scorm2004", {"passed"})
    finally:
        run.close()


@pytest.mark.parametrize("standard", ["scorm2004", "scorm12"])
def test_moodle_profile_still_reports_a_pass(browser, profile_server, small, standard):
    run = LmsRun(browser, profile_server, "moodle", standard)
    try:
        learner = Learner(run, small)
        walk_to_final(learner, run)
        learner.answer_all(correct=True)
        learner.submit()
        run.unload_course()
        cmi = run.cmi()
        if standard == "scorm12":
            assert cmi["core"]["lesson_status"] == "passed"
        else:
            assert (cmi["completion_status"], cmi["success_status"]) == ("completed", "passed")
        assert moodle_done(cmi, standard, {"passed"})
    finally:
        run.close()


def test_interaction_ids_per_attempt_keep_attempts_apart(browser, profile_server, small):
    """scorm-cloud uses unique interaction ids per attempt: "q-a1", "q-a2"; knowledge checks keep theirs."""
    run = fail_everything(browser, profile_server, "scorm-cloud", "scorm2004", small)
    try:
        sent = [ix["id"] for ix in interactions_sent(run)]
        final_ids = {q.id for q in small.final.questions}
        check_ids = {q.id for a in small.assessments if a is not small.final for q in a.questions}
        finals = [i for i in sent if i.rsplit("-a", 1)[0] in final_ids and i not in check_ids]
        assert finals and len(finals) == len(set(finals))  # never the same id twice
        assert {i.rsplit("-a", 1)[1] for i in finals} == {str(n) for n in range(1, small.completion.attempts + 1)}
        assert all(i in check_ids for i in sent if i not in finals)
    finally:
        run.close()
