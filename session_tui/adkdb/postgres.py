"""The PostgreSQL adapter: the connection protocol of `adkdb/db.py` over SQLAlchemy Core and
psycopg 3, for the databases google-adk's `DatabaseSessionService` keeps on a server.

Imported only when a postgresql URL is opened; SQLAlchemy and psycopg come with the extra
`session-tui[postgres]` and are imported when a connection is made, so a missing extra is one line.

- URLs are taken as ADK users write them (`postgresql://`, `postgres://`, `postgresql+asyncpg://`,
  `postgresql+psycopg2://`, `postgresql+psycopg://` ...): the driver part is replaced by psycopg 3,
  used synchronously. Messages name the URL without its password, never with it.
- Schema 1 on PostgreSQL: JSONB `state` / `event_data`, `TIMESTAMP WITHOUT TIME ZONE` times
  holding naive UTC (what google-adk's `DynamicJSON` and `PreciseTimestamp` make there).
- Transactions run at READ COMMITTED; a write locks the rows it reads (`for_update()`), as
  google-adk's `append_event` does on PostgreSQL, so a stale revision is seen under the lock.
  Reads that must agree with each other run in one REPEATABLE READ snapshot.
- A role that may not write ADK's tables (or a server that is a read-only standby, or a
  default_transaction_read_only session) opens read-only with a one-line reason.
- Undo records of a server live under the user's data folder, `servers/<hash of the URL without
  password>/` (`SESSION_TUI_DATA` overrides the data folder: tests write in a temp folder).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..store.errors import NotAStore, NotFound, StoreBusy, StoreError
from . import db as _db
from .db import unix_of_naive_utc
from .undo import server_folder

EXTRA_MISSING = "PostgreSQL needs the extra: pip install 'session-tui[postgres]'"
SCHEMES = ("postgresql", "postgres")  # with or without "+driver"
# libpq never repeats a password; a password this long is also wiped from messages, to be sure
# (a shorter one would wipe letters of ordinary words).
MIN_SCRUBBED = 4
CONNECT_TIMEOUT = 10  # seconds to reach the server before saying it cannot be reached
# Transactions asked about when telling our own commit from others' (more: taken as a change).
MAX_XIDS_CHECKED = 32
# asyncpg's URL spelling of TLS, as psycopg (libpq) spells it.
ASYNCPG_SSL = {"true": "require", "false": "disable", "1": "require", "0": "disable"}


def _drivers():
    """sqlalchemy and psycopg, or the one-line reason they are missing."""
    try:
        import psycopg  # noqa: F401
        import sqlalchemy
    except ImportError:
        raise StoreError(EXTRA_MISSING) from None
    return sqlalchemy


def normalise_url(target: str):
    """The SQLAlchemy URL of `target` on the sync psycopg 3 driver, whatever driver it named."""
    sa = _drivers()
    try:
        url = sa.engine.make_url(str(target))
    except Exception:
        raise StoreError(f"{redact(target)}: not a database URL") from None
    if url.get_backend_name() not in SCHEMES:
        raise StoreError(f"{redact(target)}: not a postgresql:// URL")
    query = dict(url.query)
    ssl = query.pop("ssl", None)  # asyncpg's spelling
    if isinstance(ssl, str) and "sslmode" not in query:
        query["sslmode"] = ASYNCPG_SSL.get(ssl.lower(), ssl)
    # asyncpg-only options that libpq would refuse.
    for name in ("prepared_statement_cache_size", "prepared_statement_name_func"):
        query.pop(name, None)
    return url.set(drivername="postgresql+psycopg", query=query)


def redact(target: str) -> str:
    """`target` for messages: a URL without its password (also when it does not parse)."""
    text = str(target)
    if "://" not in text:
        return text
    scheme, rest = text.split("://", 1)
    authority, sep, tail = rest.partition("@")
    if not sep or "/" in authority:
        return text
    user = authority.split(":", 1)[0]
    return f"{scheme}://{user}@{tail}"


def display(url) -> str:
    """A URL as messages name it: postgresql://user@host:port/db, no password, no driver."""
    return type(url).create("postgresql", username=url.username, host=url.host, port=url.port,
                            database=url.database, query=url.query).render_as_string()


class PostgresConnection:
    """One kept psycopg connection (through SQLAlchemy Core); explicit transactions."""

    dialect = "postgresql"

    def __init__(self, target: str, *, read_only: bool = False):
        sa = _drivers()
        self._sa = sa
        self.url = normalise_url(target)
        self._password = self.url.password
        self.location = display(self.url)
        # Undo records stay with the database whatever TLS or other options name it.
        self.key = display(self.url.set(query={k: v for k, v in self.url.query.items()
                                               if k in ("host", "port")}))
        self.undo_dir = server_folder(self.key)
        self.read_only = read_only
        self.read_only_reason = f"{self.location}: opened read-only" if read_only else None
        self._engine = sa.create_engine(
            self.url, poolclass=sa.pool.NullPool,
            connect_args={"connect_timeout": CONNECT_TIMEOUT,
                          # A row another writer holds is waited for as long as ADK waits on
                          # SQLite, then refused (nothing changed).
                          "options": f"-c lock_timeout={max(1, int(_db.BUSY_TIMEOUT * 1000))}"})
        self._conn = None
        self._in_transaction = False
        self._own_commit = None  # (token after our last commit, the token it stands for)
        self._connection()  # fail now, in one line, if the server or database is not there
        if not self.read_only:
            problem = self._write_problem()
            if problem:
                self.read_only, self.read_only_reason = True, problem

    # -- the kept connection -------------------------------------------------------------------
    def _connection(self):
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            with self._errors():
                self._conn = self._engine.connect()
        return self._conn

    def _end_implicit(self) -> None:
        """Outside our transactions each call stands alone (SQLAlchemy began one for it)."""
        if not self._in_transaction and self._conn is not None and self._conn.in_transaction():
            with self._errors():
                self._conn.commit()

    def _write_problem(self) -> str | None:
        """Why this role cannot change ADK's tables here, or None."""
        standby, tx_read_only, role = self.rows(
            "SELECT pg_is_in_recovery(), current_setting('transaction_read_only'), "
            "current_user")[0]
        if standby:
            return f"{self.location}: read-only (the server is a standby)"
        if tx_read_only == "on":
            return f"{self.location}: read-only (default_transaction_read_only is on)"
        for table, in self.rows(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
                "AND c.relname IN ('sessions', 'events', 'app_states', 'user_states') "
                "AND NOT (has_table_privilege(c.oid, 'INSERT') "
                "AND has_table_privilege(c.oid, 'UPDATE') "
                "AND has_table_privilege(c.oid, 'DELETE')) ORDER BY c.relname"):
            return f"{self.location}: read-only (role {role} may not write the table {table})"
        return None

    # -- running SQL -------------------------------------------------------------------------
    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple]:
        conn = self._connection()
        with self._errors():
            result = conn.execute(self._sa.text(sql), dict(params or {}))
            out = [tuple(row) for row in result] if result.returns_rows else []
        self._end_implicit()
        return out

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        conn = self._connection()
        with self._errors():
            count = conn.execute(self._sa.text(sql), dict(params or {})).rowcount
        self._end_implicit()
        return count

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        if self.read_only:
            raise StoreError(f"{self.read_only_reason}: nothing can be changed")
        with self._begin(None):
            before = self._token_and_snapshot()
            yield
            just_before_commit = self._token_and_snapshot()
        self._remember_own_commit(before, just_before_commit)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        if self._in_transaction:  # already inside one: it is the snapshot
            yield
            return
        with self._begin("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"):
            yield

    @contextlib.contextmanager
    def _begin(self, first_statement: str | None) -> Iterator[None]:
        if self._in_transaction:
            raise StoreError(f"{self.location}: a transaction inside a transaction")
        conn = self._connection()
        with self._errors():
            if conn.in_transaction():
                conn.commit()
            conn.begin()
            if first_statement:
                conn.execute(self._sa.text(first_statement))
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self._in_transaction = False
            with contextlib.suppress(Exception):
                conn.rollback()
            raise
        self._in_transaction = False
        try:
            with self._errors():
                conn.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                conn.rollback()
            raise

    def for_update(self) -> str:
        return " FOR UPDATE"

    # The change token: count, newest update_time and the sum of the writing transactions' ids
    # (xmin) of the session rows. google-adk updates the session row with every event it
    # appends, and so do we; one scan of `sessions`, no events.
    _TOKEN_SQL = ("SELECT count(*), max(update_time), sum((xmin::text)::bigint), "
                  "txid_current_snapshot()::text, txid_current_if_assigned() FROM sessions")

    def change_token(self) -> Any:
        """Changes whenever another connection changed a session row. Our own commits do not
        change it when nothing else committed on the server while they ran (then the token is
        the one from before them); when something did, they show as a change (never the other
        way round: a change by someone else is never hidden)."""
        real = self._raw_token()
        if self._own_commit is not None and real == self._own_commit[0]:
            return self._own_commit[1]
        return real

    def _raw_token(self) -> Any:
        found = self._token_and_snapshot()
        return None if found is None else found[0]

    def _token_and_snapshot(self):
        """(token, snapshot text, our transaction id or None), or None without a sessions table."""
        try:
            row = self.rows(self._TOKEN_SQL)[0]
        except NotAStore:  # no sessions table (yet, or any more): opening says what it is
            return None
        return tuple(row[:3]), row[3], row[4]

    def _remember_own_commit(self, before, just_before_commit) -> None:
        """After our commit: if no other transaction committed on the server between the start
        of ours and now, the token now stands for the token before ours."""
        previous, self._own_commit = self._own_commit, None
        if before is None or just_before_commit is None:
            return
        after = self._raw_token()
        token_pre, snapshot_pre, own_xid = just_before_commit
        if after != token_pre or self._others_committed(before[1], snapshot_pre, own_xid):
            return
        earlier = before[0]
        if previous is not None and earlier == previous[0]:  # our commits one after another
            earlier = previous[1]
        self._own_commit = (after, earlier)

    def _others_committed(self, first: str, last: str, own_xid) -> bool:
        """Whether a transaction other than ours committed between two snapshots
        (`xmin:xmax:running,...`): those running at the first or started since, no longer
        running at the last, asked of txid_status. Many: assume so."""
        def parts(snapshot: str):
            xmin, xmax, running = snapshot.split(":")
            return int(xmax), {int(x) for x in running.split(",") if x}

        xmax0, running0 = parts(first)
        xmax1, running1 = parts(last)
        if xmax1 - xmax0 > MAX_XIDS_CHECKED:
            return True
        ended = (running0 | set(range(xmax0, xmax1))) - running1 - {own_xid}
        if len(ended) > MAX_XIDS_CHECKED:
            return True
        for xid in ended:
            if self.rows("SELECT txid_status(:x)", {"x": xid})[0][0] == "committed":
                return True
        return False

    def tables(self) -> set[str]:
        return {r[0] for r in self.rows(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()")}

    def columns(self, table: str) -> list[str]:
        return [r[0] for r in self.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = :t ORDER BY ordinal_position", {"t": table})]

    # -- values ------------------------------------------------------------------------------
    def json_param(self, value: Any) -> Any:
        return json.dumps(value)  # bound as text and cast: JSONB keeps what json.dumps says

    def json_bind(self, name: str) -> str:
        return f"CAST(:{name} AS JSONB)"

    def json_value(self, value: Any) -> Any:
        if isinstance(value, (str, bytes)):  # a JSON column read as text (not JSONB)
            return json.loads(value)
        return value  # psycopg already decoded JSONB, as SQLAlchemy hands it to google-adk

    def datetime_param(self, unix: float) -> Any:
        from datetime import datetime, timezone

        return datetime.fromtimestamp(unix, tz=timezone.utc).replace(tzinfo=None)

    def unix_of(self, value: Any) -> float:
        return unix_of_naive_utc(value)

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
        self._engine.dispose()

    # -- errors ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except self._sa.exc.SQLAlchemyError as exc:
            if not self._in_transaction and self._conn is not None:
                # A statement that stood alone failed: end the transaction SQLAlchemy began.
                with contextlib.suppress(Exception):
                    self._conn.rollback()
            raise self._error(exc) from None

    def _error(self, exc: Exception) -> StoreError:
        orig = getattr(exc, "orig", None) or exc
        sqlstate = getattr(orig, "sqlstate", None) or ""
        lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
        text = self._scrub(" ".join(lines[:1]) or type(orig).__name__)
        if sqlstate == "55P03":  # lock_not_available
            return StoreBusy(f"{self.location}: a session row is locked by another program "
                              f"(waited {_db.BUSY_TIMEOUT:g} s)")
        if sqlstate == "42501" or sqlstate == "25006":  # no privilege / read-only transaction
            self.read_only = True
            self.read_only_reason = f"{self.location}: read-only ({text})"
            return StoreError(f"{self.read_only_reason}: nothing can be changed")
        if "does not exist" in text and "database" in text:
            return NotFound(f"{self.location}: no such database")
        if "authentication failed" in text:  # the server answered: not "cannot reach"
            self._conn = None
            return StoreError(f"{self.location}: the server refused the login ({text})")
        if getattr(exc, "connection_invalidated", False) or sqlstate.startswith("08") or (
                self._conn is None and isinstance(exc, self._sa.exc.OperationalError)):
            self._conn = None
            return StoreError(f"{self.location}: cannot reach the database ({text})")
        if sqlstate == "42P01":  # undefined_table
            return NotAStore(f"{self.location}: not an ADK session database ({text})")
        return StoreError(f"{self.location}: {text}")

    def _scrub(self, text: str) -> str:
        if self._password and len(self._password) >= MIN_SCRUBBED:
            text = text.replace(self._password, "***")
        return text


def open_url(url: str, *, read_only: bool = False):
    """An `AdkStore` over the ADK database at a postgresql URL; its undo records under the
    user's data folder (`servers/<hash>/history`)."""
    from .store import AdkStore

    db = PostgresConnection(url, read_only=read_only)
    return AdkStore(db, path=Path(db.location), history_folder=db.undo_dir / "history",
                    read_only=read_only)
