"""Records pull benchmark: statements per second and peak memory, 20,000 vs 100,000 statements.

Starts the tests' Ralph LRS on 127.0.0.1 (file-system backend; its page limit raised from 100 to
PAGE so that its whole-file scan per page does not dominate), posts synthetic statements for two
courses in batches (20,000 for one, 100,000 for the other; the player's shape: an account actor,
sessions of initialized, pages experienced, questions answered, passed/failed, completed,
terminated, with the package extension), then pulls each course into a fresh SQLite database
(or --db postgresql://...) in a child process of its own and reports:

- wall time, statements per second end to end, and the share spent waiting for the LRS;
- our side alone: the same pages replayed from memory into a fresh database (reading, deriving,
  writing), statements per second;
- peak memory (ru_maxrss of the child): it must not grow with the count.

Run: python benchmarks/records.py [--small 20000] [--large 100000] [--db URL]

The report built from the records (`records report`) has its own: benchmarks/records_report.py.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

PAGE = 2000
BATCH = 2000

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[5])
from scorm_builder.records import pull as pulling
from scorm_builder.records.store import open_store

endpoint, key, secret, iri, _, db, mode = sys.argv[1:8]
waited = [0.0]
real_page = pulling.LrsSource._page
def timed(self, call):
    start = time.perf_counter()
    try:
        return real_page(self, call)
    finally:
        waited[0] += time.perf_counter() - start
pulling.LrsSource._page = timed

source = pulling.LrsSource(endpoint, key, secret, timeout=600)
with open_store(db) as store:
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if mode == "replay":  # our side alone: fetch every page first into a file, then time only the apply
        import pickle, tempfile
        spool = tempfile.TemporaryFile()
        pages = 0
        for stream, params in pulling.streams_for(iri):
            for page in source.pages({**params, "limit": str(%(page)d), "ascending": "true"}):
                pickle.dump((stream, page.statements), spool); pages += 1
        spool.seek(0)
        report = pulling.PullReport()
        courses = pulling.course_iris(iri)
        start = time.perf_counter()
        for _ in range(pages):
            stream, statements = pickle.load(spool)
            pulling._apply(store, source.endpoint, stream, statements, courses, report)
        seconds = time.perf_counter() - start
        waited[0] = 0.0
    else:
        start = time.perf_counter()
        report = pulling.pull(store, source, iri, page_size=%(page)d)
        seconds = time.perf_counter() - start
    counts = store.counts()
print(json.dumps({"seconds": seconds, "waited": waited[0], "seen": report.statements_seen, "pages": report.pages,
                  "kept": counts["statements"], "records": counts["records"],
                  "base_mb": base_rss / 1024,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""" % {"page": PAGE}


def synthetic(course_iri: str, base: str, count: int, start: datetime):
    """`count` statements in the player's shape, as sessions of 10 statements."""
    verbs = "http://adlnet.gov/expapi/verbs/"
    package = {base + "extensions/package": {"version": "1.0.0", "hash": "sha256:" + "cd" * 32}}
    made, n = 0, 0
    while made < count:
        learner = {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": f"l{n // 2}"},
                   "name": f"Learner {n // 2}"}
        registration = str(uuid.UUID(int=n // 2 + 1))
        t = start + timedelta(seconds=n * 20)
        outcome = "passed" if n % 3 else "failed"
        plan = [("initialized", course_iri, None)]
        plan += [("experienced", f"{course_iri}/page/p{p}", None) for p in range(2)]
        plan += [("answered", f"{course_iri}/question/q{q}", {"response": "a", "success": q % 2 == 0}) for q in range(4)]
        plan += [(outcome, course_iri, {"success": outcome == "passed", "duration": "PT11M",
                                        "score": {"scaled": 0.9 if outcome == "passed" else 0.4}}),
                 ("completed", course_iri, {"completion": True, "duration": "PT11M"}),
                 ("terminated", course_iri, {"duration": "PT12M"})]
        for i, (verb, obj, result) in enumerate(plan):
            if made == count:
                break
            statement = {
                "id": str(uuid.uuid4()), "actor": learner,
                "verb": {"id": verbs + verb, "display": {"en-US": verb}},
                "object": {"objectType": "Activity", "id": obj},
                "context": {"registration": registration, "extensions": package,
                            "contextActivities": {"grouping": [{"id": course_iri}]}},
                "timestamp": (t + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            }
            if result:
                statement["result"] = result
            yield statement
            made += 1
        n += 1


def post_all(client, statements, label: str) -> float:
    start = time.perf_counter()
    batch, posted = [], 0
    for statement in statements:
        batch.append(statement)
        if len(batch) == BATCH:
            _post(client, batch)
            posted += len(batch)
            batch = []
    if batch:
        _post(client, batch)
        posted += len(batch)
    seconds = time.perf_counter() - start
    print(f"  posted {posted:,} statements for {label} in {seconds:.0f} s ({posted / seconds:,.0f}/s)", flush=True)
    return seconds


def _post(client, batch) -> None:
    response = client.post_statements(batch)
    if response.status not in (200, 204):
        raise SystemExit(f"POST answered {response.status}: {response.body[:300]!r}")


def run_child(lrs, iri: str, db: str, mode: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, lrs.endpoint, lrs.admin.username, lrs.admin.password, iri,
                           str(ROOT), db, mode], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--db", help="a PostgreSQL URL to pull into (a fresh database each run is up to you); "
                                     "default: fresh SQLite files")
    args = parser.parse_args()

    from lrs.client import LrsClient
    from lrs.server import RalphLRS

    class BenchLRS(RalphLRS):
        def environment(self) -> dict[str, str]:
            env = super().environment()
            env["RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT"] = str(PAGE)
            return env

    base = "https://courses.example.org/xapi/"
    start = datetime.now(timezone.utc) - timedelta(days=30)
    with tempfile.TemporaryDirectory(prefix="records-bench-") as folder:
        lrs = BenchLRS(Path(folder) / "ralph")
        lrs.start()
        try:
            client = LrsClient(lrs.endpoint, lrs.admin.authorization, timeout=600)
            courses = {}
            for label, count in (("small", args.small), ("large", args.large)):
                iri = f"{base}bench-{label}-{uuid.uuid4().hex[:6]}"
                courses[label] = (iri, count)
                post_all(client, synthetic(iri, base, count, start), f"{label} ({iri})")
            print(f"\npull (page size {PAGE}; the LRS file holds {args.small + args.large:,} statements):")
            print(f"{'statements':>11} {'wall s':>7} {'stmt/s':>8} {'LRS wait':>9} {'ours stmt/s':>12} "
                  f"{'kept':>7} {'records':>8} {'base MB':>8} {'peak MB':>8}")
            for label in ("small", "large"):
                iri, count = courses[label]
                db = args.db or f"sqlite:///{Path(folder) / (label + '.sqlite')}"
                full = run_child(lrs, iri, db, "pull")
                replay_db = args.db or f"sqlite:///{Path(folder) / (label + '-replay.sqlite')}"
                ours = run_child(lrs, iri, replay_db, "replay")
                print(f"{full['seen']:>11,} {full['seconds']:>7.1f} {full['seen'] / full['seconds']:>8,.0f} "
                      f"{full['waited'] / full['seconds']:>8.0%} {ours['seen'] / ours['seconds']:>12,.0f} "
                      f"{full['kept']:>7,} {full['records']:>8,} {full['base_mb']:>8.1f} {full['peak_mb']:>8.1f}",
                      flush=True)
                if args.db:
                    break  # one PostgreSQL database: pulling the other course into it would mix the figures
        finally:
            lrs.stop()


if __name__ == "__main__":
    main()
