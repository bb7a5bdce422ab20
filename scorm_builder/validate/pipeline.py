"""The validator's recipe: read the package safely, parse the manifest safely, detect the
edition, validate against the official schemas, then apply the package rules."""
from __future__ import annotations

from pathlib import Path

from scorm_builder.errors import Problem, sort_problems

from . import namespaces as ns
from .cartridge import check_cartridge, is_cartridge
from .cmi5 import check_cmi5
from .contents import CMI5, MANIFEST, Contents
from .limits import DEFAULT, Limits
from .detect import SCORM_12, UNKNOWN, detect
from .entries import EntryReader, folder_reader, no_reader, zip_reader
from .folder import read_folder
from .report import Report
from .rules import Manifest, check_rules
from .safezip import read_zip
from .tincan import check_tincan
from .xmlsafe import parse_untrusted
from .xsd import check_schema

NOT_READ = "nothing in the package was checked: it could not be read or was rejected as unsafe"
NOT_WELL_FORMED = "the schemas and package rules were not checked: the manifest is not well-formed XML"
NOT_SCORM = "the schemas and package rules were not checked: the manifest is not a SCORM manifest"
NOT_RUNTIME = (
    "run-time behaviour (API calls, data model values, navigation) is not checked here: "
    "play the package in an LMS or a test player"
)


def validate_package(path: Path, limits: Limits = DEFAULT) -> Report:
    """Validate a SCORM zip. Never extracts it and never raises for a bad or hostile file."""
    path = Path(path)
    contents = read_zip(path, limits)
    return validate_contents(str(path), contents, zip_reader(path, contents, limits), limits)


def validate_directory(path: Path, limits: Limits = DEFAULT) -> Report:
    """Validate an already-extracted package folder."""
    path = Path(path)
    contents = read_folder(path, limits)
    return validate_contents(str(path), contents, folder_reader(path, contents, limits), limits)


def validate_contents(package: str, contents: Contents, read: EntryReader = no_reader,
                      limits: Limits = DEFAULT) -> Report:
    """Every descriptor (imsmanifest.xml, cmi5.xml, tincan.xml) is parsed under the one policy and
    the work limits of xmlsafe.py before anything else looks at it."""
    found = list(contents.problems)
    if not contents.readable:
        return make_report(package, found, unchecked=(NOT_READ,), readable=False)
    if contents.manifest is None:
        return make_report(package, found)
    parsed = parse_untrusted(contents.manifest, contents.manifest_path, limits)
    found += parsed.problems
    if parsed.unsafe:
        return make_report(package, found, unchecked=(NOT_READ,), readable=False)
    if parsed.tree is None:
        return make_report(package, found, unchecked=(NOT_WELL_FORMED,))
    root = parsed.tree.getroot()
    if contents.descriptor != MANIFEST:
        return validate_xapi_package(package, contents, root, found)
    if is_cartridge(root):  # IMS Common Cartridge 1.1: validate/cartridge.py
        cartridge = check_cartridge(root, contents.names, read, contents.manifest_path)
        return make_report(package, found + list(cartridge.problems), "cc", "IMS Common Cartridge 1.1",
                           cartridge.unchecked)
    detection = detect(root, contents.manifest_path)
    found += detection.problems
    if detection.schema_set is None:
        return make_report(package, found, unchecked=(NOT_SCORM,))
    schema = check_schema(root, detection.schema_set, contents.manifest_path, limits.max_schema_problems)
    manifest = Manifest(root, detection.standard, contents.names, contents.manifest_path)
    found += schema.problems
    found += check_rules(manifest)
    notes = detection.unchecked + schema.unchecked + extra_notes(manifest) + (NOT_RUNTIME,)
    return make_report(package, found, detection.standard, detection.edition, notes)


XAPI_NOTE = ("the statements the content sends are not checked here: play the package against an LRS "
             "and validate what arrives")


def validate_xapi_package(package: str, contents: Contents, root, found: list[Problem]) -> Report:
    """A cmi5 course structure or a Tin Can package: checked by rules written from those specs."""
    if contents.descriptor == CMI5:
        found += check_cmi5(root, set(contents.names), contents.manifest_path)
        return make_report(package, found, "cmi5", "cmi5", (XAPI_NOTE,))
    found += check_tincan(root, set(contents.names), contents.manifest_path)
    return make_report(package, found, "xapi", "Tin Can", (XAPI_NOTE,))


def make_report(
    package: str,
    problems: list[Problem],
    standard: str = UNKNOWN,
    edition: str = UNKNOWN,
    unchecked: tuple[str, ...] = (),
    readable: bool = True,
) -> Report:
    return Report(package, standard, edition, tuple(sort_problems(problems)), unchecked, readable)


def extra_notes(m: Manifest) -> tuple[str, ...]:
    notes = []
    locations = sorted({(el.text or "").strip() for el in m.root.iter(f"{{{m.adlcp}}}location")})
    if locations:
        notes.append("external metadata files named by adlcp:location were checked for presence only, "
                     f"not validated: {', '.join(locations)}")
    if m.standard != SCORM_12 and next(m.root.iter(f"{{{ns.IMSSS}}}sequencing"), None) is not None:
        notes.append("sequencing (imsss) was checked against the schema only; whether the rules behave "
                     "as intended, and Moodle's limited support for them, are not checked")
    return tuple(notes)
