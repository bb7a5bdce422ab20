"""The cmi5 package: cmi5.xml from the completion rule, valid against the official
CourseStructure.xsd (read from ../shared/schemas, never copied into the project), and our
rule checker agreeing with that schema on good and broken course structures."""
from __future__ import annotations

import dataclasses
import re
from functools import cache
from pathlib import Path

import pytest
from lxml import etree
from support import EMPATHY

from scorm_builder.load import load_course
from scorm_builder.model import CompletionRule
from scorm_builder.standards import cmi5 as cmi5_standard
from scorm_builder.validate.cmi5 import check_cmi5_xml
from scorm_builder.xapi import iris_for
from scorm_builder.xapi.vocabulary import CMI5_NS

XSD = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "cmi5" / "CourseStructure.xsd"
NS = {"c": CMI5_NS}
CONTENT = {"index.html": b"<!doctype html><title>player</title>", "course.js": b"window.X = {};\n"}


@cache
def schema() -> etree.XMLSchema:
    assert XSD.is_file(), f"the official cmi5 schema is expected at {XSD} (shared/schemas, beside the repository)"
    return etree.XMLSchema(etree.parse(str(XSD)))


def xsd_errors(data: bytes) -> list:
    xsd = schema()
    ok = xsd.validate(etree.fromstring(data))
    return [] if ok else list(xsd.error_log)


def rule_errors(data: bytes, names: set[str] = frozenset({"index.html"})) -> list:
    return [p for p in check_cmi5_xml(data, set(names)) if p.is_error]


@pytest.fixture(scope="module")
def course():
    loaded, problems = load_course(EMPATHY)
    assert loaded is not None, problems
    return loaded


@pytest.fixture(scope="module")
def package(course) -> dict[str, bytes]:
    return cmi5_standard.files(course, dict(CONTENT))


@pytest.fixture(scope="module")
def built(package) -> str:
    return package["cmi5.xml"].decode("utf-8")


def test_the_schema_is_not_copied_into_the_project():
    root = Path(__file__).resolve().parents[1]
    # build/ (gitignored) holds unpacked third-party programs for the conformance tests: not the project
    copies = [p for p in root.rglob("*.xsd") if "node_modules" not in p.parts and p.relative_to(root).parts[0] != "build"
              and p.read_bytes() == XSD.read_bytes()]
    assert copies == []


def test_package_is_the_shared_files_plus_cmi5_xml(package):
    assert set(package) == set(CONTENT) | {"cmi5.xml"}
    assert all(package[name] == data for name, data in CONTENT.items())
    assert cmi5_standard.STANDARD.name == "cmi5" and cmi5_standard.STANDARD.title == "cmi5"


def test_built_cmi5_xml_is_valid_against_the_xsd_and_our_rules(built, package):
    assert xsd_errors(built.encode()) == []
    assert check_cmi5_xml(built.encode(), set(package)) == []


def test_course_structure_shape(course, built):
    iris = iris_for(course)
    root = etree.fromstring(built.encode())
    assert root.tag == f"{{{CMI5_NS}}}courseStructure"
    assert root.find("c:course", NS).get("id") == iris.course == "https://courses.example.org/xapi/empathy-crs"
    assert root.findtext("c:course/c:title/c:langstring", namespaces=NS) == course.title
    assert root.find("c:course/c:title/c:langstring", NS).get("lang") == "en"
    aus = root.findall(".//c:au", NS)
    assert len(aus) == 1
    au = aus[0]
    assert au.get("id") == iris.au
    assert au.get("moveOn") == "CompletedAndPassed"  # the empathy course's rule is 'both'
    assert au.get("masteryScore") == "0.8"
    assert au.get("launchMethod") == "AnyWindow"
    assert au.get("activityType") == "http://adlnet.gov/expapi/activities/course"
    assert au.findtext("c:url", namespaces=NS) == "index.html"
    assert "80%" in au.findtext("c:description/c:langstring", namespaces=NS)
    declared = [o.get("id") for o in root.findall("c:objectives/c:objective", NS)]
    assert declared == [iris.objective(o.id) for o in course.objectives]
    assert [o.get("idref") for o in au.findall("c:objectives/c:objective", NS)] == declared


@pytest.mark.parametrize(("rule", "move_on"), [
    (CompletionRule.ALL_PAGES, "Completed"), (CompletionRule.ASSESSMENT, "Passed"),
    (CompletionRule.BOTH, "CompletedAndPassed"),
])
def test_move_on_follows_the_completion_rule(course, rule, move_on):
    variant = dataclasses.replace(course, completion=dataclasses.replace(course.completion, rule=rule))
    data = cmi5_standard.cmi5_xml(variant).encode()
    au = etree.fromstring(data).find(".//c:au", NS)
    assert au.get("moveOn") == move_on
    assert au.get("masteryScore") == "0.8"
    assert xsd_errors(data) == [] and rule_errors(data) == []


@pytest.mark.parametrize(("percent", "text"), [(75, "0.75"), (100, "1"), (0, "0"), (85, "0.85"), (5, "0.05")])
def test_mastery_score_is_a_decimal_between_0_and_1(course, percent, text):
    variant = dataclasses.replace(course, completion=dataclasses.replace(course.completion, mastery_score=percent))
    data = cmi5_standard.cmi5_xml(variant).encode()
    assert etree.fromstring(data).find(".//c:au", NS).get("masteryScore") == text
    assert xsd_errors(data) == [] and rule_errors(data) == []


def test_without_a_final_assessment_there_is_nothing_to_pass(course):
    data = cmi5_standard.cmi5_xml(dataclasses.replace(course, final=None)).encode()
    au = etree.fromstring(data).find(".//c:au", NS)
    assert au.get("moveOn") == "Completed"
    assert au.get("masteryScore") is None
    assert xsd_errors(data) == [] and rule_errors(data) == []


def test_custom_base_and_markup_in_text_stay_valid(course):
    variant = dataclasses.replace(course, title='Empathy & "trust" <basics>', objectives=())
    data = cmi5_standard.cmi5_xml(variant, "https://training.example.gov/xapi").encode()
    root = etree.fromstring(data)
    assert root.find("c:course", NS).get("id") == "https://training.example.gov/xapi/empathy-crs"
    assert root.findtext("c:course/c:title/c:langstring", namespaces=NS) == 'Empathy & "trust" <basics>'
    assert root.find("c:objectives", NS) is None
    assert xsd_errors(data) == [] and rule_errors(data) == []


def test_no_secret_in_the_package(built):
    assert not re.search(r"(?i)auth=|endpoint=|fetch=|basic [a-z0-9+/=]{8,}|password|secret|token|api[_-]?key",
                         built)
    assert "?" not in etree.fromstring(built.encode()).findtext(".//c:url", namespaces=NS)


# --- the checker and the XSD agree ------------------------------------------------------

AU_OPEN = re.compile(r"<au [^>]*>")


def au_attr(xml: str, old: str, new: str) -> str:
    tag = AU_OPEN.search(xml).group(0)
    assert old in tag
    return xml.replace(tag, tag.replace(old, new), 1)


def drop(xml: str, pattern: str) -> str:
    changed, count = re.subn(pattern, "", xml, count=1, flags=re.DOTALL)
    assert count == 1, pattern
    return changed


def in_au(xml: str, change) -> str:
    start = xml.index("<au ")
    end = xml.index("</au>", start)
    return xml[:start] + change(xml[start:end]) + xml[end:]


BROKEN = {
    "wrong namespace": lambda x: x.replace(CMI5_NS, "https://w3id.org/xapi/profiles/cmi5/v2/CourseStructure.xsd"),
    "moveOn not in the vocabulary": lambda x: au_attr(x, 'moveOn="CompletedAndPassed"', 'moveOn="Complete"'),
    "moveOn with spaces": lambda x: au_attr(x, 'moveOn="CompletedAndPassed"', 'moveOn=" Passed"'),
    "moveOn in lower case": lambda x: au_attr(x, 'moveOn="CompletedAndPassed"', 'moveOn="passed"'),
    "masteryScore above 1": lambda x: au_attr(x, 'masteryScore="0.8"', 'masteryScore="1.5"'),
    "masteryScore negative": lambda x: au_attr(x, 'masteryScore="0.8"', 'masteryScore="-0.1"'),
    "masteryScore as percent": lambda x: au_attr(x, 'masteryScore="0.8"', 'masteryScore="80%"'),
    "launchMethod not in the vocabulary": lambda x: au_attr(x, 'launchMethod="AnyWindow"',
                                                            'launchMethod="NewWindow"'),
    "au without url": lambda x: drop(x, r"\s*<url>index.html</url>"),
    "empty url": lambda x: x.replace("<url>index.html</url>", "<url></url>"),
    "au without title": lambda x: in_au(x, lambda au: drop(au, r"\s*<title>.*?</title>")),
    "course without title": lambda x: drop(x, r"(?<=\">)\s*<title>.*?</title>"),
    "description without langstring": lambda x: drop(x, r"(?<=<description>)<langstring[^>]*>[^<]*</langstring>"),
    "url before description": lambda x: x.replace("<url>index.html</url>", "").replace(
        "    <objectives>\n      <objective idref", "    <url>index.html</url>\n    <objectives>\n      <objective idref"),
    "course without id": lambda x: re.sub(r'<course id="[^"]*">', "<course>", x, count=1),
    "au without id": lambda x: au_attr(x, ' id="', ' data-x="'),
    "no au at all": lambda x: drop(x, r"\s*<au .*?</au>"),
    "unknown cmi5 element in the au": lambda x: x.replace("<url>index.html</url>",
                                                          "<url>index.html</url><weight>2</weight>"),
    "unqualified element in the au": lambda x: x.replace("<url>index.html</url>",
                                                         '<url>index.html</url><note xmlns="">x</note>'),
    "unknown attribute on the au": lambda x: au_attr(x, 'launchMethod="AnyWindow"',
                                                     'launchMethod="AnyWindow" weight="2"'),
    "vendor element before url": lambda x: x.replace(
        "<url>index.html</url>", '<v:hint xmlns:v="https://vendor.example/x">x</v:hint><url>index.html</url>'),
    "two courses": lambda x: x.replace("</course>", "</course>\n" + re.search(
        r"<course .*?</course>", x, re.DOTALL).group(0), 1),
    "block without au": lambda x: x.replace("<au ", '<block id="https://example.org/b"><title><langstring>B'
                                                   "</langstring></title><description><langstring>B</langstring>"
                                                   "</description></block>\n  <au ", 1),
}


def test_every_broken_variant_changes_the_document(built):
    for name, change in BROKEN.items():
        assert change(built) != built, name


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_variants_are_rejected_by_the_xsd_and_by_our_rules(built, name):
    data = BROKEN[name](built).encode()
    from_xsd = xsd_errors(data)
    assert from_xsd, f"the XSD accepted: {name}"
    found = rule_errors(data)
    assert found, f"our rules accepted: {name}"
    assert all(p.file == "cmi5.xml" and p.line for p in found), found
    assert {p.line for p in found} & {e.line for e in from_xsd}, (found, from_xsd)  # the same place


GOOD_VARIANTS = {
    "vendor element at the end of the au": lambda x: x.replace(
        "<url>index.html</url>", '<url>index.html</url><v:hint xmlns:v="https://vendor.example/x">x</v:hint>'),
    "vendor attribute on the au": lambda x: au_attr(x, 'launchMethod="AnyWindow"',
                                                    'launchMethod="AnyWindow" xmlns:v="https://vendor.example/x" '
                                                    'v:weight="2"'),
    "au inside a block": lambda x: re.sub(r"(<au .*?</au>)", r'<block id="https://example.org/b"><title>'
                                          r"<langstring>B</langstring></title><description><langstring>B"
                                          r"</langstring></description>\1</block>", x, count=1, flags=re.DOTALL),
    "masteryScore 1.0": lambda x: au_attr(x, 'masteryScore="0.8"', 'masteryScore="1.0"'),
    "no moveOn, launchMethod or activityType (defaults)": lambda x: re.sub(
        r' (moveOn|launchMethod|activityType)="[^"]*"', "", x),
    "OwnWindow": lambda x: au_attr(x, 'launchMethod="AnyWindow"', 'launchMethod="OwnWindow"'),
    "absolute url": lambda x: x.replace("<url>index.html</url>", "<url>https://cdn.example.org/c/index.html</url>"),
    "launchParameters after url": lambda x: x.replace(
        "<url>index.html</url>", "<url>index.html</url><launchParameters>mode=final</launchParameters>"),
    "several langstrings": lambda x: x.replace('</langstring></title>',
                                               '</langstring><langstring lang="fr-CA">Titre</langstring></title>', 1),
    "comments anywhere": lambda x: x.replace("<url>", "<!-- c --><url>").replace("<au ", "<!-- c -->\n  <au "),
}


@pytest.mark.parametrize("name", list(GOOD_VARIANTS))
def test_good_variants_are_accepted_by_the_xsd_and_by_our_rules(built, name):
    data = GOOD_VARIANTS[name](built).encode()
    assert data != built.encode()
    assert xsd_errors(data) == []
    assert rule_errors(data) == []


# --- rules the XSD cannot express -------------------------------------------------------

@pytest.mark.parametrize(("name", "change", "field"), [
    ("duplicate id", lambda x: au_attr(x, 'id="https://courses.example.org/xapi/empathy-crs/au"',
                                       'id="https://courses.example.org/xapi/empathy-crs"'), "au@id"),
    ("id without a scheme", lambda x: au_attr(x, 'id="https://courses.example.org/xapi/empathy-crs/au"',
                                              'id="empathy-au"'), "au@id"),
    ("launch file missing", lambda x: x.replace("<url>index.html</url>", "<url>start.html</url>"), "au/url"),
    ("url of another scheme", lambda x: x.replace("<url>index.html</url>", "<url>javascript:alert(1)</url>"),
     "au/url"),
    ("dangling objective reference", lambda x: x.replace('idref="https://courses.example.org/xapi/empathy-crs/'
                                                         'objective/plan-self-care"',
                                                         'idref="https://example.org/elsewhere"'), "objective@idref"),
])
def test_rules_beyond_the_xsd(built, name, change, field):
    data = change(built).encode()
    assert data != built.encode()
    found = rule_errors(data)
    assert [p.field for p in found] == [field], found


def test_problems_point_at_the_line(built):
    data = au_attr(built, 'moveOn="CompletedAndPassed"', 'moveOn="Complete"').encode()
    line = next(n for n, text in enumerate(data.decode().splitlines(), 1) if "<au " in text)
    (problem,) = rule_errors(data)
    assert (problem.line, problem.field) == (line, "au@moveOn")
    assert "CompletedOrPassed" in problem.message


def test_unsafe_or_malformed_xml_is_refused_before_any_rule(built):
    bomb = built.replace("<courseStructure", '<!DOCTYPE courseStructure [<!ENTITY a "aaaa">]>\n<courseStructure', 1)
    assert [p.field for p in check_cmi5_xml(bomb.encode(), {"index.html"})] == ["DOCTYPE"]
    broken = check_cmi5_xml(built.replace("</au>", "</block>").encode(), {"index.html"})
    assert broken and all(p.field == "XML" and p.line for p in broken)


def test_more_than_four_decimals_is_a_warning(built):
    data = au_attr(built, 'masteryScore="0.8"', 'masteryScore="0.80005"').encode()
    found = check_cmi5_xml(data, {"index.html"})
    assert [(p.severity.value, p.field) for p in found] == [("warning", "au@masteryScore")]
    assert xsd_errors(data) == []
