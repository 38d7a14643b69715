"""A throwaway PostgreSQL server for the test suite: initdb + pg_ctl in a temporary folder.

One server per test process (each xdist worker starts its own: initdb + start take about a
second), listening on a Unix socket (trusted, for the suite's own administration) and on a free
localhost port (password authentication, so URLs look like the ones people write). Each test gets
a fresh database from `create_database`.

PostgreSQL refuses to run as root: when the suite runs as root, the server runs as `nobody`.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SUPERUSER = "postgres"
PASSWORD = "pg-secret-Zq7"  # a string that must never appear in session-tui's messages
UNPRIVILEGED_USER = "nobody"
START_ATTEMPTS = 5  # another process may take the free port between choosing it and binding it
COMMAND_TIMEOUT = 60


class PgUnavailable(RuntimeError):
    """The PostgreSQL server binaries are missing or the server would not start."""


def find_bindir() -> Path:
    """The folder holding initdb and pg_ctl: $PG_BINDIR, else PATH, else the newest
    /usr/lib/postgresql/*/bin (Debian keeps them off PATH)."""
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                      key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
                      reverse=True)
    candidates += [Path(p) for p in versions]
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    raise PgUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in "
                        "/usr/lib/postgresql/*/bin: run .ci/run or apt-get install postgresql")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as_kwargs() -> dict:
    """subprocess arguments that drop root to an unprivileged user (the server refuses root)."""
    if os.geteuid() != 0:
        return {}
    import pwd
    entry = pwd.getpwnam(UNPRIVILEGED_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


class PgServer:
    def __init__(self, bindir: Path, root: Path, port: int):
        self.bindir = bindir
        self.root = root
        self.port = port
        self._databases = 0

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root

    @classmethod
    def start(cls) -> "PgServer":
        bindir = find_bindir()
        # Directly under the temp folder: a short path (Unix socket paths are limited to ~100
        # bytes) that `nobody` can reach (pytest's basetemp is private to root).
        root = Path(tempfile.mkdtemp(prefix="stpg-"))
        run_as = _run_as_kwargs()
        if run_as:
            os.chown(root, run_as["user"], run_as["group"])
        server = cls(bindir, root, 0)
        try:
            server._initdb(run_as)
            server._start(run_as)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        return server

    def _command(self, args: list[str], run_as: dict) -> None:
        env = {**os.environ, "LC_ALL": "C", "TZ": "UTC"}
        done = subprocess.run(args, env=env, capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT, cwd=self.root, **run_as)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PgUnavailable(f"{Path(args[0]).name} failed ({done.returncode}): "
                                f"{done.stderr.strip()[-2000:]} {tail}".strip())

    def _initdb(self, run_as: dict) -> None:
        pwfile = self.root / "pwfile"
        pwfile.write_text(PASSWORD + "\n")
        if run_as:
            os.chown(pwfile, run_as["user"], run_as["group"])
        # -N: no fsync (a throwaway cluster); trust on the socket (the suite administers through
        # it), passwords over TCP (what the URLs under test use).
        self._command([str(self.bindir / "initdb"), "-D", str(self.data), "-N", "-U", SUPERUSER,
                       "-E", "UTF8", "--locale=C", "--auth-local=trust",
                       "--auth-host=scram-sha-256", f"--pwfile={pwfile}"], run_as)
        pwfile.unlink()

    def _start(self, run_as: dict) -> None:
        for attempt in range(START_ATTEMPTS):
            self.port = _free_port()
            options = (f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
                       "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                       "-c max_connections=60 -c shared_buffers=16MB "
                       # Nothing writes but the tests (autovacuum's analyze would commit too).
                       "-c autovacuum=off")
            try:
                self._command([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w", "-s",
                               "-t", "60", "-l", str(self.root / "server.log"), "-o", options,
                               "start"], run_as)
                return
            except PgUnavailable:
                if attempt == START_ATTEMPTS - 1:
                    raise

    def stop(self) -> None:
        try:
            self._command([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-s", "-m",
                           "immediate", "stop"], _run_as_kwargs())
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    # -- administration (through the trusted socket) --------------------------------------

    def admin(self, statement: str, *, dbname: str = "postgres") -> list[tuple]:
        """Run one SQL statement as the superuser, autocommit; its rows (if any)."""
        import psycopg
        with psycopg.connect(host=str(self.socket_dir), port=self.port, user=SUPERUSER,
                             dbname=dbname, autocommit=True) as conn:
            cur = conn.execute(statement)
            return cur.fetchall() if cur.description else []

    def create_database(self, prefix: str = "t", *, template: str | None = None) -> str:
        """A new database: empty, or a copy of `template` (a database nobody is connected to;
        copying one that google-adk filled once is much cheaper than filling it again)."""
        self._databases += 1
        name = f"{prefix}_{os.getpid()}_{self._databases}"
        copy_of = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        self.admin(f'CREATE DATABASE "{name}"{copy_of}')
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def url(self, dbname: str, *, user: str = SUPERUSER, password: str | None = PASSWORD,
            driver: str = "") -> str:
        """A URL as people write them: postgresql[+driver]://user:password@127.0.0.1:port/db."""
        scheme = "postgresql" + (f"+{driver}" if driver else "")
        auth = user + (f":{password}" if password is not None else "")
        return f"{scheme}://{auth}@127.0.0.1:{self.port}/{dbname}"
