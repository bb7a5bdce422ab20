"""Item-level facts kept by the pull: questions answered and pages experienced, with the attempt
at the final each answer belongs to; on SQLite and PostgreSQL, from the real LRS (Ralph) and page
by page through the store (late deliveries, voids, re-reads), and the 0001 -> 0002 migration."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from records_fixtures.statements import Learner, new_course, new_registration, session, statement, voiding

from scorm_builder.errors import Problem
from scorm_builder.records.derive import Item, course_iris, read_statement
from scorm_builder.records.pull import LrsSource, pull
from scorm_builder.records.store import open_store

NOW = datetime.now(timezone.utc)
LRS = "http://lrs.test/xAPI/"


def answered(course, learner, reg, when, question, response, success, parent="final"):
    s = statement(course, learner, reg, "answered", when, obj=course.below("question", question),
                  result={"response": response, "success": success, "duration": "PT4.5S"})
    s["context"]["contextActivities"]["parent"] = [{"objectType": "Activity",
                                                    "id": course.below("assessment", parent)}]
    return s


def graded(course, learner, reg, when, passed, score):
    return statement(course, learner, reg, "passed" if passed else "failed", when,
                     obj=course.below("assessment", "final"),
                     result={"success": passed, "score": {"scaled": score}, "completion": True})


def read_all(course, statements):
    return [read_statement(s, course_iris(course.iri)) for s in statements]


def test_answered_and_experienced_are_read_as_items():
    course, ana, reg = new_course(), Learner("ana", "Ana"), new_registration()
    s = answered(course, ana, reg, NOW, "q1", "b[,]c", False)
    item = read_statement(s, course_iris(course.iri))
    assert isinstance(item, Item)
    assert (item.verb, item.activity_iri, item.parent_iri) == ("answered", course.below("question", "q1"),
                                                               course.below("assessment", "final"))
    assert (item.response, item.success, item.duration_seconds, item.registration) == ("b[,]c", False, 4.5, reg)
    assert item.learner.identifier == "ana"
    page = read_statement(statement(course, ana, reg, "experienced", NOW, obj=course.below("page", "p1")),
                          course_iris(course.iri))
    assert isinstance(page, Item) and (page.verb, page.response, page.success) == ("experienced", None, None)


@pytest.mark.parametrize("change, expected", [
    # (what is done to an answered statement, what read_statement gives)
    (lambda s, c: s["object"].update(id=c.iri + "/question/"), None),  # no question id
    (lambda s, c: s["object"].update(id="https://other.example.org/x/question/q1"), None),  # another course
    (lambda s, c: s["object"].update(id=c.iri + "/page/p1"), None),  # answered about a page: not an item
    (lambda s, c: s["verb"].update(id="http://adlnet.gov/expapi/verbs/interacted"), None),
    (lambda s, c: s["result"].update(response=["a"]), "result.response"),
    (lambda s, c: s["result"].update(success="yes"), "result.success"),
    (lambda s, c: s["result"].update(duration="4 seconds"), "result.duration"),
    (lambda s, c: s.update(id="not-a-uuid"), "id"),
    (lambda s, c: s.pop("actor"), "actor"),
])
def test_malformed_or_foreign_item_statements(change, expected):
    course = new_course()
    s = answered(course, Learner("ana"), new_registration(), NOW, "q1", "a", True)
    change(s, course)
    found = read_statement(s, course_iris(course.iri))
    if expected is None:
        assert found is None
    else:
        assert isinstance(found, Problem) and found.field == expected


def test_items_numbered_by_attempt_whatever_the_delivery_order(store):
    course, ben, reg = new_course(), Learner("ben"), new_registration()
    t = NOW - timedelta(hours=1)
    first = [statement(course, ben, reg, "initialized", t),
             statement(course, ben, reg, "experienced", t + timedelta(seconds=5), obj=course.below("page", "p1")),
             answered(course, ben, reg, t + timedelta(seconds=10), "q1", "a", False),
             answered(course, ben, reg, t + timedelta(seconds=20), "q2", "true", True),
             graded(course, ben, reg, t + timedelta(seconds=21), False, 0.5)]
    second = [answered(course, ben, reg, t + timedelta(seconds=30), "q1", "c", True),
              answered(course, ben, reg, t + timedelta(seconds=40), "q2", "true", True),
              graded(course, ben, reg, t + timedelta(seconds=41), True, 1.0)]
    # the second attempt arrives first (a late delivery from another device), then the first
    assert store.apply_page(LRS, "s", read_all(course, second), [], [], None).new_items == 2
    key = (course.iri, f'["account","{ben.home}","ben"]', reg)
    assert [i["attempt"] for i in store.items(key)] == [1, 1]  # no graded attempt known before them yet
    outcome = store.apply_page(LRS, "s", read_all(course, first), [], [], None)
    assert outcome.new_items == 3 and outcome.new_statements == 2  # initialized, failed
    rows = store.items(key)
    assert [(i["verb"], i["activity_iri"].rsplit("/", 1)[1], i["response"], i["success"], i["attempt"])
            for i in rows] == [("experienced", "p1", None, None, None),
                               ("answered", "q1", "a", False, 1), ("answered", "q2", "true", True, 1),
                               ("answered", "q1", "c", True, 2), ("answered", "q2", "true", True, 2)]
    assert all(i["duration_seconds"] == 4.5 for i in rows if i["verb"] == "answered")
    assert rows[1]["parent_iri"] == course.below("assessment", "final")

    # a re-read adds nothing
    counts = store.counts()
    again = store.apply_page(LRS, "s", read_all(course, first + second), [], [], None)
    assert (again.new_items, again.new_statements) == (0, 0) and store.counts() == counts

    # voiding the first graded attempt: the answers before the second count as attempt 1 again
    void = read_statement(voiding(first[-1], NOW), course_iris(course.iri))
    store.apply_page(LRS, "v", [], [void], [], None)
    assert [i["attempt"] for i in store.items(key) if i["verb"] == "answered"] == [1, 1, 1, 1]
    # voiding an answer marks it, and only it
    store.apply_page(LRS, "v", [], [read_statement(voiding(second[0], NOW), course_iris(course.iri))], [], None)
    assert [i["id"] for i in store.items(key) if i["voided_by"]] == [second[0]["id"]]
    assert len(store.items(key, include_voided=False)) == 4


def test_pull_keeps_items_from_the_lrs_incrementally(lrs, lrs_client, store):
    course, cleo, reg = new_course(), Learner("cleo"), new_registration()
    statements = session(course, cleo, reg, NOW - timedelta(minutes=40), outcome="passed", score=0.9,
                         questions=4, pages=3)
    for start in range(0, len(statements), 200):
        assert lrs_client.post_statements(statements[start:start + 200]).status in (200, 204)
    source = LrsSource(lrs.endpoint, lrs.admin.username, lrs.admin.password)
    report = pull(store, source, course.iri, page_size=4)
    assert report.problem_count == 0
    assert store.counts()["items"] == 7
    record = next(store.iter_records(course.iri))
    rows = store.items(record.key)
    assert [r["verb"] for r in rows] == ["experienced"] * 3 + ["answered"] * 4
    assert [r["success"] for r in rows[3:]] == [True, False, True, False]
    assert {r["id"] for r in rows} == {s["id"] for s in statements if s["verb"]["id"].endswith(("/answered",
                                                                                              "/experienced"))}
    counts = store.counts()
    pull(store, source, course.iri, page_size=4)
    assert store.counts() == counts


def test_upgrade_from_0001_keeps_the_records(db_url):
    from alembic import command
    from sqlalchemy import create_engine, inspect, text

    from scorm_builder.records.store import alembic_config, database_url

    engine = create_engine(database_url(db_url))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
        conn.execute(text("INSERT INTO learners (key, kind, identifier, home_page, name) "
                          "VALUES ('k', 'account', 'dee', 'https://lms', 'Dee')"))
    with engine.connect() as conn:
        assert "items" not in inspect(conn).get_table_names()
    engine.dispose()
    with open_store(db_url) as store:
        counts = store.counts()
    assert counts["learners"] == 1 and counts["items"] == 0


LONG = "x" * 3000


TOO_LONG = [
    # every string the records database keeps in a bounded column, too long for it (PostgreSQL would refuse it)
    ("actor.account", lambda s, c: s["actor"]["account"].update(name=LONG)),
    ("context.extensions[https://w3id.org/xapi/cmi5/context/extensions/sessionid]",
     lambda s, c: s["context"]["extensions"].update({"https://w3id.org/xapi/cmi5/context/extensions/sessionid": LONG})),
    ("version", lambda s, c: s["context"]["extensions"].update({c.base + "extensions/package": {
        "version": LONG, "hash": "sha256:00"}})),
    ("hash", lambda s, c: s["context"]["extensions"].update({c.base + "extensions/package": {
        "version": "1", "hash": LONG}})),
    ("object.id", lambda s, c: s["object"].update(id=c.iri + "/question/" + LONG)),
]


@pytest.mark.parametrize("field, change, verb", [(f, c, v) for f, c in TOO_LONG for v in ("answered", "passed")
                                                 if (f, v) != ("object.id", "passed")])  # its object is the course
def test_values_too_long_for_the_database_are_rejected_not_a_crash(store, field, change, verb):
    course, eve, reg = new_course(), Learner("eve"), new_registration()
    if verb == "answered":
        s = answered(course, eve, reg, NOW, "q1", "a", True)
    else:
        s = statement(course, eve, reg, "passed", NOW, result={"success": True})
    change(s, course)
    found = read_statement(s, course_iris(course.iri))
    assert isinstance(found, Problem) and field.split(".")[0] in found.field and "at most" in found.message
    good = answered(course, eve, reg, NOW, "q2", "b", False)
    outcome = store.apply_page(LRS, "s", [read_statement(good, course_iris(course.iri))], [], [found], None)
    assert outcome.new_items == 1 and store.counts()["rejected"] == 1
