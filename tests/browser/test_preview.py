"""The author's preview in a real browser: the course runs inside the simulator, the panel shows
what the course records, a relaunch resumes, and an edit to the source reloads the course."""
from __future__ import annotations

import shutil
import threading

import pytest
from playwright.sync_api import expect
from support import edit

from scorm_builder.preview import serve

from .conftest import COURSES


@pytest.fixture
def preview(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(COURSES["small"], course)
    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=serve, args=(course, "scorm2004", 0),
                              kwargs={"log": lambda _: None, "ready": ready, "stop": stop}, daemon=True)
    thread.start()
    assert ready.wait(30)
    yield course, f"http://127.0.0.1:{ready.port}/"
    stop.set()
    thread.join(10)


def value_of(page, element: str):
    row = page.locator("#values tr").filter(has=page.get_by_role("cell", name=element, exact=True))
    return row.locator("td").nth(1)


def test_the_simulator_shows_what_the_course_records(browser, preview, small):
    course_dir, url = preview
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    frame = page.frame_locator("#course")
    first, second = small.lessons[0].pages[:2]
    expect(frame.get_by_role("heading", level=1)).to_have_text(first.title)
    expect(value_of(page, "cmi.completion_status")).to_have_text("incomplete")

    frame.get_by_role("button", name="Next").first.click()
    expect(frame.get_by_role("heading", level=1)).to_have_text(second.title)
    expect(value_of(page, "cmi.location")).to_have_text(second.id)
    expect(value_of(page, "cmi.exit")).to_have_text("suspend")
    expect(page.locator("#summary")).to_contain_text("characters")  # the suspend data's length

    page.get_by_role("button", name="Relaunch (resume)").click()
    expect(value_of(page, "cmi.entry")).to_have_text("resume")
    expect(frame.get_by_role("heading", level=1)).to_have_text(second.title)

    edit(course_dir / "course.yaml", f"title: {small.title}", "title: Renamed While Previewing")
    expect(frame.locator("header")).to_contain_text("Renamed While Previewing", timeout=10_000)
    assert not errors, errors
    page.close()
