"""Export (CSV that opens cleanly in a spreadsheet, JSON), certificates and verification codes,
and the database schema (the migrations create exactly schema.py; both on SQLite and PostgreSQL)."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from records_fixtures.statements import Learner, new_course, new_registration, session

from scorm_builder.records import cli
from scorm_builder.records.certificate import (
    ALPHABET,
    format_code,
    issue,
    new_code,
    normalise_code,
    render_html,
    render_pdf,
    verify,
)
from scorm_builder.records.derive import CourseInfo, course_iris, read_statement
from scorm_builder.records.export import COLUMNS, neutralise, write_csv, write_json
from scorm_builder.records.store import Store, open_store

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)



def load(store: Store, course, statements) -> None:
    """Statements into the store the way a pull writes them (one page)."""
    found = [read_statement(s, course_iris(course.iri)) for s in statements]
    store.apply_page("http://lrs.test/xAPI/", "test", [f for f in found if hasattr(f, "record_key")],
                     [f for f in found if hasattr(f, "voided_id")], [], None)


@pytest.fixture
def roster(store):
    course = new_course()
    info = CourseInfo(course.iri, course.id, "Empathy for CRS", 1.5, True, "Example Agency")
    store.set_course(info)
    statements = session(course, Learner("u1", "=HYPERLINK(\"http://evil\",\"x\")"), new_registration(), T0,
                         outcome="passed", score=0.875)
    statements += session(course, Learner("u2", "José Müller"), new_registration(), T0 + timedelta(days=10),
                          outcome="passed", score=0.8)
    statements += session(course, Learner("+u3", "-Minus @At"), new_registration(), T0, outcome="failed", score=0.3)
    statements += session(course, Learner("u4", "Dana\tTab"), new_registration(), T0, minutes=2)
    load(store, course, statements)
    return store, course, info


def test_csv_opens_with_the_csv_module_and_neutralises_formulas(roster):
    store, course, _ = roster
    buffer = io.StringIO(newline="")
    assert write_csv(store.iter_records(course.iri), buffer) == 4
    data = buffer.getvalue().encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the names right
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == list(COLUMNS)
    by_id = {r["learner_id"]: r for r in rows}
    assert by_id["u1"]["learner_name"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert by_id["'+u3"]["learner_name"] == "'-Minus @At"
    assert by_id["u4"]["learner_name"] == "Dana\tTab"  # a tab inside is harmless; only a leading one is not
    assert by_id["u2"]["learner_name"] == "José Müller"
    assert by_id["u1"]["score_percent"] == "87.5" and by_id["u1"]["ce_hours"] == "1.5"
    assert by_id["u1"]["completion_date"] == "2024-05-01" and by_id["u1"]["result"] == "passed"
    assert by_id["u1"]["course"] == course.id and by_id["u1"]["course_title"] == "Empathy for CRS"
    assert by_id["u4"]["result"] == "incomplete" and by_id["u4"]["completion_date"] == ""
    assert by_id["u1"]["version"] == "1.0.0"
    assert b"\r\n" in data
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("value, shown", [("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
                                          ("\rx", "'\rx"), ("plain", "plain"), (3.5, 3.5), (None, None)])
def test_neutralise(value, shown):
    assert neutralise(value) == shown


def test_json_shape_and_date_range(roster, tmp_path):
    store, course, _ = roster
    buffer = io.StringIO()
    assert write_json(store.iter_records(course.iri, T0, T0 + timedelta(days=1)), buffer, {"course": course.iri}) == 1
    data = json.loads(buffer.getvalue())
    assert data["format"] == "scorm-builder-records/1" and data["filters"] == {"course": course.iri}
    [record] = data["records"]
    assert set(record) == set(COLUMNS)
    assert record["learner_id"] == "u1" and record["score_percent"] == 87.5 and record["ce_hours"] == 1.5
    assert record["attempts"] == 1 and record["total_minutes"] == 12.0
    assert record["completed_at"].startswith("2024-05-01T09:") and record["completed_at"].endswith("Z")
    empty = io.StringIO()
    write_json(iter(()), empty)
    assert json.loads(empty.getvalue())["records"] == []


def test_export_command_writes_csv_and_json_with_inclusive_dates(roster, db_url, tmp_path, capsys):
    _, course, _ = roster
    out = tmp_path / "roster.csv"
    assert cli.main(["records", "export", "--db", db_url, "--course", course.iri, "--from", "2024-05-01",
                     "--to", "2024-05-11", "--out", str(out)]) == 0
    with out.open(encoding="utf-8-sig", newline="") as f:
        assert sorted(r["learner_id"] for r in csv.DictReader(f)) == ["u1", "u2"]
    assert cli.main(["records", "export", "--db", db_url, "--format", "json", "--to", "2024-05-10"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["learner_id"] for r in data["records"]] == ["u1"]
    assert cli.main(["records", "export", "--db", db_url, "--from", "not-a-date"]) == 2
    assert "--from: 'not-a-date' is not a date" in capsys.readouterr().err


# --- certificates ---------------------------------------------------------------------------------------------


def test_codes_are_random_typable_and_forgiving():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    code = next(iter(codes))
    assert len(code) == 16 and set(code) <= set(ALPHABET)
    shown = format_code(code)
    assert shown.count("-") == 3
    assert normalise_code(shown.lower()) == code
    assert normalise_code(" ".join(shown.split("-"))) == code
    assert normalise_code("0O1I-L000-0000-0000") == "0011100000000000"
    assert normalise_code("too-short") is None and normalise_code("U" * 16) is None


def test_certificate_fields_and_verification(roster, db_url, tmp_path, capsys):
    store, _, info = roster
    certificate = issue(store, "u2", info)
    assert issue(store, "u2", info).code == certificate.code  # issued once
    html = render_html(certificate, "letter")
    for text in ("Empathy for CRS", "José Müller", "11 May 2024", "1.5", certificate.display_code, "Example Agency"):
        assert text in html
    assert "size: letter landscape" in html
    assert "http://" not in html and "https://" not in html and "<script" not in html  # nothing external
    hostile = issue(store, "u1", info)
    assert "=HYPERLINK(&#34;http://evil&#34;" in render_html(hostile) or "&quot;" in render_html(hostile)

    found = verify(store, certificate.display_code.lower())
    assert found.valid and found.certificate.learner_name == "José Müller"
    assert verify(store, "0000-0000-0000-0000") is None and verify(store, "garbage") is None

    assert cli.main(["records", "verify", certificate.display_code, "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("valid: ") and "José Müller (u2)" in out and "Empathy for CRS" in out
    assert "2024-05-11" in out and "1.5 CE hour(s)" in out
    assert cli.main(["records", "verify", "ZZZZ-ZZZZ-ZZZZ-ZZZZ", "--db", db_url]) == 1
    assert "unknown code" in capsys.readouterr().err


def test_no_certificate_without_a_completion(roster):
    store, _, info = roster
    from scorm_builder.records.errors import RecordsError

    for learner in ("+u3", "u4", "nobody"):
        with pytest.raises(RecordsError) as failure:
            issue(store, learner, info)
        assert failure.value.exit_code == 1 and "no completion" in str(failure.value)


def test_certificate_command_and_revocation(tmp_path, capsys, monkeypatch):
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    course = new_course()
    statements = session(course, Learner("v1", "Vic"), new_registration(), T0, outcome="passed", score=0.9)
    with open_store(db) as opened:
        opened.set_course(CourseInfo(course.iri, course.id, "Course V", 2.0, True))
        load(opened, course, statements)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["records", "certificate", "v1", "--course", course.iri, "--db", db]) == 0
    line = capsys.readouterr().out
    code = line.rsplit(" ", 1)[-1].strip()
    assert (tmp_path / f"certificate-{code}.html").exists() and "Course V" in line
    assert cli.main(["records", "certificate", "nobody", "--course", course.iri, "--db", db]) == 1
    assert "no completion" in capsys.readouterr().err

    # the pass is voided in the LRS and pulled: the code now answers "revoked"
    from records_fixtures.statements import voiding

    passed = next(s for s in statements if s["verb"]["id"].endswith("/passed"))
    with open_store(db) as opened:
        load(opened, course, [voiding(passed, T0 + timedelta(days=1))])
    assert cli.main(["records", "verify", code, "--db", db]) == 1
    assert capsys.readouterr().err.startswith("revoked: ")


def test_pdf_certificate(roster, tmp_path):
    pytest.importorskip("weasyprint", reason="PDF needs the optional WeasyPrint (pip install 'scorm-builder[pdf]')")
    store, _, info = roster
    pdf = render_pdf(render_html(issue(store, "u1", info)))
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000


# --- the schema -----------------------------------------------------------------------------------------------


def test_migrations_create_exactly_the_schema(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from scorm_builder.records.schema import metadata

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
        assert context.get_current_revision() == "0003"


def test_reopening_upgrades_nothing_and_keeps_data(roster, db_url):
    store, _, _ = roster
    before = store.counts()
    with open_store(db_url) as again:
        assert again.counts() == before


def test_apply_page_is_idempotent(roster):
    store, course, _ = roster
    before = store.counts()
    evidence = store.evidence(next(store.iter_records(course.iri)).key)
    assert evidence
    outcome = store.apply_page("http://lrs.test/xAPI/", "test", [], [], [], None)
    assert outcome.new_statements == 0 and store.counts() == before


def test_reading_commands_do_not_create_a_database(tmp_path, capsys):
    missing = tmp_path / "typo.sqlite"
    assert cli.main(["records", "verify", "ZZZZ-ZZZZ-ZZZZ-ZZZZ", "--db", str(missing)]) == 2
    assert cli.main(["records", "export", "--db", f"sqlite:///{missing}"]) == 2
    err = capsys.readouterr().err
    assert "there is no records database here" in err and "hint: run 'scorm-builder records pull' first" in err
    assert not missing.exists()


@pytest.mark.parametrize(("rule", "shown"), [("best", {"r1": 60.0, "r2": 90.0}), ("last", {"r1": 40.0, "r2": 90.0})])
def test_score_percent_follows_the_course_score_rule(store, rule, shown):
    """Two failed tries (60 then 40), and a pass at 90 then a lower retake at 70 (a new package
    version): `best` reports 60 and 90, `last` 40 and still 90 (a pass never loses ground)."""
    course = new_course()
    statements = session(course, Learner("r1"), new_registration(), T0, outcome="failed", score=0.6)
    statements += session(course, Learner("r1"), statements[0]["context"]["registration"], T0 + timedelta(hours=1),
                          outcome="failed", score=0.4)
    registration = new_registration()
    statements += session(course, Learner("r2"), registration, T0, outcome="passed", score=0.9)
    statements += session(course, Learner("r2"), registration, T0 + timedelta(days=1), outcome="failed", score=0.7)
    load(store, course, statements)
    out = io.StringIO()
    write_csv(store.iter_records(course.iri), out, rule)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert {row["learner_id"]: float(row["score_percent"]) for row in rows} == shown
    assert {row["learner_id"]: float(row["last_score_percent"]) for row in rows} == {"r1": 40.0, "r2": 70.0}
