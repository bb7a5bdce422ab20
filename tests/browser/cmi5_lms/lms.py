"""A small cmi5 LMS for the tests, in front of Ralph (see README.md).

It does what a cmi5 LMS does for one AU: reads `cmi5.xml`, creates registrations, and per launch
creates a session, sends `launched` to the LRS, writes `LMS.LaunchData`, issues a one-time fetch
URL and builds the launch URL. As the AU's xAPI endpoint it keeps the State and Agent Profile
documents itself (Ralph has neither) and passes Statements through to Ralph with the credentials
the token stands for.
"""
from __future__ import annotations

import json
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

CMI5_NS = {"c": "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"}
LAUNCH_DATA = "LMS.LaunchData"
PREFERENCES = "cmi5LearnerPreferences"
EXT = "https://w3id.org/xapi/cmi5/context/extensions/"
CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"


def now_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Au:
    """The one AU of a course structure, as the LMS imported it."""

    publisher_id: str
    url: str
    move_on: str
    mastery_score: float | None
    title: str


def read_course_structure(package: Path) -> Au:
    root = etree.parse(str(package / "cmi5.xml")).getroot()
    au = root.find("c:au", CMI5_NS)
    mastery = au.get("masteryScore")
    return Au(publisher_id=au.get("id"), url=au.findtext("c:url", namespaces=CMI5_NS).strip(),
              move_on=au.get("moveOn", "NotApplicable"), mastery_score=float(mastery) if mastery else None,
              title=au.findtext("c:title/c:langstring", namespaces=CMI5_NS))


@dataclass
class Session:
    id: str
    registration: Registration
    mode: str
    fetch_id: str
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    fetches: int = 0  # POSTs to the fetch URL
    return_url: str | None = None


@dataclass
class Registration:
    id: str
    actor: dict
    package: str  # the site path of the package folder, e.g. /pkg/empathy/cmi5/
    au: Au
    activity_id: str  # what the LMS made for this AU (not the publisher id)
    sessions: list[Session] = field(default_factory=list)


def agent_key(agent: object) -> str:
    if isinstance(agent, str):
        agent = json.loads(agent)
    return json.dumps(agent, sort_keys=True)


class Cmi5Lms:
    def __init__(self, origin: str, lrs):
        self.origin = origin
        self.lrs = lrs
        self.registrations: dict[str, Registration] = {}
        self.by_fetch: dict[str, Session] = {}
        self.by_token: dict[str, Session] = {}
        self.states: dict[tuple[str, str, str, str], tuple[bytes, str]] = {}
        self.profiles: dict[tuple[str, str], tuple[bytes, str]] = {}
        self.log: list[tuple[str, str, int]] = []  # (method, path, status) of every facade request
        self.lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"{self.origin}/xapi/"

    # ---- what the LMS does before a launch ----

    def register(self, package: str, folder: Path, learner: str, name: str = "Test Learner") -> Registration:
        """A new registration of `learner` (an account on this LMS) for the AU in `folder`."""
        actor = {"objectType": "Agent", "name": name, "account": {"homePage": f"{self.origin}/", "name": learner}}
        au = read_course_structure(folder)
        reg = Registration(str(uuid.uuid4()), actor, package, au, f"{self.origin}/lms/au/{uuid.uuid4()}")
        self.registrations[reg.id] = reg
        # the learner's preferences, as an LMS keeps them (spec §11); the AU must read them
        key = (agent_key(actor), PREFERENCES)
        self.profiles[key] = (json.dumps({"languagePreference": "en-US", "audioPreference": "on"}).encode(),
                              "application/json")
        return reg

    def launch(self, reg: Registration, mode: str = "Normal", mastery_score: float | None | str = "course",
               return_url: bool = True) -> str:
        """A new session: `launched` in the LRS, LMS.LaunchData, a fetch URL; the AU's launch URL."""
        session = Session(str(uuid.uuid4()), reg, mode, secrets.token_urlsafe(16))
        reg.sessions.append(session)
        mastery = reg.au.mastery_score if mastery_score == "course" else mastery_score
        if return_url:
            session.return_url = f"{self.origin}/cmi5/returned?" + urllib.parse.urlencode(
                {"registration": reg.id, "session": session.id})
        template = {
            "contextActivities": {"grouping": [{"objectType": "Activity", "id": reg.au.publisher_id}]},
            "extensions": {EXT + "sessionid": session.id},
        }
        launch_data = {"contextTemplate": template, "launchMode": mode, "moveOn": reg.au.move_on}
        if mastery is not None:
            launch_data["masteryScore"] = mastery
        if session.return_url:
            launch_data["returnURL"] = session.return_url
        with self.lock:
            self.states[(reg.activity_id, agent_key(reg.actor), reg.id, LAUNCH_DATA)] = (
                json.dumps(launch_data).encode(), "application/json")
            self.by_fetch[session.fetch_id] = session
            self.by_token[session.token] = session
        au_url = urllib.parse.urljoin(f"{self.origin}{reg.package}", reg.au.url)
        self._send_launched(reg, session, au_url, mastery)
        query = urllib.parse.urlencode({
            "endpoint": self.endpoint,
            "fetch": f"{self.origin}/cmi5/fetch/{session.fetch_id}",
            "actor": json.dumps(reg.actor, separators=(",", ":")),
            "registration": reg.id,
            "activityId": reg.activity_id,
        })
        return f"{au_url}?{query}"

    def _send_launched(self, reg: Registration, session: Session, au_url: str, mastery: float | None) -> None:
        extensions = {EXT + "sessionid": session.id, EXT + "launchmode": session.mode, EXT + "launchurl": au_url,
                      EXT + "moveon": reg.au.move_on}
        if mastery is not None:
            extensions[EXT + "masteryscore"] = mastery
        statement = {
            "id": str(uuid.uuid4()),
            "actor": reg.actor,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/launched", "display": {"en-US": "launched"}},
            "object": {"objectType": "Activity", "id": reg.activity_id},
            "context": {
                "registration": reg.id,
                "contextActivities": {"grouping": [{"objectType": "Activity", "id": reg.au.publisher_id}],
                                      "category": [{"objectType": "Activity", "id": CATEGORY}]},
                "extensions": extensions,
            },
            "timestamp": now_stamp(),
        }
        status, body = self.forward("POST", "statements", "", json.dumps([statement]).encode())
        assert status == 200, f"the LRS refused `launched`: {status} {body[:300]!r}"

    # ---- the fetch URL ----

    def fetch(self, fetch_id: str) -> dict:
        with self.lock:
            session = self.by_fetch.get(fetch_id)
            if session is None:
                return {"error-code": "2", "error-text": "unknown fetch URL"}
            session.fetches += 1
            if session.fetches > 1:
                return {"error-code": "1", "error-text": "this fetch URL has been used already"}
            return {"auth-token": session.token}

    # ---- the xAPI endpoint the AU talks to ----

    def session_for(self, authorization: str | None) -> Session | None:
        if not authorization or not authorization.startswith("Basic "):
            return None
        return self.by_token.get(authorization[len("Basic "):])

    def forward(self, method: str, resource: str, query: str, body: bytes | None) -> tuple[int, bytes]:
        """A Statements request passed on to Ralph with the LMS's own (write-only) credentials."""
        url = self.lrs.endpoint + resource + (f"?{query}" if query else "")
        headers = {"X-Experience-API-Version": "1.0.3", "Authorization": self.lrs.writer.authorization}
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 502, b'{"error": "the LRS cannot be reached"}'

    def state(self, method: str, params: dict[str, str], body: bytes, content_type: str) -> tuple[int, bytes, str]:
        """The State resource (xAPI 1.0.3 Communication §2.3), kept in memory."""
        try:
            scope = (params["activityId"], agent_key(params["agent"]), params.get("registration", ""))
        except (KeyError, ValueError):
            return 400, b"activityId and agent are required", "text/plain"
        state_id = params.get("stateId")
        with self.lock:
            if method == "GET" and state_id is None:
                ids = sorted(k[3] for k in self.states if k[:3] == scope)
                return 200, json.dumps(ids).encode(), "application/json"
            if state_id is None:
                return 400, b"stateId is required", "text/plain"
            key = (*scope, state_id)
            if method == "GET":
                found = self.states.get(key)
                return (200, *found) if found else (404, b"", "text/plain")
            if state_id == LAUNCH_DATA:
                return 403, b"the AU must not change LMS.LaunchData", "text/plain"
            if method == "DELETE":
                self.states.pop(key, None)
            elif method == "POST" and key in self.states and content_type.startswith("application/json"):
                merged = json.loads(self.states[key][0])
                merged.update(json.loads(body))
                self.states[key] = (json.dumps(merged).encode(), "application/json")
            else:
                self.states[key] = (body, content_type or "application/octet-stream")
            return 204, b"", "text/plain"

    def profile(self, params: dict[str, str]) -> tuple[int, bytes, str]:
        try:
            agent = agent_key(params["agent"])
        except (KeyError, ValueError):
            return 400, b"agent is required", "text/plain"
        found = self.profiles.get((agent, params.get("profileId", "")))
        return (200, *found) if found else (404, b"", "text/plain")

    def suspend_state(self, reg: Registration) -> dict | None:
        """The AU's own state document, if it wrote one."""
        for (activity, agent, registration, state_id), (body, _) in self.states.items():
            if registration == reg.id and state_id != LAUNCH_DATA:
                return json.loads(body)
        return None
