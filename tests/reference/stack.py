"""The reference cmi5 / xAPI stack on 127.0.0.1, for the conformance tests: the ADL LRS, the ADL
CATAPULT cmi5 player (the reference cmi5 LMS) and the CATAPULT Content Test Suite (CTS).

The programs come from ../shared/third_party/ (see its README): `prepare()` unpacks the archives
into build/reference/ (never into the repository), makes the LRS's own virtualenv and installs the
player's and the CTS's npm packages, once; later sessions find them ready (a stamp per step).
`Stack.start()` then starts, per test session:

- the ADL LRS (gunicorn) on a database of its own in the suite's throwaway PostgreSQL cluster
  (tests/records_fixtures/postgres.py), with a superuser for HTTP basic auth;
- the CATAPULT player (node) on a MariaDB database and user of its own (Debian's MariaDB, started
  by `/etc/init.d/mariadb start` when it is not running), its content folder in the session's
  temporary folder, the LRS above behind it;
- the CTS (node) with a second player of its own, both behind a small reverse proxy on one origin
  (`/` the CTS, `/player` its player), as upstream's nginx does.

Every server listens on 127.0.0.1 and a free port; names of databases and users are unique per
session. `unavailable()` says why the stack cannot run here (a missing ../shared, no MariaDB...).
"""
from __future__ import annotations

import atexit
import base64
import fcntl
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from support import free_port

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "third_party"
BUILD = ROOT / "build" / "reference"
HERE = Path(__file__).resolve().parent
ARCHIVES = {"ADL_LRS": "adl-lrs-efa045e.tar.gz", "CATAPULT": "catapult-806c0ba.tar.gz"}
HOW_TO = ("the reference implementations are read from ../shared/third_party/ (ADL LRS and CATAPULT "
          "archives, see the project README, 'Conformance tests'): put that folder next to the "
          "repository, then run ./dev test")
LRS_USER = "sbadmin"
NODE = shutil.which("node") or "node"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def missing() -> str | None:
    """Why ../shared/third_party cannot be used, or None."""
    absent = [name for name in ARCHIVES.values() if not (SHARED / name).is_file()]
    if absent:
        return f"{', '.join(absent)} not found in {SHARED}: {HOW_TO}"
    return None


def unavailable() -> str | None:
    """Why the stack cannot run on this machine, or None."""
    reason = missing()
    if reason:
        return reason
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node and npm are needed for the CATAPULT player: apt-get install nodejs npm (./dev test does)"
    if shutil.which("mariadbd") is None and not Path("/usr/sbin/mariadbd").exists():
        return "MariaDB is needed for the CATAPULT player: apt-get install mariadb-server (./dev test does)"
    if shutil.which("pg_config") is None:
        return "libpq-dev is needed to build the ADL LRS's psycopg2: apt-get install libpq-dev gcc python3-dev"
    from records_fixtures.postgres import CLUSTER

    return CLUSTER.unavailable()  # the ADL LRS's database lives in the suite's throwaway cluster


def _run(args, cwd=None, env=None, timeout=900) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
                           f"{done.stderr[-3000:]}")
    return done.stdout


# ---------------------------------------------------------------- preparing (once, cached in build/)

def _step(name: str, action) -> None:
    stamp = BUILD / f".{name}.done"
    if stamp.exists():
        return
    action()
    stamp.write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))


def _unpack() -> None:
    for folder, archive in ARCHIVES.items():
        shutil.rmtree(BUILD / folder, ignore_errors=True)
        with tarfile.open(SHARED / archive) as tar:
            tar.extractall(BUILD, filter="data")


def _lrs_venv() -> None:
    venv = BUILD / "lrs-venv"
    if not (venv / "bin" / "python").exists():
        _run([sys.executable, "-m", "venv", venv])
    _run([venv / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r",
          BUILD / "ADL_LRS" / "requirements.txt", "gunicorn"])


def _lrs_sources() -> None:
    lrs = BUILD / "ADL_LRS"
    ini = (lrs / "settings.ini.example").read_text()
    ini = ini.replace("SECRET_KEY: _secret_", "SECRET_KEY: " + secrets.token_hex(24))
    ini = ini.replace("DEBUG: True", "DEBUG: False")
    (lrs / "adl_lrs" / "settings.ini").write_text(ini)
    shutil.copyfile(HERE / "lrs_settings.py", lrs / "sb_settings.py")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="sb_settings")
    # upstream ships no migrations: make them once (they depend on the models only)
    _run([BUILD / "lrs-venv" / "bin" / "python", "manage.py", "makemigrations", "adl_lrs", "lrs",
          "oauth_provider"], cwd=lrs, env=env)


def _npm(folder: Path, drop_lock: bool = False) -> None:
    if drop_lock:
        (folder / "package-lock.json").unlink(missing_ok=True)
    _run(["npm", "install", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder)


def _cts_links() -> None:
    cts = BUILD / "CATAPULT" / "cts"
    link = cts / "service" / "migrations"
    if not link.exists():
        link.symlink_to(cts / "migrations")


def prepare() -> None:
    """Unpack and install everything the stack runs from, under build/reference/ (once)."""
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(BUILD / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = BUILD / ".archives"
        wanted = json.dumps({name: (SHARED / name).stat().st_size for name in ARCHIVES.values()})
        if not stamp.exists() or stamp.read_text() != wanted:
            for old in BUILD.glob(".*.done"):
                old.unlink()
            _unpack()
            stamp.write_text(wanted)
        _step("lrs-venv", _lrs_venv)
        _step("lrs-sources", _lrs_sources)
        _step("player-npm", lambda: _npm(BUILD / "CATAPULT" / "player" / "service"))
        _step("cts-npm", lambda: _npm(BUILD / "CATAPULT" / "cts" / "service", drop_lock=True))
        _step("cts-links", _cts_links)


# ---------------------------------------------------------------- processes

def http(method: str, url: str, body=None, headers: dict | None = None, timeout: float = 30.0):
    """(status, headers, parsed JSON or text) of one request; never raises on an HTTP status."""
    data = None
    headers = dict(headers or {})
    if body is not None:
        if isinstance(body, (bytes, bytearray)):
            data = bytes(body)
        else:
            data = json.dumps(body, separators=(",", ":")).encode()
            headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, answer, text = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, answer, text = error.code, error.headers, error.read()
    text = text.decode("utf-8", "replace")
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = text
    return status, answer, parsed


def _wait_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited ({process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s:\n{log.read_text()[-4000:]}")


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def _spawn(name: str, args, cwd: Path, env: dict, folder: Path) -> Server:
    log = folder / f"{name}.log"
    out = open(log, "w")
    process = subprocess.Popen([str(a) for a in args], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    return Server(name, process, log)


# ---------------------------------------------------------------- MariaDB

def _mysql(sql: str) -> str:
    return _run(["mysql", "-u", "root", "--batch", "--skip-column-names", "-e", sql], timeout=60)


def mariadb_up() -> None:
    """Debian's MariaDB on 127.0.0.1:3306 (the CATAPULT player waits for that port)."""
    try:
        socket.create_connection(("127.0.0.1", 3306), timeout=1).close()
        return
    except OSError:
        pass
    _run(["/etc/init.d/mariadb", "start"], timeout=120)


@dataclass
class MariaDatabase:
    name: str
    user: str
    password: str

    @classmethod
    def create(cls, prefix: str) -> "MariaDatabase":
        tag = secrets.token_hex(5)
        db = cls(f"{prefix}_{tag}", f"{prefix[:6]}_{tag}", secrets.token_hex(12))
        _mysql(f"CREATE DATABASE `{db.name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; "
               f"CREATE USER '{db.user}'@'127.0.0.1' IDENTIFIED BY '{db.password}'; "
               f"CREATE USER '{db.user}'@'localhost' IDENTIFIED BY '{db.password}'; "
               f"GRANT ALL ON `{db.name}`.* TO '{db.user}'@'127.0.0.1'; "
               f"GRANT ALL ON `{db.name}`.* TO '{db.user}'@'localhost';")
        return db

    def drop(self) -> None:
        try:
            _mysql(f"DROP DATABASE IF EXISTS `{self.name}`; DROP USER IF EXISTS '{self.user}'@'127.0.0.1'; "
                   f"DROP USER IF EXISTS '{self.user}'@'localhost';")
        except RuntimeError:
            pass

    def env(self) -> dict:
        return {"DB_HOST": "127.0.0.1", "DB_NAME": self.name, "DB_USERNAME": self.user, "DB_PASSWORD": self.password}


def _service_copy(source: Path, target: Path) -> Path:
    """A private copy of a CATAPULT service folder (its sources write into `var/`), sharing the
    installed node_modules through a link."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("node_modules", "var", "tests"), symlinks=True)
    (target / "node_modules").symlink_to(source / "node_modules")
    return target


# ---------------------------------------------------------------- the stack

@dataclass
class AdlLrs:
    endpoint: str  # xAPI root, ends in "/"
    user: str
    password: str

    @property
    def auth(self) -> str:
        return basic(self.user, self.password)

    def request(self, method: str, resource: str, body=None, headers: dict | None = None, **params):
        from urllib.parse import urlencode

        query = urlencode({k: json.dumps(v, separators=(",", ":")) if isinstance(v, dict) else v
                           for k, v in params.items()})
        url = self.endpoint + resource + ("?" + query if query else "")
        return http(method, url, body, dict({"Authorization": self.auth, "X-Experience-API-Version": "1.0.3"},
                                            **(headers or {})))

    def statements(self, **filters) -> list[dict]:
        """Every statement matching `filters` (following `more`), as stored."""
        status, _, page = self.request("GET", "statements", limit=500, **filters)
        assert status == 200, (status, page)
        found = list(page["statements"])
        base = self.endpoint.split("/xapi/")[0]
        while page.get("more"):
            status, _, page = http("GET", base + page["more"], headers={"Authorization": self.auth,
                                                                      "X-Experience-API-Version": "1.0.3"})
            assert status == 200, (status, page)
            found += page["statements"]
        return found


@dataclass
class Player:
    """The CATAPULT player's API (basic auth with the API key, then a bearer token per tenant)."""
    base: str  # http://127.0.0.1:PORT[/player]
    key: str
    secret: str
    token: str = ""

    def api(self, method: str, path: str, body=None, headers: dict | None = None):
        auth = f"Bearer {self.token}" if self.token else basic(self.key, self.secret)
        return http(method, f"{self.base}/api/v1/{path}", body, dict({"Authorization": auth}, **(headers or {})))

    def tenant(self, code: str) -> None:
        status, _, tenant = http("POST", f"{self.base}/api/v1/tenant", {"code": code},
                                 {"Authorization": basic(self.key, self.secret)})
        assert status == 200, (status, tenant)
        status, _, token = http("POST", f"{self.base}/api/v1/auth", {"tenantId": tenant["id"], "audience": code},
                                {"Authorization": basic(self.key, self.secret)})
        assert status == 200, (status, token)
        self.token = token["token"]


@dataclass
class Cts:
    """The CTS's API, through the single origin (basic auth with its first user)."""
    base: str
    user: str
    password: str

    def api(self, method: str, path: str, body=None, headers: dict | None = None):
        return http(method, f"{self.base}/api/v1/{path}", body,
                    dict({"Authorization": basic(self.user, self.password)}, **(headers or {})))


@dataclass
class Stack:
    folder: Path
    lrs: AdlLrs | None = None
    player: Player | None = None
    cts: Cts | None = None
    cts_error: str = ""
    startup: dict = field(default_factory=dict)  # part -> seconds
    servers: list = field(default_factory=list)
    databases: list = field(default_factory=list)

    # -- the ADL LRS
    def start_lrs(self) -> None:
        from records_fixtures.postgres import CLUSTER

        t0 = time.monotonic()
        CLUSTER.start()
        url = CLUSTER.new_database()
        name = url.rsplit("/", 1)[1]
        data = self.folder / "lrs"
        data.mkdir()
        password = secrets.token_hex(12)
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="sb_settings", SB_LRS_DATA=str(data), SB_LRS_DB_NAME=name,
                   SB_LRS_DB_PORT=str(CLUSTER.port), DJANGO_SUPERUSER_PASSWORD=password, PYTHONDONTWRITEBYTECODE="1",
                   # the LRS tries to fetch every new activity id (upstream's metadata lookup); tests
                   # have no Internet: a proxy that refuses at once keeps a request from waiting on DNS
                   http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9", no_proxy="127.0.0.1,localhost")
        python = BUILD / "lrs-venv" / "bin" / "python"
        lrs_dir = BUILD / "ADL_LRS"
        _run([python, "manage.py", "createcachetable"], cwd=lrs_dir, env=env)
        _run([python, "manage.py", "migrate", "-v", "0"], cwd=lrs_dir, env=env)
        _run([python, "manage.py", "createsuperuser", "--noinput", "--username", LRS_USER, "--email",
              "lrs-admin@example.com"], cwd=lrs_dir, env=env)
        port = free_port()
        server = _spawn("adl-lrs", [BUILD / "lrs-venv" / "bin" / "gunicorn", "adl_lrs.wsgi:application", "-b",
                                    f"127.0.0.1:{port}", "-w", "2", "--threads", "4", "--timeout", "60"],
                        lrs_dir, env, self.folder)
        self.servers.append(server)
        _wait_http(f"http://127.0.0.1:{port}/xapi/about", server.process, server.log)
        self.lrs = AdlLrs(f"http://127.0.0.1:{port}/xapi/", LRS_USER, password)
        self.startup["ADL LRS"] = time.monotonic() - t0

    # -- a CATAPULT player
    def _player(self, name: str, port: int, root: str, content_url: str) -> Player:
        db = MariaDatabase.create("sbplayer")
        self.databases.append(db)
        service = _service_copy(BUILD / "CATAPULT" / "player" / "service", self.folder / name / "service")
        migrations = self.folder / name / "migrations"
        migrations.symlink_to(BUILD / "CATAPULT" / "player" / "migrations")
        key, secret = "sb-" + secrets.token_hex(4), secrets.token_hex(12)
        env = dict(os.environ, **db.env(), LRS_ENDPOINT=self.lrs.endpoint, LRS_USERNAME=self.lrs.user,
                   LRS_PASSWORD=self.lrs.password, LRS_XAPI_VERSION="1.0.3", API_KEY=key, API_SECRET=secret,
                   TOKEN_SECRET=secrets.token_hex(16), CONTENT_URL=content_url, PLAYER_REQUIRE_STRICT_HEADERS="false",
                   PLAYER_API_ROOT=root, NODE_ENV="production")
        _run([NODE, "node_modules/.bin/knex", "migrate:latest", "--migrations-directory", "../migrations"],
             cwd=service, env=env, timeout=120)
        server = _spawn(name, [NODE, "index.js", port, "127.0.0.1"], service, env, self.folder)
        self.servers.append(server)
        _wait_http(f"http://127.0.0.1:{port}{root}/api/v1/about", server.process, server.log)
        return Player(f"http://127.0.0.1:{port}{root}", key, secret)

    def start_player(self) -> None:
        t0 = time.monotonic()
        mariadb_up()
        port = free_port()
        self.player = self._player("catapult-player", port, "", f"http://127.0.0.1:{port}/content")
        self.player.tenant("scorm-builder-tests")
        self.startup["CATAPULT player"] = time.monotonic() - t0

    # -- the CTS with its own player, one origin
    def start_cts(self) -> None:
        from .proxy import Proxy

        t0 = time.monotonic()
        front, player_port, cts_port = free_port(), free_port(), free_port()
        origin = f"http://127.0.0.1:{front}"
        player = self._player("cts-player", player_port, "/player", f"{origin}/player/content")
        db = MariaDatabase.create("sbcts")
        self.databases.append(db)
        service = _service_copy(BUILD / "CATAPULT" / "cts" / "service", self.folder / "cts" / "service")
        (service / "migrations").unlink(missing_ok=True)
        (service / "migrations").symlink_to(BUILD / "CATAPULT" / "cts" / "migrations")
        env = dict(os.environ, **db.env(), PLAYER_BASE_URL=player.base, PLAYER_KEY=player.key,
                   PLAYER_SECRET=player.secret, LRS_ENDPOINT=self.lrs.endpoint, LRS_USERNAME=self.lrs.user,
                   LRS_PASSWORD=self.lrs.password, LRS_XAPI_VERSION="1.0.3",
                   CTS_SESSION_COOKIE_PASSWORD=secrets.token_hex(32), HOSTNAME=origin, NODE_ENV="production")
        _run([NODE, "node_modules/.bin/knex", "migrate:latest"], cwd=service, env=env, timeout=120)
        server = _spawn("cts", [NODE, "index.js", cts_port, "127.0.0.1"], service, env, self.folder)
        self.servers.append(server)
        _wait_http(f"http://127.0.0.1:{cts_port}/api/v1/about", server.process, server.log)
        proxy = Proxy(front, {"/player": player_port, "/": cts_port})
        proxy.start()
        self.servers.append(proxy)
        user, password = "sb-tester", secrets.token_hex(12)
        status, _, answer = http("POST", f"{origin}/api/v1/bootstrap", {"firstUser": {"username": user,
                                                                                       "password": password}})
        assert status in (200, 204), (status, answer)
        self.cts = Cts(origin, user, password)
        self.startup["CATAPULT CTS"] = time.monotonic() - t0

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()
        self.servers = []
        for db in self.databases:
            db.drop()
        self.databases = []
        shutil.rmtree(self.folder, ignore_errors=True)

    def logs(self) -> str:
        out = []
        for server in self.servers:
            log = getattr(server, "log", None)
            if log and Path(log).exists():
                out.append(f"--- {server.name}\n{Path(log).read_text()[-3000:]}")
        return "\n".join(out)


def start() -> Stack:
    """Prepare (once) and start the whole stack; the CTS is best effort (`stack.cts_error` says why not)."""
    t0 = time.monotonic()
    prepare()
    prepared = time.monotonic() - t0
    stack = Stack(Path(tempfile.mkdtemp(prefix="sb-reference-")))
    atexit.register(stack.stop)  # servers run in sessions of their own: stop them even without teardown
    stack.startup["prepare (cached after the first run)"] = prepared
    try:
        stack.start_lrs()
        stack.start_player()
        try:
            stack.start_cts()
        except Exception as error:  # noqa: BLE001 - reported by the CTS tests, the rest still runs
            stack.cts_error = f"{type(error).__name__}: {error}"
    except BaseException:
        stack.stop()
        raise
    return stack
