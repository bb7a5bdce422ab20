"""Reading untrusted zips: hostile archives are rejected (exit 2) before anything is trusted,
and nothing is ever written outside the test's own folder."""
from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest
from validate_fixtures import MANIFEST_12, build_zip, lying_size_zip, package_12, patch_name, symlink_zip

from scorm_builder.validate import Limits, Report, validate_package
from scorm_builder.validate.safezip import declared_directory, is_symlink, name_problem, read_zip


def assert_rejected(report: Report, file: str, words: str) -> None:
    assert report.exit_code == 2, report.format_text()
    assert not report.readable and not report.ok
    assert any(p.file == file and words in p.message for p in report.problems), report.format_text()


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("../evil.html", "'..'"),
        ("content/../../evil.html", "'..'"),
        ("..\\evil.html", "'..'"),
        ("/etc/evil.html", "absolute"),
        ("\\evil.html", "absolute"),
        ("C:/evil.html", "drive letter"),
        ("C:\\Windows\\evil.html", "drive letter"),
        ("ok/a\x00.html", "NUL"),
    ],
)
def test_name_problem_flags_escaping_names(name: str, words: str):
    assert words in (name_problem(name) or "")


@pytest.mark.parametrize("name", ["index.html", "a/b/c.js", "a..b/file..txt", ".hidden/x", "dir/"])
def test_name_problem_accepts_ordinary_names(name: str):
    assert name_problem(name) is None


def test_zip_slip_entry_is_rejected(tmp_path: Path):
    path = build_zip(tmp_path / "slip.zip", {"imsmanifest.xml": MANIFEST_12, "../evil.html": "x"})
    assert_rejected(validate_package(path), "../evil.html", "outside the package")
    assert not (tmp_path.parent / "evil.html").exists()


def test_absolute_entry_name_is_rejected(tmp_path: Path):
    path = build_zip(tmp_path / "abs.zip", {"imsmanifest.xml": MANIFEST_12, "/tmp/evil.html": "x"})
    assert_rejected(validate_package(path), "/tmp/evil.html", "absolute path")


def test_backslash_traversal_is_rejected(tmp_path: Path):
    path = build_zip(tmp_path / "bs.zip", {"imsmanifest.xml": MANIFEST_12, "..\\..\\evil.html": "x"})
    assert_rejected(validate_package(path), "..\\..\\evil.html", "'..'")


def test_drive_letter_entry_is_rejected(tmp_path: Path):
    path = build_zip(tmp_path / "drive.zip", {"imsmanifest.xml": MANIFEST_12, "C:/evil.html": "x"})
    assert_rejected(validate_package(path), "C:/evil.html", "drive letter")


def test_nul_in_entry_name_is_rejected(tmp_path: Path):
    path = build_zip(tmp_path / "nul.zip", {"imsmanifest.xml": MANIFEST_12, "evilXhtml.png": "x"})
    patch_name(path, b"evilXhtml.png", b"evil\x00html.png")
    report = validate_package(path)
    assert_rejected(report, "evil\x00html.png", "NUL")  # the real name in the report,
    assert "evil\\x00html.png: zip entry" in report.format_text()  # escaped when printed


def test_symlink_entry_is_rejected(tmp_path: Path):
    path = symlink_zip(tmp_path / "link.zip")
    with zipfile.ZipFile(path) as zf:
        assert is_symlink(zf.getinfo("index.html"))
        assert not is_symlink(zf.getinfo("imsmanifest.xml"))
    assert_rejected(validate_package(path), "index.html", "symbolic link")


def test_too_many_entries_is_rejected_before_reading(tmp_path: Path):
    files = {"imsmanifest.xml": MANIFEST_12, **{f"f{i}.txt": "x" for i in range(10)}}
    path = build_zip(tmp_path / "many.zip", files)
    with open(path, "rb") as fp:
        assert declared_directory(fp)[0] == 11
    report = validate_package(path, Limits(max_entries=5))
    assert_rejected(report, "many.zip", "11 entries")
    assert validate_package(path, Limits(max_entries=11)).readable


def test_zip_bomb_by_ratio_is_rejected(tmp_path: Path):
    path = build_zip(tmp_path / "bomb.zip", {"imsmanifest.xml": MANIFEST_12, "bomb.bin": b"\0" * (8 << 20)})
    started = time.monotonic()
    report = validate_package(path)  # default limits: 200:1 over 1 MiB
    assert time.monotonic() - started < 5
    assert_rejected(report, "bomb.bin", "zip bomb")
    assert any("compresses 8388608 bytes" in p.message for p in report.problems)  # refused before reading


def test_zip_bomb_is_also_caught_while_streaming():
    from scorm_builder.validate.safezip import actual_size_problem

    info = zipfile.ZipInfo("b.bin")
    info.file_size, info.compress_size = 10**9, 5_000
    assert "expands beyond 200:1" in actual_size_problem(info, 2 << 20, 10**9, Limits())
    assert actual_size_problem(info, 900_000, 10**9, Limits()) is None  # under the 1 MiB floor


def test_entry_over_the_single_file_limit_is_rejected(tmp_path: Path):
    path = build_zip(tmp_path / "big.zip", {"imsmanifest.xml": MANIFEST_12, "big.bin": os.urandom(300_000)})
    assert_rejected(validate_package(path, Limits(max_file_bytes=200_000)), "big.bin", "would unpack to 300000")


def test_total_size_over_the_limit_is_rejected(tmp_path: Path):
    files = {"imsmanifest.xml": MANIFEST_12, **{f"f{i}.bin": os.urandom(50_000) for i in range(4)}}
    path = build_zip(tmp_path / "total.zip", files)
    assert_rejected(validate_package(path, Limits(max_total_bytes=150_000)), "total.zip", "would unpack to")


def test_header_that_lies_about_its_size_is_rejected(tmp_path: Path):
    path = lying_size_zip(tmp_path / "lie.zip", real_size=4 << 20, declared=100)
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("big.bin").file_size == 100  # the forged header is what zipfile sees
    report = validate_package(path, Limits(max_file_bytes=1 << 20, max_total_bytes=2 << 20))
    assert_rejected(report, "big.bin", "header does not match its data")


def test_actual_bytes_are_counted_not_trusted():
    """read_entry stops at the cap even when the header says the entry is small."""
    from scorm_builder.validate.safezip import actual_size_problem

    info = zipfile.ZipInfo("x")
    info.file_size, info.compress_size = 100, 50
    assert "more data than its header" in actual_size_problem(info, 101, 10**9, Limits())
    info.file_size = 10**9
    assert "reading stopped" in actual_size_problem(info, 2_000, 1_000, Limits())


def test_encrypted_entry_is_rejected(tmp_path: Path):
    path = build_zip(tmp_path / "enc.zip", {"imsmanifest.xml": MANIFEST_12, "secret.html": "x"})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        offset = zf.getinfo("secret.html").header_offset
    data[offset + 6] |= 0x1  # local header flag
    central = data.rindex(b"secret.html") - 46
    data[central + 8] |= 0x1  # central directory flag
    path.write_bytes(bytes(data))
    assert_rejected(validate_package(path), "secret.html", "encrypted")


def test_duplicate_entry_names_are_rejected(tmp_path: Path):
    path = tmp_path / "dup.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("imsmanifest.xml", MANIFEST_12)
        with pytest.warns(UserWarning):
            zf.writestr("imsmanifest.xml", "<evil/>")
    assert_rejected(validate_package(path), "imsmanifest.xml", "2 entries with this name")


def test_not_a_zip_is_unreadable(tmp_path: Path):
    path = tmp_path / "course.zip"
    path.write_text("this is not a zip")
    report = validate_package(path)
    assert_rejected(report, "course.zip", "not a zip file")
    assert "NOT READ" in report.format_text().splitlines()[-1]


def test_missing_file_and_folder_are_unreadable(tmp_path: Path):
    assert_rejected(validate_package(tmp_path / "nope.zip"), "nope.zip", "does not exist")
    assert validate_package(tmp_path).exit_code == 2


def test_truncated_zip_is_unreadable(tmp_path: Path):
    path = package_12(tmp_path)
    path.write_bytes(path.read_bytes()[:-40])
    assert validate_package(path).exit_code == 2


def test_corrupt_entry_data_is_unreadable(tmp_path: Path):
    path = build_zip(tmp_path / "corrupt.zip", {"imsmanifest.xml": MANIFEST_12, "index.html": os.urandom(4000)})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("index.html")
    start = info.header_offset + 30 + len("index.html") + 100
    data[start:start + 50] = bytes(50)
    path.write_bytes(bytes(data))
    assert_rejected(validate_package(path), "index.html", "corrupt")


def test_backslash_separator_is_only_a_warning(tmp_path: Path):
    path = package_12(tmp_path, extra={"images\\logo.png": "x"})
    report = read_zip(path)
    assert report.readable
    assert any(p.file == "images\\logo.png" and not p.is_error for p in report.problems)


HOSTILE = {
    "slip": lambda d: build_zip(d / "slip.zip", {"imsmanifest.xml": MANIFEST_12, "../../evil.html": "x"}),
    "abs": lambda d: build_zip(d / "abs.zip", {"imsmanifest.xml": MANIFEST_12, f"{d}/abs-evil.html": "x"}),
    "link": lambda d: symlink_zip(d / "link.zip"),
    "bomb": lambda d: build_zip(d / "bomb.zip", {"imsmanifest.xml": MANIFEST_12, "b.bin": b"\0" * (4 << 20)}),
    "lie": lambda d: lying_size_zip(d / "lie.zip", 2 << 20, 100),
}


def snapshot(*roots: Path) -> set[str]:
    return {str(p) for root in roots for p in root.rglob("*")}


def test_nothing_is_written_outside_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    inputs = tmp_path / "in"
    inputs.mkdir()
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    packages = [make(inputs) for make in HOSTILE.values()]
    before = snapshot(tmp_path)
    parent_before = set(os.listdir(tmp_path.parent))
    for path in packages:
        assert validate_package(path).exit_code == 2
    assert snapshot(tmp_path) == before
    assert set(os.listdir(tmp_path.parent)) == parent_before
    assert not list(Path("/tmp").glob("*evil.html"))
