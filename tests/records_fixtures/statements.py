"""Statements in the shape the player sends (see the records brief): an `account` actor, ADL verbs,
the course IRI (or the cmi5 AU IRI) as object of course-level statements, questions and pages below
it naming the course in `context.contextActivities.grouping`, a registration, results with
score/success/completion/duration, and the `{base}extensions/package` context extension."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

BASE = "https://courses.example.org/xapi/"
VERBS = "http://adlnet.gov/expapi/verbs/"
HOME = "https://lms.example.org"
PACKAGE = {"version": "1.0.0", "hash": "sha256:" + "ab" * 32}
CMI5_SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"


def iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def duration(seconds: float) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"PT{int(minutes)}M{secs:g}S" if minutes else f"PT{secs:g}S"


@dataclass
class Learner:
    name: str
    display: str = ""
    home: str = HOME

    def actor(self) -> dict:
        actor = {"objectType": "Agent", "account": {"homePage": self.home, "name": self.name}}
        if self.display:
            actor["name"] = self.display
        return actor


@dataclass
class Course:
    id: str
    base: str = BASE
    package: dict = field(default_factory=lambda: dict(PACKAGE))

    @property
    def iri(self) -> str:
        return self.base + self.id

    @property
    def au(self) -> str:
        return self.iri + "/au"

    def below(self, kind: str, ref: str) -> str:
        return f"{self.iri}/{kind}/{ref}"


def statement(course: Course, learner: Learner, registration: str, verb: str, when: datetime, *,
              obj: str | None = None, result: dict | None = None, session: str | None = None,
              grouping: bool = True, package: dict | None = None) -> dict:
    object_iri = obj or course.iri
    context: dict = {"registration": registration,
                     "extensions": {course.base + "extensions/package": package or course.package}}
    if session:
        context["extensions"][CMI5_SESSION] = session
    if object_iri != course.iri and grouping:
        context["contextActivities"] = {"grouping": [{"objectType": "Activity", "id": course.iri}]}
    found = {
        "id": str(uuid.uuid4()),
        "actor": learner.actor(),
        "verb": {"id": VERBS + verb, "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": object_iri},
        "context": context,
        "timestamp": iso(when),
    }
    if result is not None:
        found["result"] = result
    return found


def session(course: Course, learner: Learner, registration: str, start: datetime, *, outcome: str | None = None,
            score: float | None = None, minutes: float = 12, questions: int = 3, pages: int = 2,
            launched: bool = False, completed: bool = False, au: bool = False,
            root: str | None = None) -> list[dict]:
    """One sitting: (launched), initialized, pages experienced, questions answered, then the outcome
    (passed/failed with a score, completed), terminated with the session's duration. Course-level
    statements are about the course IRI, the AU IRI (`au`), or an LMS-given launch activity id
    (`root`, with the course in grouping, as the player does for a cmi5 activityId)."""
    sid = str(uuid.uuid4())
    course_obj = root or (course.au if au else course.iri)
    grouping = not au
    t = start
    found = []

    def add(verb, obj=None, result=None, step=30):
        nonlocal t
        t += timedelta(seconds=step)
        found.append(statement(course, learner, registration, verb, t, obj=obj or course_obj, result=result,
                               session=sid, grouping=grouping))

    if launched:
        add("launched", step=0)
    add("initialized", step=1)
    for n in range(pages):
        add("experienced", course.below("page", f"p{n}"))
    for n in range(questions):
        add("answered", course.below("question", f"q{n}"), {"response": "a", "success": n % 2 == 0})
    spent = duration(minutes * 60)
    if completed:
        add("completed", result={"completion": True, "duration": spent})
    if outcome:
        result = {"success": outcome == "passed", "duration": spent}
        if score is not None:
            result["score"] = {"scaled": score, "raw": round(score * 10), "min": 0, "max": 10}
        add(outcome, result=result)
    add("terminated", result={"duration": spent})
    return found


def voiding(target: dict, when: datetime, admin: str = "admin") -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": HOME, "name": admin}},
        "verb": {"id": VERBS + "voided", "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": target["id"]},
        "timestamp": iso(when),
    }


def new_course(prefix: str = "course") -> Course:
    return Course(f"{prefix}-{uuid.uuid4().hex[:10]}")


def new_registration() -> str:
    return str(uuid.uuid4())
