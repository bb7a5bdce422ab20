"""Every kind of course problem is found, located (file:line: field) and explained."""
from __future__ import annotations

from pathlib import Path

import pytest

from scorm_builder.cli import main
from scorm_builder.errors import Severity
from scorm_builder.load import load_course

from support import EMPATHY, MINI, edit, line_of


def problems_of(course_dir: Path):
    course, problems = load_course(course_dir)
    return course, problems


def find(problems, text):
    hits = [p for p in problems if text in p.message]
    assert hits, f"no problem mentions {text!r}; got: " + "\n".join(p.format() for p in problems)
    return hits[0]


def test_the_fixture_and_the_empathy_course_load_cleanly():
    for folder in (MINI, EMPATHY):
        course, problems = problems_of(folder)
        assert course is not None, "\n".join(p.format() for p in problems)
        assert [p for p in problems if p.is_error] == []


def test_empathy_course_meets_its_brief():
    course, _ = problems_of(EMPATHY)
    assert course.completion.mastery_score == 80
    assert 4 <= len(course.objectives) <= 6
    assert len(course.lessons) >= 6
    assert all(lesson.check for lesson in course.lessons[:5])
    final = course.final
    assert final.graded and final.max_shown >= 10
    assert len({q.type for q in final.questions}) >= 4
    assert all(q.objective for q in final.questions)
    for q in final.questions:
        per_option = q.options and all(o.feedback_html for o in q.options)
        assert per_option or (q.feedback.correct_html and q.feedback.incorrect_html), q.id


def test_yaml_syntax_error_names_file_and_line(mini):
    path = mini / "assessments" / "final.yaml"
    edit(path, "title: Final assessment", "title: [Final assessment")
    course, problems = problems_of(mini)
    assert course is None
    problem = find(problems, "YAML syntax error")
    assert problem.file == "mini/assessments/final.yaml"
    assert problem.line is not None and problem.line >= line_of(path, "[Final")


def test_unknown_key_suggests_the_nearest(mini):
    path = mini / "course.yaml"
    edit(path, "mastery_score: 80", "mastry_score: 80")
    _, problems = problems_of(mini)
    problem = find(problems, "unknown key 'mastry_score'")
    assert (problem.file, problem.line, problem.field) == ("mini/course.yaml", line_of(path, "mastry_score"),
                                                           "completion.mastry_score")
    assert "mastery_score" in problem.hint


def test_missing_required_field(mini):
    edit(mini / "course.yaml", "language: en\n", "")
    _, problems = problems_of(mini)
    assert "add 'language:'" in find(problems, "missing required key 'language'").hint


def test_wrong_type_is_reported(mini):
    edit(mini / "course.yaml", "version: 0.1.0", "version: 1.5")
    _, problems = problems_of(mini)
    problem = find(problems, "'version' must be")
    assert "quote" in problem.message and problem.line == line_of(mini / "course.yaml", "version:")


def test_duplicate_question_id_points_at_both(mini):
    path = mini / "assessments" / "final.yaml"
    edit(path, "id: q-multi", "id: q-single")
    _, problems = problems_of(mini)
    problem = find(problems, "duplicate question id 'q-single'")
    assert f"final.yaml:{line_of(path, 'id: q-single')}" in problem.message


def test_duplicate_yaml_key(mini):
    edit(mini / "course.yaml", "ce_hours: 0.5", "ce_hours: 0.5\nce_hours: 1")
    _, problems = problems_of(mini)
    find(problems, "duplicate key 'ce_hours'")


def test_unknown_objective_in_question_and_lesson(mini):
    edit(mini / "assessments" / "final.yaml", "objective: obj-two", "objective: obj-too")
    edit(mini / "lessons" / "02-second.md", "objectives: [obj-two]", "objectives: [obj-three]")
    _, problems = problems_of(mini)
    question = find(problems, "unknown objective 'obj-too'")
    assert question.file.endswith("final.yaml") and "obj-two" in question.hint
    lesson = find(problems, "unknown objective 'obj-three'")
    assert lesson.file == "mini/lessons/02-second.md" and lesson.line == 4


@pytest.mark.parametrize("old,new,message", [
    ("        correct: true\n        feedback: Right, it is first.", "        feedback: Right, it is first.",
     "exactly one correct option, not 0"),
    ("      - text: The second idea\n", "      - text: The second idea\n        correct: true\n",
     "exactly one correct option, not 2"),
    ("    accepted: [first, \"the first\"]", "    accepted: []", "no accepted answer"),
    ("    answer: false", "    answer: maybe", "'answer' must be true or false"),
    ("    items: [First, Second, Third]", "    items: [First]", "needs 2 to 10 items"),
    ("    distractors: [Position three]", "    distractors: [Position two]", "same text"),
])
def test_impossible_correct_answers(mini, old, new, message):
    edit(mini / "assessments" / "final.yaml", old, new)
    course, problems = problems_of(mini)
    assert course is None
    assert find(problems, message).file == "mini/assessments/final.yaml"


def test_multiple_response_without_correct(mini):
    path = mini / "assessments" / "final.yaml"
    text = path.read_text().replace("      - text: First\n        correct: true", "      - text: First") \
        .replace("      - text: Second\n        correct: true", "      - text: Second")
    path.write_text(text)
    _, problems = problems_of(mini)
    find(problems, "no option is marked correct")


def test_pool_larger_than_its_questions(mini):
    path = mini / "assessments" / "final.yaml"
    edit(path, "draw: 1", "draw: 5")
    _, problems = problems_of(mini)
    problem = find(problems, "draw 5 is impossible from a pool of 2")
    assert problem.line == line_of(path, "draw: 5") and problem.field == "pools[0].draw"


def test_missing_media(mini):
    path = mini / "lessons" / "01-first.md"
    edit(path, "square.png", "circle.png")
    _, problems = problems_of(mini)
    problem = find(problems, "missing file '../media/circle.png'")
    assert problem.line == line_of(path, "circle.png")


def test_media_outside_the_course_is_refused(mini):
    (mini.parent / "secret.png").write_bytes(b"x")
    edit(mini / "lessons" / "01-first.md", "../media/square.png", "../../secret.png")
    _, problems = problems_of(mini)
    find(problems, "'../../secret.png' leads outside the course folder")


@pytest.mark.parametrize("value", [-1, 101, 150])
def test_mastery_out_of_range(mini, value):
    path = mini / "course.yaml"
    edit(path, "mastery_score: 80", f"mastery_score: {value}")
    _, problems = problems_of(mini)
    problem = find(problems, f"mastery score {value} is out of range")
    assert problem.line == line_of(path, "mastery_score")


@pytest.mark.parametrize("html,message", [
    ("<script>alert(1)</script>", "<script> is not allowed"),
    ('<img src="x.png" onerror="alert(1)">', "event handler attribute 'onerror'"),
    ('<a href="javascript:alert(1)">x</a>', "'javascript:' URLs run code"),
    ('<img src="https://tracker.example/p.gif" alt="">', "loads from another host"),
    ('<iframe src="page.html"></iframe>', "<iframe> is not allowed"),
    ('<p style="background: url(https://x.example/a.png)">x</p>', "must not load anything"),
])
def test_unsafe_html_is_an_error_with_its_line(mini, html, message):
    path = mini / "lessons" / "02-second.md"
    edit(path, "Some text.", f"Some text.\n\n{html}\n")
    _, problems = problems_of(mini)
    problem = find(problems, message)
    assert problem.file == "mini/lessons/02-second.md" and problem.line == line_of(path, html[:12])


def test_remote_markdown_image_is_refused(mini):
    edit(mini / "lessons" / "02-second.md", "Some text.", "![chart](https://cdn.example/chart.png)")
    _, problems = problems_of(mini)
    find(problems, "loads from another host")


def test_every_problem_is_reported_at_once(mini):
    edit(mini / "course.yaml", "mastery_score: 80", "mastery_score: 180")
    edit(mini / "assessments" / "final.yaml", "draw: 1", "draw: 9")
    edit(mini / "lessons" / "02-second.md", "Some text.", "<script>x</script>")
    _, problems = problems_of(mini)
    messages = " | ".join(p.message for p in problems)
    assert "out of range" in messages and "impossible" in messages and "<script>" in messages


def test_missing_feedback_is_a_warning_not_an_error(mini):
    path = mini / "assessments" / "final.yaml"
    edit(path, "    feedback:\n      correct: Right.\n      incorrect: It comes second.\n", "")
    course, problems = problems_of(mini)
    assert course is not None
    problem = find(problems, "has no feedback")
    assert problem.severity is Severity.WARNING


def test_missing_lesson_file_and_front_matter(mini):
    edit(mini / "course.yaml", "lessons/02-second.md", "lessons/03-third.md")
    (mini / "lessons" / "01-first.md").write_text("# No front matter\n")
    _, problems = problems_of(mini)
    find(problems, "missing lesson file 'lessons/03-third.md'")
    find(problems, "missing front matter")


def test_not_a_course_folder(tmp_path):
    _, problems = problems_of(tmp_path / "nowhere")
    find(problems, "no such course folder")


def test_check_command_prints_locations_and_exits_1(mini, capsys):
    edit(mini / "course.yaml", "mastery_score: 80", "mastery_score: 180")
    assert main(["check", str(mini)]) == 1
    err = capsys.readouterr().err
    assert f"mini/course.yaml:{line_of(mini / 'course.yaml', 'mastery_score')}: completion.mastery_score: " \
           "mastery score 180 is out of range" in err
    assert "Traceback" not in err


def test_non_utf8_file_is_a_clear_error(mini):
    (mini / "lessons" / "02-second.md").write_bytes(b"---\nid: second\ntitle: T\xe9\n---\n")
    _, problems = problems_of(mini)
    find(problems, "not valid UTF-8")


@pytest.mark.parametrize(("line", "expected"), [(None, "best"), ("score: best", "best"), ("score: last", "last")])
def test_completion_score_rule(mini, line, expected):
    if line:
        edit(mini / "course.yaml", "mastery_score: 80", f"mastery_score: 80\n  {line}")
    course, problems = problems_of(mini)
    assert course is not None, [p.format() for p in problems]
    assert course.completion.score.value == expected


def test_unknown_completion_score_rule_is_located(mini):
    path = mini / "course.yaml"
    edit(path, "mastery_score: 80", "mastery_score: 80\n  score: highest")
    course, problems = problems_of(mini)
    problem = find(problems, "unknown score 'highest'")
    assert course is None and problem.line == line_of(path, "score: highest")
    assert problem.field == "completion.score" and "best" in problem.hint and "last" in problem.hint
