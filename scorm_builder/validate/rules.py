"""Package rules the XML schemas cannot express. Each rule is a small function of the manifest
and the package's file names that returns the problems it finds."""
from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import unquote, urlsplit

from lxml import etree

from scorm_builder.errors import Problem, Severity

from . import namespaces as ns
from .detect import SCORM_12

MAX_UNLISTED_REPORTED = 20
SCHEMA_SUFFIXES = (".xsd", ".dtd")
_DRIVE = re.compile(r"^[A-Za-z]:")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


@dataclass(frozen=True)
class Manifest:
    """The parsed manifest of a package and the names of the files beside it."""

    root: etree._Element
    standard: str  # scorm12 | scorm2004
    names: frozenset[str]  # relative to the manifest's folder
    file: str  # the manifest's path inside the package

    @property
    def cp(self) -> str:
        return ns.CP12 if self.standard == SCORM_12 else ns.CP2004

    @property
    def adlcp(self) -> str:
        return ns.ADLCP12 if self.standard == SCORM_12 else ns.ADLCP2004

    @functools.cached_property
    def references(self) -> list[Reference]:
        return find_references(self)

    @property
    def scorm_type(self) -> str:
        """The Clark name of the SCO/asset attribute: lowercase in 1.2, camel case in 2004."""
        return f"{{{self.adlcp}}}{'scormtype' if self.standard == SCORM_12 else 'scormType'}"


Rule = Callable[[Manifest], list[Problem]]


# ---------------------------------------------------------------- helpers

def cp_elements(m: Manifest, local: str) -> Iterator[etree._Element]:
    return m.root.iter(f"{{{m.cp}}}{local}")


def at(m: Manifest, el: etree._Element, field: str, message: str, hint: str,
       severity: Severity = Severity.ERROR) -> Problem:
    return Problem(file=m.file, line=el.sourceline, field=field, message=message, hint=hint,
                   severity=severity)


def ids_of(m: Manifest, local: str) -> dict[str, etree._Element]:
    return {el.get("identifier"): el for el in cp_elements(m, local) if el.get("identifier")}


def is_external(href: str) -> bool:
    """An absolute URL such as https://...: not a file of the package. file: is not external."""
    scheme = urlsplit(href).scheme.lower()
    return len(scheme) > 1 and scheme != "file"


def path_part(href: str) -> str:
    """The file path an href names: query and fragment removed, %-escapes decoded."""
    return unquote(href.split("#", 1)[0].split("?", 1)[0])


def href_form_problem(href: str) -> str | None:
    """Why an href cannot name a file inside the package, if it cannot."""
    if href.lower().startswith("file:"):
        return "is a file: URL pointing at the author's computer"
    path = path_part(href)
    if path.startswith(("/", "\\")):
        return "is an absolute path; package paths are relative to the manifest"
    if _DRIVE.match(path):
        return "is a Windows drive path"
    if ".." in re.split(r"[/\\]", path):
        return "uses '..' to leave the package folder"
    return None


def xml_base(el: etree._Element) -> str:
    base = el.get(f"{{{ns.XML}}}base") or ""
    return base if not base or base.endswith("/") else base + "/"


def resource_base(resource: etree._Element) -> str:
    parent = resource.getparent()
    return (xml_base(parent) if parent is not None else "") + xml_base(resource)


def package_path(base: str, href: str) -> str:
    path = posixpath.normpath(path_part(base + href).replace("\\", "/"))
    return path[2:] if path.startswith("./") else path


@dataclass(frozen=True)
class Reference:
    element: etree._Element
    field: str
    href: str  # as written
    base: str  # xml:base prefix that applies
    external: bool = False  # an absolute URL, not a file of the package
    form: str | None = None  # why base + href cannot name a file of the package, if it cannot
    target: str | None = None  # the package path it names; None when external or malformed


def reference(element: etree._Element, field: str, href: str, base: str) -> Reference:
    """A reference with its target worked out once (the rules below read it several times)."""
    external = bool(href) and is_external(href)
    form = None if not href or external else href_form_problem(base + href)
    target = package_path(base, href) if href and not external and form is None else None
    return Reference(element, field, href, base, external, form, target)


def references(m: Manifest) -> list[Reference]:
    """Every place the manifest names a file: resource@href, file@href, adlcp:location. Computed
    once per manifest."""
    return m.references


def find_references(m: Manifest) -> list[Reference]:
    found: list[Reference] = []
    for resource in cp_elements(m, "resource"):
        base = resource_base(resource)
        if resource.get("href") is not None:
            found.append(reference(resource, "resource@href", resource.get("href"), base))
        for file in resource.iterchildren(f"{{{m.cp}}}file"):
            found.append(reference(file, "file@href", file.get("href") or "", base))
    for location in m.root.iter(f"{{{m.adlcp}}}location"):
        found.append(reference(location, "adlcp:location", (location.text or "").strip(), ""))
    return found


def local_target(ref: Reference) -> str | None:
    """The package path a reference names, or None when it is external or malformed."""
    return ref.target


def decimal(text: str | None) -> Decimal | None:
    value = (text or "").strip()
    if not _DECIMAL.match(value):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


# ---------------------------------------------------------------- rules

def default_organization(m: Manifest) -> list[Problem]:
    organizations = m.root.find(f"{{{m.cp}}}organizations")
    if organizations is None:
        return []
    orgs = organizations.findall(f"{{{m.cp}}}organization")
    default = organizations.get("default")
    if default is None:
        if not orgs:
            return []
        return [at(m, organizations, "organizations@default",
                   "no default organization is named; LMSs then pick one themselves",
                   f"add default=\"{orgs[0].get('identifier')}\" to <organizations>", Severity.WARNING)]
    if default in {o.get("identifier") for o in orgs}:
        return []
    known = ", ".join(o.get("identifier") or "?" for o in orgs) or "none"
    return [at(m, organizations, "organizations@default",
               f"default=\"{default}\" names no <organization> (organizations: {known})",
               "set default to the identifier of one of the <organization> elements")]


def unique_identifiers(m: Manifest) -> list[Problem]:
    first: dict[str, etree._Element] = {}
    problems = []
    for el in m.root.iter(*(f"{{{m.cp}}}{n}" for n in ("manifest", "organization", "item", "resource"))):
        ident = el.get("identifier")
        if ident is None:
            continue
        if ident in first:
            problems.append(at(m, el, f"{etree.QName(el).localname}@identifier",
                               f"identifier \"{ident}\" is already used on line {first[ident].sourceline}",
                               "give every manifest, organization, item and resource its own identifier"))
        else:
            first[ident] = el
    return problems


def item_references(m: Manifest) -> list[Problem]:
    resources = ids_of(m, "resource")
    return [
        at(m, item, "item@identifierref",
           f"item \"{item.get('identifier')}\" refers to resource \"{item.get('identifierref')}\", "
           "which does not exist; the LMS will have nothing to launch for it",
           "set identifierref to the identifier of a <resource>, or add that resource")
        for item in cp_elements(m, "item")
        if item.get("identifierref") is not None and item.get("identifierref") not in resources
    ]


def leaf_items_only(m: Manifest) -> list[Problem]:
    """SCORM 2004: only leaf items may reference a resource."""
    if m.standard == SCORM_12:
        return []
    return [
        at(m, item, "item@identifierref",
           f"item \"{item.get('identifier')}\" has child items and also refers to a resource; "
           "in SCORM 2004 only leaf items may",
           "move the resource to a child item, or remove identifierref from this item")
        for item in cp_elements(m, "item")
        if item.get("identifierref") is not None and item.find(f"{{{m.cp}}}item") is not None
    ]


def launch_targets(m: Manifest) -> list[Problem]:
    resources = ids_of(m, "resource")
    problems = []
    for item in cp_elements(m, "item"):
        resource = resources.get(item.get("identifierref") or "")
        if resource is None:
            continue
        name = item.get("identifier")
        if resource.get("href") is None:
            problems.append(at(m, item, "item@identifierref",
                               f"item \"{name}\" launches resource \"{resource.get('identifier')}\", "
                               "which has no href",
                               "add href=\"<start page>\" to the resource"))
        elif resource.get(m.scorm_type) != "sco":
            attr = ns.display_name(m.scorm_type)
            problems.append(at(m, item, "item@identifierref",
                               f"item \"{name}\" launches resource \"{resource.get('identifier')}\", "
                               "which is an asset, not a SCO: it will not be tracked",
                               f"if the page talks to the LMS, mark the resource {attr}=\"sco\"",
                               Severity.WARNING))
    return problems


def something_to_launch(m: Manifest) -> list[Problem]:
    organizations = m.root.find(f"{{{m.cp}}}organizations")
    anchor = organizations if organizations is not None else m.root
    if any(item.get("identifierref") for item in cp_elements(m, "item")):
        return []
    return [at(m, anchor, "organizations",
               "no item refers to a resource: the LMS will create the activity with nothing to launch",
               "add an <organization> with an <item identifierref=\"...\"> pointing at the SCO resource")]


def dependency_references(m: Manifest) -> list[Problem]:
    resources = ids_of(m, "resource")
    return [
        at(m, dep, "dependency@identifierref",
           f"dependency on \"{dep.get('identifierref')}\", which is not a resource",
           "set identifierref to the identifier of a <resource>, or remove the dependency")
        for dep in cp_elements(m, "dependency")
        if dep.get("identifierref") not in resources
    ]


def href_forms(m: Manifest) -> list[Problem]:
    problems = []
    for ref in references(m):
        if not ref.href or ref.external:
            continue
        reason = ref.form
        if reason:
            problems.append(at(m, ref.element, ref.field, f"\"{ref.base + ref.href}\" {reason}",
                               "use a relative path from the manifest's folder, with '/' separators, "
                               "e.g. \"sco1/index.html\""))
        elif "\\" in ref.href:
            problems.append(at(m, ref.element, ref.field, f"\"{ref.href}\" uses '\\' as a separator",
                               "use '/' in hrefs; '\\' only works on Windows servers", Severity.WARNING))
    return problems


def referenced_files_exist(m: Manifest) -> list[Problem]:
    lowered = {n.lower(): n for n in m.names}
    problems = []
    for ref in references(m):
        target = local_target(ref)
        if target is None or target in m.names:
            continue
        near = lowered.get(target.lower())
        hint = (f"the package has '{near}': paths are case-sensitive on most servers" if near
                else "add the file to the package at this path, or correct the href")
        problems.append(at(m, ref.element, ref.field,
                           f"\"{ref.base + ref.href}\" is not in the package (looked for '{target}')", hint))
    return problems


def mastery_scores(m: Manifest) -> list[Problem]:
    """SCORM 1.2: adlcp:masteryscore is a number from 0 to 100."""
    if m.standard != SCORM_12:
        return []
    problems = []
    for el in m.root.iter(f"{{{ns.ADLCP12}}}masteryscore"):
        value = decimal(el.text)
        if value is None or not 0 <= value <= 100:
            problems.append(at(m, el, "adlcp:masteryscore",
                               f"mastery score \"{(el.text or '').strip()}\" is not a number from 0 to 100",
                               "write the passing score as a number, e.g. <adlcp:masteryscore>80</adlcp:masteryscore>"))
    return problems


def normalized_measures(m: Manifest) -> list[Problem]:
    """SCORM 2004: imsss:minNormalizedMeasure lies in -1..1."""
    if m.standard == SCORM_12:
        return []
    problems = []
    for el in m.root.iter(f"{{{ns.IMSSS}}}minNormalizedMeasure"):
        value = decimal(el.text)
        if value is None or not -1 <= value <= 1:
            problems.append(at(m, el, "imsss:minNormalizedMeasure",
                               f"\"{(el.text or '').strip()}\" is not a number from -1 to 1",
                               "write the passing score as a fraction, e.g. 0.8 for 80%"))
    return problems


def completion_thresholds(m: Manifest) -> list[Problem]:
    """SCORM 2004: adlcp:completionThreshold values (text, minProgressMeasure, progressWeight) in 0..1."""
    if m.standard == SCORM_12:
        return []
    problems = []
    for el in m.root.iter(f"{{{ns.ADLCP2004}}}completionThreshold"):
        values = [("", el.text)] if (el.text or "").strip() else []
        values += [(f"@{a}", el.get(a)) for a in ("minProgressMeasure", "progressWeight") if el.get(a) is not None]
        for suffix, text in values:
            value = decimal(text)
            if value is None or not 0 <= value <= 1:
                problems.append(at(m, el, f"adlcp:completionThreshold{suffix}",
                                   f"\"{(text or '').strip()}\" is not a number from 0 to 1",
                                   "write a fraction of the content, e.g. 0.75"))
    return problems


def extension_prefixes(m: Manifest) -> list[Problem]:
    """adlcp, imsss, adlseq and adlnav must be written with exactly those prefixes."""
    problems = []
    for el in m.root.iter(etree.Element):
        qname = etree.QName(el)
        expected = ns.EXPECTED_PREFIXES.get(qname.namespace or "")
        if expected and el.prefix != expected:
            problems.append(prefix_problem(m, el, el.prefix, expected, qname))
        prefixes: dict[str, list[str | None]] | None = None  # uri -> prefixes bound here, built once
        for key in el.attrib:
            if not key.startswith("{"):
                continue
            attr = etree.QName(key)
            expected = ns.EXPECTED_PREFIXES.get(attr.namespace or "")
            if not expected:
                continue
            if prefixes is None:
                prefixes = bound_prefixes(el)
            bound = prefixes.get(attr.namespace or "", [])
            if expected not in bound:
                problems.append(prefix_problem(m, el, bound[0] if bound else None, expected, attr))
    return problems


def bound_prefixes(el: etree._Element) -> dict[str, list[str | None]]:
    found: dict[str, list[str | None]] = {}
    for prefix, uri in el.nsmap.items():
        found.setdefault(uri, []).append(prefix)
    return found


def prefix_problem(m: Manifest, el: etree._Element, used: str | None, expected: str,
                   qname: etree.QName) -> Problem:
    written = f"{used}:{qname.localname}" if used else qname.localname
    return at(m, el, written,
              f"'{written}' is valid XML, but LMSs such as Moodle match the prefix literally and "
              f"ignore anything not written '{expected}:{qname.localname}'",
              f"declare xmlns:{expected}=\"{qname.namespace}\" and write {expected}:{qname.localname}")


def cp_prefixes(m: Manifest) -> list[Problem]:
    """Content-packaging elements with a prefix: parsers that read names literally miss them."""
    prefixed = [el for el in m.root.iter(f"{{{m.cp}}}*") if el.prefix]
    if not prefixed:
        return []
    first = prefixed[0]
    return [at(m, first, f"{first.prefix}:{etree.QName(first).localname}",
               f"{len(prefixed)} IMS CP elements are written with a prefix; LMS parsers that read "
               "element names literally (as Moodle's does) may not recognise them",
               f"make {m.cp} the default namespace (xmlns=\"...\") and drop the prefix",
               Severity.WARNING)]


def scorm_type_spelling(m: Manifest) -> list[Problem]:
    """1.2 writes adlcp:scormtype, 2004 adlcp:scormType; the other spelling is ignored."""
    wrong = f"{{{m.adlcp}}}{'scormType' if m.standard == SCORM_12 else 'scormtype'}"
    right = ns.display_name(m.scorm_type)
    return [
        at(m, res, ns.display_name(wrong),
           f"{ns.display_name(wrong)} is the spelling of the other SCORM version; this one reads {right}",
           f"rename the attribute to {right}")
        for res in cp_elements(m, "resource")
        if res.get(wrong) is not None
    ]


def webcontent_scorm_type(m: Manifest) -> list[Problem]:
    """SCORM 2004: every webcontent resource says whether it is a SCO or an asset."""
    if m.standard == SCORM_12:
        return []
    return [
        at(m, res, "resource@adlcp:scormType",
           f"resource \"{res.get('identifier')}\" has no adlcp:scormType; LMSs treat it as an asset "
           "and never track it",
           "add adlcp:scormType=\"sco\" (content that talks to the LMS) or \"asset\"")
        for res in cp_elements(m, "resource")
        if res.get("type") == "webcontent" and res.get(m.scorm_type) is None
    ]


def unlisted_files(m: Manifest) -> list[Problem]:
    """Files no resource lists: LMSs may not copy them, and they often are leftovers."""
    listed = {t for ref in references(m) if (t := local_target(ref))}
    extra = sorted(n for n in m.names
                   if n not in listed and n != "imsmanifest.xml" and not n.lower().endswith(SCHEMA_SUFFIXES))
    base = m.file[: -len("imsmanifest.xml")]
    problems = [
        Problem(file=base + name, field="file", severity=Severity.WARNING,
                message="no resource lists this file",
                hint="add <file href=\"...\"/> to the resource that uses it, or remove the file")
        for name in extra[:MAX_UNLISTED_REPORTED]
    ]
    if len(extra) > MAX_UNLISTED_REPORTED:
        problems.append(Problem(file=m.file, field="file", severity=Severity.WARNING,
                                message=f"{len(extra) - MAX_UNLISTED_REPORTED} more files are not listed "
                                "by any resource",
                                hint="list every file a SCO needs as <file href> in its resource"))
    return problems


RULES: tuple[Rule, ...] = (
    default_organization,
    unique_identifiers,
    item_references,
    leaf_items_only,
    launch_targets,
    something_to_launch,
    dependency_references,
    href_forms,
    referenced_files_exist,
    mastery_scores,
    normalized_measures,
    completion_thresholds,
    extension_prefixes,
    cp_prefixes,
    scorm_type_spelling,
    webcontent_scorm_type,
    unlisted_files,
)


def check_rules(m: Manifest, rules: tuple[Rule, ...] = RULES) -> list[Problem]:
    return [problem for rule in rules for problem in rule(m)]
