"""`validate` recognises Tin Can and cmi5 packages and applies their rules."""
from __future__ import annotations

import zipfile

from support import MINI

from scorm_builder.load import load_course
from scorm_builder.package import zip_bytes
from scorm_builder.standards import cmi5, xapi
from scorm_builder.validate import validate_package

CONTENT = {"index.html": b"<!doctype html><title>x</title>", "course.js": b"window.X = 1;\n"}


def package(tmp_path, standard, prefix: str = "", drop: str | None = None):
    course, _ = load_course(MINI)
    files = standard.files(course, dict(CONTENT))
    if drop:
        del files[drop]
    path = tmp_path / f"{standard.name}.zip"
    path.write_bytes(zip_bytes({prefix + name: data for name, data in files.items()}))
    return path


def test_tincan_package_is_recognised_and_valid(tmp_path):
    report = validate_package(package(tmp_path, xapi.STANDARD))
    assert (report.standard, report.edition, report.exit_code) == ("xapi", "Tin Can", 0), report.format_text()


def test_tincan_xml_may_sit_below_single_child_folders(tmp_path):
    report = validate_package(package(tmp_path, xapi.STANDARD, prefix="course/"))
    assert report.standard == "xapi" and report.ok, report.format_text()


def test_tincan_launch_file_must_exist(tmp_path):
    report = validate_package(package(tmp_path, xapi.STANDARD, drop="index.html"))
    assert report.exit_code == 1
    assert any("index.html" in p.message for p in report.problems), report.format_text()


def test_cmi5_package_is_recognised_and_valid(tmp_path):
    report = validate_package(package(tmp_path, cmi5.STANDARD))
    assert (report.standard, report.exit_code) == ("cmi5", 0), report.format_text()


def test_cmi5_au_url_must_exist(tmp_path):
    report = validate_package(package(tmp_path, cmi5.STANDARD, drop="index.html"))
    assert report.exit_code == 1 and any(p.file == "cmi5.xml" for p in report.problems), report.format_text()


def test_a_zip_with_no_descriptor_names_all_three(tmp_path):
    path = tmp_path / "none.zip"
    path.write_bytes(zip_bytes(CONTENT))
    report = validate_package(path)
    assert report.exit_code == 1
    assert "imsmanifest.xml (SCORM), cmi5.xml or tincan.xml" in report.format_text()


def test_cmi5_xml_with_an_entity_is_refused(tmp_path):
    path = package(tmp_path, cmi5.STANDARD)
    files = {i.filename: zipfile.ZipFile(path).read(i) for i in zipfile.ZipFile(path).infolist()}
    files["cmi5.xml"] = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' \
        + files["cmi5.xml"].split(b"?>", 1)[1]
    path.write_bytes(zip_bytes(files))
    report = validate_package(path)
    assert report.exit_code != 0 and "root:" not in report.format_text()
