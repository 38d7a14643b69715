"""An ADK session service over session-tui's own store (`pip install 'session-tui[adk]'`).

    from session_tui.adk import SessionTuiSessionService
    runner = Runner(app_name="my_app", agent=agent,
                    session_service=SessionTuiSessionService("~/sessions"))

or, for `adk web` / `adk api_server`, `--session_service_uri=session-tui:///path/to/store` with
`session_tui.adk.register()` called from the agents folder's `services.py` (or the class named
in its `services.yaml`).

It behaves as google-adk 2.13's own `SqliteSessionService` does, call by call; what differs is
where things are kept:

- A session is a session of the store (the app shows it live). ADK keys sessions by app, user
  and id, the store by id alone: a second session with an id the store already has (another app
  or user) is kept as `<id>~2` with `original_id` naming its ADK id, as an import keeps both.
- `app:` and `user:` state is shared as ADK shares it. Its truth is the store's shared state
  (store/shared.py); each session's own state holds the keys too, so that what the app shows is
  what `get_session` returns: a change to a shared key is written into every session of that
  app (or user) in the same atomic change. `temp:` keys are never stored.
- ADK's update time (a float, to the last bit) is kept in `adk_update_time` while `updated_at`
  still says the same instant; a change made elsewhere (an edit in session-tui) moves
  `updated_at` on, and an agent holding the older session object is then refused with ADK's
  `StaleSessionError`, as it would be after another ADK writer's change.
- Events are stored as ADK's JSON (`event_from_adk`), every field kept, and handed back through
  `Event.model_validate_json` as ADK reads them from its own database.

google-adk is imported here and nowhere else in the package; the rest of session-tui runs
without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional
from urllib.parse import unquote, urlparse

import orjson

try:
    from google.adk.errors._stale_session_error import StaleSessionError
    from google.adk.errors.already_exists_error import AlreadyExistsError
    from google.adk.errors.session_not_found_error import SessionNotFoundError
    from google.adk.events.event import Event as AdkEvent
    from google.adk.platform import time as adk_time
    from google.adk.platform import uuid as adk_uuid
    from google.adk.sessions import _session_util
    from google.adk.sessions.base_session_service import (
        BaseSessionService,
        GetSessionConfig,
        ListSessionsResponse,
    )
    from google.adk.sessions.session import Session as AdkSession
    from google.adk.sessions.state import State
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError("session_tui.adk needs google-adk: pip install 'session-tui[adk]'") from exc

from .formats.adk_json import event_from_adk, event_to_adk
from .model import Event, Session, format_time, from_unix, to_unix
from .store import NotFound, StaleError, Store, StoreError, open_store
from .store.shared import SharedState

SCHEME = "session-tui"
ADK_TIME = "adk_update_time"  # session extra: ADK's update time, exact (see module doc)
ORIGINAL_ID = "original_id"  # session extra: the ADK id of a session kept under another id

_STALE = ("The last_update_time provided in the session object is earlier than the update_time "
          "in storage. Please check if it is a stale session.")
_DUPLICATE_EVENT = ("UNIQUE constraint failed: events.app_name, events.user_id, "
                    "events.session_id, events.id")


def store_path_of(uri: str) -> Path:
    """The store a `session-tui:` URI names: `session-tui:///abs/path` (as a file URL),
    `session-tui:relative/path`; `~` is the home folder. ValueError for anything else."""
    parsed = urlparse(uri)
    if parsed.scheme != SCHEME:
        raise ValueError(f"{uri}: not a {SCHEME}: URI")
    if parsed.netloc not in ("", "localhost"):
        raise ValueError(f"{uri}: a {SCHEME}: URI names a local store ({SCHEME}:///path/to/store)")
    path = unquote(parsed.path)
    if not path:
        raise ValueError(f"{uri}: no store path ({SCHEME}:///path/to/store)")
    if path.startswith("/~"):
        path = path[1:]
    return Path(path).expanduser()


class SessionTuiSessionService(BaseSessionService):
    """google-adk's `BaseSessionService` over a session-tui store (a store folder or a TinyDB
    file; a missing path becomes a new store folder)."""

    def __init__(self, store: Store | str | os.PathLike | None = None, *, uri: str | None = None,
                 **_registry_kwargs: Any):
        # `uri=` and the registry's own keyword arguments (agents_dir) are how ADK's service
        # registry builds a service named in services.yaml.
        if store is None:
            if uri is None:
                raise ValueError("give a store (a path or a Store) or a session-tui: URI")
            store = store_path_of(uri)
        self.store = store if isinstance(store, Store) else open_store(store, create=True)
        # What this service knows of the sessions it appended to last (by ADK key): while no
        # one else writes one, the next append needs none of its events read.
        self._appending: dict[tuple[str, str, str], _Appending] = {}

    # -- ADK's calls ----------------------------------------------------------------------
    async def create_session(self, *, app_name: str, user_id: str,
                             state: Optional[dict[str, Any]] = None,
                             session_id: Optional[str] = None) -> AdkSession:
        return await asyncio.to_thread(self._create, app_name, user_id, state, session_id)

    async def get_session(self, *, app_name: str, user_id: str, session_id: str,
                          config: Optional[GetSessionConfig] = None) -> Optional[AdkSession]:
        return await asyncio.to_thread(self._get, app_name, user_id, session_id, config)

    async def list_sessions(self, *, app_name: str,
                            user_id: Optional[str] = None) -> ListSessionsResponse:
        return await asyncio.to_thread(self._list, app_name, user_id)

    async def delete_session(self, *, app_name: str, user_id: str, session_id: str) -> None:
        await asyncio.to_thread(self._delete, app_name, user_id, session_id)

    async def get_user_state(self, *, app_name: str, user_id: str) -> dict[str, Any]:
        return await asyncio.to_thread(self._user_state, app_name, user_id)

    async def append_event(self, session: AdkSession, event: AdkEvent) -> AdkEvent:
        if event.partial:
            return event  # streamed pieces are never stored (the whole event follows)
        # As ADK does: temp: values reach the session object (later agents of the invocation
        # read them) but never the store.
        self._apply_temp_state(session, event)
        event = self._trim_temp_delta_state(event)
        await asyncio.to_thread(self._append, session, event)
        session.last_update_time = event.timestamp
        return self._commit_event_to_session(session, event)

    async def close(self) -> None:
        """Let go of the store (its lock is only ever held during a call)."""
        self.store.close()

    # -- the work, in a thread, under the store's lock -------------------------------------
    def _guard(self) -> contextlib.AbstractContextManager:
        """The store's lock (a consistent view of a session and the shared state); a read-only
        store has none to take: reads then see each file whole, as the app does."""
        return contextlib.nullcontext() if self.store.read_only else self.store.lock()

    def _create(self, app_name: str, user_id: str, state: dict[str, Any] | None,
                session_id: str | None) -> AdkSession:
        now = adk_time.get_time()
        with self.store.lock():
            if session_id:
                session_id = self._resolve(app_name, user_id, session_id)
            if not session_id:
                session_id = adk_uuid.new_uuid()
            if self._find(app_name, user_id, session_id) is not None:
                raise AlreadyExistsError(f"Session with id {session_id} already exists.")
            app_delta, user_delta, own = _split(state or {})
            shared = self.store.shared_state()
            shared.update_app(app_name, _json_copy(app_delta))
            shared.update_user(app_name, user_id, _json_copy(user_delta))
            stored = _merged(own, shared, app_name, user_id)
            store_id = self._free_store_id(session_id)
            session = Session(store_id, app_name, user_id, stored, events=[])
            session.extra["initial_state"] = _json_copy(stored)
            if store_id != session_id:
                session.extra[ORIGINAL_ID] = session_id
            _stamp(session, now)
            others = self._sharing(app_name, user_id, app_delta, user_delta, skip=None)
            self.store.write_shared([session] + others, shared)
        # As ADK answers: the session's keys as given (made JSON-safe), the shared ones as
        # stored.
        answer = copy.deepcopy(own)
        answer.update(_prefixed(shared.app(app_name), shared.user(app_name, user_id)))
        return AdkSession(app_name=app_name, user_id=user_id, id=session_id, state=answer,
                          events=[], last_update_time=now)

    def _get(self, app_name: str, user_id: str, session_id: str,
             config: GetSessionConfig | None) -> AdkSession | None:
        with self._guard():
            session_id = self._resolve(app_name, user_id, session_id)
            found = self._find(app_name, user_id, session_id)
            if found is None:
                return None
            shared = self.store.shared_state()
        events = _chosen_events(found.events, config)
        return AdkSession(app_name=app_name, user_id=user_id, id=session_id,
                          state=_merged(found.state, shared, app_name, user_id),
                          events=[_to_adk_event(e) for e in events],
                          last_update_time=adk_update_time(found))

    def _list(self, app_name: str, user_id: str | None) -> ListSessionsResponse:
        with self._guard():
            self.store.poll()  # sessions another process added since this object looked
            ids = [s["id"] for s in self.store.list() if s["app_name"] == app_name
                   and (user_id is None or s["user_id"] == user_id)]
            found = [self.store.get(i) for i in ids]
            shared = self.store.shared_state()
        rows = sorted(((adk_update_time(s), s.user_id, adk_id_of(s), s) for s in found),
                      key=lambda row: row[:3])
        return ListSessionsResponse(sessions=[
            AdkSession(app_name=app_name, user_id=user, id=adk_id,
                       state=_merged(s.state, shared, app_name, user), events=[],
                       last_update_time=when)
            for when, user, adk_id, s in rows])

    def _delete(self, app_name: str, user_id: str, session_id: str) -> None:
        with self.store.lock():
            session_id = self._resolve(app_name, user_id, session_id)
            found = self._find(app_name, user_id, session_id)
            if found is not None:
                self.store.delete(found.id)  # undoable in session-tui, like any delete

    def _user_state(self, app_name: str, user_id: str) -> dict[str, Any]:
        with self._guard():
            return self.store.shared_state().user(app_name, user_id)

    def _append(self, session: AdkSession, event: AdkEvent) -> None:
        key = (session.app_name, session.user_id, session.id)
        app_delta, user_delta, own = _split(event.actions.state_delta or {})
        known = self._appending.pop(key, None)
        if known is not None and not app_delta and not user_delta:
            if self._append_known(known, key, session, event, own):
                return
        with self.store.lock():
            found = self._find(session.app_name, session.user_id, session.id)
            if found is None:
                raise SessionNotFoundError(f"Session {session.id} not found.")
            if adk_update_time(found) > session.last_update_time:
                raise StaleSessionError(_STALE)
            if any(e.id == event.id for e in found.events):
                raise sqlite3.IntegrityError(_DUPLICATE_EVENT)  # ADK's table refuses it so
            shared = self.store.shared_state()
            app_delta, user_delta, own = _split(event.actions.state_delta or {})
            shared.update_app(session.app_name, _json_copy(app_delta))
            shared.update_user(session.app_name, session.user_id, _json_copy(user_delta))
            found.state.update(_json_copy(own))  # as ADK reads it back from its JSON column
            found.state.update(_prefixed(app_delta, user_delta))
            found.events.append(_to_store_event(event))
            _stamp(found, event.timestamp)
            others = self._sharing(session.app_name, session.user_id, app_delta, user_delta,
                                   skip=found.id)
            self.store.write_shared([found] + others, shared)
            if found.revision:  # (the next append's stale check needs it)
                self._appending[key] = _Appending(found.id, found.revision,
                                                  {e.id for e in found.events}, event.timestamp)

    def _append_known(self, known: "_Appending", key: tuple[str, str, str], session: AdkSession,
                      event: AdkEvent, own: dict[str, Any]) -> bool:
        """The next append of a session this service appended to last, when no one else has
        written it since (its revision): the checks from what is known, the event's line and
        the session's head written, not the session (store.append). False: it was changed
        since, the caller reads it afresh."""
        if event.id in known.event_ids:
            raise sqlite3.IntegrityError(_DUPLICATE_EVENT)  # ADK's table refuses it so
        if known.update_time > session.last_update_time:
            raise StaleSessionError(_STALE)

        def head(stored: Session) -> None:
            stored.state.update(_json_copy(own))  # as ADK reads it back from its JSON column
            _stamp(stored, event.timestamp)

        try:
            revision = self.store.append(known.store_id, _to_store_event(event), known.revision, head)
        except (StaleError, NotFound):
            return False
        known.event_ids.add(event.id)
        self._appending[key] = _Appending(known.store_id, revision, known.event_ids, event.timestamp)
        return True

    # -- finding sessions by ADK's key -----------------------------------------------------
    def _find(self, app_name: str, user_id: str, session_id: str) -> Session | None:
        """The store's session with this ADK key (app, user, id), read afresh, or None."""
        if session_id in self.store:
            session = self.store.get(session_id)
            if _owned(session, app_name, user_id) and adk_id_of(session) == session_id:
                return session
        self.store.poll()
        for summary in self.store.list():
            if (summary["id"].startswith(session_id + "~") and summary["app_name"] == app_name
                    and summary["user_id"] == user_id):
                session = self.store.get(summary["id"])
                if adk_id_of(session) == session_id:
                    return session
        return None

    def _resolve(self, app_name: str, user_id: str, session_id: str) -> str:
        """As ADK: a padded id is used as it is when stored so, else stripped."""
        if not session_id or session_id == session_id.strip():
            return session_id
        if self._find(app_name, user_id, session_id) is not None:
            return session_id
        return session_id.strip()

    def _free_store_id(self, session_id: str) -> str:
        if session_id not in self.store:
            return session_id
        n = 2
        while f"{session_id}~{n}" in self.store:
            n += 1
        return f"{session_id}~{n}"

    def _sharing(self, app_name: str, user_id: str, app_delta: dict[str, Any],
                 user_delta: dict[str, Any], skip: str | None) -> list[Session]:
        """The other sessions a shared change reaches, with it applied to their state."""
        if not app_delta and not user_delta:
            return []
        self.store.poll()
        changed = []
        for summary in self.store.list():
            if summary["app_name"] != app_name or summary["id"] == skip:
                continue
            same_user = summary["user_id"] == user_id
            if not app_delta and not same_user:
                continue
            other = self.store.get(summary["id"])
            other.state.update(_prefixed(app_delta, user_delta if same_user else {}))
            changed.append(other)
        return changed


@dataclass
class _Appending:
    store_id: str
    revision: str | None  # the session's revision after this service's last append
    event_ids: set[str]  # its events' ids (ADK's table refuses a second event with one)
    update_time: float  # ADK's update time it was given


def register(scheme: str = SCHEME) -> None:
    """Make `--session_service_uri=session-tui:///path/to/store` work in `adk web`,
    `adk api_server` and `adk run`: call it from the agents folder's `services.py`."""
    from google.adk.cli.service_registry import get_service_registry

    def factory(uri: str, **kwargs: Any) -> SessionTuiSessionService:
        return SessionTuiSessionService(uri=uri, **kwargs)

    get_service_registry().register_session_service(scheme, factory)


# -------------------------------------------------------------------------------- helpers

def adk_id_of(session: Session) -> str:
    original = session.extra.get(ORIGINAL_ID)
    return original if isinstance(original, str) else session.id


def adk_update_time(session: Session) -> float:
    """ADK's update time of a stored session: the exact float ADK's calls set, while
    `updated_at` still says that instant; else (changed elsewhere since) `updated_at`."""
    stamped = session.extra.get(ADK_TIME)
    if (isinstance(stamped, (int, float)) and not isinstance(stamped, bool)
            and _iso(stamped) == session.updated_at):
        return stamped
    return to_unix(session.updated_at)


def _iso(seconds: float) -> str | None:
    try:
        return format_time(from_unix(seconds))
    except (OverflowError, ValueError):
        return None


def _stamp(session: Session, when: float) -> None:
    """Set ADK's update time (as ADK: the creation time, then each event's timestamp)."""
    iso = _iso(when)
    if iso is None:
        raise StoreError(f"session {session.id!r}: time out of range: {when!r}")
    session.extra[ADK_TIME] = when
    session.updated_at = iso
    if not session.created_at:
        session.created_at = iso


def _owned(session: Session, app_name: str, user_id: str) -> bool:
    return session.app_name == app_name and session.user_id == user_id


def _json_copy(value: Any) -> Any:
    """What ADK reads back from its JSON columns: tuples as lists, keys as strings."""
    return json.loads(json.dumps(value))


def _split(state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """app:, user: (prefixes removed) and the session's own keys, made JSON-safe as ADK
    makes them (not yet through JSON); temp: keys left out."""
    deltas = _session_util.extract_json_safe_state_delta(state)
    return deltas["app"], deltas["user"], deltas["session"]


def _prefixed(app_delta: dict[str, Any], user_delta: dict[str, Any]) -> dict[str, Any]:
    out = {State.APP_PREFIX + k: v for k, v in app_delta.items()}
    out.update({State.USER_PREFIX + k: v for k, v in user_delta.items()})
    return _json_copy(out)


def _merged(own: dict[str, Any], shared: SharedState, app_name: str,
            user_id: str) -> dict[str, Any]:
    """A session's state as ADK's get_session gives it: its keys, then the app's and the
    user's shared keys (the truth for those)."""
    merged = _json_copy(own)
    merged.update(_prefixed(shared.app(app_name), shared.user(app_name, user_id)))
    return merged


def _chosen_events(events: list[Event], config: GetSessionConfig | None) -> list[Event]:
    """The events ADK's get_session returns: by timestamp (ties in append order), those at or
    after `after_timestamp`, the last `num_recent_events`."""
    ordered = [e for _, e in sorted(enumerate(events), key=lambda p: (p[1].timestamp, p[0]))]
    if config is None:
        return ordered
    if config.after_timestamp:
        ordered = [e for e in ordered if e.timestamp >= config.after_timestamp]
    if config.num_recent_events is not None:
        count = config.num_recent_events
        ordered = ordered[-count:] if count else []
    return ordered


def _to_store_event(event: AdkEvent) -> Event:
    """An ADK event as the store keeps it (ADK's camelCase JSON, every field)."""
    data = orjson.loads(event.model_dump_json(exclude_none=True, by_alias=True))
    return event_from_adk(data, owned=True)


def _to_adk_event(event: Event) -> AdkEvent:
    return AdkEvent.model_validate_json(orjson.dumps(event_to_adk(event)))
