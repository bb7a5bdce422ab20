"""The preview server builds, serves the course and the simulator, and rebuilds on edits."""
from __future__ import annotations

import json
import threading
import time
import urllib.request

from support import edit

from scorm_builder.preview import serve


def get(port: int, path: str) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return response.read()


def wait_for(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_preview_serves_and_rebuilds(mini):
    ready, stop, lines = threading.Event(), threading.Event(), []
    thread = threading.Thread(target=serve, args=(mini, "scorm12", 0),
                              kwargs={"log": lines.append, "ready": ready, "stop": stop}, daemon=True)
    thread.start()
    try:
        assert ready.wait(20)
        port = ready.port
        status = json.loads(get(port, "/__status"))
        assert status["generation"] == 1 and status["standard"] == "scorm12"
        assert b"course.js" in get(port, "/course/index.html")
        assert b"A Small Test Course" in get(port, "/course/course.js")
        assert b"LMSInitialize" in get(port, "/simulator.js")
        assert b"imsmanifest" not in get(port, "/")  # the simulator page, not the course

        edit(mini / "course.yaml", "title: A Small Test Course", "title: A Renamed Course")
        assert wait_for(lambda: json.loads(get(port, "/__status"))["generation"] == 2)
        assert b"A Renamed Course" in get(port, "/course/course.js")

        edit(mini / "course.yaml", "mastery_score: 80", "mastery_score: 800")
        assert wait_for(lambda: json.loads(get(port, "/__status"))["problems"])
        status = json.loads(get(port, "/__status"))
        assert status["generation"] == 2  # the last good build stays
        assert any("out of range" in p for p in status["problems"])
        assert b"A Renamed Course" in get(port, "/course/course.js")
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_preview_refuses_a_broken_course(mini):
    edit(mini / "course.yaml", "mastery_score: 80", "mastery_score: 800")
    lines: list[str] = []
    assert serve(mini, "scorm2004", 0, log=lines.append) == 1
    assert any("out of range" in line for line in lines)
