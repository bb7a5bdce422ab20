"""Detection of the standard and edition from the namespace and <schemaversion>."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from validate_fixtures import MANIFEST_12, MANIFEST_2004, line_of, package_12, package_2004

from scorm_builder.validate import validate_package
from scorm_builder.validate.detect import CAM13_NOTE, detect


def detected(manifest: str):
    return detect(etree.fromstring(manifest.encode()), "imsmanifest.xml")


def with_version(manifest: str, version: str | None) -> str:
    current = "1.2" if "imscp_rootv1p1p2" in manifest else "2004 4th Edition"
    if version is None:
        return manifest.replace(f"    <schemaversion>{current}</schemaversion>\n", "")
    return manifest.replace(f"<schemaversion>{current}</schemaversion>", f"<schemaversion>{version}</schemaversion>")


@pytest.mark.parametrize(
    ("manifest", "version", "standard", "edition", "schema_set"),
    [
        (MANIFEST_12, "1.2", "scorm12", "1.2", "scorm12"),
        (MANIFEST_2004, "2004 4th Edition", "scorm2004", "2004 4th Edition", "scorm2004-4th"),
        (MANIFEST_2004, "2004 3rd Edition", "scorm2004", "2004 3rd Edition", "scorm2004-3rd"),
        (MANIFEST_2004, "CAM 1.3", "scorm2004", "CAM 1.3", "scorm2004-3rd"),
    ],
)
def test_known_editions(manifest: str, version: str, standard: str, edition: str, schema_set: str):
    found = detected(with_version(manifest, version))
    assert (found.standard, found.edition, found.schema_set) == (standard, edition, schema_set)
    assert found.problems == ()


def test_cam13_says_which_schemas_were_used():
    assert CAM13_NOTE in detected(with_version(MANIFEST_2004, "CAM 1.3")).unchecked


def test_2004_namespace_with_schemaversion_12_is_an_error():
    manifest = with_version(MANIFEST_2004, "1.2")
    found = detected(manifest)
    [problem] = found.problems
    assert problem.is_error and problem.field == "schemaversion"
    assert problem.line == line_of(manifest, "<schemaversion>")
    assert "Moodle" in problem.message and "1.2" in problem.message
    assert found.edition == "unknown" and found.schema_set == "scorm2004-4th"


def test_12_namespace_with_a_2004_schemaversion_is_an_error():
    [problem] = detected(with_version(MANIFEST_12, "2004 4th Edition")).problems
    assert problem.is_error and "SCORM 1.2 namespace" in problem.message


def test_missing_schemaversion_in_2004_is_an_error_because_moodle_falls_back_to_12():
    [problem] = detected(with_version(MANIFEST_2004, None)).problems
    assert problem.is_error and "treats the package as SCORM 1.2" in problem.message


def test_missing_schemaversion_in_12_is_a_warning():
    [problem] = detected(with_version(MANIFEST_12, None)).problems
    assert not problem.is_error and "1.2" in problem.hint


@pytest.mark.parametrize(("written", "exact"), [("2004 4th edition", "2004 4th Edition"),
                                                ("cam 1.3", "CAM 1.3"), (" 2004 3rd Edition ", "2004 3rd Edition")])
def test_near_miss_schemaversion_suggests_the_exact_string(written: str, exact: str):
    [problem] = detected(with_version(MANIFEST_2004, written)).problems
    assert problem.is_error and f"write exactly '{exact}'" in problem.hint


def test_unknown_schemaversion_in_12_is_an_error():
    [problem] = detected(with_version(MANIFEST_12, "1.2.0")).problems
    assert problem.is_error and "'1.2.0'" in problem.message


def test_wrong_schema_name_is_a_warning():
    [problem] = detected(MANIFEST_12.replace("<schema>ADL SCORM</schema>", "<schema>SCORM</schema>")).problems
    assert not problem.is_error and problem.field == "schema"


def test_common_cartridge_is_not_scorm():
    manifest = MANIFEST_12.replace("http://www.imsproject.org/xsd/imscp_rootv1p1p2\"\n",
                                   "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1\"\n", 1)
    found = detected(manifest)
    assert found.standard == "unknown" and found.schema_set is None
    assert "Common Cartridge" in found.problems[0].message


def test_wrong_root_element_is_not_scorm():
    found = detected("<package xmlns='http://www.imsproject.org/xsd/imscp_rootv1p1p2'/>")
    assert found.standard == "unknown" and "<package>" in found.problems[0].message


def test_report_carries_standard_and_edition(tmp_path: Path):
    r12 = validate_package(package_12(tmp_path))
    r2004 = validate_package(package_2004(tmp_path))
    assert (r12.standard, r12.edition) == ("scorm12", "1.2")
    assert (r2004.standard, r2004.edition) == ("scorm2004", "2004 4th Edition")


def test_unknown_manifest_is_invalid_and_skips_the_schemas(tmp_path: Path):
    report = validate_package(package_12(tmp_path, "<manifest identifier='x'/>"))
    assert report.exit_code == 1 and report.standard == "unknown"
    assert any("not a SCORM manifest" in note for note in report.unchecked)
