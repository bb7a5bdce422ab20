"""Records report benchmark: build time and peak memory for N learners x Q final questions.

A generated course (support.write_course: 5 lessons of 4 pages, knowledge checks, and a final of
`--questions` questions) and a records database filled directly (SQLAlchemy Core executemany; the
filling is not what is measured) with what pulls of N learners would leave: per learner a record,
its course-level statements, 20 pages experienced, every knowledge-check question answered, a first
attempt at the final and, for about a third, a second; answers right with a probability from a
simple ability model (so that the statistics have something to find). Then, in a child process
of its own, `build_report` + `render_html` (charts included) is timed, and the child's peak memory
(ru_maxrss) reported; the same for the JSON form. Each is run --runs times and the fastest shown
(wall and CPU time, with the load average: the machine may be shared).

Run: python benchmarks/records_report.py [--learners 10000] [--questions 30] [--postgres | --db postgresql://...]
     (without --db: a fresh SQLite file; with it, the tables of that database are filled: give an
     empty one)
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path
start, cpu = time.perf_counter(), time.process_time()
from scorm_builder.load import load_course
from scorm_builder.records.report import build_report, render_html, write_json
from scorm_builder.records.store import open_store
folder, db, fmt = sys.argv[1:4]
course, _ = load_course(Path(folder))
with open_store(db, create=False) as store:
    def server_cpu():  # the PostgreSQL backend's CPU seconds (/proc), 0 for SQLite (it runs in this process)
        if store.dialect != "postgresql":
            return 0.0
        with store.engine.connect() as conn:  # the pool hands the same connection to build_report
            pid = conn.exec_driver_sql("select pg_backend_pid()").scalar()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    server_before = server_cpu()
    built, built_cpu = time.perf_counter(), time.process_time()
    report = build_report(store, course)
    stats_s, stats_cpu = time.perf_counter() - built, time.process_time() - built_cpu
    server_s = server_cpu() - server_before
    out = Path(folder) / ("report." + fmt)
    with out.open("w", encoding="utf-8") as f:
        if fmt == "html":
            f.write(render_html(report))
        else:
            write_json(report, f)
print(json.dumps({"seconds": time.perf_counter() - start, "cpu_s": time.process_time() - cpu,
                  "statistics_s": stats_s, "statistics_cpu_s": stats_cpu, "server_cpu_s": server_s,
                  "learners": report.learners,
                  "items": len(report.items), "bytes": out.stat().st_size,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def fill(db: str, course, learners: int, seed: int = 7) -> dict[str, int]:
    from sqlalchemy import insert

    from scorm_builder.records import schema
    from scorm_builder.records.derive import learner_key
    from scorm_builder.records.store import open_store
    from scorm_builder.xapi import iris_for

    rng = random.Random(seed)
    iris = iris_for(course)
    final = course.final
    graded = [q for q in final.questions]
    difficulty = {q.id: rng.uniform(-2.0, 1.5) for a in course.assessments for q in a.questions}
    now = datetime.now(timezone.utc)
    lrs = "http://lrs.bench/xapi/"

    def response(q, right: bool) -> str:
        kind = q.type.value
        if kind in ("single-choice", "multiple-response"):
            good = [o.id for o in q.options if o.correct]
            bad = [o.id for o in q.options if not o.correct]
            return "[,]".join(good) if right else rng.choice(bad)
        if kind == "true-false":
            return ("true" if q.answer else "false") if right else ("false" if q.answer else "true")
        if kind == "reflection":
            return "A thought about the topic."
        return "right answer" if right else rng.choice(["wrong one", "another wrong", "no idea"])

    with open_store(db) as store, store.engine.begin() as conn:
        batch_items, batch_statements, batch_learners, batch_records = [], [], [], []

        def flush(force: bool = False):
            if force or len(batch_items) > 20000:
                if batch_learners:
                    conn.execute(insert(schema.learners), batch_learners)
                if batch_statements:
                    conn.execute(insert(schema.statements), batch_statements)
                if batch_records:
                    conn.execute(insert(schema.records), batch_records)
                if batch_items:
                    conn.execute(insert(schema.items), batch_items)
                for found in (batch_items, batch_statements, batch_learners, batch_records):
                    found.clear()

        for n in range(learners):
            ability = rng.gauss(0.8, 1.0)
            key = learner_key("account", "https://lms.example.org", f"learner-{n}")
            reg = str(uuid.UUID(int=n + 1))
            batch_learners.append({"key": key, "kind": "account", "identifier": f"learner-{n}",
                                   "home_page": "https://lms.example.org", "name": f"Learner {n}"})
            t = now - timedelta(days=60) + timedelta(minutes=n)
            session = f"s{n}"

            def item(verb, iri, parent=None, q=None, right=None, attempt=None):
                nonlocal t
                t += timedelta(seconds=rng.randint(20, 90))
                batch_items.append({
                    "id": str(uuid.uuid4()), "course_iri": iris.course, "learner_key": key, "registration": reg,
                    "verb": verb, "activity_iri": iri, "parent_iri": parent, "timestamp": t,
                    "response": None if q is None else response(q, right),
                    "success": None if q is None or q.type.value == "reflection" else right,
                    "score_scaled": None, "duration_seconds": None if q is None else 12.0, "attempt": attempt,
                    "session_id": session, "voided_by": None, "lrs": lrs, "pulled_at": now})

            def statement(verb, success=None, scaled=None, duration=None):
                batch_statements.append({
                    "id": str(uuid.uuid4()), "course_iri": iris.course, "learner_key": key, "registration": reg,
                    "verb": verb, "timestamp": t, "stored": t, "success": success, "completion": None,
                    "score_scaled": scaled, "score_raw": None, "score_min": None, "score_max": None,
                    "duration_seconds": duration, "session_id": session, "version": "1.0", "package_hash": None,
                    "voided_by": None, "lrs": lrs, "pulled_at": now})

            first_launch = t
            statement("initialized")
            stop = len(course.lessons) if rng.random() > 0.15 else rng.randrange(len(course.lessons))
            for index, lesson in enumerate(course.lessons[:stop]):
                lesson_iri = iris.lesson(lesson.id)
                for page in lesson.pages:
                    item("experienced", iris.page(page.id), lesson_iri)
                for q in (lesson.check.questions if lesson.check else ()):
                    item("answered", iris.question(q.id), iris.assessment(lesson.check.id), q,
                         rng.random() < 1 / (1 + math.exp(difficulty[q.id] - ability - 1)), 1)
            scores, attempts = [], 0
            if stop == len(course.lessons):
                for attempt in (1, 2, 3):
                    right = 0
                    for q in graded:
                        ok = rng.random() < 1 / (1 + math.exp(difficulty[q.id] - ability))
                        right += ok
                        item("answered", iris.question(q.id), iris.assessment(final.id), q, ok, attempt)
                    scaled = right / len(graded)
                    scores.append(scaled)
                    attempts += 1
                    passed = scaled * 100 >= course.completion.mastery_score
                    statement("attempt", passed, scaled)
                    if passed or rng.random() < 0.5:
                        break
                    ability += 0.3
            passed = bool(scores) and scores[-1] * 100 >= course.completion.mastery_score
            if passed:
                statement("passed", True, scores[-1])
            elif scores:
                statement("failed", False, scores[-1])
            seconds = (t - first_launch).total_seconds()
            statement("terminated", duration=seconds)
            batch_records.append({
                "course_iri": iris.course, "learner_key": key, "registration": reg,
                "result": "passed" if passed else "failed" if scores else "incomplete", "earned": passed,
                "first_launch_at": first_launch, "completed_at": t if passed else None,
                "best_score": max(scores) if scores else None, "last_score": scores[-1] if scores else None,
                "attempts": attempts, "sessions": 1, "total_seconds": seconds, "ce_hours": None, "version": "1.0",
                "package_hash": None, "statement_count": 3 + attempts, "last_statement_at": t, "updated_at": now})
            flush()
        flush(force=True)
    with open_store(db) as store:
        with store.engine.connect() as conn:  # planner statistics, as autovacuum (PostgreSQL) would gather
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        return store.counts()


def run_child(folder: Path, db: str, fmt: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(folder), db, fmt], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=30, help="questions in the final")
    parser.add_argument("--db", help="an empty PostgreSQL database's URL (default: a fresh SQLite file)")
    parser.add_argument("--runs", type=int, default=3, help="report runs per format; the fastest is shown")
    parser.add_argument("--postgres", action="store_true",
                        help="use a throwaway PostgreSQL cluster, as the tests do (Debian's postgresql package)")
    args = parser.parse_args()
    if args.postgres:
        from records_fixtures.postgres import CLUSTER

        reason = CLUSTER.unavailable()
        if reason:
            raise SystemExit(reason)
        CLUSTER.start()
        args.db = CLUSTER.new_database()

    from support import write_course

    from scorm_builder.load import load_course

    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        folder = write_course(Path(tmp) / "course", lessons=5, pages=4, questions=2 * args.questions)
        course, problems = load_course(folder)
        assert course is not None, problems
        db = args.db or f"sqlite:///{Path(tmp) / 'records.sqlite'}"
        start = time.perf_counter()
        counts = fill(db, course, args.learners)
        print(f"filled {db.split('@')[-1]} in {time.perf_counter() - start:.0f} s: {counts['records']:,} records, "
              f"{counts['items']:,} items, {counts['statements']:,} statements; final of "
              f"{len(course.final.questions)} questions", flush=True)
        for fmt in ("html", "json"):
            result = min((run_child(folder, db, fmt) for _ in range(args.runs)), key=lambda r: r["seconds"])
            print(f"report --format {fmt}: {result['seconds']:.1f} s wall, {result['cpu_s']:.1f} s CPU in all, imports "
                  f"included (statistics {result['statistics_s']:.1f} s wall, {result['statistics_cpu_s']:.1f} s CPU here"
                  f" + {result['server_cpu_s']:.1f} s CPU in the database server); "
                  f"peak {result['peak_mb']:.0f} MB; {result['bytes'] / 1024:.0f} KB; {result['learners']:,} learners, "
                  f"{result['items']} questions; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
                  flush=True)


if __name__ == "__main__":
    main()
