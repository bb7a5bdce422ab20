"""The public API: Report fields, verdicts, exit codes, JSON and text output, folders."""
from __future__ import annotations

import dataclasses
import json
import os
import zipfile
from pathlib import Path

import pytest
from validate_fixtures import MANIFEST_12, MANIFEST_2004, line_of, package_12, package_2004

from scorm_builder.errors import Problem, Severity
from scorm_builder.validate import Limits, Report, validate_directory, validate_package


def extract(zip_path: Path, into: Path) -> Path:
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(into)  # our own trusted test zip
    return into


def test_valid_12_package(tmp_path: Path):
    report = validate_package(package_12(tmp_path))
    assert report.ok and report.exit_code == 0 and report.readable
    assert report.problems == ()
    assert report.package.endswith("course12.zip")


def test_valid_2004_4th_package(tmp_path: Path):
    report = validate_package(package_2004(tmp_path))
    assert report.ok and report.exit_code == 0
    assert report.problems == ()


def test_report_is_frozen(tmp_path: Path):
    report = validate_package(package_12(tmp_path))
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.ok = False  # type: ignore[misc]


def test_exit_codes_follow_severity():
    error = Problem(file="imsmanifest.xml", message="bad")
    warning = Problem(file="x", message="meh", severity=Severity.WARNING)
    assert Report("p", "scorm12", "1.2", (warning,), (), True).exit_code == 0
    assert Report("p", "scorm12", "1.2", (warning, error), (), True).exit_code == 1
    assert Report("p", "unknown", "unknown", (error,), (), False).exit_code == 2
    assert not Report("p", "unknown", "unknown", (), (), False).ok


def test_to_dict_is_json_ready(tmp_path: Path):
    manifest = MANIFEST_12.replace('identifierref="RES1"', 'identifierref="NOPE"')
    data = json.loads(json.dumps(validate_package(package_12(tmp_path, manifest)).to_dict()))
    assert data["exit_code"] == 1 and data["ok"] is False and data["standard"] == "scorm12"
    [problem] = [p for p in data["problems"] if p["field"] == "item@identifierref"]
    assert problem == {
        "file": "imsmanifest.xml",
        "line": line_of(manifest, 'identifierref="NOPE"'),
        "field": "item@identifierref",
        "message": problem["message"],
        "hint": problem["hint"],
        "severity": "error",
    }
    assert "NOPE" in problem["message"] and problem["hint"]
    assert data["unchecked"]


def test_format_text_lists_problems_then_notes_then_the_verdict(tmp_path: Path):
    manifest = MANIFEST_2004.replace('identifierref="RES1"', 'identifierref="NOPE"')
    report = validate_package(package_2004(tmp_path, manifest, extra={"stray.txt": "x"}))
    lines = report.format_text().splitlines()
    line = line_of(manifest, 'identifierref="NOPE"')
    assert f"imsmanifest.xml:{line}: item@identifierref: " in lines[0] and "(hint: " in lines[0]
    assert any(text.startswith("stray.txt: file: warning: ") for text in lines)
    notes = [i for i, text in enumerate(lines) if text.startswith("not checked: ")]
    problems = [i for i, text in enumerate(lines) if text.startswith(("imsmanifest.xml", "stray.txt"))]
    assert notes and max(problems) < min(notes)
    assert lines[-1].startswith("INVALID: ") and "SCORM 2004 4th Edition" in lines[-1]
    assert "1 error(s), 1 warning(s)" in lines[-1]


def test_verdict_of_a_valid_package(tmp_path: Path):
    last = validate_package(package_12(tmp_path)).format_text().splitlines()[-1]
    assert last.startswith("VALID: ") and "SCORM 1.2" in last


def test_problems_are_sorted_by_location(tmp_path: Path):
    manifest = MANIFEST_12.replace('identifierref="RES1"', 'identifierref="NOPE"').replace(
        'default="ORG1"', 'default="ORG9"')
    report = validate_package(package_12(tmp_path, manifest))
    lines = [p.line for p in report.problems if p.file == "imsmanifest.xml"]
    assert lines == sorted(lines) and len(lines) >= 2


def test_validate_directory_accepts_an_extracted_package(tmp_path: Path):
    folder = extract(package_12(tmp_path), tmp_path / "course")
    report = validate_directory(folder)
    assert report.ok, report.format_text()


def test_validate_directory_finds_missing_files(tmp_path: Path):
    folder = extract(package_2004(tmp_path), tmp_path / "course")
    (folder / "shared" / "api.js").unlink()
    report = validate_directory(folder)
    assert report.exit_code == 1
    assert any(p.field == "file@href" and "shared/api.js" in p.message for p in report.problems)


def test_validate_directory_refuses_a_symlinked_manifest(tmp_path: Path):
    secret = tmp_path / "outside.xml"
    secret.write_text(MANIFEST_12)
    folder = extract(package_12(tmp_path), tmp_path / "course")
    (folder / "imsmanifest.xml").unlink()
    os.symlink(secret, folder / "imsmanifest.xml")
    assert validate_directory(folder).exit_code == 2


def test_validate_directory_reports_other_symlinks(tmp_path: Path):
    folder = extract(package_12(tmp_path), tmp_path / "course")
    os.symlink("/etc/passwd", folder / "passwd")
    report = validate_directory(folder)
    assert any(p.file == "passwd" and "symbolic link" in p.message for p in report.problems)


def test_validate_directory_on_a_file_is_unreadable(tmp_path: Path):
    assert validate_directory(package_12(tmp_path)).exit_code == 2


def test_limits_have_the_documented_defaults():
    limits = Limits()
    assert limits.max_entries == 10_000
    assert limits.max_total_bytes == 1 << 30
    assert limits.max_file_bytes == 512 << 20
    assert limits.max_ratio == 200 and limits.ratio_floor_bytes == 1 << 20


def test_unchecked_always_mentions_run_time_behaviour(tmp_path: Path):
    report = validate_package(package_12(tmp_path))
    assert any("run-time behaviour" in note for note in report.unchecked)
