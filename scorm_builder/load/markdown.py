"""Author Markdown to safe HTML, with every unsafe construct and missing file reported.

CommonMark via markdown-it-py (plus tables and strikethrough). Local images and linked
files are collected as media and their URLs rewritten to where the package keeps them.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
from lxml import etree
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..check.html import html_problems, sanitise, url_problem
from ..errors import Problem, Severity
from .paths import Refused, course_path

MEDIA_ROOT = "content"  # folder inside the package that holds the course's files

@dataclass
class MediaSet:
    """Files referenced by the course: source path -> href inside the package."""

    course_dir: Path
    files: dict[Path, str] = field(default_factory=dict)

    def add(self, source: Path) -> str:
        relative = source.resolve().relative_to(self.course_dir.resolve()).as_posix()
        href = f"{MEDIA_ROOT}/{relative}"
        self.files[source.resolve()] = href
        return href


@dataclass
class Markdown:
    """Renders Markdown for one course, collecting problems and media as it goes."""

    course_dir: Path
    problems: list[Problem]
    media: MediaSet
    md: MarkdownIt = field(default_factory=lambda: MarkdownIt("commonmark").enable(["table", "strikethrough"]))

    def parse(self, text: str) -> list[Token]:
        return self.md.parse(text)

    def render(self, text: str, source: Path, first_line: int, field_name: str = "", inline: bool = False) -> str:
        """HTML for `text`, which starts at `first_line` of `source` (a file of the course)."""
        env: dict = {}
        tokens = self.md.parseInline(text, env) if inline else self.md.parse(text, env)
        self._inspect(tokens, source, first_line, field_name)
        html = self.md.renderer.render(tokens, self.md.options, env)
        return sanitise(html)

    def _inspect(self, tokens: list[Token], source: Path, first_line: int, field_name: str) -> None:
        line = first_line
        for token in tokens:
            if token.map:
                line = first_line + token.map[0]
            if token.type == "html_block":
                self._check_raw(token.content, source, line, field_name)
            for child in token.children or ():
                if child.type == "html_inline":
                    self._check_raw(child.content, source, line, field_name)
                elif child.type == "image":
                    self._check_url(child, "src", source, line, field_name, loads=True)
                    if not child.content.strip():
                        self._report(source, line, field_name, "image has no alt text",
                                     "describe the image in ![...](...) for screen-reader users, "
                                     "or write ![](...) only if it is decoration", Severity.WARNING)
                elif child.type == "link_open":
                    self._check_url(child, "href", source, line, field_name, loads=False)

    def _check_raw(self, fragment: str, source: Path, line: int, field_name: str) -> None:
        for reason in html_problems(fragment):
            self._report(source, line, field_name, f"unsafe HTML: {reason}",
                         "remove it; course pages may not run code or load from other hosts")
        for url in _local_urls_in_raw_html(fragment):
            self._report(source, line, field_name, f"local file '{url}' in raw HTML is not copied into the package",
                         "use Markdown syntax instead: ![description](path) or [text](path)")

    def _check_url(self, token: Token, attr: str, source: Path, line: int, field_name: str, loads: bool) -> None:
        url = str(token.attrGet(attr) or "")
        reason = url_problem(url, loads)
        if reason:
            self._report(source, line, field_name, f"unsafe URL: {reason}",
                         "put the file in the course folder and refer to it by a relative path" if loads else
                         "link to a web page (https://...) or a file in the course folder")
            token.attrSet(attr, "#")
            return
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            if not loads:
                token.attrSet("target", "_blank")
                token.attrSet("rel", "noopener noreferrer")
            return
        if not parts.path or url.startswith("#"):
            return
        target = course_path(self.course_dir, source.parent, unquote(parts.path))
        if isinstance(target, Refused):
            self._report(source, line, field_name, f"file link refused: {target.message}",
                         "copy the file into the course folder, e.g. media/, and refer to it by a relative path")
            token.attrSet(attr, "#")
            return
        if not target.is_file():
            self._report(source, line, field_name, f"missing file '{url}'",
                         f"no file at {posixpath.normpath(target.as_posix())}; check the name and the relative path")
            return
        href = self.media.add(target)
        token.attrSet(attr, href + (f"#{parts.fragment}" if parts.fragment else ""))

    def _report(self, source: Path, line: int, field_name: str, message: str, hint: str,
                severity: Severity = Severity.ERROR) -> None:
        self.problems.append(Problem(display(source, self.course_dir), message, line, field_name, hint, severity))


def display(path: Path, course_dir: Path) -> str:
    """How problems name a course file: relative to the folder that holds the course."""
    try:
        return path.resolve().relative_to(course_dir.resolve().parent).as_posix()
    except (ValueError, OSError, RuntimeError):  # outside, unreadable, or a symlink loop
        return path.as_posix()


def _local_urls_in_raw_html(fragment: str) -> list[str]:
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    urls = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attr in ("src", "href"):
            value = (element.get(attr) or "").strip()
            parts = urlsplit(value)
            if value and not value.startswith("#") and not parts.scheme and not parts.netloc:
                urls.append(value)
    return urls
