"""The empathy course's Tin Can package against the reference LRS (ADL LRS: strict validation, 400
on a bad statement; the State API with its concurrency rules), in chromium: a full walk with no
request refused, no statement twice; and resume in a fresh browser profile from the State API.
"""
from __future__ import annotations

import json
import uuid
import zipfile
from collections import Counter
from urllib.parse import urlencode

import pytest

from reference.lms import Watch, verb, wait_for
from reference.plugin import REPORT
from scorm_builder.build import build_course

from .cmi5_lms.runs import LaunchRun, pass_final, walk
from .conftest import COURSES
from .harness import Learner


@pytest.fixture(scope="session")
def tincan_package(tmp_path_factory, adl_lrs):
    """The Tin Can package, extracted and served on 127.0.0.1 (the ADL LRS allows any origin)."""
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    out = tmp_path_factory.mktemp("reference-xapi")
    (zip_path,) = build_course(COURSES["empathy"], ["xapi"], out / "zips")
    folder = out / "pkg"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    httpd.shutdown()
    httpd.server_close()


def launch_url(index: str, adl_lrs, who: dict, registration: str) -> str:
    return index + "?" + urlencode({"endpoint": adl_lrs.endpoint, "auth": adl_lrs.auth, "actor": json.dumps(who),
                                    "registration": registration})


def learner_actor(name: str) -> dict:
    return {"objectType": "Agent", "name": name, "account": {"homePage": "https://learners.example.com",
                                                              "name": f"{name}-{uuid.uuid4().hex[:8]}"}}


def test_full_walk_is_stored_whole(adl_lrs, tincan_package, browser, empathy):
    who, reg = learner_actor("walks"), str(uuid.uuid4())
    context = browser.new_context()
    watch = Watch(context)
    run = LaunchRun(browser, launch_url(tincan_package, adl_lrs, who, reg), context=context)
    try:
        learner = Learner(run, empathy)
        walk(learner, run)
        pass_final(learner)
        learner.press(learner.button("Exit"))
        run.wait_delivered()
        sent = list(run.sent)
    finally:
        context.close()
    assert watch.refused == [], "no statement refused, no state write refused"
    stored = adl_lrs.statements(registration=reg)
    ids = [s["id"] for s in stored]
    assert len(ids) == len(set(ids)), "no statement id twice"
    assert set(ids) == set(sent), "every statement sent is stored, and nothing else"
    verbs = Counter(verb(s) for s in stored)
    assert verbs["initialized"] == 1 and verbs["terminated"] == 1 and verbs["passed"] >= 1, verbs
    REPORT["Tin Can full walk (ADL LRS)"] = dict(verbs, refused=len(watch.refused))


def test_resume_in_a_fresh_profile_from_the_state_api(adl_lrs, tincan_package, browser, empathy):
    who, reg = learner_actor("moves"), str(uuid.uuid4())
    url = launch_url(tincan_package, adl_lrs, who, reg)
    first_profile = browser.new_context()
    watch = Watch(first_profile)
    run = LaunchRun(browser, url, context=first_profile)
    learner = Learner(run, empathy)
    walk(learner, run, pages=5)
    saved = learner.title()
    run.page.wait_for_timeout(1500)  # the state is written a second after the last page
    learner.next()
    learner.previous()  # two more writes over the first: If-Match with the ETag of the last one
    run.page.wait_for_timeout(1500)
    run.leave()
    first_profile.close()
    state = wait_for(lambda: (lambda a: a[2] if a[0] == 200 else None)(adl_lrs.request(
        "GET", "activities/state", activityId=run_root(tincan_package), agent=who, registration=reg,
        stateId="scorm-builder.suspend")), 20, "the suspend state in the LRS")
    assert state["location"]

    fresh = browser.new_context()  # another browser: nothing on this device
    watch_fresh = Watch(fresh)
    try:
        again = LaunchRun(browser, url, context=fresh)
        assert Learner(again, empathy).title() == saved, "resumes at the saved screen"
    finally:
        fresh.close()
    assert watch.refused == [] and watch_fresh.refused == [], (watch.refused, watch_fresh.refused)


def run_root(index_url: str) -> str:
    """The Tin Can root activity id the package declares (tincan.xml's launch activity)."""
    import re
    import urllib.request

    xml = urllib.request.urlopen(index_url.rsplit("/", 1)[0] + "/tincan.xml").read().decode()
    return re.search(r'<activity id="([^"]+)"', xml).group(1)
