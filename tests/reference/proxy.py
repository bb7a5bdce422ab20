"""A small reverse proxy on 127.0.0.1: one origin in front of the CATAPULT CTS and its player, as
upstream's nginx (cts/nginx/default.conf) joins them: the longest matching path prefix picks the
backend port; the request goes on unchanged (path, Host, body), the answer comes back unchanged.
"""
from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
       "transfer-encoding", "upgrade"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: list[tuple[str, int]] = []

    def _backend(self) -> int:
        path = self.path.split("?", 1)[0]
        for prefix, port in self.routes:
            if prefix == "/" or path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return port
        return self.routes[-1][1]

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        connection = http.client.HTTPConnection("127.0.0.1", self._backend(), timeout=120)
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except OSError as error:
            self.send_error(502, f"backend: {error}")
            return
        finally:
            connection.close()
        self.send_response_only(response.status, response.reason)
        for key, value in response.getheaders():
            if key.lower() not in HOP and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(data)
            except OSError:
                pass  # the browser went away (a page closed with a request in flight)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = _forward

    def log_message(self, *args) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a client that hung up is no error of the proxy's


class Proxy:
    name = "proxy"
    log = None

    def __init__(self, port: int, routes: dict[str, int]) -> None:
        ordered = sorted(routes.items(), key=lambda item: -len(item[0]))
        handler = type("Handler", (_Handler,), {"routes": ordered})
        self.httpd = _Server(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
