"""Which standard and edition a manifest claims: from its namespace and <schemaversion>.

Moodle reads the version from <schemaversion> alone (anything it does not know means 1.2),
so a namespace and a schemaversion that disagree give a package the LMS misreads.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from scorm_builder.errors import Problem, Severity

from . import namespaces as ns
from .schemas import SCORM12, SCORM2004_3RD, SCORM2004_4TH

SCORM_12 = "scorm12"
SCORM_2004 = "scorm2004"
UNKNOWN = "unknown"

EDITIONS_2004 = {
    "2004 4th Edition": SCORM2004_4TH,
    "2004 3rd Edition": SCORM2004_3RD,
    "CAM 1.3": SCORM2004_3RD,  # 2nd Edition: its own schema set is not shipped; 3rd is closest
}
ALL_VERSIONS = ("1.2", *EDITIONS_2004)

CAM13_NOTE = (
    "SCORM 2004 2nd Edition (CAM 1.3) has no schema set here: the manifest was validated "
    "against the 2004 3rd Edition schemas, which accept a few elements 2nd Edition did not have"
)
FALLBACK_NOTE = (
    "<schemaversion> names no SCORM 2004 edition, so the manifest was validated against the "
    "2004 4th Edition schemas"
)
KNOWN_OTHER = {
    "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1": "an IMS Common Cartridge 1.1 manifest",
    "http://www.imsglobal.org/xsd/imsccv1p2/imscp_v1p1": "an IMS Common Cartridge 1.2 manifest",
    "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1": "an IMS Common Cartridge 1.3 manifest",
}


@dataclass(frozen=True)
class Detection:
    standard: str  # scorm12 | scorm2004 | unknown
    edition: str  # 1.2 | CAM 1.3 | 2004 3rd Edition | 2004 4th Edition | unknown
    schema_set: str | None  # which official set to validate against; None for unknown
    problems: tuple[Problem, ...] = ()
    unchecked: tuple[str, ...] = ()


def detect(root: etree._Element, file: str) -> Detection:
    qname = etree.QName(root)
    if qname.localname != "manifest":
        return unknown(file, root.sourceline, f"the root element is <{qname.localname}>, not <manifest>")
    if qname.namespace == ns.CP12:
        return detect_12(root, file)
    if qname.namespace == ns.CP2004:
        return detect_2004(root, file)
    what = KNOWN_OTHER.get(qname.namespace or "", f"namespace '{qname.namespace or '(none)'}'")
    return unknown(file, root.sourceline, f"<manifest> is in {what}, which is not SCORM 1.2 or 2004")


def unknown(file: str, line: int | None, message: str) -> Detection:
    return Detection(
        standard=UNKNOWN,
        edition=UNKNOWN,
        schema_set=None,
        problems=(
            Problem(
                file=file,
                line=line,
                field="manifest",
                message=message,
                hint=f"SCORM 1.2 uses xmlns=\"{ns.CP12}\"; SCORM 2004 uses xmlns=\"{ns.CP2004}\"",
            ),
        ),
    )


def schemaversion(root: etree._Element, cp: str) -> tuple[str | None, int | None]:
    """The text of manifest/metadata/schemaversion (None if absent) and its line."""
    found = root.find(f"{{{cp}}}metadata/{{{cp}}}schemaversion")
    if found is None:
        return None, root.sourceline
    return (found.text or ""), found.sourceline


def detect_12(root: etree._Element, file: str) -> Detection:
    version, line = schemaversion(root, ns.CP12)
    problems = schema_name_problems(root, ns.CP12, file)
    if version == "1.2":
        return Detection(SCORM_12, "1.2", SCORM12, tuple(problems))
    if version is None:
        problems.append(missing_version(file, line, "1.2", Severity.WARNING,
                                        "LMSs then assume SCORM 1.2, which matches the namespace"))
    elif version in EDITIONS_2004:
        problems.append(
            Problem(
                file=file, line=line, field="schemaversion",
                message=f"<schemaversion> says '{version}' but the manifest uses the SCORM 1.2 "
                "namespace; Moodle would load it as SCORM 2004 and find none of its 2004 elements",
                hint="use <schemaversion>1.2</schemaversion>, or convert the whole manifest to SCORM 2004",
            )
        )
    else:
        problems.append(wrong_version(file, line, version, "1.2"))
    return Detection(SCORM_12, "1.2", SCORM12, tuple(problems))


def detect_2004(root: etree._Element, file: str) -> Detection:
    version, line = schemaversion(root, ns.CP2004)
    problems = schema_name_problems(root, ns.CP2004, file)
    if version in EDITIONS_2004:
        notes = (CAM13_NOTE,) if version == "CAM 1.3" else ()
        return Detection(SCORM_2004, version, EDITIONS_2004[version], tuple(problems), notes)
    consequence = "Moodle then silently treats the package as SCORM 1.2"
    if version is None:
        problems.append(missing_version(file, line, "2004 4th Edition", Severity.ERROR, consequence))
    elif version == "1.2":
        problems.append(
            Problem(
                file=file, line=line, field="schemaversion",
                message="<schemaversion> says '1.2' but the manifest uses the SCORM 2004 namespace; "
                f"{consequence} and ignores its 2004 elements",
                hint="use <schemaversion>2004 4th Edition</schemaversion> (or the edition you target)",
            )
        )
    else:
        problems.append(wrong_version(file, line, version, "2004 4th Edition", consequence))
    return Detection(SCORM_2004, UNKNOWN, SCORM2004_4TH, tuple(problems), (FALLBACK_NOTE,))


def missing_version(file: str, line: int | None, expected: str, severity: Severity, why: str) -> Problem:
    return Problem(
        file=file, line=line, field="schemaversion",
        message=f"the manifest has no <metadata><schemaversion>; {why}",
        hint=f"add <metadata><schema>ADL SCORM</schema><schemaversion>{expected}</schemaversion></metadata> "
        "as the first child of <manifest>",
        severity=severity,
    )


def wrong_version(file: str, line: int | None, version: str, expected: str, why: str = "") -> Problem:
    close = next((v for v in ALL_VERSIONS if v.lower() == version.strip().lower()), None)
    suggestion = f"write exactly '{close}'" if close else f"use one of: {', '.join(ALL_VERSIONS)}"
    return Problem(
        file=file, line=line, field="schemaversion",
        message=f"<schemaversion> '{version}' is not a SCORM version string"
        + (f"; {why}" if why else ""),
        hint=f"{suggestion} (expected '{expected}' for this namespace); the value is matched exactly",
    )


def schema_name_problems(root: etree._Element, cp: str, file: str) -> list[Problem]:
    found = root.find(f"{{{cp}}}metadata/{{{cp}}}schema")
    if found is None or found.text == "ADL SCORM":
        return []
    return [
        Problem(
            file=file, line=found.sourceline, field="schema",
            message=f"<schema> is '{found.text or ''}', expected 'ADL SCORM'",
            hint="write <schema>ADL SCORM</schema>",
            severity=Severity.WARNING,
        )
    ]
