"""The preview server answers only to its own address and refuses malformed URLs cleanly
(issue 9, item 6): a DNS-rebinding page cannot read it, and no request prints a traceback."""
from __future__ import annotations

import shutil
import socket
import threading

import pytest
from support import MINI

from scorm_builder.preview import serve
from scorm_builder.preview.server import request_problem


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    course = tmp_path_factory.mktemp("preview") / "mini"
    shutil.copytree(MINI, course)
    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=serve, args=(course, "scorm12", 0),
                              kwargs={"log": lambda text: None, "ready": ready, "stop": stop}, daemon=True)
    thread.start()
    assert ready.wait(30)
    yield ready.port
    stop.set()
    thread.join(10)


def raw_request(port: int, request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are (http.client would tidy them) and read the status and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def request(port: int, target: str, host: str | None = "127.0.0.1:{port}", extra: str = "") -> bytes:
    head = f"GET {target} HTTP/1.1\r\n"
    if host is not None:
        head += f"Host: {host.format(port=port)}\r\n"
    return (head + extra + "Connection: close\r\n\r\n").encode("latin-1")


# (what, target, Host header or None, extra header lines, expected status, words in the body)
REQUESTS = [
    ("own address", "/__status", "127.0.0.1:{port}", "", 200, b"generation"),
    ("localhost", "/__status", "localhost:{port}", "", 200, b"generation"),
    ("localhost in capitals", "/course/index.html", "LOCALHOST:{port}", "", 200, b"course.js"),
    ("a rebinding site's name", "/__status", "evil.example:{port}", "", 421, b"answers only to"),
    ("a rebinding site's name, course file", "/course/course.js", "evil.example:{port}", "", 421, b"127.0.0.1"),
    ("another loopback address", "/__status", "127.0.0.2:{port}", "", 421, b"Misdirected"),
    ("no port", "/__status", "127.0.0.1", "", 421, b"answers only to"),
    ("another port", "/__status", "localhost:1", "", 421, b"answers only to"),
    ("an escape sequence in Host", "/__status", "\x1b]0;x\x07:{port}", "", 421, b"\\x1b]0;x\\x07"),
    ("no Host", "/__status", None, "", 400, b"exactly one Host"),
    ("two Hosts", "/__status", "127.0.0.1:{port}", "Host: evil.example\r\n", 400, b"exactly one Host"),
    ("%00 in a course path", "/course/index%00.html", "127.0.0.1:{port}", "", 400, b"control character"),
    ("%00 alone", "/%00", "127.0.0.1:{port}", "", 400, b"control character"),
    ("CR LF injection", "/course/x%0d%0aSet-Cookie:%20a=b", "127.0.0.1:{port}", "", 400, b"control character"),
    ("an escape sequence", "/course/%1b]0;x%07", "127.0.0.1:{port}", "", 400, b"control character"),
    ("bytes that are not UTF-8", "/course/%ff%fe.html", "127.0.0.1:{port}", "", 400, b"not UTF-8"),
    ("a lone %", "/course/%", "127.0.0.1:{port}", "", 404, b""),
    ("a bad %-escape", "/course/%zz.html", "127.0.0.1:{port}", "", 404, b""),
    ("encoded dot-dot", "/course/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "127.0.0.1:{port}", "", 404, b""),
    ("a very long name", "/course/" + "a" * 5000 + ".html", "127.0.0.1:{port}", "", 404, b""),
    ("an absolute URL as target", "http://evil.example/__status", "127.0.0.1:{port}", "", 400, b"path starting"),
]


@pytest.mark.parametrize(("what", "target", "host", "extra", "status", "words"), REQUESTS,
                         ids=[r[0] for r in REQUESTS])
def test_requests_are_answered_only_when_safe(server, capfd, what, target, host, extra, status, words):
    code, body = raw_request(server, request(server, target, host, extra))
    assert code == status, (what, code, body[:300])
    assert words in body, (what, body[:500])
    assert b"root:" not in body
    assert "Traceback" not in capfd.readouterr().err


def test_the_check_is_a_pure_function():
    assert request_problem(["127.0.0.1:8000"], "/", 8000) is None
    assert request_problem(["127.0.0.1:8000"], "/", 8001)[0] == 421
    assert request_problem(["127.0.0.1:8000"], "/a?x=%00", 8000) is None  # the query is not a path
    assert request_problem([], "/", 8000)[0] == 400
