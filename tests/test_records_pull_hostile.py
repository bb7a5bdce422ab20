"""`records pull` against LRS answers that are broken or hostile (issue 9, item 5): server
errors, deep JSON, `more` loops and endless paging, links and redirects to another origin (the
key must never go there), oversized and slow answers. Each row is a small HTTP server of our own
on 127.0.0.1 (a double, for the transport only); the position and late-delivery rows use the
real LRS (Ralph)."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from records_fixtures.statements import Learner, new_course, new_registration, session, statement

from scorm_builder.records import cli
from scorm_builder.records import pull as pull_module
from scorm_builder.records.pull import LrsSource, pull
from scorm_builder.records.store import open_store

KEY, SECRET = "reader", "s3cret"
Answer = tuple[int, dict[str, str], bytes]


class FakeLrs:
    """An HTTP server answering every GET with `answer(path, server)`; it records what it got."""

    def __init__(self, answer: Callable[[str, FakeLrs], Answer] | None = None):
        self.answer = answer or (lambda path, server: (404, {}, b""))
        self.requests: list[tuple[str, str | None]] = []  # (path, Authorization)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                fake.requests.append((self.path, self.headers.get("Authorization")))
                status, headers, body = fake.answer(self.path, fake)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if callable(body):
                    self.end_headers()
                    body(self.wfile)
                    return
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def endpoint(self) -> str:
        return self.root + "/xAPI/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def servers():
    made: list[FakeLrs] = []

    def make(answer=None) -> FakeLrs:
        made.append(FakeLrs(answer))
        return made[-1]

    yield make
    for server in made:
        server.close()


def result(statements: list, more: str = "") -> Answer:
    return 200, {"Content-Type": "application/json"}, json.dumps({"statements": statements, "more": more}).encode()


COURSE = new_course()


def good(n: int = 0) -> dict:
    return statement(COURSE, Learner(f"l{n}"), new_registration(), "initialized",
                     datetime.now(timezone.utc) - timedelta(minutes=1))


SAME = statement(COURSE, Learner("same"), new_registration(), "initialized", datetime.now(timezone.utc))


def nested(depth: int) -> dict:
    value: object = "deep"
    for _ in range(depth):
        value = {"x": value}
    return {**good(), "result": {"extensions": {"https://x.example/e": value}}}


def slow_body(stream) -> None:
    for _ in range(40):
        stream.write(b" ")
        stream.flush()
        time.sleep(0.1)


# each row: (name, answer(path, server, other) -> Answer, expected exit code, text in stderr)
# `other` is a second server: no row may ever send it a request
ROWS = [
    ("500 with a non-UTF-8 body", lambda p, s, o: (500, {}, b"\xff\xfe oops"), 2, "answered 500"),
    ("503 with terminal escapes", lambda p, s, o: (503, {}, b"\x1b[2J\x1b[32mVALID\x1b[0m\r"), 2,
     "answered 503 Service Unavailable: \\x1b[2J"),
    ("502 empty", lambda p, s, o: (502, {}, b""), 2, "answered 502"),
    ("429 rate limit", lambda p, s, o: (429, {"Retry-After": "3600"}, b"slow down"), 2, "answered 429"),
    ("not JSON", lambda p, s, o: (200, {}, b"<html>hello</html>"), 2, "not an xAPI StatementResult"),
    ("JSON of another shape", lambda p, s, o: (200, {}, b'{"statements": {}}'), 2, "not an xAPI StatementResult"),
    ("deep JSON page", lambda p, s, o: (200, {}, b'{"statements": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"), 2,
     "nested too deeply"),
    ("more link repeats itself", lambda p, s, o: result([good()], "/xAPI/statements?page=1"), 2,
     "'more' link repeats an earlier page"),
    ("more link cycles through two pages",
     lambda p, s, o: result([good()], "/xAPI/statements?page=" + ("2" if "page=1" in p else "1")), 2,
     "'more' link repeats an earlier page"),
    ("endless distinct more links", lambda p, s, o: result([good()], f"/xAPI/statements?page={len(s.requests)}"), 2,
     "more than 5 pages"),
    ("the same page under ever new more links", lambda p, s, o: result([SAME], f"/xAPI/statements?p={len(s.requests)}"),
     2, "the same page of statements twice"),
    ("more link to another port", lambda p, s, o: result([good()], o.root + "/xAPI/statements?page=2"), 2,
     "it was not followed, so the key and secret were not sent there"),
    ("more link to another host",
     lambda p, s, o: result([good()], o.root.replace("127.0.0.1", "localhost") + "/xAPI/statements?x"), 2,
     "it was not followed"),
    ("scheme-relative more link", lambda p, s, o: result([good()], "//" + o.root.split("//")[1] + "/xAPI/s"), 2,
     "it was not followed"),
    ("more link to https on the same port", lambda p, s, o: result([good()], s.root.replace("http:", "https:") + "/x"),
     2, "it was not followed"),
    ("more link with a newline", lambda p, s, o: result([good()], "/xAPI/statements?a=1\r\nHost: evil"), 2,
     "is not a URL"),
    ("redirect to another server", lambda p, s, o: (302, {"Location": o.endpoint + "statements"}, b""), 2,
     "redirects are not followed"),
    ("answer larger than the limit", lambda p, s, o: result([{**good(), "pad": "x" * 2_000_000}]), 2,
     "larger than 1,000,000 bytes"),
    ("answer trickled past the deadline", lambda p, s, o: (200, {}, slow_body), 2, "no complete answer within 1 s"),
    ("statement nested deeper than the limit", lambda p, s, o: result([nested(100), good()]), 1,
     "nested more than 64 levels deep"),
    ("statement nested past Python's recursion limit",
     lambda p, s, o: (200, {}, b'{"statements": [' + b'{"a":' * 3000 + b"1" + b"}" * 3000 + b"]}"), 2,
     "nested too deeply"),
]


@pytest.mark.parametrize("name,answer,code,message", ROWS, ids=[r[0] for r in ROWS])
def test_a_hostile_lrs_gives_a_clear_error_and_never_gets_the_key_elsewhere(servers, tmp_path, capsys, monkeypatch,
                                                                            name, answer, code, message):
    monkeypatch.setattr(pull_module, "MAX_PAGES", 5)
    monkeypatch.setattr(pull_module, "MAX_PAGE_BYTES", 1_000_000)
    monkeypatch.setattr(pull_module, "TIMEOUT", 1.0 if "deadline" in name else 20.0)  # 20: a loaded machine
    other = servers(lambda path, server: result([good()]))
    lrs = servers(lambda path, server: answer(path, server, other))
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    cpu = time.process_time()
    got = cli.main(["records", "pull", "--lrs", lrs.endpoint, "--key", KEY, "--secret", SECRET,
                    "--activity", COURSE.iri, "--db", db])
    err = capsys.readouterr().err
    assert time.process_time() - cpu < 5
    assert got == code, err
    assert message in err, err
    assert "Traceback" not in err and "\x1b" not in err and "\r" not in err
    assert other.requests == []  # nothing, and so no credentials, ever reached another origin
    assert lrs.requests and all(auth and auth.startswith("Basic ") for _, auth in lrs.requests)
    assert len(lrs.requests) <= 5 + 1
    with open_store(db) as store:
        counts = store.counts()
        if code == 2:
            assert counts["positions"] == 0  # an unfinished stream never moves its position
        else:
            assert counts["rejected"] == 3  # the deep statement, once per stream (the double answers every query)


def test_a_more_link_on_the_same_origin_is_followed_with_the_key(servers, tmp_path):
    first, second = good(1), good(2)

    def answer(path, server):
        return result([second]) if "page=2" in path else result([first], "/xAPI/statements?page=2")

    lrs = servers(answer)
    with open_store(f"sqlite:///{tmp_path / 'r.sqlite'}") as store:
        report = pull(store, LrsSource(lrs.endpoint, KEY, SECRET), COURSE.iri)
    assert report.exit_code == 0 and report.statements_seen >= 2
    paths = [path for path, _ in lrs.requests]
    assert any(p.startswith("/xAPI/statements?page=2") for p in paths)
    import base64
    assert {auth for _, auth in lrs.requests} == {"Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()}


def test_an_unreachable_address_in_the_middle_of_paging_is_exit_2(servers, tmp_path, capsys):
    lrs = servers(lambda path, server: result([good()], "/xAPI/statements?page=2") if len(server.requests) == 1
                  else (500, {}, b"database down"))
    code = cli.main(["records", "pull", "--lrs", lrs.endpoint, "--key", KEY, "--secret", SECRET,
                     "--activity", COURSE.iri, "--db", f"sqlite:///{tmp_path / 'r.sqlite'}"])
    err = capsys.readouterr().err
    assert code == 2 and "answered 500" in err and "database down" in err


# --- position and late deliveries, against the real LRS -----------------------------------------------------


def post(lrs_client, statements: list[dict]) -> None:
    response = lrs_client.post_statements(statements)
    assert response.status in (200, 204), response.body[:300]


def source(lrs) -> LrsSource:
    return LrsSource(lrs.endpoint, lrs.admin.username, lrs.admin.password)


def test_a_rejected_statement_from_the_future_does_not_freeze_the_position(lrs, lrs_client, store):
    course = new_course()
    now = datetime.now(timezone.utc)
    future = now + timedelta(days=365 * 50)
    bad = statement(course, Learner("mallory"), new_registration(), "passed", future,
                    result={"success": True, "score": {"scaled": 7}})
    post(lrs_client, [bad] + session(course, Learner("early"), new_registration(), now - timedelta(minutes=3),
                                     outcome="passed", score=0.9))
    first = pull(store, source(lrs), course.iri)
    assert first.problem_count == 1 and first.exit_code == 1
    position = store.position(source(lrs).endpoint, f"activity:{course.iri}")
    assert position is not None and position < now + timedelta(hours=1)

    post(lrs_client, session(course, Learner("later"), new_registration(), datetime.now(timezone.utc),
                             outcome="passed", score=0.95))
    second = pull(store, source(lrs), course.iri)
    assert {r.learner_identifier for r in store.iter_records(course.iri)} == {"early", "later"}
    assert second.exit_code == 1  # the bad statement is read (and reported) again, never silently skipped


def test_an_accepted_far_future_timestamp_moves_no_position_past_now(lrs, lrs_client, store):
    course = new_course()
    now = datetime.now(timezone.utc)
    post(lrs_client, session(course, Learner("clock-ahead"), new_registration(), now + timedelta(days=3000),
                             outcome="passed", score=0.9))
    pull(store, source(lrs), course.iri)
    position = store.position(source(lrs).endpoint, f"activity:{course.iri}")
    assert position is None or position < now + timedelta(hours=1)


def test_a_completion_delivered_two_hours_late_is_pulled(lrs, lrs_client, store):
    """Ralph filters `since` on `timestamp`: the re-read window catches what an offline queue sends late."""
    course = new_course()
    now = datetime.now(timezone.utc)
    post(lrs_client, session(course, Learner("on-time"), new_registration(), now - timedelta(minutes=1),
                             outcome="passed", score=0.9))
    pull(store, source(lrs), course.iri)
    late = session(course, Learner("offline"), new_registration(), now - timedelta(hours=2), outcome="passed",
                   score=0.8)
    post(lrs_client, late)  # delivered now, two hours after it happened

    narrow = pull(store, source(lrs), course.iri, reread=timedelta(0))  # only the 5-minute overlap: missed
    assert {r.learner_identifier for r in store.iter_records(course.iri)} == {"on-time"}
    assert narrow.new_statements == 0

    default = pull(store, source(lrs), course.iri)  # the default window (7 days)
    assert default.new_statements == len([s for s in late if s["object"]["id"] == course.iri])
    records = {r.learner_identifier: r for r in store.iter_records(course.iri)}
    assert records["offline"].result == "passed" and records["offline"].earned


def test_reread_option_is_checked(tmp_path, capsys):
    code = cli.main(["records", "pull", "--lrs", "http://127.0.0.1:9/xAPI/", "--key", "k", "--secret", "s",
                     "--activity", "https://x.example/c", "--reread", "nan", "--db", f"sqlite:///{tmp_path / 'r.db'}"])
    assert code == 2 and "--reread" in capsys.readouterr().err



def test_the_since_asked_follows_the_kept_position(servers, tmp_path):
    """A kept position is re-read from `reread` earlier; one in the future (an older version kept a
    rejected statement's far-future `stored`) is ignored, so the stream is read from the start."""
    from urllib.parse import parse_qs, urlsplit

    lrs = servers(lambda path, server: result([]))
    source = LrsSource(lrs.endpoint, KEY, SECRET)
    stream = f"activity:{COURSE.iri}"
    now = datetime.now(timezone.utc)
    rows = [(now - timedelta(days=1), now - timedelta(days=1, hours=6)), (now + timedelta(days=3650), None)]
    with open_store(f"sqlite:///{tmp_path / 'r.sqlite'}") as store:
        for kept, expected in rows:
            store.apply_page(source.endpoint, stream, [], [], [], kept)
            lrs.requests.clear()
            report = pull(store, source, COURSE.iri, reread=timedelta(hours=6))
            assert report.streams[stream] == expected
            asked = [parse_qs(urlsplit(path).query) for path, _ in lrs.requests]
            ours = next(q for q in asked if q.get("activity") == [COURSE.iri])
            assert ours.get("since") == ([pull_module.format_since(expected)] if expected else None)
