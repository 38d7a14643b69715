"""Changes to an ADK database, written as ADK writes them: an edit, an agent's event and a rewind
each append one event (ADK's `append_event`: the event row, the session's, app's and user's
state rows updated with `dict.update`, `update_time` set to the event's time); a delete removes
the session's row and its events. Each change is one write transaction that reads the session
afresh, refuses a stale revision, writes, and files an undo record before it commits.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from typing import Any, Callable, Iterator

from ..jsonio import deep_copy
from ..model import (
    Event,
    Session,
    SessionFormatError,
    check_event,
    check_values,
    state_values,
    to_unix,
)
from ..state_rules import edited
from ..store.base import EDIT_AUTHOR, RewindPlan
from ..store.errors import StaleError, StoreBusy, StoreError
from . import layouts
from .adk_events import EVENT_COLUMNS, REWIND_AUTHOR, event_data, split_delta, stored_event_data
from .db import Connection
from .rewind_plan import plan_adk_rewind
from .undo import AdkHistory, AdkUndoRecord, decode_row, encode_row


class ChangesMixin:
    """The writes of `AdkStore` (uses its reading, its names and its undo records)."""

    db: Connection
    layout: layouts.Layout
    _lock: threading.RLock
    history: AdkHistory

    @contextlib.contextmanager
    def _write_transaction(self) -> Iterator[None]:
        """One write transaction under the store's lock, on the database file as it is now (a
        file replaced under the store is followed first); refused up front when read-only."""
        with self._lock:
            self._follow_file()
        self._check_writable()
        with self._lock:
            try:
                with self.db.transaction():
                    yield
            except StoreBusy as exc:
                # Said here, not where the lock is met: a read that waits in vain changed
                # nothing either, but only a refused change needs saying so.
                raise StoreBusy(f"{exc}; nothing changed") from None
            finally:
                self._after_own_write()

    @contextlib.contextmanager
    def _writing(self, session_id: str, expected_revision: str | None):
        """The write transaction of one change: yields (key, the session read afresh)."""
        with self._write_transaction():
            key = self.resolve(session_id)
            self._session_row(key, lock=True)  # PostgreSQL: lock the row first
            current = self._read_session(key, session_id)
            if expected_revision is not None and current.revision != expected_revision:
                raise StaleError(
                    f"session {session_id!r} was changed by someone else since it was "
                    "read; reload it and try again")
            yield key, current

    def _append(self, session_id: str, kind: str, build: Callable[[Session], Any],
                expected_revision: str | None) -> Any:
        """One appended event as ADK's append_event writes it. `build(current)` returns
        (event_data, result) or None for no change."""
        with self._writing(session_id, expected_revision) as (key, current):
            built = build(current)
            if built is None:
                return None
            data, result = built
            before = self._rows_of(key)
            self._insert_event(key, data)
            if kind in ("edit", "rewind"):
                after = self._rows_of(key)
                annulled = result.removed_events if isinstance(result, RewindPlan) else 0
                self._push(session_id, AdkUndoRecord(kind, *key, before, after, [data["id"]],
                                                     annulled), before)
            return result

    def _rows_of(self, key: tuple[str, str, str]) -> dict[str, Any]:
        """The rows a change may touch, as an undo record keeps them (compared so)."""
        app_row, user_row = self._shared_rows(key[0], key[1])
        count = self.db.rows("SELECT COUNT(*) FROM events WHERE app_name = :a AND "
                             "user_id = :u AND session_id = :i",
                             {"a": key[0], "u": key[1], "i": key[2]})[0][0]
        return {"session": _kept(self._session_row(key)), "app": _kept(app_row),
                "user": _kept(user_row), "count": [count]}

    def _push(self, session_id: str, record: AdkUndoRecord, before: dict[str, Any]) -> None:
        """Filed before the transaction commits: a record whose change never landed is
        recognised (its rows are still the "before" ones) and dropped by undo. `before`: the
        session's rows before this change (the newest records with those rows are dropped)."""
        records = self.history.load(session_id)
        if records and (records[-1].app_name, records[-1].user_id,
                        records[-1].session_id) == (record.app_name, record.user_id,
                                                    record.session_id):
            records = self._without_ghosts(session_id, records, now=before)
        try:
            self.history.save(session_id, records + [record])
        except OSError as exc:
            raise StoreError(f"{self.history.folder}: cannot keep the undo record "
                             f"({exc.strerror or exc}); nothing changed") from None

    def _insert_event(self, key: tuple[str, str, str], data: dict) -> None:
        """Write an event (snake_case event data) as ADK's append_event writes it."""
        app_name, user_id, adk_id = key
        layout = self.layout
        delta = data["actions"]["state_delta"]
        for name in [k for k in delta if k.startswith("temp:")]:
            del delta[name]  # ADK trims temp: keys before it stores an event
        parts = split_delta(delta)
        event_time = data["timestamp"]
        self._upsert_shared("app_states", {"a": app_name}, parts["app"], event_time)
        self._upsert_shared("user_states", {"a": app_name, "u": user_id}, parts["user"],
                            event_time)
        where = {"a": app_name, "u": user_id, "i": adk_id, "t": layout.time_param(event_time)}
        if parts["session"]:
            own = layout.state_value(self._session_row(key)[0])
            own.update(deep_copy(parts["session"]))
            where["s"] = layout.state_param(own)
            self.db.execute(f"UPDATE sessions SET state = {layout.state_bind('s')}, "
                            "update_time = :t WHERE app_name = :a AND user_id = :u AND id = :i",
                            where)
        else:
            self.db.execute("UPDATE sessions SET update_time = :t WHERE app_name = :a "
                            "AND user_id = :u AND id = :i", where)
        self.db.execute(
            "INSERT INTO events (id, app_name, user_id, session_id, invocation_id, timestamp, "
            f"event_data) VALUES (:id, :a, :u, :i, :inv, :t, {self.db.json_bind('d')})",
            {"id": data["id"], "a": app_name, "u": user_id, "i": adk_id,
             "inv": data["invocation_id"], "t": layout.time_param(event_time),
             "d": layout.event_data_param(data)})

    def _upsert_shared(self, table: str, where: dict[str, str], delta: dict, now: float) -> None:
        """ADK's app/user state rows: `state.update(delta)`. DatabaseSessionService keeps
        one for every session (made by create_session; made here if it is missing)."""
        if table not in self._tables():
            if delta:
                raise StoreError(f"{self.db.location}: no {table} table for the "
                                 f"{'app' if table == 'app_states' else 'user'} state")
            return
        if not delta and not self.layout.shared_rows_always:
            return
        layout = self.layout
        cond = " AND ".join(f"{c} = :{p}" for c, p in
                            (("app_name", "a"), ("user_id", "u")) if p in where)
        rows = self.db.rows(f"SELECT state FROM {table} WHERE {cond} {self.db.for_update()}",
                            where)
        params = dict(where, shared_time=layout.time_param(now))
        if rows and not delta:
            return
        state = layout.state_value(rows[0][0]) if rows else {}
        state.update(deep_copy(delta))
        params["s"] = layout.state_param(state)
        if rows:
            self.db.execute(f"UPDATE {table} SET state = {layout.state_bind('s')}, "
                            f"update_time = {layout.shared_time_sql()} WHERE {cond}", params)
        else:
            columns = ", ".join(c for c, p in (("app_name", "a"), ("user_id", "u")) if p in where)
            values = ", ".join(f":{p}" for p in ("a", "u") if p in where)
            self.db.execute(f"INSERT INTO {table} ({columns}, state, update_time) VALUES "
                            f"({values}, {layout.state_bind('s')}, {layout.shared_time_sql()})",
                            params)

    def _event_shape(self, key: tuple[str, str, str]) -> bool:
        """Whether events here carry ADK 2's `node_info` (an older ADK's database: no)."""
        rows = self.db.rows("SELECT event_data FROM events WHERE app_name = :a AND user_id = :u "
                            f"AND session_id = :i ORDER BY timestamp DESC, "
                            f"{self.layout.tie_breaker} DESC LIMIT 1",
                            {"a": key[0], "u": key[1], "i": key[2]})
        if not rows:
            return True
        with contextlib.suppress(ValueError, TypeError):
            return "node_info" in self.layout.event_data_value(rows[0][0])
        return True

    # -- edits -------------------------------------------------------------------------------
    def edit_state(self, session_id: str, mutate: Callable[[dict[str, Any]], Any],
                   expected_revision: str | None = None) -> Session:
        """An edit, stored as ADK's append_event stores an event with this state delta."""
        def build(session: Session):
            new_state, delta = edited(session.state, mutate)
            if not delta:
                return None
            for name, value in delta.items():
                if value is None and name not in new_state:
                    raise StoreError(
                        f"session {session_id!r}: an ADK database cannot remove the top-level "
                        f"key {name!r} (ADK's state_delta keeps null as a value); set it to "
                        "null instead; nothing changed")
                if name.startswith("temp:"):
                    raise StoreError(f"session {session_id!r}: ADK never stores temp: keys "
                                     f"({name!r}); nothing changed")
            try:
                check_values(state_values(delta))
            except SessionFormatError as exc:
                raise StoreError(f"session {session_id!r}: {exc}") from None
            data = event_data(f"edit-{uuid.uuid4()}", EDIT_AUTHOR, delta,
                              node_info=self._event_shape(self.resolve(session_id)),
                              timestamp=_next_time(session))
            return data, session

        with self._lock:
            self._append(session_id, "edit", build, expected_revision)
            return self._load(session_id)

    def append_event(self, session_id: str, event: Event,
                     expected_revision: str | None = None) -> Session:
        """An agent's event, stored as ADK's append_event stores it (not undoable, like
        an agent's own)."""
        try:
            check_event(event)
        except SessionFormatError as exc:
            raise StoreError(f"session {session_id!r}: {exc}") from None
        data = stored_event_data(event)

        def build(session: Session):
            return data, None

        with self._lock:
            self._append(session_id, "append", build, expected_revision)
            return self._load(session_id)

    # -- rewinds -----------------------------------------------------------------------------
    def preview_rewind(self, session_id: str, invocation_id: str, before: bool = False) -> RewindPlan:
        session = self._load(session_id)
        return plan_adk_rewind(session, invocation_id, before)[0]

    def rewind(self, session_id: str, invocation_id: str, before: bool = False,
               expected_revision: str | None = None) -> RewindPlan:
        plans: list[RewindPlan] = []

        def build(session: Session):
            plan, target, delta = plan_adk_rewind(session, invocation_id, before)
            plans.append(plan)
            if target is None:
                return None
            data = event_data(f"e-{uuid.uuid4()}", REWIND_AUTHOR, delta,
                              rewind_before=target,
                              node_info=self._event_shape(self.resolve(session_id)),
                              timestamp=_next_time(session))
            return data, plan

        self._append(session_id, "rewind", build, expected_revision)
        return plans[0]

    # -- delete and undo ---------------------------------------------------------------------
    def delete(self, session_id: str, expected_revision: str | None = None) -> None:
        with self._writing(session_id, expected_revision) as (key, _current):
            before = self._rows_of(key)
            before["events"] = self._event_rows(key)
            where = {"a": key[0], "u": key[1], "i": key[2]}
            # ADK: DatabaseSessionService deletes the events, then the session (SQLite's
            # service lets the foreign key's ON DELETE CASCADE do the first part).
            self.db.execute("DELETE FROM events WHERE app_name = :a AND user_id = :u "
                            "AND session_id = :i", where)
            self.db.execute("DELETE FROM sessions WHERE app_name = :a AND user_id = :u "
                            "AND id = :i", where)
            after = {"session": None, "app": before["app"], "user": before["user"],
                     "count": [0]}
            self._push(session_id, AdkUndoRecord("delete", *key, before, after, []), before)

    def _event_rows(self, key: tuple[str, str, str]) -> list[list]:
        return [list(r) for r in self.db.rows(
            f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE app_name = :a AND "
            f"user_id = :u AND session_id = :i ORDER BY timestamp, {self.layout.tie_breaker}",
            {"a": key[0], "u": key[1], "i": key[2]})]


def _next_time(session: Session) -> float:
    """Now, unless the session's clock ran ahead (an agent on another machine): then just after
    its last event, so the change sorts last (ADK orders events by time) and update_time moves
    forward (what tells a running agent its session went stale)."""
    times = [e.timestamp for e in session.events[-1:]]
    if session.updated_at:
        times.append(to_unix(session.updated_at))
    latest = max(times, default=0.0)
    now = time.time()
    return now if now > latest else latest + 0.001


def _kept(row: list | None) -> list | None:
    """A row as an undo record gives it back (JSON values tagged, datetimes as datetimes)."""
    return decode_row(encode_row(row))
