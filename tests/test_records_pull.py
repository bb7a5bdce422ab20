"""Pulling records from the real LRS (Ralph) into SQLite and PostgreSQL: the scenarios an agency
meets (pass, fail, retry-then-pass, incomplete, voided, cmi5 AU statements), incremental pulls,
and bad input (unreachable LRS, wrong credentials, malformed statements, a pull killed midway)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from records_fixtures.statements import Learner, new_course, new_registration, session, statement, voiding
from support import edit

from scorm_builder.records import cli
from scorm_builder.records.derive import derive_record
from scorm_builder.records.errors import RecordsError
from scorm_builder.records.pull import LrsSource, pull
from scorm_builder.records.store import Store, open_store

NOW = datetime.now(timezone.utc)



def post(lrs_client, statements: list[dict]) -> None:
    for start in range(0, len(statements), 200):
        response = lrs_client.post_statements(statements[start:start + 200])
        assert response.status in (200, 204), response.body[:300]


def source(lrs) -> LrsSource:
    return LrsSource(lrs.endpoint, lrs.admin.username, lrs.admin.password)


def by_learner(store: Store, course_iri: str) -> dict[str, object]:
    return {r.learner_identifier: r for r in store.iter_records(course_iri)}


def scenario_statements(course, start: datetime) -> tuple[dict[str, str], list[dict], dict]:
    """Five learners, one per scenario. Returns registrations, statements and the passed statement
    of the learner whose pass gets voided later."""
    regs = {name: new_registration() for name in ("ana", "ben", "cleo", "dev", "eve")}
    ana, ben, cleo, dev, eve = (Learner(n, n.title() + " Example") for n in regs)
    found = []
    found += session(course, ana, regs["ana"], start, outcome="passed", score=0.9, minutes=20, launched=True,
                     completed=True)
    found += session(course, ben, regs["ben"], start, outcome="failed", score=0.5, minutes=15)
    found += session(course, cleo, regs["cleo"], start, outcome="failed", score=0.6, minutes=10)
    found += session(course, cleo, regs["cleo"], start + timedelta(days=1), outcome="passed", score=0.85,
                     minutes=12, completed=True)
    found += session(course, dev, regs["dev"], start, minutes=5)  # incomplete: pages, no outcome
    eve_sitting = session(course, eve, regs["eve"], start, outcome="failed", score=0.4, minutes=8)
    eve_sitting += session(course, eve, regs["eve"], start + timedelta(hours=2), outcome="passed", score=0.95,
                           minutes=9)
    eve_pass = next(s for s in eve_sitting if s["verb"]["id"].endswith("/passed"))
    return regs, found + eve_sitting, eve_pass


def test_scenarios_pulled_into_records(lrs, lrs_client, store):
    course = new_course()
    regs, statements, eve_pass = scenario_statements(course, NOW - timedelta(days=3))
    post(lrs_client, statements)

    report = pull(store, source(lrs), course.iri, page_size=7)
    assert report.problem_count == 0
    assert report.pages > 5  # really paged through `more`
    records = by_learner(store, course.iri)
    assert set(records) == set(regs)

    ana = records["ana"]
    assert (ana.result, ana.earned, ana.attempts, ana.sessions) == ("passed", True, 1, 1)
    assert ana.best_score == ana.last_score == pytest.approx(0.9)
    assert ana.total_seconds == pytest.approx(20 * 60)
    assert ana.learner_name == "Ana Example" and ana.registration == regs["ana"]
    assert ana.version == "1.0.0" and ana.package_hash == course.package["hash"]
    assert ana.completed_at is not None and ana.first_launch_at <= ana.completed_at
    assert ana.ce_hours is None  # pulled by --activity: hours unknown until the course is given

    ben = records["ben"]
    assert (ben.result, ben.earned, ben.completed_at, ben.attempts) == ("failed", False, None, 1)
    assert ben.best_score == pytest.approx(0.5)

    cleo = records["cleo"]
    assert (cleo.result, cleo.earned, cleo.attempts, cleo.sessions) == ("passed", True, 2, 2)
    assert cleo.best_score == pytest.approx(0.85) and cleo.last_score == pytest.approx(0.85)
    assert cleo.total_seconds == pytest.approx(22 * 60)

    dev = records["dev"]
    assert (dev.result, dev.earned, dev.attempts, dev.best_score) == ("incomplete", False, 0, None)
    assert dev.total_seconds == pytest.approx(5 * 60)

    # evidence: every course-level statement, nothing about pages or questions
    evidence = store.evidence(ana.key)
    assert [e["verb"] for e in evidence] == ["launched", "initialized", "completed", "passed", "terminated"]
    wanted = {s["id"] for s in statements if s["actor"]["account"]["name"] == "ana"
              and s["object"]["id"] == course.iri}
    assert {e["id"] for e in evidence} == wanted

    # incremental: a second pull adds nothing
    counts = store.counts()
    again = pull(store, source(lrs), course.iri, page_size=7)
    assert again.new_statements == 0 and again.new_voids == 0
    assert store.counts() == counts
    assert again.streams[f"activity:{course.iri}"] is not None  # started from the kept position

    # eve passed, then the LMS voids that pass (after it was pulled): eve is back to failed
    assert records["eve"].result == "passed"
    post(lrs_client, [voiding(eve_pass, datetime.now(timezone.utc))])
    third = pull(store, source(lrs), course.iri, page_size=7)
    assert third.new_voids == 1 and third.new_statements == 0
    eve = by_learner(store, course.iri)["eve"]
    assert (eve.result, eve.earned, eve.attempts, eve.best_score) == ("failed", False, 1, pytest.approx(0.4))
    voided = [e for e in store.evidence(eve.key) if e["voided_by"]]
    assert [e["id"] for e in voided] == [eve_pass["id"]]
    assert_records_match_evidence(store, course.iri)


def assert_records_match_evidence(store: Store, course_iri: str) -> None:
    """Every record equals what its non-voided evidence derives: nothing half-written."""
    from scorm_builder.records.store import _row_fact

    for record in store.iter_records(course_iri):
        rows = store.evidence(record.key, include_voided=False)
        learner = {"kind": record.learner_kind, "identifier": record.learner_identifier,
                   "home_page": record.learner_home_page, "name": record.learner_name}
        derived = derive_record([_row_fact({**row, **learner}) for row in rows], store.course(course_iri))
        assert derived is not None
        assert (derived.result, derived.attempts, derived.statement_count, derived.best_score) == \
               (record.result, record.attempts, record.statement_count, record.best_score)


def test_void_seen_before_its_target_and_new_statements_incrementally(lrs, lrs_client, store):
    course = new_course()
    zoe, reg = Learner("zoe"), new_registration()
    start = NOW - timedelta(minutes=30)
    first = session(course, zoe, reg, start, outcome="failed", score=0.3, minutes=6)
    post(lrs_client, first)
    assert pull(store, source(lrs), course.iri).new_statements == 3  # initialized, failed, terminated

    # later: a passing sitting, and a voiding statement for a statement pulled in the first run
    later = session(course, zoe, reg, datetime.now(timezone.utc), outcome="passed", score=0.8, minutes=7)
    failed = next(s for s in first if s["verb"]["id"].endswith("/failed"))
    post(lrs_client, later + [voiding(failed, datetime.now(timezone.utc))])
    report = pull(store, source(lrs), course.iri)
    assert (report.new_statements, report.new_voids) == (3, 1)
    record = by_learner(store, course.iri)["zoe"]
    assert (record.result, record.attempts, record.sessions) == ("passed", 1, 2)
    assert record.total_seconds == pytest.approx(13 * 60)


def test_cmi5_au_statements_count_for_the_course(lrs, lrs_client, store):
    course = new_course("cmi5")
    kim, reg = Learner("kim"), new_registration()
    post(lrs_client, session(course, kim, reg, NOW - timedelta(hours=1), outcome="passed", score=1.0, au=True))
    pull(store, source(lrs), course.iri)
    [record] = store.iter_records(course.iri)
    assert (record.course_iri, record.result, record.best_score) == (course.iri, "passed", 1.0)


def test_lms_launch_activity_ids_count_for_the_course(lrs, lrs_client, store):
    course = new_course("cmi5-lms")
    root = f"https://lms.example.org/cmi5/{new_registration()}"
    post(lrs_client, session(course, Learner("lms"), new_registration(), NOW - timedelta(hours=1), outcome="failed",
                             score=0.2, root=root))
    pull(store, source(lrs), course.iri)
    [record] = store.iter_records(course.iri)
    assert (record.result, record.attempts, len(store.evidence(record.key))) == ("failed", 1, 3)


def test_course_folder_gives_hours_title_and_the_rule(lrs, lrs_client, mini, tmp_path, capsys):
    course_id = "mini-" + new_course().id
    edit(mini / "course.yaml", "id: mini-course", f"id: {course_id}")
    course = new_course()
    course.id = course_id
    passer, completer = Learner("pat", "Pat Q"), Learner("chris")
    post(lrs_client, session(course, passer, new_registration(), NOW - timedelta(hours=5), outcome="passed",
                             score=0.8, completed=True)
         + session(course, completer, new_registration(), NOW - timedelta(hours=4), completed=True))
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    code = cli.main(["records", "pull", "--lrs", lrs.endpoint, f"--key={lrs.admin.username}",
                     f"--secret={lrs.admin.password}", "--course", str(mini), "--db", db])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert course.iri in out.out and "0 malformed" in out.out
    with open_store(db) as opened:
        records = by_learner(opened, course.iri)
        # mini's rule is "both" with a final: completing the pages without passing earns nothing
        assert (records["pat"].ce_hours, records["pat"].earned) == (0.5, True)
        assert (records["chris"].result, records["chris"].earned, records["chris"].ce_hours) == ("completed", False, 0.0)
        assert records["pat"].course_title == "A Small Test Course"


def test_hours_known_later_are_filled_in(lrs, lrs_client, mini, tmp_path):
    course = new_course()
    edit(mini / "course.yaml", "id: mini-course", f"id: {course.id}")
    post(lrs_client, session(course, Learner("lee"), new_registration(), NOW - timedelta(hours=2),
                             outcome="passed", score=0.9))
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    with open_store(db) as opened:
        pull(opened, source(lrs), course.iri)
        assert next(opened.iter_records(course.iri)).ce_hours is None
    assert cli.main(["records", "export", "--course", str(mini), "--db", db, "--format", "json",
                     "--out", str(tmp_path / "r.json")]) == 0
    with open_store(db) as opened:
        assert next(opened.iter_records(course.iri)).ce_hours == 0.5


# --- bad input ------------------------------------------------------------------------------------------------


def run_pull(lrs_endpoint: str, key: str, secret: str, iri: str, db: str, capsys) -> tuple[int, str, str]:
    code = cli.main(["records", "pull", "--lrs", lrs_endpoint, f"--key={key}", f"--secret={secret}",
                     "--activity", iri, "--db", db])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_unreachable_lrs_is_a_clear_error(lrs, tmp_path, capsys):
    from support import free_port

    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    code, _, err = run_pull(f"http://127.0.0.1:{free_port()}/xAPI/", "k", "s", new_course().iri, db, capsys)
    assert code == 2
    assert "cannot reach the LRS" in err and "hint:" in err and "Traceback" not in err
    with lrs.down():
        code, _, err = run_pull(lrs.endpoint, lrs.admin.username, lrs.admin.password, new_course().iri, db, capsys)
    assert code == 2 and "cannot reach the LRS" in err
    with open_store(db) as opened:
        assert opened.counts()["statements"] == 0 and opened.counts()["positions"] == 0


@pytest.mark.parametrize("who", ["wrong-secret", "write-only"])
def test_wrong_credentials_are_a_clear_error(lrs, lrs_client, tmp_path, capsys, who):
    key, secret = ((lrs.admin.username, "not-the-secret") if who == "wrong-secret"
                   else (lrs.writer.username, lrs.writer.password))
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    code, _, err = run_pull(lrs.endpoint, key, secret, new_course().iri, db, capsys)
    assert code == 2, err
    assert "refused the key (401" in err and "--key and --secret" in err and "Traceback" not in err


def test_not_an_lrs_and_bad_arguments(lrs, tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    code, _, err = run_pull(lrs.root + "/nothing-here/", "k", "s", new_course().iri, db, capsys)
    assert code == 2 and ("404" in err or "refused" in err)
    code, _, err = run_pull("ftp://example.org/", "k", "s", new_course().iri, db, capsys)
    assert code == 2 and "--lrs" in err
    code, _, err = run_pull(lrs.endpoint, "k", "s", new_course().iri, "mysql://x/y", capsys)
    assert code == 2 and "only SQLite and PostgreSQL" in err
    code, _, err = run_pull(lrs.endpoint, "k", "s", new_course().iri, f"sqlite:///{tmp_path}/no/such/dir/r.db", capsys)
    assert code == 2 and "cannot open the records database" in err


def test_malformed_statements_are_skipped_and_reported(lrs, lrs_client, store, capsys):
    course = new_course()
    ok_learner, reg = Learner("okay"), new_registration()
    good = session(course, ok_learner, reg, NOW - timedelta(hours=1), outcome="passed", score=0.9)
    bad_score = statement(course, Learner("s1"), new_registration(), "passed", NOW,
                          result={"success": True, "score": {"scaled": 7}})
    bad_duration = statement(course, Learner("s2"), new_registration(), "terminated", NOW,
                             result={"duration": "12 minutes"})
    bad_package = statement(course, Learner("s3"), new_registration(), "initialized", NOW, package={"version": 1})
    bad_registration = statement(course, Learner("s4"), "not-a-uuid", "initialized", NOW)
    malformed = [bad_score, bad_duration, bad_package, bad_registration]
    post(lrs_client, good + malformed)  # Ralph stores all of them (lax validation)

    report = pull(store, source(lrs), course.iri)
    assert report.problem_count == 4 and report.exit_code == 1
    named = {p.file.removeprefix("statement "): p for p in report.problems}
    assert set(named) == {s["id"] for s in malformed}
    assert named[bad_score["id"]].field == "result.score.scaled"
    assert named[bad_duration["id"]].field == "result.duration"
    assert named[bad_registration["id"]].field == "context.registration"
    assert "statement " + bad_duration["id"] + ": result.duration:" in named[bad_duration["id"]].format()
    assert {r["statement_id"] for r in store.rejected()} == set(named)
    assert {r.learner_identifier for r in store.iter_records(course.iri)} == {"okay"}


def test_malformed_statements_exit_1_from_the_cli(lrs, lrs_client, tmp_path, capsys):
    course = new_course()
    bad = statement(course, Learner("x"), new_registration(), "passed", NOW, result={"success": "yes"})
    post(lrs_client, [bad])
    code, out, err = run_pull(lrs.endpoint, lrs.admin.username, lrs.admin.password, course.iri,
                              f"sqlite:///{tmp_path / 'r.sqlite'}", capsys)
    assert code == 1
    assert f"statement {bad['id']}: result.success: is \"yes\", not true or false" in err
    assert "1 malformed statement(s) skipped" in out


class Killed(Exception):
    pass


def test_pull_killed_midway_leaves_whole_pages_and_resumes(lrs, lrs_client, store, db_url, monkeypatch, tmp_path):
    course = new_course()
    start = datetime.now(timezone.utc) - timedelta(minutes=2)  # Ralph's `since` compares timestamps
    learners = [Learner(f"k{n}") for n in range(6)]
    statements = []
    for n, learner in enumerate(learners):
        statements += session(course, learner, new_registration(), start, outcome="passed" if n % 2 else "failed",
                              score=0.5 + n / 20, questions=1, pages=1)
    post(lrs_client, statements)

    real = Store._recompute
    calls = {"n": 0}

    def dies_on_third_page(self, conn, keys, now):
        calls["n"] += 1
        if calls["n"] == 3:  # statements of this page are already inserted, in the open transaction
            raise Killed("killed")
        return real(self, conn, keys, now)

    monkeypatch.setattr(Store, "_recompute", dies_on_third_page)
    with pytest.raises(Killed):
        pull(store, source(lrs), course.iri, page_size=5)
    kept = store.counts()
    pages_done = 2  # pages carrying course statements that committed before the kill
    assert 0 < kept["statements"] < 6 * 3
    evidence_rows = sum(len(store.evidence(r.key)) for r in store.iter_records(course.iri))
    assert evidence_rows == kept["statements"]  # no statement without its record, no record half-derived
    assert_records_match_evidence(store, course.iri)
    assert calls["n"] > pages_done
    # an interrupted stream keeps its old position (none yet): Ralph pages newest first, so a
    # position taken from the pages read so far would pass over the older statements not yet read
    assert store.position(source(lrs).endpoint, f"activity:{course.iri}") is None

    monkeypatch.setattr(Store, "_recompute", real)
    resumed = pull(store, source(lrs), course.iri, page_size=5)
    assert resumed.streams[f"activity:{course.iri}"] is None  # read again from the start
    assert store.position(source(lrs).endpoint, f"activity:{course.iri}") is not None
    assert store.counts()["statements"] == 6 * 3
    with open_store(f"sqlite:///{tmp_path / 'clean.sqlite'}") as clean:
        pull(clean, source(lrs), course.iri, page_size=5)
        expected = {(r.learner_identifier, r.result, r.best_score, r.attempts) for r in clean.iter_records(course.iri)}
    got = {(r.learner_identifier, r.result, r.best_score, r.attempts) for r in store.iter_records(course.iri)}
    assert got == expected and len(got) == 6


def test_keyboard_interrupt_rolls_the_page_back(lrs, lrs_client, tmp_path, monkeypatch):
    course = new_course()
    post(lrs_client, session(course, Learner("q"), new_registration(), NOW, outcome="passed", score=0.9))
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"

    def interrupted(self, *args):
        raise KeyboardInterrupt

    monkeypatch.setattr(Store, "_advance", interrupted)  # the last step of a page's transaction
    with open_store(db) as opened, pytest.raises(KeyboardInterrupt):
        pull(opened, source(lrs), course.iri)
    with open_store(db) as opened:
        counts = opened.counts()
        assert counts["statements"] == counts["records"] == counts["learners"] == counts["positions"] == 0


def test_since_option_and_explicit_position(lrs, lrs_client, store):
    course = new_course()
    old = session(course, Learner("old"), new_registration(), NOW - timedelta(days=10), outcome="passed", score=1)
    new = session(course, Learner("new"), new_registration(), NOW - timedelta(minutes=1), outcome="passed", score=1)
    post(lrs_client, old + new)
    pull(store, source(lrs), course.iri, since=NOW - timedelta(days=1))
    assert {r.learner_identifier for r in store.iter_records(course.iri)} == {"new"}


def test_pull_requires_credentials(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SCORM_BUILDER_LRS_KEY", raising=False)
    code = cli.main(["records", "pull", "--lrs", "http://127.0.0.1:9/xAPI/", "--key", "k", "--activity",
                     "https://x.example/c", "--db", f"sqlite:///{tmp_path / 'r.sqlite'}"])
    assert code == 2 and "key and secret are required" in capsys.readouterr().err


def test_records_error_has_a_location():
    error = RecordsError("http://lrs/", "cannot reach the LRS: refused", "check it")
    assert str(error) == "http://lrs/: cannot reach the LRS: refused (hint: check it)"
