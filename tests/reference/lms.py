"""Driving the reference cmi5 LMS (CATAPULT player) and the CTS through their APIs, and watching
what a browser context sends (every answer >= 400 from the player, the CTS or the ADL LRS)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from support import wait_for  # noqa: F401 - tests import it from here

from .stack import Cts, Player

VERB = "http://adlnet.gov/expapi/verbs/"
SATISFIED = "https://w3id.org/xapi/adl/verbs/satisfied"


def verb(statement: dict) -> str:
    return statement["verb"]["id"].rsplit("/", 1)[1]


def actor(name: str) -> dict:
    """A cmi5 actor: an account (cmi5 §8.1: the LMS's learner id), unique per test."""
    return {"objectType": "Agent", "account": {"homePage": "https://learners.example.com",
                                               "name": f"{name}-{uuid.uuid4().hex[:8]}"}, "name": name}


@dataclass
class Registration:
    id: int
    code: str
    actor: dict
    course: dict
    sessions: list = field(default_factory=list)  # player session ids, in launch order


def import_course(player: Player, zip_path: Path) -> dict:
    status, _, course = player.api("POST", "course", zip_path.read_bytes(), {"Content-Type": "application/zip"})
    assert status == 200, (status, course)
    return course


def register(player: Player, course: dict, name: str) -> Registration:
    who = actor(name)
    status, _, reg = player.api("POST", "registration", {"courseId": course["id"], "actor": who})
    assert status == 200, (status, reg)
    return Registration(reg["id"], reg["code"], who, course)


def launch(player: Player, reg: Registration, return_url: str) -> str:
    """A new session of the course's AU: its launch URL (the LMS sent `launched` already)."""
    status, _, answer = player.api("POST", f"course/{reg.course['id']}/launch-url/0",
                                   {"actor": reg.actor, "reg": reg.code, "returnUrl": return_url})
    assert status == 200, (status, answer)
    reg.sessions.append(answer["id"])
    return answer["url"]


def session(player: Player, session_id: int) -> dict:
    status, _, found = player.api("GET", f"session/{session_id}")
    assert status == 200, (status, found)
    return found


def registration(player: Player, reg: Registration) -> dict:
    status, _, found = player.api("GET", f"registration/{reg.id}")
    assert status == 200, (status, found)
    return found


def au_satisfied(player: Player, reg: Registration) -> bool:
    """The AU's moveOn state as the player keeps it (registration metadata, not `isSatisfied`)."""
    return bool(registration(player, reg)["metadata"]["moveOn"]["children"][0]["satisfied"])


class Watch:
    """Every response of a browser context with status >= 400 (GET 404s on documents apart)."""

    def __init__(self, context) -> None:
        self.refused: list[tuple[str, str, int, str]] = []
        self.statement_posts = 0
        context.on("response", self._response)

    def _response(self, response) -> None:
        request = response.request
        if request.method in ("POST", "PUT") and request.url.split("?")[0].endswith("/statements"):
            self.statement_posts += 1
        if response.status < 400:
            return
        if request.method == "GET" and response.status == 404:
            return  # an absent document (learner preferences, state) is no refusal
        try:
            body = response.text()[:300]
        except Exception:  # noqa: BLE001 - the page may be gone (keepalive at pagehide)
            body = ""
        self.refused.append((request.method, request.url.split("?")[0], response.status, body))


# ---------------------------------------------------------------- CTS

@dataclass
class CtsTest:
    id: int
    course_id: int
    sessions: list = field(default_factory=list)


def cts_import(cts: Cts, zip_path: Path) -> int:
    status, _, course = cts.api("POST", "courses", zip_path.read_bytes(), {"Content-Type": "application/zip"})
    assert status == 200, (status, course)
    return course["id"]


def cts_test(cts: Cts, course_id: int, name: str) -> CtsTest:
    who = actor(name)
    status, _, test = cts.api("POST", "tests", {"courseId": course_id, "actor": {"account": who["account"],
                                                                                 "name": name}})
    assert status == 200, (status, test)
    return CtsTest(test["id"], course_id)


def cts_launch(cts: Cts, test: CtsTest) -> str:
    status, _, found = cts.api("POST", "sessions", {"testId": test.id, "auIndex": 0})
    assert status == 200, (status, found)
    test.sessions.append(found["id"])
    return found["launchUrl"]


def cts_result(cts: Cts, test: CtsTest) -> dict:
    status, _, found = cts.api("GET", f"tests/{test.id}")
    assert status == 200, (status, found)
    return found["metadata"]


def cts_violations(cts: Cts, test: CtsTest) -> list[str]:
    out = []
    for sid in test.sessions:
        status, _, found = cts.api("GET", f"sessions/{sid}")
        assert status == 200, (status, found)
        out += found.get("metadata", {}).get("violatedReqIds", [])
    return out


def cts_logs(cts: Cts, test: CtsTest) -> list:
    """The CTS's log lines of the test's sessions that report a problem (for failure messages)."""
    out = []
    for sid in test.sessions:
        status, _, found = cts.api("GET", f"sessions/{sid}/logs")
        if status == 200 and isinstance(found, list):
            out += [entry for entry in found if "violat" in str(entry).lower() or "error" in str(entry).lower()][:10]
    return out
