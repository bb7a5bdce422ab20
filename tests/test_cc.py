"""`--target cc`: IMS Common Cartridge 1.1 with CC QTI quizzes, checked by our validator and,
independently, against the official schemas in ../shared/schemas/cc11 (XSD and the Schematron
rules embedded in the QTI profile), plus the mapping of every question type."""
from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree, isoschematron
from support import EMPATHY, MINI, ROOT, edit, write_course

from scorm_builder.build import build
from scorm_builder.load import load_course
from scorm_builder.model import QuestionType
from scorm_builder.standards import cc
from scorm_builder.validate import validate_directory, validate_package

SHARED = ROOT.parent / "shared" / "schemas" / "cc11"
CP = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
SVRL = "http://purl.oclc.org/dsdl/svrl"
NS = {"cp": CP, "q": QTI}
BROWSER_COURSE = ROOT / "tests" / "browser" / "course"


def shared_schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SHARED / name)))


@pytest.fixture(scope="module")
def independent():
    """The official files from ../shared (not the project's copies): XSDs and the QTI Schematron."""
    qti_xsd = SHARED / "ccv1p1_qtiasiv1p2p1_v1p0.xsd"
    return (shared_schema("ccv1p1_imscp_v1p2_v1p0.xsd"), shared_schema(qti_xsd.name),
            isoschematron.Schematron(etree.parse(str(qti_xsd)), store_report=True, validate_schema=False))


def build_cc(course: Path, out: Path) -> tuple[Path, list]:
    result = build(course, ["cc"], out)
    assert result.ok, "\n".join(p.format() for p in result.problems)
    (package,) = result.packages
    return package, result.problems


def read_cartridge(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def independent_problems(files: dict[str, bytes], independent) -> list[str]:
    manifest_xsd, qti_xsd, rules = independent
    manifest = etree.fromstring(files["imsmanifest.xml"])
    found = [f"imsmanifest.xml: {e.message}" for e in manifest_xsd.error_log] if not manifest_xsd.validate(manifest) else []
    for resource in manifest.iterfind(".//cp:resource", NS):
        for file in resource.iterfind("cp:file", NS):
            assert file.get("href") in files, f"<file> {file.get('href')} is not in the cartridge"
        if resource.get("type").startswith("imsqti_xmlv1p2/"):
            qti = etree.fromstring(files[resource.find("cp:file", NS).get("href")])
            if not qti_xsd.validate(qti):
                found += [f"{resource.get('identifier')}: {e.message}" for e in qti_xsd.error_log]
            if not rules.validate(qti):
                found += [" ".join("".join(f.itertext()).split())
                          for f in rules.validation_report.iter(f"{{{SVRL}}}failed-assert")]
    return found


@pytest.mark.parametrize("course", [EMPATHY, MINI, BROWSER_COURSE], ids=["empathy", "mini", "browser-course"])
def test_cartridge_passes_our_validator_and_the_official_schemas(course: Path, tmp_path: Path, independent):
    package, _ = build_cc(course, tmp_path)
    assert package.name.endswith("-cc.imscc")
    report = validate_package(package)
    assert report.ok and report.standard == "cc" and report.edition == "IMS Common Cartridge 1.1", report.format_text()
    files = read_cartridge(package)
    assert independent_problems(files, independent) == []
    loaded, _ = load_course(course)
    manifest = etree.fromstring(files["imsmanifest.xml"])
    quizzes = manifest.findall(".//cp:resource[@type='imsqti_xmlv1p2/imscc_xmlv1p1/assessment']", NS)
    assert len(quizzes) == len(loaded.assessments)  # one native quiz per knowledge check plus the final
    for assessment in loaded.assessments:
        qti = etree.fromstring(files[f"assessments/{assessment.id}/assessment.xml"])
        idents = [i.get("ident") for i in qti.iterfind(".//q:item", NS)]
        expected = [i.ident for q in assessment.questions for i in cc.items_for(q, assessment.id)[0]]
        assert idents == expected  # every question present, in order


def test_the_organisation_follows_the_course(tmp_path: Path):
    package, _ = build_cc(EMPATHY, tmp_path)
    files = read_cartridge(package)
    course, _ = load_course(EMPATHY)
    manifest = etree.fromstring(files["imsmanifest.xml"])
    (org,) = manifest.iterfind(".//cp:organization", NS)
    assert org.get("structure") == "rooted-hierarchy"
    folders = [f.findtext("cp:title", namespaces=NS) for f in org.find("cp:item", NS).iterfind("cp:item", NS)]
    assert folders == ["About this course", *(lesson.title for lesson in course.lessons), course.final.title]
    first_lesson = org.find("cp:item", NS).findall("cp:item", NS)[1]
    titles = [i.findtext("cp:title", namespaces=NS) for i in first_lesson.iterfind("cp:item", NS)]
    assert titles == [p.title for p in course.lessons[0].pages] + [course.lessons[0].check.title]
    assert b"cc.exam.v0p1" in files["assessments/final/assessment.xml"]
    rule = course.completion.describe(True)
    assert rule.encode() in files["imsmanifest.xml"]  # the metadata says the rule in plain words
    assert rule.encode() in files["wiki_content/about-completion.html"]
    assert b"80%" in files["wiki_content/about-completion.html"]
    assert files["completion.txt"].decode().count(rule) == 1


def test_pages_are_plain_accessible_html_with_course_styles_and_media(tmp_path: Path):
    package, _ = build_cc(MINI, tmp_path)
    files = read_cartridge(package)
    pages = {n: v.decode() for n, v in files.items() if n.startswith("wiki_content/")}
    assert pages and not any("<script" in text for text in pages.values())
    for name, text in pages.items():
        assert '<html lang="en">' in text and "<h1>" in text and "<title>" in text, name
        assert 'href="../styles/course.css"' in text
    images = [m for text in pages.values() for m in re.findall(r'src="([^"]+)"', text)]
    assert images and all(src.startswith("../content/") and src[3:] in files for src in images)


def test_final_assessment_carries_attempts_points_and_feedback(tmp_path: Path):
    package, _ = build_cc(EMPATHY, tmp_path)
    qti = etree.fromstring(read_cartridge(package)["assessments/final/assessment.xml"])
    meta = {f.findtext("q:fieldlabel", namespaces=NS): f.findtext("q:fieldentry", namespaces=NS)
            for f in qti.find("q:assessment/q:qtimetadata", NS)}
    assert meta["cc_maxattempts"] == "3" and meta["cc_profile"] == "cc.exam.v0p1"
    item = qti.find(".//q:item", NS)
    assert item.find(".//q:setvar", NS).text == "100"
    assert item.find(".//q:itemfeedback", NS) is not None
    weights = {f.getparent().findtext("q:fieldentry", namespaces=NS)
               for f in qti.iterfind(".//q:fieldlabel", NS) if f.text == "cc_weighting"}
    assert weights and all(1 <= int(w) <= 99 for w in weights)


def test_build_reports_each_changed_question_with_its_location(tmp_path: Path):
    _, problems = build_cc(MINI, tmp_path)
    notes = {p.field: p for p in problems if "Common Cartridge" in p.message}
    course, _ = load_course(MINI)
    by_type = {q.type: q for a in course.assessments for q in a.questions}
    for kind in (QuestionType.MATCHING, QuestionType.ORDERING):
        q = by_type[kind]
        note = notes[f"question {q.id}"]
        file, line = q.source.rsplit(":", 1)
        assert (note.file, note.line) == (file, int(line))
        assert (MINI.parent / file).read_text().splitlines()[int(line) - 1].strip().startswith("- id:")
    pool = next(p for p in problems if p.field.startswith("pool "))
    assert "draws 1 of 2" in pool.message and "question bank" in pool.message


# ---------------------------------------------------------------- the mapping, type by type

@pytest.mark.parametrize("kind, profiles", [
    (QuestionType.SINGLE_CHOICE, {cc.MULTIPLE_CHOICE}),
    (QuestionType.MULTIPLE_RESPONSE, {cc.MULTIPLE_RESPONSE}),
    (QuestionType.TRUE_FALSE, {cc.TRUE_FALSE}),
    (QuestionType.FILL_IN, {cc.FILL_IN}),
    (QuestionType.REFLECTION, {cc.ESSAY}),
    (QuestionType.MATCHING, {cc.MULTIPLE_CHOICE}),
    (QuestionType.ORDERING, {cc.MULTIPLE_CHOICE}),
])
def test_every_question_type_maps_to_a_cc_item_type(kind, profiles, tmp_path: Path, independent):
    course_dir = write_course(tmp_path / "c", lessons=1, pages=1, questions=14)
    course, problems = load_course(course_dir)
    questions = [q for a in course.assessments for q in a.questions if q.type is kind]
    if kind is QuestionType.REFLECTION:
        mini, _ = load_course(MINI)
        questions = [q for a in mini.assessments for q in a.questions if q.type is kind]
    assert questions
    for q in questions:
        items, note = cc.items_for(q, "x")
        assert {i.profile for i in items} == profiles
        if kind is QuestionType.MATCHING:
            assert len(items) == len(q.pairs) and note
            right = [next(c.html for c in item.choices if c.correct) for item in items]
            assert right == [pair.match_html for pair in q.pairs]
            assert all(item.shuffle for item in items)
        elif kind is QuestionType.ORDERING:
            assert len(items) == len(q.items) - 1 and note
            right = [next(c.html for c in item.choices if c.correct) for item in items]
            assert right == [it.html for it in q.items[:-1]]
            shown = [[c.html for c in item.choices].index(right[k]) for k, item in enumerate(items)]
            assert shown != list(range(len(items))), "the shown order does not give the answers away"
        else:
            assert len(items) == 1 and not note
    package, _ = build_cc(course_dir, tmp_path / "out")
    assert independent_problems(read_cartridge(package), independent) == []


def test_a_two_option_single_choice_uses_the_true_false_structure(tmp_path: Path, independent):
    course_dir = write_course(tmp_path / "c", lessons=1, pages=1, questions=14)
    for path in (course_dir / "assessments").glob("*.yaml"):
        path.write_text(path.read_text().replace("      - {text: Also wrong, feedback: 'No.'}\n", ""))
    course, problems = load_course(course_dir)
    assert course is not None, [p.format() for p in problems]
    q = next(q for a in course.assessments for q in a.questions if q.type is QuestionType.SINGLE_CHOICE)
    assert len(q.options) == 2
    (item,), note = cc.items_for(q, "x")
    assert item.profile == cc.TRUE_FALSE and "true/false structure" in note
    package, _ = build_cc(course_dir, tmp_path / "out")
    assert independent_problems(read_cartridge(package), independent) == []


def test_weights_are_whole_numbers_sharing_split_questions_fairly(tmp_path: Path):
    course, _ = load_course(EMPATHY)
    items, _ = cc.quiz_items(course.final, "final")
    by_question: dict[str, int] = {}
    for item in items:
        if item.weighting:
            by_question[item.title.split(" (")[0]] = by_question.get(item.title.split(" (")[0], 0) + item.weighting
    weights = {q.id: q.weight for q in course.final.questions if q.graded}
    ratios = {by_question[qid] / w for qid, w in weights.items()}
    assert len(ratios) == 1  # every question keeps its share of the score


def test_more_attempts_than_a_cartridge_can_state_are_left_to_the_lms(tmp_path: Path):
    course_dir = tmp_path / "c"
    shutil.copytree(MINI, course_dir)
    edit(course_dir / "course.yaml", "attempts: ", "attempts: 7 #")
    package, problems = build_cc(course_dir, tmp_path / "out")
    qti = read_cartridge(package)["assessments/final/assessment.xml"]
    assert b"cc_maxattempts" not in qti
    assert any(p.field == "completion.attempts" and "7 attempts" in p.message for p in problems)


# ---------------------------------------------------------------- the validator's CC rules

def extracted(tmp_path: Path) -> Path:
    package, _ = build_cc(MINI, tmp_path / "out")
    folder = tmp_path / "cartridge"
    with zipfile.ZipFile(package) as zf:
        zf.extractall(folder)
    return folder


def _first_qti(folder: Path) -> Path:
    return folder / "assessments" / "final" / "assessment.xml"


def _replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, count))


BREAKAGES = [
    ("a listed file is missing",
     lambda f: (f / "styles" / "course.css").unlink(), "'styles/course.css' is not in the cartridge"),
    ("an item names no resource",
     lambda f: _replace(f / "imsmanifest.xml", 'identifierref="res-', 'identifierref="nothing-'), "names no <resource>"),
    ("a QTI ident is used twice",
     lambda f: _replace(_first_qti(f), '<item ident="final-fq', '<item ident="check-first-c', 1)
     if '<item ident="final-fq' in _first_qti(f).read_text() else _dup_item(f), "is already used"),
    ("a varequal names no label",
     lambda f: _replace(_first_qti(f), '<varequal respident="response1">true</varequal>',
                        '<varequal respident="response1">maybe</varequal>'), "not a response_label"),
    ("a profile rule is broken (Schematron)",
     lambda f: _replace(_first_qti(f), "<fieldentry>2</fieldentry>", "<fieldentry>7</fieldentry>"), "RULE 1i"),
    ("the QTI file breaks its schema",
     lambda f: _replace(_first_qti(f), "<presentation>", "<presentation><bogus/>"), "schema:"),
    ("a QTI file declares entities (XXE)",
     lambda f: _replace(_first_qti(f), '<?xml version="1.0" encoding="UTF-8"?>',
                        '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]>'),
     "DOCTYPE"),
    ("a listed QTI file is not QTI",
     lambda f: _first_qti(f).write_text('<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>'),
     "not a QTI 1.2 file"),
    ("a file is in no resource",
     lambda f: (f / "stray.txt").write_text("x"), "in no <resource>"),
]


def _dup_item(folder: Path) -> None:
    qti = _first_qti(folder)
    text = qti.read_text()
    first, second = re.findall(r'<item ident="([^"]+)"', text)[:2]
    qti.write_text(text.replace(f'<item ident="{second}"', f'<item ident="{first}"', 1))


@pytest.mark.parametrize("what, breakage, expected", BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_validator_finds_each_kind_of_broken_cartridge(what, breakage, expected, tmp_path: Path):
    folder = extracted(tmp_path)
    assert validate_directory(folder).ok
    breakage(folder)
    report = validate_directory(folder)
    texts = [p.format() for p in report.problems]
    assert any(expected in t for t in texts), texts
    if "no <resource>" not in expected:
        assert not report.ok


def test_validator_reads_cartridge_zips_not_only_folders(tmp_path: Path):
    folder = extracted(tmp_path)
    _replace(_first_qti(folder), "<fieldentry>2</fieldentry>", "<fieldentry>9</fieldentry>")
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
    broken = tmp_path / "broken.imscc"
    broken.write_bytes(data.getvalue())
    report = validate_package(broken)
    assert not report.ok and any("RULE 1i" in p.message for p in report.problems)
