"""xAPI on the Python side: activity IRIs, interaction definitions in the spec's exact
formats, the activities listing, and the Tin Can package with its tincan.xml checker."""
from __future__ import annotations

import dataclasses
import json
import re

import pytest
from lxml import etree
from support import EMPATHY
from tincan import ActivityDefinition

from scorm_builder.load import load_course
from scorm_builder.model import Question, QuestionType
from scorm_builder.standards import xapi as xapi_standard
from scorm_builder.validate.tincan import check_tincan_xml
from scorm_builder.xapi import (
    DEFAULT_BASE,
    ActivityIris,
    activities,
    activity_definitions,
    base_problem,
    format_activities,
    list_activities,
    question_definition,
    xapi_data,
)
from scorm_builder.xapi.vocabulary import INTERACTION_TYPES, TINCAN_NS

TC = {"tc": TINCAN_NS}
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
CONTENT = {"index.html": b"<!doctype html><title>player</title>", "course.js": b"window.X = {};\n",
           "completion.txt": b"Completion rule\n"}


@pytest.fixture(scope="module")
def course():
    loaded, problems = load_course(EMPATHY)
    assert loaded is not None, problems
    return loaded


@pytest.fixture(scope="module")
def definitions(course) -> dict[str, dict]:
    return activity_definitions(course)


def question(definitions: dict[str, dict], qid: str) -> dict:
    return definitions[f"{DEFAULT_BASE}empathy-crs/question/{qid}"]


# --- IRIs -------------------------------------------------------------------------------

def test_iris_are_stable_across_loads_and_unique(course):
    again, _ = load_course(EMPATHY)
    first = [a.id for a in activities(course)]
    assert first == [a.id for a in activities(again)]
    assert len(first) == len(set(first))
    kinds = {a.kind for a in activities(course)}
    assert kinds == {"course", "objective", "lesson", "page", "assessment", "question"}
    questions = sum(len(a.questions) for a in course.assessments)
    assert len(first) == 1 + len(course.objectives) + len(course.lessons) + len(course.pages) + len(
        course.assessments) + questions


def test_iri_forms_under_the_default_base(course):
    iris = ActivityIris(course.id)
    assert iris.course == "https://courses.example.org/xapi/empathy-crs"
    assert iris.lesson("why-empathy") == "https://courses.example.org/xapi/empathy-crs/lesson/why-empathy"
    assert iris.page("why-empathy-p1") == "https://courses.example.org/xapi/empathy-crs/page/why-empathy-p1"
    assert iris.assessment("final") == "https://courses.example.org/xapi/empathy-crs/assessment/final"
    assert iris.question("q-trust-order") == "https://courses.example.org/xapi/empathy-crs/question/q-trust-order"
    assert iris.objective("plan-self-care") == "https://courses.example.org/xapi/empathy-crs/objective/plan-self-care"
    assert iris.au == "https://courses.example.org/xapi/empathy-crs/au"


def test_iris_differ_between_courses_and_kinds():
    one, two = ActivityIris("course-one"), ActivityIris("course-two")
    assert one.question("q1") != two.question("q1")
    assert len({one.lesson("x"), one.page("x"), one.assessment("x"), one.question("x"), one.objective("x")}) == 5


def test_base_is_normalised_and_segments_are_encoded():
    iris = ActivityIris("a b/c?d", "https://training.example.gov/lrs/ids")
    assert iris.base == "https://training.example.gov/lrs/ids/"
    assert iris.course == "https://training.example.gov/lrs/ids/a%20b%2Fc%3Fd"
    assert iris.question("x#y") == "https://training.example.gov/lrs/ids/a%20b%2Fc%3Fd/question/x%23y"


@pytest.mark.parametrize("base", ["", "courses.example.org/xapi/", "ftp://example.org/x/", "https:///x/",
                                  "https://example.org/x/?q=1", "https://example.org/x/#f",
                                  "https://user:pw@example.org/x/", "https://example.org/x y/"])
def test_unusable_bases_are_refused(base):
    assert base_problem(base)
    with pytest.raises(ValueError):
        ActivityIris("c", base)


def test_custom_base_reaches_every_activity(course):
    base = "https://training.example.gov/xapi/"
    assert all(a.id.startswith(base + "empathy-crs") for a in activities(course, base))


# --- definitions ------------------------------------------------------------------------

def test_single_choice_is_choice_with_one_id(definitions):
    d = question(definitions, "kc-empathy-response")
    assert d["type"] == INTERACTION
    assert d["interactionType"] == "choice"
    assert d["correctResponsesPattern"] == ["b"]
    assert [c["id"] for c in d["choices"]] == ["a", "b", "c"]
    assert d["choices"][1]["description"]["en"].startswith('"It sounds like you\'re hurt')


def test_multiple_response_joins_correct_ids(definitions):
    d = question(definitions, "q-pitfall-effects")
    assert d["interactionType"] == "choice"
    assert d["correctResponsesPattern"] == ["a[,]b[,]c"]
    assert [c["id"] for c in d["choices"]] == ["a", "b", "c", "d", "e"]


def test_true_false_pattern(definitions):
    d = question(definitions, "q-empathy-not-pity")
    assert d["interactionType"] == "true-false"
    assert d["correctResponsesPattern"] == ["false"]
    assert not {"choices", "source", "target"} & d.keys()


def test_matching_pairs_source_and_target(definitions):
    d = question(definitions, "q-pitfall-match")
    assert d["interactionType"] == "matching"
    assert d["correctResponsesPattern"] == ["1[.]a[,]2[.]b[,]3[.]c[,]4[.]d"]
    assert [c["id"] for c in d["source"]] == ["1", "2", "3", "4"]
    assert [c["id"] for c in d["target"]] == ["a", "b", "c", "d"]
    assert d["target"][0]["description"] == {"en": "A power imbalance"}
    assert "choices" not in d


def test_ordering_is_sequencing_in_correct_order(definitions):
    d = question(definitions, "q-trust-order")
    assert d["interactionType"] == "sequencing"
    assert d["correctResponsesPattern"] == ["a[,]b[,]c[,]d"]
    assert d["choices"][0]["description"]["en"].startswith("The participant feels safe")


def test_fill_in_lists_each_accepted_answer(definitions, course):
    d = question(definitions, "q-reflective-fill")
    assert d["interactionType"] == "fill-in"
    assert d["correctResponsesPattern"] == ["reflective", "reflection", "reflecting", "reflective listening",
                                            "reflective statement", "a reflective statement"]
    assert not any(p.startswith("{") for p in d["correctResponsesPattern"])


def test_case_sensitive_fill_in_says_so():
    q = Question(id="capital", type=QuestionType.FILL_IN, prompt_html="<p>Capital of <em>France</em>?</p>",
                 objective=None, weight=1, accepted=("Paris", "PARIS"), case_sensitive=True)
    d = question_definition(q, "fr").as_version()
    assert d["correctResponsesPattern"] == ["{case_matters=true}Paris", "{case_matters=true}PARIS"]
    assert d["description"] == {"fr": "Capital of France?"}


def test_reflection_is_long_fill_in_without_pattern(definitions):
    d = question(definitions, "kc-felt-heard")
    assert d["interactionType"] == "long-fill-in"
    assert "correctResponsesPattern" not in d
    assert not {"choices", "source", "target", "steps"} & d.keys()


def test_every_question_definition_is_complete(course, definitions):
    expected = {"single-choice": "choice", "multiple-response": "choice", "true-false": "true-false",
                "matching": "matching", "ordering": "sequencing", "fill-in": "fill-in",
                "reflection": "long-fill-in"}
    seen = set()
    for assessment in course.assessments:
        for q in assessment.questions:
            d = question(definitions, q.id)
            seen.add(q.type.value)
            assert d["interactionType"] == expected[q.type.value] and d["interactionType"] in INTERACTION_TYPES
            for key in ("choices", "source", "target"):
                ids = [c["id"] for c in d.get(key, [])]
                assert len(ids) == len(set(ids)) and not any(re.search(r"\s", i) for i in ids), (q.id, key)
    assert seen == set(expected)  # the empathy course uses every question type


def test_language_maps_hold_plain_text_in_the_course_language(definitions):
    texts = []
    for d in definitions.values():
        for key in ("name", "description"):
            if key in d:
                assert list(d[key]) == ["en"]
                texts.append(d[key]["en"])
        for key in ("choices", "source", "target"):
            texts += [c["description"]["en"] for c in d.get(key, [])]
    assert texts and all(t.strip() for t in texts)
    markup = [t for t in texts if re.search(r"<[a-zA-Z/]|&(amp|lt|gt|quot|#\d+);|\*\*", t)]
    assert markup == []


def test_definitions_round_trip_through_tincan(definitions):
    for iri, d in definitions.items():
        assert ActivityDefinition.from_json(json.dumps(d)).as_version() == d, iri


def test_listing_has_every_activity_with_its_definition(course, definitions):
    rows = list_activities(course)
    assert [r["id"] for r in rows] == list(definitions)
    assert rows[0]["kind"] == "course" and rows[0]["parent"] is None
    by_ref = {(r["kind"], r["ref"]): r for r in rows}
    assert by_ref[("question", "q-trust-order")]["parent"].endswith("/assessment/final")
    assert by_ref[("question", "kc-felt-heard")]["parent"].endswith("/assessment/check-why-empathy")
    assert by_ref[("assessment", "check-why-empathy")]["parent"].endswith("/lesson/why-empathy")
    assert by_ref[("page", "wrap-up-p1")]["parent"].endswith("/lesson/wrap-up")
    json.dumps(rows)  # --json prints it as is
    text = format_activities(rows)
    for iri in definitions:
        assert f" {iri}\n" in text
    assert 'correctResponsesPattern: "1[.]a[,]2[.]b[,]3[.]c[,]4[.]d"' in text
    assert "interactionType: long-fill-in" in text


def test_player_data_maps_source_ids_to_iris(course):
    data = xapi_data(course)
    assert data["course"] == "https://courses.example.org/xapi/empathy-crs"
    assert data["version"] == "1.0.3"
    assert set(data["questions"]) == {q.id for a in course.assessments for q in a.questions}
    assert set(data["pages"]) == {p.id for p in course.pages}
    assert data["parents"][data["questions"]["q-trust-order"]] == data["assessments"]["final"]
    assert data["verbs"]["answered"] == "http://adlnet.gov/expapi/verbs/answered"
    assert data["verbs"]["abandoned"] == "https://w3id.org/xapi/adl/verbs/abandoned"
    assert set(data["definitions"]) == set(activity_definitions(course))
    json.dumps(data)


# --- the Tin Can package ----------------------------------------------------------------

@pytest.fixture(scope="module")
def tincan_package(course) -> dict[str, bytes]:
    return xapi_standard.files(course, dict(CONTENT))


def test_package_is_the_shared_files_plus_tincan_xml(tincan_package):
    assert set(tincan_package) == set(CONTENT) | {"tincan.xml"}
    assert all(tincan_package[name] == data for name, data in CONTENT.items())
    assert xapi_standard.STANDARD.name == "xapi" and xapi_standard.STANDARD.title == "xAPI (Tin Can)"


def test_tincan_xml_shape(course, tincan_package):
    root = etree.fromstring(tincan_package["tincan.xml"])
    assert root.tag == f"{{{TINCAN_NS}}}tincan"
    listed = root.findall("tc:activities/tc:activity", TC)
    assert [a.get("id") for a in listed] == [a.id for a in activities(course)]
    first = listed[0]
    assert first.get("type") == "http://adlnet.gov/expapi/activities/course"
    assert first.findtext("tc:name", namespaces=TC) == course.title
    launch = first.find("tc:launch", TC)
    assert launch.text == "index.html" and launch.get("lang") == "en"
    assert root.findall(".//tc:launch", TC) == [launch]  # only the root activity launches
    assert all(a.find("tc:name", TC).get("lang") == "en" for a in listed)
    question_el = next(a for a in listed if a.get("id").endswith("/question/q-pitfall-match"))
    assert question_el.get("type") == INTERACTION
    assert question_el.findtext("tc:name", namespaces=TC) == "Match each situation to what it shows."


def test_built_tincan_xml_passes_the_checker(tincan_package):
    assert check_tincan_xml(tincan_package["tincan.xml"], set(tincan_package)) == []


SECRET = re.compile(r"(?i)auth=|endpoint=|fetch=|basic [a-z0-9+/=]{8,}|password|secret|token|api[_-]?key")


def test_no_secret_in_the_package(tincan_package):
    text = tincan_package["tincan.xml"].decode()
    assert not SECRET.search(text)
    launch = etree.fromstring(tincan_package["tincan.xml"]).find(".//tc:launch", TC).text
    assert launch == "index.html"  # launch parameters come from the LMS at launch time


# --- the tincan.xml checker -------------------------------------------------------------

GOOD = f"""<?xml version="1.0" encoding="utf-8"?>
<tincan xmlns="{TINCAN_NS}">
  <activities>
    <activity id="https://example.org/c" type="http://adlnet.gov/expapi/activities/course">
      <name lang="en">Course</name>
      <launch lang="en">index.html</launch>
    </activity>
    <activity id="https://example.org/c/q1" type="http://adlnet.gov/expapi/activities/cmi.interaction">
      <name lang="en">Question</name>
    </activity>
  </activities>
</tincan>
"""


def errors(problems) -> list:
    return [p for p in problems if p.is_error]


def test_checker_accepts_a_good_file():
    assert check_tincan_xml(GOOD.encode(), {"index.html"}) == []
    with_query = GOOD.replace(">index.html<", ">./index.html?mode=x#top<")
    assert check_tincan_xml(with_query.encode(), {"index.html"}) == []
    absolute = GOOD.replace(">index.html<", ">https://cdn.example.org/c/index.html<")
    assert check_tincan_xml(absolute.encode(), set()) == []


@pytest.mark.parametrize(("name", "old", "new", "field", "line"), [
    ("not well-formed", "</activities>", "</activity>", "XML", None),
    ("wrong namespace", f'xmlns="{TINCAN_NS}"', 'xmlns="http://example.org/tincan"', "tincan", 2),
    ("no namespace", f' xmlns="{TINCAN_NS}"', "", "tincan", 2),
    ("no launch", '      <launch lang="en">index.html</launch>\n', "", "activity/launch", 4),
    ("two launches", '<name lang="en">Question</name>',
     '<name lang="en">Question</name><launch>q.html</launch>', "activity/launch", 9),
    ("launch file missing", ">index.html<", ">start.html<", "activity/launch", 6),
    ("empty launch", ">index.html<", "> <", "activity/launch", 6),
    ("duplicate id", 'id="https://example.org/c/q1"', 'id="https://example.org/c"', "activity@id", 8),
    ("id not an IRI", 'id="https://example.org/c/q1"', 'id="q1"', "activity@id", 8),
    ("no id", ' id="https://example.org/c/q1"', "", "activity@id", 8),
    ("type not an IRI", 'type="http://adlnet.gov/expapi/activities/course"', 'type="course"', "activity@type", 4),
    ("no activities", "<activities>", "<list>", "activities", 2),
])
def test_checker_catches_broken_variants(name, old, new, field, line):
    assert old in GOOD
    broken = GOOD.replace(old, new, 1) if name != "no activities" else GOOD.replace("activities>", "list>")
    found = errors(check_tincan_xml(broken.encode(), {"index.html"}))
    assert found, name
    assert found[0].field == field and found[0].file == "tincan.xml"
    if line is not None:
        assert found[0].line == line, found


def test_checker_refuses_doctype_and_entities():
    bomb = GOOD.replace('<tincan', '<!DOCTYPE tincan [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n<tincan', 1)
    bomb = bomb.replace(">Course<", ">&b;<")
    found = check_tincan_xml(bomb.encode(), {"index.html"})
    assert [p.field for p in found] == ["DOCTYPE"]
    xxe = GOOD.replace('<tincan', '<!DOCTYPE tincan [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<tincan', 1)
    assert [p.field for p in check_tincan_xml(xxe.replace(">Course<", ">&x;<").encode(), set())] == ["DOCTYPE"]


def test_checker_warns_about_a_nameless_activity():
    found = check_tincan_xml(GOOD.replace('<name lang="en">Question</name>', "").encode(), {"index.html"})
    assert [(p.severity.value, p.field) for p in found] == [("warning", "activity/name")]


def test_a_course_without_final_still_has_one_launch(course):
    no_final = dataclasses.replace(course, final=None)
    data = xapi_standard.tincan_xml(no_final).encode()
    assert check_tincan_xml(data, {"index.html"}) == []
    assert b"/assessment/final" not in data


@pytest.mark.parametrize("name", ["xapi", "cmi5"])
def test_real_shared_files_make_valid_packages_with_the_xml_at_the_root(course, name):
    import io
    import zipfile

    from scorm_builder.package import zip_bytes
    from scorm_builder.render.content import shared_files
    from scorm_builder.standards import cmi5 as cmi5_standard
    from scorm_builder.validate.cmi5 import check_cmi5_xml

    standard, xml, check = {"xapi": (xapi_standard.STANDARD, "tincan.xml", check_tincan_xml),
                            "cmi5": (cmi5_standard.STANDARD, "cmi5.xml", check_cmi5_xml)}[name]
    shared = shared_files(course, name)
    files = standard.files(course, shared)
    assert set(files) - set(shared) == {xml}
    assert all(files[path] == data for path, data in shared.items())
    names = set(zipfile.ZipFile(io.BytesIO(zip_bytes(files))).namelist())
    assert xml in names and "index.html" in names
    assert check(files[xml], names) == []
