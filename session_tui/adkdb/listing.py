"""The list of an ADK database's sessions, from SQL (counts by `GROUP BY`, no event is loaded;
after the first read only the sessions whose `update_time` moved are read again), and the name
each session is listed and opened under (`names_of`, `ListingMixin.resolve`).
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from typing import Any, Iterator

from ..eventinfo import annulled_among
from ..formats.adk_sqlite import merge_state
from ..files import gc_paused
from ..store.summaries import search_text
from ..store.errors import NotFound, StoreError
from . import layouts
from .db import Connection, error_line
from .undo import qualified, split_qualified


class ListingMixin:
    """The list and the names of `AdkStore` (uses its connection, layout, lock and caches)."""

    db: Connection
    layout: layouts.Layout
    _lock: threading.RLock

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
        "c.rw, c.tok FROM sessions s LEFT JOIN (SELECT app_name, user_id, session_id, "
        "COUNT(*) AS n, COUNT(DISTINCT invocation_id) AS inv, {rewinds} AS rw, {tokens} AS tok "
        "FROM events {events_where}"
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
                    events_where="", sessions_where="", rewinds=self.layout.rewinds_sql(),
                    tokens=self.layout.tokens_sql()))
                cache = {}
            else:
                found = []
                for key in changed:
                    found += self.db.rows(self._SUMMARY_SQL.format(
                        events_where="WHERE app_name = :a AND user_id = :u AND session_id = :i ",
                        sessions_where="WHERE s.app_name = :a AND s.user_id = :u AND s.id = :i",
                        rewinds=self.layout.rewinds_sql(), tokens=self.layout.tokens_sql()),
                        {"a": key[0], "u": key[1], "i": key[2]})
            # Only a session that may hold a rewind event is read further (a few columns).
            annulled = {tuple(row[:3]): self._annulled_count(*row[:3])
                        for row in found if row[8]}
        app_states, user_states = self._decode_shared(shared)
        fresh: dict[tuple[str, str, str], tuple[Any, dict | str]] = {}
        for app_name, user_id, adk_id, state, created, updated, n, inv, _, tokens in found:
            summary = self._summary(app_name, user_id, state, created, updated, n, inv,
                                    app_states, user_states)
            if isinstance(summary, dict):
                summary["annulled_count"] = annulled.get((app_name, user_id, adk_id), 0)
                # (SQL sums; PostgreSQL's in-place list has none: None, shown as unknown)
                summary["total_tokens"] = None if tokens is None else int(tokens)
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
            return error_line(exc)

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


def _time_of(layout: layouts.Layout, column: str, value: Any) -> str:
    """A session's time as the list shows it; ValueError naming the column and the value."""
    try:
        return layout.iso(value)
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"{column} out of range or not a time: {str(value)[:40]!r}") from None
