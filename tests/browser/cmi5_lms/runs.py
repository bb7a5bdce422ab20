"""Playing a package launched by URL (cmi5, Tin Can) in chromium, and waiting for its statements."""
from __future__ import annotations

import time

from playwright.sync_api import Error as PlaywrightError
from support import wait_for  # noqa: F401 - re-exported by cmi5_lms/__init__.py

from ..harness import READY, LmsRun

NETWORK_ERROR = ("Failed to load resource: net::ERR_CONNECTION_REFUSED",
                 "Failed to load resource: net::ERR_INTERNET_DISCONNECTED",
                 "Failed to load resource: the server responded with a status of 502 (Bad Gateway)")


class LaunchRun(LmsRun):
    """A package opened at `url` in its own window, as a cmi5 or Tin Can LMS launches it.

    `context` lets several runs share one browser context (its localStorage and sessionStorage
    survive a reload or a crashed page, as a real browser's do)."""

    def __init__(self, browser, url: str, context=None, wait: bool = True, **context_options):
        self.standard = "launch"
        self.owns_context = context is None
        self.context = context or browser.new_context(**context_options)
        self.console_errors = []
        self.console_all = []  # (type, text, url) of every console message
        self.requests: list[str] = []
        self.sent: list[str] = []  # ids of every statement in a request, retries included
        self.direct = True
        self.open(url, wait)

    def open(self, url: str, wait: bool = True) -> None:
        """Load `url` in a new page of the same context."""
        self.page = self.context.new_page()
        self.page.on("request", self._request)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.page.goto(url)
        self.course = self.page.main_frame
        if wait:
            self.course.locator(READY).wait_for(state="attached")

    def _request(self, request) -> None:
        self.requests.append(request.url)
        if request.method == "POST" and request.url.split("?")[0].endswith("/statements"):
            self.sent += [s["id"] for s in request.post_data_json]

    def _console(self, message) -> None:
        url = message.location.get("url", "") if message.location else ""
        self.console_all.append((message.type, message.text, url))
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({url})")

    def close(self) -> None:
        if self.owns_context:
            self.context.close()

    def reload(self) -> None:
        self.page.reload()
        self.course = self.page.main_frame
        self.course.locator(READY).wait_for(state="attached")

    def crash(self) -> None:
        """The renderer dies (chrome://crash, handled in the renderer before anything unloads): no
        pagehide, nothing flushed; storage holds what was written."""
        with self.page.expect_event("crash", timeout=10000):
            try:
                self.page.goto("chrome://crash", timeout=5000)
            except PlaywrightError:
                pass  # the navigation is aborted: the renderer is gone
        self.page.close()

    def leave(self) -> None:
        """The learner closes the window: pagehide, then the page is gone."""
        self.page.close(run_before_unload=True)

    def queued(self) -> int:
        """Statements the player still holds (0 when everything was delivered)."""
        return self.page.evaluate("(window.ScormBuilder.player.tracker.queue || {size() { return 0; }}).size()")

    def wait_delivered(self, timeout: float = 40.0) -> None:
        deadline = time.monotonic() + timeout
        while self.queued():
            assert time.monotonic() < deadline, f"{self.queued()} statements still queued after {timeout:.0f} s"
            time.sleep(0.1)

    def stored_keys(self) -> dict[str, int]:
        """localStorage entries of the xAPI queue: key -> length."""
        return self.page.evaluate(
            "Object.keys(localStorage).filter(k => k.startsWith('sb-xapi')).reduce((o, k) => "
            "(o[k] = localStorage.getItem(k).length, o), {})")

    def assert_clean(self, allow_network_errors: bool = False, allow_404: tuple[str, ...] = ()) -> None:
        outside = [url for url in self.requests if not url.startswith("http://127.0.0.1:")]
        assert not outside, f"requests left 127.0.0.1: {outside}"
        errors = []
        for error in self.console_errors:
            if allow_network_errors and error.startswith(NETWORK_ERROR):
                continue
            if "status of 404" in error and any(part in error for part in allow_404):
                continue
            errors.append(error)
        assert not errors, f"console errors: {errors}"




def screen_kind(run) -> str:
    return run.frame.evaluate("document.querySelector('.sb-screen').className.replace(/.*sb-screen-/, '')")


def walk(learner, run, stop: str = "final", checks_correct: bool = True, pages: int | None = None) -> list[str]:
    """Next, Next, ... from wherever the learner is, answering knowledge checks, until the screen
    kind `stop` (or `pages` more pages). Returns the ids of the questions answered, in order."""
    answered = []
    while screen_kind(run) != stop and pages != 0:
        if screen_kind(run) == "check":
            for section in learner.sections():
                q = learner.question_in(section)
                if section.locator(".sb-checked").count():
                    continue  # answered in an earlier session
                learner.answer(section, q, correct=checks_correct)
                learner.press(learner.button("Check answer", section))
                answered.append(q.id)
        learner.next()
        if pages is not None and screen_kind(run) == "page":
            pages -= 1
    return answered


def pass_final(learner, wrong: int = 0) -> list[str]:
    """Answer the final assessment (`wrong` graded questions wrongly) and submit; question ids in order."""
    ids = []
    for section in learner.sections():
        q = learner.question_in(section)
        bad = wrong > 0 and q.graded and q.type.value in ("single-choice", "multiple-response", "true-false", "fill-in")
        if bad:
            wrong -= 1
        learner.answer(section, q, correct=not bad)
        ids.append(q.id)
    learner.submit()
    return ids
