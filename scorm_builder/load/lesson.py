"""A lesson Markdown file (front matter + pages split at `## ` headings) to a Lesson."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from ..check.labels import carries
from ..errors import Problem
from ..model import Assessment, Lesson, Origin, Page
from .ids import ID_HINT, ID_PATTERN
from .markdown import Markdown, display
from .paths import Refused, course_path
from .scope import Scope
from .yamldoc import Key, Reader, parse_yaml, read_text

LESSON_KEYS = {
    "id": Key((str,), True, "a stable id such as 'why-empathy'"),
    "title": Key((str,), True),
    "objectives": Key((list,), False, "a list of objective ids from course.yaml"),
    "knowledge_check": Key((str,), False, "the path of an assessment YAML file"),
}
_FENCE = re.compile(r"^---\s*$")


@dataclass(frozen=True)
class LessonSource:
    """What a lesson file says before its knowledge check is loaded."""

    lesson: Lesson
    check_path: Path | None


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter or None, body, line number where the body starts)."""
    lines = text.splitlines(keepends=True)
    if not lines or not _FENCE.match(lines[0]):
        return None, text, 1
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index]):
            return "".join(lines[1:index]), "".join(lines[index + 1:]), index + 2
    return None, text, 1


def load_lesson(path: Path, markdown: Markdown, scope: Scope, problems: list[Problem]) -> LessonSource | None:
    file = display(path, markdown.course_dir)
    text = read_text(path, file, problems)
    if text is None:
        return None
    front, body, body_line = split_front_matter(text)
    if front is None:
        problems.append(Problem(file, "missing front matter", 1, hint="start the file with a '---' line, "
                                "then 'id:', 'title:' and 'objectives:', then another '---' line"))
        return None
    doc = parse_yaml(front, file, problems, line_offset=1)
    if doc is None:
        return None
    reader = Reader(doc, problems)
    meta = reader.mapping((), LESSON_KEYS, "lesson front matter")
    if not {"id", "title"} <= meta.keys():
        return None
    if not ID_PATTERN.match(meta["id"]):
        reader.problem(("id",), f"invalid lesson id '{meta['id']}'", ID_HINT)
    scope.claim("lesson", meta["id"], reader, ("id",))
    scope.note(f"lesson:{meta['id']}:title", reader, ("title",))
    if carries(meta["title"], "lessonLabel"):
        reader.warn(("title",), "the title starts with 'Lesson <n>', which the player already shows above "
                    "every page ('Lesson 1: <title>')", "drop the number from the title; the player then adds it")
    objectives = tuple(oid for index, oid in enumerate(meta.get("objectives", []))
                       if scope.check_objective(oid, reader, ("objectives", index)))
    pages, page_lines = _pages(meta["id"], meta["title"], body, body_line, path, markdown)
    for page in pages:  # a page's title is its `## ` heading, or the lesson's title before the first one
        heading = page_lines.get(page.id)
        scope.origins.setdefault(f"page:{page.id}:title", Origin(file, heading, "heading") if heading
                                 else scope.origins[f"lesson:{meta['id']}:title"])
    if not pages:
        problems.append(Problem(file, "the lesson has no content", body_line,
                                hint="write the lesson's text below the front matter"))
    check_path = course_path(markdown.course_dir, path.parent, meta["knowledge_check"]) \
        if "knowledge_check" in meta else None
    if isinstance(check_path, Refused):
        reader.problem(("knowledge_check",), check_path.message, check_path.hint)
        check_path = None
    if check_path and not check_path.is_file():
        reader.problem(("knowledge_check",), f"missing file '{meta['knowledge_check']}'",
                       "the path is relative to the lesson file")
        check_path = None
    lesson = Lesson(meta["id"], meta["title"], objectives, tuple(pages))
    return LessonSource(lesson, check_path)


def _pages(lesson_id: str, lesson_title: str, body: str, body_line: int, path: Path,
           markdown: Markdown) -> tuple[list[Page], dict[str, int]]:
    """Split at top-level `## ` headings; text before the first one is a page of its own.
    Returns the pages and, per page id, the line of its heading (none for text before the first)."""
    lines = body.splitlines(keepends=True)
    starts: list[tuple[int, int, str]] = []  # (heading line index, first content line index, title)
    tokens = markdown.parse(body)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2" and token.level == 0 and token.map:
            inline = tokens[index + 1]
            title = "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))
            starts.append((token.map[0], token.map[1], title.strip() or inline.content.strip()))
    chunks: list[tuple[str, int, int]] = []  # (title, first line index, end line index)
    first_heading = starts[0][0] if starts else len(lines)
    if "".join(lines[:first_heading]).strip():
        chunks.append((lesson_title, 0, first_heading))
    for number, (_heading, content, title) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
        chunks.append((title, content, end))
    pages: list[Page] = []
    page_lines: dict[str, int] = {}
    for number, (title, start, end) in enumerate(chunks, start=1):
        html = markdown.render("".join(lines[start:end]), path, body_line + start)
        pages.append(Page(f"{lesson_id}-p{number}", title, html))
        heading = next((h for h, c, _ in starts if c == start), None)
        if heading is not None:
            page_lines[pages[-1].id] = body_line + heading
    return pages, page_lines


def attach_check(source: LessonSource, check: Assessment | None) -> Lesson:
    return replace(source.lesson, check=check)
