"""The package rules the schemas cannot express: one test (or more) per rule, each naming the
place of the problem."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from validate_fixtures import (
    CONTENT_12,
    CONTENT_2004,
    MANIFEST_12,
    MANIFEST_2004,
    build_zip,
    line_of,
    package_12,
    package_2004,
)

from scorm_builder.errors import Problem
from scorm_builder.validate import rules, validate_package
from scorm_builder.validate.rules import Manifest

NAMES_12 = frozenset(CONTENT_12) | {"imsmanifest.xml", "imscp_rootv1p1p2.xsd"}
NAMES_2004 = frozenset(CONTENT_2004) | {"imsmanifest.xml"}


def m12(xml: str = MANIFEST_12, names: frozenset[str] = NAMES_12) -> Manifest:
    return Manifest(etree.fromstring(xml.encode()), "scorm12", names, "imsmanifest.xml")


def m2004(xml: str = MANIFEST_2004, names: frozenset[str] = NAMES_2004) -> Manifest:
    return Manifest(etree.fromstring(xml.encode()), "scorm2004", names, "imsmanifest.xml")


def only(problems: list[Problem], field: str) -> Problem:
    assert len(problems) == 1, problems
    assert problems[0].field == field
    return problems[0]


@pytest.mark.parametrize("rule", rules.RULES)
def test_every_rule_accepts_the_valid_manifests(rule: rules.Rule):
    assert rule(m12()) == []
    assert rule(m2004()) == []


# ------------------------------------------------------------- manifest at the root

def test_manifest_only_in_a_subfolder_says_to_zip_the_contents(tmp_path: Path):
    files = {"course/imsmanifest.xml": MANIFEST_12, **{f"course/{k}": v for k, v in CONTENT_12.items()}}
    report = validate_package(build_zip(tmp_path / "nested.zip", files))
    [problem] = [p for p in report.problems if p.field == "imsmanifest.xml"]
    assert problem.is_error and problem.file == "course/imsmanifest.xml"
    assert "not at the root" in problem.message and "zip the contents of the folder 'course'" in problem.hint
    assert report.exit_code == 1
    # the manifest is still checked, relative to its folder: nothing else is wrong
    assert [p for p in report.problems if p.is_error] == [problem]


def test_no_manifest_at_all(tmp_path: Path):
    report = validate_package(build_zip(tmp_path / "none.zip", CONTENT_12))
    assert report.exit_code == 1
    assert any("no imsmanifest.xml" in p.message for p in report.problems)


def test_manifest_with_wrong_case(tmp_path: Path):
    report = validate_package(build_zip(tmp_path / "case.zip", {"IMSManifest.xml": MANIFEST_12, **CONTENT_12}))
    assert any(p.file == "IMSManifest.xml" and "case-sensitive" in p.message for p in report.problems)


# ------------------------------------------------------------- references

def test_default_organization_must_exist():
    xml = MANIFEST_12.replace('default="ORG1"', 'default="ORG9"')
    problem = only(rules.default_organization(m12(xml)), "organizations@default")
    assert problem.is_error and "ORG9" in problem.message and problem.line == line_of(xml, 'default="ORG9"')


def test_default_organization_cannot_name_an_item():
    xml = MANIFEST_12.replace('default="ORG1"', 'default="ITEM1"')
    assert only(rules.default_organization(m12(xml)), "organizations@default").is_error


def test_missing_default_organization_is_a_warning():
    xml = MANIFEST_2004.replace(' default="ORG1"', "")
    assert not only(rules.default_organization(m2004(xml)), "organizations@default").is_error


def test_identifiers_must_be_unique_across_the_manifest():
    xml = MANIFEST_12.replace('<resource identifier="SHARED"', '<resource identifier="ITEM1"').replace(
        '<dependency identifierref="SHARED"/>', '<dependency identifierref="ITEM1"/>')
    problem = only(rules.unique_identifiers(m12(xml)), "resource@identifier")
    assert problem.line == line_of(xml, '<resource identifier="ITEM1"')
    first = line_of(xml, 'item identifier="ITEM1"')
    assert f"line {first}" in problem.message


def test_item_identifierref_must_name_a_resource():
    xml = MANIFEST_12.replace('identifierref="RES1"', 'identifierref="RES9"')
    problem = only(rules.item_references(m12(xml)), "item@identifierref")
    assert "RES9" in problem.message and problem.line == line_of(xml, 'identifierref="RES9"')


def test_item_identifierref_cannot_name_an_organization():
    xml = MANIFEST_2004.replace('identifierref="RES1"', 'identifierref="ORG1"')
    assert only(rules.item_references(m2004(xml)), "item@identifierref").is_error


def test_only_leaf_items_reference_resources_in_2004():
    child = '<item identifier="CHILD" identifierref="SHARED"><title>c</title></item>'
    xml = MANIFEST_2004.replace("<title>Lesson 1</title>", "<title>Lesson 1</title>" + child)
    problem = only(rules.leaf_items_only(m2004(xml)), "item@identifierref")
    assert "ITEM1" in problem.message
    assert rules.leaf_items_only(m12(MANIFEST_12.replace(
        "<title>Lesson 1</title>", '<title>Lesson 1</title><item identifier="C"><title>c</title></item>'))) == []


def test_launching_an_asset_is_a_warning():
    xml = MANIFEST_12.replace('adlcp:scormtype="sco"', 'adlcp:scormtype="asset"')
    problem = only(rules.launch_targets(m12(xml)), "item@identifierref")
    assert not problem.is_error and "asset" in problem.message and 'adlcp:scormtype="sco"' in problem.hint


def test_launching_a_resource_without_href_is_an_error():
    xml = MANIFEST_2004.replace('identifierref="RES1"', 'identifierref="SHARED"')
    problem = only(rules.launch_targets(m2004(xml)), "item@identifierref")
    assert problem.is_error and "no href" in problem.message


def test_2004_launch_target_reads_camel_case_scorm_type():
    xml = MANIFEST_2004.replace('adlcp:scormType="sco"', 'adlcp:scormType="asset"')
    assert not only(rules.launch_targets(m2004(xml)), "item@identifierref").is_error


def test_something_must_be_launchable():
    xml = MANIFEST_12.replace(' identifierref="RES1"', "")
    problem = only(rules.something_to_launch(m12(xml)), "organizations")
    assert "nothing to launch" in problem.message


def test_dependency_must_name_a_resource():
    xml = MANIFEST_2004.replace('<dependency identifierref="SHARED"/>', '<dependency identifierref="LIB"/>')
    problem = only(rules.dependency_references(m2004(xml)), "dependency@identifierref")
    assert "LIB" in problem.message and problem.line == line_of(xml, '"LIB"')


# ------------------------------------------------------------- files

@pytest.mark.parametrize("href", ["/index.html", "C:\\course\\index.html", "file:///C:/course/index.html",
                                  "../index.html", "sco/../../index.html", "%2e%2e/index.html"])
def test_absolute_and_escaping_hrefs_are_errors(href: str):
    xml = MANIFEST_12.replace('<file href="index.html"/>', f'<file href="{href}"/>')
    problem = only(rules.href_forms(m12(xml)), "file@href")
    assert problem.is_error and problem.line == line_of(xml, f'<file href="{href}"/>')
    assert "relative path" in problem.hint


def test_backslash_separator_in_href_is_a_warning():
    xml = MANIFEST_12.replace('<file href="css/style.css"/>', '<file href="css\\style.css"/>')
    assert not only(rules.href_forms(m12(xml)), "file@href").is_error


def test_missing_file_is_an_error_with_its_line():
    problem = only(rules.referenced_files_exist(m12(names=NAMES_12 - {"css/style.css"})), "file@href")
    assert problem.is_error and "css/style.css" in problem.message
    assert problem.line == line_of(MANIFEST_12, '<file href="css/style.css"/>')


def test_missing_launch_file_names_the_resource_href():
    problems = rules.referenced_files_exist(m2004(names=NAMES_2004 - {"sco1/index.html"}))
    assert {p.field for p in problems} == {"resource@href", "file@href"}


def test_href_query_fragment_and_escapes_are_ignored_when_looking_for_files():
    xml = MANIFEST_12.replace('href="index.html">', 'href="index.html?lesson=1#start">').replace(
        '<file href="css/style.css"/>', '<file href="css/my%20style.css"/>')
    assert rules.referenced_files_exist(m12(xml, NAMES_12 | {"css/my style.css"})) == []


def test_wrong_case_file_gets_a_case_hint():
    xml = MANIFEST_12.replace('<file href="css/style.css"/>', '<file href="CSS/Style.css"/>')
    problem = only(rules.referenced_files_exist(m12(xml)), "file@href")
    assert "case-sensitive" in problem.hint and "css/style.css" in problem.hint


def test_xml_base_is_applied_to_file_paths():
    xml = MANIFEST_2004.replace('<resource identifier="SHARED" type="webcontent"',
                                '<resource identifier="SHARED" xml:base="lib/" type="webcontent"')
    problem = only(rules.referenced_files_exist(m2004(xml)), "file@href")
    assert "lib/shared/api.js" in problem.message
    assert rules.referenced_files_exist(m2004(xml, NAMES_2004 | {"lib/shared/api.js"})) == []


def test_external_urls_are_not_looked_up():
    xml = MANIFEST_12.replace('<file href="css/style.css"/>', '<file href="https://cdn.example.com/x.css"/>')
    assert rules.referenced_files_exist(m12(xml)) == [] and rules.href_forms(m12(xml)) == []


def test_unlisted_files_are_warnings():
    problems = rules.unlisted_files(m12(names=NAMES_12 | {"old/draft.html", "__MACOSX/._index.html"}))
    assert {p.file for p in problems} == {"old/draft.html", "__MACOSX/._index.html"}
    assert all(not p.is_error for p in problems)


def test_unlisted_file_warnings_are_capped():
    names = NAMES_12 | {f"junk/{i}.txt" for i in range(30)}
    problems = rules.unlisted_files(m12(names=names))
    assert len(problems) == rules.MAX_UNLISTED_REPORTED + 1 and "10 more files" in problems[-1].message


# ------------------------------------------------------------- values

@pytest.mark.parametrize("score", ["101", "-1", "eighty", "", "80%"])
def test_mastery_score_must_be_a_number_from_0_to_100(score: str):
    xml = MANIFEST_12.replace("<adlcp:masteryscore>80<", f"<adlcp:masteryscore>{score}<")
    problem = only(rules.mastery_scores(m12(xml)), "adlcp:masteryscore")
    assert problem.line == line_of(xml, "<adlcp:masteryscore>")


@pytest.mark.parametrize("score", ["0", "100", "75.5", " 80 "])
def test_mastery_score_in_range_is_accepted(score: str):
    assert rules.mastery_scores(m12(MANIFEST_12.replace(">80<", f">{score}<"))) == []


@pytest.mark.parametrize(("value", "bad"), [("1.5", True), ("-1.01", True), ("x", True), ("-1", False), ("1", False)])
def test_min_normalized_measure_within_minus_one_and_one(value: str, bad: bool):
    xml = MANIFEST_2004.replace("<imsss:minNormalizedMeasure>0.8<", f"<imsss:minNormalizedMeasure>{value}<")
    assert len(rules.normalized_measures(m2004(xml))) == int(bad)


@pytest.mark.parametrize(("attribute", "value"), [("minProgressMeasure", "1.2"), ("progressWeight", "-0.1")])
def test_completion_threshold_attributes_within_zero_and_one(attribute: str, value: str):
    xml = MANIFEST_2004.replace('minProgressMeasure="0.8"', f'{attribute}="{value}"')
    only(rules.completion_thresholds(m2004(xml)), f"adlcp:completionThreshold@{attribute}")


def test_completion_threshold_text_within_zero_and_one():
    xml = MANIFEST_2004.replace('<adlcp:completionThreshold completedByMeasure="false" minProgressMeasure="0.8"/>',
                                "<adlcp:completionThreshold>2</adlcp:completionThreshold>")
    only(rules.completion_thresholds(m2004(xml)), "adlcp:completionThreshold")


# ------------------------------------------------------------- prefixes and scorm type

def test_other_prefix_for_adlcp_is_an_error_explaining_moodle():
    xml = MANIFEST_12.replace("xmlns:adlcp=", "xmlns:adl=").replace("adlcp:", "adl:")
    problems = rules.extension_prefixes(m12(xml))
    assert {p.field for p in problems} == {"adl:masteryscore", "adl:scormtype"}
    assert all(p.is_error and "Moodle" in p.message and "adlcp:" in p.hint for p in problems)


def test_other_prefix_for_imsss_is_an_error():
    xml = MANIFEST_2004.replace("xmlns:imsss=", "xmlns:ss=").replace("imsss:", "ss:")
    problems = rules.extension_prefixes(m2004(xml))
    assert problems and {p.field.split(":")[0] for p in problems} == {"ss"}


def test_extension_namespace_as_default_namespace_is_an_error():
    start = MANIFEST_2004.index("<adlnav:presentation>")
    end = MANIFEST_2004.index("</adlnav:presentation>") + len("</adlnav:presentation>")
    xml = MANIFEST_2004.replace(MANIFEST_2004[start:end],
                                '<presentation xmlns="http://www.adlnet.org/xsd/adlnav_v1p3"><navigationInterface/></presentation>')
    problems = rules.extension_prefixes(m2004(xml))
    assert {p.field for p in problems} == {"presentation", "navigationInterface"}


def test_prefixed_cp_elements_are_a_warning():
    xml = MANIFEST_12.replace('xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"',
                              'xmlns:cp="http://www.imsproject.org/xsd/imscp_rootv1p1p2"')
    xml = xml.replace("<", "<cp:").replace("<cp:/", "</cp:").replace("<cp:?", "<?").replace("<cp:adlcp:", "<adlcp:")
    xml = xml.replace("</cp:adlcp:", "</adlcp:")
    problem = only(rules.cp_prefixes(m12(xml)), "cp:manifest")
    assert not problem.is_error


def test_scorm_type_with_the_other_versions_spelling_is_an_error():
    camel = MANIFEST_12.replace('adlcp:scormtype="sco"', 'adlcp:scormType="sco"')
    lower = MANIFEST_2004.replace('adlcp:scormType="sco"', 'adlcp:scormtype="sco"')
    p12 = only(rules.scorm_type_spelling(m12(camel)), "adlcp:scormType")
    p2004 = only(rules.scorm_type_spelling(m2004(lower)), "adlcp:scormtype")
    assert "adlcp:scormtype" in p12.hint and "adlcp:scormType" in p2004.hint


def test_2004_webcontent_needs_scorm_type():
    xml = MANIFEST_2004.replace(' adlcp:scormType="asset"', "")
    problem = only(rules.webcontent_scorm_type(m2004(xml)), "resource@adlcp:scormType")
    assert "SHARED" in problem.message and problem.line == line_of(xml, '<resource identifier="SHARED"')


def test_2004_lowercase_scorm_type_passes_the_lax_schema_but_not_the_rules(tmp_path: Path):
    """The 4th Edition CP schema is lax about foreign attributes: only the rules catch this."""
    xml = MANIFEST_2004.replace('adlcp:scormType="sco"', 'adlcp:scormtype="sco"')
    report = validate_package(package_2004(tmp_path, xml))
    assert not [p for p in report.problems if p.message.startswith("schema:")]
    fields = {p.field for p in report.problems if p.is_error}
    assert {"adlcp:scormtype", "resource@adlcp:scormType"} <= fields


# ------------------------------------------------------------- end to end

def test_removed_file_and_broken_reference_end_to_end(tmp_path: Path):
    xml = MANIFEST_12.replace('identifierref="RES1"', 'identifierref="RES2"')
    report = validate_package(package_12(tmp_path, xml, drop=("css/style.css",)))
    assert report.exit_code == 1
    fields = {(p.field, p.line) for p in report.problems if p.is_error}
    assert ("item@identifierref", line_of(xml, 'identifierref="RES2"')) in fields
    assert ("file@href", line_of(xml, 'href="css/style.css"')) in fields


def test_warnings_alone_keep_the_package_valid(tmp_path: Path):
    report = validate_package(package_2004(tmp_path, extra={"notes.txt": "todo"}))
    assert report.ok and report.exit_code == 0
    assert [p.file for p in report.warnings] == ["notes.txt"]
