"""`records report`: the statistics against values computed by hand on a small cohort (ties, a
negative-discrimination question, a retry), on SQLite and PostgreSQL; the pure formulas alone;
the JSON and CSV forms; the command's errors."""
from __future__ import annotations

import csv
import io
import json
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from records_fixtures.statements import Course as FixtureCourse
from records_fixtures.statements import Learner, statement

from scorm_builder.load import load_course
from scorm_builder.records import cli, stats
from scorm_builder.records.derive import course_iris, read_statement
from scorm_builder.records.report import build_report, write_csv, write_json
from scorm_builder.records.store import open_store

COURSE_DIR = Path(__file__).parent / "records_fixtures" / "report_course"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
LRS = "http://lrs.test/xAPI/"

# First attempt at the final, per learner: the option chosen for q1..q4 (a is right everywhere).
#            q1   q2   q3   q4      correct  total
FIRST = {
    "l1": ("a", "a", "a", "b"),  # 1 1 1 0   3  (tie with l2: the upper group)
    "l2": ("a", "a", "a", "b"),  # 1 1 1 0   3
    "l3": ("a", "a", "b", "c"),  # 1 1 0 0   2  (ties with l4, l5: all join the lower group)
    "l4": ("a", "b", "b", "a"),  # 1 0 0 1   2
    "l5": ("a", "b", "b", "a"),  # 1 0 0 1   2
    "l6": ("b", "b", "b", "a"),  # 0 0 0 1   1
}
# q4 is answered right by the weaker learners and wrong (B) by the stronger ones.
SECOND = {"l3": ("a", "a", "a", "a")}  # l3 fails (50 %, mastery 75 %), then passes with 100 %
SECONDS = {"l1": 600, "l2": 600, "l3": 900, "l4": 500, "l5": 400, "l6": 300, "l7": 60}


def plays() -> list[dict]:
    course = FixtureCourse("report-course", base="https://courses.example.org/xapi/")
    loaded, _ = load_course(COURSE_DIR)
    pages = [p.id for p in loaded.pages]
    found = []
    for number, name in enumerate(sorted(SECONDS)):
        who, reg = Learner(name, name.upper()), f"00000000-0000-4000-8000-00000000000{number}"
        t = T0 + timedelta(days=number)

        def add(verb, obj=None, result=None, step=60, parent=None):
            nonlocal t
            t += timedelta(seconds=step)
            s = statement(course, who, reg, verb, t, obj=obj, result=result, session="s-" + name)
            if parent:
                s["context"]["contextActivities"]["parent"] = [{"id": course.below("assessment", parent)}]
            found.append(s)

        add("initialized", step=0)
        add("experienced", course.below("page", pages[0]), step=10)
        if name == "l7":  # stops in the first lesson
            add("terminated", result={"duration": f"PT{SECONDS[name]}S"})
            continue
        add("experienced", course.below("page", pages[1]))
        for attempt in (FIRST, SECOND):
            if name not in attempt:
                continue
            right = 0
            for q, choice in enumerate(attempt[name], start=1):
                add("answered", course.below("question", f"q{q}"),
                    {"response": choice, "success": choice == "a", "duration": "PT5S"}, parent="final")
                right += choice == "a"
            passed = right >= 3
            add("passed" if passed else "failed", course.below("assessment", "final"),
                {"success": passed, "score": {"scaled": right / 4}, "completion": True})
            if passed:
                add("passed", result={"success": True, "score": {"scaled": right / 4}})
        add("terminated", result={"duration": f"PT{SECONDS[name]}S"})
    return found


@pytest.fixture
def cohort(db_url):
    loaded, _ = load_course(COURSE_DIR)
    courses = course_iris("https://courses.example.org/xapi/report-course")
    with open_store(db_url) as store:
        found = [read_statement(s, courses) for s in plays()]
        assert all(f is not None and not hasattr(f, "field") for f in found)
        store.apply_page(LRS, "test", found[::2], [], [], None)  # in two pages, the second page first
        store.apply_page(LRS, "test", found[1::2], [], [], None)
        yield store, loaded


def test_report_statistics_match_the_hand_computed_values(cohort):
    store, course = cohort
    report = build_report(store, course, small=3)
    assert report.learners == 7
    assert [(s.label.split(":")[0], s.learners) for s in report.funnel] == [
        ("Launched", 7), ("Lesson 1 reached", 7), ("Lesson 2 reached", 6), ("Final assessment attempted", 6),
        ("Final assessment passed", 3), ("Completed (course requirements met)", 3)]
    assert [(c.label, c.learners) for c in report.stops] == [
        ("in lesson 1: First lesson", 1), ("at the final assessment (attempted, not passed)", 3)]
    assert [(c.label, c.learners) for c in report.attempts_to_pass] == [("1", 2), ("2", 1)]
    assert {c.label: c.learners for c in report.scores if c.learners} == {
        "20–29%": 1, "50–59%": 2, "70–79%": 2, "90–100%": 1}  # best scores 75 75 100 50 50 25
    assert report.score_spread == stats.Spread(6, 62.5, 50, 75, 25, 100)
    assert report.time_to_complete == stats.Spread(3, 600, 600, 750, 600, 900)  # l1 l2 (a tie), l3
    # page 1 -> page 2: 60 s in lesson one; lesson two's one page is the last shown, its time unknown
    assert [(t.lesson, t.seconds.n, t.seconds.median) for t in report.lesson_times] == [("one", 6, 60),
                                                                                         ("two", 0, None)]

    items = {i.question_id: i for i in report.items}
    # difficulty: first attempts only (l3's second attempt does not count)
    assert {q: (i.n, i.correct) for q, i in items.items()} == {"q1": (6, 5), "q2": (6, 3), "q3": (6, 2),
                                                               "q4": (6, 3)}
    # Kelley groups: 27 % of 6 = 2; the upper is l1, l2 (3/4); ties at 2/4 all join the lower (l3-l6)
    assert all((i.upper_n, i.lower_n) == (2, 4) for i in items.values())
    assert {q: i.d for q, i in items.items()} == pytest.approx({"q1": 0.25, "q2": 0.75, "q3": 1.0, "q4": -0.75})
    # corrected point-biserial, by hand: q4 = -9/sqrt(99), q1 = 1/sqrt(10)
    assert items["q4"].r == pytest.approx(-9 / math.sqrt(99))
    assert items["q1"].r == pytest.approx(1 / math.sqrt(10))
    q4 = items["q4"]
    assert [(o.label, o.chosen, o.upper, o.lower, o.correct) for o in q4.options] == [
        ("A", 3, 0, 3, True), ("B", 2, 2, 0, False), ("C", 1, 0, 1, False)]
    assert q4.flags == ["negative discrimination (r = -0.90): stronger learners chose B"]
    assert items["q1"].flags == ["option C chosen by 0%: not a working distractor"]
    assert [o.share for o in items["q1"].options] == pytest.approx([5 / 6, 1 / 6, 0])
    # KR-20 over the six complete first attempts: 4/3 (1 - (31/36) / (102/216))
    assert report.reliability.n == 6 and report.reliability.k == 4
    assert report.reliability.kr20 == pytest.approx(4 / 3 * (1 - (31 / 36) / (102 / 216)))
    # mastery (75 %) in the latest attempt: o1 by l1 l2 l3, o2 by l3 (its second attempt) only
    assert [(o.id, o.assessed, o.mastered) for o in report.objectives] == [("o1", 6, 3), ("o2", 6, 1)]


def test_small_groups_are_marked_and_not_flagged(cohort):
    store, course = cohort
    report = build_report(store, course)  # the default: groups under 10 learners are small
    assert all(stage.small for stage in report.funnel)
    assert all(item.small and item.flags == [] for item in report.items)
    assert report.reliability.kr20 is None and "needs at least 10" in report.reliability.note


def test_dates_select_the_cohort_by_first_launch(cohort):
    store, course = cohort
    report = build_report(store, course, start=T0 + timedelta(days=1), end=T0 + timedelta(days=3), small=3)
    assert report.learners == 2  # l2 (day 1) and l3 (day 2)
    assert {i.question_id: i.n for i in report.items} == {"q1": 2, "q2": 2, "q3": 2, "q4": 2}


def test_json_and_csv_carry_the_same_statistics(cohort):
    store, course = cohort
    report = build_report(store, course, small=3)
    out = io.StringIO()
    write_json(report, out)
    data = json.loads(out.getvalue())
    assert data["format"] == "scorm-builder-report/1" and data["learners"] == 7
    q4 = next(i for i in data["items"] if i["question_id"] == "q4")
    assert q4["d"] == pytest.approx(-0.75) and q4["flags"] == report.items[3].flags
    out = io.StringIO()
    write_csv(report, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    got = {(r["section"], r["subject"], r["measure"]): r for r in rows}
    assert got[("funnel", "Lesson 2 reached: Second lesson", "learners")]["value"] == "6"
    assert got[("item", "q4", "discrimination_d")]["value"] == "-0.75"
    assert got[("item", "q4", "option B chosen")]["value"] == "2"
    assert got[("reliability", "final", "kr20")]["n"] == "6"


@pytest.mark.parametrize("values, expected", [
    ([], stats.Spread(0, None, None, None, None, None)),
    ([5], stats.Spread(1, 5, 5, 5, 5, 5)),
    ([1, 2, 3, 4], stats.Spread(4, 2.5, 1.75, 3.25, 1, 4)),  # Hyndman & Fan 7, as numpy and Excel
    ([3, 1, 3, 3], stats.Spread(4, 3, 2.5, 3, 1, 3)),  # ties
])
def test_spread(values, expected):
    assert stats.spread(values) == expected


@pytest.mark.parametrize("n, p, r, d, extra, expected", [
    (20, 0.97, 0.3, 0.3, {}, ["very easy: 97% correct"]),
    (20, 0.2, 0.3, 0.3, {}, ["very hard: 20% correct"]),
    (20, 0.6, 0.1, 0.3, {}, ["weak discrimination (r = 0.10): it barely separates stronger from weaker learners"]),
    (20, 0.6, None, -0.2, {}, ["negative discrimination (D = -0.20): weaker learners answered it correctly more "
                               "often than stronger ones"]),
    (20, 1.0, None, 0.0, {}, ["very easy: 100% correct"]),  # no contrast to judge when everyone agrees
    (9, 0.99, -0.5, -0.5, {}, []),  # a small group: nothing flagged
    (20, 0.6, 0.4, 0.5, {"rare": [("D", 0.02)]}, ["option D chosen by 2%: not a working distractor"]),
])
def test_item_flags(n, p, r, d, extra, expected):
    assert stats.item_flags(n, p, r, d, **extra) == expected


def test_upper_lower_groups_with_ties_everywhere():
    assert stats.upper_lower_groups([0.5] * 8) == stats.Groups(frozenset(), frozenset(), None, None)
    groups = stats.upper_lower_groups([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])  # 27 % of 10 = 3
    assert groups.upper == {7, 8, 9} and groups.lower == {0, 1, 2}


def test_kr20_of_a_perfect_guttman_pattern():
    rows = [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]]
    # totals 3 2 1 0: variance 1.25; p = .75 .5 .25: sum pq = .1875 + .25 + .1875 = .625
    assert stats.kr20(rows) == pytest.approx(1.5 * (1 - 0.625 / 1.25))
    assert stats.kr20([[1, 0], [1, 0]]) is None  # no variance


def test_report_command_errors(tmp_path, capsys):
    db = tmp_path / "none.sqlite"
    assert cli.main(["records", "report", "--course", str(COURSE_DIR), "--db", str(db),
                     "--out", str(tmp_path / "r.html")]) == 2
    assert "there is no records database here" in capsys.readouterr().err
    assert cli.main(["records", "report", "--course", str(tmp_path), "--out", str(tmp_path / "r.html")]) == 1
    assert "the course does not load" in capsys.readouterr().err
    assert cli.main(["records", "report", "--course", str(COURSE_DIR), "--from", "May 1st",
                     "--out", str(tmp_path / "r.html")]) == 2
    assert "--from: 'May 1st' is not a date" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_report_command_writes_each_format(cohort, db_url, tmp_path, capsys):
    for fmt in ("html", "json", "csv"):
        out = tmp_path / f"report.{fmt}"
        assert cli.main(["records", "report", "--course", str(COURSE_DIR), "--db", db_url, "--out", str(out),
                         "--format", fmt]) == 0, capsys.readouterr().err
        assert "(7 learner(s), 4 question(s))" in capsys.readouterr().err
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["learners"] == 7 and [s["learners"] for s in data["funnel"]] == [7, 7, 6, 6, 3, 3]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.count('role="img"') == 5 and "<script" not in page
    assert "Content-Security-Policy" in page and "small group (n = 7)" in page
