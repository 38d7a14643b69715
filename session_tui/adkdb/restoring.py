"""Undo of a change to an ADK database: the rows there were before the session's last change put
back exactly, while the rows are still as that change left them (else refused, nothing
changed). The records themselves are kept by undo.py.
"""

from __future__ import annotations

import threading
from typing import Any

from ..formats.adk_sqlite import merge_state
from ..model import state_changes
from ..store.base import UndoResult
from ..store.errors import CorruptFile, NothingToUndo, StoreError
from . import layouts
from .adk_events import EVENT_COLUMNS
from .db import Connection, error_line
from .undo import AdkHistory, AdkUndoRecord, JsonValue, qualified


class RestoringMixin:
    """Undo in `AdkStore` (uses its reading, its names, its undo records and
    `_write_transaction`)."""

    db: Connection
    layout: layouts.Layout
    _lock: threading.RLock
    history: AdkHistory

    def undo(self, session_id: str) -> UndoResult:
        """Put back exactly the rows there were before the session's last change, while the
        rows are still as that change left them; else refused (one line, nothing changed)."""
        with self._write_transaction():
            loaded = self.history.load(session_id)
            records = self._without_ghosts(session_id, loaded, lock=True)
            if not records:
                if not self.history.path(session_id).exists():
                    self.resolve(session_id)  # NotFound for an unknown id
                raise NothingToUndo(f"session {session_id!r}: nothing to undo")
            # The record stays filed: once this commits its rows are its "before" ones,
            # so the next undo or change drops it. Dropped here, a crash before the
            # commit would lose the record of a change that is still there.
            record = records[-1]
            key = (record.app_name, record.user_id, record.session_id)
            current = self._rows_of(key)
            if not _same_rows(current, record.after, record):
                raise StoreError(
                    f"cannot undo the {record.kind} of session {session_id!r}: it "
                    "changed since (an agent may have written to it); nothing changed")
            old_state = self._merged_or_empty(key, session_id)
            self._restore(key, record)
            new_state = self._merged_or_empty(key, session_id)
            restored = len(record.before.get("events", [])) + record.annulled
            removed = len(record.added)
            if len(records) != len(loaded):
                try:
                    self.history.save(session_id, records)
                except OSError as exc:
                    raise StoreError(f"{self.history.folder}: cannot update the undo "
                                     f"records ({exc.strerror or exc}); nothing "
                                     "changed") from None
        return UndoResult(session_id, record.kind, restored_events=restored,
                          removed_events=removed,
                          state_changes=state_changes(old_state, new_state))

    def _without_ghosts(self, session_id: str, records: list[AdkUndoRecord], *,
                        lock: bool = False, now: dict | None = None) -> list[AdkUndoRecord]:
        """The records without the newest ones whose rows are still their "before" ones: a
        change that never landed (a crash before its commit), or one already undone. `now`:
        the session's rows as they are (else read)."""
        records = list(records)
        while records:
            record = records[-1]
            self._check_record(session_id, record)
            key = (record.app_name, record.user_id, record.session_id)
            if lock:
                self._session_row(key, lock=True)
            rows = now if now is not None else self._rows_of(key)
            if _same_rows(rows, record.before, record) and not (
                    record.kind == "delete" and rows["session"] is None):
                records.pop()
                continue
            break
        return records

    def _check_record(self, session_id: str, record: AdkUndoRecord) -> None:
        """A record from the sidecar is applied only to its own session and only when the rows
        it would put back are rows ADK can read (CorruptFile naming the file, else)."""
        where = self.history.path(session_id)
        if not record.names(session_id):
            raise CorruptFile(f"{where}: a record of another session "
                              f"({qualified(record.app_name, record.user_id, record.session_id)!r}"
                              f") in the undo records of {session_id!r}; nothing changed")
        for name in ("session", "app", "user"):
            row = record.before.get(name)
            if row is None:
                continue
            try:
                self.layout.state_value(row[0].value if isinstance(row[0], JsonValue) else row[0])
            except (ValueError, TypeError) as exc:
                raise CorruptFile(f"{where}: the {name} state it would put back cannot be "
                                  f"read ({error_line(exc)}); nothing changed") from None

    def _merged_or_empty(self, key: tuple[str, str, str], store_id: str) -> dict[str, Any]:
        row = self._session_row(key)
        if row is None:
            return {}
        app, user = self._shared_of(key[0], key[1])
        return merge_state(app, user, self.layout.state_value(row[0]))

    def _restore(self, key: tuple[str, str, str], record: AdkUndoRecord) -> None:
        where = {"a": key[0], "u": key[1], "i": key[2]}
        if record.added:
            # The change appended its events last and the rows are as it left them: they are
            # the session's last events (a record naming others is not this change's).
            last = {r[0] for r in self.db.rows(
                "SELECT id FROM events WHERE app_name = :a AND user_id = :u AND session_id = :i "
                f"ORDER BY timestamp DESC, {self.layout.tie_breaker} DESC LIMIT :n",
                dict(where, n=len(record.added)))}
            if last != set(record.added):
                raise CorruptFile(f"{self.history.folder}: the undo record of session {key[2]!r} "
                                  "names events that are not its last ones; nothing changed")
        for event_id in record.added:
            self.db.execute("DELETE FROM events WHERE app_name = :a AND user_id = :u AND "
                            "session_id = :i AND id = :e", dict(where, e=event_id))
        before = record.before
        row = before["session"]
        if row is None and record.after.get("session") is not None:  # a fork: gone again
            self.db.execute("DELETE FROM sessions WHERE app_name = :a AND user_id = :u "
                            "AND id = :i", where)
        if row is not None:
            params = dict(where)
            state_sql = self._bind(params, "s", row[0])
            created_sql = self._bind(params, "c", row[1])
            updated_sql = self._bind(params, "t", row[2])
            if record.kind == "delete":
                self.db.execute("INSERT INTO sessions (app_name, user_id, id, state, "
                                f"create_time, update_time) VALUES (:a, :u, :i, {state_sql}, "
                                f"{created_sql}, {updated_sql})", params)
                for event in before.get("events", []):
                    values: dict[str, Any] = {}
                    binds = [self._bind(values, f"v{n}", v) for n, v in enumerate(event)]
                    self.db.execute(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "
                                    f"VALUES ({', '.join(binds)})", values)
            else:
                self.db.execute(f"UPDATE sessions SET state = {state_sql}, update_time = "
                                f"{updated_sql} WHERE app_name = :a AND user_id = :u AND id = :i",
                                params)
        for table, name, cond in (("app_states", "app", {"a": key[0]}),
                                  ("user_states", "user", {"a": key[0], "u": key[1]})):
            if before.get(name) != record.after.get(name):
                self._put_shared(table, cond, before.get(name))

    def _put_shared(self, table: str, where: dict[str, str], row: list | None) -> None:
        cond = " AND ".join(f"{c} = :{p}" for c, p in (("app_name", "a"), ("user_id", "u"))
                            if p in where)
        if row is None:
            self.db.execute(f"DELETE FROM {table} WHERE {cond}", where)
            return
        params = dict(where)
        state_sql = self._bind(params, "s", row[0])
        time_sql = self._bind(params, "t", row[1])
        if self.db.execute(f"UPDATE {table} SET state = {state_sql}, update_time = {time_sql} "
                           f"WHERE {cond}", params) == 0:
            columns = ", ".join(c for c, p in (("app_name", "a"), ("user_id", "u")) if p in where)
            values = ", ".join(f":{p}" for p in ("a", "u") if p in where)
            self.db.execute(f"INSERT INTO {table} ({columns}, state, update_time) VALUES "
                            f"({values}, {state_sql}, {time_sql})", params)

    def _bind(self, params: dict[str, Any], name: str, value: Any) -> str:
        """A recorded column value as a parameter: exactly as the driver gave it."""
        if isinstance(value, JsonValue):
            params[name] = self.db.json_param(value.value)
            return self.db.json_bind(name)
        params[name] = value
        return f":{name}"


def _same_rows(now: dict[str, Any], recorded: dict[str, Any], record: AdkUndoRecord) -> bool:
    """Are the rows a change touched as recorded (the session row, its event count, and the
    shared state rows the change wrote)?"""
    if now["session"] != recorded["session"] or now["count"] != recorded["count"]:
        return False
    for name in ("app", "user"):
        if record.before.get(name) != record.after.get(name) and now[name] != recorded[name]:
            return False
    return True
