"""Completion records from real plays: learners take the empathy course's cmi5 package in chromium
(pass, fail, retry-then-pass, incomplete), the statements land in the real LRS (Ralph), and the
agency's `records pull` turns them into records, which are asserted."""
from __future__ import annotations

import pytest

from scorm_builder.cli import main
from scorm_builder.records.store import open_store

from .cmi5_lms.runs import pass_final, walk
from .conftest import COURSES
from .harness import Learner
from .test_cmi5_lms import statements_of


def play_pass(open_au, empathy):
    run = open_au()
    learner = Learner(run, empathy)
    walk(learner, run)
    pass_final(learner)
    learner.press(learner.button("Exit"))
    return run


def play_fail(open_au, empathy, attempts: int):
    run = open_au()
    learner = Learner(run, empathy)
    learner.open_contents_link(empathy.final.title)
    for attempt in range(attempts):
        pass_final(learner, wrong=99)
        if attempt < attempts - 1:
            learner.press(learner.button("Try again"))
    run.leave()


def play_retry_then_pass(open_au, empathy):
    run = open_au()
    learner = Learner(run, empathy)
    walk(learner, run)
    pass_final(learner, wrong=99)
    learner.press(learner.button("Try again"))
    pass_final(learner, wrong=1)  # one wrong of 16: 93.75%, above the 80% mastery
    learner.press(learner.button("Exit"))


def play_incomplete(open_au, empathy):
    run = open_au()
    learner = Learner(run, empathy)
    walk(learner, run, pages=3)
    run.leave()


def test_records_from_played_cmi5_sessions(launcher, empathy, expected, lrs, lrs_client, postgres_cluster, tmp_path,
                                           capsys):
    plays = {
        "rec-pass": lambda open_au: play_pass(open_au, empathy),
        "rec-fail": lambda open_au: play_fail(open_au, empathy, empathy.completion.attempts),
        "rec-retry": lambda open_au: play_retry_then_pass(open_au, empathy),
        "rec-incomplete": lambda open_au: play_incomplete(open_au, empathy),
    }
    registrations = {}
    for learner_id, play in plays.items():
        reg, open_au = launcher(learner_id)
        play(open_au)
        statements_of(lrs_client, reg)  # every session delivered, through terminated
        registrations[learner_id] = reg

    for db in (f"sqlite:///{tmp_path / 'records.sqlite'}", postgres_cluster.new_database()):
        check_pulled_records(db, empathy, expected, lrs, registrations, capsys)


def check_pulled_records(db, empathy, expected, lrs, registrations, capsys):
    """`records pull` into `db`, then each learner's record, then a second pull that adds nothing."""
    args = ["records", "pull", "--lrs", lrs.endpoint, "--key", lrs.admin.username, "--secret", lrs.admin.password,
            "--course", str(COURSES["empathy"]), "--db", db]
    assert main(args) == 0, capsys.readouterr().err
    with open_store(db) as store:
        rows = {row.learner_identifier: row for row in store.iter_records(expected["xapi"]["course"])}
    assert set(registrations) <= set(rows)

    passed, failed, retried, partial = (rows[k] for k in ("rec-pass", "rec-fail", "rec-retry", "rec-incomplete"))
    for row, learner_id in ((passed, "rec-pass"), (failed, "rec-fail"), (retried, "rec-retry"),
                            (partial, "rec-incomplete")):
        assert row.registration == registrations[learner_id].id
        assert row.version == expected["package"]["version"] and row.package_hash == expected["package"]["hash"]
        assert row.first_launch_at is not None and row.statement_count > 0
    # scores are kept scaled (0..1), as the statements carry them
    assert (passed.result, passed.earned, passed.best_score, passed.attempts) == ("passed", True, 1, 1)
    assert passed.completed_at is not None and passed.ce_hours == empathy.ce_hours
    assert (failed.result, failed.earned, failed.attempts) == ("failed", False, empathy.completion.attempts)
    assert failed.completed_at is None and not failed.ce_hours
    assert (retried.result, retried.earned, retried.attempts) == ("passed", True, 2)
    assert retried.best_score == pytest.approx(0.9375) and retried.last_score == pytest.approx(0.9375)
    assert (partial.result, partial.earned, partial.attempts, partial.best_score) == ("incomplete", False, 0, None)
    assert passed.total_seconds and passed.total_seconds > 0

    # a second pull adds nothing
    assert main(args) == 0
    with open_store(db) as store:
        again = {row.learner_identifier: row.statement_count for row in store.iter_records(expected["xapi"]["course"])}
    assert again == {k: v.statement_count for k, v in rows.items()}
