"""How each ADK layout spells its rows: what differs between `SqliteSessionService` and
`DatabaseSessionService` (schema 1), and nothing else.

Both layouts have the same four tables (`sessions`, `events`, `app_states`, `user_states`) and
columns; they differ in

- how times are kept: REAL Unix seconds (`SqliteSessionService`), or DATETIME columns holding
  naive UTC times (`DatabaseSessionService`; the adapter encodes them: text on SQLite);
- how an event is written: `event.model_dump_json(exclude_none=True)` (compact JSON) vs
  `json.dumps(event.model_dump(exclude_none=True, mode="json"))` (JSON text, or JSONB on
  PostgreSQL), and read back (the second layout takes `id` and `invocation_id` from their
  columns, `timestamp` from the data and only where missing from the column);
- the order of tied events (rowid, the append order, vs `id`);
- the shared state rows: `DatabaseSessionService` creates an `app_states` and a `user_states`
  row with every session (and requires them on every append), stamping their `update_time` with
  the database's clock; `SqliteSessionService` writes them only for a delta, stamped with the
  event's time.

A layout plugs in by subclassing `Layout` and adding itself to `LAYOUTS` (`register`), most
specific first: `detect(db, tables)` says whether a database is of this layout (raising
StoreError for a database it knows but cannot open); `writable = False` makes the store
read-only with `read_only_reason`; `event_select()` + `row_fields(row)` read an event from
other columns than `event_data`, `needed_columns` names what must be there, `unix` /
`iso` read its times, `notes` are one-line facts the app shows. The schema-0 layout (pickled
actions) plugs in so, read-only.
"""

from __future__ import annotations

import json
import math
import re
import time
from datetime import datetime
from typing import Any, ClassVar

from ..model import format_time, from_unix
from ..store.errors import NotAStore, StoreError
from .db import Connection

TABLES = ("sessions", "events", "app_states", "user_states")
# A naive UTC time as SQLAlchemy writes it into SQLite (years 1000-9999, microseconds).
_NAIVE = re.compile(r"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$")


class Layout:
    """One ADK table layout. Subclasses override what differs; the SQL is shared."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    writable: ClassVar[bool] = True
    read_only_reason: ClassVar[str | None] = None
    notes: ClassVar[tuple[str, ...]] = ()  # one-line facts shown by the app and `list`
    # Columns that break ties between events with the same timestamp, in ADK's order.
    tie_breaker: ClassVar[str] = "id"
    # DatabaseSessionService keeps an app_states and a user_states row for every session.
    shared_rows_always: ClassVar[bool] = False
    # The columns ADK reads and writes (check_columns).
    needed_columns: ClassVar[dict[str, tuple[str, ...]]] = {
        "sessions": ("app_name", "user_id", "id", "state", "create_time", "update_time"),
        "events": ("id", "app_name", "user_id", "session_id", "invocation_id", "timestamp",
                   "event_data"),
    }

    def __init__(self, db: Connection):
        self.db = db

    @classmethod
    def detect(cls, db: Connection, tables: set[str]) -> bool:
        raise NotImplementedError

    # -- times -------------------------------------------------------------------------------
    def time_param(self, unix: float) -> Any:
        return unix

    def unix(self, value: Any) -> float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        return self.db.unix_of(value)

    def shared_time_sql(self) -> str:
        """The SQL for a shared state row's new `update_time` (bound as :shared_time)."""
        return ":shared_time"

    def iso(self, value: Any) -> str:
        """A stored time as the app shows it (`2026-03-01T09:00:04.484568Z`)."""
        return iso_of_unix(self.unix(value))

    # -- JSON --------------------------------------------------------------------------------
    def state_param(self, state: dict) -> Any:
        return self.db.json_param(state)

    def state_bind(self, name: str) -> str:
        return self.db.json_bind(name)

    def state_value(self, value: Any) -> dict:
        decoded = self.db.json_value(value)
        if not isinstance(decoded, dict):
            raise ValueError("a state that is not a JSON object")
        return decoded

    def event_data_param(self, data: dict) -> Any:
        return self.db.json_param(data)

    def event_data_value(self, value: Any) -> dict:
        """The stored `event_data` as a dict of ADK's field names."""
        decoded = {} if value is None else self.db.json_value(value)
        if not isinstance(decoded, dict):
            raise ValueError("event_data that is not a JSON object")
        return decoded

    def rewind_test_sql(self) -> str:
        """SQL true for an events row that may be a rewind event (google-adk writes its
        event_data snake_case); the exact test is made on the decoded data."""
        return "CAST(event_data AS TEXT) LIKE '%rewind_before_invocation_id%'"

    def rewinds_sql(self) -> str:
        """An aggregate over events rows: how many may be rewind events."""
        return f"SUM(CASE WHEN {self.rewind_test_sql()} THEN 1 ELSE 0 END)"

    def tokens_sql(self) -> str:
        """An aggregate over events rows: their tokens by stats.py's rule (NULL: none recorded;
        always, on a PostgreSQL `event_data` that is not JSONB, as google-adk makes it)."""
        if self.db.dialect == "postgresql" and not self._jsonb_event_data():
            return "NULL"
        return usage_tokens_sql(self.db.dialect, "event_data", "usage_metadata")

    def _jsonb_event_data(self) -> bool:
        if getattr(self, "_jsonb", None) is None:
            rows = self.db.rows("SELECT data_type FROM information_schema.columns WHERE "
                                "table_name = 'events' AND column_name = 'event_data' "
                                "AND table_schema = current_schema()")
            self._jsonb = bool(rows) and str(rows[0][0]).lower() == "jsonb"
        return self._jsonb

    def event_select(self) -> str:
        """The events columns a session's read selects (`id` first); `row_fields` reads them."""
        return "id, invocation_id, timestamp, event_data"

    def row_fields(self, row: tuple) -> dict:
        event_id, invocation_id, timestamp, data = row
        return self.event_fields(event_id, invocation_id, timestamp, self.event_data_value(data))

    def event_fields(self, event_id: str, invocation_id: str, timestamp: Any, data: dict) -> dict:
        """The event as ADK builds it from a row (snake_case, the stored data's own keys)."""
        data = dict(data)
        data["id"], data["invocation_id"] = event_id, invocation_id
        if data.get("timestamp") is None:
            data["timestamp"] = self.unix(timestamp)
        return data


class SqliteServiceLayout(Layout):
    """`SqliteSessionService` (`.adk/session.db` of `adk web` / `adk run`): no metadata table,
    REAL times, an event is its `event_data`."""

    name = "sqlite"
    description = "ADK SqliteSessionService database"
    tie_breaker = "rowid"

    @classmethod
    def detect(cls, db: Connection, tables: set[str]) -> bool:
        return (db.dialect == "sqlite" and "adk_internal_metadata" not in tables
                and "event_data" in db.columns("events"))

    def event_data_param(self, data: dict) -> Any:
        # pydantic's model_dump_json: compact, characters as they are.
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    def event_fields(self, event_id: str, invocation_id: str, timestamp: Any, data: dict) -> dict:
        data = dict(data)  # `Event.model_validate_json(event_data)`: the columns are not read
        data.setdefault("id", event_id)
        if "invocation_id" not in data and "invocationId" not in data:
            data["invocation_id"] = invocation_id
        if data.get("timestamp") is None:
            data["timestamp"] = self.unix(timestamp)
        return data


class DatabaseV1Layout(Layout):
    """`DatabaseSessionService`, schema "1" (ADK 1.22 and later): `adk_internal_metadata`
    says so; DATETIME columns hold naive UTC times."""

    name = "database-v1"
    description = "ADK DatabaseSessionService database (schema 1)"
    shared_rows_always = True

    @classmethod
    def detect(cls, db: Connection, tables: set[str]) -> bool:
        if "adk_internal_metadata" not in tables:
            return False
        return schema_version(db) == "1"

    def time_param(self, unix: float) -> Any:
        return self.db.datetime_param(unix)

    def unix(self, value: Any) -> float:
        return self.db.unix_of(value)

    def iso(self, value: Any) -> str:
        # The common case straight from the text: listing 10,000 sessions parsed 20,000 times.
        if isinstance(value, str):
            m = _NAIVE.match(value)
            if m and _valid(m):
                base = f"{value[:10]}T{value[11:19]}"
                fraction = (m.group(7) or "").ljust(6, "0")
                return f"{base}.{fraction}Z" if fraction.strip("0") else f"{base}Z"
        return super().iso(value)

    def shared_time_sql(self) -> str:
        # ADK's StorageAppState/StorageUserState: `onupdate=func.now()`, the database's clock.
        return "CURRENT_TIMESTAMP"


def iso_of_unix(unix: float) -> str:
    """`format_time(from_unix(unix))`, about four times faster (listing 10,000 sessions
    formats 20,000 times): the same rounding to the microsecond, the date from gmtime."""
    try:
        whole = math.floor(unix)
        micro = round((unix - whole) * 1_000_000)
        if micro >= 1_000_000:
            whole, micro = whole + 1, micro - 1_000_000
        if not 0 <= whole <= 253_402_300_799:
            raise OverflowError
        t = time.gmtime(whole)
    except (OverflowError, ValueError, OSError):
        return format_time(from_unix(unix))  # raises ValueError where no datetime can hold it
    base = (f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"
            f"T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}")
    return f"{base}.{micro:06d}Z" if micro else f"{base}Z"


def _valid(m: re.Match) -> bool:
    """A real date and time (a damaged row falls back to the full parse, which says why)."""
    try:
        datetime(*(int(g) for g in m.groups()[:6]))
    except ValueError:
        return False
    return int(m.group(1)) >= 1


_PARTS = ("prompt_token_count", "candidates_token_count", "thoughts_token_count",
          "tool_use_prompt_token_count")


def usage_tokens_sql(dialect: str, column: str, key: str | None) -> str:
    """SUM of each row's total tokens (stats.event_tokens: `total_token_count`, else the sum
    of its parts) from the usage metadata at `column`.`key` (`key` None: the column itself),
    as google-adk stores it (snake_case). Rows that are not JSON, and counts that are not
    numbers, count as none."""
    if dialect == "postgresql":
        return _postgres_tokens_sql(column, key)
    where = f"'$.{key}'" if key else "'$'"

    def at(field: str) -> str:
        return f"json_extract({column}, '$.{key + '.' if key else ''}{field}')"

    guard = f"{column} LIKE '%{key}%' AND " if key else f"{column} IS NOT NULL AND "
    parts = " + ".join(f"IFNULL({at(p)}, 0)" for p in _PARTS)
    return (f"SUM(CASE WHEN {guard}json_valid({column}) AND json_type({column}, {where}) = "
            f"'object' THEN COALESCE({at('total_token_count')}, {parts}) END)")


def _postgres_tokens_sql(column: str, key: str | None) -> str:
    """The same on PostgreSQL, for a JSONB column (google-adk's `event_data`)."""
    usage = f"({column} -> '{key}')" if key else column

    def number(field: str, otherwise: str) -> str:
        value = f"{usage} -> '{field}'"
        return (f"CASE WHEN jsonb_typeof({value}) = 'number' "
                f"THEN ({usage} ->> '{field}')::numeric ELSE {otherwise} END")

    parts = " + ".join(number(p, "0") for p in _PARTS)
    return (f"SUM(CASE WHEN jsonb_typeof({usage}) = 'object' "
            f"THEN COALESCE({number('total_token_count', 'NULL')}, {parts}) END)")


def schema_version(db: Connection) -> str | None:
    rows = db.rows("SELECT value FROM adk_internal_metadata WHERE key = :key",
                   {"key": "schema_version"})
    return str(rows[0][0]) if rows else None


# Most specific first. Other layouts (schema 0) add themselves with `register`.
LAYOUTS: list[type[Layout]] = [DatabaseV1Layout, SqliteServiceLayout]


def register(layout: type[Layout], first: bool = True) -> None:
    """Add a layout (tried before the built-in ones unless `first` is False)."""
    if layout not in LAYOUTS:
        LAYOUTS.insert(0 if first else len(LAYOUTS), layout)


def detect(db: Connection) -> Layout:
    """The layout of this database, or a one-line NotAStore / StoreError saying what it is."""
    tables = db.tables()
    missing = [t for t in ("sessions", "events") if t not in tables]
    if missing:
        raise NotAStore(f"{db.location}: not an ADK session database "
                        f"(no {' or '.join(missing)} table)")
    for layout in LAYOUTS:
        if layout.detect(db, tables):
            return layout(db)
    version = schema_version(db) if "adk_internal_metadata" in tables else None
    if version in (None, "0") and "event_data" not in db.columns("events"):
        if "actions" in db.columns("events"):
            raise StoreError(f"{db.location}: a legacy ADK session database (schema 0: event "
                             "actions stored as Python pickles, ADK before 1.22): not supported "
                             "here yet; migrate it first with `adk migrate session`")
        raise NotAStore(f"{db.location}: not an ADK session database (events table has no "
                        "event_data column)")
    if version is not None:
        raise StoreError(f"{db.location}: an ADK session database of schema {version!r}, "
                         "which this version of session-tui does not know")
    raise NotAStore(f"{db.location}: not an ADK session database this version knows")


def check_columns(db: Connection, layout: Layout) -> None:
    """Every column ADK reads and writes is there (a damaged or foreign database is named, not
    met halfway through a change)."""
    for table, columns in layout.needed_columns.items():
        present = set(db.columns(table))
        lacking = [c for c in columns if c not in present]
        if lacking:
            raise NotAStore(f"{db.location}: not an ADK session database ({table} has no "
                            f"{', '.join(lacking)} column)")
