"""The records report as a reader gets it: opened in chromium at desktop and phone widths, checked
with axe-core, for requests of its own (none), and for a page that never scrolls sideways."""
from __future__ import annotations

from pathlib import Path

import pytest

from scorm_builder.load import load_course
from scorm_builder.records.derive import course_iris, read_statement
from scorm_builder.records.report import build_report, render_html
from scorm_builder.records.store import open_store

from .harness import AXE

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = {"desktop": 1280, "phone": 360}


@pytest.fixture(scope="module")
def report_page(tmp_path_factory) -> str:
    import test_records_report as fixture  # tests/ is on the path (rootdir conftest)

    course, _ = load_course(fixture.COURSE_DIR)
    db = tmp_path_factory.mktemp("report") / "records.sqlite"
    with open_store(f"sqlite:///{db}") as store:
        courses = course_iris("https://courses.example.org/xapi/report-course")
        store.apply_page(fixture.LRS, "test", [read_statement(s, courses) for s in fixture.plays()], [], [], None)
        return render_html(build_report(store, course, small=3))


def open_report(browser, html: str, width: int, shots: Path, name: str):
    # bypass_csp: the page forbids every script and request; axe is injected by the test, and any request
    # the page made would still be seen (and counted) below
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_content(html, wait_until="load")
    page.screenshot(path=str(shots / f"report-{name}.png"), full_page=True)
    return context, page, requests


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_report_page_is_accessible_self_contained_and_fits(browser, report_page, tmp_path, name):
    context, page, requests = open_report(browser, report_page, WIDTHS[name], tmp_path, name)
    try:
        assert requests == []  # no request of its own: styles and charts are inline
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[name]  # tables scroll in place
        charts = page.locator("svg[role=img]")
        assert charts.count() == 5
        for index in range(charts.count()):
            chart = charts.nth(index)
            box = chart.bounding_box()
            assert box is not None and 250 <= box["width"] <= WIDTHS[name]
            labelled = chart.evaluate("e => e.getAttribute('aria-labelledby').split(' ')"
                                      ".map(id => document.getElementById(id).textContent).join(' | ')")
            assert labelled.count(" | ") == 1 and len(labelled) > 30
        # the numbers sit beside each chart in a table a screen reader can walk
        assert page.get_by_role("table", name="Learners at each stage").count() == 1
        funnel = page.get_by_role("table", name="Learners at each stage").locator("tbody tr")
        assert funnel.nth(2).inner_text().split("\t") == ["Lesson 2 reached: Second lesson", "6", "86%"]
        assert "negative discrimination (r = -0.90): stronger learners chose B" in page.inner_text("body")
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        problems = [f"{v['id']}: {v['help']} -> " + "; ".join(n["html"][:120] for n in v["nodes"][:3])
                    for v in result["violations"]]
        assert problems == []
        # keyboard: the scrolling tables can be reached (and scrolled) with Tab
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.tagName") == "A"
    finally:
        context.close()
