"""A fork of a session of an ADK database, written as rows google-adk loads and continues: a new
`sessions` row (the fork's own state: the restored state's session keys; create and update time
now) and a copy of each kept event row under the new session id (its `event_data` bytes, id and
time as they were, so ADK orders and reads them as before). The app's and the user's shared
state rows are the same for every session of the app and user: left as they are
(DatabaseSessionService's rows made where missing, as its create_session does).

ADK's tables have no column for the origin, and session-tui puts no rows of its own into them
(SPEC section 8), so `forked_from` is kept beside the undo records, in the sidecar
(`x.db.session-tui/forks/`; for a server, its folder under the user's data folder), one file a
fork, naming the fork's row and its create time: a file whose session is gone (an undone fork)
or was made again by ADK under the same id is not read as that session's origin.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from ..model import Session, is_shared_key
from ..files import write_atomic
from ..store.atomic import read_json
from ..store.errors import StoreError
from ..store.forking import ForkResult, check_expected, plan_fork
from ..store.naming import file_name
from ..store.paths import odd_entry
from .. import jsonio
from . import layouts
from .db import Connection
from .undo import AdkHistory, AdkUndoRecord


class ForkingMixin:
    """`AdkStore.fork` / `preview_fork` (uses its transactions, rows and undo records)."""

    db: Connection
    layout: layouts.Layout
    _lock: threading.RLock
    history: AdkHistory

    def preview_fork(self, session_id: str, invocation_id: str, before: bool = False,
                     new_id: str | None = None):
        session = self._load(session_id)
        with self._lock:  # (the adapter is used by one thread at a time)
            return plan_fork(session, invocation_id, before, new_id, self._id_in_use,
                             self._id_taken, base_id=self.resolve(session_id)[2])

    def fork(self, session_id: str, invocation_id: str, before: bool = False,
             new_id: str | None = None, expected_revision: str | None = None,
             expected_events: tuple[int, str | None] | None = None) -> ForkResult:
        with self._writing(session_id, expected_revision) as (key, current):
            plan = plan_fork(current, invocation_id, before, new_id, self._id_in_use,
                             self._id_taken, base_id=key[2])
            check_expected(plan, expected_events)
            app_name, user_id, _ = key
            new_key = (app_name, user_id, plan.new_id)
            before_rows = self._rows_of(new_key)
            now = time.time()
            own = {k: v for k, v in plan.state.items() if not is_shared_key(k)}
            self._upsert_shared("app_states", {"a": app_name}, {}, now)
            self._upsert_shared("user_states", {"a": app_name, "u": user_id}, {}, now)
            layout = self.layout
            self.db.execute(
                "INSERT INTO sessions (app_name, user_id, id, state, create_time, update_time) "
                f"VALUES (:a, :u, :i, {layout.state_bind('s')}, :t, :t)",
                {"a": app_name, "u": user_id, "i": plan.new_id, "s": layout.state_param(own),
                 "t": layout.time_param(now)})
            added = self._copy_events(key, plan.new_id, plan.keep)
            after_rows = self._rows_of(new_key)
            self._push(plan.new_id, AdkUndoRecord("fork", *new_key, before_rows, after_rows,
                                                  added), before_rows)
            self._file_origin(new_key, after_rows["session"][1], plan.origin)
            return ForkResult(plan.new_id, plan.keep, plan)

    def _copy_events(self, key: tuple[str, str, str], new_id: str, keep: int) -> list[str]:
        """The first `keep` event rows (ADK's order) under the new session, as they are."""
        rows = self._event_rows(key)[:keep]
        for row in rows:
            values: dict[str, Any] = {}
            binds = [self._bind(values, f"v{n}", v) for n, v in enumerate(_kept_row(row))]
            binds[3] = ":sid"
            values["sid"] = new_id
            self.db.execute("INSERT INTO events (id, app_name, user_id, session_id, "
                            f"invocation_id, timestamp, event_data) VALUES ({', '.join(binds)})",
                            values)
        return [row[0] for row in rows]

    def _id_in_use(self, adk_id: str) -> bool:
        """A session of any app and user has this id: the fork's bare id would name two."""
        return bool(self.db.rows("SELECT 1 FROM sessions WHERE id = :i", {"i": adk_id}))

    def _id_taken(self, adk_id: str) -> bool:
        return self._id_in_use(adk_id) or self.history.path(adk_id).exists()

    # -- the origin, in the sidecar ----------------------------------------------------------
    def _forks_folder(self) -> Path:
        return self.history.folder.parent / "forks"

    def _file_origin(self, key: tuple[str, str, str], created: Any,
                     origin: dict[str, Any]) -> None:
        """Filed before the transaction commits (like an undo record): a fork that never
        landed leaves a file no session matches."""
        value = {"app_name": key[0], "user_id": key[1], "id": key[2],
                 "create_time": self.layout.iso(created), "forked_from": origin}
        try:
            self.history.check_folder()
            folder = self._forks_folder()
            problem = odd_entry(folder, "folder")  # a link could lead the file anywhere
            if problem:
                raise StoreError(f"{problem}; a fork's origin is never written through it "
                                 "(move it aside); nothing changed")
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(folder / file_name(key[2]), jsonio.dumps(value))
        except OSError as exc:
            raise StoreError(f"{self._forks_folder()}: cannot keep the fork's origin "
                             f"({exc.strerror or exc}); nothing changed") from None

    def _read_origin(self, key: tuple[str, str, str], created: Any, session: Session) -> None:
        """`forked_from` of a session this store forked, into `session.extra`."""
        path = self._forks_folder() / file_name(key[2])
        if odd_entry(path.parent, "folder") or odd_entry(path.parent.parent, "folder"):
            return  # never read through a link (the sidecar's own folder included)
        try:
            value = read_json(path)
        except (OSError, StoreError):  # (none: not a fork of ours)
            return  # (an origin that cannot be read is not shown; the session still is)
        if (isinstance(value, dict) and [value.get(k) for k in ("app_name", "user_id", "id")]
                == list(key) and value.get("create_time") == self.layout.iso(created)
                and isinstance(value.get("forked_from"), dict)):
            session.extra["forked_from"] = value["forked_from"]


def _kept_row(row: list) -> list:
    """A row's values as an undo record gives them back (a JSON column's value tagged, so
    that it is bound back as JSON on a server)."""
    from .undo import decode_row, encode_row

    return decode_row(encode_row(row))
