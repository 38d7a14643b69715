"""The connection adapter: the little of a SQL database that an ADK store needs.

`AdkStore` (store.py) and the layouts (layouts.py) talk to a database only through this
protocol, so one store works over SQLite (the sqlite3 module, here) and PostgreSQL
(`adkdb/postgres.py`: SQLAlchemy Core + psycopg 3, written to this same protocol).

The contract an adapter keeps:

- `rows(sql, params)` runs a query and returns its rows as tuples; `execute(sql, params)` runs a
  statement and returns its row count. SQL is portable (no dialect-only functions: what differs
  goes through the adapter's own helpers below) and parameters are named, `:name`, given as a
  dict (sqlite3 and SQLAlchemy's `text()` both take that spelling).
- `transaction()` is a context manager: one write transaction that takes the write lock up
  front (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a transaction in which the store locks the rows
  it reads with `SELECT ... FOR UPDATE`: `for_update()` gives the clause, "" on SQLite). It
  commits when the block ends, rolls back on an exception. `snapshot()` is the same for reads:
  every read inside sees one consistent version (SQLite: a deferred `BEGIN`).
- `change_token()` is cheap and changes whenever another connection committed a change since
  the last call could have seen it (SQLite: `PRAGMA data_version` on this kept connection plus
  the file's stat; PostgreSQL: a small query). Our own commits may or may not change it.
- Values: JSON columns (`json_param` / `json_value`: TEXT holding `json.dumps` on SQLite, JSONB
  on PostgreSQL; `json_bind(name)` is the SQL for a JSON parameter, e.g. `CAST(:s AS JSONB)`),
  and DATETIME columns of `DatabaseSessionService` (`datetime_param(unix)` / `unix_of(value)`:
  naive UTC text `2026-03-01 09:00:04.484568` on SQLite, a naive datetime on PostgreSQL).
  REAL times of `SqliteSessionService` are plain floats and need no help.
- Every driver error leaves as a `StoreError` (one line naming `location`); a database that
  cannot be written sets `read_only` and `read_only_reason` (one line) before any change.
- `location` is what messages name: a file path, or a URL without its password. `key` is a
  stable text for it (a server's undo records are filed under a hash of it).
- `close()` closes the connection; the adapter is not used after.
- Optional, for a database that is a file: `replaced()` says whether another file now has its
  path (a copy moved over it), `reopen()` opens that one (AdkStore then reads its layout
  afresh), `forget_identity()` when that one is no ADK database. A server adapter leaves
  them out.

An adapter is used from one thread at a time (the store holds a lock around each call).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping, Protocol

from .. import jsonio
from ..store.errors import NotAStore, NotFound, StoreBusy, StoreError

# How long a statement waits for another writer's lock before it says "locked" (ADK waits 5 s).
BUSY_TIMEOUT = 5.0


class Connection(Protocol):
    """What AdkStore needs of a database (see the module docstring for the contract)."""

    dialect: str  # "sqlite" or "postgresql"
    location: str  # for messages: a path, or a URL without its password
    key: str  # stable text naming the database (undo records of a server are filed under it)
    read_only: bool
    read_only_reason: str | None

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple]: ...

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int: ...

    def transaction(self) -> contextlib.AbstractContextManager[None]: ...

    def snapshot(self) -> contextlib.AbstractContextManager[None]: ...

    def for_update(self) -> str: ...

    def change_token(self) -> Any: ...

    def tables(self) -> set[str]: ...

    def columns(self, table: str) -> list[str]: ...

    def json_param(self, value: Any) -> Any: ...

    def json_bind(self, name: str) -> str: ...

    def json_value(self, value: Any) -> Any: ...

    def datetime_param(self, unix: float) -> Any: ...

    def unix_of(self, value: Any) -> float: ...

    def close(self) -> None: ...


def error_line(exc: BaseException) -> str:
    """An error's message on one line (its type's name where it has none)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def naive_utc_text(unix: float) -> str:
    """A Unix time as SQLAlchemy writes a naive UTC DateTime into SQLite (always microseconds)."""
    moment = datetime.fromtimestamp(unix, tz=timezone.utc).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def unix_of_naive_utc(value: Any) -> float:
    """Unix seconds of a naive UTC time (text as SQLite holds it, a datetime, or a number)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.timestamp()
    raise ValueError(f"expected a time, got {type(value).__name__}")


class SqliteConnection:
    """The sqlite3 adapter: one kept connection in autocommit mode, explicit transactions."""

    dialect = "sqlite"

    def __init__(self, path: str | os.PathLike, *, read_only: bool = False,
                 uri_query: str = ""):
        self.path = Path(path)
        self.location = str(self.path)
        self.key = str(self.path.absolute())
        self._asked_read_only, self._uri_query = read_only, uri_query
        self._in_transaction = False
        self._identity: tuple[int, int] | None = None
        self._open()

    def _open(self) -> None:
        read_only = self._asked_read_only
        self.read_only = read_only
        self.read_only_reason = f"{self.path}: opened read-only" if read_only else None
        if not self.path.exists():
            raise NotFound(f"{self.path}: no such database")
        if not self.path.is_file():
            raise NotAStore(f"{self.path}: not a file")
        if not read_only:
            problem = _write_problem(self.path)
            if problem:
                self.read_only, self.read_only_reason = True, problem
        mode = "ro" if self.read_only else "rw"
        query = f"mode={mode}" + (f"&{self._uri_query}" if self._uri_query else "")
        identity = _identity(self.path)
        try:
            self._db = self._connect(query)
            if self.read_only:
                self._readable_or_immutable(query)
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        self._identity = identity
        self._version: Any = None  # PRAGMA data_version as last read

    def replaced(self) -> bool:
        """Whether another file now has this path (a copy moved over it, a backup put back):
        the kept connection still reads, and could only fail to write, the old one."""
        now = _identity(self.path)
        return now is not None and now != self._identity and not self._in_transaction

    def forget_identity(self) -> None:
        """The file at the path turned out unusable: `replaced()` says so until it changes."""
        self._identity = None

    def reopen(self) -> None:
        """Let go of the old file and open the one at the path now."""
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        self._identity = None  # until the new file opened: asked again on the next call
        self._open()

    def _connect(self, query: str) -> sqlite3.Connection:
        db = sqlite3.connect(f"{self.path.absolute().as_uri()}?{query}", uri=True,
                             timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        # ADK turns foreign keys on: deleting a session deletes its events with it.
        db.execute("PRAGMA foreign_keys = ON")
        return db

    def _readable_or_immutable(self, query: str) -> None:
        """A WAL database whose folder cannot be written (a read-only mount): SQLite cannot
        make its -shm file, so even reading fails. With no -wal file left over, the database
        file is all there is: read it as immutable. A -wal file holding commits would be
        skipped so: refused (one line)."""
        try:
            self._db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            return
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "readonly" not in text and "unable to open" not in text:
                raise
        wal = self.path.with_name(self.path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise NotAStore(f"{self.path}: a WAL database in a folder that cannot be written, "
                            f"with commits still in {wal.name}: SQLite cannot read them here; "
                            "open it where its folder can be written")
        self._db.close()
        self._db = self._connect(query + "&immutable=1")
        self.read_only_reason = (f"{self.read_only_reason} (a WAL database read as it is now: "
                                 "changes other programs make are not seen)")

    # -- running SQL -------------------------------------------------------------------------
    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple]:
        with self._errors():
            return self._db.execute(sql, dict(params or {})).fetchall()

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        with self._errors():
            return self._db.execute(sql, dict(params or {})).rowcount

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        if self.read_only:
            raise StoreError(f"{self.read_only_reason}: nothing can be changed")
        with self._begin("BEGIN IMMEDIATE"):
            yield

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        if self._in_transaction:  # already inside one: it is the snapshot
            yield
            return
        with self._begin("BEGIN"):
            yield

    @contextlib.contextmanager
    def _begin(self, statement: str) -> Iterator[None]:
        if self._in_transaction:
            raise StoreError(f"{self.location}: a transaction inside a transaction")
        with self._errors():
            self._db.execute(statement)
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self._in_transaction = False
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise
        self._in_transaction = False
        try:
            with self._errors():
                self._db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise

    def for_update(self) -> str:
        return ""  # BEGIN IMMEDIATE already holds the write lock

    def change_token(self) -> Any:
        version = self._data_version()
        try:
            st = os.stat(self.path)
            sig = (st.st_ino, st.st_dev)  # the file replaced by another (a copy moved over it)
        except OSError:
            sig = None
        return version, sig

    def _data_version(self) -> Any:
        """`PRAGMA data_version`, without waiting: while another program holds the lock
        (about to commit) nothing new is readable yet, so the last version stands (the app
        polls every second: a wait and a "locked" error each time would be noise)."""
        if self._in_transaction:  # our own transaction: no other commit can land meanwhile
            with self._errors():
                return self._db.execute("PRAGMA data_version").fetchone()[0]
        try:
            self._db.execute("PRAGMA busy_timeout = 0")
            try:
                self._version = self._db.execute("PRAGMA data_version").fetchone()[0]
            finally:
                self._db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        except sqlite3.OperationalError as exc:
            if not _is_locked(exc) or self._version is None:
                raise self._error(exc) from None
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return self._version

    def tables(self) -> set[str]:
        return {r[0] for r in self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def columns(self, table: str) -> list[str]:
        return [r[1] for r in self.rows(f'PRAGMA table_info("{table}")')]

    # -- values ------------------------------------------------------------------------------
    def json_param(self, value: Any) -> Any:
        return json.dumps(value)  # what ADK writes (json.dumps, default separators)

    def json_bind(self, name: str) -> str:
        return f":{name}"

    def json_value(self, value: Any) -> Any:
        if value is None:
            return None
        return jsonio.parse(value)

    def datetime_param(self, unix: float) -> Any:
        return naive_utc_text(unix)

    def unix_of(self, value: Any) -> float:
        return unix_of_naive_utc(value)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()

    # -- errors ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _error(self, exc: sqlite3.Error) -> StoreError:
        text = error_line(exc)
        if _is_locked(exc):
            return StoreBusy(f"{self.location}: the database is locked by another program "
                              f"(waited {BUSY_TIMEOUT:g} s)")
        if "not a database" in text or "malformed" in text:
            return NotAStore(f"{self.location}: not a readable SQLite database ({text})")
        if "readonly" in text or "read-only" in text:
            self.read_only = True
            self.read_only_reason = f"{self.location}: read-only ({text})"
            return StoreError(f"{self.read_only_reason}: nothing can be changed")
        return StoreError(f"{self.location}: {text}")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_dev


def _is_locked(exc: sqlite3.Error) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def _write_problem(path: Path) -> str | None:
    """Why SQLite could not write this database, or None: the file itself and its folder (the
    rollback journal is created beside the file)."""
    if not os.access(path, os.W_OK):
        return f"{path}: read-only (no write permission)"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"{path}: read-only (its folder {path.parent} cannot be written: SQLite's journal goes there)"
    return None
