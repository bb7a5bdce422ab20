"""A throwaway PostgreSQL cluster for the records tests, from the binaries Debian's `postgresql`
package installs (initdb, pg_ctl). One cluster per test session, on 127.0.0.1 and a free port,
in a temporary folder, fsync off, trust authentication; each test gets a database of its own.

As root (CI runs as root) the server runs as the `postgres` user the package creates, since
PostgreSQL refuses to run as root. `available()` says why not when it cannot run here.
"""
from __future__ import annotations

import atexit
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from support import free_port


def _bindir() -> Path | None:
    for name in ("pg_ctl", "initdb"):
        found = shutil.which(name)
        if found:
            return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


class Cluster:
    def __init__(self) -> None:
        self.bindir = _bindir()
        self.folder: Path | None = None
        self.port = 0
        self.user: str | None = None
        self.started = False

    def unavailable(self) -> str | None:
        if self.bindir is None or not (self.bindir / "initdb").exists():
            return ("PostgreSQL binaries not found (initdb, pg_ctl): apt-get install -y postgresql "
                    "(./dev test installs it)")
        try:
            import psycopg  # noqa: F401
        except ImportError:
            return "psycopg is not installed: pip install 'psycopg[binary]'"
        if os.geteuid() == 0:
            try:
                import pwd

                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no 'postgres' user to run the server as"
        return None

    def _run(self, *args: str) -> None:
        kwargs = {"user": self.user} if self.user else {}
        done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120, check=False,
                              cwd=self.folder, **kwargs)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> None:
        if self.started:
            return
        self.user = "postgres" if os.geteuid() == 0 else None
        self.folder = Path(tempfile.mkdtemp(prefix="records-pg-"))
        if self.user:
            shutil.chown(self.folder, self.user, self.user)
        data = self.folder / "data"
        self._run(self.bindir / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        self.port = free_port()
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off " \
                  "-c synchronous_commit=off -c full_page_writes=off"
        self._run(self.bindir / "pg_ctl", "-D", data, "-o", options, "-l", self.folder / "log", "-w", "-t", "60",
                  "start")
        self.started = True
        atexit.register(self.stop)

    def stop(self) -> None:
        if not self.started:
            return
        self.started = False
        try:
            self._run(self.bindir / "pg_ctl", "-D", self.folder / "data", "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        import psycopg

        name = "records_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


CLUSTER = Cluster()
