"""The store interface and every change a session can go through (SPEC section 2).

Backends (a store folder, a plain TinyDB file) supply fresh reads, atomic writes and a lock; the
meaning of edits, rewinds and undo lives here once. Every change is a read-modify-write under the
store's lock: read the session afresh, refuse if the caller's revision is stale, record how to
undo it, write atomically, and only then report success.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from ..jsonio import deep_copy
from .. import pointer as jp
from ..state_rules import edited
from ..model import (
    Event,
    EventActions,
    Session,
    SessionFormatError,
    check_event,
    check_values,
    session_values,
    keep_count,
    state_values,
    now_iso,
    parse_time,
    restore_state,
    to_unix,
    state_changes,
)
from . import forking
from .errors import CorruptFile, NotFound, NothingToUndo, ReadOnlyStore, StaleError, StoreError
from .history import UNAPPLIED, History, UndoRecord, refuse_undo_unless_exact
from .importing import CONFLICT_POLICIES, ImportingMixin
from .reports import CheckReport, ImportReport, RewindPlan, UndoResult
from .shared import SharedState

if TYPE_CHECKING:
    from .forking import ForkPlan, ForkResult

# Kept importable from here, where they were first written.
__all__ = ["CONFLICT_POLICIES", "EDIT_AUTHOR", "NO_CHANGE", "CheckReport", "ImportReport",
           "RewindPlan", "Store", "UndoResult", "plan_rewind"]

EDIT_AUTHOR = "session-tui"


def plan_rewind(session: Session, invocation_id: str, before: bool = False) -> RewindPlan:
    keep = keep_count(session.events, invocation_id, before)
    if keep is None:
        raise NotFound(f"session {session.id!r}: no invocation {invocation_id!r}")
    restored = restore_state(session, keep)
    return RewindPlan(session.id, invocation_id, before, keep, len(session.events) - keep,
                      restored.changes, restored.unrecorded, restored.state, restored.staying)


class Store(ImportingMixin):
    """The interface both backends share. Sessions handed out are the caller's own copies."""

    path: Path
    history: History
    loaded: bool = True  # see DirectoryStore.load
    # A store that cannot be written (or was opened with read_only=True) is read, never changed.
    read_only: bool = False
    read_only_reason: str | None = None  # one line: "<path>: read-only (no write permission)"
    # What kind of store (the app's title and banner may say): "session-tui" or "adk".
    kind: str = "session-tui"
    # Sessions can be created in it / imported into it (an ADK database: no, refused up front).
    can_create: bool = True
    can_import: bool = True
    # One-line facts about the store the app and `list` show (never appended to here: a
    # backend that has notes sets its own list).
    notes: list[str] = []
    # One line per thing in the store that could not be used (an unreadable file, ...).
    problems: Sequence[str] = ()

    def _check_writable(self) -> None:
        """Refuse a change of a read-only store up front, naming why (backends call it first
        thing in `lock()`, which every change takes before it reads or writes anything)."""
        if self.read_only:
            raise ReadOnlyStore(f"{self.read_only_reason or self.path}: nothing can be changed")

    def load(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Bring the store up to date with its files (a store folder's index)."""

    # -- what a backend supplies ------------------------------------------------------------
    def lock(self) -> contextlib.AbstractContextManager:
        raise NotImplementedError

    def list(self) -> list[dict[str, Any]]:
        """Summaries of every session (SUMMARY_KEYS), without reading session files."""
        raise NotImplementedError

    def listing(self, keys: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """`list()` newest first (by `updated_at`; a time that cannot be read: ValueError),
        each row with only `keys` (in that order) when given. A store folder keeps its index
        in this order: no time is parsed, no row copied twice."""
        rows = sorted(self.list(), key=lambda r: to_unix(r["updated_at"]), reverse=True)
        return rows if keys is None else [{k: r.get(k) for k in keys} for r in rows]

    def first_rows(self, count: int) -> list[dict[str, Any]] | None:
        """The `count` newest summaries, cheaply, before `load` (for a first screen); None
        when this store cannot tell them without the whole `load` and `list`."""
        return None

    def _load(self, session_id: str) -> Session:
        """Read the session afresh from disk, with its revision. NotFound, CorruptFile."""
        raise NotImplementedError

    def _exists(self, session_id: str) -> bool:
        raise NotImplementedError

    def _write(self, sessions: list[Session], deletes: list[str],
               history: dict[str, list[UndoRecord]], shared: Any = None) -> None:
        """Write these sessions, delete those ids and save these histories (and, when given,
        the shared state's JSON), all or nothing as far as the backend can (caller holds the
        lock). Sets each written session's revision."""
        raise NotImplementedError

    def poll(self) -> bool:
        """True when another process changed the store since the last look (stat only)."""
        raise NotImplementedError

    def _read_shared(self) -> Any:
        """The shared app and user state as written (`SharedState.to_json`), read afresh;
        None when there is none. A backend that keeps it overrides this and takes `shared=`
        in `_write`."""
        return None

    def check(self) -> CheckReport:
        raise NotImplementedError

    def _resolve_tail(self, session_id: str, record: UndoRecord) -> None:
        """Fill in `record.tail` where the record only points at the removed events (a store
        folder keeps them in place: see segments.TailPart)."""

    def close(self) -> None:
        pass

    # -- reading ----------------------------------------------------------------------------
    def get(self, session_id: str) -> Session:
        return self._load(session_id)

    def __contains__(self, session_id: str) -> bool:
        return self._exists(session_id)

    def ids(self) -> list[str]:
        return [s["id"] for s in self.list()]

    def iter_sessions(self, ids: Iterable[str] | None = None) -> Iterator[Session]:
        for session_id in (self.ids() if ids is None else ids):
            yield self._load(session_id)

    def preview_rewind(self, session_id: str, invocation_id: str, before: bool = False) -> RewindPlan:
        return plan_rewind(self._load(session_id), invocation_id, before)

    def history_of(self, session_id: str) -> list[UndoRecord]:
        return self.history.load(session_id)

    # -- state shared across sessions (ADK's app: and user: keys; see store/shared.py) -----
    def shared_state(self) -> SharedState:
        """The app and user states a new session of an app or user starts from."""
        return SharedState.from_json(self._read_shared(), self._shared_place())

    def _shared_place(self) -> str:
        """Where the shared state is kept, for an error message."""
        return str(self.path)

    def write_shared(self, sessions: list[Session], shared: SharedState) -> None:
        """Write these sessions (new or changed) and the shared state as one change, all or
        nothing, without undo records (like an agent's append). The caller holds the lock and
        read the sessions under it."""
        with self.lock():
            for session in sessions:
                with _refused(session.id):
                    check_values(session_values(session))
            self._write(sessions, [], {}, shared=shared.to_json())

    # -- creating ---------------------------------------------------------------------------
    def create(self, app_name: str, user_id: str, state: dict[str, Any] | None = None,
               session_id: str | None = None) -> Session:
        """A new session. A starting state is kept as `initial_state` so that a rewind can
        restore creation-time values later overwritten."""
        session = Session.new(app_name, user_id, session_id)
        if state:
            if not isinstance(state, dict):
                raise StoreError("state must be an object")
            with _refused(session.id):
                check_values(state_values(state))
            session.state = deep_copy(state)
            session.extra["initial_state"] = deep_copy(state)
        with self.lock():
            if self._exists(session.id):
                raise StoreError(f"a session with id {session.id!r} already exists")
            self._write([session], [], {})
        return session

    # import_sessions and undo_import: ImportingMixin (importing.py)

    # -- changing ---------------------------------------------------------------------------
    def _load_current(self, session_id: str, expected_revision: str | None) -> Session:
        """The session read afresh (the caller holds the lock); StaleError when the caller
        read it at another revision."""
        current = self._load(session_id)
        if expected_revision is not None and current.revision != expected_revision:
            raise StaleError(f"session {session_id!r} was changed by someone else since it was "
                             "read; reload it and try again")
        return current

    def _change(self, session_id: str, kind: str, change: Callable[[Session], Any],
                expected_revision: str | None = None) -> Any:
        """Read afresh under the lock, check the caller's revision, apply `change` (which
        returns the result, or NO_CHANGE), record the undo, write. Returns the result."""
        with self.lock():
            current = self._load_current(session_id, expected_revision)
            before_events = list(current.events)
            before = _shallow_snapshot(current, before_events)
            result = change(current)
            if result is NO_CHANGE:
                return current
            current.updated_at = _later(now_iso(), before.updated_at)
            histories = {}
            if kind in ("edit", "rewind"):
                record = UndoRecord.between(kind, before, current.events)
                histories[session_id] = self.history.load(session_id) + [record]
            self._write([current], [], histories)
            return result

    def edit_state(self, session_id: str, mutate: Callable[[dict[str, Any]], Any],
                   expected_revision: str | None = None) -> Session:
        """Change the state with `mutate(state_copy)`; recorded as an edit event carrying the
        changed top-level keys (ADK's way of recording API edits). Returns the new session."""

        def change(session: Session) -> Any:
            new_state, delta = edited(session.state, mutate)
            if not delta:
                return NO_CHANGE
            for key, value in delta.items():
                if value is None and key in new_state:
                    # The edit event could not say it: in a state_delta, null means "removed".
                    raise StoreError(f"top-level key {key!r} cannot be set to null (in a "
                                     "state_delta null means removed); remove it instead")
            with _refused(session_id):  # too deep, a huge integer: could not be kept exactly
                check_values(state_values(delta))
            session.events.append(Event(
                id=str(uuid.uuid4()), invocation_id=f"edit-{uuid.uuid4()}", author=EDIT_AUTHOR,
                content=None, actions=EventActions(state_delta=deep_copy(delta)),
                timestamp=time.time()))
            session.state = new_state
            return session

        return self._change(session_id, "edit", change, expected_revision)

    def set_value(self, session_id: str, pointer: str, value: Any,
                  expected_revision: str | None = None) -> Session:
        return self.edit_state(session_id, lambda s: jp.set_value(s, pointer, value),
                               expected_revision)

    def unset_value(self, session_id: str, pointer: str,
                    expected_revision: str | None = None) -> Session:
        return self.edit_state(session_id, lambda s: jp.remove(s, pointer), expected_revision)

    def rename_key(self, session_id: str, pointer: str, new_name: str,
                   expected_revision: str | None = None) -> Session:
        """Rename the object key at `pointer`, keeping its place among its siblings."""

        def mutate(state: dict[str, Any]) -> None:
            tokens = jp.parse(pointer)
            if not tokens:
                raise jp.PointerError("the whole state has no name to change")
            parent = jp.get(state, jp.build(tokens[:-1]))
            old = tokens[-1]
            if not isinstance(parent, dict):
                raise jp.PointerError(f"{pointer}: only object keys can be renamed")
            if old not in parent:
                raise jp.PointerNotFound(f"{pointer}: no key {old!r}")
            if new_name != old and new_name in parent:
                raise jp.PointerError(f"a key {new_name!r} already exists there")
            items = [(new_name if k == old else k, v) for k, v in parent.items()]
            parent.clear()
            parent.update(items)

        return self.edit_state(session_id, mutate, expected_revision)

    def append_event(self, session_id: str, event: Event,
                     expected_revision: str | None = None) -> Session:
        """Add an event an agent produced; its state_delta is applied to the state."""

        with _refused(session_id):  # checked before the lock is taken: nothing to undo
            check_event(event)

        def change(session: Session) -> Session:
            session.events.append(event)
            session.apply_delta(event.actions.state_delta)
            return session

        return self._change(session_id, "append", change, expected_revision)

    def append(self, session_id: str, event: Event, expected_revision: str | None = None,
               head: Callable[[Session], None] | None = None) -> str:
        """`append_event` without handing the session back: the new revision. A store folder
        does it in time and bytes that follow the event, not the session. `head(session)`:
        what the event changes besides the events, instead of applying its state_delta and
        stamping the time now (the ADK service: ADK's state rules, its update time); it is
        handed the session without its events where the store can (never change them)."""
        if head is None:
            return self.append_event(session_id, event, expected_revision).revision or ""
        with _refused(session_id):
            check_event(event)
        with self.lock():
            current = self._load_current(session_id, expected_revision)
            head(current)
            current.events.append(event)
            self._write([current], [], {})
            return current.revision or ""

    def rewind(self, session_id: str, invocation_id: str, before: bool = False,
               expected_revision: str | None = None) -> RewindPlan:
        """Rewind to (keeping) or before (removing) the invocation, restoring state key by key
        (see model.restore_state). Undoable."""

        def change(session: Session) -> RewindPlan:
            plan = plan_rewind(session, invocation_id, before)
            del session.events[plan.keep:]
            session.state = plan.new_state
            return plan

        return self._change(session_id, "rewind", change, expected_revision)

    def preview_fork(self, session_id: str, invocation_id: str, before: bool = False,
                     new_id: str | None = None) -> "ForkPlan":
        return forking.preview(self, session_id, invocation_id, before, new_id)

    def fork(self, session_id: str, invocation_id: str, before: bool = False,
             new_id: str | None = None, expected_revision: str | None = None,
             expected_events: tuple[int, str | None] | None = None) -> "ForkResult":
        """A new session: the events up to (or before) the invocation, the state a rewind
        there restores, `forked_from` recorded; the original untouched. Undoable (forking.py).
        `expected_events`: (events kept, the last one's id) as previewed, else refused."""
        return forking.fork(self, session_id, invocation_id, before, new_id, expected_revision,
                            expected_events)

    def delete(self, session_id: str, expected_revision: str | None = None) -> None:
        with self.lock():
            current = self._load(session_id)
            if expected_revision is not None and current.revision != expected_revision:
                raise StaleError(f"session {session_id!r} was changed by someone else since it was read")
            record = UndoRecord.between("delete", current, [])
            self._write([], [session_id], {session_id: self.history.load(session_id) + [record]})

    def undo(self, session_id: str) -> UndoResult:
        """Put back the version before the session's last change (edit, rewind, delete,
        import), keeping the events an agent appended since (with their state). With none
        appended, the previous version exactly, `updated_at` included. Refused (StoreError,
        nothing changed) where it cannot be done exactly."""
        with self.lock():
            records = self.history.load(session_id)
            current = self._load(session_id) if self._exists(session_id) else None
            # A record whose change never landed (a crash between the two writes) is dropped.
            while records and records[-1].standing(current) == UNAPPLIED:
                records.pop()
            if not records:
                if current is None and not self.history.path(session_id).exists():
                    raise NotFound(f"no session {session_id!r}")
                raise NothingToUndo(f"session {session_id!r}: nothing to undo")
            record = records.pop()
            refuse_undo_unless_exact(session_id, record, current)
            self._resolve_tail(session_id, record)
            try:
                restored = record.restore(current)
            except SessionFormatError as exc:  # the record's version is not a session
                raise CorruptFile(f"{self.history.path(session_id)}: the last undo record: "
                                  f"{exc}") from None
            appended = record.appended_since(current)
            if appended and restored is not None and current is not None:
                # A new version, not an old one: it changed now.
                restored.updated_at = _later(now_iso(), current.updated_at)
            if current is None:
                removed = 0
            elif record.after_count is None:
                removed = len(current.events) - record.keep
            else:
                removed = record.after_count - record.keep
            result = UndoResult(
                session_id, record.kind,
                restored_events=record.tail_count,
                removed_events=removed,
                state_changes=state_changes(current.state if current else {},
                                            restored.state if restored else {}))
            if restored is None:
                self._write([], [session_id], {session_id: records})
            else:
                self._write([restored], [], {session_id: records})
            return result



@contextlib.contextmanager
def _refused(session_id: str) -> Iterator[None]:
    """A value beyond the limits (jsonio), as a StoreError naming the session and the place."""
    try:
        yield
    except SessionFormatError as exc:
        raise StoreError(f"session {session_id!r}: {exc}") from None


class _NoChange:
    pass


NO_CHANGE = _NoChange()


def _shallow_snapshot(session: Session, events: list[Event]) -> Session:
    """The version before a change: its own copy of state and metadata, the same Event objects."""
    snap = Session(session.id, session.app_name, session.user_id, deep_copy(session.state),
                   session.created_at, session.updated_at, events, deep_copy(session.extra))
    snap.revision = session.revision
    return snap


def _later(now: str, previous: str) -> str:
    """`now`, unless a clock step back would make updated_at go backwards."""
    try:
        return now if parse_time(now) > parse_time(previous) else previous
    except ValueError:
        return now


