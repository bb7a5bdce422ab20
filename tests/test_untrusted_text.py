"""Untrusted text never reaches the terminal raw (issue 9, item 2), and one XML refusal policy for
every package descriptor, with case-folding collisions refused (item 3)."""
from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
import zipfile

import pytest
from validate_fixtures import MANIFEST_12, hostile, package_12

from scorm_builder.errors import Problem
from scorm_builder.textsafe import HIDDEN_CATEGORIES, dumps, escape
from scorm_builder.validate import validate_package

FAKE_VALID = "VALID: course.zip is a valid SCORM 1.2 package (0 error(s), 0 warning(s))"

# (what, untrusted text, what it must print as)
HOSTILE_TEXT = [
    ("ESC + CR: a fake verdict over the line", f"x\r\x1b[2K{FAKE_VALID}", f"x\\x0d\\x1b[2K{FAKE_VALID}"),
    ("newline: a fake verdict on its own line", f"x\n{FAKE_VALID}", f"x\\x0a{FAKE_VALID}"),
    ("OSC 8 hyperlink", "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07",
     "\\x1b]8;;https://evil.example/\\x07click\\x1b]8;;\\x07"),
    ("OSC 0 window title", "\x1b]0;pwned\x1b\\", "\\x1b]0;pwned\\x1b\\"),
    ("C1 CSI clears the screen", "\x9b2J", "\\x9b2J"),
    ("backspaces erase", "VALID\b\b\b\b\bINVALID", "VALID\\x08\\x08\\x08\\x08\\x08INVALID"),
    ("DEL and NUL", "a\x7fb\x00", "a\\x7fb\\x00"),
    ("bidi override reverses text", "\u202egnp.exe", "\\u202egnp.exe"),
    ("bidi isolate", "\u2067x\u2069", "\\u2067x\\u2069"),
    ("zero-width space hides a difference", "index\u200b.html", "index\\u200b.html"),
    ("line separator", "a\u2028b", "a\\u2028b"),
    ("language tag (outside the BMP)", "a\U000e0001b", "a\\U000e0001b"),
    ("lone surrogate from a file name", "a\udcffb", "a\\udcffb"),
    ("ordinary text is left alone", "Cours d'été — 日本語 ½ ☃", "Cours d'été — 日本語 ½ ☃"),
    ("no-break space is ordinary", "a\u00a0b", "a\u00a0b"),
]


@pytest.mark.parametrize(("what", "text", "shown"), HOSTILE_TEXT, ids=[c[0] for c in HOSTILE_TEXT])
def test_escape_makes_hidden_characters_visible(what, text, shown):
    assert escape(text) == shown
    assert not any(unicodedata.category(c) in HIDDEN_CATEGORIES for c in escape(text))
    assert json.loads(dumps({"v": text}))["v"] == text  # JSON keeps the data, escaped
    assert not any(unicodedata.category(c) in HIDDEN_CATEGORIES for c in dumps({"v": text}) if c != "\n")


@pytest.mark.parametrize(("what", "text", "shown"), HOSTILE_TEXT, ids=[c[0] for c in HOSTILE_TEXT])
def test_every_part_of_a_problem_is_escaped(what, text, shown):
    line = Problem(file=f"{text}/a.xml", line=3, field=f"{text}@x", message=text, hint=text).format()
    assert line == f"{shown}/a.xml:3: {shown}@x: {shown} (hint: {shown})"


def run_validate(path, *flags) -> str:
    done = subprocess.run([sys.executable, "-m", "scorm_builder", "validate", *flags, str(path)],
                          capture_output=True, text=True, errors="surrogateescape", timeout=120)
    assert not done.stderr.strip() or "Traceback" not in done.stderr, done.stderr
    return done.stdout


def assert_terminal_safe(output: str) -> None:
    hidden = [c for c in output if c != "\n" and unicodedata.category(c) in HIDDEN_CATEGORIES]
    assert not hidden, hidden
    assert not any(line.startswith("VALID") for line in output.splitlines()), output


def test_entry_names_cannot_draw_a_fake_verdict(tmp_path):
    """The attack of the issue: a name that returns the cursor and prints its own VALID line."""
    names = {f"x{i}\r\x1b[2K{FAKE_VALID}\n{text}.html": "x" for i, (_, text, _) in enumerate(HOSTILE_TEXT)
             if "\udcff" not in text and "\x00" not in text}  # UTF-8, and zipfile cuts names at NUL
    path = package_12(tmp_path, MANIFEST_12.replace('href="index.html"/>', 'href="no\u202eindex.html"/>'),
                      extra=names)
    output = run_validate(path)
    assert_terminal_safe(output)
    assert "x0\\x0d\\x1b[2KVALID: course.zip" in output  # shown, visibly, as data
    assert output.splitlines()[-1].startswith("INVALID: ")
    data = json.loads(run_validate(path, "--json"))
    assert set(names) <= {p["file"] for p in data["problems"]}  # JSON carries the real names
    assert_terminal_safe(run_validate(path, "--json"))


def test_xml_values_cannot_draw_a_fake_verdict(tmp_path):
    """XML may carry CR (&#13;), C1 controls and bidi characters in attribute values."""
    manifest = MANIFEST_12.replace('<file href="index.html"/>',
                                   f'<file href="a&#13;{FAKE_VALID}&#x9b;2J&#x202e;"/>')
    output = run_validate(package_12(tmp_path, manifest))
    assert_terminal_safe(output)
    assert f"a\\x0d{FAKE_VALID}\\x9b2J\\u202e" in output


# ---------------------------------------------------------------- one XML refusal policy (item 3)

DOCTYPES = [
    ("external subset", '<!DOCTYPE {root} SYSTEM "http://evil.example/x.dtd">'),
    ("public identifier", '<!DOCTYPE {root} PUBLIC "-//X//DTD X//EN" "file:///etc/passwd">'),
    ("empty internal subset", "<!DOCTYPE {root} []>"),
    ("bare doctype", "<!DOCTYPE {root}>"),
    ("internal entity", '<!DOCTYPE {root} [<!ENTITY e "x">]>'),
    ("external entity (XXE)", '<!DOCTYPE {root} [<!ENTITY e SYSTEM "file:///etc/passwd">]>'),
    ("parameter entity", '<!DOCTYPE {root} [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'),
]


def descriptor_zip(tmp_path, kind: str):
    """(package path, descriptor name, root element) for a valid package of each kind."""
    if kind == "imsmanifest.xml":
        return package_12(tmp_path), "manifest"
    if kind == "cmi5.xml":
        return hostile.cmi5_units(tmp_path, 1), "courseStructure"
    return hostile.tincan_activities(tmp_path, 1), "tincan"


def with_doctype(path, name: str, doctype: str):
    with zipfile.ZipFile(path) as zf:
        files = {i.filename: zf.read(i) for i in zf.infolist()}
    text = files[name].decode()
    head, sep, rest = text.partition("?>")
    files[name] = (head + sep + "\n" + doctype + "\n" + rest if sep else doctype + "\n" + text).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for entry, data in files.items():
            zf.writestr(entry, data)
    return path


@pytest.mark.parametrize("kind", ["imsmanifest.xml", "cmi5.xml", "tincan.xml"])
@pytest.mark.parametrize(("what", "doctype"), DOCTYPES, ids=[d[0] for d in DOCTYPES])
def test_every_descriptor_refuses_every_doctype_alike(tmp_path, kind, what, doctype):
    path, root = descriptor_zip(tmp_path, kind)
    assert validate_package(path).exit_code == 0, validate_package(path).format_text()
    report = validate_package(with_doctype(path, kind, doctype.format(root=root)))
    assert report.exit_code == 2, report.format_text()
    assert [(p.file, p.field) for p in report.problems] == [(kind, "DOCTYPE")], report.format_text()
    assert report.problems[0].message.startswith("the document has a DOCTYPE")
    assert "package descriptors with a DOCTYPE are refused" in report.problems[0].message
    assert "/etc/passwd" not in report.format_text().replace(doctype.format(root=root), "")


COLLISIONS = [
    ("the manifest twice", {"imsmanifest.xml": MANIFEST_12, "IMSMANIFEST.XML": MANIFEST_12}),
    ("a content file", {"imsmanifest.xml": MANIFEST_12, "index.html": "a", "Index.HTML": "b"}),
    ("a file and a folder entry", {"imsmanifest.xml": MANIFEST_12, "index.html": "a", "media": "", "Media/": ""}),
    ("Unicode normal forms", {"imsmanifest.xml": MANIFEST_12, "index.html": "a",
                              unicodedata.normalize("NFC", "é.png"): "", unicodedata.normalize("NFD", "é.png"): ""}),
]


@pytest.mark.parametrize(("what", "files"), COLLISIONS, ids=[c[0] for c in COLLISIONS])
def test_names_that_collide_on_a_case_insensitive_disk_are_refused(tmp_path, what, files):
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    report = validate_package(path)
    assert report.exit_code == 2, report.format_text()
    assert any("differ only in letter case" in p.message for p in report.problems), report.format_text()


def test_a_folder_with_colliding_names_is_refused(tmp_path):
    from scorm_builder.validate import validate_directory

    (tmp_path / "imsmanifest.xml").write_text(MANIFEST_12)
    (tmp_path / "IMSMANIFEST.XML").write_text(MANIFEST_12)
    report = validate_directory(tmp_path)
    assert report.exit_code == 2 and "differ only in letter case" in report.format_text()


@pytest.mark.parametrize(("what", "text", "shown"), HOSTILE_TEXT, ids=[c[0] for c in HOSTILE_TEXT])
def test_records_pull_uses_the_same_escaping(what, text, shown):
    from scorm_builder.records.pull import shown as pull_shown

    assert pull_shown(text) == shown
