"""Every problem's location printed once (issue 10 item 7): `validate` used to print
`course/imsmanifest.xml: imsmanifest.xml: imsmanifest.xml is not at the root...` for a zipped
folder. The kind: a field that names the file again. Walked over every way a package's
descriptor can be misplaced or broken, zipped and as a folder, and over build problems."""
from __future__ import annotations

import io
import zipfile

import pytest
from support import EMPATHY
from validate_fixtures import MANIFEST_12, build_zip, schema_files

from scorm_builder.cli import main
from scorm_builder.errors import Problem

PACKAGE = {"imsmanifest.xml": MANIFEST_12, "index.html": "<p>hi</p>", **schema_files("scorm12")}
BROKEN_12 = MANIFEST_12.replace("<schema>ADL SCORM</schema>", "<schema>ADL SCORMX</schema>")
CMI5 = ('<?xml version="1.0"?><courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">'
        '<course id="https://e.org/c"><title><langstring lang="e n">T</langstring></title>'
        '<description><langstring lang="en">D</langstring></description></course></courseStructure>')
TINCAN = '<?xml version="1.0"?><tincan xmlns="http://projecttincan.com/tincan.xsd"><activities/></tincan>'


def _in_folder(files: dict, folder: str) -> dict:
    return {f"{folder}/{name}": data for name, data in files.items()}


CASES = {
    "zipped folder": _in_folder(PACKAGE, "course"),
    "deeper folder": _in_folder(_in_folder(PACKAGE, "course"), "export"),
    "wrong case": {"IMSManifest.xml" if k == "imsmanifest.xml" else k: v for k, v in PACKAGE.items()},
    "no manifest": {"index.html": "<p>hi</p>"},
    "schema error in a folder": _in_folder({**PACKAGE, "imsmanifest.xml": BROKEN_12}, "course"),
    "not well-formed": {**PACKAGE, "imsmanifest.xml": "<manifest"},
    "cmi5 problems": {"cmi5.xml": CMI5},
    "empty tincan in a folder": {"pkg/tincan.xml": TINCAN},
}


def assert_each_location_once(line: str) -> None:
    parts = line.split(": ")[:3]
    names = [part.split(":")[0].replace("!", "/").rsplit("/", 1)[-1].lower() for part in parts]
    assert len(set(names[:2])) == len(names[:2]), line
    assert not parts[1].startswith(names[0] + " ") if len(parts) > 1 else True, line


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_prints_each_location_once(case, tmp_path, capsys):
    package = build_zip(tmp_path / "p.zip", CASES[case])
    main(["validate", str(package)])
    lines = [line for line in capsys.readouterr().out.splitlines()
             if not line.startswith(("not checked:", "VALID", "INVALID", "NOT READ"))]
    assert lines, f"{case}: the broken package gave no problem"
    for line in lines:
        assert_each_location_once(line)


def test_the_issue_example(tmp_path, capsys):
    package = build_zip(tmp_path / "p.zip", CASES["zipped folder"])
    assert main(["validate", str(package)]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("course/imsmanifest.xml: the manifest is not at the root of the package")
    assert "imsmanifest.xml: imsmanifest.xml" not in first


@pytest.mark.parametrize("problem,printed", [
    (Problem("course/imsmanifest.xml", "m", None, "imsmanifest.xml"), "course/imsmanifest.xml: m"),
    (Problem("x.zip!cmi5.xml", "m", 3, "cmi5.xml"), "x.zip!cmi5.xml:3: m"),
    (Problem("tincan.xml", "m", None, "tincan.xml"), "tincan.xml: m"),
    (Problem("x.zip!imsmanifest.xml", "m", 6, "manifest@version"), "x.zip!imsmanifest.xml:6: manifest@version: m"),
    (Problem("course.yaml", "m", 2, "title"), "course.yaml:2: title: m"),
])
def test_problem_format_prints_a_file_named_twice_once(problem, printed):
    assert problem.format() == printed


def test_build_problems_print_each_location_once(tmp_path, capsys):
    main(["build", str(EMPATHY), "-t", "all", "--out", str(tmp_path), "-v"])
    for line in capsys.readouterr().err.splitlines():
        if ": " in line:
            assert_each_location_once(line)
    assert zipfile.is_zipfile(io.BytesIO(next(tmp_path.glob("*.zip")).read_bytes()))
