"""Parse an untrusted package descriptor (imsmanifest.xml, cmi5.xml, tincan.xml) under one policy.

* No DTD is loaded, no entity expanded, nothing fetched; a document with any DOCTYPE is refused
  outright, with the same message for every format: none of them uses a DTD, and a DOCTYPE is
  how XXE, billion-laughs and external-subset tricks start.
* The parse is incremental and counted: past the element, attribute or namespace-declaration
  limits (limits.py) it stops and the package is refused, so the tree is never built in full.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from scorm_builder.errors import Problem

from .limits import DEFAULT, Limits, XmlBudget, xml_limit_problem

CHUNK = 64 * 1024
DOCTYPE_MARKERS = tuple(m.encode(codec) for m in ("<!ENTITY", "<!DOCTYPE")
                        for codec in ("utf-8", "utf-16-le", "utf-16-be"))
ENTITY_MARKERS = DOCTYPE_MARKERS  # the name earlier callers used
_TOO_DEEP = "Excessive depth"


@dataclass(frozen=True)
class Parsed:
    """The parsed document, or why there is none. `unsafe` means: refused, do not go on."""

    tree: etree._ElementTree | None
    problems: tuple[Problem, ...] = ()
    unsafe: bool = False


class _RefuseAll(etree.Resolver):
    """Defence in depth: should libxml2 ever try to load anything, it gets nothing."""

    def resolve(self, url: str, pubid: str | None, context: object) -> object:
        return self.resolve_string(b"", context)


SAFE_OPTIONS = dict(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    attribute_defaults=False,
    huge_tree=False,  # libxml2's own caps: 10 MB text nodes, 256 levels of nesting
    remove_blank_text=False,
)


def safe_parser() -> etree.XMLParser:
    parser = etree.XMLParser(**SAFE_OPTIONS)
    parser.resolvers.add(_RefuseAll())
    return parser


def parse_untrusted(data: bytes, file: str, limits: Limits = DEFAULT, budget: XmlBudget | None = None) -> Parsed:
    """Parse a descriptor under the policy above. Never raises for bad input. Several files of
    one package (a cartridge's QTI files) share one `budget`, so the limits bound them together."""
    parser = etree.XMLPullParser(events=("start", "start-ns"), **SAFE_OPTIONS)
    parser.resolvers.add(_RefuseAll())
    budget = budget or XmlBudget(limits)
    budget.next_document()
    try:
        for offset in range(0, len(data), CHUNK):
            parser.feed(data[offset:offset + CHUNK])
            over = _spend(budget, parser.read_events())
            if over:
                return Parsed(None, (xml_limit_problem(file, *over, budget.what),), unsafe=True)
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        if declares_doctype(data):
            return Parsed(None, (doctype_problem(file, exc.lineno or None),), unsafe=True)
        if _TOO_DEEP in (exc.msg or ""):
            return Parsed(None, (xml_limit_problem(file, exc.lineno or None, "elements nested more than 256 deep"),),
                          unsafe=True)
        return Parsed(None, (syntax_problem(file, exc),))
    except ValueError as exc:  # e.g. an encoding declaration lxml cannot honour
        return Parsed(None, (Problem(file=file, field="XML", message=f"cannot be read as XML: {exc}",
                                     hint="save the file as UTF-8 and declare encoding=\"UTF-8\""),))
    tree = root.getroottree()
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.system_url or docinfo.public_id:
        return Parsed(None, (doctype_problem(file, 1, declared_entities(tree)),), unsafe=True)
    return Parsed(tree)


parse_manifest = parse_untrusted  # the name the SCORM pipeline has always used


def _spend(budget: XmlBudget, events) -> tuple[int | None, str] | None:
    for event, item in events:
        if event == "start":
            over = budget.element(len(item.attrib))
            line = item.sourceline
        else:
            over = budget.declaration()
            line = None
        if over:
            return line, over
    return None


def declares_doctype(data: bytes) -> bool:
    """A raw-byte check used only when parsing failed, so a refused document is still named."""
    return any(marker in data for marker in DOCTYPE_MARKERS)


declares_entities = declares_doctype


def declared_entities(tree: etree._ElementTree) -> list[str]:
    dtd = tree.docinfo.internalDTD
    return [] if dtd is None else sorted(e.name for e in dtd.iterentities())


def doctype_problem(file: str, line: int | None, entities: list[str] | None = None) -> Problem:
    which = f" and declares XML entities ({', '.join(entities[:5])})" if entities else ""
    return Problem(
        file=file,
        line=line,
        field="DOCTYPE",
        message=f"the document has a DOCTYPE{which}; package descriptors with a DOCTYPE are refused because "
        "DTDs and entity declarations can read local files (XXE), name outside resources or expand "
        "without bound (billion laughs)",
        hint="remove the <!DOCTYPE ...> block; imsmanifest.xml, cmi5.xml and tincan.xml need no DTD",
    )


def syntax_problem(file: str, exc: etree.XMLSyntaxError) -> Problem:
    """The first fatal error: libxml2 stops there. (exc.error_log is not used: lxml can carry a
    stale entry from an earlier parse in it.)"""
    message = exc.msg.split(", line ")[0] if exc.msg else str(exc)
    return Problem(
        file=file,
        line=exc.lineno or None,
        field="XML",
        message=f"not well-formed XML: {message}",
        hint="fix the markup at this line (unclosed or mismatched tag, unescaped '&' or '<')",
    )
