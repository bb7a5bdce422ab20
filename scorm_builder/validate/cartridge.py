"""IMS Common Cartridge 1.1: the manifest against the CC 1.1 profile of IMS CP, every QTI file
against the CC profile of QTI 1.2.1 (its XSD and the Schematron rules embedded in it), then the
rules neither can express: every identifierref and href resolves, every <file> exists, QTI
idents are unique, and response processing names labels that exist.

Detected by the manifest's namespace (`http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1`).
Schemas are the official files in manifests/schemas/cc11 (see PROVENANCE.md), served offline.
"""
from __future__ import annotations

import copy
import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree, isoschematron

from scorm_builder.errors import Problem, Severity

from .entries import EntryReader
from .limits import XmlBudget
from .rules import href_form_problem, is_external, package_path, resource_base
from .schemas import CC11, schema_set_dir
from .xmlsafe import parse_manifest
from .xsd import compile_imports, remove_schema_hints

STANDARD = "cc"
EDITION = "IMS Common Cartridge 1.1"
CC = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
SVRL = "http://purl.oclc.org/dsdl/svrl"
MANIFEST_XSD = "ccv1p1_imscp_v1p2_v1p0.xsd"
QTI_XSD = "ccv1p1_qtiasiv1p2p1_v1p0.xsd"
QTI_TYPES = ("imsqti_xmlv1p2/imscc_xmlv1p1/assessment", "imsqti_xmlv1p2/imscc_xmlv1p1/question-bank")
QTI_IDENTS = ("assessment", "objectbank", "section", "item")  # unique across the cartridge
MAX_UNLISTED_REPORTED = 20

NOTES = (
    "web content (HTML pages, styles, media) was checked for presence only: how an LMS imports and "
    "shows it is not checked here",
    "LMSs apply their own completion and grading settings to a cartridge: read completion.txt",
)


def is_cartridge(root: etree._Element) -> bool:
    qname = etree.QName(root)
    return qname.localname == "manifest" and qname.namespace == CC


@dataclass(frozen=True)
class CartridgeCheck:
    problems: tuple[Problem, ...]
    unchecked: tuple[str, ...]

# A cartridge's QTI files together may hold this many times the element/attribute limits of one
# descriptor: 100,000 elements, about 1,200 questions as built (60 to 90 elements each), validated in
# about 3 s of CPU (the QTI schema and Schematron rules cost ~30 us per element).
QTI_BUDGET_FILES = 2


def check_cartridge(root: etree._Element, names: frozenset[str], read: EntryReader, file: str) -> CartridgeCheck:
    """Every problem of a CC 1.1 cartridge whose parsed manifest is `root`.

    `names` are the package's files relative to the manifest's folder; `read` returns one of them
    (None when absent or too large). Never raises for a bad or hostile cartridge.
    """
    problems = schema_problems(root, compiled(CC, MANIFEST_XSD), file)
    problems += reference_problems(root, names, file)
    idents: list[tuple[str, str, etree._Element]] = []
    budget = XmlBudget(what="the cartridge's QTI files together", files=QTI_BUDGET_FILES)  # one limit for all
    for resource, name in qti_files(root, names):
        data = read(name)
        if data is None:
            problems.append(Problem(name, "the QTI file could not be read: it is larger than the size limit or not "
                                    "a regular file", field="QTI", hint="keep each QTI file under the limit"))
            continue
        parsed = parse_manifest(data, name, budget=budget)
        problems += parsed.problems
        if parsed.unsafe:
            break
        if parsed.tree is None:
            continue
        qti = parsed.tree.getroot()
        problems += qti_problems(qti, name)
        idents += [(el.get("ident") or "", name, el) for local in QTI_IDENTS for el in qti.iter(f"{{{QTI}}}{local}")]
    problems += duplicate_idents(idents)
    return CartridgeCheck(tuple(problems), NOTES)


# ---------------------------------------------------------------- schemas

@functools.cache
def compiled(namespace: str, location: str) -> etree.XMLSchema:
    """One CC 1.1 schema with its imports, from the shipped files only; compiled once."""
    return compile_imports(CC11, ((namespace, location),), f"the CC 1.1 schema {location}")


@functools.cache
def qti_schematron() -> isoschematron.Schematron:
    """The Schematron rules the CC QTI profile embeds in its XSD (rule sets 1-13)."""
    path = schema_set_dir(CC11) / QTI_XSD  # our own shipped file, read offline
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    tree = etree.ElementTree(etree.fromstring(path.read_bytes(), parser, base_url=path.as_uri()))
    return isoschematron.Schematron(tree, store_report=True, validate_schema=False)


_CLARK = re.compile(r"\{[^}]*\}")


def schema_problems(root: etree._Element, schema: etree.XMLSchema, file: str) -> list[Problem]:
    subject = copy.deepcopy(root)
    remove_schema_hints(subject)
    schema.validate(subject)
    return [Problem(file, f"schema: {_CLARK.sub('', e.message).rstrip('.')}", e.line or None, "XML",
                    f"make the file conform to the {EDITION} schema") for e in schema.error_log]


def qti_problems(qti: etree._Element, file: str) -> list[Problem]:
    """The QTI file against the profile's XSD, its Schematron rules, and label references."""
    if etree.QName(qti).namespace != QTI or etree.QName(qti).localname != "questestinterop":
        return [Problem(file, "not a QTI 1.2 file: the root must be <questestinterop> in the namespace "
                        f"{QTI}", qti.sourceline, "questestinterop",
                        "assessment and question-bank resources must name CC QTI files")]
    problems = schema_problems(qti, compiled(QTI, QTI_XSD), file)
    if problems:
        return problems  # the Schematron rules assume a schema-valid document
    return schematron_problems(qti, file) + label_problems(qti, file)


def schematron_problems(qti: etree._Element, file: str) -> list[Problem]:
    rules = qti_schematron()
    if rules.validate(qti):
        return []
    problems = []
    for failed in rules.validation_report.iter(f"{{{SVRL}}}failed-assert"):
        text = " ".join("".join(failed.itertext()).split())
        problems.append(Problem(file, f"QTI profile rule: {text}", _line_of(qti, failed.get("location")),
                                "QTI", "see the Common Cartridge 1.1 QTI profile (rule sets in the schema)"))
    return problems


def _line_of(qti: etree._Element, location: str | None) -> int | None:
    try:
        found = qti.getroottree().xpath(location) if location else []
    except etree.XPathError:
        return None
    return found[0].sourceline if found and isinstance(found[0], etree._Element) else None


def label_problems(qti: etree._Element, file: str) -> list[Problem]:
    """Within each item: response_label and itemfeedback idents unique, and every varequal on a
    choice response naming one of its labels (the profile's rule 9 is commented out in the XSD)."""
    problems = []
    for item in qti.iter(f"{{{QTI}}}item"):
        for response in item.iter(f"{{{QTI}}}response_lid", f"{{{QTI}}}response_str"):
            labels = [el.get("ident") or "" for el in response.iter(f"{{{QTI}}}response_label")]
            problems += _repeated(labels, item, file, f"response_label in item '{item.get('ident')}'")
        feedback = [el.get("ident") or "" for el in item.iterchildren(f"{{{QTI}}}itemfeedback")]
        problems += _repeated(feedback, item, file, f"itemfeedback in item '{item.get('ident')}'")
        choices = {r.get("ident"): {el.get("ident") for el in r.iter(f"{{{QTI}}}response_label")}
                   for r in item.iter(f"{{{QTI}}}response_lid")}
        for test in item.iter(f"{{{QTI}}}varequal"):
            allowed = choices.get(test.get("respident"))
            if allowed is not None and (test.text or "").strip() not in allowed:
                problems.append(Problem(file, f"varequal tests '{(test.text or '').strip()}', which is not a "
                                        f"response_label of response '{test.get('respident')}'", test.sourceline,
                                        "varequal", "test one of the labels' idents"))
    return problems


def _repeated(values: list[str], at: etree._Element, file: str, what: str) -> list[Problem]:
    return [Problem(file, f"the ident '{value}' is used {n} times ({what})", at.sourceline, "ident",
                    "give each one its own ident") for value, n in sorted(Counter(values).items()) if n > 1]


def duplicate_idents(idents: list[tuple[str, str, etree._Element]]) -> list[Problem]:
    """Assessment, question bank, section and item idents must be unique in the whole cartridge:
    LMSs key imported quizzes and questions on them."""
    where: dict[str, list[tuple[str, etree._Element]]] = defaultdict(list)
    for ident, file, el in idents:
        where[ident].append((file, el))
    problems = []
    for ident, places in sorted(where.items()):
        for file, el in places[1:]:
            first_file, first = places[0]
            problems.append(Problem(file, f"the QTI ident '{ident}' is already used by a <{etree.QName(first).localname}> "
                                    f"in {first_file}:{first.sourceline}", el.sourceline,
                                    f"{etree.QName(el).localname}@ident", "QTI idents must be unique in the cartridge"))
    return problems


# ---------------------------------------------------------------- manifest references

def cc_elements(root: etree._Element, local: str) -> Iterator[etree._Element]:
    return root.iter(f"{{{CC}}}{local}")


def qti_files(root: etree._Element, names: frozenset[str]) -> list[tuple[etree._Element, str]]:
    """(resource, package path) of every file of a QTI resource that exists."""
    found = []
    for resource in cc_elements(root, "resource"):
        if resource.get("type") not in QTI_TYPES:
            continue
        base = resource_base(resource)
        for file in resource.iterchildren(f"{{{CC}}}file"):
            href = file.get("href") or ""
            if href and not is_external(href) and not href_form_problem(base + href):
                path = package_path(base, href)
                if path in names:
                    found.append((resource, path))
    return found


def reference_problems(root: etree._Element, names: frozenset[str], file: str) -> list[Problem]:
    resources = {el.get("identifier"): el for el in cc_elements(root, "resource") if el.get("identifier")}
    problems = []
    for el, field in [(i, "item@identifierref") for i in cc_elements(root, "item")] + \
                     [(d, "dependency@identifierref") for d in cc_elements(root, "dependency")]:
        ref = el.get("identifierref")
        if ref is not None and ref not in resources:
            problems.append(Problem(file, f"identifierref '{ref}' names no <resource>", el.sourceline, field,
                                    "use the identifier of a resource in <resources>"))
    listed: set[str] = set()
    for resource in resources.values():
        base = resource_base(resource)
        files = list(resource.iterchildren(f"{{{CC}}}file"))
        if resource.get("type") in QTI_TYPES and not files:
            problems.append(Problem(file, f"QTI resource '{resource.get('identifier')}' lists no <file>",
                                    resource.sourceline, "resource", "add <file href=\"…/assessment.xml\"/>"))
        refs = [(f, "file@href", f.get("href") or "") for f in files]
        if resource.get("href") is not None:
            refs.append((resource, "resource@href", resource.get("href") or ""))
        for el, field, href in refs:
            problem = _href_problem(href, base, names)
            if problem:
                problems.append(Problem(file, f"'{href}' {problem}", el.sourceline, field,
                                        "list only files that are in the cartridge, with paths relative to it"))
            elif href and not is_external(href):
                listed.add(package_path(base, href))
        own = {package_path(base, f.get("href") or "") for f in files if f.get("href")}
        href = resource.get("href")
        if href and not is_external(href) and not href_form_problem(base + href) and package_path(base, href) not in own:
            problems.append(Problem(file, f"resource@href '{href}' is not one of the resource's <file> elements",
                                    resource.sourceline, "resource@href", "add a <file> with the same href",
                                    Severity.WARNING))
    unlisted = sorted(n for n in names if n not in listed and n != "imsmanifest.xml")
    for name in unlisted[:MAX_UNLISTED_REPORTED]:
        problems.append(Problem(file, f"'{name}' is in the cartridge but in no <resource>; LMSs may drop it",
                                field="file", hint="list it in a resource's <file> elements",
                                severity=Severity.WARNING))
    return problems


def _href_problem(href: str, base: str, names: frozenset[str]) -> str | None:
    if not href:
        return "is empty"
    if is_external(href):
        return None
    form = href_form_problem(base + href)
    if form:
        return form
    if package_path(base, href) not in names:
        return "is not in the cartridge"
    return None
