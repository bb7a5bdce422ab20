"""The course's language tag: any valid BCP 47 (RFC 5646) tag. Well-formed by the RFC's
grammar (section 2.1, private use and grandfathered tags included), valid by the IANA
subtag registry that the `langcodes` library ships (section 2.2.9). Where a target's own
grammar is narrower (the SCORM 2004 `{lang=}` delimiter), check/targets.py derives the form
that target gets and says so."""
from __future__ import annotations

import re

import langcodes

_ALNUM = "[a-z0-9]"
_LANGTAG = (
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})"  # language, extlang
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    rf"(?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))*"  # variants
    rf"(?:-[0-9a-wyz](?:-{_ALNUM}{{2,8}})+)*"  # extensions
    rf"(?:-x(?:-{_ALNUM}{{1,8}})+)?"  # private use
)
_PRIVATE = rf"x(?:-{_ALNUM}{{1,8}})+"
GRANDFATHERED = (
    "en-GB-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux", "i-mingo",
    "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-BE-FR", "sgn-BE-NL", "sgn-CH-DE",
    "art-lojban", "cel-gaulish", "no-bok", "no-nyn", "zh-guoyu", "zh-hakka", "zh-min", "zh-min-nan", "zh-xiang",
)
WELL_FORMED = re.compile(
    rf"^(?:{_LANGTAG}|{_PRIVATE}|{'|'.join(re.escape(t) for t in GRANDFATHERED)})$", re.IGNORECASE)


def language_problem(tag: str) -> str | None:
    """Why `tag` is not a valid BCP 47 language tag, or None when it is ('en', 'ca-ES-valencia',
    'x-klingon', 'i-klingon', 'en-GB-oed', 'zh-Hant-TW', 'de-CH-1901', 'en-US-x-twain')."""
    if not WELL_FORMED.match(tag):
        return "not a well-formed BCP 47 language tag (RFC 5646 section 2.1)"
    if not langcodes.tag_is_valid(tag):
        return "not a valid BCP 47 language tag: a subtag is not in the IANA registry (RFC 5646 section 2.2.9)"
    return None
