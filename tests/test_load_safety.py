"""The course loader with hostile or careless input (issue 9, item 4), one table per kind of fault:
YAML work limits, paths that leave the course folder, unsafe versions, non-finite or out-of-range
numbers. Each row gives a located error (file:line: field: what (hint)) in bounded CPU and memory,
never a traceback, and builds nothing."""
from __future__ import annotations

import os
import resource
import time
import tracemalloc
from pathlib import Path

import pytest
from support import MINI, edit, line_of

from scorm_builder.build import build
from scorm_builder.load import load_course

ALIAS_BOMB = "\n".join(
    ["  - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"  - &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 10)])
TEXT_BOMB = "  - &t0 '" + "x" * 100_000 + "'\n" + "\n".join(
    f"  - &t{n} [" + ", ".join([f"*t{n - 1}"] * 9) + "]" for n in range(1, 4))


def load_within_bounds(course: Path):
    """load_course(course), asserting < 2 s CPU and < 200 MB allocated on the way."""
    tracemalloc.start()
    cpu = time.process_time()
    try:
        result = load_course(course)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.process_time() - cpu < 2.0
    assert peak < 200 * 1024 * 1024
    return result


def errors_of(course: Path):
    loaded, problems = load_within_bounds(course)
    errors = [p for p in problems if p.is_error]
    assert loaded is None and errors, "the course loaded: " + "\n".join(p.format() for p in problems)
    for problem in errors:
        assert problem.file and problem.line, f"not located: {problem.format()}"
    return errors


def only(errors, text):
    hits = [p for p in errors if text in p.message]
    assert hits, f"no error says {text!r}: " + "\n".join(p.format() for p in errors)
    return hits[0]


# --- YAML work limits -------------------------------------------------------------------------------------


@pytest.mark.parametrize("file,old,new,message", [
    ("course.yaml", "description: Two lessons and every question type, for the tests.",
     "description:\n" + ALIAS_BOMB, "expands to more than 100,000 values"),
    ("course.yaml", "description: Two lessons and every question type, for the tests.",
     "description:\n" + TEXT_BOMB, "characters of text"),
    ("course.yaml", "description: Two lessons and every question type, for the tests.",
     "description: &r [a, *r]", "refers to a value that contains it"),
    ("course.yaml", "description: Two lessons and every question type, for the tests.",
     "description: " + "[" * 60 + "]" * 60, "nested too deeply"),
    ("course.yaml", "description: Two lessons and every question type, for the tests.",
     "description: " + "[" * 20_000 + "]" * 20_000, "nest"),  # libyaml's own limit, or ours
    ("course.yaml", "description: Two lessons and every question type, for the tests.",
     "description:\n  " + "- " * 3000 + "x", "nest"),
    ("course.yaml", "description: Two lessons and every question type, for the tests.",
     "description: &x a\nx: [" + ", ".join(["*x"] * 1001) + "]", "more than 1000 YAML alias uses"),
    ("course.yaml", "version: 0.1.0", "version: 2024-02-30", "YAML value cannot be read: day is out of range"),
    ("course.yaml", "ce_hours: 0.5", "ce_hours: " + "9" * 5000, "YAML value cannot be read: Exceeds the limit"),
    ("assessments/final.yaml", "    prompt: Which are ideas?", "    prompt: !!timestamp 2024-13-01",
     "YAML value cannot be read"),
    ("assessments/final.yaml", "intro: Answer every question.", "intro:\n" + ALIAS_BOMB,
     "expands to more than 100,000 values"),
    ("lessons/01-first.md", "title: The first lesson", "title: The first lesson\nx:\n" + ALIAS_BOMB,
     "expands to more than 100,000 values"),
])
def test_yaml_over_its_work_limits_is_a_located_error(mini, file, old, new, message):
    edit(mini / file, old, new)
    error = only(errors_of(mini), message)
    assert error.file == f"mini/{file}"
    if "cannot be read" in message:
        assert error.line == line_of(mini / file, new.split(": ", 1)[1][:10])
    assert "hint:" in error.format()


def test_a_file_over_the_size_limit_is_refused_before_reading(mini):
    with (mini / "lessons" / "02-second.md").open("a", encoding="utf-8") as stream:
        stream.write("word " * (1024 * 1024))
    error = only(errors_of(mini), "the file is too large")
    assert error.file == "mini/lessons/02-second.md"


def test_text_that_is_not_utf8_is_located_at_its_line(mini):
    path = mini / "assessments" / "final.yaml"
    path.write_bytes(path.read_bytes().replace(b"Answer every question.", b"Answer \xff question."))
    error = only(errors_of(mini), "not valid UTF-8")
    assert error.line == line_of(MINI / "assessments" / "final.yaml", "Answer every question.")


def test_anchors_within_the_limits_still_work(mini):
    edit(mini / "assessments" / "final.yaml", "      correct: Right.\n      incorrect: It comes second.",
         "      correct: &right Right.\n      incorrect: It comes second.")
    edit(mini / "assessments" / "final.yaml", "      correct: All matched.", "      correct: *right")
    course, problems = load_course(mini)
    assert course is not None, [p.format() for p in problems]


def test_a_byte_order_mark_before_front_matter_is_accepted(mini):
    for name in ("lessons/01-first.md", "course.yaml", "assessments/final.yaml"):
        path = mini / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    course, problems = load_course(mini)
    assert course is not None, [p.format() for p in problems]
    assert course.lessons[0].title == "The first lesson"


# --- paths confined to the course folder ------------------------------------------------------------------


def outside_files(mini: Path) -> None:
    (mini.parent / "outside.md").write_text((mini / "lessons" / "02-second.md").read_text().replace(
        "id: second", "id: outside"))
    (mini.parent / "outside.yaml").write_text((mini / "assessments" / "check-first.yaml").read_text())
    (mini.parent / "outside.png").write_bytes((mini / "media" / "square.png").read_bytes())


@pytest.mark.parametrize("file,old,new,message", [
    ("course.yaml", "  - lessons/02-second.md", "  - ../outside.md", "leads outside the course folder"),
    ("course.yaml", "  - lessons/02-second.md", "  - lessons/../../outside.md", "leads outside the course folder"),
    ("course.yaml", "  - lessons/02-second.md", "  - {outside}/outside.md", "is absolute"),
    ("course.yaml", "  - lessons/02-second.md", "  - C:/outside.md", "is absolute"),
    ("course.yaml", "  - lessons/02-second.md", "  - 'lessons\\02-second.md'", "contains a backslash"),
    ("course.yaml", "  - lessons/02-second.md", '  - "lessons/02\\0second.md"', "contains control characters"),
    ("course.yaml", "  - lessons/02-second.md", '  - "lessons/02-second.md\\n"', "contains control characters"),
    ("course.yaml", "  - lessons/02-second.md", "  - lessons/link.md", "symbolic link to outside"),
    ("course.yaml", "final_assessment: assessments/final.yaml", "final_assessment: ../outside.yaml",
     "leads outside the course folder"),
    ("course.yaml", "final_assessment: assessments/final.yaml", "final_assessment: {outside}/outside.yaml",
     "is absolute"),
    ("lessons/01-first.md", "knowledge_check: ../assessments/check-first.yaml", "knowledge_check: ../../outside.yaml",
     "leads outside the course folder"),
    ("lessons/01-first.md", "knowledge_check: ../assessments/check-first.yaml", "knowledge_check: link.yaml",
     "symbolic link to outside"),
    ("lessons/01-first.md", "../media/square.png", "../../outside.png", "leads outside the course folder"),
    ("lessons/01-first.md", "../media/square.png", "link.png", "symbolic link to outside"),
    ("lessons/01-first.md", "../media/square.png", "{outside}/outside.png", "is absolute"),
    ("lessons/01-first.md", "../media/square.png", "../media/%00.png", "contains control characters"),
])
def test_course_paths_stay_in_the_course_folder(mini, file, old, new, message):
    outside_files(mini)
    for name, target in (("link.md", "outside.md"), ("link.yaml", "outside.yaml"), ("link.png", "outside.png")):
        os.symlink(mini.parent / target, mini / "lessons" / name)
    edit(mini / file, old, new.replace("{outside}", str(mini.parent)))
    error = only(errors_of(mini), message)
    assert error.file == f"mini/{file}"
    assert error.line == line_of(mini / file, new.replace("{outside}", str(mini.parent)).strip()[:12])
    out = mini.parent / "out"
    result = build(mini, ["scorm12"], out)
    assert not result.ok and not result.packages and not out.exists()


def test_a_symlink_inside_the_course_is_fine(mini):
    os.symlink(mini / "media" / "square.png", mini / "media" / "alias.png")
    edit(mini / "lessons" / "01-first.md", "../media/square.png", "../media/alias.png")
    course, problems = load_course(mini)
    assert course is not None, [p.format() for p in problems]


# --- the version goes into file names ---------------------------------------------------------------------


@pytest.mark.parametrize("version", [
    "'../../x'", "a/b", "'a\\0b'", '"1.0\\n"', "'-rf'", "'.hidden'", "'1 0'", "'" + "1" * 65 + "'",
    '"1.0\\e[31m"', "'1.0:x'",
])
def test_an_unsafe_version_is_refused_and_nothing_is_written(mini, tmp_path, version):
    edit(mini / "course.yaml", "version: 0.1.0", f"version: {version}")
    error = only(errors_of(mini), "invalid version")
    assert (error.file, error.line, error.field) == ("mini/course.yaml", line_of(mini / "course.yaml", "version:"),
                                                     "version")
    before = sorted(p.name for p in tmp_path.iterdir())
    out = tmp_path / "deep" / "out"
    result = build(mini, ["scorm12", "xapi"], out)
    assert not result.ok and not result.packages
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing made beside --out, not even a temp file


@pytest.mark.parametrize("version", ["1.0.0", "2024.05+build.7", "v3_final", "1.0-rc1"])
def test_versions_safe_in_file_names_build(mini, tmp_path, version):
    edit(mini / "course.yaml", "version: 0.1.0", f"version: '{version}'")
    result = build(mini, ["scorm12"], tmp_path / "out", validate=False)
    assert result.ok and [p.name for p in result.packages] == [f"mini-course-{version}-scorm12.zip"]


# --- numbers: typed, finite, in range ---------------------------------------------------------------------


@pytest.mark.parametrize("file,old,new,message", [
    ("course.yaml", "mastery_score: 80", "mastery_score: .inf", "must be a finite number, not '.inf'"),
    ("course.yaml", "mastery_score: 80", "mastery_score: .nan", "must be a finite number, not '.nan'"),
    ("course.yaml", "mastery_score: 80", "mastery_score: -.inf", "must be a finite number, not '-.inf'"),
    ("course.yaml", "mastery_score: 80", "mastery_score: 1.0e+400", "must be a finite number"),
    ("course.yaml", "mastery_score: 80", "mastery_score: 100.5", "mastery score 100.5 is out of range"),
    ("course.yaml", "mastery_score: 80", "mastery_score: true", "must be a percentage"),
    ("course.yaml", "mastery_score: 80", "mastery_score: '80'", "must be a percentage"),
    ("course.yaml", "ce_hours: 0.5", "ce_hours: .nan", "must be a finite number"),
    ("course.yaml", "ce_hours: 0.5", "ce_hours: -0.5", "ce hours -0.5 is out of range"),
    ("course.yaml", "ce_hours: 0.5", "ce_hours: 100000", "ce hours 100000 is out of range"),
    ("course.yaml", "ce_hours: 0.5", "ce_hours: false", "must be"),
    ("course.yaml", "duration_minutes: 10", "duration_minutes: .inf", "must be a whole number"),
    ("course.yaml", "duration_minutes: 10", "duration_minutes: -5", "duration minutes -5 is out of range"),
    ("course.yaml", "duration_minutes: 10", "duration_minutes: " + "9" * 400, "is out of range"),
    ("course.yaml", "attempts: 2", "attempts: -1", "attempts -1 is out of range"),
    ("assessments/final.yaml", "    type: multiple-response", "    type: multiple-response\n    weight: .inf",
     "weight must be a finite number"),
    ("assessments/final.yaml", "    type: multiple-response", "    type: multiple-response\n    weight: .nan",
     "weight must be a finite number"),
    ("assessments/final.yaml", "    type: multiple-response", "    type: multiple-response\n    weight: -1",
     "weight -1 is out of range"),
    ("assessments/final.yaml", "    type: multiple-response", "    type: multiple-response\n    weight: " + "9" * 400,
     "weight 99999999... (400 digits) is out of range"),
    ("assessments/final.yaml", "    type: multiple-response", "    type: multiple-response\n    weight: true",
     "must be a number"),
    ("assessments/final.yaml", "draw: 1", "draw: 0", "draw 0 is out of range"),
    ("assessments/final.yaml", "draw: 1", "draw: .inf", "must be the number of questions"),
    ("assessments/final.yaml", 'accepted: [first, "the first"]', 'accepted: [first, .nan]',
     "an accepted answer must be non-empty text"),
])
def test_numbers_are_finite_and_in_range(mini, file, old, new, message):
    edit(mini / file, old, new)
    error = only(errors_of(mini), message)
    assert error.file == f"mini/{file}"
    assert error.line == line_of(mini / file, new.strip().split("\n")[-1].strip()[:14])
    assert error.field.split(".")[-1].split("]")[-1] in new
    assert "hint:" in error.format()


def test_memory_is_bounded_in_a_fresh_process(mini, tmp_path):
    """The alias bomb again, measured as the whole process's peak (ru_maxrss), not just Python's heap."""
    import subprocess
    import sys

    edit(mini / "course.yaml", "description: Two lessons and every question type, for the tests.",
         "description:\n" + ALIAS_BOMB)
    code = ("import resource, sys; from pathlib import Path; from scorm_builder.load import load_course; "
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; c, p = load_course(Path(sys.argv[1])); "
            "print(c is None, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)")
    result = subprocess.run([sys.executable, "-c", code, str(mini)], capture_output=True, text=True, timeout=60,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)))
    refused, grown_kb = result.stdout.split()
    assert refused == "True" and int(grown_kb) < 200 * 1024, result.stderr
