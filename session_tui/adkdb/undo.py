"""Undo records of an ADK database, kept beside it (never in ADK's tables or schema).

For a file `x.db` they live in the sidecar folder `x.db.session-tui/history/`, one JSON file per
session (named from its id as the store shows it); for a server, under the user's data folder
(`server_folder`). A record holds the rows a change touched exactly as they were before it and
as it left them: the `sessions` row, the `app_states` / `user_states` rows, the events it added
(by id) or, for a delete, every event row. Undo puts the "before" rows back exactly, and only
while the rows are still as the change left them (anything else: refused, nothing changed).

Column values are kept as the driver gave them: text and numbers as they are (so SQLite gets
back the same bytes), a datetime or a decoded JSON value (PostgreSQL) tagged.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..store.history import History

Row = list  # column values, in the order the store selects them


def encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (dict, list)):
        return {"$json": value}
    if isinstance(value, JsonValue):  # a decoded record saved again (PostgreSQL's JSONB)
        return {"$json": value.value}
    return value


def decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
        if "$bytes" in value:
            return base64.b64decode(value["$bytes"])
        if "$json" in value:
            return JsonValue(value["$json"])
    return value


class JsonValue:
    """A JSON column's value as the driver decoded it (bound back through the adapter)."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JsonValue) and other.value == self.value

    def __repr__(self) -> str:
        return f"JsonValue({self.value!r})"


def decode_row(row: Row | None) -> Row | None:
    return None if row is None else [decode_value(v) for v in row]


def encode_row(row: Row | tuple | None) -> Row | None:
    return None if row is None else [encode_value(v) for v in row]


@dataclass
class AdkUndoRecord:
    kind: str  # edit, rewind, delete, fork (before: no session row; added: every event)
    app_name: str
    user_id: str
    session_id: str  # ADK's id
    # Rows before and after the change: "session" [state, create_time, update_time],
    # "app" / "user" [state, update_time] (None: no row), "events" (delete: every event row).
    before: dict[str, Any]
    after: dict[str, Any]
    added: list[str] = field(default_factory=list)  # ids of the events the change appended
    annulled: int = 0  # a rewind: the events it annulled (undo brings them back into play)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "app_name": self.app_name, "user_id": self.user_id,
                "session_id": self.session_id, "added": self.added, "annulled": self.annulled,
                "before": _encode_rows(self.before), "after": _encode_rows(self.after)}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> "AdkUndoRecord":
        _check_shape(value)
        return cls(value["kind"], value["app_name"], value["user_id"], value["session_id"],
                   _decode_rows(value["before"]), _decode_rows(value["after"]),
                   list(value.get("added", [])), int(value.get("annulled", 0)))

    def names(self, store_id: str) -> bool:
        """Is this the record of the session the store knows as `store_id` (its ADK id, or
        app/user/id)? A record filed under another session's name is never applied."""
        return store_id in (self.session_id,
                            qualified(self.app_name, self.user_id, self.session_id))


def qualified(app_name: str, user_id: str, adk_id: str) -> str:
    """`app/user/id`: how a session is named where its bare id does not name it alone. A `/`
    or `%` in the app or user name is escaped (`%2F`, `%25`), so that no two sessions share a
    name (`a/b` + `c` and `a` + `b/c`) and the name splits back at its first two slashes."""
    return f"{_escaped(app_name)}/{_escaped(user_id)}/{adk_id}"


def split_qualified(name: str) -> tuple[str, str, str] | None:
    """(app, user, id) of a name `qualified` made, or None."""
    parts = name.split("/", 2)
    if len(parts) != 3:
        return None
    return unquote(parts[0]), unquote(parts[1]), parts[2]


def _escaped(part: str) -> str:
    return part.replace("%", "%25").replace("/", "%2F")


KINDS = ("edit", "rewind", "delete", "fork")
# Row lengths as the store selects them: sessions (state, create_time, update_time), the
# shared state rows (state, update_time), events (id, app_name, user_id, session_id,
# invocation_id, timestamp, event_data).
ROW_LENGTHS = {"session": 3, "app": 2, "user": 2}
EVENT_ROW_LENGTH = 7


def _check_shape(value: Any) -> None:
    """ValueError saying what is wrong with a record read from a file (made by someone else,
    or damaged): only a record of the shape this module writes is ever applied."""
    if not isinstance(value, dict):
        raise ValueError("a record that is not an object")
    if value.get("kind") not in KINDS:
        raise ValueError(f"a record of kind {value.get('kind')!r}")
    key = [value.get(name) for name in ("app_name", "user_id", "session_id")]
    if not all(isinstance(part, str) for part in key):
        raise ValueError("app_name, user_id and session_id must be text")
    added = value.get("added", [])
    if not isinstance(added, list) or not all(isinstance(a, str) for a in added):
        raise ValueError("added must be a list of event ids")
    annulled = value.get("annulled", 0)
    if not isinstance(annulled, int) or isinstance(annulled, bool) or annulled < 0:
        raise ValueError("annulled must be a count")
    for side in ("before", "after"):
        rows = value.get(side)
        if not isinstance(rows, dict):
            raise ValueError(f"{side} must be an object")
        for name, length in ROW_LENGTHS.items():
            row = rows.get(name, ...)
            if row is not None and not (isinstance(row, list) and len(row) == length):
                raise ValueError(f"{side}.{name} must be null or a row of {length} values")
        count = rows.get("count")
        if not (isinstance(count, list) and len(count) == 1 and isinstance(count[0], int)
                and not isinstance(count[0], bool)):
            raise ValueError(f"{side}.count must be [a count]")
        events = rows.get("events", [])
        if not isinstance(events, list):
            raise ValueError(f"{side}.events must be a list of rows")
        for row in events:
            # An event row names its session in its own columns: only this record's session.
            if not (isinstance(row, list) and len(row) == EVENT_ROW_LENGTH and row[1:4] == key):
                raise ValueError(f"{side}.events must be rows of session {key[2]!r}")
    if value["kind"] == "delete" and (value["before"]["session"] is None
                                      or len(value["before"].get("events", []))
                                      != value["before"]["count"][0]):
        raise ValueError("a delete must keep the session row and every event row")


def _encode_rows(rows: dict[str, Any]) -> dict[str, Any]:
    return {k: ([encode_row(r) for r in v] if k == "events" else encode_row(v))
            for k, v in rows.items()}


def _decode_rows(rows: dict[str, Any]) -> dict[str, Any]:
    return {k: ([decode_row(r) for r in v] if k == "events" else decode_row(v))
            for k, v in rows.items()}


class AdkHistory(History):
    """An ADK database's undo records (the rows a change replaced), as a store keeps its own.

    `root`: the trusted folder the records are under (a database file's own folder); every
    folder between them must be a real folder: a symbolic link there (`x.db.session-tui` ->
    anywhere) could lead the records out of it, so nothing is read or written through one."""

    RECORD = AdkUndoRecord
    FOLDER_ADVICE = "move it aside"


def sidecar_of(path: Path) -> Path:
    """`x.db` -> `x.db.session-tui/` (created on the first change)."""
    return path.with_name(path.name + ".session-tui")


def server_folder(url_without_password: str) -> Path:
    """Where a server's undo records live: the user's data folder ($SESSION_TUI_DATA if set:
    tests write in a temp folder), by a hash of its URL."""
    import os

    digest = hashlib.sha256(url_without_password.encode("utf-8")).hexdigest()[:24]
    data = os.environ.get("SESSION_TUI_DATA")
    if not data:
        import platformdirs

        data = platformdirs.user_data_dir("session-tui", appauthor=False)
    return Path(data).expanduser() / "servers" / digest
