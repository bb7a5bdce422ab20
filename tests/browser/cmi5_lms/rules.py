"""What every statement the player sends must satisfy, checked on what the LRS stored.

xAPI 1.0.3 (../shared/specs/xapi.md) for every statement, the cmi5 rules (cmi5.md §3) for cmi5
launches, and an independent validator: Learning Locker's `@learninglocker/xapi-validation`
(pinned in package.json), run in node on every statement.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from datetime import datetime
from pathlib import Path

VALIDATE = Path(__file__).with_name("validate.js")
ADL = "http://adlnet.gov/expapi/verbs/"
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
DURATION = re.compile(r"^PT(\d+H)?(\d+M)?\d+(\.\d{1,2})?S$")  # ISO 8601, at most 0.01 s
DEFINED = {"initialized", "completed", "passed", "failed", "terminated"}  # cmi5 verbs the AU sends
RESPONSE = {
    "choice": re.compile(r"^[^\[\],]+(\[,\][^\[\],]+)*$"),
    "sequencing": re.compile(r"^[^\[\],]+(\[,\][^\[\],]+)*$"),
    "true-false": re.compile(r"^(true|false)$"),
    "matching": re.compile(r"^[^\[\]]+\[\.\][^\[\]]+(\[,\][^\[\]]+\[\.\][^\[\]]+)*$"),
    "fill-in": re.compile(r"^(?!\{)(?![\s\S]*\[,\])[\s\S]*$"),
    "long-fill-in": re.compile(r"^(?!\{)(?![\s\S]*\[,\])[\s\S]*$"),
}


def verb(statement: dict) -> str:
    iri = statement["verb"]["id"]
    return iri.rsplit("/", 1)[1]


def ordered(statements: list[dict]) -> list[dict]:
    """In the order they happened: by timestamp (the player's are strictly increasing)."""
    return sorted(statements, key=lambda s: s["timestamp"])


def invalid(statements: list[dict]) -> list[dict]:
    """The independent validator's complaints ([] when every statement passes)."""
    node = shutil.which("node")
    assert node, "node is needed for the xAPI validator"
    done = subprocess.run([node, str(VALIDATE)], input=json.dumps(statements), capture_output=True, text=True, check=False,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def categories(statement: dict) -> set[str]:
    return {a["id"] for a in statement.get("context", {}).get("contextActivities", {}).get("category", [])}


def ids_of(statement: dict, key: str) -> list[str]:
    return [a["id"] for a in statement.get("context", {}).get("contextActivities", {}).get(key, [])]


def when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def check_every_statement(statements: list[dict], *, package: dict, actor: dict, registration: str | None,
                          root: str, definitions: dict, xapi: dict) -> None:
    """xAPI rules every statement from the player meets, and the independent validator.
    `root`: the IRI that stands for the course (Tin Can activity_id, cmi5 activityId)."""
    assert statements, "no statements"
    problems = invalid(statements)
    assert not problems, f"the validator finds fault with {len(problems)} statements: {problems[:3]}"
    extension = xapi["base"] + "extensions/package"
    counts = Counter(s["id"] for s in statements)
    assert all(n == 1 for n in counts.values()), "every statement once"
    previous = ""
    for s in ordered(statements):
        assert UUID4.match(s["id"]), s["id"]
        assert "version" not in s or s["version"] == "1.0.0", s.get("version")
        assert TIMESTAMP.match(s["timestamp"]), s["timestamp"]
        assert s["timestamp"] > previous, "timestamps strictly increase"
        previous = s["timestamp"]
        assert when(s["timestamp"]) <= when(s["stored"]), "never in the future"
        assert s["actor"] == actor
        assert "mbox" not in s["actor"], "no e-mail address is invented"
        assert s["verb"]["id"] == xapi["verbs"][verb(s)] and s["verb"]["display"] == {"en-US": verb(s)}
        context = s["context"]
        assert context.get("registration") == registration
        assert context["language"] == "en" and context["platform"] == "scorm-builder"
        assert context["extensions"][extension] == package, "the package extension on every statement"
        for key, items in context.get("contextActivities", {}).items():
            assert isinstance(items, list) and items, key
        obj = s["object"]
        assert obj["objectType"] == "Activity"
        iri = xapi["course"] if obj["id"] == root else obj["id"]
        assert obj["definition"] == definitions[iri], f"the definition of {iri}"
        parent = xapi["parents"].get(iri)
        if parent:
            assert ids_of(s, "parent") == [root if parent == xapi["course"] else parent], iri
        if root != xapi["course"] or (iri != xapi["course"] and parent != xapi["course"]):
            assert xapi["course"] in ids_of(s, "grouping"), "the course groups every statement"
        else:
            assert xapi["course"] not in ids_of(s, "grouping"), "not twice"
        result = s.get("result", {})
        if "duration" in result:
            assert DURATION.match(result["duration"]), result["duration"]
        if "score" in result:
            score = result["score"]
            assert -1 <= score["scaled"] <= 1 and score["min"] == 0 and score["max"] == 100
            assert score["min"] <= score["raw"] <= score["max"]
            assert abs(score["scaled"] * 100 - score["raw"]) < 0.51
        if verb(s) == "answered":
            kind = obj["definition"]["interactionType"]
            assert RESPONSE[kind].match(result["response"]), (kind, result["response"])
            assert obj["definition"]["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
            if kind == "long-fill-in":
                assert "success" not in result
            else:
                assert isinstance(result["success"], bool)
                patterns = obj["definition"]["correctResponsesPattern"]
                if kind in ("choice", "sequencing", "true-false", "matching"):
                    assert result["success"] == (result["response"] in patterns), (result, patterns)


def check_answers(statements: list[dict], definitions: dict, xapi: dict, expected: list[str]) -> None:
    """`answered` statements about exactly these question ids, in this order."""
    answered = [s for s in ordered(statements) if verb(s) == "answered"]
    assert [s["object"]["id"] for s in answered] == [xapi["questions"][q] for q in expected]
    for s in answered:
        definition = definitions[s["object"]["id"]]
        assert s["object"]["definition"] == definition
        assert "interactionType" in definition


def sessions(statements: list[dict]) -> dict[str, list[dict]]:
    """cmi5: statements by session id, each in order."""
    found: dict[str, list[dict]] = {}
    for s in ordered(statements):
        found.setdefault(s["context"]["extensions"][SESSION], []).append(s)
    return found


def check_cmi5(statements: list[dict], *, activity_id: str, publisher_id: str, mastery: float | None,
               modes: dict[str, str]) -> dict[str, list[dict]]:
    """The cmi5 rules (Quartz §9) over every statement of one registration, `launched` included.
    `modes`: session id -> launch mode. Returns the AU's statements per session."""
    by_session = sessions(statements)
    assert set(by_session) == set(modes), "every session has its statements, and only launched sessions"
    completed = passed = 0
    failed_then = False
    for session_id, items in by_session.items():
        launched = [s for s in items if verb(s) == "launched"]
        assert len(launched) == 1 and items[0] is launched[0], "launched (by the LMS) comes first"
        au = items[1:]
        assert au, "the AU sent statements"
        assert verb(au[0]) == "initialized", "initialized is the AU's first statement"
        assert verb(au[-1]) == "terminated", "terminated is the last statement of the session"
        defined = [s for s in au if s["object"]["id"] == activity_id and verb(s) in DEFINED]
        verbs = Counter(verb(s) for s in defined)
        assert all(n == 1 for n in verbs.values()), f"no cmi5 verb twice in a session: {verbs}"
        assert not (verbs["passed"] and verbs["failed"]), "at most one of passed and failed per session"
        for s in au:
            context = s["context"]
            assert context["extensions"][SESSION] == session_id
            assert publisher_id in ids_of(s, "grouping"), "the contextTemplate's grouping is kept"
            name = verb(s)
            is_defined = s in defined
            if is_defined:
                assert CMI5_CATEGORY in categories(s), f"{name}: the cmi5 category"
                assert (MOVEON_CATEGORY in categories(s)) == (name in ("completed", "passed", "failed")), name
            else:
                assert not categories(s) & {CMI5_CATEGORY, MOVEON_CATEGORY}, f"{name}: cmi5 allowed, no cmi5 category"
            result = s.get("result", {})
            if is_defined:
                if name == "initialized":
                    assert not result
                elif name == "completed":
                    assert result["completion"] is True and DURATION.match(result["duration"])
                    assert "score" not in result and "success" not in result
                elif name in ("passed", "failed"):
                    assert result["success"] is (name == "passed") and DURATION.match(result["duration"])
                    assert "completion" not in result
                    score = result["score"]
                    assert 0 <= score["scaled"] <= 1 and isinstance(score["raw"], int)
                    if mastery is not None:
                        assert context["extensions"][MASTERY] == mastery
                        assert (score["scaled"] >= mastery) is (name == "passed")
                elif name == "terminated":
                    assert set(result) == {"duration"} and DURATION.match(result["duration"])
            if name == "progressed":
                assert 0 <= result["extensions"][PROGRESS] <= 100 and isinstance(result["extensions"][PROGRESS], int)
        if modes[session_id] != "Normal":
            assert not {"completed", "passed", "failed"} & set(verbs), "Browse/Review: nothing judged"
        if modes[session_id] == "Review":
            assert [verb(s) for s in au] == ["initialized", "terminated"], "Review: read only"
        done_at = next((s["timestamp"] for s in defined if verb(s) == "completed"), None)
        if done_at:
            assert not [s for s in au if verb(s) == "progressed" and s["timestamp"] > done_at], "no progress after completed"
        completed += verbs["completed"]
        passed += verbs["passed"]
        if verbs["failed"] and passed:
            failed_then = True
    assert completed <= 1 and passed <= 1, "at most one completed and one passed per registration"
    assert not failed_then, "no failed after passed"
    return {sid: items[1:] for sid, items in by_session.items()}
