"""Is a piece of author HTML safe to ship inside a package that runs in an LMS?

The rules: no scripts or active content, no event handlers, no `javascript:` URLs, and
nothing that loads from another host (the package must work offline and leak nothing).
Links to other sites are fine: following one is the learner's choice. A link may open a new
window (`target="_blank"`, always with rel="noopener noreferrer") but no other target: inside an
LMS frame, `_top` or `_parent` make one click replace the whole LMS page, and a named target can
land in another frame of the LMS.

`html_problems` reports what the author wrote (located errors in `check`); `sanitise` is the
defence in depth that cleans whatever got through (ammonia, via nh3).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html
import nh3
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
ALLOWED_TARGET = "_blank"
LINK_REL = "noopener noreferrer"  # a new window cannot reach back into the LMS page (window.opener)
ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "del", "s", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "span",
    "div", "figure", "figcaption", "abbr", "sub", "sup", "kbd", "mark", "small", "dl", "dt", "dd",
    "details", "summary", "audio", "video", "source", "track", "caption",
})
ALLOWED_ATTRS = {
    "*": {"class", "lang", "title", "id", "dir"},
    "a": {"href"},  # target: only _blank (TARGET_VALUES); rel: always LINK_REL, set by the sanitiser
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "abbr": {"title"},
    "audio": {"src", "controls"},
    "video": {"src", "controls", "width", "height"},
    "source": {"src", "type"},
    "track": {"src", "kind", "srclang", "label"},
}
TARGET_VALUES = {"a": {"target": {ALLOWED_TARGET}}}
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
            elif attr == "target" and value.strip().lower() != ALLOWED_TARGET:
                found.append(target_problem(tag, value))
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


def target_problem(tag: str, value: str) -> str:
    return (f"<{tag} target=\"{value}\"> is not allowed: inside an LMS frame it can replace the whole LMS "
            f"page or load into another of its frames; use target=\"{ALLOWED_TARGET}\" for a new window, "
            "or no target")


def sanitise(html: str) -> str:
    """Defence in depth: whatever the checks let through is cleaned by ammonia (nh3). Links keep
    target="_blank" and nothing else, and every link gets rel="noopener noreferrer"."""
    return nh3.clean(html, tags=set(ALLOWED_TAGS), attributes=ALLOWED_ATTRS, tag_attribute_values=TARGET_VALUES,
                     url_schemes={"http", "https", "mailto", "tel", "data"}, link_rel=LINK_REL,
                     strip_comments=True)
