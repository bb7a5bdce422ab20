"""LMS profiles and the reporting options behind them: loading, what each profile builds, the
completion.txt settings, `scorm-builder profiles`. (Their effect on what the player sends is
played in chromium against scorm-again in tests/browser/test_profiles.py.)"""
from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from support import MINI, edit, line_of

from scorm_builder.build import build
from scorm_builder.cli import main
from scorm_builder.load import load_course
from scorm_builder.model import InteractionIds, ReportAs
from scorm_builder.profiles import PROFILES
from scorm_builder.validate import validate_package

MOODLE_NAMES = ("Require status", "Grading method", "Attempts grading", "Number of attempts", "Force new attempt")


def course_data(package: Path) -> dict:
    text = zipfile.ZipFile(package).read("course.js").decode()
    return json.loads(text[text.index("{"):text.rindex("}") + 1])


@pytest.mark.parametrize("name", list(PROFILES))
def test_each_profile_builds_its_targets_with_its_options_and_settings(name, tmp_path: Path):
    profile = PROFILES[name]
    result = build(MINI, [], tmp_path, profile=profile)
    assert result.ok, [p.format() for p in result.problems]
    built = {p.name.rsplit("-", 1)[1].rsplit(".", 1)[0]: p for p in result.packages}
    assert set(built) == set(profile.targets)
    for target, package in built.items():
        assert validate_package(package).ok
        text = zipfile.ZipFile(package).read("completion.txt").decode()
        assert f"profile '{name}'" in text and f"report_as {profile.report_as.value}" in text
        for setting in profile.settings[target](None):
            assert f"- {setting.name}: " in text
        if target != "cc":
            data = course_data(package)["completion"]
            assert (data["reportAs"], data["interactionIds"]) == (profile.report_as.value,
                                                                   profile.interaction_ids.value)


def test_moodle_settings_use_moodles_names_and_the_courses_values(tmp_path: Path):
    result = build(MINI, [], tmp_path, profile=PROFILES["moodle"])
    texts = {p.name: zipfile.ZipFile(p).read("completion.txt").decode() for p in result.packages}
    for name, text in texts.items():
        for setting in MOODLE_NAMES:
            assert f"- {setting}: " in text, (name, setting)
        assert '- Require status: "Passed" only ("Completed" unchecked).' in text
        assert "attempts at the final assessment (2)" in text
    assert "- Mastery score overrides status: No." in texts["mini-course-0.1.0-scorm12.zip"]
    assert "Mastery score overrides status" not in texts["mini-course-0.1.0-scorm2004.zip"]


def test_without_a_final_assessment_moodle_requires_completed(tmp_path: Path):
    course = tmp_path / "c"
    shutil.copytree(MINI, course)
    text = (course / "course.yaml").read_text()
    text = re.sub(r"rule: \w+", "rule: all-pages", text)
    (course / "course.yaml").write_text(re.sub(r"final_assessment: .*\n", "", text))
    result = build(course, ["scorm2004"], tmp_path / "out", profile=PROFILES["moodle"])
    assert result.ok, [p.format() for p in result.problems]
    text = zipfile.ZipFile(result.packages[0]).read("completion.txt").decode()
    assert '- Require status: "Completed" only.' in text


def test_a_target_given_with_a_profile_wins(tmp_path: Path):
    result = build(MINI, ["scorm12"], tmp_path, profile=PROFILES["canvas"])
    assert [p.name for p in result.packages] == ["mini-course-0.1.0-scorm12.zip"]


def test_report_options_load_from_course_yaml_and_bad_values_are_located(tmp_path: Path):
    course = tmp_path / "c"
    shutil.copytree(MINI, course)
    edit(course / "course.yaml", "  attempts: 2\n", "  attempts: 2\n  report_as: passed-incomplete\n"
                                                     "  interaction_ids: per-attempt\n")
    loaded, _ = load_course(course)
    assert loaded.completion.report_as is ReportAs.PASSED_INCOMPLETE
    assert loaded.completion.interaction_ids is InteractionIds.PER_ATTEMPT
    edit(course / "course.yaml", "report_as: passed-incomplete", "report_as: passed-or-failed")
    loaded, problems = load_course(course)
    (problem,) = [p for p in problems if p.field == "completion.report_as"]
    assert loaded is None and problem.line == line_of(course / "course.yaml", "report_as:")
    assert "passed-incomplete" in problem.hint


def test_profiles_command_lists_each_profile_with_its_reasons(capsys):
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    for name, profile in PROFILES.items():
        block = out.split(f"{name}: {profile.title}", 1)[1]
        assert f"why: {profile.why}" in block and f"targets: {', '.join(profile.targets)}" in block
    assert "[scorm2004] Require status:" in out and "[cc] Quiz Type:" in out


def test_build_needs_a_target_or_a_profile(tmp_path: Path, capsys):
    assert main(["build", str(MINI), "--out", str(tmp_path)]) == 2
    assert "--profile" in capsys.readouterr().err
    assert main(["build", str(MINI), "--profile", "moodle-app", "--out", str(tmp_path), "-q"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["mini-course-0.1.0-scorm12.zip"]


# ---------------------------------------------------------------- the mapping the adapters apply (player/report.js)

REPORT_AS = {  # mode -> (1.2 on pass, 1.2 on fail, 2004 on pass, 2004 on fail)
    "passed-failed": ("passed", "failed", ("completed", "passed"), ("completed", "failed")),
    "passed-incomplete": ("passed", "incomplete", ("completed", "passed"), ("incomplete", "failed")),
    "completed-failed": ("completed", "failed", ("completed", "unknown"), ("completed", "failed")),
    "completed-incomplete": ("completed", "incomplete", ("completed", "unknown"), ("incomplete", "unknown")),
}


@pytest.mark.parametrize("mode", list(REPORT_AS))
def test_report_as_maps_each_status_pair_per_standard(mode):
    from test_player_runtime import NODE, run_js

    if NODE is None:
        pytest.skip("node is needed")
    out = run_js(f"""
      const mode = {json.dumps(mode)};
      out.pass12 = SB.report.lessonStatus(mode, "passed");
      out.fail12 = SB.report.lessonStatus(mode, "failed");
      out.other12 = ["completed", "incomplete"].map(s => SB.report.lessonStatus(mode, s));
      const p = SB.report.pair(mode, {{completion: "completed", success: "passed", progress: 1}});
      const f = SB.report.pair(mode, {{completion: "completed", success: "failed", progress: 1}});
      const u = SB.report.pair(mode, {{completion: "incomplete", success: "unknown", progress: 0.5}});
      out.pass04 = [p.completion, p.success]; out.fail04 = [f.completion, f.success, f.progress];
      out.open04 = [u.completion, u.success, u.progress];
      out.ids = [SB.report.interactionId("per-attempt", "q1", 2), SB.report.interactionId("per-attempt", "q1", 0),
                 SB.report.interactionId("per-question", "q1", 2)];
    """)
    pass12, fail12, pass04, fail04 = REPORT_AS[mode]
    assert (out["pass12"], out["fail12"]) == (pass12, fail12)
    assert out["other12"] == ["completed", "incomplete"]  # only passed/failed are re-reported
    assert tuple(out["pass04"]) == pass04 and tuple(out["fail04"][:2]) == fail04
    assert out["fail04"][2] == (0.99 if fail04[0] == "incomplete" else 1)
    assert out["open04"] == ["incomplete", "unknown", 0.5]
    assert out["ids"] == ["q1-a2", "q1", "q1"]
