"""Pull statements from an LRS into the records database, page by page.

For a course IRI the pull reads three streams of the statements resource, each from its own
position (kept per LRS and stream):

    activity={course}     related_activities=true   the course and everything below it
    activity={course}/au  related_activities=true   the cmi5 AU, in case its statements do not
                                                    name the course in their context
    verb=…/voided                                   voiding statements (an LRS returns them for
                                                    an activity filter only when it implements
                                                    StatementRef filtering; Ralph does not)

Each page is read, turned into facts, voids and problems (derive.read_statement) and written in
one transaction. Memory holds one page at a time, whatever the number of statements.

**Position.** When a stream has been read to its end, its position becomes the latest `stored`
of the statements that were read *and accepted* on the way, ignoring any `stored` later than the
pull's own start (plus CLOCK_SKEW): a rejected statement, or one with a far-future `stored`,
cannot move the position past statements not yet delivered. A stream interrupted midway (an
error, a kill) keeps its old position, so the next pull reads the interrupted part again (LRSs
differ in page order: Ralph returns newest first for `ascending=true`); ids already kept are
never added twice. A kept position in the future (written by an older version) is ignored.

**Late deliveries.** The player's queue keeps statements in the browser until the LRS takes
them, across launches, so a statement can arrive hours or days after its `timestamp`. An LRS
that filters `since` on `stored` (the xAPI rule) returns it to the next pull anyway. One that
filters on `timestamp` (Ralph 5.1, tests/lrs/README.md) would not, so every pull asks for
`since = position - reread` with `reread` = REREAD (7 days; `--reread HOURS`), sized to how long
a learner's browser may hold statements before the next launch, and never less than OVERLAP
(concurrent writers get `stored` out of order by a little). Re-read statements are recognised
by id and change nothing. For a delivery later than the window: `--since DATE`.

**What the LRS may not do.** Every answer is untrusted: a `more` link is followed only on the
endpoint's own origin (scheme, host and port: the key and secret never go anywhere else), a
`more` link seen before is a loop, pages per stream (MAX_PAGES), bytes per page
(MAX_PAGE_BYTES), seconds per request (TIMEOUT, whole answer) and JSON nesting (MAX_DEPTH) are
bounded, redirects are not followed, and any status but 2xx is a located error. All of these
stop the pull with exit 2; pages already written stay, and the stream's position does not move.

Malformed statements (about the course or voiding, but unusable: no UUID id, no single actor
IFI, a score outside -1..1, an unreadable duration or timestamp, a malformed package
extension, nesting deeper than MAX_DEPTH) are **skipped and reported** with their id, and kept
in the `rejected` table, so that one bad statement never blocks the records of every other
learner. The pull then exits 1: it never exits 0 having skipped a statement it read.
"""
from __future__ import annotations

import base64
import http.client
import json
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from ..errors import Problem
from ..textsafe import escape
from .derive import (VOIDED, CourseInfo, Fact, Item, Void, course_iris, parse_time, read_statement,
                     statement_id, statement_problem)
from .errors import EXIT_UNUSABLE, RecordsError
from .store import Store

XAPI_VERSION = "1.0.3"
PAGE_SIZE = 500  # asked for; an LRS may answer with fewer (Ralph: at most 100 by default)
OVERLAP = timedelta(minutes=5)
REREAD = timedelta(days=7)  # default re-read window for late deliveries (see the module docstring)
CLOCK_SKEW = timedelta(minutes=5)  # a `stored` later than the pull's start by more is not a position
TIMEOUT = 60.0  # seconds for one request, the whole answer included
MAX_PAGES = 20_000  # pages per stream in one pull (2,000,000 statements at Ralph's 100 a page)
MAX_PAGE_BYTES = 64 * 1024 * 1024  # one answer's body
MAX_DEPTH = 64  # JSON nesting of one statement (a statement needs about 8)
KEEP_PROBLEMS = 200  # problems kept in memory for the report; all of them go to the `rejected` table
ENDPOINT_HINT = "give the xAPI endpoint, e.g. https://lrs.example.org/xapi/ (the base the statements resource is under)"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_endpoint(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RecordsError("--lrs", f"'{shown(url)}' is not an http(s) address", ENDPOINT_HINT)
    if parts.username or parts.password:
        raise RecordsError("--lrs", "the address contains credentials", "pass them with --key and --secret")
    if parts.query or parts.fragment:
        raise RecordsError("--lrs", f"'{shown(url)}' has a query or fragment", ENDPOINT_HINT)
    try:
        parts.port
    except ValueError:
        raise RecordsError("--lrs", f"'{shown(url)}' has an invalid port", ENDPOINT_HINT) from None
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, default ports filled in: what credentials are bound to.
    ValueError for a URL without one."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(url)
    return scheme, parts.hostname.lower(), parts.port or _DEFAULT_PORTS[scheme]


def shown(text: str, limit: int = 200) -> str:
    """Untrusted text (an LRS's answer, a link) made safe to print: control and format characters
    (ESC, CR, bidi overrides...) escaped, at most `limit` characters."""
    return escape(text[:limit])  # the one escaping function (textsafe.py)


@dataclass
class Page:
    statements: list
    more: str


class LrsSource:
    """The statements resource of one LRS, read page by page with one key and secret.

    A small HTTP client of its own (http.client) rather than tincan's RemoteLRS: tincan follows a
    `more` link to any host with the Authorization header, reads answers of any size with no
    overall deadline, and fails with a traceback on a non-UTF-8 error body. Here every limit of
    the module docstring is enforced, and every failure is a RecordsError (exit 2)."""

    def __init__(self, endpoint: str, key: str, secret: str, timeout: float | None = None,
                 max_pages: int | None = None, max_bytes: int | None = None):
        self.endpoint = normalise_endpoint(endpoint)
        self.origin = origin(self.endpoint)
        self.timeout = TIMEOUT if timeout is None else timeout
        self.max_pages = MAX_PAGES if max_pages is None else max_pages
        self.max_bytes = MAX_PAGE_BYTES if max_bytes is None else max_bytes
        if not (key.isascii() and secret.isascii()) or ":" in key:
            raise RecordsError("--key/--secret", "must be ASCII, and the key without ':' (HTTP basic authentication)")
        self._auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode("ascii")).decode("ascii")

    def pages(self, params: dict[str, str]) -> Iterator[Page]:
        """Every page of the statements resource for `params`, following `more` links until an
        empty page or no link. RecordsError (exit 2) on a link to another origin, a link seen
        before, more than max_pages pages, or any bad answer."""
        query = urlencode({k: v for k, v in params.items() if v is not None})
        url = f"{self.endpoint}statements?{query}"
        seen = {url}
        pages_seen: set[int] = set()  # hashes of the statement ids of each page read
        for number in range(1, self.max_pages + 1):
            page = self._page(url)
            ids = hash(tuple(statement_id(raw) for raw in page.statements))
            if page.statements and ids in pages_seen:
                raise RecordsError(self.endpoint, "the LRS answered the same page of statements twice under "
                                   f"different 'more' links (the last: {shown(url)}): reading it would never end",
                                   "the LRS is faulty; report it to its administrator")
            pages_seen.add(ids)
            yield page
            if not page.more or not page.statements:
                return
            url = self._follow(page.more)
            if url in seen:
                raise RecordsError(self.endpoint, f"the LRS's 'more' link repeats an earlier page ({shown(url)}): "
                                   "reading it would never end", "the LRS is faulty; report it to its administrator")
            seen.add(url)
        raise RecordsError(self.endpoint, f"more than {self.max_pages} pages for one query: stopped",
                           "pull a shorter period with --since, or ask for more statements a page with --page-size")

    def _follow(self, more: str) -> str:
        """The `more` link (xAPI 2.1.3: a path and query on the LRS's own server) as a URL on the
        endpoint's origin; RecordsError for anything that leaves it."""
        try:
            url = urljoin(urlunsplit((self.origin[0], urlsplit(self.endpoint).netloc, "/", "", "")), more.strip())
            same = origin(url) == self.origin
        except ValueError:
            same = False
        if same and not more.strip().isprintable() or " " in more.strip():
            raise RecordsError(self.endpoint, f"the LRS's 'more' link is not a URL ({shown(more)})",
                               "the LRS is faulty; report it to its administrator")
        if not same:
            raise RecordsError(self.endpoint, f"the LRS's 'more' link leads to another address ({shown(more)}); "
                               "it was not followed, so the key and secret were not sent there",
                               "the LRS is misconfigured or compromised; ask its administrator")
        return url

    def _page(self, url: str) -> Page:
        status, reason, body, location = self._get(url)
        where = self.endpoint
        if status in (401, 403):
            raise RecordsError(where, f"the LRS refused the key ({status} {shown(reason)})",
                               "check --key and --secret, and that this key may read statements "
                               "(statements/read scope)")
        if status == 404:
            raise RecordsError(where, "no xAPI statements resource here (404)", ENDPOINT_HINT)
        if 300 <= status < 400:
            raise RecordsError(where, f"the LRS redirected ({status}) to {shown(location or '(nowhere)')}; "
                               "redirects are not followed, so the key and secret are not sent elsewhere",
                               "give the address it redirects to as --lrs, if you trust it")
        if not 200 <= status < 300:
            text = shown(body[:200].decode("utf-8", "replace").strip())
            raise RecordsError(where, f"the LRS answered {status} {shown(reason)}" + (f": {text}" if text else ""),
                               "try again later; if it persists, ask the LRS's administrator")
        return _statement_result(body, where)

    def _get(self, url: str) -> tuple[int, str, bytes, str]:
        """(status, reason, body, Location) of GET `url`, within self.timeout for the whole answer."""
        parts = urlsplit(url)
        _, host, port = origin(url)
        deadline = time.monotonic() + self.timeout
        if parts.scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self.timeout)
        path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        try:
            connection.request("GET", path, headers={
                "Authorization": self._auth, "X-Experience-API-Version": XAPI_VERSION,
                "Accept": "application/json", "Accept-Encoding": "identity"})
            response = connection.getresponse()
            chunks, size = [], 0
            while chunk := response.read1(65536):
                size += len(chunk)
                if size > self.max_bytes:
                    raise RecordsError(self.endpoint, f"the LRS's answer is larger than {self.max_bytes:,} bytes",
                                       "ask for fewer statements a page with --page-size")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no complete answer within {self.timeout:g} s")
                chunks.append(chunk)
            return response.status, response.reason or "", b"".join(chunks), response.getheader("Location") or ""
        except (OSError, http.client.HTTPException, ValueError) as error:
            reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
            raise RecordsError(self.endpoint, f"cannot reach the LRS: {shown(reason)}",
                               "check the address and that the LRS is running and reachable from here") from None
        finally:
            connection.close()


def _statement_result(body: bytes, where: str) -> Page:
    """An xAPI StatementResult from an answer's body; RecordsError when it is not one."""
    not_one = "the answer is not an xAPI StatementResult ({\"statements\": [...], \"more\": …})"
    try:
        data = json.loads(body.decode("utf-8"))
    except RecursionError:
        raise RecordsError(where, "the answer's JSON is nested too deeply to read", ENDPOINT_HINT) from None
    except (ValueError, UnicodeDecodeError):
        raise RecordsError(where, not_one + ": not UTF-8 JSON", ENDPOINT_HINT) from None
    if not isinstance(data, dict) or not isinstance(data.get("statements"), list) \
            or not isinstance(data.get("more") or "", str):
        raise RecordsError(where, not_one, ENDPOINT_HINT)
    return Page(data["statements"], data.get("more") or "")


def too_deep(value: object, limit: int = MAX_DEPTH) -> bool:
    """Whether parsed JSON nests deeper than `limit` (without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


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
         course: CourseInfo | None = None, page_size: int = PAGE_SIZE, reread: timedelta = REREAD,
         progress: Callable[[PullReport], None] | None = None, now: datetime | None = None) -> PullReport:
    """Pull the statements of `course_iri` into `store`; see the module docstring.

    `since` replaces the kept positions for this run; `reread` is the late-delivery window (at
    least OVERLAP); `now` is the pull's start (default: the clock), the ceiling of positions.
    RecordsError (exit 2) when the LRS cannot be used; malformed statements are in the report."""
    report = PullReport()
    if course is not None:
        report.records_changed += store.set_course(course)
    courses = course_iris(course_iri)
    lrs = source.endpoint
    ceiling = (now or datetime.now(timezone.utc)) + CLOCK_SKEW
    window = max(reread, OVERLAP)
    for stream, params in streams_for(course_iri):
        start = since
        if start is None:
            kept = store.position(lrs, stream)
            start = kept - window if kept is not None and kept <= ceiling else None
        report.streams[stream] = start
        query = {**params, "limit": str(page_size), "ascending": "true"}
        if start is not None:
            query["since"] = format_since(start)
        newest: datetime | None = None
        for page in source.pages(query):
            newest = _apply(store, lrs, stream, page.statements, courses, report, newest, ceiling)
            if progress:
                progress(report)
        if newest is not None:  # the whole stream was read: now the position may move
            store.apply_page(lrs, stream, [], [], [], newest)
    return report


def _apply(store: Store, lrs: str, stream: str, statements: list, courses: dict[str, str],
           report: PullReport, newest: datetime | None, ceiling: datetime) -> datetime | None:
    """Write one page; the latest accepted `stored` so far (the position candidate)."""
    facts: list[Fact | Item] = []
    voids: list[Void] = []
    problems: list[Problem] = []
    for raw in statements:
        found = (statement_problem(statement_id(raw), "", f"nested more than {MAX_DEPTH} levels deep",
                                   "the statement is malformed") if too_deep(raw) else read_statement(raw, courses))
        if isinstance(found, (Fact, Item)):  # the store keeps Items (answers, pages) in their own table
            facts.append(found)
        elif isinstance(found, Void):
            voids.append(found)
        elif isinstance(found, Problem):
            problems.append(found)
            continue  # a rejected statement never moves the position
        newest = _later(newest, raw, ceiling)
    outcome = store.apply_page(lrs, stream, facts, voids, problems, None)
    report.pages += 1
    report.statements_seen += len(statements)
    report.new_statements += outcome.new_statements
    report.new_voids += outcome.new_voids
    report.records_changed += outcome.records_changed
    report.problem_count += len(problems)
    room = KEEP_PROBLEMS - len(report.problems)
    if room > 0:
        report.problems.extend(problems[:room])
    return newest


def _later(newest: datetime | None, raw: object, ceiling: datetime) -> datetime | None:
    """The later of `newest` and the statement's `stored` (else `timestamp`), unless that is
    after `ceiling` (a clock or an importer far ahead must not move the position past it)."""
    if not isinstance(raw, dict):
        return newest
    for name in ("stored", "timestamp"):
        value = raw.get(name)
        when = parse_time(value) if isinstance(value, str) else None
        if when is not None:
            if when > ceiling:
                return newest
            return when if newest is None or when > newest else newest
    return newest


def parse_since(text: str, where: str = "--since") -> datetime:
    """A date (midnight UTC) or an ISO 8601 date-time (naive means UTC)."""
    value = parse_time(text)
    if value is None:
        raise RecordsError(where, f"'{text}' is not a date or date-time", "use 2024-05-01 or 2024-05-01T12:00:00Z",
                           EXIT_UNUSABLE)
    return value


