"""From xAPI statements to completion records: pure functions, no database, no network.

Two steps, each testable alone:

1. `read_statement(raw, courses)` looks at one statement as the LRS returned it and gives
   - a `Fact` when it is about a course we keep records for, with a verb that counts
     (`COURSE_VERBS`): its object is the course IRI or the cmi5 AU IRI `{course}/au`, or the
     launch's root activity (an LMS-given cmi5 `activityId` or Tin Can `activity_id`) with the
     course in `context.contextActivities.grouping`,
   - a Fact with verb `attempt` for a passed or failed statement about an assessment of the
     course (`{course}/assessment/…`): the player sends one per graded attempt at the final,
   - an `Item` for a question answered (`answered`, object `{course}/question/…`) or a page
     experienced (`experienced`, object `{course}/page/…`): the item-level facts the report's
     funnel and item analysis rest on (not evidence for the record),
   - a `Void` when it is a voiding statement (verb `voided`, object a StatementRef),
   - a `Problem` when it is one of those but malformed (the pull skips it and reports it),
   - None when it is something else: not kept.
2. `derive_record(facts, course)` turns the non-voided facts of one learner, course and
   registration into the record an agency files.

The rules (what an auditor may ask about):

- **result**: `passed` if any passed statement; else `failed` if any failed statement; else
  `completed` if any completed statement; else `incomplete`. A pass is never undone by a later
  fail (cmi5 forbids that order anyway).
- **earned**: passed, or completed when the course does not require passing (its completion
  rule needs no final assessment). When the course is unknown (pulled with `--activity`),
  completed counts as earned until a `--course` pull says otherwise.
- **completed_at**: when it was earned: the first passed statement, else the first completed
  statement; None when not earned.
- **first_launch_at**: the first launched or initialized statement, else the first fact.
- **attempts**: the passed/failed statements about the course's assessments (one per graded
  attempt at the final); when a player sends none, the course-level passed + failed statements.
  **sessions**: initialized statements (a launch of the course).
- **best_score / last_score**: `result.score.scaled` (0..1) of the attempts (else of the
  course-level passed/failed statements);
  computed from raw/min/max when scaled is absent. last = the latest by timestamp.
  **The score a record reports** (`reported_score`, `score_percent` in exports) follows the
  course's `completion.score`: `best` (the default) the best score; `last` the last score, except
  that a passed record never reports less than its best (a pass never loses ground, e.g. to a
  failed retake after the package was replaced).
- **total_seconds**: the sum of the durations of terminated and abandoned statements (each
  closes one session). Without any, the longest completed/passed/failed duration (a lower
  bound); None when no statement carries a duration.
- **version / package_hash**: from the context extension `{base}extensions/package` of the
  statement that decided the result (first passed, last failed, first completed), else the
  latest statement that has it.
- **ce_hours**: the course's CE hours when earned, 0 when not, None while the course's hours
  are unknown.
"""
from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from ..errors import Problem

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
VOIDED = ADL_VERBS + "voided"
PACKAGE_EXTENSION_SUFFIX = "/extensions/package"
CMI5_SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
AU_SEGMENT = "/au"
ASSESSMENT_SEGMENT = "/assessment/"

# verbs whose course-level statements are kept as evidence; anything else about the course is ignored
COURSE_VERBS: dict[str, str] = {
    ADL_VERBS + name: name
    for name in ("launched", "initialized", "experienced", "progressed", "completed", "passed", "failed",
                 "suspended", "resumed", "terminated")
}
COURSE_VERBS["https://w3id.org/xapi/adl/verbs/abandoned"] = "abandoned"

# verbs of item-level statements, and the IRI segment below the course their object must be in
ITEM_VERBS: dict[str, tuple[str, str]] = {
    ADL_VERBS + "answered": ("answered", "/question/"),
    ADL_VERBS + "experienced": ("experienced", "/page/"),
}

MAX_RESPONSE = 8000  # characters of result.response kept (the player clips reflections to 4000)
# the records database's bounded columns (schema.py): longer values are refused as malformed
MAX_IRI, MAX_LEARNER_KEY, MAX_SHORT = 2048, 2048, 255


def _bounded(value: str | None, limit: int, field: str) -> str | None:
    """`value` unless it is longer than its database column allows (then Malformed, never a crash)."""
    if value is not None and len(value) > limit:
        raise Malformed(field, f"is {len(value)} characters long; the records keep at most {limit}")
    return value

RESULTS = ("passed", "failed", "completed", "incomplete")
IFIS = ("account", "mbox", "mbox_sha1sum", "openid")


@dataclass(frozen=True)
class Learner:
    """Who a statement is about: the actor's one inverse functional identifier (IFI)."""

    key: str  # canonical and unique: JSON of [kind, home page, identifier]
    kind: str  # account | mbox | mbox_sha1sum | openid
    identifier: str  # the account name (the LMS learner id), or the mbox / sha1 / openid
    home_page: str  # the account's homePage; "" for other kinds
    name: str  # actor.name, "" when absent


@dataclass(frozen=True)
class Fact:
    """What one course-level statement contributes: enough to recompute a record at any time."""

    id: str
    course_iri: str
    learner: Learner
    registration: str  # "" when the statement has none
    verb: str  # short name from COURSE_VERBS
    timestamp: datetime  # UTC
    stored: datetime | None
    success: bool | None = None
    completion: bool | None = None
    score_scaled: float | None = None
    score_raw: float | None = None
    score_min: float | None = None
    score_max: float | None = None
    duration_seconds: float | None = None
    session_id: str | None = None
    version: str | None = None
    package_hash: str | None = None

    @property
    def record_key(self) -> tuple[str, str, str]:
        return (self.course_iri, self.learner.key, self.registration)


@dataclass(frozen=True)
class Item:
    """One question answered or page experienced by a learner (xAPI 1.0.3 Data §2.4.4 result):
    kept in the `items` table for the report. `response` is `result.response` as sent (choice ids
    joined by `[,]`, `true`/`false`, text); `success` None for a reflection or a page."""

    id: str
    course_iri: str
    learner: Learner
    registration: str  # "" when the statement has none
    verb: str  # answered | experienced
    activity_iri: str  # the question or page IRI
    parent_iri: str | None  # context.contextActivities.parent[0]: the assessment or lesson
    timestamp: datetime  # UTC
    response: str | None = None
    success: bool | None = None
    score_scaled: float | None = None
    duration_seconds: float | None = None
    session_id: str | None = None

    @property
    def record_key(self) -> tuple[str, str, str]:
        return (self.course_iri, self.learner.key, self.registration)


@dataclass(frozen=True)
class Void:
    """A voiding statement: `voided_id` no longer counts, from whichever pull it was seen in."""

    voided_id: str
    voiding_id: str
    timestamp: datetime | None
    stored: datetime | None


@dataclass(frozen=True)
class CourseInfo:
    """What the course source says about the course, when the pull was given `--course`."""

    iri: str
    source_id: str | None = None
    title: str | None = None
    ce_hours: float | None = None
    requires_pass: bool | None = None  # the completion rule needs the final assessment passed
    organisation: str | None = None
    score_rule: str = "best"  # completion.score: "best" or "last" (see reported_score)


@dataclass(frozen=True)
class RecordValues:
    course_iri: str
    learner: Learner
    registration: str
    result: str
    earned: bool
    first_launch_at: datetime | None
    completed_at: datetime | None
    best_score: float | None
    last_score: float | None
    attempts: int
    sessions: int
    total_seconds: float | None
    ce_hours: float | None
    version: str | None
    package_hash: str | None
    statement_count: int
    last_statement_at: datetime


# --- step 1: one statement ----------------------------------------------------------------------------------


class Malformed(ValueError):
    """Raised inside the readers, turned into a Problem naming the statement."""

    def __init__(self, field: str, message: str, hint: str = ""):
        super().__init__(message)
        self.field, self.message, self.hint = field, message, hint


def course_iris(course_iri: str) -> dict[str, str]:
    """The object ids that stand for the course: the course IRI and its cmi5 AU IRI."""
    return {course_iri: course_iri, course_iri.rstrip("/") + AU_SEGMENT: course_iri}


def statement_id(raw: object) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return raw["id"]
    return "(no id)"


def statement_problem(sid: str, field: str, message: str, hint: str = "") -> Problem:
    return Problem(f"statement {sid}", message, None, field, hint)


def read_statement(raw: object, courses: dict[str, str]) -> Fact | Item | Void | Problem | None:
    """One statement as the LRS returned it (parsed JSON) → Fact, Item, Void, Problem or None.

    `courses` maps the object ids that count (see `course_iris`) to the course IRI."""
    sid = statement_id(raw)
    try:
        if not isinstance(raw, dict):
            raise Malformed("", "is not a JSON object")
        verb = raw.get("verb")
        verb_id = verb.get("id") if isinstance(verb, dict) else None
        obj = raw.get("object")
        if verb_id == VOIDED:
            return _read_void(raw, obj)
        if verb_id in ITEM_VERBS and isinstance(obj, dict) and obj.get("objectType", "Activity") == "Activity":
            course = _item_course(obj, courses, ITEM_VERBS[verb_id][1])
            return None if course is None else _read_item(raw, course, ITEM_VERBS[verb_id][0], obj["id"])
        if not isinstance(obj, dict) or obj.get("objectType", "Activity") != "Activity" or verb_id not in COURSE_VERBS:
            return None
        course = courses.get(obj.get("id")) or _launch_root_course(raw, obj, courses)
        if course is not None:
            return _read_fact(raw, course, COURSE_VERBS[verb_id])
        course = _assessment_course(obj, courses) if COURSE_VERBS[verb_id] in ("passed", "failed") else None
        return None if course is None else _read_fact(raw, course, "attempt")
    except Malformed as bad:
        return statement_problem(sid, bad.field, bad.message, bad.hint)


def _launch_root_course(raw: dict, obj: dict, courses: dict[str, str]) -> str | None:
    """The course a statement is about when its object is the launch's root activity: an LMS
    that launches with its own activity id (cmi5 `activityId`, Tin Can `activity_id`) gets
    statements about that id, with the course IRI in `context.contextActivities.grouping`.
    Activities below the course (`{course}/page/…`, `/question/…`) are not the course."""
    object_id = obj.get("id")
    context = raw.get("context")
    activities = context.get("contextActivities") if isinstance(context, dict) else None
    grouping = activities.get("grouping") if isinstance(activities, dict) else None
    if not isinstance(object_id, str) or grouping is None:
        return None
    for item in grouping if isinstance(grouping, list) else [grouping]:
        course = courses.get(item.get("id")) if isinstance(item, dict) else None
        if course is not None and not object_id.startswith(course.rstrip("/") + "/"):
            return course
    return None


def _assessment_course(obj: dict, courses: dict[str, str]) -> str | None:
    """The course whose assessment `obj` is (`{course}/assessment/{id}`), if any."""
    object_id = obj.get("id")
    if not isinstance(object_id, str):
        return None
    for course in set(courses.values()):
        if object_id.startswith(course.rstrip("/") + ASSESSMENT_SEGMENT):
            return course
    return None


def _item_course(obj: dict, courses: dict[str, str], segment: str) -> str | None:
    """The course whose question or page (`{course}{segment}{id}`) `obj` is, if any."""
    object_id = obj.get("id")
    if not isinstance(object_id, str):
        return None
    for course in set(courses.values()):
        prefix = course.rstrip("/") + segment
        if object_id.startswith(prefix) and len(object_id) > len(prefix):
            return course
    return None


def _uuid(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise Malformed(field, f"is {_show(value)}, not a UUID string")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise Malformed(field, f"{_show(value)} is not a UUID") from None


def _read_void(raw: dict, obj: object) -> Void:
    voiding_id = _uuid(raw.get("id"), "id")
    if not isinstance(obj, dict) or obj.get("objectType") != "StatementRef":
        raise Malformed("object", "a voided statement's object must be a StatementRef",
                        "a voiding statement names the statement it voids: {\"objectType\": \"StatementRef\", \"id\": …}")
    return Void(_uuid(obj.get("id"), "object.id"), voiding_id, _time(raw.get("timestamp"), "timestamp", True),
                _time(raw.get("stored"), "stored", True))


def _read_fact(raw: dict, course: str, verb: str) -> Fact:
    sid = _uuid(raw.get("id"), "id")
    learner = read_learner(raw.get("actor"))
    stored = _time(raw.get("stored"), "stored", True)
    timestamp = _time(raw.get("timestamp"), "timestamp", True) or stored
    if timestamp is None:
        raise Malformed("timestamp", "is missing (and so is stored)", "the player must timestamp every statement")
    context = raw.get("context", {})
    if not isinstance(context, dict):
        raise Malformed("context", "is not an object")
    registration = context.get("registration")
    registration = "" if registration is None else _uuid(registration, "context.registration")
    extensions = context.get("extensions") or {}
    if not isinstance(extensions, dict):
        raise Malformed("context.extensions", "is not an object")
    version, package_hash = _package(extensions)
    session = extensions.get(CMI5_SESSION)
    result = raw.get("result") or {}
    if not isinstance(result, dict):
        raise Malformed("result", "is not an object")
    scaled, score_raw, score_min, score_max = _score(result.get("score"))
    return Fact(
        id=sid, course_iri=course, learner=learner, registration=registration, verb=verb,
        timestamp=timestamp, stored=stored,
        success=_bool(result.get("success"), "result.success"),
        completion=_bool(result.get("completion"), "result.completion"),
        score_scaled=scaled, score_raw=score_raw, score_min=score_min, score_max=score_max,
        duration_seconds=None if result.get("duration") is None else parse_duration(result["duration"]),
        session_id=_bounded(session, MAX_SHORT, f"context.extensions[{CMI5_SESSION}]") if isinstance(session, str)
        else None,
        version=version, package_hash=package_hash,
    )


def _read_item(raw: dict, course: str, verb: str, activity_iri: str) -> Item:
    fact = _read_fact(raw, course, verb)  # the same checks: id, actor, times, registration, result
    _bounded(activity_iri, MAX_IRI, "object.id")
    result = raw.get("result") or {}
    response = result.get("response")
    if response is not None and not isinstance(response, str):
        raise Malformed("result.response", f"is {_show(response)}, not a string")
    parents = raw["context"].get("contextActivities", {}).get("parent") if isinstance(raw.get("context"), dict) \
        and isinstance(raw["context"].get("contextActivities"), dict) else None
    parents = parents if isinstance(parents, list) else [parents] if parents else []
    parent = next((p["id"] for p in parents if isinstance(p, dict) and isinstance(p.get("id"), str)), None)
    return Item(id=fact.id, course_iri=course, learner=fact.learner, registration=fact.registration, verb=verb,
                activity_iri=activity_iri, parent_iri=parent if parent is None or len(parent) <= MAX_IRI else None,
                timestamp=fact.timestamp, response=None if response is None else response[:MAX_RESPONSE],
                success=fact.success, score_scaled=fact.score_scaled, duration_seconds=fact.duration_seconds,
                session_id=fact.session_id)


def read_learner(actor: object) -> Learner:
    """The learner an actor names, by its one IFI; Malformed for groups and IFI-less actors."""
    if not isinstance(actor, dict):
        raise Malformed("actor", "is missing or not an object")
    if actor.get("objectType") == "Group":
        raise Malformed("actor", "is a Group; records are kept per learner", "send statements with the learner as actor")
    present = [kind for kind in IFIS if actor.get(kind) is not None]
    if len(present) != 1:
        raise Malformed("actor", f"has {len(present)} identifiers ({', '.join(present) or 'none'}); xAPI needs exactly one",
                        "identify the learner by account {homePage, name}")
    kind = present[0]
    name = actor.get("name") if isinstance(actor.get("name"), str) else ""
    if kind == "account":
        account = actor["account"]
        if not isinstance(account, dict) or not isinstance(account.get("homePage"), str) \
                or not isinstance(account.get("name"), str) or not account["homePage"] or not account["name"]:
            raise Malformed("actor.account", "needs a homePage and a name, both non-empty strings")
        home, identifier = account["homePage"], account["name"]
    else:
        if not isinstance(actor[kind], str) or not actor[kind]:
            raise Malformed(f"actor.{kind}", "is not a non-empty string")
        home, identifier = "", actor[kind]
        if kind == "mbox":
            identifier = _normal_mbox(identifier)
    key = _bounded(learner_key(kind, home, identifier), MAX_LEARNER_KEY, f"actor.{kind}")
    return Learner(key, kind, identifier, home, name.strip())


def learner_key(kind: str, home_page: str, identifier: str) -> str:
    return json.dumps([kind, home_page, identifier], ensure_ascii=False, separators=(",", ":"))


def _normal_mbox(mbox: str) -> str:
    if not mbox.lower().startswith("mailto:") or "@" not in mbox:
        raise Malformed("actor.mbox", f"{_show(mbox)} is not a mailto: IRI")
    local, _, domain = mbox[len("mailto:"):].rpartition("@")
    return f"mailto:{local}@{domain.lower()}"


def _package(extensions: dict) -> tuple[str | None, str | None]:
    """The course version and content hash from the `…/extensions/package` context extension."""
    for key, value in extensions.items():
        if isinstance(key, str) and key.endswith(PACKAGE_EXTENSION_SUFFIX):
            if not isinstance(value, dict) or not isinstance(value.get("version"), str) \
                    or not isinstance(value.get("hash"), str):
                raise Malformed(f"context.extensions[{key}]", "must be {\"version\": \"…\", \"hash\": \"sha256:…\"}",
                                "the player copies the package's version and content hash here")
            return (_bounded(value["version"], MAX_SHORT, f"context.extensions[{key}].version"),
                    _bounded(value["hash"], MAX_SHORT, f"context.extensions[{key}].hash"))
    return None, None


def _number(value: object, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Malformed(field, f"is {_show(value)}, not a number")
    return float(value)


def _score(score: object) -> tuple[float | None, float | None, float | None, float | None]:
    if score is None:
        return None, None, None, None
    if not isinstance(score, dict):
        raise Malformed("result.score", "is not an object")
    scaled = _number(score.get("scaled"), "result.score.scaled")
    raw = _number(score.get("raw"), "result.score.raw")
    low = _number(score.get("min"), "result.score.min")
    high = _number(score.get("max"), "result.score.max")
    if scaled is not None and not -1 <= scaled <= 1:
        raise Malformed("result.score.scaled", f"is {scaled}, outside -1..1")
    if low is not None and high is not None and low >= high:
        raise Malformed("result.score", f"min {low} is not below max {high}")
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        raise Malformed("result.score.raw", f"is {raw}, outside min..max")
    if scaled is None and raw is not None and low is not None and high is not None:
        scaled = (raw - low) / (high - low)
    return scaled, raw, low, high


def _bool(value: object, field: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise Malformed(field, f"is {_show(value)}, not true or false")


def _time(value: object, field: str, optional: bool) -> datetime | None:
    if value is None and optional:
        return None
    parsed = parse_time(value) if isinstance(value, str) else None
    if parsed is None:
        raise Malformed(field, f"{_show(value)} is not an ISO 8601 date-time", "use UTC with a Z, e.g. 2024-05-01T12:00:00.000Z")
    return parsed


def parse_time(text: str) -> datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime (naive means UTC); None if unreadable."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+(?:[.,]\d+)?)Y)?(?:(?P<months>\d+(?:[.,]\d+)?)M)?(?:(?P<weeks>\d+(?:[.,]\d+)?)W)?"
    r"(?:(?P<days>\d+(?:[.,]\d+)?)D)?(?:T(?=\d)(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$")
_UNIT_SECONDS = {"years": 365 * 86400, "months": 30 * 86400, "weeks": 7 * 86400, "days": 86400,
                 "hours": 3600, "minutes": 60, "seconds": 1}


def parse_duration(value: object) -> float:
    """Seconds in an ISO 8601 duration (`PT1H2M3.5S`); years and months count 365 and 30 days."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match:
        raise Malformed("result.duration", f"{_show(value)} is not an ISO 8601 duration",
                        "use the PnDTnHnMnS form, e.g. PT12M30.5S")
    return sum(float(text.replace(",", ".")) * _UNIT_SECONDS[unit] for unit, text in match.groupdict().items() if text)


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


# --- step 2: one record -------------------------------------------------------------------------------------


def derive_record(facts: Iterable[Fact], course: CourseInfo | None = None) -> RecordValues | None:
    """The record of one course, learner and registration from its non-voided facts; None if none."""
    ordered = sorted(facts, key=lambda f: (f.timestamp, f.id))
    if not ordered:
        return None
    first = ordered[0]
    keys = {f.record_key for f in ordered}
    if len(keys) != 1:
        raise ValueError(f"facts of several records given to derive_record: {sorted(keys)}")
    by_verb: dict[str, list[Fact]] = {}
    for fact in ordered:
        by_verb.setdefault(fact.verb, []).append(fact)
    passed, failed, completed = by_verb.get("passed", []), by_verb.get("failed", []), by_verb.get("completed", [])
    if passed:
        result, decider = "passed", passed[0]
    elif failed:
        result, decider = "failed", failed[-1]
    elif completed:
        result, decider = "completed", completed[0]
    else:
        result, decider = "incomplete", None
    requires_pass = course.requires_pass if course else None
    earned = result == "passed" or (result == "completed" and not requires_pass)
    graded = by_verb.get("attempt") or sorted(passed + failed, key=lambda f: (f.timestamp, f.id))
    scores = [f.score_scaled for f in graded if f.score_scaled is not None]
    launches = by_verb.get("launched", []) + by_verb.get("initialized", [])
    closing = [f.duration_seconds for f in by_verb.get("terminated", []) + by_verb.get("abandoned", [])
               if f.duration_seconds is not None]
    if closing:
        total = sum(closing)
    else:
        outcomes = [f.duration_seconds for f in passed + failed + completed if f.duration_seconds is not None]
        total = max(outcomes) if outcomes else None
    version, package_hash = (decider.version, decider.package_hash) if decider and decider.version else (None, None)
    if version is None:
        latest = next((f for f in reversed(ordered) if f.version), None)
        if latest:
            version, package_hash = latest.version, latest.package_hash
    name = next((f.learner.name for f in reversed(ordered) if f.learner.name), "")
    learner = first.learner if first.learner.name == name else Learner(
        first.learner.key, first.learner.kind, first.learner.identifier, first.learner.home_page, name)
    hours = None
    if course is not None and course.ce_hours is not None:
        hours = float(course.ce_hours) if earned else 0.0
    return RecordValues(
        course_iri=first.course_iri, learner=learner, registration=first.registration,
        result=result, earned=earned,
        first_launch_at=min(f.timestamp for f in launches) if launches else first.timestamp,
        completed_at=decider.timestamp if earned and decider else None,
        best_score=max(scores) if scores else None,
        last_score=scores[-1] if scores else None,
        attempts=len(graded),
        sessions=len(by_verb.get("initialized", [])),
        total_seconds=total,
        ce_hours=hours,
        version=version, package_hash=package_hash,
        statement_count=len(ordered),
        last_statement_at=ordered[-1].timestamp,
    )


def reported_score(best: float | None, last: float | None, result: str, rule: str = "best") -> float | None:
    """The score (0..1 scaled, or None without any) a record reports after several attempts, by the
    course's `completion.score` rule: "best" the best; "last" the last, but never below the best once
    the record is `passed`. Raises ValueError for another rule."""
    if rule not in ("best", "last"):
        raise ValueError(f"unknown score rule {rule!r}: best or last")
    if rule == "best" or result == "passed" or last is None:
        return best if best is not None else last
    return last
