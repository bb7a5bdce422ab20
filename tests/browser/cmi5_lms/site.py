"""One web server on the origin the LRS allows (`lrs_content_origin`): packages, the scorm-again
test LMS page, the cmi5 test LMS (fetch URL, return page) and its xAPI endpoint under /xapi/.

Ralph's CORS allows exactly one origin, so every test module that plays packages against it shares
this one server: `site_for(origin, lrs)` starts it once per test session.
"""
from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .lms import Cmi5Lms

_SITES: dict[str, Site] = {}
RETURNED = (b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Test LMS</title>"
            b"<link rel=\"icon\" href=\"data:,\"></head><body><main><h1>Back in the test LMS</h1></main></body></html>")


class Site:
    def __init__(self, origin: str, lrs):
        parts = urllib.parse.urlsplit(origin)
        self.origin = origin
        self.routes: dict[str, Path] = {}
        self.lms = Cmi5Lms(origin, lrs)
        handler = type("Handler", (_Handler,), {"site": self})
        self.httpd = ThreadingHTTPServer((parts.hostname, parts.port), handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def serve(self, prefix: str, folder: Path) -> None:
        """Serve `folder` below the path `prefix` ("/pkg/empathy/cmi5/")."""
        self.routes[prefix] = folder.resolve()

    def url(self, path: str) -> str:
        return self.origin + path


def site_for(origin: str, lrs) -> Site:
    if origin not in _SITES:
        _SITES[origin] = Site(origin, lrs)
    return _SITES[origin]


class _Handler(SimpleHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def translate_path(self, path: str) -> str:
        path = urllib.parse.unquote(urllib.parse.urlsplit(path).path)
        for prefix, root in self.site.routes.items():
            if path.startswith(prefix):
                target = (root / path[len(prefix):]).resolve()
                if target == root or root in target.parents:
                    return str(target)
        return str(Path("/nonexistent"))

    def reply(self, status: int, body: bytes = b"", content_type: str = "application/json", headers=None) -> None:
        self.send_response(status)
        if body or status not in (204, 304):
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/xapi/"):
            return self.xapi("GET")
        if path == "/cmi5/returned":
            return self.reply(200, RETURNED, "text/html; charset=utf-8")
        if path.startswith("/cmi5/fetch/"):
            return self.reply(405, b'{"error": "POST the fetch URL"}', headers={"Allow": "POST"})
        return super().do_GET()

    def do_POST(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/cmi5/fetch/"):
            self.body()
            answer = self.site.lms.fetch(path.rsplit("/", 1)[1])
            return self.reply(200, json.dumps(answer).encode())
        if path.startswith("/xapi/"):
            return self.xapi("POST")
        self.reply(404)

    def do_PUT(self) -> None:
        self.xapi("PUT")

    def do_DELETE(self) -> None:
        self.xapi("DELETE")

    def xapi(self, method: str) -> None:
        """The LMS's xAPI endpoint: statements to Ralph, state and agent profiles kept here."""
        lms = self.site.lms
        parts = urllib.parse.urlsplit(self.path)
        resource = parts.path[len("/xapi/"):]
        params = dict(urllib.parse.parse_qsl(parts.query))
        body = self.body()
        status = self._xapi(lms, method, resource, parts.query, params, body)
        with lms.lock:
            lms.log.append((method, parts.path, status))

    def _xapi(self, lms: Cmi5Lms, method: str, resource: str, query: str, params: dict, body: bytes) -> int:
        if resource == "about" and method == "GET":
            self.reply(200, b'{"version": ["1.0.3"]}')
            return 200
        if self.headers.get("X-Experience-API-Version") != "1.0.3":
            self.reply(400, b'{"error": "X-Experience-API-Version 1.0.3 is required"}')
            return 400
        if lms.session_for(self.headers.get("Authorization")) is None:
            self.reply(401, b'{"error": "unknown token"}')
            return 401
        if resource == "statements" and method in ("GET", "POST", "PUT"):
            status, answer = lms.forward(method, "statements", query, body if method != "GET" else None)
            self.reply(status, answer)
            return status
        if resource == "activities/state":
            status, answer, kind = lms.state(method, params, body, self.headers.get("Content-Type", ""))
            self.reply(status, answer, kind)
            return status
        if resource == "agents/profile" and method == "GET":
            status, answer, kind = lms.profile(params)
            self.reply(status, answer, kind)
            return status
        self.reply(404, b'{"error": "not here"}')
        return 404
