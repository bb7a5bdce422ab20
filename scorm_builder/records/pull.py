"""Pull statements from an LRS into the records database, page by page.

For a course IRI the pull reads three streams of the statements resource, each from its own
position (kept per LRS and stream):

    activity={course}     related_activities=true   the course and everything below it
    activity={course}/au  related_activities=true   the cmi5 AU, in case its statements do not
                                                    name the course in their context
    verb=…/voided                                   voiding statements (an LRS returns them for
                                                    an activity filter only when it implements
                                                    StatementRef filtering; Ralph does not)

Each page is read, turned into facts, voids and problems (derive.read_statement), and written
in one transaction with the stream's new position: the largest `stored` on the page. Memory
holds one page at a time, whatever the number of statements.

The next pull asks for `since = position - OVERLAP`: LRSs assign `stored` from concurrent
writers out of order by a little, and some (Ralph) compare `since` with `timestamp`. The
overlap re-reads a few minutes of statements; their ids are already kept, so nothing is added
twice. `--since` replaces the stored position for that run (positions never move backwards).

Malformed statements (about the course or voiding, but unusable: no UUID id, no single actor
IFI, a score outside -1..1, an unreadable duration or timestamp, a malformed package
extension) are **skipped and reported** with their id, and kept in the `rejected` table, so
that one bad statement never blocks the records of every other learner. The pull then exits 1.
"""
from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.client import HTTPException
from urllib.parse import urljoin, urlsplit, urlunsplit

from tincan import RemoteLRS
from tincan.http_request import HTTPRequest
from tincan.lrs_response import LRSResponse

from ..errors import Problem
from .derive import VOIDED, CourseInfo, Fact, Item, Void, course_iris, parse_time, read_statement
from .errors import EXIT_UNUSABLE, RecordsError
from .store import Store

XAPI_VERSION = "1.0.3"
PAGE_SIZE = 500  # asked for; an LRS may answer with fewer (Ralph: at most 100 by default)
OVERLAP = timedelta(minutes=5)
TIMEOUT = 60.0  # seconds without an answer before a request fails
KEEP_PROBLEMS = 200  # problems kept in memory for the report; all of them go to the `rejected` table
ENDPOINT_HINT = "give the xAPI endpoint, e.g. https://lrs.example.org/xapi/ (the base the statements resource is under)"


def normalise_endpoint(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RecordsError("--lrs", f"'{url}' is not an http(s) address", ENDPOINT_HINT)
    if parts.username or parts.password:
        raise RecordsError("--lrs", "the address contains credentials", "pass them with --key and --secret")
    if parts.query or parts.fragment:
        raise RecordsError("--lrs", f"'{url}' has a query or fragment", ENDPOINT_HINT)
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class StatementsLRS(RemoteLRS):
    """tincan's RemoteLRS, reading pages of statements as plain JSON.

    RemoteLRS.query_statements / more_statements turn every statement into tincan objects: one
    malformed statement then fails the whole page with a TypeError that names none, and the
    conversion costs about 0.3 ms a statement (30 s per 100,000). These two methods send the
    same requests through RemoteLRS (version header, Authorization, parameters encoded as
    tincan does, `more` resolved against the server root) and leave the statements as JSON, so
    that each one is read, and if need be rejected, on its own."""

    def statements_page(self, params: dict[str, str]) -> LRSResponse:
        request = HTTPRequest(method="GET", resource="statements")
        request.query_params = {k: v for k, v in params.items() if v is not None}
        return self._send_request(request)

    def more_page(self, more: str) -> LRSResponse:
        root = self.get_endpoint_server_root()
        return self._send_request(HTTPRequest(method="GET", resource=urljoin(root + "/", more)))


@contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    """tincan opens its connections without a timeout; give them one (the default timeout is
    what http.client uses when none is passed)."""
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(old)


@dataclass
class Page:
    statements: list
    more: str


class LrsSource:
    """The statements resource of one LRS, read page by page with one key and secret."""

    def __init__(self, endpoint: str, key: str, secret: str, timeout: float = TIMEOUT):
        self.endpoint = normalise_endpoint(endpoint)
        self.timeout = timeout
        if not (key.isascii() and secret.isascii()):
            raise RecordsError("--key/--secret", "must be ASCII (HTTP basic authentication as tincan sends it)")
        self.lrs = StatementsLRS(endpoint=self.endpoint, username=key, password=secret, version=XAPI_VERSION)

    def pages(self, params: dict[str, str]) -> Iterator[Page]:
        page = self._page(lambda: self.lrs.statements_page(params))
        while True:
            yield page
            if not page.more or not page.statements:
                return
            page = self._page(lambda more=page.more: self.lrs.more_page(more))

    def _page(self, call: Callable[[], LRSResponse]) -> Page:
        where = self.endpoint
        try:
            with _socket_timeout(self.timeout):
                response = call()
        except (OSError, HTTPException) as error:
            reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
            raise RecordsError(where, f"cannot reach the LRS: {reason}",
                               "check the address and that the LRS is running and reachable from here") from None
        status = response.response.status
        if status in (401, 403):
            raise RecordsError(where, f"the LRS refused the key ({status} {response.response.reason})",
                               "check --key and --secret, and that this key may read statements "
                               "(statements/read scope)")
        if status == 404:
            raise RecordsError(where, "no xAPI statements resource here (404)", ENDPOINT_HINT)
        if not response.success:
            body = (response.data or b"")[:200].decode("utf-8", "replace").strip()
            raise RecordsError(where, f"the LRS answered {status} {response.response.reason}: {body}",
                               "try again later; if it persists, ask the LRS's administrator")
        try:
            data = json.loads(response.data)
            statements, more = data["statements"], data.get("more") or ""
            if not isinstance(statements, list) or not isinstance(more, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise RecordsError(where, "the answer is not an xAPI StatementResult ({\"statements\": [...], \"more\": …})",
                               ENDPOINT_HINT) from None
        return Page(statements, more)


@dataclass
class PullReport:
    pages: int = 0
    statements_seen: int = 0
    new_statements: int = 0
    new_voids: int = 0
    records_changed: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    streams: dict[str, datetime | None] = field(default_factory=dict)  # stream -> since used

    @property
    def exit_code(self) -> int:
        return 1 if self.problem_count else 0

    def summary(self) -> str:
        return (f"{self.statements_seen} statement(s) read in {self.pages} page(s): {self.new_statements} new "
                f"course statement(s), {self.new_voids} new voiding statement(s), {self.records_changed} record "
                f"update(s), {self.problem_count} malformed statement(s) skipped")


def streams_for(course_iri: str) -> list[tuple[str, dict[str, str]]]:
    """(stream name, query parameters): voids first, so that a target pulled later is already known."""
    au = course_iri.rstrip("/") + "/au"
    return [
        (f"verb:{VOIDED}", {"verb": VOIDED}),
        (f"activity:{course_iri}", {"activity": course_iri, "related_activities": "true"}),
        (f"activity:{au}", {"activity": au, "related_activities": "true"}),
    ]


def format_since(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def pull(store: Store, source: LrsSource, course_iri: str, *, since: datetime | None = None,
         course: CourseInfo | None = None, page_size: int = PAGE_SIZE,
         progress: Callable[[PullReport], None] | None = None) -> PullReport:
    """Pull the statements of `course_iri` into `store`; see the module docstring."""
    report = PullReport()
    if course is not None:
        report.records_changed += store.set_course(course)
    courses = course_iris(course_iri)
    lrs = source.endpoint
    for stream, params in streams_for(course_iri):
        start = since
        if start is None:
            kept = store.position(lrs, stream)
            start = kept - OVERLAP if kept is not None else None
        report.streams[stream] = start
        query = {**params, "limit": str(page_size), "ascending": "true"}
        if start is not None:
            query["since"] = format_since(start)
        for page in source.pages(query):
            _apply(store, lrs, stream, page.statements, courses, report)
            if progress:
                progress(report)
    return report


def _apply(store: Store, lrs: str, stream: str, statements: list, courses: dict[str, str],
           report: PullReport) -> None:
    facts: list[Fact | Item] = []
    voids: list[Void] = []
    problems: list[Problem] = []
    newest: datetime | None = None
    for raw in statements:
        found = read_statement(raw, courses)
        if isinstance(found, (Fact, Item)):  # the store keeps Items (answers, pages) in their own table
            facts.append(found)
        elif isinstance(found, Void):
            voids.append(found)
        elif isinstance(found, Problem):
            problems.append(found)
        newest = _later(newest, raw)
    outcome = store.apply_page(lrs, stream, facts, voids, problems, newest)
    report.pages += 1
    report.statements_seen += len(statements)
    report.new_statements += outcome.new_statements
    report.new_voids += outcome.new_voids
    report.records_changed += outcome.records_changed
    report.problem_count += len(problems)
    room = KEEP_PROBLEMS - len(report.problems)
    if room > 0:
        report.problems.extend(problems[:room])


def _later(newest: datetime | None, raw: object) -> datetime | None:
    """The page position: the latest `stored` (else `timestamp`) of any statement on it."""
    if not isinstance(raw, dict):
        return newest
    for name in ("stored", "timestamp"):
        value = raw.get(name)
        when = parse_time(value) if isinstance(value, str) else None
        if when is not None:
            return when if newest is None or when > newest else newest
    return newest


def parse_since(text: str, where: str = "--since") -> datetime:
    """A date (midnight UTC) or an ISO 8601 date-time (naive means UTC)."""
    value = parse_time(text)
    if value is None:
        raise RecordsError(where, f"'{text}' is not a date or date-time", "use 2024-05-01 or 2024-05-01T12:00:00Z",
                           EXIT_UNUSABLE)
    return value


