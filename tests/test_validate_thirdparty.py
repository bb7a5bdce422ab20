"""Packages made by other tools, obtained at test time; skipped with a reason when absent.

* npm `simple-scorm-packager@0.2.7` (a SCORM packager: its output is real third-party packages).
  Looked for in `$SCORM_BUILDER_NODE_MODULES` or `<repo>/node_modules`; needs `node`.
* PyPI `scormhost==0.1.0` sdist, which ships `tests/fixtures/minimal-scorm12/` (a SCORM 1.2
  package folder). Looked for, unpacked, in `$SCORM_BUILDER_THIRD_PARTY` or
  `<repo>/build/third-party` (as `scormhost-0.1.0/`).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from validate_fixtures import REPO

from scorm_builder.validate import Report, validate_directory, validate_package

NODE_MODULES = Path(os.environ.get("SCORM_BUILDER_NODE_MODULES", REPO / "node_modules"))
PACKAGER = NODE_MODULES / "simple-scorm-packager"
THIRD_PARTY = Path(os.environ.get("SCORM_BUILDER_THIRD_PARTY", REPO / "build" / "third-party"))
SCORMHOST_FIXTURE = THIRD_PARTY / "scormhost-0.1.0" / "tests" / "fixtures" / "minimal-scorm12"

GENERATE = """
const packager = require(process.argv[1]);
const [version, source, out] = process.argv.slice(2);
packager({version, organization: 'Test Co', title: 'Test Course', masteryScore: 80,
          startingPage: 'index.html', source,
          package: {zip: true, outputFolder: out, version: '1.0.0', date: '2020-01-01'}},
         () => {});
"""

needs_packager = pytest.mark.skipif(
    shutil.which("node") is None or not (PACKAGER / "package.json").is_file(),
    reason=f"npm simple-scorm-packager@0.2.7 not installed in {NODE_MODULES} (or node missing); "
    "add it to package.json devDependencies and run npm ci",
)
needs_scormhost = pytest.mark.skipif(
    not (SCORMHOST_FIXTURE / "imsmanifest.xml").is_file(),
    reason=f"PyPI scormhost==0.1.0 sdist not unpacked into {THIRD_PARTY}",
)


def packager_version() -> str:
    return json.loads((PACKAGER / "package.json").read_text())["version"]


def generate(tmp_path: Path, version: str) -> Path:
    source = tmp_path / "src"
    (source / "css").mkdir(parents=True)
    (source / "index.html").write_text("<html><body>Lesson</body></html>")
    (source / "css" / "site.css").write_text("body{}")
    out = tmp_path / "out"
    subprocess.run(["node", "-e", GENERATE, str(PACKAGER), version, str(source), str(out)],
                   check=True, capture_output=True, timeout=120, cwd=tmp_path)
    [package] = out.glob("*.zip")
    return package


def rewrite(src: Path, dst: Path, drop: tuple[str, ...] = (), manifest: bytes | None = None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = manifest if manifest is not None and info.filename == "imsmanifest.xml" else zin.read(info)
            zout.writestr(info.filename, data)
    return dst


def manifest_of(package: Path) -> bytes:
    with zipfile.ZipFile(package) as zf:
        return zf.read("imsmanifest.xml")


def without_misplaced_metadata(manifest: bytes) -> bytes:
    """simple-scorm-packager 0.2.7 puts <metadata> inside <resources> and after an item's
    extension elements, where the IMS CP schemas allow none: remove exactly those."""
    root = etree.fromstring(manifest)
    for el in list(root.iter("{*}metadata")):
        if etree.QName(el.getparent()).localname in ("resources", "item"):
            el.getparent().remove(el)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def errors(report: Report) -> set[tuple[str, str]]:
    return {(p.field, p.message) for p in report.problems if p.is_error}


@needs_packager
@pytest.mark.parametrize(("version", "standard", "edition"), [
    ("1.2", "scorm12", "1.2"),
    ("2004 3rd Edition", "scorm2004", "2004 3rd Edition"),
    ("2004 4th Edition", "scorm2004", "2004 4th Edition"),
])
def test_simple_scorm_packager_output(tmp_path: Path, version: str, standard: str, edition: str):
    if packager_version() != "0.2.7":
        pytest.skip(f"expectations are for simple-scorm-packager 0.2.7, found {packager_version()}")
    package = generate(tmp_path, version)
    report = validate_package(package)
    assert (report.standard, report.edition, report.readable) == (standard, edition, True)
    # its known defect, found by the official schemas: misplaced <metadata> (and nothing else)
    assert report.exit_code == 1
    assert {field for field, _ in errors(report)} == {"metadata"}
    assert all("not expected" in message for _, message in errors(report))
    assert [p for p in report.problems if not p.is_error] == []

    repaired = rewrite(package, tmp_path / "repaired.zip", manifest=without_misplaced_metadata(manifest_of(package)))
    assert validate_package(repaired).ok, validate_package(repaired).format_text()

    no_page = validate_package(rewrite(repaired, tmp_path / "no-page.zip", drop=("index.html",)))
    assert ("resource@href", '"index.html" is not in the package (looked for \'index.html\')') in errors(no_page)

    root = etree.fromstring(manifest_of(repaired))
    item = next(root.iter("{*}item"))
    item.set("identifierref", "missing_resource")
    broken = rewrite(repaired, tmp_path / "broken-ref.zip", manifest=etree.tostring(root))
    assert any(field == "item@identifierref" and "missing_resource" in message
               for field, message in errors(validate_package(broken)))


@needs_scormhost
def test_scormhost_fixture_folder_is_valid():
    report = validate_directory(SCORMHOST_FIXTURE)
    assert report.ok and report.standard == "scorm12", report.format_text()


def zip_folder(folder: Path, path: Path, drop: tuple[str, ...] = (), manifest: bytes | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(folder.rglob("*")):
            name = file.relative_to(folder).as_posix()
            if file.is_file() and name not in drop:
                zf.writestr(name, manifest if manifest is not None and name == "imsmanifest.xml" else file.read_bytes())
    return path


@needs_scormhost
def test_scormhost_fixture_zipped_and_broken_copies(tmp_path: Path):
    assert validate_package(zip_folder(SCORMHOST_FIXTURE, tmp_path / "ok.zip")).ok
    missing = validate_package(zip_folder(SCORMHOST_FIXTURE, tmp_path / "missing.zip", drop=("index.html",)))
    assert missing.exit_code == 1
    assert {"resource@href", "file@href"} <= {p.field for p in missing.problems if p.is_error}
    text = (SCORMHOST_FIXTURE / "imsmanifest.xml").read_bytes().replace(
        b'identifierref="resource_1"', b'identifierref="resource_9"')
    broken = validate_package(zip_folder(SCORMHOST_FIXTURE, tmp_path / "broken.zip", manifest=text))
    assert any(p.field == "item@identifierref" and "resource_9" in p.message for p in broken.problems)
