"""A real Learning Record Store for the tests: Ralph (ralph-malph) on 127.0.0.1.

`RalphLRS` runs Ralph's ASGI app under uvicorn in a child process, with the file-system
backend in a folder of its own, basic-auth users from an auth file, and CORS open to the
origins the tests serve content from. It can be stopped and started again on the same port
with the same data, which is how the outage tests cut the network.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from support import free_port

SERVE = Path(__file__).with_name("serve.py")
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def basic_auth(username: str, password: str) -> str:
    """The Authorization header value for a key and secret."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    scopes: tuple[str, ...]

    @property
    def authorization(self) -> str:
        return basic_auth(self.username, self.password)


class RalphLRS:
    """One Ralph LRS process. `endpoint` is the xAPI base IRI, ending in '/'.

    Two users: `admin` may read and write everything (what the tests read back with);
    `writer` may only write statements, like the write-only key an agency would embed.
    """

    def __init__(self, folder: Path, origins: tuple[str, ...] = (), port: int | None = None):
        self.folder = folder
        self.origins = tuple(origins)
        self.port = port or free_port()
        self.admin = Credentials("admin", secrets.token_urlsafe(16), ("all",))
        self.writer = Credentials("writer", secrets.token_urlsafe(16), ("statements/write",))
        self._process: subprocess.Popen | None = None
        self._log = folder / "ralph.log"
        (folder / "statements").mkdir(parents=True, exist_ok=True)
        self._write_auth_file()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"{self.root}/xAPI/"

    @property
    def statements_file(self) -> Path:
        return self.folder / "statements" / "fs_lrs.jsonl"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _write_auth_file(self) -> None:
        """Ralph's auth file: a JSON list of users with bcrypt hashes, scopes and the agent
        that becomes the `authority` of what they write (what `ralph auth` would write)."""
        import bcrypt

        users = [
            {
                "username": user.username,
                "hash": bcrypt.hashpw(user.password.encode(), bcrypt.gensalt(rounds=4)).decode(),
                "scopes": list(user.scopes),
                "agent": {"account": {"homePage": self.root, "name": user.username}, "objectType": "Agent"},
            }
            for user in (self.admin, self.writer)
        ]
        (self.folder / "auth.json").write_text(json.dumps(users, indent=2), encoding="utf-8")

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RALPH_")}
        env.update({
            "RALPH_APP_DIR": str(self.folder),
            "RALPH_AUTH_FILE": str(self.folder / "auth.json"),
            "RALPH_HISTORY_FILE": str(self.folder / "history.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_RUNSERVER_AUTH_BACKENDS": "basic",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.folder / "statements"),
            "RALPH_RUNSERVER_CORS_ALLOW_ORIGINS": json.dumps(list(self.origins)),
            # scopes make `writer` write-only; they need authority restriction on too, which
            # limits readers without statements/read to what they wrote themselves
            "RALPH_LRS_RESTRICT_BY_AUTHORITY": "true",
            "RALPH_LRS_RESTRICT_BY_SCOPES": "true",
        })
        return env

    def start(self) -> None:
        if self.running:
            return
        log = self._log.open("ab")
        try:
            self._process = subprocess.Popen(
                [sys.executable, str(SERVE), str(self.port)], cwd=self.folder, env=self.environment(),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        finally:
            log.close()
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                raise RuntimeError(f"Ralph exited at start:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(f"{self.root}/__lbheartbeat__", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Ralph did not answer on {self.root} within {START_TIMEOUT:.0f} s:\n{self.log_text()}")

    def stop(self) -> None:
        """Stop the process (the port then refuses connections); data stays in `folder`."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)

    def restart(self) -> None:
        self.stop()
        self.start()

    @contextmanager
    def down(self) -> Iterator[None]:
        """An outage: the LRS is stopped inside the block and started again after it."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    def stored(self) -> list[dict]:
        """Every statement in the backend's file, read directly (no paging, no auth)."""
        if not self.statements_file.exists():
            return []
        lines = self.statements_file.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def log_text(self) -> str:
        return self._log.read_text(encoding="utf-8", errors="replace")[-4000:] if self._log.exists() else ""
