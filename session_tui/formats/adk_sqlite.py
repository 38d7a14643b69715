"""Google ADK (Python) SQLite session databases, read-only, with the standard library's sqlite3.

Two layouts, told apart by their tables (google-adk 2.x):

- `DatabaseSessionService` (SQLAlchemy): an `adk_internal_metadata` table (`schema_version`
  "1"); times are naive UTC text (`2026-03-01 09:00:04.484568`); `events.event_data` is the whole
  event as snake_case JSON (`Event.model_dump(exclude_none=True, mode="json")`). ADK reads an
  event as `event_data` with `id` and `invocation_id` from their columns, and `timestamp` from
  `event_data` (from the column only where the data has none).
- `SqliteSessionService` (the `.adk/session.db` of `adk web` / `adk run`): the same four tables,
  no metadata table, times as REAL Unix seconds; an event is its `event_data`.

In both, `sessions.state` holds only the session's own keys: as ADK's `get_session` does, the
app's `app_states` row is merged in as `app:`+key and the user's `user_states` row as
`user:`+key. Events come oldest first, ties in time broken as ADK breaks them (`id` in the
first layout, `rowid` in the second).

A legacy database (schema "0", ADK before 1.22: a column per event field, `events.actions` holding
Python pickles) is read as google-adk's `adk migrate session` would convert it (adk_schema0): the
pickles through a restricted unpickler that admits only the data classes ADK pickled and never
runs any of them (adk_pickle); its event times are naive local times (see adk_schema0).

Each event is kept as ADK had it: its top-level and `actions` keys are spelled camelCase (as in
ADK's session JSON), nested objects (content parts, usage metadata) as stored, which ADK also
reads (its models accept field names as well as aliases). So an ADK JSON export of a session
read here is what google-adk's `get_session` returns for it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson

from .. import jsonio
from ..jsonio import deep_copy
from ..model import Session, SessionFormatError, _describe, format_time, parse_time
from . import adk_json, adk_schema0

LEGACY_MESSAGE = ("a legacy ADK session database (schema 0: event actions stored as Python pickles, "
                  "ADK before 1.22): not supported, and never unpickled; migrate it first with "
                  "`adk migrate session`")


def _to_camel(key: str) -> str:
    """pydantic's `to_camel` for ADK's snake_case field names: `invocation_id` ->
    `invocationId`. Keys without an underscore stay as they are."""
    if "_" not in key:
        return key
    head, *rest = key.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


# Fields whose value is the user's own data (a dict of anything): their keys are kept as they
# are. Fields whose value is a dict keyed by ids: the keys are kept, the values are ADK objects.
_FREE = {"args", "response", "state_delta", "artifact_delta", "custom_metadata", "payload",
         "partial_args", "response_schema", "parameters", "parameters_json_schema", "json_schema",
         "agent_state", "set_model_response", "output"}
_BY_ID = {"requested_auth_configs", "requested_tool_confirmations"}


def camel_event(data: dict) -> dict:
    """The event as google-adk writes it in JSON (`model_dump(by_alias=True)`): every field of
    its models camelCase, content parts and usage metadata included; the user's own data
    (function arguments and results, state deltas) untouched."""
    return _respell(data, camel=True)


def snake_event(data: dict) -> dict:
    """An event as ADK's JSON (camelCase) spelled as its session services store it in
    `event_data` (field names snake_case; the user's own data untouched, copied)."""
    return _respell(data, camel=False)


def _respell(data: dict, camel: bool) -> dict:
    """ADK's field names respelled, the user's own data (_FREE) kept as it is and the keys of
    id-keyed maps (_BY_ID) too. A loop, not recursion: event data can nest deeper than the
    stack."""
    root: dict = {}
    pending = [(data, root, False)]
    while pending:
        source, target, keep_keys = pending.pop()
        for key, value in source.items():
            snake = key if "_" in key or keep_keys else _snake(key)
            name = key if keep_keys else _to_camel(key) if camel else snake
            if snake in _FREE and not keep_keys:
                target[name] = value if camel else deep_copy(value)
            elif isinstance(value, dict):
                target[name] = {}
                pending.append((value, target[name], snake in _BY_ID and not keep_keys))
            elif isinstance(value, list):
                target[name] = _respelled_list(value, pending)
            else:
                target[name] = value
    return root


def _respelled_list(items: list, pending: list) -> list:
    out = []
    for item in items:
        if isinstance(item, dict):
            out.append({})
            pending.append((item, out[-1], False))
        else:
            out.append(item)  # lists of lists do not occur in ADK's models; kept as they are
    return out


def _snake(key: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in key)


def _connect(path: Path) -> sqlite3.Connection:
    uri = Path(path).absolute().as_uri() + "?mode=ro"
    return sqlite3.connect(uri, uri=True)


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f'PRAGMA table_info("{table}")')}


def _time(value: Any) -> float:
    """A stored time as Unix seconds: REAL (SqliteSessionService) or naive UTC text
    (DatabaseSessionService)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        return parse_time(value).timestamp()
    raise ValueError(f"expected a time, got {_describe(value)}")


def _json_object(value: Any, what: str) -> dict:
    if value is None:
        raise ValueError(f"{what}: missing (NULL)")
    try:
        decoded = jsonio.parse(value)
    except jsonio.JSONLimitError as exc:
        raise ValueError(f"{what}: {exc}") from None
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{what}: not valid JSON: {exc.msg}") from None
    except (TypeError, AttributeError):
        raise ValueError(f"{what}: expected JSON text, got {_describe(value)}") from None
    if not isinstance(decoded, dict):
        raise ValueError(f"{what}: expected a JSON object, got {_describe(decoded)}")
    return decoded


def _layout(db: sqlite3.Connection) -> str:
    """`database`, `schema0` or `sqlite`; raises ValueError for what cannot be read."""
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    missing = [t for t in ("sessions", "events") if t not in tables]
    if missing:
        raise ValueError(f"not an ADK session database (no {' or '.join(missing)} table)")
    events = _columns(db, "events")
    if adk_schema0.is_schema0(events):
        return "schema0"
    if "event_data" not in events:
        raise ValueError("not an ADK session database (events table has no event_data column)")
    if "adk_internal_metadata" in tables:
        row = db.execute("SELECT value FROM adk_internal_metadata WHERE key = 'schema_version'").fetchone()
        if row is not None and str(row[0]) == "0":
            raise ValueError(LEGACY_MESSAGE)
        return "database"
    return "sqlite"


def _shared_states(db: sqlite3.Connection, table: str, key_cols: str) -> dict[tuple, dict]:
    out: dict[tuple, dict] = {}
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone():
        return out
    n = key_cols.count(",") + 1
    for row in db.execute(f"SELECT {key_cols}, state FROM {table}"):
        key = tuple(row[:n])
        out[key] = _json_object(row[n], f"{table} {'/'.join(map(str, key))}: state")
    return out


def merge_state(app: dict, user: dict, session: dict) -> dict:
    """ADK's `_merge_state`: the session's keys, then `app:`+key, then `user:`+key."""
    merged = dict(session)
    for key, value in app.items():
        merged["app:" + key] = deep_copy(value)  # shared by sessions: each gets its own
    for key, value in user.items():
        merged["user:" + key] = deep_copy(value)
    return merged


def _read(db: sqlite3.Connection) -> list[Session]:
    """Every session of the database, as google-adk's get_session returns it."""
    source = _Source(db)
    rows = db.execute("SELECT app_name, user_id, id, state, create_time, update_time FROM sessions "
                      "ORDER BY create_time, app_name, user_id, id").fetchall()
    sessions = []
    for row in rows:
        app_name, user_id, session_id = row[:3]
        try:
            sessions.append(source.session(*row))
        except SessionFormatError as exc:
            place = f"session {session_id!r} (app {app_name!r}, user {user_id!r})"
            raise SessionFormatError(f"{place}: {exc.where}" if exc.where else place, exc.problem) from None
    return sessions


class _Source:
    """One database being read: its layout and the app and user state rows (read once)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.layout = _layout(db)
        self.app_states = _shared_states(db, "app_states", "app_name")
        self.user_states = _shared_states(db, "user_states", "app_name, user_id")
        self.order = "timestamp, rowid" if self.layout == "sqlite" else "timestamp, id"
        self.schema0_columns = (adk_schema0.columns_to_read(_columns(db, "events"))
                                if self.layout == "schema0" else [])

    def session(self, app_name: Any, user_id: Any, session_id: Any, state_text: Any,
                create_time: Any, update_time: Any) -> Session:
        for name, value in (("app_name", app_name), ("user_id", user_id), ("id", session_id)):
            if not isinstance(value, str):
                raise SessionFormatError(name, f"expected text, got {_describe(value)}")
        try:
            state = _json_object(state_text, "state")
            created = _time(create_time)
            updated = _time(update_time)
        except (ValueError, OverflowError) as exc:
            raise SessionFormatError("", str(exc)) from None
        merged = merge_state(self.app_states.get((app_name,), {}),
                             self.user_states.get((app_name, user_id), {}), state)
        events = [self._event(i, *row)
                  for i, row in enumerate(self._event_rows(app_name, user_id, session_id))]
        value = {"id": session_id, "appName": app_name, "userId": user_id, "state": merged,
                 "events": events, "lastUpdateTime": updated}
        try:
            created_at = format_time(parse_time(created))
        except ValueError as exc:
            raise SessionFormatError("create_time", str(exc)) from None
        return adk_json.session_from_adk(value, created_at=created_at, owned=True)

    def _event_rows(self, app_name: str, user_id: str, session_id: str):
        if self.layout == "schema0":
            return _schema0_rows(self.db, self.schema0_columns, (app_name, user_id, session_id),
                                 self.order)
        return self.db.execute(
            "SELECT id, invocation_id, timestamp, event_data FROM events "
            f"WHERE app_name=? AND user_id=? AND session_id=? ORDER BY {self.order}",
            (app_name, user_id, session_id))

    def _event(self, i: int, event_id: Any, invocation_id: Any, ts: Any, data: Any) -> dict:
        """The event of one events row as ADK builds it (camelCase), or SessionFormatError."""
        where = f"events[{i}]"
        try:
            return self._event_of_row(event_id, invocation_id, ts, data)
        except SessionFormatError as exc:
            raise SessionFormatError(f"{where}: {exc.where}", exc.problem) from None
        except (ValueError, OverflowError) as exc:
            raise SessionFormatError(where, str(exc)) from None

    def _event_of_row(self, event_id: Any, invocation_id: Any, ts: Any, data: Any) -> dict:
        layout = self.layout
        if layout == "schema0":
            event = adk_schema0.read_event(data, f"events row {event_id!r}")
        else:
            event = {} if data is None and layout == "database" else _json_object(data, "event_data")
        event = camel_event(event)
        if layout != "sqlite":
            # ADK: `Event.model_validate({**event_data, "id": ..., "invocation_id": ...})`
            event.pop("invocation_id", None)
            event["id"], event["invocationId"] = event_id, invocation_id
        else:
            event.setdefault("id", event_id)
            if "invocationId" not in event and "invocation_id" not in event:
                event["invocationId"] = invocation_id
        if event.get("timestamp") is None:
            event["timestamp"] = _time(ts)
        return event


def _schema0_rows(db: sqlite3.Connection, columns: list[str], key: tuple, order: str):
    """(id, invocation_id, timestamp, row as a dict) for each schema-0 event of a session."""
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = db.execute(f"SELECT {names} FROM events WHERE app_name=? AND user_id=? AND session_id=? "
                        f"ORDER BY {order}", key)
    for values in cursor:
        row = dict(zip(columns, values))
        yield row.get("id"), row.get("invocation_id"), row.get("timestamp"), row


def read_sqlite_path(path: Path) -> list[Session]:
    """Every session of an ADK SQLite database (either layout), all or nothing. The file is
    opened read-only; errors are one line naming the file and the place."""
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise SessionFormatError(source, "no such file")
    try:
        db = _connect(path)
    except sqlite3.Error as exc:
        raise SessionFormatError(source, f"cannot open the database: {exc}") from None
    try:
        try:
            return _read(db)
        except SessionFormatError as exc:
            raise SessionFormatError(f"{source}: {exc.where}", exc.problem) from None
        except ValueError as exc:
            raise SessionFormatError(source, str(exc)) from None
        except sqlite3.Error as exc:
            raise SessionFormatError(source, f"not a readable ADK session database: {exc}") from None
    finally:
        db.close()
