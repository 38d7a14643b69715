"""A session of an ADK database read as ADK's `get_session` returns it: its own state with the
app's and the user's shared state merged in as `app:` / `user:` keys, events in ADK's order;
and the rows a change reads (with `FOR UPDATE` where the server has it).
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from ..formats import adk_json
from ..formats.adk_sqlite import camel_event, merge_state
from ..model import Session, SessionFormatError
from ..store.errors import NotFound, StoreError
from . import layouts
from .db import Connection, error_line


class ReadingMixin:
    """Reading one session of `AdkStore` (uses its connection, layout, lock and `resolve`)."""

    db: Connection
    layout: layouts.Layout
    _lock: threading.RLock

    def _load(self, session_id: str) -> Session:
        with self._lock:
            self._follow_file()
        with self._lock, self.db.snapshot():
            key = self.resolve(session_id)
            return self._read_session(key, session_id)

    def _read_session(self, key: tuple[str, str, str], store_id: str) -> Session:
        app_name, user_id, adk_id = key
        layout = self.layout
        where = {"a": app_name, "u": user_id, "i": adk_id}
        found = self.db.rows("SELECT state, create_time, update_time FROM sessions "
                             "WHERE app_name = :a AND user_id = :u AND id = :i", where)
        if not found:
            raise NotFound(f"no session {store_id!r}")
        state_raw, created_raw, updated_raw = found[0]
        event_rows = self.db.rows(
            f"SELECT {layout.event_select()} FROM events WHERE app_name = :a "
            "AND user_id = :u AND session_id = :i "
            f"ORDER BY timestamp, {layout.tie_breaker}", where)
        app_state, user_state = self._shared_of(app_name, user_id)
        place = f"{self.db.location}: session {store_id!r}"
        try:
            own = layout.state_value(state_raw)
            events = []
            for i, row in enumerate(event_rows):
                try:
                    fields = layout.row_fields(row)
                except (ValueError, TypeError, OverflowError) as exc:
                    raise SessionFormatError(f"events[{i}]", error_line(exc)) from None
                events.append(camel_event(fields))
            value = {"id": store_id, "appName": app_name, "userId": user_id,
                     "state": merge_state(app_state, user_state, own), "events": events,
                     "lastUpdateTime": layout.unix(updated_raw)}
            session = adk_json.session_from_adk(value, created_at=layout.iso(created_raw),
                                                owned=True)
            session.updated_at = layout.iso(updated_raw)  # as the list shows it, to the digit
        except SessionFormatError as exc:
            raise StoreError(f"{place}: {exc}") from None
        except (ValueError, TypeError, OverflowError) as exc:
            raise StoreError(f"{place}: {error_line(exc)}") from None
        self._read_origin(key, created_raw, session)  # a fork's forked_from (forking.py)
        last = event_rows[-1][0] if event_rows else ""
        session.revision = _revision(updated_raw, len(event_rows), last, state_raw)
        return session

    def _shared_of(self, app_name: str, user_id: str) -> tuple[dict, dict]:
        app_row, user_row = self._shared_rows(app_name, user_id)
        app = self.layout.state_value(app_row[0]) if app_row else {}
        user = self.layout.state_value(user_row[0]) if user_row else {}
        return app, user

    def _shared_rows(self, app_name: str, user_id: str, lock: bool = False):
        tables = self._tables()
        suffix = f" {self.db.for_update()}" if lock else ""
        app_row = user_row = None
        if "app_states" in tables:
            rows = self.db.rows("SELECT state, update_time FROM app_states WHERE app_name = :a"
                                + suffix, {"a": app_name})
            app_row = list(rows[0]) if rows else None
        if "user_states" in tables:
            rows = self.db.rows("SELECT state, update_time FROM user_states WHERE app_name = :a "
                                "AND user_id = :u" + suffix, {"a": app_name, "u": user_id})
            user_row = list(rows[0]) if rows else None
        return app_row, user_row

    def _session_row(self, key: tuple[str, str, str], lock: bool = False) -> list | None:
        suffix = f" {self.db.for_update()}" if lock else ""
        rows = self.db.rows("SELECT state, create_time, update_time FROM sessions WHERE "
                            "app_name = :a AND user_id = :u AND id = :i" + suffix,
                            {"a": key[0], "u": key[1], "i": key[2]})
        return list(rows[0]) if rows else None


def _revision(updated: Any, count: int, last_event: str, state: Any) -> str:
    text = f"{updated!r}|{count}|{last_event}|{state!r}"
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
