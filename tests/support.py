"""Helpers the tests share (fixtures live in conftest.py)."""
from __future__ import annotations

import socket
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"
EMPATHY = ROOT / "modules" / "empathy-crs"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


QUESTION_KINDS = (
    ("single-choice", "options:\n      - {text: Right, correct: true, feedback: Yes.}\n"
                      "      - {text: Wrong, feedback: 'No.'}\n      - {text: Also wrong, feedback: 'No.'}\n"),
    ("multiple-response", "options:\n      - {text: One, correct: true, feedback: Yes.}\n"
                          "      - {text: Two, correct: true, feedback: Yes.}\n      - {text: Three, feedback: 'No.'}\n"),
    ("true-false", "answer: true\n    feedback: {correct: Yes., incorrect: 'No.'}\n"),
    ("matching", "pairs:\n      - {prompt: A, match: '1'}\n      - {prompt: B, match: '2'}\n"
                 "      - {prompt: C, match: '3'}\n    feedback: {correct: Yes., incorrect: 'No.'}\n"),
    ("ordering", "items: [one, two, three, four]\n    feedback: {correct: Yes., incorrect: 'No.'}\n"),
    ("fill-in", "accepted: [answer, the answer]\n    feedback: {correct: Yes., incorrect: 'No.'}\n"),
)


def write_course(folder: Path, lessons: int, pages: int, questions: int) -> Path:
    """A generated course of the given size: `questions` spread over knowledge checks and the final."""
    (folder / "lessons").mkdir(parents=True)
    (folder / "assessments").mkdir()
    per_check = questions // (2 * lessons) if lessons else 0
    final_count = questions - per_check * lessons
    (folder / "course.yaml").write_text(
        "id: generated\ntitle: Generated course\nlanguage: en\nversion: '1.0'\n"
        "objectives:\n  - {id: o1, text: First objective}\n  - {id: o2, text: Second objective}\n"
        "lessons:\n" + "".join(f"  - lessons/l{n}.md\n" for n in range(lessons))
        + "completion: {rule: both, mastery_score: 80, attempts: 3}\nfinal_assessment: assessments/final.yaml\n")
    body = "".join(f"## Page {p}\n\nSome *text* for page {p}, with a [link](https://example.org).\n\n"
                   "- a point\n- another point\n\n" for p in range(pages))
    for n in range(lessons):
        check = f"knowledge_check: ../assessments/c{n}.yaml\n" if per_check else ""
        (folder / "lessons" / f"l{n}.md").write_text(
            f"---\nid: l{n}\ntitle: Lesson {n}\nobjectives: [o1]\n{check}---\n\n{body}")
        if per_check:
            (folder / "assessments" / f"c{n}.yaml").write_text(
                _assessment(f"c{n}", f"c{n}q", per_check, graded=False))
    (folder / "assessments" / "final.yaml").write_text(_assessment("final", "fq", final_count, graded=True))
    return folder


def _assessment(aid: str, prefix: str, count: int, graded: bool) -> str:
    text = f"id: {aid}\ntitle: Assessment {aid}\ngraded: {str(graded).lower()}\nquestions:\n"
    for n in range(count):
        kind, fields = QUESTION_KINDS[n % len(QUESTION_KINDS)]
        text += (f"  - id: {prefix}{n}\n    type: {kind}\n    objective: o{1 + n % 2}\n"
                 f"    prompt: Question {n} about the topic?\n    {fields}")
    return text


def wait_for(predicate, timeout: float = 30.0, message: str = "condition"):
    """Poll `predicate` (every 0.2 s) until it returns something truthy; that value. AssertionError
    naming `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {message}"
        time.sleep(0.2)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the servers the tests start bind to it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
