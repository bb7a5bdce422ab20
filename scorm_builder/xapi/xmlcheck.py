"""What the tincan.xml and cmi5.xml checkers share: parsing untrusted XML safely, and IRIs.

Parsing never loads a DTD, expands an entity or touches the network; a document that
declares a DOCTYPE is refused outright (neither format needs one).
"""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from lxml import etree

from ..errors import Problem
from ..validate.xmlsafe import safe_parser  # the one parser for untrusted XML

MAX_SYNTAX_PROBLEMS = 20
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
_ENTITY_MARKERS = tuple(m.encode(codec) for m in ("<!ENTITY", "<!DOCTYPE") for codec in ("utf-8", "utf-16-le", "utf-16-be"))


def parse_untrusted(data: bytes, file: str) -> tuple[etree._Element | None, list[Problem]]:
    """The root element, or None and why: not well-formed (every error with its line), or unsafe."""
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        if any(marker in data for marker in _ENTITY_MARKERS):
            return None, [_doctype_problem(file, exc.lineno or None)]
        entries = [e for e in exc.error_log if e.level_name in ("ERROR", "FATAL")][:MAX_SYNTAX_PROBLEMS]
        problems = [Problem(file, f"not well-formed XML: {e.message}", e.line or None, "XML",
                            "fix the markup at this line (unclosed or mismatched tag, unescaped '&' or '<')")
                    for e in entries]
        return None, problems or [Problem(file, f"not well-formed XML: {exc.msg}", exc.lineno or None, "XML")]
    except ValueError as exc:  # e.g. an encoding declaration lxml cannot honour
        return None, [Problem(file, f"cannot be read as XML: {exc}", None, "XML")]
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        return None, [_doctype_problem(file, 1)]
    return root, []


def _doctype_problem(file: str, line: int | None) -> Problem:
    return Problem(file, "the document has a DOCTYPE; DTDs and entity declarations are refused because they can "
                   "read local files (XXE) or expand without bound", line, "DOCTYPE",
                   "remove the <!DOCTYPE ...> block; this format needs no DTD")


def is_iri(text: str) -> bool:
    """An absolute IRI: a scheme, then no whitespace or characters IRIs exclude."""
    return bool(_IRI.match(text))


def is_absolute_url(text: str) -> bool:
    return urlsplit(text).scheme != ""


def package_path(url: str) -> str:
    """The file a relative launch URL names: without query or fragment, percent-decoded."""
    path = unquote(urlsplit(url).path)
    while path.startswith("./"):
        path = path[2:]
    return path


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def namespace(element: etree._Element) -> str:
    return etree.QName(element).namespace or ""


def children(element: etree._Element) -> list[etree._Element]:
    """Child elements only (no comments or processing instructions)."""
    return [c for c in element if isinstance(c.tag, str)]
