"""The pure part of the records: one statement → fact, void or problem; facts → a record."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from records_fixtures.statements import Learner, new_course, new_registration, session, statement, voiding

from scorm_builder.errors import Problem
from scorm_builder.records.derive import (
    CourseInfo,
    Fact,
    Void,
    course_iris,
    derive_record,
    parse_duration,
    read_statement,
    reported_score,
)

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)


def facts_of(course, statements) -> list[Fact]:
    found = [read_statement(s, course_iris(course.iri)) for s in statements]
    assert not any(isinstance(f, Problem) for f in found), found
    return [f for f in found if isinstance(f, Fact)]


def test_course_level_statements_become_facts_and_others_are_ignored():
    course, reg = new_course(), new_registration()
    statements = session(course, Learner("a", "Ana"), reg, T0, outcome="passed", score=0.8, launched=True,
                         completed=True)
    facts = facts_of(course, statements)
    assert [f.verb for f in facts] == ["launched", "initialized", "completed", "passed", "terminated"]
    passed = facts[3]
    assert (passed.success, passed.score_scaled, passed.score_raw, passed.duration_seconds) == (True, 0.8, 8, 720)
    assert (passed.version, passed.package_hash) == ("1.0.0", course.package["hash"])
    assert passed.learner.identifier == "a" and passed.learner.home_page == "https://lms.example.org"
    assert passed.registration == reg and passed.session_id


def test_au_object_counts_for_the_course_and_other_courses_do_not():
    course, other = new_course(), new_course()
    au = statement(course, Learner("a"), new_registration(), "initialized", T0, obj=course.au)
    assert read_statement(au, course_iris(course.iri)).course_iri == course.iri
    assert read_statement(statement(other, Learner("a"), new_registration(), "initialized", T0),
                          course_iris(course.iri)) is None


def test_voiding_statement():
    course = new_course()
    target = statement(course, Learner("a"), new_registration(), "passed", T0)
    void = read_statement(voiding(target, T0), course_iris(course.iri))
    assert isinstance(void, Void) and void.voided_id == target["id"]
    broken = voiding(target, T0)
    broken["object"] = {"objectType": "Activity", "id": course.iri}
    problem = read_statement(broken, course_iris(course.iri))
    assert isinstance(problem, Problem) and problem.field == "object"


@pytest.mark.parametrize("change, field", [
    (lambda s: s.update(id="nope"), "id"),
    (lambda s: s.update(actor={"objectType": "Group", "member": []}), "actor"),
    (lambda s: s.update(actor={"mbox": "mailto:a@b.c", "account": {"homePage": "h", "name": "n"}}), "actor"),
    (lambda s: s.update(actor={"account": {"homePage": "", "name": "n"}}), "actor.account"),
    (lambda s: s.update(timestamp="yesterday"), "timestamp"),
    (lambda s: s.update(result={"score": {"scaled": 1.5}}), "result.score.scaled"),
    (lambda s: s.update(result={"score": {"raw": 12, "min": 0, "max": 10}}), "result.score.raw"),
    (lambda s: s.update(result={"score": {"min": 5, "max": 5}}), "result.score"),
    (lambda s: s.update(result={"score": {"scaled": "0.5"}}), "result.score.scaled"),
    (lambda s: s.update(result={"completion": 1}), "result.completion"),
    (lambda s: s.update(result={"duration": "PT"}), "result.duration"),
    (lambda s: s.update(result={"duration": "01:02:03"}), "result.duration"),
    (lambda s: s["context"].update(registration=42), "context.registration"),
])
def test_malformed_course_statements_are_problems_naming_the_field(change, field):
    course = new_course()
    raw = statement(course, Learner("a"), new_registration(), "passed", T0)
    change(raw)
    problem = read_statement(raw, course_iris(course.iri))
    assert isinstance(problem, Problem), problem
    assert problem.field == field
    assert problem.file.startswith("statement ")


def test_not_an_object_and_statements_without_id():
    assert isinstance(read_statement("x", {}), Problem)
    course = new_course()
    raw = statement(course, Learner("a"), new_registration(), "passed", T0)
    del raw["id"]
    assert read_statement(raw, course_iris(course.iri)).file == "statement (no id)"


def test_other_identifiers_and_missing_registration():
    course = new_course()
    raw = statement(course, Learner("a"), new_registration(), "initialized", T0)
    raw["actor"] = {"mbox": "mailto:Ana@Example.ORG", "name": "Ana"}
    del raw["context"]["registration"]
    fact = read_statement(raw, course_iris(course.iri))
    assert fact.learner.identifier == "mailto:Ana@example.org" and fact.registration == ""
    assert fact.learner.kind == "mbox" and fact.learner.home_page == ""


def test_raw_score_without_scaled_is_scaled():
    course = new_course()
    raw = statement(course, Learner("a"), new_registration(), "passed", T0,
                    result={"success": True, "score": {"raw": 15, "min": 10, "max": 20}})
    assert read_statement(raw, course_iris(course.iri)).score_scaled == pytest.approx(0.5)


@pytest.mark.parametrize("text, seconds", [
    ("PT12M30.5S", 750.5), ("PT1H", 3600), ("P1DT1S", 86401), ("P2W", 14 * 86400), ("PT0,5S", 0.5), ("PT0S", 0),
])
def test_durations(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


def test_record_rules_retry_then_pass():
    course, reg = new_course(), new_registration()
    learner = Learner("c", "Cleo")
    statements = session(course, learner, reg, T0, outcome="failed", score=0.6, minutes=10)
    statements += session(course, learner, reg, T0 + timedelta(days=1), outcome="passed", score=0.85, minutes=12,
                          completed=True)
    record = derive_record(facts_of(course, statements), CourseInfo(course.iri, ce_hours=2.5, requires_pass=True))
    assert (record.result, record.earned, record.attempts, record.sessions) == ("passed", True, 2, 2)
    assert (record.best_score, record.last_score, record.ce_hours) == (0.85, 0.85, 2.5)
    assert record.total_seconds == 22 * 60
    assert record.completed_at.date() == (T0 + timedelta(days=1)).date()
    assert record.first_launch_at == T0 + timedelta(seconds=1)
    assert record.learner.name == "Cleo"


def test_record_rules_pass_then_lower_retry_keeps_pass_and_best_score():
    course, reg, learner = new_course(), new_registration(), Learner("d")
    statements = session(course, learner, reg, T0, outcome="passed", score=0.9)
    statements += session(course, learner, reg, T0 + timedelta(hours=1), outcome="failed", score=0.7)
    record = derive_record(facts_of(course, statements))
    assert (record.result, record.best_score, record.last_score) == ("passed", 0.9, 0.7)
    assert record.completed_at == facts_of(course, statements)[1].timestamp


def test_record_rules_completion_only():
    course, reg = new_course(), new_registration()
    facts = facts_of(course, session(course, Learner("e"), reg, T0, completed=True, minutes=30))
    assert derive_record(facts).earned  # the course's rule unknown: completion counts
    no_final = derive_record(facts, CourseInfo(course.iri, ce_hours=1.0, requires_pass=False))
    assert (no_final.result, no_final.earned, no_final.ce_hours) == ("completed", True, 1.0)
    needs_pass = derive_record(facts, CourseInfo(course.iri, ce_hours=1.0, requires_pass=True))
    assert (needs_pass.earned, needs_pass.ce_hours, needs_pass.completed_at) == (False, 0.0, None)


def test_time_without_terminated_falls_back_to_the_longest_outcome():
    course, reg = new_course(), new_registration()
    facts = [f for f in facts_of(course, session(course, Learner("f"), reg, T0, outcome="passed", score=1,
                                                 minutes=7, completed=True)) if f.verb != "terminated"]
    assert derive_record(facts).total_seconds == 7 * 60


def test_version_comes_from_the_deciding_statement():
    course, reg, learner = new_course(), new_registration(), Learner("g")
    old = session(course, learner, reg, T0, outcome="passed", score=1)
    course.package = {"version": "1.1.0", "hash": "sha256:" + "ef" * 32}
    newer = session(course, learner, reg, T0 + timedelta(days=3), outcome="failed", score=0.2)
    record = derive_record(facts_of(course, old + newer))
    assert record.version == "1.0.0"  # the pass was on 1.0.0


def test_incomplete_and_empty():
    course = new_course()
    facts = facts_of(course, session(course, Learner("h"), new_registration(), T0, minutes=3))
    record = derive_record(facts, CourseInfo(course.iri, ce_hours=1.0))
    assert (record.result, record.earned, record.ce_hours, record.attempts, record.sessions) == \
           ("incomplete", False, 0.0, 0, 1)
    assert derive_record([]) is None
    with pytest.raises(ValueError):
        derive_record(facts + facts_of(course, session(course, Learner("i"), new_registration(), T0)))


def test_launch_root_activity_with_the_course_in_grouping_is_the_course():
    """A cmi5 LMS launches with its own activityId; the player's course-level statements are about
    it and name the course in grouping. Pages and questions below the course stay ignored."""
    course, reg = new_course(), new_registration()
    root = "https://lms.example.org/cmi5/activities/7f3a"
    statements = session(course, Learner("r"), reg, T0, outcome="passed", score=0.9, root=root)
    facts = facts_of(course, statements)
    assert [f.verb for f in facts] == ["initialized", "passed", "terminated"]
    assert {f.course_iri for f in facts} == {course.iri}
    no_grouping = statement(course, Learner("r"), reg, "passed", T0, obj=root, grouping=False)
    assert read_statement(no_grouping, course_iris(course.iri)) is None


def test_attempts_come_from_the_assessment_statements_when_the_player_sends_them():
    """The player sends passed/failed about the final assessment once per graded attempt, and
    about the course once; three failed attempts are three attempts, with the best one's score."""
    course, reg, ana = new_course(), new_registration(), Learner("a", "Ana")
    final = course.iri + "/assessment/final"
    check = course.iri + "/page/intro-p1"
    tries = [statement(course, ana, reg, "failed", T0 + timedelta(minutes=n), obj=final,
                       result={"success": False, "score": {"scaled": scaled}})
             for n, scaled in enumerate((0.4, 0.7, 0.5))]
    other = statement(course, ana, reg, "passed", T0, obj=check)  # not an assessment: ignored
    closing = statement(course, ana, reg, "failed", T0 + timedelta(minutes=5),
                        result={"success": False, "score": {"scaled": 0.5}})
    facts = facts_of(course, tries + [other, closing])
    assert [f.verb for f in facts] == ["attempt", "attempt", "attempt", "failed"]
    record = derive_record(facts)
    assert (record.result, record.attempts, record.best_score, record.last_score) == ("failed", 3, 0.7, 0.5)


REPORTED = [
    # best, last, result, rule, reported
    (0.7, 0.5, "failed", "best", 0.7),
    (0.7, 0.5, "failed", "last", 0.5),
    (0.7, 0.5, "incomplete", "last", 0.5),
    (0.9, 0.7, "passed", "best", 0.9),
    (0.9, 0.7, "passed", "last", 0.9),  # a pass never loses ground to a lower retake
    (0.85, 0.85, "passed", "last", 0.85),
    (None, None, "completed", "last", None),
]


@pytest.mark.parametrize(("best", "last", "result", "rule", "reported"), REPORTED)
def test_the_reported_score_follows_the_course_rule(best, last, result, rule, reported):
    assert reported_score(best, last, result, rule) == reported


def test_an_unknown_score_rule_is_refused():
    with pytest.raises(ValueError, match="best or last"):
        reported_score(0.5, 0.5, "failed", "highest")
