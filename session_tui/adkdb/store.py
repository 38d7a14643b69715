"""`AdkStore`: an ADK session database opened in place, read and written the way google-adk's
own session services read and write it (SPEC section 8).

- Reading: the list comes from SQL (counts by `GROUP BY`, no event is loaded); a session is
  what ADK's `get_session` returns: its own state with the app's and the user's shared state
  merged in as `app:` / `user:` keys, events in ADK's order.
- Writing: an edit appends an event (author `session-tui`, invocation `edit-<uuid>`) carrying
  the state delta, stored as ADK's `append_event` stores one: the event row, the session's,
  app's and user's state rows updated with `dict.update` (so a null is kept as a value: ADK
  cannot remove a top-level key, and such an edit is refused), `update_time` set to the event's
  time. A rewind appends the event ADK's `Runner.rewind_async` appends (author `user`,
  invocation `e-<uuid>`, `actions.rewind_before_invocation_id`, the restoring state delta),
  except that a key no annulled event wrote keeps its value (google/adk-python issue 4933).
  Artifacts are not rewound (as ADK's Runner without an artifact service). Delete removes the
  session's row and its events, as ADK does.
- Every change is one write transaction (SQLite `BEGIN IMMEDIATE`) that reads the session
  afresh, refuses a stale revision, writes, and files an undo record beside the database
  (undo.py) before it commits. Undo puts back exactly the rows there were.
- Ids: a session is known by its ADK id; where the same id is in the database under two (app,
  user) pairs, each is known as `app/user/id` (accepted everywhere, shown in the list; a `/`
  or `%` in the app or user escaped, and a bare id that spells another session's such name
  qualified too: `names_of`), so every name the list shows opens its own session.
- Creating sessions and importing into an ADK database are refused up front (one line): ADK
  creates its sessions itself (`create_session`); import into a session-tui store instead.
- Live: `poll()` asks the adapter for its change token (SQLite: `PRAGMA data_version` on the kept
  connection, and the file's identity).
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterator

from .. import pointer as jp
from ..eventinfo import annulled_among
from ..formats import adk_json
from ..formats.adk_sqlite import camel_event, merge_state, snake_event
from ..jsonio import deep_copy
from ..model import (
    Event,
    Session,
    SessionFormatError,
    _describe,
    check_event,
    check_values,
    json_equal,
    state_changes,
    to_unix,
)
from ..store.base import (
    EDIT_AUTHOR,
    CheckReport,
    ImportReport,
    RewindPlan,
    Store,
    UndoResult,
    search_text,
)
from ..store.atomic import gc_paused
from ..store.errors import (
    CorruptFile,
    NotFound,
    NothingToUndo,
    ReadOnlyStore,
    StaleError,
    StoreError,
)
from . import layouts
from .db import Connection
from .undo import (
    AdkHistory,
    AdkUndoRecord,
    JsonValue,
    decode_row,
    encode_row,
    qualified,
    split_qualified,
)

SHARED = ("app:", "user:", "temp:")
REWIND_AUTHOR = "user"  # ADK's rewind event is the user's


class AdkStore(Store):
    """A session-tui Store over an ADK database (any adapter, any registered layout)."""

    kind = "adk"
    can_import = False
    can_create = False

    def __init__(self, db: Connection, *, path: Path, history_folder: Path,
                 read_only: bool = False, history_root: Path | None = None):
        self.db = db
        self.path = Path(path)
        self.problems: list[str] = []
        self._asked_read_only = read_only
        try:
            self._take_layout()
        except BaseException:
            db.close()
            raise
        self.history = AdkHistory(history_folder, history_root)
        self._lock = threading.RLock()
        # The change token as poll() last saw it, and as the cached list was read at (two: a
        # list read between two polls must not hide a change from the next poll).
        self._token = self._list_token = db.change_token()
        self._rows: list[dict[str, Any]] | None = None
        self._keys: dict[str, tuple[str, str, str]] = {}
        # The list as last read: (app, user, id) -> (update_time as stored, summary or problem)
        self._summaries: dict[tuple[str, str, str], tuple[Any, dict | str]] = {}
        self._shared_seen: Any = None
        self._table_names: set[str] | None = None
        self._poll_problem: str | None = None  # what the last poll could not read, said once

    def _take_layout(self) -> None:
        """The layout of the database and what follows from it (read-only or not, notes)."""
        db, read_only = self.db, self._asked_read_only
        self.layout = layouts.detect(db)
        layouts.check_columns(db, self.layout)
        self.notes = list(self.layout.notes)
        self.read_only = read_only or db.read_only or not self.layout.writable
        layout_reason = (f"{db.location}: {self.layout.read_only_reason}"
                         if self.layout.read_only_reason else None)
        self.read_only_reason = (f"{db.location}: opened read-only" if read_only
                                 else db.read_only_reason or layout_reason)
        if self.read_only and not self.read_only_reason:
            self.read_only_reason = f"{db.location}: read-only"

    def _follow_file(self) -> bool:
        """Another file now at the path (a copy moved over it, a backup put back): the kept
        connection would go on reading the old one and fail to write it. Open the new one,
        its layout and read-only state afresh, every cached list forgotten."""
        replaced = getattr(self.db, "replaced", None)  # an adapter over a file has it
        if replaced is None or not replaced():
            return False
        self.db.reopen()
        self._rows, self._keys, self._summaries = None, {}, {}
        self._shared_seen = self._table_names = None
        try:
            self._take_layout()
        except StoreError:
            self.db.forget_identity()  # not an ADK database: asked again on the next call
            raise
        return True

    def _tables(self) -> set[str]:
        """The database's tables, asked again only while a shared state table is missing (a
        query on a server; ADK creates its tables once)."""
        if self._table_names is None or not {"app_states", "user_states"} <= self._table_names:
            self._table_names = self.db.tables()
        return self._table_names

    def __repr__(self) -> str:
        return f"AdkStore({self.db.location!r}, layout={self.layout.name!r})"

    # -- the Store interface: things ADK databases do not do ---------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        self._check_writable()
        with self._lock:
            yield

    def create(self, app_name: str, user_id: str, state: dict[str, Any] | None = None,
               session_id: str | None = None) -> Session:
        raise StoreError(f"{self.db.location}: sessions of an ADK database are created by ADK "
                         "(create_session, when an agent starts one); nothing changed")

    def import_sessions(self, sessions: list[Session], on_conflict: str = "skip") -> ImportReport:
        raise StoreError(f"{self.db.location}: an ADK database keeps sessions as ADK writes them: "
                         "import into a session-tui store instead (--store FOLDER); nothing changed")

    def undo_import(self, report: ImportReport) -> dict[str, int]:
        raise StoreError(f"{self.db.location}: nothing was imported into this ADK database")

    def history_of(self, session_id: str) -> list[AdkUndoRecord]:  # type: ignore[override]
        with self._lock, self.db.snapshot():
            return self._without_ghosts(session_id, self.history.load(session_id))

    def close(self) -> None:
        with self._lock:
            self.db.close()

    # -- live --------------------------------------------------------------------------------
    def poll(self) -> bool:
        """Whether the database changed since the last poll. Never raises: a file that is not
        (or no longer) a database is news once (the reload that follows names the problem),
        not an error every second."""
        with self._lock:
            try:
                reopened = self._follow_file()
                token = self.db.change_token()
            except StoreError as exc:
                problem = _one_line(exc)
                if problem == self._poll_problem:
                    return False
                self._poll_problem = problem
                return True
            self._poll_problem = None
            if token == self._token and not reopened:
                return False
            self._token = token
            return True

    def _after_own_write(self) -> None:
        """The list is read again (in part). poll()'s token is left alone: SQLite's
        data_version does not move for this connection's own commits, and another writer's
        commit just before ours must still be news."""
        self._rows = None

    # -- listing -----------------------------------------------------------------------------
    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            self._follow_file()
            token = self.db.change_token()
            if self._rows is None or token != self._list_token:
                self._list_token = token
                self._rows = self._list_rows()
            return [dict(r) for r in self._rows]

    # Above this many changed sessions one full query is cheaper than one query each.
    FULL_LIST_AFTER = 64
    _SUMMARY_SQL = (
        "SELECT s.app_name, s.user_id, s.id, s.state, s.create_time, s.update_time, c.n, c.inv, "
        "c.rw FROM sessions s LEFT JOIN (SELECT app_name, user_id, session_id, COUNT(*) AS n, "
        "COUNT(DISTINCT invocation_id) AS inv, {rewinds} AS rw FROM events {events_where}"
        "GROUP BY app_name, user_id, session_id) c ON c.app_name = s.app_name "
        "AND c.user_id = s.user_id AND c.session_id = s.id {sessions_where}")

    def _list_rows(self) -> list[dict[str, Any]]:
        """Summaries from SQL. After the first, only sessions whose `update_time` moved are
        read again (ADK bumps it with every event): an agent writing to one session of 10,000
        costs a small query, not the whole list."""
        with gc_paused():  # 10,000 rows are ~200,000 new objects: no collections meanwhile
            return self._list_rows_now()

    def _list_rows_now(self) -> list[dict[str, Any]]:
        with self.db.snapshot():
            heads = self.db.rows("SELECT app_name, user_id, id, update_time FROM sessions")
            shared = self._shared_raw()
            cache = self._summaries if shared == self._shared_seen else {}
            changed = [tuple(h[:3]) for h in heads
                       if cache.get(tuple(h[:3]), (None,))[0] != h[3]]
            if not cache or len(changed) > self.FULL_LIST_AFTER:
                found = self.db.rows(self._SUMMARY_SQL.format(
                    events_where="", sessions_where="", rewinds=self.layout.rewinds_sql()))
                cache = {}
            else:
                found = []
                for key in changed:
                    found += self.db.rows(self._SUMMARY_SQL.format(
                        events_where="WHERE app_name = :a AND user_id = :u AND session_id = :i ",
                        sessions_where="WHERE s.app_name = :a AND s.user_id = :u AND s.id = :i",
                        rewinds=self.layout.rewinds_sql()),
                        {"a": key[0], "u": key[1], "i": key[2]})
            # Only a session that may hold a rewind event is read further (a few columns).
            annulled = {tuple(row[:3]): self._annulled_count(*row[:3])
                        for row in found if row[8]}
        app_states, user_states = self._decode_shared(shared)
        fresh: dict[tuple[str, str, str], tuple[Any, dict | str]] = {}
        for app_name, user_id, adk_id, state, created, updated, n, inv, _ in found:
            summary = self._summary(app_name, user_id, state, created, updated, n, inv,
                                    app_states, user_states)
            if isinstance(summary, dict):
                summary["annulled_count"] = annulled.get((app_name, user_id, adk_id), 0)
            fresh[(app_name, user_id, adk_id)] = (updated, summary)
        summaries = {}
        for app_name, user_id, adk_id, _ in heads:
            key = (app_name, user_id, adk_id)
            got = fresh.get(key) or cache.get(key)
            if got is not None:
                summaries[key] = got
        self._summaries, self._shared_seen = summaries, shared
        names = names_of(summaries)
        rows: list[dict[str, Any]] = []
        problems: list[str] = []
        keys: dict[str, tuple[str, str, str]] = {}
        for key, (_, summary) in summaries.items():
            store_id = names[key]
            keys[store_id] = key
            if isinstance(summary, str):
                problems.append(f"{self.db.location}: session {store_id!r}: {summary}")
            else:
                rows.append(dict(summary, id=store_id))
        self._keys = keys
        self.problems = problems
        return rows

    def _annulled_count(self, app_name: str, user_id: str, adk_id: str) -> int:
        """Events a rewind annulled in this session, by ADK's rule, from each event's
        invocation id and the stored data of its possible rewind events only."""
        layout = self.layout
        rows = self.db.rows(
            f"SELECT invocation_id, CASE WHEN {layout.rewind_test_sql()} THEN event_data END "
            "FROM events WHERE app_name = :a AND user_id = :u AND session_id = :i "
            f"ORDER BY timestamp, {layout.tie_breaker}", {"a": app_name, "u": user_id, "i": adk_id})
        rewinds = []
        for index, (_, data) in enumerate(rows):
            if data is None:
                continue
            try:
                actions = layout.event_data_value(data).get("actions")
            except (ValueError, TypeError):
                continue  # a damaged row: named when the session is opened
            target = actions.get("rewind_before_invocation_id") if isinstance(actions, dict) else None
            if isinstance(target, str) and target:
                rewinds.append((index, target))
        return len(annulled_among([row[0] for row in rows], rewinds))

    def _summary(self, app_name: str, user_id: str, state: Any, created: Any, updated: Any,
                 n: int | None, inv: int | None, app_states: dict, user_states: dict) -> dict | str:
        """One session's row of the list, or a one-line problem."""
        layout = self.layout
        try:
            own = layout.state_value(state)
            merged = merge_state(app_states.get(app_name, {}),
                                  user_states.get((app_name, user_id), {}), own)
            return {"app_name": app_name, "user_id": user_id,
                    "created_at": _time_of(layout, "create_time", created),
                    "updated_at": _time_of(layout, "update_time", updated),
                    "event_count": n or 0, "invocation_count": inv or 0,
                    "search_text": search_text(merged)}
        except (ValueError, TypeError, OverflowError) as exc:
            return _one_line(exc)

    def _shared_raw(self) -> tuple[list, list]:
        """The app and user state rows as stored (compared to know whether they moved)."""
        tables = self._tables()
        apps = (self.db.rows("SELECT app_name, state FROM app_states")
                if "app_states" in tables else [])
        users = (self.db.rows("SELECT app_name, user_id, state FROM user_states")
                 if "user_states" in tables else [])
        return apps, users

    def _decode_shared(self, raw: tuple[list, list]) -> tuple[dict, dict]:
        apps: dict[str, dict] = {}
        users: dict[tuple[str, str], dict] = {}
        for app_name, state in raw[0]:
            with contextlib.suppress(ValueError, TypeError):
                apps[app_name] = self.layout.state_value(state)
        for app_name, user_id, state in raw[1]:
            with contextlib.suppress(ValueError, TypeError):
                users[(app_name, user_id)] = self.layout.state_value(state)
        return apps, users

    # -- ids ---------------------------------------------------------------------------------
    def resolve(self, session_id: str) -> tuple[str, str, str]:
        """(app, user, ADK id) of a session as this store names it: its ADK id, or
        `app/user/id`. NotFound; StoreError when the bare id is in several (app, user)."""
        listed = self._keys.get(session_id)  # the list's own naming first: what was shown
        if listed is not None and self._has(listed):
            return listed
        found = self.db.rows("SELECT app_name, user_id, id FROM sessions WHERE id = :id",
                             {"id": session_id})
        if len(found) > 1:
            names = ", ".join(qualified(*r) for r in found[:3])
            raise StoreError(f"session id {session_id!r} is in {len(found)} (app, user) pairs of "
                             f"{self.db.location}: name it as app/user/id ({names})")
        parsed = split_qualified(session_id)
        by_name = parsed if parsed is not None and self._has(parsed) else None
        if found and by_name is not None:
            # A bare id that reads as another session's app/user/id: the list's naming
            # (which names neither so) decides.
            self.list()
            listed = self._keys.get(session_id)
            if listed is None:
                raise NotFound(f"no session {session_id!r} (name it as the list does)")
            return listed
        if found:
            return tuple(found[0])  # type: ignore[return-value]
        if by_name is not None:
            return by_name
        for app_name, user_id, adk_id in _splits(session_id):
            if self.db.rows("SELECT 1 FROM sessions WHERE app_name = :a AND user_id = :u "
                            "AND id = :i", {"a": app_name, "u": user_id, "i": adk_id}):
                return app_name, user_id, adk_id
        raise NotFound(f"no session {session_id!r}")

    def _has(self, key: tuple[str, str, str]) -> bool:
        return bool(self.db.rows("SELECT 1 FROM sessions WHERE app_name = :a AND user_id = :u "
                                 "AND id = :i", {"a": key[0], "u": key[1], "i": key[2]}))

    def _exists(self, session_id: str) -> bool:
        with self._lock:
            try:
                self.resolve(session_id)
            except NotFound:
                return False
            return True

    def ids(self) -> list[str]:
        return [r["id"] for r in self.list()]

    # -- reading a session -------------------------------------------------------------------
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
                    raise SessionFormatError(f"events[{i}]", _one_line(exc)) from None
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
            raise StoreError(f"{place}: {_one_line(exc)}") from None
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

    # -- changing ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _writing(self, session_id: str, expected_revision: str | None):
        """The write transaction of one change: yields (key, the session read afresh)."""
        with self._lock:
            self._follow_file()
        self._check_writable()
        with self._lock:
            try:
                with self.db.transaction():
                    key = self.resolve(session_id)
                    self._session_row(key, lock=True)  # PostgreSQL: lock the row first
                    current = self._read_session(key, session_id)
                    if expected_revision is not None and current.revision != expected_revision:
                        raise StaleError(
                            f"session {session_id!r} was changed by someone else since it was "
                            "read; reload it and try again")
                    yield key, current
            finally:
                self._after_own_write()

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
            new_state = deep_copy(session.state)
            mutate(new_state)
            changes = state_changes(session.state, new_state)
            if not changes:
                return None
            for name, change in changes.items():
                if "new" not in change:
                    raise StoreError(
                        f"session {session_id!r}: an ADK database cannot remove the top-level "
                        f"key {name!r} (ADK's state_delta keeps null as a value); set it to "
                        "null instead; nothing changed")
                if name.startswith("temp:"):
                    raise StoreError(f"session {session_id!r}: ADK never stores temp: keys "
                                     f"({name!r}); nothing changed")
            delta = {name: change["new"] for name, change in changes.items()}
            try:
                check_values((f"state[{_describe(k)}]", v) for k, v in delta.items())
            except SessionFormatError as exc:
                raise StoreError(f"session {session_id!r}: {exc}") from None
            data = event_data(f"edit-{uuid.uuid4()}", EDIT_AUTHOR, delta,
                              node_info=self._event_shape(self.resolve(session_id)),
                              timestamp=_next_time(session))
            return data, session

        with self._lock:
            self._append(session_id, "edit", build, expected_revision)
            return self._load(session_id)

    def set_value(self, session_id: str, pointer: str, value: Any,
                  expected_revision: str | None = None) -> Session:
        return self.edit_state(session_id, lambda s: jp.set_value(s, pointer, value),
                               expected_revision)

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

    _EVENT_COLUMNS = ("id", "app_name", "user_id", "session_id", "invocation_id", "timestamp",
                      "event_data")

    def _event_rows(self, key: tuple[str, str, str]) -> list[list]:
        return [list(r) for r in self.db.rows(
            f"SELECT {', '.join(self._EVENT_COLUMNS)} FROM events WHERE app_name = :a AND "
            f"user_id = :u AND session_id = :i ORDER BY timestamp, {self.layout.tie_breaker}",
            {"a": key[0], "u": key[1], "i": key[2]})]

    def undo(self, session_id: str) -> UndoResult:
        """Put back exactly the rows there were before the session's last change, while the
        rows are still as that change left them; else refused (one line, nothing changed)."""
        with self._lock:
            self._follow_file()
        self._check_writable()
        with self._lock:
            try:
                with self.db.transaction():
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
            finally:
                self._after_own_write()
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
                                  f"read ({_one_line(exc)}); nothing changed") from None

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
                    self.db.execute(f"INSERT INTO events ({', '.join(self._EVENT_COLUMNS)}) "
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

    # -- checking ----------------------------------------------------------------------------
    def check(self) -> CheckReport:
        """Read every session as ADK would: each one that cannot be read is named."""
        report = CheckReport()
        rows = self.list()
        report.damaged.extend(self.problems)
        for row in rows:
            try:
                self._load(row["id"])
            except StoreError as exc:
                report.damaged.append(_one_line(exc))
        report.damaged.extend(self._orphans())
        return report

    def _orphans(self) -> list[str]:
        """Events whose session row is missing (ADK never shows them), one line a session."""
        with self._lock:
            found = self.db.rows(
                "SELECT e.app_name, e.user_id, e.session_id, COUNT(*) FROM events e "
                "LEFT JOIN sessions s ON s.app_name = e.app_name AND s.user_id = e.user_id "
                "AND s.id = e.session_id WHERE s.id IS NULL "
                "GROUP BY e.app_name, e.user_id, e.session_id")
        return [f"{self.db.location}: {n} events of session "
                f"{qualified(app_name, user_id, adk_id)!r} whose session row is missing "
                "(ADK never shows them)" for app_name, user_id, adk_id, n in found]


# ----------------------------------------------------------------------------- the ADK way


def names_of(keys) -> dict[tuple[str, str, str], str]:
    """The name each session is listed under: its bare ADK id where that names it alone,
    else `qualified`. A bare id that another session's qualified name also spells (an id
    `x/u1/s1` beside session s1 of app x, user u1) is qualified too, until no two agree."""
    counts = Counter(key[2] for key in keys)
    names = {key: key[2] if counts[key[2]] == 1 else qualified(*key) for key in keys}
    while True:
        used = Counter(names.values())
        clashing = [key for key, name in names.items() if used[name] > 1 and name == key[2]]
        if not clashing:
            return names
        for key in clashing:
            names[key] = qualified(*key)


def _splits(text: str) -> Iterator[tuple[str, str, str]]:
    """Every way to read `text` as app/user/id (names may hold slashes themselves)."""
    slashes = [i for i, c in enumerate(text) if c == "/"][:32]
    for n, i in enumerate(slashes):
        for j in slashes[n + 1:]:
            yield text[:i], text[i + 1:j], text[j + 1:]


def split_delta(delta: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """ADK's extract_state_delta: app:, user: and the session's own keys (temp: dropped)."""
    parts: dict[str, dict[str, Any]] = {"app": {}, "user": {}, "session": {}}
    for name, value in delta.items():
        if name.startswith("app:"):
            parts["app"][name[len("app:"):]] = value
        elif name.startswith("user:"):
            parts["user"][name[len("user:"):]] = value
        elif not name.startswith("temp:"):
            parts["session"][name] = value
    return parts


def event_data(invocation_id: str, author: str, delta: dict[str, Any], *,
               rewind_before: str | None = None, node_info: bool = True,
               timestamp: float | None = None) -> dict[str, Any]:
    """An event without content as google-adk 2.13's `Event.model_dump(exclude_none=True)`
    gives it (its field order; `node_info` only where the database's events have it)."""
    actions: dict[str, Any] = {"state_delta": deep_copy(delta), "artifact_delta": {},
                               "requested_auth_configs": {}, "requested_tool_confirmations": {}}
    if rewind_before is not None:
        actions["rewind_before_invocation_id"] = rewind_before
    data: dict[str, Any] = {"invocation_id": invocation_id, "author": author, "actions": actions}
    if node_info:
        data["node_info"] = {"path": ""}
    data["id"] = str(uuid.uuid4())
    data["timestamp"] = time.time() if timestamp is None else timestamp
    return data


def stored_event_data(event: Event) -> dict:
    """An event as ADK's session services store it in `event_data` (snake_case; the maps its
    EventActions always has, present)."""
    root = snake_event(adk_json.event_to_adk(event))
    actions = root.setdefault("actions", {})
    for name in ("state_delta", "artifact_delta", "requested_auth_configs",
                 "requested_tool_confirmations"):
        if actions.get(name) is None:
            actions[name] = {}
    return root


def plan_adk_rewind(session: Session, invocation_id: str,
                    before: bool) -> tuple[RewindPlan, str | None, dict[str, Any]]:
    """The rewind ADK's Runner.rewind_async would write, except that keys no annulled event
    wrote keep their values. Returns (plan, the invocation the rewind event names or None
    when nothing is annulled, the state delta).

    "Rewind before X" names X; "rewind to X" names the invocation whose first event follows X's
    last (refused where that invocation began earlier: no ADK rewind hides exactly that)."""
    events = session.events
    indices = [i for i, e in enumerate(events) if e.invocation_id == invocation_id]
    if not indices:
        raise NotFound(f"session {session.id!r}: no invocation {invocation_id!r}")
    index = indices[0] if before else indices[-1] + 1
    target: str | None = None
    if index < len(events):
        target = events[index].invocation_id
        first = next(i for i, e in enumerate(events) if e.invocation_id == target)
        if first != index:
            raise StoreError(
                f"session {session.id!r}: invocation {target!r} began before {invocation_id!r} "
                "ended, so no ADK rewind keeps exactly up to it; rewind before an invocation "
                "instead; nothing changed")
    # ADK's compute_state_delta_for_rewind: the state replayed up to the rewind point.
    at_point: dict[str, Any] = {}
    for event in events[:index]:
        for name, value in event.actions.state_delta.items():
            if name.startswith(SHARED):
                continue
            if value is None:
                at_point.pop(name, None)
            else:
                at_point[name] = value
    written_later: set[str] = set()
    for event in events[index:]:
        written_later.update(event.actions.state_delta)
    current = session.state
    delta: dict[str, Any] = {}
    for name, value in at_point.items():
        if name not in current or not json_equal(current[name], value):
            delta[name] = deep_copy(value)
    unrecorded: list[str] = []
    for name in current:
        if name.startswith(SHARED) or name in at_point:
            continue
        if name in written_later:  # ADK nulls every such key; only these were changed later
            delta[name] = None
            unrecorded.append(name)
    if target is None:
        delta = {}
        unrecorded = []
    new_state = deep_copy(current)
    new_state.update(deep_copy(delta))  # ADK: dict.update, a null kept as a value
    staying = sorted(k for k in written_later if k.startswith(SHARED)) if target else []
    plan = RewindPlan(session.id, invocation_id, before, index, len(events) - index if target else 0,
                      state_changes(current, new_state), sorted(unrecorded), new_state, staying,
                      annuls=True)
    return plan, target, delta


def _same_rows(now: dict[str, Any], recorded: dict[str, Any], record: AdkUndoRecord) -> bool:
    """Are the rows a change touched as recorded (the session row, its event count, and the
    shared state rows the change wrote)?"""
    if now["session"] != recorded["session"] or now["count"] != recorded["count"]:
        return False
    for name in ("app", "user"):
        if record.before.get(name) != record.after.get(name) and now[name] != recorded[name]:
            return False
    return True


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


def _revision(updated: Any, count: int, last_event: str, state: Any) -> str:
    text = f"{updated!r}|{count}|{last_event}|{state!r}"
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _time_of(layout: layouts.Layout, column: str, value: Any) -> str:
    """A session's time as the list shows it; ValueError naming the column and the value."""
    try:
        return layout.iso(value)
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"{column} out of range or not a time: {str(value)[:40]!r}") from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
