"""Schema validation against the official sets: errors carry the manifest line and a hint."""
from __future__ import annotations

from pathlib import Path

from validate_fixtures import MANIFEST_12, MANIFEST_2004, line_of, package_12, package_2004

from scorm_builder.validate import Report, validate_package


def schema_problems(report: Report):
    return [p for p in report.problems if p.message.startswith("schema:")]


def test_valid_packages_have_no_schema_problems(tmp_path: Path):
    assert schema_problems(validate_package(package_12(tmp_path))) == []
    assert schema_problems(validate_package(package_2004(tmp_path))) == []


def test_misspelled_element_is_reported_with_its_line_12(tmp_path: Path):
    manifest = MANIFEST_12.replace("<resources>", "<resourses>").replace("</resources>", "</resourses>")
    report = validate_package(package_12(tmp_path, manifest))
    assert report.exit_code == 1
    [problem] = [p for p in schema_problems(report) if p.field == "resourses"]
    assert problem.line == line_of(manifest, "<resourses>")
    assert "not expected" in problem.message and "spelling" in problem.hint


def test_misspelled_element_is_reported_with_its_line_2004(tmp_path: Path):
    manifest = MANIFEST_2004.replace("<imsss:controlMode", "<imsss:controlMod")
    report = validate_package(package_2004(tmp_path, manifest))
    problems = [p for p in schema_problems(report) if p.field == "imsss:controlMod"]
    assert problems and problems[0].line == line_of(manifest, "<imsss:controlMod ")


def test_wrong_enumeration_value_is_reported_12(tmp_path: Path):
    manifest = MANIFEST_12.replace('adlcp:scormtype="sco"', 'adlcp:scormtype="SCO"')
    report = validate_package(package_12(tmp_path, manifest))
    [problem] = [p for p in schema_problems(report) if p.field == "resource@adlcp:scormtype"]
    assert problem.line == line_of(manifest, 'adlcp:scormtype="SCO"')
    assert "'SCO'" in problem.message and "allows" in problem.hint


def test_wrong_enumeration_value_is_reported_2004(tmp_path: Path):
    manifest = MANIFEST_2004.replace("<adlnav:hideLMSUI>continue<", "<adlnav:hideLMSUI>next<")
    report = validate_package(package_2004(tmp_path, manifest))
    [problem] = [p for p in schema_problems(report) if p.field == "adlnav:hideLMSUI"]
    assert problem.line == line_of(manifest, "<adlnav:hideLMSUI>next<")


def test_out_of_range_measure_is_a_schema_error_2004(tmp_path: Path):
    manifest = MANIFEST_2004.replace('minProgressMeasure="0.8"', 'minProgressMeasure="1.5"')
    report = validate_package(package_2004(tmp_path, manifest))
    assert any(p.field == "adlcp:completionThreshold@minProgressMeasure" for p in schema_problems(report))


def test_missing_required_attribute_is_reported(tmp_path: Path):
    manifest = MANIFEST_12.replace('<resource identifier="SHARED" type="webcontent" ', '<resource identifier="SHARED" ')
    report = validate_package(package_12(tmp_path, manifest))
    [problem] = [p for p in schema_problems(report) if p.field == "resource"]
    assert "'type' is required" in problem.message and problem.hint == "add the missing attribute"
    assert problem.line == line_of(manifest, '<resource identifier="SHARED" ')


def test_2004_element_in_a_12_manifest_is_rejected_by_the_12_schema(tmp_path: Path):
    manifest = MANIFEST_12.replace("<adlcp:masteryscore>80</adlcp:masteryscore>",
                                   "<adlcp:completionThreshold>0.5</adlcp:completionThreshold>")
    report = validate_package(package_12(tmp_path, manifest))
    assert any(p.field == "adlcp:completionThreshold" for p in schema_problems(report))


def test_schema_location_pointing_at_the_network_is_ignored(tmp_path: Path):
    manifest = MANIFEST_12.replace("imscp_rootv1p1p2.xsd http", "http://127.0.0.1:9/never.xsd http")
    report = validate_package(package_12(tmp_path, manifest))
    assert report.ok, report.format_text()


def test_the_3rd_edition_set_is_used_for_3rd_edition_manifests(tmp_path: Path):
    third = MANIFEST_2004.replace("2004 4th Edition", "2004 3rd Edition")
    # completionThreshold attributes only exist from the 4th Edition on
    report = validate_package(package_2004(tmp_path, third))
    assert any(p.field.startswith("adlcp:completionThreshold") and "3rd Edition" in p.hint
               for p in schema_problems(report)), report.format_text()
    fixed = third.replace('<adlcp:completionThreshold completedByMeasure="false" minProgressMeasure="0.8"/>',
                          "<adlcp:completionThreshold>0.8</adlcp:completionThreshold>")
    assert validate_package(package_2004(tmp_path, fixed, name="fixed.zip")).ok
