"""What the tincan.xml and cmi5.xml checkers share: parsing untrusted XML safely, and IRIs.

Parsing follows the validator's one policy for untrusted XML (validate/xmlsafe.py): no DTD,
entity or network load, any DOCTYPE refused, element/attribute/namespace counts bounded.
"""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from lxml import etree

from ..errors import Problem
from ..validate.xmlsafe import parse_untrusted as parse_descriptor  # the one policy for untrusted XML

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")


def parse_untrusted(data: bytes, file: str) -> tuple[etree._Element | None, list[Problem]]:
    """The root element, or None and why: not well-formed, over the work limits, or with a DOCTYPE
    (refused for every descriptor alike: validate/xmlsafe.py)."""
    parsed = parse_descriptor(data, file)
    return (None if parsed.tree is None else parsed.tree.getroot()), list(parsed.problems)


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
