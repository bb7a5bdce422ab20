"""A small xAPI client for the tests (standard library only): what a test needs to send
statements to an LRS and read them back, with the xAPI version header on every request."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

XAPI_VERSION = "1.0.3"


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body) if self.body else None


class LrsClient:
    def __init__(self, endpoint: str, authorization: str | None, timeout: float = 10.0):
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.authorization = authorization
        self.timeout = timeout

    def request(self, method: str, resource: str, params: dict | None = None, body: object = None,
                headers: dict[str, str] | None = None) -> Response:
        url = urllib.parse.urljoin(self.endpoint, resource)
        if params:
            url += "?" + urllib.parse.urlencode({k: _param(v) for k, v in params.items()})
        return self.request_url(method, url, body, headers)

    def request_url(self, method: str, url: str, body: object = None,
                    headers: dict[str, str] | None = None) -> Response:
        all_headers = {"X-Experience-API-Version": XAPI_VERSION}
        if self.authorization:
            all_headers["Authorization"] = self.authorization
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return Response(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read())

    def post_statements(self, statements: list[dict] | dict) -> Response:
        return self.request("POST", "statements", body=statements)

    def put_statement(self, statement: dict, statement_id: str | None = None) -> Response:
        return self.request("PUT", "statements", {"statementId": statement_id or statement["id"]}, statement)

    def get_statements(self, **params: object) -> Response:
        return self.request("GET", "statements", params)

    def all_statements(self, **params: object) -> list[dict]:
        """Every statement matching `params`, following `more` links page by page."""
        response = self.get_statements(**params)
        found: list[dict] = []
        while True:
            if response.status != 200:
                raise AssertionError(f"GET statements answered {response.status}: {response.body[:300]!r}")
            page = response.json()
            found += page["statements"]
            more = page.get("more")
            if not more or not page["statements"]:
                return found
            response = self.request_url("GET", urllib.parse.urljoin(self.endpoint, more))


def _param(value: object) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
