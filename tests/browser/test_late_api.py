"""A SCORM API that appears late, or never (issue 10 item 6), in real chromium against scorm-again.

The test LMS injects its API `delay` ms after the course frame starts loading (-1: never). The player
keeps looking (parents, then the opener) for a bounded time; inside an LMS frame with still no API it
shows a persistent, accessible notice that progress is not being saved. Outside any frame (preview)
it stays quiet.
"""
from __future__ import annotations

import time

import pytest

from .harness import Learner

STANDARDS = ["scorm12", "scorm2004"]
NOTICE = "Your progress is not being saved"


@pytest.mark.parametrize("standard", STANDARDS)
def test_api_injected_after_two_seconds_saves_progress(lms, small, standard):
    run = lms("small", standard, delay=2000)
    methods = [c["method"] for c in run.calls()]
    assert methods[0] in ("LMSInitialize", "Initialize")
    learner = Learner(run, small)
    learner.next()
    location = "cmi.core.lesson_location" if standard == "scorm12" else "cmi.location"
    assert run.last_set()[location] == small.lessons[0].pages[1].id, "progress reaches the LMS"
    assert run.course.locator(".sb-notice").count() == 0
    assert run.course.get_by_text("Preview: progress is not saved").count() == 0
    run.assert_clean()


@pytest.mark.parametrize("standard", STANDARDS)
def test_api_that_never_appears_in_an_lms_frame_gives_a_notice(lms, small, standard):
    started = time.monotonic()
    run = lms("small", standard, delay=-1)
    waited = time.monotonic() - started
    assert waited < 20, f"the player gave up looking after a bounded time, not {waited:.1f} s"
    notice = run.course.get_by_role("alert")
    assert notice.count() == 1
    text = notice.inner_text()
    assert text.startswith(NOTICE) and "learning platform" in text
    assert notice.get_attribute("tabindex") == "0", "a keyboard user can reach the notice and read it again"
    notice.focus()
    assert run.frame.evaluate("document.activeElement.getAttribute('role')") == "alert"
    run.assert_accessible("a course whose LMS API never appeared")
    # persistent: still there on the next page
    learner = Learner(run, small)
    learner.next()
    assert run.course.get_by_role("alert").inner_text() == text
    assert run.calls() == [], "nothing was sent to an API that is not there"
    learner.press(learner.button("Exit"))
    assert "progress was not saved" in run.course.locator(".sb-screen").inner_text()


def test_preview_outside_any_frame_stays_quiet(lms, small):
    run = lms("small", "scorm2004", direct=True)
    assert run.course.locator(".sb-notice").count() == 0
    assert run.course.get_by_role("alert").count() == 0
    assert run.course.get_by_text("Preview: progress is not saved").is_visible()
    run.assert_clean()


@pytest.mark.parametrize(("standard", "delay"), [("scorm12", 0), ("scorm2004", 2000)])
def test_a_package_in_a_window_the_lms_opened_finds_the_api_through_its_opener(browser, server, standard, delay):
    context = browser.new_context()
    try:
        page = context.new_page()
        with context.expect_page() as opened:
            page.goto(f"{server}/lms/lms.html?standard={standard}&pkg=/pkg/small/{standard}/index.html"
                      f"&window=1&delay={delay}")
        course = opened.value
        course.locator("html[data-sb-ready]").wait_for(state="attached", timeout=20000)
        calls = page.evaluate("lmsCalls")
        assert calls and calls[0]["method"] in ("LMSInitialize", "Initialize") and calls[0]["result"] == "true"
        assert course.locator(".sb-notice").count() == 0
        assert course.get_by_text("Preview: progress is not saved").count() == 0
    finally:
        context.close()
