"""Parse an untrusted manifest: no entities expanded, no DTD or network loads, entity
declarations (XXE, billion laughs) refused outright."""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from scorm_builder.errors import Problem

ENTITY_MARKERS = tuple("<!ENTITY".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


@dataclass(frozen=True)
class Parsed:
    """The parsed manifest, or why there is none. `unsafe` means: rejected, do not go on."""

    tree: etree._ElementTree | None
    problems: tuple[Problem, ...] = ()
    unsafe: bool = False


class _RefuseAll(etree.Resolver):
    """Defence in depth: should libxml2 ever try to load anything, it gets nothing."""

    def resolve(self, url: str, pubid: str | None, context: object) -> object:
        return self.resolve_string(b"", context)


def safe_parser() -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        remove_blank_text=False,
    )
    parser.resolvers.add(_RefuseAll())
    return parser


def parse_manifest(data: bytes, file: str) -> Parsed:
    try:
        tree = etree.ElementTree(etree.fromstring(data, safe_parser()))
    except etree.XMLSyntaxError as exc:
        if declares_entities(data):
            return Parsed(None, (entity_problem(file, exc.lineno),), unsafe=True)
        return Parsed(None, (syntax_problem(file, exc),))
    declared = declared_entities(tree)
    if declared:
        return Parsed(None, (entity_problem(file, 1, declared),), unsafe=True)
    return Parsed(tree)


def declares_entities(data: bytes) -> bool:
    """A raw-byte check used only when parsing failed, so a rejected document is still named."""
    return any(marker in data for marker in ENTITY_MARKERS)


def declared_entities(tree: etree._ElementTree) -> list[str]:
    dtd = tree.docinfo.internalDTD
    return [] if dtd is None else sorted(e.name for e in dtd.iterentities())


def entity_problem(file: str, line: int | None, names: list[str] | None = None) -> Problem:
    which = f" ({', '.join(names[:5])})" if names else ""
    return Problem(
        file=file,
        line=line,
        field="DOCTYPE",
        message=f"the manifest declares XML entities{which}; entity declarations are refused "
        "because they can read local files (XXE) or expand without bound (billion laughs)",
        hint="remove the <!DOCTYPE ...> block; a SCORM manifest needs no DTD or entities",
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
