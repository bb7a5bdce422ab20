"""Building: manifests exactly per standard, reproducible zips, validated output only."""
from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from support import EMPATHY, MINI, ROOT, edit

from scorm_builder.build import build, build_course, write_validated
from scorm_builder.cli import main
from scorm_builder.package import zip_bytes
from scorm_builder.standards import STANDARDS
from scorm_builder.validate import validate_package

SCHEMAS = ROOT / "manifests" / "schemas"
NS12 = {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2", "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2"}
NS04 = {"cp": "http://www.imsglobal.org/xsd/imscp_v1p1", "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
        "imsss": "http://www.imsglobal.org/xsd/imsss", "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    paths = build_course(EMPATHY, ["all"], out)
    return {p.name.rsplit("-", 1)[1].rsplit(".", 1)[0]: p for p in paths}


def manifest(path: Path) -> tuple[etree._Element, zipfile.ZipFile]:
    archive = zipfile.ZipFile(path)
    return etree.fromstring(archive.read("imsmanifest.xml")), archive


def test_every_target_is_built_and_named_by_course_version_and_standard(built):
    assert set(built) == set(STANDARDS)
    assert built["scorm12"].name == "empathy-crs-1.0.0-scorm12.zip"


def test_scorm12_manifest_is_exact(built):
    root, archive = manifest(built["scorm12"])
    assert root.tag == f"{{{NS12['cp']}}}manifest"
    assert root.nsmap["adlcp"] == NS12["adlcp"]  # the literal prefix Moodle matches
    assert root.findtext("cp:metadata/cp:schema", namespaces=NS12) == "ADL SCORM"
    assert root.findtext("cp:metadata/cp:schemaversion", namespaces=NS12) == "1.2"
    location = root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation").split()
    assert location[0:2] == [NS12["cp"], "imscp_rootv1p1p2.xsd"]
    assert dict(zip(location[::2], location[1::2]))[NS12["adlcp"]] == "adlcp_rootv1p2.xsd"
    resources = root.findall("cp:resources/cp:resource", NS12)
    assert len(resources) == 1  # one SCO, navigation inside the player
    assert resources[0].get(f"{{{NS12['adlcp']}}}scormtype") == "sco"
    assert resources[0].get("href") == "index.html"
    item = root.find("cp:organizations/cp:organization/cp:item", NS12)
    assert item.get("identifierref") == resources[0].get("identifier")
    # rule 'both': the LMS must not derive passed from the score alone
    assert item.find("adlcp:masteryscore", NS12) is None
    listed = {f.get("href") for f in resources[0].findall("cp:file", NS12)}
    assert {"index.html", "course.js", "completion.txt"} <= listed
    assert listed <= set(archive.namelist())


def test_scorm2004_manifest_is_exact(built):
    root, archive = manifest(built["scorm2004"])
    assert root.tag == f"{{{NS04['cp']}}}manifest"
    for prefix in ("adlcp", "imsss", "adlseq", "adlnav"):
        assert prefix in root.nsmap
    assert root.findtext("cp:metadata/cp:schemaversion", namespaces=NS04) == "2004 4th Edition"
    resource = root.find("cp:resources/cp:resource", NS04)
    assert resource.get(f"{{{NS04['adlcp']}}}scormType") == "sco"
    controls = root.find(".//cp:item/imsss:sequencing/imsss:deliveryControls", NS04)
    assert controls.get("completionSetByContent") == "true" and controls.get("objectiveSetByContent") == "true"
    hidden = [e.text for e in root.findall(".//adlnav:hideLMSUI", NS04)]
    assert hidden == ["previous", "continue"]
    assert root.find(".//imsss:minNormalizedMeasure", NS04) is None


def test_schema_files_are_shipped_unmodified(built):
    for target, folder in (("scorm12", "scorm12"), ("scorm2004", "scorm2004-4th")):
        archive = zipfile.ZipFile(built[target])
        for schema in (SCHEMAS / folder).iterdir():
            assert hashlib.sha256(archive.read(schema.name)).digest() == hashlib.sha256(schema.read_bytes()).digest()


def test_mastery_score_reaches_the_lms_when_the_exam_is_the_rule(mini, tmp_path):
    edit(mini / "course.yaml", "rule: both", "rule: assessment")
    paths = {p.name.rsplit("-", 1)[1]: p for p in build_course(mini, ["all"], tmp_path / "out")}
    root12, _ = manifest(paths["scorm12.zip"])
    assert root12.findtext(".//adlcp:masteryscore", namespaces=NS12) == "80"
    root04, _ = manifest(paths["scorm2004.zip"])
    primary = root04.find(".//imsss:primaryObjective", NS04)
    assert primary.get("satisfiedByMeasure") == "true"
    assert primary.findtext("imsss:minNormalizedMeasure", namespaces=NS04) == "0.8"


def test_built_packages_validate(built):
    for path in built.values():
        report = validate_package(path)
        assert report.ok and report.exit_code == 0, report.format_text()


def test_media_and_completion_contract_are_in_the_package(mini, tmp_path):
    (path,) = build_course(mini, ["scorm12"], tmp_path)
    archive = zipfile.ZipFile(path)
    assert archive.read("content/media/square.png") == (MINI / "media" / "square.png").read_bytes()
    contract = archive.read("completion.txt").decode()
    assert "every page of every lesson has been viewed" in contract and "at least 80%" in contract
    assert "content/media/square.png" in archive.read("course.js").decode()


def test_builds_are_byte_identical(tmp_path):
    one = build_course(EMPATHY, ["all"], tmp_path / "one")
    two = build_course(EMPATHY, ["all"], tmp_path / "two")
    for a, b in zip(one, two):
        assert a.read_bytes() == b.read_bytes()


def test_source_date_epoch_sets_entry_times(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    archive = zipfile.ZipFile(io.BytesIO(zip_bytes({"b.txt": b"b", "a.txt": b"a"})))
    assert [i.filename for i in archive.infolist()] == ["a.txt", "b.txt"]
    assert archive.infolist()[0].date_time == (2023, 11, 14, 22, 13, 20)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert zipfile.ZipFile(io.BytesIO(zip_bytes({"a": b""}))).infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)


def test_invalid_course_writes_nothing(mini, tmp_path):
    edit(mini / "course.yaml", "mastery_score: 80", "mastery_score: 800")
    out = tmp_path / "out"
    result = build(mini, ["all"], out)
    assert not result.ok and result.packages == []
    assert not out.exists() or list(out.iterdir()) == []


def test_an_invalid_package_is_never_left_behind(tmp_path):
    target = tmp_path / "broken.zip"
    problems = write_validated(zip_bytes({"index.html": b"<p>no manifest</p>"}), target, validate=True)
    assert any("not written" in p.message for p in problems)
    assert list(tmp_path.iterdir()) == []


def test_cli_build_check_and_validate(tmp_path, capsys):
    assert main(["build", str(MINI), "--target", "scorm12", "--target", "scorm2004", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count(": written ") == 2 and out.count("(validated, ") == 2
    assert out.splitlines()[-1].endswith(": 2 packages written (scorm12, scorm2004): 0 error(s), 0 warning(s)")
    package = next(tmp_path.glob("*scorm2004.zip"))
    assert main(["validate", str(package), "--json"]) == 0
    assert '"standard": "scorm2004"' in capsys.readouterr().out


def test_cli_version_and_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and capsys.readouterr().out.startswith("scorm-builder 0.")
    for command in ("build", "check", "validate"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "usage: scorm-builder " + command in capsys.readouterr().out
    assert main([]) == 2


def test_cli_rejects_unknown_target(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["build", str(MINI), "--target", "scorm3000"])
    assert exit_info.value.code == 2 and "invalid choice" in capsys.readouterr().err


def course_data_of(path: Path) -> dict:
    import json

    text = zipfile.ZipFile(path).read("course.js").decode()
    return json.loads(text[text.index("{"):text.rindex("}") + 1])


def test_scorm_packages_send_statements_only_when_given_an_endpoint(tmp_path, capsys):
    plain = course_data_of(build_course(MINI, ["scorm12"], tmp_path / "plain")[0])
    assert "xapi" not in plain
    assert main(["build", str(MINI), "-t", "scorm12", "--out", str(tmp_path / "lrs"),
                 "--xapi-endpoint", "https://lrs.example.org/xapi"]) == 0
    data = course_data_of(next((tmp_path / "lrs").glob("*.zip")))
    assert data["xapi"]["lrs"] == {"endpoint": "https://lrs.example.org/xapi/", "auth": None}
    assert data["xapi"]["questions"]["q-single"].endswith("/mini-course/question/q-single")
    assert "warning" not in capsys.readouterr().err


def test_an_embedded_key_needs_the_explicit_flag_and_says_why(tmp_path, capsys):
    assert main(["build", str(MINI), "-t", "scorm2004", "--out", str(tmp_path), "--xapi-endpoint",
                 "https://lrs.example.org/xapi/", "--embed-write-only-key", "writer:s3cret"]) == 0
    assert "write statements and do nothing else" in capsys.readouterr().err
    data = course_data_of(next(tmp_path.glob("*.zip")))
    assert data["xapi"]["lrs"]["auth"] == "Basic d3JpdGVyOnMzY3JldA=="
    assert main(["build", str(MINI), "-t", "scorm12", "--out", str(tmp_path), "--embed-write-only-key", "a:b"]) == 2
    assert main(["build", str(MINI), "-t", "scorm12", "--out", str(tmp_path), "--xapi-endpoint",
                 "https://user:pw@lrs.example.org/"]) == 2


def test_xapi_and_cmi5_packages_carry_activities_but_no_secret(built):
    for target in ("xapi", "cmi5"):
        data = course_data_of(built[target])
        assert data["xapi"]["lrs"] is None and data["xapi"]["course"].endswith("/empathy-crs")
        assert data["standard"] == target


def test_content_hash_names_the_content_not_the_standard(built, mini, tmp_path):
    hashes = {course_data_of(path)["package"]["hash"] for name, path in built.items() if name != "cc"}  # no player in a cartridge
    assert len(hashes) == 1 and next(iter(hashes)).startswith("sha256:")
    before = course_data_of(build_course(mini, ["scorm12"], tmp_path / "a")[0])["package"]["hash"]
    edit(mini / "lessons" / "02-second.md", "Some text.", "Some other text.")
    after = course_data_of(build_course(mini, ["scorm12"], tmp_path / "b")[0])["package"]["hash"]
    assert before != after


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_zips_honour_the_umask_and_appear_atomically(umask, mode, tmp_path):
    """A zip is readable by another user (an LMS import run as the web server) under umask 022,
    as any tool's file is; it is staged in the out folder and renamed, nothing else is left."""
    old = os.umask(umask)
    try:
        paths = build_course(MINI, ["scorm12", "cmi5"], tmp_path)
    finally:
        os.umask(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    assert {stat.S_IMODE(p.stat().st_mode) for p in paths} == {mode}


def test_build_summary_says_per_target_what_was_written(mini, tmp_path, capsys):
    """The issue's example: a 290-character title fits only the targets without a title limit.
    Each target gets a line, and the last line is true."""
    edit(mini / "course.yaml", "title: A Small Test Course", "title: " + "Long title " * 26 + "end")
    out = tmp_path / "dist"
    assert main(["build", str(mini), "-t", "all", "--out", str(out)]) == 1
    captured = capsys.readouterr()
    refused = ["scorm12", "scorm2004", "cmi5"]
    fits = [name for name in STANDARDS if name not in refused]
    written = {p.name.rsplit("-", 1)[1].split(".")[0]: p for p in out.iterdir()}
    assert sorted(written) == sorted(fits)
    for target in fits:
        assert f"{target}: written {written[target]} (validated, " in captured.out
    for target in refused:
        assert f"{target}: not written: 1 problem\n" in captured.err
    assert captured.err.splitlines()[-1].startswith(
        f"{mini}: {len(fits)} of {len(STANDARDS)} packages written ({', '.join(fits)}); "
        f"not written: {', '.join(refused)}: 3 error(s), ")


def test_build_summary_when_the_course_itself_is_invalid(mini, tmp_path, capsys):
    edit(mini / "course.yaml", "mastery_score: 80", "mastery_score: 800")
    assert main(["build", str(mini), "-t", "scorm12", "-t", "xapi", "--out", str(tmp_path / "d")]) == 1
    err = capsys.readouterr().err
    assert "scorm12: not written: 1 problem\n" in err and "xapi: not written: 1 problem\n" in err
    assert err.splitlines()[-1] == f"{mini}: nothing written: 1 error(s), 0 warning(s)"
    assert not (tmp_path / "d").exists()
