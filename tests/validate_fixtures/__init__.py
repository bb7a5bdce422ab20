"""Test data for the validator: minimal valid manifests and builders for (hostile) zips.

The manifests follow /work/shared/specs/scorm12.md and scorm2004.md exactly: namespaces,
xsi:schemaLocation, schemaversion and extension prefixes.
"""
from __future__ import annotations

import stat
import struct
import zipfile
from pathlib import Path

from scorm_builder.validate import Report

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "manifests" / "schemas"

MANIFEST_12 = """\
<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.course1" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd \
http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd \
http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="ORG1">
    <organization identifier="ORG1">
      <title>Course</title>
      <item identifier="ITEM1" identifierref="RES1" isvisible="true">
        <title>Lesson 1</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES1" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
      <file href="css/style.css"/>
      <dependency identifierref="SHARED"/>
    </resource>
    <resource identifier="SHARED" type="webcontent" adlcp:scormtype="asset">
      <file href="shared/api.js"/>
    </resource>
  </resources>
</manifest>
"""

MANIFEST_2004 = """\
<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.course1" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd
    http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd
    http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd
    http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd
    http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>2004 4th Edition</schemaversion>
  </metadata>
  <organizations default="ORG1">
    <organization identifier="ORG1">
      <title>Course</title>
      <item identifier="ITEM1" identifierref="RES1">
        <title>Lesson 1</title>
        <adlcp:completionThreshold completedByMeasure="false" minProgressMeasure="0.8"/>
        <imsss:sequencing>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="OBJ1" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
          </imsss:objectives>
        </imsss:sequencing>
        <adlnav:presentation>
          <adlnav:navigationInterface>
            <adlnav:hideLMSUI>continue</adlnav:hideLMSUI>
          </adlnav:navigationInterface>
        </adlnav:presentation>
      </item>
      <imsss:sequencing>
        <imsss:controlMode choice="true" flow="true"/>
      </imsss:sequencing>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES1" type="webcontent" adlcp:scormType="sco" href="sco1/index.html">
      <file href="sco1/index.html"/>
      <dependency identifierref="SHARED"/>
    </resource>
    <resource identifier="SHARED" type="webcontent" adlcp:scormType="asset">
      <file href="shared/api.js"/>
    </resource>
  </resources>
</manifest>
"""

CONTENT_12 = {"index.html": "<html><body>Lesson 1</body></html>", "css/style.css": "body{}",
              "shared/api.js": "var API = null;"}
CONTENT_2004 = {"sco1/index.html": "<html><body>Lesson 1</body></html>", "shared/api.js": "var API_1484_11;"}


def schema_files(schema_set: str) -> dict[str, bytes]:
    """The official schema files, to ship beside the manifest as the ADL test suite expects."""
    return {p.name: p.read_bytes() for p in (SCHEMAS / schema_set).iterdir()}


def build_zip(path: Path, files: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def package_12(tmp_path: Path, manifest: str = MANIFEST_12, extra: dict | None = None,
               drop: tuple[str, ...] = (), name: str = "course12.zip") -> Path:
    files = {"imsmanifest.xml": manifest, **CONTENT_12, **schema_files("scorm12"), **(extra or {})}
    return build_zip(tmp_path / name, {k: v for k, v in files.items() if k not in drop})


def package_2004(tmp_path: Path, manifest: str = MANIFEST_2004, extra: dict | None = None,
                 drop: tuple[str, ...] = (), name: str = "course2004.zip") -> Path:
    files = {"imsmanifest.xml": manifest, **CONTENT_2004, **schema_files("scorm2004-4th"), **(extra or {})}
    return build_zip(tmp_path / name, {k: v for k, v in files.items() if k not in drop})


def line_of(text: str, marker: str) -> int:
    """1-based line of the first line of `text` containing `marker`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"{marker!r} not in text")


def find(report: Report, field: str | None = None, contains: str = "", file: str | None = None) -> list:
    return [p for p in report.problems
            if (field is None or p.field == field) and contains in p.message
            and (file is None or p.file == file)]


def add_raw_entry(zf: zipfile.ZipFile, name: str, data: bytes, mode: int | None = None) -> None:
    info = zipfile.ZipInfo(name)
    if mode is not None:
        info.create_system = 3
        info.external_attr = mode << 16
    zf.writestr(info, data)


def symlink_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("imsmanifest.xml", MANIFEST_12)
        add_raw_entry(zf, "index.html", b"/etc/passwd", stat.S_IFLNK | 0o777)
    return path


def patch_name(path: Path, old: bytes, new: bytes) -> Path:
    """Rewrite an entry name in place (local header and central directory), same length."""
    assert len(old) == len(new)
    data = path.read_bytes()
    assert data.count(old) == 2, "the name must occur once in each header"
    path.write_bytes(data.replace(old, new))
    return path


def lying_size_zip(path: Path, real_size: int, declared: int) -> Path:
    """A zip whose headers declare `declared` bytes for an entry that inflates to `real_size`."""
    build_zip(path, {"imsmanifest.xml": MANIFEST_12, "big.bin": b"\0" * real_size})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("big.bin")
    local = info.header_offset
    struct.pack_into("<L", data, local + 22, declared)  # local header: uncompressed size
    central = data.index(b"PK\x01\x02")
    while data[central + 46:central + 46 + struct.unpack_from("<H", data, central + 28)[0]] != b"big.bin":
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<L", data, central + 24, declared)  # central directory: uncompressed size
    path.write_bytes(bytes(data))
    return path
