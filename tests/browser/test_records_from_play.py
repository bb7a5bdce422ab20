"""Completion records from real plays: learners take the empathy course's cmi5 package in chromium
(pass, fail, retry-then-pass, incomplete), the statements land in the real LRS (Ralph), and the
agency's `records pull` turns them into records, which are asserted; then `records report` on
them, whose funnel, score and item tables must match the plays (and the statements they sent)."""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from lxml import html as lxml_html

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
    registrations, sent = {}, {}
    started = datetime.now(timezone.utc) - timedelta(seconds=1)
    for learner_id, play in plays.items():
        reg, open_au = launcher(learner_id)
        play(open_au)
        sent[learner_id] = statements_of(lrs_client, reg)  # every session delivered, through terminated
        registrations[learner_id] = reg

    for db in (f"sqlite:///{tmp_path / 'records.sqlite'}", postgres_cluster.new_database()):
        check_pulled_records(db, empathy, expected, lrs, registrations, capsys)
        check_report(db, empathy, expected, sent, started, tmp_path, capsys)


def first_attempt_answers(statements: list[dict], final_iri: str, question_iris: set[str]) -> dict[str, dict]:
    """question IRI -> {success, response} of the answers sent before the first graded attempt."""
    found = {}
    for s in sorted(statements, key=lambda s: s["timestamp"]):
        if s["object"]["id"] == final_iri and s["verb"]["id"].endswith(("/passed", "/failed")):
            break
        if s["verb"]["id"].endswith("/answered") and s["object"]["id"] in question_iris:
            found[s["object"]["id"]] = s["result"]
    return found


def check_report(db, empathy, expected, sent, started, tmp_path, capsys):
    """`records report` (JSON and HTML) on the pulled plays: the figures the plays must give."""
    base = ["records", "report", "--course", str(COURSES["empathy"]), "--db", db, "--from", started.isoformat()]
    out = tmp_path / "report.json"
    assert main(base + ["--format", "json", "--out", str(out)]) == 0, capsys.readouterr().err
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["learners"] == 4
    funnel = {stage["label"].split(":")[0]: stage["learners"] for stage in report["funnel"]}
    lessons = len(empathy.lessons)
    assert funnel["Launched"] == 4
    assert funnel[f"Lesson {lessons} reached"] == 2  # rec-pass and rec-retry walk every lesson
    assert funnel["Lesson 1 reached"] >= 3  # ... and rec-incomplete reads lesson 1's pages
    assert (funnel["Final assessment attempted"], funnel["Final assessment passed"]) == (3, 2)
    assert funnel["Completed (course requirements met)"] == 2
    assert {c["label"]: c["learners"] for c in report["attempts_to_pass"]} == {"1": 1, "2": 1}
    final_iri = expected["xapi"]["assessments"][empathy.final.id]
    best = {who: max((s["result"]["score"]["scaled"] * 100 for s in found if s["object"]["id"] == final_iri
                      and s["verb"]["id"].endswith(("/passed", "/failed"))), default=None) for who, found in sent.items()}
    assert best["rec-pass"] == 100 and best["rec-retry"] == 93.75 and best["rec-fail"] < 20 and best["rec-incomplete"] is None
    bands = Counter("90–100%" if b >= 90 else f"{int(b // 10) * 10}–{int(b // 10) * 10 + 9}%"
                    for b in best.values() if b is not None)
    assert {c["label"]: c["learners"] for c in report["scores"] if c["learners"]} == bands
    assert report["score_spread"]["median"] == pytest.approx(93.75)  # 100 (pass), 93.75 (retry), under 20 (fail)
    stops = {c["label"]: c["learners"] for c in report["stops"]}
    assert stops["at the final assessment (attempted, not passed)"] == 1
    assert sum(stops.values()) == 2

    # item analysis of the final: the first attempts, exactly as the learners' statements say
    question_iris = {i["iri"] for i in report["items"] if i["final"]}
    firsts = {who: first_attempt_answers(found, final_iri, question_iris) for who, found in sent.items()}
    assert not firsts["rec-incomplete"]
    by_type = {q.id: q.type.value for q in empathy.final.questions}
    for item in (i for i in report["items"] if i["final"]):
        answers = [f[item["iri"]] for f in firsts.values() if item["iri"] in f]
        assert item["n"] == len(answers) and item["correct"] == sum(a["success"] for a in answers)
        # rec-pass answers right; rec-fail and rec-retry answer choice, true-false and fill-in wrong first
        wrong_first = by_type[item["question_id"]] in ("single-choice", "multiple-response", "true-false", "fill-in")
        assert item["correct"] == sum(1 if who == "rec-pass" or not wrong_first else 0
                                      for who, f in firsts.items() if item["iri"] in f)
        if item["options"]:
            chosen = Counter(part for a in answers for part in a["response"].split("[,]"))
            assert {o["id"]: o["chosen"] for o in item["options"]} == {o["id"]: chosen[o["id"]] for o in item["options"]}
        assert item["small"] and item["flags"] == []  # 3 learners: a small group, nothing flagged
    assert report["reflections"] and all(r["responses"] == [] for r in report["reflections"])
    assert max(r["learners"] for r in report["reflections"]) == 2  # the two who walked every lesson

    # the page shows the same funnel in its table; reflections stay private without --include-responses
    page = tmp_path / "report.html"
    assert main(base + ["--out", str(page)]) == 0, capsys.readouterr().err
    tree = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    table = tree.xpath("//table[caption[starts-with(normalize-space(), 'Learners at each stage')]]")[0]
    rows = {r.xpath("string(th)").split(":")[0]: int(r.xpath("string(td[1])")) for r in table.xpath("tbody/tr")}
    assert rows == funnel
    assert "They put their phone away" not in page.read_text(encoding="utf-8")
    assert main(base + ["--out", str(page), "--include-responses"]) == 0
    assert "They put their phone away" in page.read_text(encoding="utf-8")


def check_pulled_records(db, empathy, expected, lrs, registrations, capsys):
    """`records pull` into `db`, then each learner's record, then a second pull that adds nothing."""
    # `--secret=VALUE`: a random secret may begin with "-", which argparse would take for an option
    args = ["records", "pull", "--lrs", lrs.endpoint, "--key", lrs.admin.username, f"--secret={lrs.admin.password}",
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
