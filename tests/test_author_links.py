"""Author links cannot take over the LMS page (issue 9, item 7): `check` reports any `target`
other than `_blank` where it is written, and the sanitiser lets none through; `_blank` links get
rel="noopener noreferrer"."""
from __future__ import annotations

import lxml.html
import pytest
from support import edit, line_of

from scorm_builder.check.html import html_problems, sanitise
from scorm_builder.load import load_course

# (what, the author's HTML, refused by check?)
TARGETS = [
    ("_top replaces the LMS page", '<a href="https://example.org/" target="_top">x</a>', True),
    ("_parent replaces the LMS frame", '<a href="https://example.org/" target="_parent">x</a>', True),
    ("_self", '<a href="https://example.org/" target="_self">x</a>', True),
    ("a named frame of the LMS", '<a href="https://example.org/" target="contentFrame">x</a>', True),
    ("_top in capitals", '<a href="https://example.org/" target="_TOP">x</a>', True),
    ("an empty target", '<a href="https://example.org/" target="">x</a>', True),
    ("_blank", '<a href="https://example.org/" target="_blank">x</a>', False),
    ("_blank with an opener rel", '<a href="https://example.org/" target="_blank" rel="opener">x</a>', False),
    ("no target", '<a href="https://example.org/">x</a>', False),
]


@pytest.mark.parametrize(("what", "html", "refused"), TARGETS, ids=[t[0] for t in TARGETS])
def test_only_blank_targets_pass_check(what, html, refused):
    found = html_problems(html)
    assert bool(found) == refused, found
    if refused:
        assert "is not allowed: inside an LMS frame" in found[0]


@pytest.mark.parametrize(("what", "html", "refused"), TARGETS, ids=[t[0] for t in TARGETS])
def test_the_sanitiser_keeps_only_blank_with_noopener(what, html, refused):
    link = lxml.html.fragment_fromstring(sanitise(html), create_parent="div").find("a")
    assert link.get("target") in (None, "_blank")
    assert link.get("rel") == "noopener noreferrer"
    assert link.get("href") == "https://example.org/"


@pytest.mark.parametrize(("what", "html", "refused"), [t for t in TARGETS if t[2]], ids=[t[0] for t in TARGETS if t[2]])
def test_check_locates_the_target(mini, what, html, refused):
    path = mini / "lessons" / "02-second.md"
    edit(path, "Some text.", f"Some text.\n\n<p>{html}</p>\n")
    course, problems = load_course(mini)
    assert course is None
    [problem] = [p for p in problems if "target=" in p.message]
    assert problem.file == "mini/lessons/02-second.md" and problem.line == line_of(path, "<p><a href")
    assert problem.is_error


def test_markdown_links_to_other_sites_open_a_new_window_safely(mini):
    course, problems = load_course(mini)
    assert course is not None, problems
    html = "".join(page.html for lesson in course.lessons for page in lesson.pages)
    links = [a for a in lxml.html.fragment_fromstring(html, create_parent="div").iter("a")
             if a.get("href", "").startswith("https://example.org/")]
    assert links and all(a.get("target") == "_blank" and a.get("rel") == "noopener noreferrer" for a in links)
