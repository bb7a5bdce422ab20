"""Validate a manifest against the official schema set of its edition, offline.

Every import is served from manifests/schemas by a resolver; nothing is fetched. Two parts of the
SCORM 1.2 set are refused by libxml2 as published, so they are worked around in memory only:

* `ims_xml.xsd` binds the XML namespace as the default namespace (an XML Namespaces error): it is
  served with that one declaration removed, everything else unchanged.
* `imsmd_rootv1p2p1.xsd` is not deterministic (unique particle attribution): it is not loaded, and
  elements of the imsmd namespace are removed from a copy of the manifest before validation.

The 2004 sets ship no LOM schema (lom.xsd), so LOM metadata elements are removed the same way.
What was skipped is reported as `unchecked`.
"""
from __future__ import annotations

import copy
import functools
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from scorm_builder.errors import Problem

from . import namespaces as ns
from .limits import DEFAULT
from .schemas import SCORM12, SCORM2004_3RD, SCORM2004_4TH, schema_set_dir

IMS_XML_DEFAULT_NS = b'xmlns="http://www.w3.org/XML/1998/namespace"'

# namespace -> file to import, per schema set (the driver schema imports exactly these)
IMPORTS: dict[str, tuple[tuple[str, str], ...]] = {
    SCORM12: ((ns.CP12, "imscp_rootv1p1p2.xsd"), (ns.ADLCP12, "adlcp_rootv1p2.xsd")),
    SCORM2004_3RD: (
        (ns.CP2004, "imscp_v1p1.xsd"),
        (ns.ADLCP2004, "adlcp_v1p3.xsd"),
        (ns.ADLSEQ, "adlseq_v1p3.xsd"),
        (ns.ADLNAV, "adlnav_v1p3.xsd"),
        (ns.IMSSS, "imsss_v1p0.xsd"),
    ),
}
IMPORTS[SCORM2004_4TH] = IMPORTS[SCORM2004_3RD]

IMSMD_NOTE = (
    "IMS metadata (imsmd) elements were not validated ({count} found): the published "
    "imsmd_rootv1p2p1.xsd is not deterministic (it breaks the unique particle attribution rule) "
    "and libxml2 refuses it"
)
LOM_NOTE = (
    "LOM metadata elements were not validated ({count} found): the SCORM 2004 schema set here "
    "ships no lom.xsd"
)
SKIPPED = {SCORM12: ((ns.IMSMD12, IMSMD_NOTE),), SCORM2004_3RD: ((ns.LOM, LOM_NOTE),),
           SCORM2004_4TH: ((ns.LOM, LOM_NOTE),)}


class SchemaSetError(RuntimeError):
    """The bundled schema files could not be compiled: an installation problem, not the package's."""


@dataclass(frozen=True)
class SchemaCheck:
    problems: tuple[Problem, ...]
    unchecked: tuple[str, ...]


def schema_files(schema_set: str) -> dict[str, bytes]:
    """File name -> bytes served to libxml2, with the in-memory SCORM 1.2 correction applied."""
    folder = schema_set_dir(schema_set)
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    if schema_set == SCORM12:
        corrected = corrected_ims_xml(files["ims_xml.xsd"])
        files["ims_xml.xsd"] = corrected
        files["xml.xsd"] = corrected
    return files


def corrected_ims_xml(original: bytes) -> bytes:
    if original.count(IMS_XML_DEFAULT_NS) != 1:
        raise SchemaSetError("ims_xml.xsd is not the published file: the known defect was not found")
    return original.replace(IMS_XML_DEFAULT_NS, b"", 1)


class LocalSchemas(etree.Resolver):
    """Serves every schemaLocation (relative, absolute URL or xml.xsd) from one local set."""

    def __init__(self, files: dict[str, bytes], base: Path) -> None:
        super().__init__()
        self.files = files
        self.base = base
        self.requested: list[str] = []
        self.missing: list[str] = []

    def resolve(self, url: str, pubid: str | None, context: object) -> object:
        self.requested.append(url)
        name = url.replace("\\", "/").rsplit("/", 1)[-1]
        if name not in self.files:
            self.missing.append(url)  # libxml2 may treat a failed import as a mere warning
            raise SchemaSetError(f"schema import {url!r} has no local copy in {self.base}")
        return self.resolve_string(self.files[name], context, base_url=(self.base / name).as_uri())


def schema_parser(resolver: etree.Resolver) -> etree.XMLParser:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    parser.resolvers.add(resolver)
    return parser


def driver_schema(imports: tuple[tuple[str, str], ...]) -> bytes:
    """A schema with no target namespace whose only content is one import per namespace."""
    root = etree.Element(f"{{{ns.XS}}}schema", nsmap={"xs": ns.XS})
    for namespace, location in imports:
        etree.SubElement(root, f"{{{ns.XS}}}import", namespace=namespace, schemaLocation=location)
    return etree.tostring(root)


@functools.cache
def compiled_schema(schema_set: str) -> etree.XMLSchema:
    """The compiled schema for one set; compiled once per process."""
    return compile_imports(schema_set, tuple(IMPORTS[schema_set]), f"the {schema_set} schema set")


def compile_imports(schema_set: str, imports: tuple[tuple[str, str], ...], what: str) -> etree.XMLSchema:
    """One schema importing `imports` ((namespace, file) pairs) from the shipped files of `schema_set`
    only (nothing is fetched). SchemaSetError, naming `what`, when it does not compile or imports a
    file the set lacks."""
    folder = schema_set_dir(schema_set)
    resolver = LocalSchemas(schema_files(schema_set), folder)
    driver = etree.fromstring(
        driver_schema(imports), schema_parser(resolver), base_url=(folder / "driver.xsd").as_uri()
    )
    try:
        schema = etree.XMLSchema(driver)
    except etree.XMLSchemaParseError as exc:
        raise SchemaSetError(f"{what} does not compile: {exc}") from exc
    if resolver.missing:
        raise SchemaSetError(f"{what} imports files it lacks: {resolver.missing}")
    return schema


def check_schema(root: etree._Element, schema_set: str, file: str,
                 max_problems: int = DEFAULT.max_schema_problems) -> SchemaCheck:
    subject = copy.deepcopy(root)
    notes = [note.format(count=n) for namespace, note in SKIPPED[schema_set]
             if (n := remove_namespace(subject, namespace))]
    remove_schema_hints(subject)
    schema = compiled_schema(schema_set)
    schema.validate(subject)
    log = schema.error_log
    problems = [schema_problem(e, file, schema_set) for e in itertools.islice(log, max_problems)]
    if len(log) > max_problems:
        problems.append(Problem(file=file, field="schema",
                                message=f"{len(log) - max_problems:,} more schema errors were not listed",
                                hint="fix the errors above first; they are often one mistake repeated"))
    return SchemaCheck(tuple(problems), tuple(notes))


def remove_namespace(root: etree._Element, namespace: str) -> int:
    """Remove elements and attributes of `namespace` from `root` (a copy); return how many."""
    doomed = [el for el in root.iter(f"{{{namespace}}}*") if el is not root]
    members = set(doomed)  # lxml keeps one proxy per node while it is referenced: identity works
    outermost = [el for el in doomed if not any(a in members for a in el.iterancestors())]
    for el in outermost:
        el.getparent().remove(el)
    removed_attrs = 0
    for el in root.iter(etree.Element):
        for key in [k for k in el.attrib if k.startswith(f"{{{namespace}}}")]:
            del el.attrib[key]
            removed_attrs += 1
    return len(doomed) + removed_attrs


def remove_schema_hints(root: etree._Element) -> None:
    """xsi:schemaLocation must never make the validator load anything."""
    for el in root.iter(etree.Element):
        for key in (f"{{{ns.XSI}}}schemaLocation", f"{{{ns.XSI}}}noNamespaceSchemaLocation"):
            el.attrib.pop(key, None)


_CLARK = re.compile(r"\{([^}]*)\}([\w.\-]+)")
_SUBJECT = re.compile(r"^Element '([^']+)'(?:, attribute '([^']+)')?: ")
EDITION_NAMES = {SCORM12: "SCORM 1.2", SCORM2004_3RD: "SCORM 2004 3rd Edition",
                 SCORM2004_4TH: "SCORM 2004 4th Edition"}


def readable_names(text: str) -> str:
    return _CLARK.sub(lambda m: ns.display_name(m.group(0)), text)


def schema_problem(entry: etree._LogEntry, file: str, schema_set: str) -> Problem:
    message = readable_names(entry.message)
    match = _SUBJECT.match(message)
    field = ""
    if match:
        field = match.group(1) + (f"@{match.group(2)}" if match.group(2) else "")
        message = message[match.end():]
    return Problem(
        file=file,
        line=entry.line or None,
        field=field,
        message=f"schema: {message.rstrip('.')}",
        hint=schema_hint(entry.message, EDITION_NAMES[schema_set]),
    )


def schema_hint(message: str, edition: str) -> str:
    if "This element is not expected" in message:
        return f"check the element's spelling, namespace prefix and position against the {edition} schema"
    if "is not an element of the set" in message or "is not a valid value" in message:
        return "use a value the schema allows (values are case-sensitive)"
    if "is required but missing" in message:
        return "add the missing attribute"
    if "Missing child element" in message:
        return "add the missing child element"
    if "The attribute" in message and "is not allowed" in message:
        return (f"the {edition} schema does not define this attribute here: remove it or correct its "
                "name and prefix (1.2 writes adlcp:scormtype, 2004 adlcp:scormType)")
    if "demanded by the strict wildcard" in message:
        return (f"this extension element or attribute is not declared by the {edition} schemas; "
                "remove it or correct its namespace")
    if "validation root" in message:
        return "the root element must be <manifest> in the IMS CP namespace of the edition"
    return f"make the manifest conform to the {edition} schema"
