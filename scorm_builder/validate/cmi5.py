"""Check a cmi5 course structure (`cmi5.xml`) with rules written from the cmi5 specification
and its CourseStructure.xsd (../shared/specs/cmi5.md §1), without the XSD itself.

What is checked: well-formed, safely parsed XML; root `<courseStructure>` in the cmi5
namespace; `<course>` with an IRI id, title and description; optional `<objectives>`; one or
more `<au>`/`<block>` with their children in the schema's order; titles and descriptions made
of `<langstring>`s; `moveOn`, `launchMethod` and `masteryScore` within their vocabularies;
unique IRI ids; objective references that resolve; AU urls that are absolute or name a file
of the package. Vendor extensions (elements and attributes in other namespaces) are allowed
where the schema allows them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree

from scorm_builder.errors import Problem, Severity
from scorm_builder.xapi.vocabulary import CMI5_NS, LAUNCH_METHODS, MOVE_ON
from scorm_builder.xapi.xmlcheck import (
    children,
    is_absolute_url,
    is_iri,
    local_name,
    namespace,
    package_path,
    parse_untrusted,
)

FILE = "cmi5.xml"
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class Slot:
    """One place in an element's content model: which cmi5 elements, how many."""

    names: frozenset[str]
    least: int = 1
    most: int | None = 1  # None: unbounded


def _slots(*spec: tuple[str, int, int | None]) -> tuple[Slot, ...]:
    return tuple(Slot(frozenset(names.split("|")), least, most) for names, least, most in spec)


ROOT_MODEL = _slots(("course", 1, 1), ("objectives", 0, 1), ("au|block", 1, None))
COURSE_MODEL = _slots(("title", 1, 1), ("description", 1, 1))
BLOCK_MODEL = _slots(("title", 1, 1), ("description", 1, 1), ("objectives", 0, 1), ("au|block", 1, None))
AU_MODEL = _slots(("title", 1, 1), ("description", 1, 1), ("objectives", 0, 1), ("url", 1, 1),
                  ("launchParameters", 0, 1), ("entitlementKey", 0, 1))
TEXT_MODEL = _slots(("langstring", 1, None))
OBJECTIVES_MODEL = _slots(("objective", 1, None))
# unqualified attributes each element may carry (qualified ones are extensions, allowed where noted)
ATTRIBUTES = {
    "courseStructure": set(), "course": {"id"}, "block": {"id"},
    "au": {"id", "moveOn", "masteryScore", "launchMethod", "activityType"},
    "langstring": {"lang"}, "title": set(), "description": set(), "objectives": set(),
}
NO_EXTENSION_ATTRIBUTES = {"url"}


@dataclass
class _Check:
    file: str
    names: set[str]
    problems: list[Problem] = field(default_factory=list)
    ids: dict[str, int | None] = field(default_factory=dict)
    objectives: set[str] = field(default_factory=set)
    references: list[tuple[str, etree._Element]] = field(default_factory=list)

    def error(self, el: etree._Element, fld: str, message: str, hint: str = "",
              severity: Severity = Severity.ERROR) -> None:
        self.problems.append(Problem(self.file, message, el.sourceline, fld, hint, severity))


def check_cmi5_xml(data: bytes, names: set[str], file: str = FILE) -> list[Problem]:
    """Every problem of `cmi5.xml`; `names` are the package's files (cmi5.xml is at the root)."""
    root, problems = parse_untrusted(data, file)
    return problems if root is None else check_cmi5(root, names, file)


def check_cmi5(root: etree._Element, names: set[str], file: str = FILE) -> list[Problem]:
    """Every problem of an already safely parsed `cmi5.xml` (validate/xmlsafe.py)."""
    if local_name(root) != "courseStructure" or namespace(root) != CMI5_NS:
        where = f"in namespace '{namespace(root)}'" if namespace(root) else "in no namespace"
        return [Problem(file, f"the root element is <{local_name(root)}> {where}, not <courseStructure> in "
                        f"{CMI5_NS}", root.sourceline, "courseStructure",
                        f'declare the namespace on the root: <courseStructure xmlns="{CMI5_NS}">')]
    check = _Check(file, names)
    _attributes(check, root)
    found = _sequence(check, root, ROOT_MODEL)
    for course in found.get("course", []):
        _attributes(check, course)
        _id(check, course, "course")
        _texts(check, course, COURSE_MODEL)
    for objectives in found.get("objectives", []):
        _declared_objectives(check, objectives)
    _units(check, found)
    for idref, element in check.references:
        if idref not in check.objectives:
            check.error(element, "objective@idref", f"the objective reference '{idref}' matches no objective "
                        "declared in the course's <objectives>", "declare it, or fix the reference")
    return check.problems


def _units(check: _Check, found: dict[str, list[etree._Element]]) -> None:
    for element in found.get("au", []) + found.get("block", []):
        if local_name(element) == "au":
            _au(check, element)
        else:
            _block(check, element)


def _block(check: _Check, block: etree._Element) -> None:
    _attributes(check, block)
    _id(check, block, "block")
    found = _texts(check, block, BLOCK_MODEL)
    for objectives in found.get("objectives", []):
        _objective_references(check, objectives)
    _units(check, found)


def _au(check: _Check, au: etree._Element) -> None:
    _attributes(check, au)
    _id(check, au, "au")
    move_on = au.get("moveOn")
    if move_on is not None and move_on not in MOVE_ON:
        check.error(au, "au@moveOn", f"moveOn '{move_on}' is not one of {', '.join(MOVE_ON)}",
                    "use the exact spelling; the values are case sensitive")
    method = au.get("launchMethod")
    if method is not None and method not in LAUNCH_METHODS:
        check.error(au, "au@launchMethod", f"launchMethod '{method}' is not one of {', '.join(LAUNCH_METHODS)}")
    _mastery(check, au)
    kind = au.get("activityType")
    if kind is not None and not is_iri(kind.strip()):
        check.error(au, "au@activityType", f"the activityType '{kind}' is not an IRI",
                    "use an activity type IRI, e.g. http://adlnet.gov/expapi/activities/assessment",
                    Severity.WARNING)
    found = _texts(check, au, AU_MODEL)
    for objectives in found.get("objectives", []):
        _objective_references(check, objectives)
    for url in found.get("url", []):
        _url(check, url)


def _mastery(check: _Check, au: etree._Element) -> None:
    raw = au.get("masteryScore")
    if raw is None:
        return
    text = raw.strip()
    try:
        value = Decimal(text) if _DECIMAL.match(text) else None
    except InvalidOperation:
        value = None
    if value is None:
        check.error(au, "au@masteryScore", f"masteryScore '{raw}' is not a decimal number",
                    "write the pass mark as a decimal between 0 and 1, e.g. 0.8")
    elif not 0 <= value <= 1:
        check.error(au, "au@masteryScore", f"masteryScore {text} is outside 0..1",
                    "the score is scaled: 80% is 0.8")
    elif "." in text and len(text.split(".")[1].rstrip("0")) > 4:
        check.error(au, "au@masteryScore", f"masteryScore {text} has more than 4 decimal places",
                    "cmi5 keeps at most 4 decimal places; round it", Severity.WARNING)


def _url(check: _Check, url: etree._Element) -> None:
    if children(url):
        check.error(url, "au/url", "<url> holds elements; it must be a URL only")
    target = (url.text or "").strip()
    if not target:
        check.error(url, "au/url", "the AU <url> is empty", "name the AU's launch page, e.g. index.html")
    elif any(c.isspace() for c in target):
        check.error(url, "au/url", f"the AU url '{target}' contains whitespace", "percent-encode spaces as %20")
    elif is_absolute_url(target):
        if not target.lower().startswith(("https://", "http://")):
            check.error(url, "au/url", f"the AU url '{target}' is neither relative nor an http(s) URL")
    elif package_path(target) not in check.names:
        check.error(url, "au/url", f"the AU launch file '{package_path(target)}' is not in the package",
                    "relative AU urls are resolved against the folder of cmi5.xml; check spelling and case")


def _id(check: _Check, element: etree._Element, what: str) -> None:
    raw = element.get("id")
    value = (raw or "").strip()
    if raw is None:
        check.error(element, f"{what}@id", f"<{what}> has no id", "give it an IRI on a domain you control")
    elif not is_iri(value):
        check.error(element, f"{what}@id", f"the {what} id '{raw}' is not an absolute IRI",
                    "use a full IRI with a scheme, e.g. https://example.org/xapi/course")
    elif value in check.ids:
        check.error(element, f"{what}@id", f"duplicate id '{value}', first used at line {check.ids[value]}",
                    "ids in a course structure must be unique")
    else:
        check.ids[value] = element.sourceline


def _declared_objectives(check: _Check, objectives: etree._Element) -> None:
    _attributes(check, objectives)
    for objective in _sequence(check, objectives, OBJECTIVES_MODEL).get("objective", []):
        _attributes(check, objective, {"id"}, extensions=False)
        _id(check, objective, "objective")
        if objective.get("id"):
            check.objectives.add(objective.get("id").strip())
        own = children(objective)
        for child in own:
            if namespace(child) != CMI5_NS or local_name(child) not in ("title", "description"):
                check.error(child, "objective", f"<{local_name(child)}> is not allowed in a declared <objective>",
                            "an objective has a <title> and a <description> only")
        for name in ("title", "description"):
            matching = [c for c in own if namespace(c) == CMI5_NS and local_name(c) == name]
            if not matching:
                check.error(objective, f"objective/{name}", f"the objective has no <{name}>")
            for extra in matching[1:]:
                check.error(extra, f"objective/{name}", f"more than one <{name}>")
            for text in matching[:1]:
                _text(check, text)


def _objective_references(check: _Check, objectives: etree._Element) -> None:
    _attributes(check, objectives)
    for objective in _sequence(check, objectives, OBJECTIVES_MODEL).get("objective", []):
        _attributes(check, objective, {"idref"}, extensions=False)
        if children(objective):
            check.error(objective, "objective", "an objective reference holds elements; it takes idref only")
        idref = (objective.get("idref") or "").strip()
        if idref:
            check.references.append((idref, objective))
        else:
            check.error(objective, "objective@idref", "an objective reference has no idref")


def _texts(check: _Check, element: etree._Element, model: tuple[Slot, ...]) -> dict[str, list[etree._Element]]:
    found = _sequence(check, element, model)
    for name in ("title", "description"):
        for text in found.get(name, []):
            _text(check, text)
    return found


def _text(check: _Check, element: etree._Element) -> None:
    _attributes(check, element)
    strings = _sequence(check, element, TEXT_MODEL).get("langstring", [])
    for string in strings:
        _attributes(check, string)
        lang = string.get("lang")
        if lang is not None and not _LANGUAGE.match(lang):
            check.error(string, "langstring@lang", f"'{lang}' is not a language tag", "use e.g. en or en-US")
        if children(string):
            check.error(string, "langstring", "a <langstring> holds elements; it must be text only")
    if strings and not any((s.text or "").strip() for s in strings):
        check.error(element, local_name(element), f"the <{local_name(element)}> is empty",
                    "learners and LMS administrators see this text", Severity.WARNING)


def _attributes(check: _Check, element: etree._Element, allowed: set[str] | None = None,
                extensions: bool = True) -> None:
    name = local_name(element)
    allowed = ATTRIBUTES.get(name, set()) if allowed is None else allowed
    for attribute in element.attrib:
        qualified = attribute.startswith("{")
        if qualified and extensions and name not in NO_EXTENSION_ATTRIBUTES:
            if attribute.startswith("{" + CMI5_NS + "}"):
                check.error(element, f"{name}@{attribute}", f"<{name}> has an attribute in the cmi5 namespace")
            continue
        if not qualified and attribute in allowed:
            continue
        check.error(element, f"{name}@{etree.QName(attribute).localname}",
                    f"<{name}> may not have the attribute '{etree.QName(attribute).localname}'",
                    f"allowed: {', '.join(sorted(allowed)) or 'none'}" + ("; vendor attributes need their own "
                                                                           "namespace" if extensions else ""))


def _sequence(check: _Check, element: etree._Element, model: tuple[Slot, ...]) -> dict[str, list[etree._Element]]:
    """Check the children of `element` against `model` (then vendor extensions), and return
    the cmi5 children found, by local name."""
    parent = local_name(element)
    order = ", ".join("|".join(sorted(s.names)) for s in model)
    found: dict[str, list[etree._Element]] = {}
    counts = [0] * len(model)
    index = 0
    extension: etree._Element | None = None
    for child in children(element):
        name = local_name(child)
        if namespace(child) != CMI5_NS:
            if not namespace(child):
                check.error(child, f"{parent}/{name}", f"<{name}> in <{parent}> is in no namespace",
                            f"cmi5 elements belong to xmlns=\"{CMI5_NS}\"; vendor elements to their own namespace")
            elif extension is None:
                extension = child
            continue
        if extension is not None:
            check.error(child, f"{parent}/{name}", f"<{name}> comes after the vendor element "
                        f"<{local_name(extension)}> (line {extension.sourceline})",
                        "vendor extension elements go after all cmi5 elements")
            continue
        slot = next((k for k in range(index, len(model)) if name in model[k].names), None)
        if slot is None:
            if any(name in s.names for s in model[:index]):
                check.error(child, f"{parent}/{name}", f"<{name}> is out of order in <{parent}>",
                            f"the order is: {order}")
            else:
                check.error(child, f"{parent}/{name}", f"<{name}> is not allowed in <{parent}>",
                            f"<{parent}> holds: {order}")
            continue
        for k in range(index, slot):
            if counts[k] < model[k].least:
                check.error(child, f"{parent}/{'|'.join(sorted(model[k].names))}",
                            f"<{parent}> lacks <{'> or <'.join(sorted(model[k].names))}> before <{name}>",
                            f"the order is: {order}")
        index = slot
        counts[slot] += 1
        if model[slot].most is not None and counts[slot] > model[slot].most:
            check.error(child, f"{parent}/{name}", f"more than one <{name}> in <{parent}>")
            continue
        found.setdefault(name, []).append(child)
    for k in range(index, len(model)):
        if counts[k] < model[k].least:
            what = "> or <".join(sorted(model[k].names))
            check.error(element, f"{parent}/{'|'.join(sorted(model[k].names))}", f"<{parent}> has no <{what}>",
                        f"<{parent}> holds: {order}")
    return found
