"""XML safety of the manifest: no entity is expanded, no file or URL is loaded, entity
declarations are refused with a clear message; syntax errors are reported with lines."""
from __future__ import annotations

import json
import time
from pathlib import Path

from validate_fixtures import MANIFEST_12, package_12

from scorm_builder.validate import Report, validate_package
from scorm_builder.validate.xmlsafe import declares_entities, parse_manifest

SECRET = "TOP-SECRET-7f3a9c"


def with_doctype(doctype: str, body_marker: str = "") -> str:
    head, rest = MANIFEST_12.split("\n", 1)
    manifest = f"{head}\n{doctype}\n{rest}"
    return manifest.replace("<title>Course</title>", f"<title>Course{body_marker}</title>")


def all_output(report: Report) -> str:
    return report.format_text() + json.dumps(report.to_dict())


def test_xxe_external_entity_is_rejected_and_the_file_never_read(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    manifest = with_doctype(f'<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>', "&xxe;")
    report = validate_package(package_12(tmp_path, manifest))
    assert report.exit_code == 2
    assert SECRET not in all_output(report)
    problem = report.problems[0]
    assert problem.field == "DOCTYPE" and "XXE" in problem.message and "xxe" in problem.message
    assert "remove the <!DOCTYPE" in problem.hint


def test_parameter_entity_xxe_is_rejected(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    manifest = with_doctype(f'<!DOCTYPE manifest [<!ENTITY % p SYSTEM "{secret.as_uri()}"> %p;]>')
    report = validate_package(package_12(tmp_path, manifest))
    assert report.exit_code == 2
    assert SECRET not in all_output(report)


def test_billion_laughs_is_rejected_fast(tmp_path: Path):
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    manifest = with_doctype(f"<!DOCTYPE manifest [{''.join(entities)}]>", "&lol9;")
    path = package_12(tmp_path, manifest)
    started = time.monotonic()
    report = validate_package(path)
    assert time.monotonic() - started < 2
    assert report.exit_code == 2
    assert any("billion laughs" in p.message for p in report.problems)
    assert "lollollol" not in all_output(report)


def test_external_dtd_is_not_loaded(tmp_path: Path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY leak "{SECRET}">')
    manifest = with_doctype(f'<!DOCTYPE manifest SYSTEM "{dtd.as_uri()}">')
    report = validate_package(package_12(tmp_path, manifest))
    assert SECRET not in all_output(report)
    assert report.exit_code == 2, report.format_text()  # one policy: any DOCTYPE is refused (issue 9)
    assert [p.field for p in report.problems] == ["DOCTYPE"]


def test_entity_check_covers_utf16_documents():
    assert declares_entities('<!DOCTYPE a [<!ENTITY x "y">]><a/>'.encode("utf-16-le"))
    assert declares_entities('<!ENTITY'.encode("utf-16-be"))
    assert not declares_entities(MANIFEST_12.encode())


def test_syntax_error_is_invalid_with_its_line(tmp_path: Path):
    manifest = MANIFEST_12.replace("<title>Lesson 1</title>", "<title>Lesson 1</titel>")
    report = validate_package(package_12(tmp_path, manifest))
    assert report.exit_code == 1 and report.readable
    expected_line = manifest.splitlines().index("        <title>Lesson 1</titel>") + 1
    assert any(p.line == expected_line and p.field == "XML" and "titel" in p.message for p in report.problems)
    assert any("not well-formed" in note for note in report.unchecked)


def test_unescaped_ampersand_is_reported():
    manifest = MANIFEST_12.replace("<title>Course</title>", "<title>A & B</title>")
    parsed = parse_manifest(manifest.encode(), "imsmanifest.xml")
    assert parsed.tree is None and not parsed.unsafe
    assert parsed.problems[0].line == 13 and "xmlParseEntityRef" in parsed.problems[0].message


def test_valid_manifest_parses():
    parsed = parse_manifest(MANIFEST_12.encode(), "imsmanifest.xml")
    assert parsed.tree is not None and parsed.problems == () and not parsed.unsafe
