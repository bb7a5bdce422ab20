"""Is a piece of author HTML safe to ship inside a package that runs in an LMS?

The rules: no scripts or active content, no event handlers, no `javascript:` URLs, and
nothing that loads from another host (the package must work offline and leak nothing).
Links to other sites are fine: following one is the learner's choice.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

FORBIDDEN_TAGS = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
    "button", "select", "textarea", "link", "meta", "base", "svg", "math", "template", "portal",
    "noscript",
})
# Attributes whose value is fetched by the browser as soon as the page shows.
LOADING_ATTRS = frozenset({"src", "srcset", "poster", "background", "data", "codebase", "lowsrc", "dynsrc"})
URL_ATTRS = LOADING_ATTRS | frozenset({"href", "action", "formaction", "xlink:href", "cite", "longdesc"})
_SCRIPT_SCHEMES = ("javascript", "vbscript", "livescript")
_CSS_URL = re.compile(r"url\s*\(|@import|expression\s*\(", re.IGNORECASE)


def url_problem(url: str, loads: bool) -> str | None:
    """Why `url` is unsafe, or None. `loads` is true for URLs the browser fetches by itself."""
    compact = re.sub(r"[\x00-\x20]", "", url).lower()
    scheme = compact.split(":", 1)[0] if ":" in compact else ""
    if scheme in _SCRIPT_SCHEMES:
        return f"'{scheme}:' URLs run code"
    if loads:
        if compact.startswith("//") or urlsplit(compact).netloc or (scheme and scheme != "data"):
            return f"'{url}' loads from another host; the package must work offline"
        if scheme == "data" and not compact.startswith("data:image/"):
            return "only image data: URLs are allowed"
    elif scheme == "data":
        return "data: URLs in links are not allowed"
    return None


def html_problems(fragment: str) -> list[str]:
    """Everything unsafe in an HTML fragment, in words (empty list: safe)."""
    if not fragment.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return []  # nothing parseable as markup: it is text
    found: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        tag = element.tag.lower()
        if tag in FORBIDDEN_TAGS:
            found.append(f"<{tag}> is not allowed")
        for name, value in element.attrib.items():
            attr = name.lower()
            if attr.startswith("on"):
                found.append(f"event handler attribute '{name}' is not allowed")
            elif attr == "style" and _CSS_URL.search(value):
                found.append("style attributes must not load anything (url(), @import)")
            elif attr in URL_ATTRS:
                for url in _urls(attr, value):
                    reason = url_problem(url, loads=attr in LOADING_ATTRS)
                    if reason:
                        found.append(f"{tag} {name}: {reason}")
    return found


def _urls(attr: str, value: str) -> list[str]:
    if attr == "srcset":
        return [part.strip().split(" ")[0] for part in value.split(",") if part.strip()]
    return [value.strip()]
