"""Forking a session at an invocation (issue 11, item 1): a new session holding the events up to
and including that invocation (or before it), with the state as the rewind rule restores it
(SPEC section 2: `plan_rewind`, the same rule, not a second one), under a new id that keeps the
original readable (`<id>-fork`, `<id>-fork-2`, ...) and with its origin recorded as
`forked_from: {session_id, invocation_id, event_id}` (the last event it kept).

The original is only read. The fork is undoable: its undo record (kind "fork", no version
before it) removes it again. An ADK database forks its own way (adkdb/forking.py) with the
same plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..jsonio import deep_copy
from ..model import Session, now_iso
from ..text import plural
from .errors import StaleError, StoreError
from .history import UndoRecord

if TYPE_CHECKING:
    from .base import Store

SUFFIX = "-fork"
MAX_ID = 128  # ADK's session id column (DatabaseSessionService: VARCHAR(128))


@dataclass
class ForkPlan:
    """What a fork will hold (the dialog's preview) or holds."""

    session_id: str
    invocation_id: str
    before: bool
    keep: int  # events the fork holds (the original's first `keep`)
    event_id: str | None  # the last of them (None: the fork starts with no events)
    new_id: str  # the id it gets (a free one, unless one was asked for)
    state: dict[str, Any] = field(repr=False, default_factory=dict)
    # Keys whose value in the fork differs from the original's now: {key: {"old", "new"}}.
    state_changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    unrecorded: list[str] = field(default_factory=list)  # removed: earlier value not recorded
    staying: list[str] = field(default_factory=list)  # shared keys (app:, user:, temp:) as now

    @property
    def origin(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "invocation_id": self.invocation_id,
                "event_id": self.event_id}


@dataclass
class ForkResult:
    id: str
    events: int
    plan: ForkPlan | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "events": self.events}


def plan_fork(session: Session, invocation_id: str, before: bool = False,
              new_id: str | None = None, exists: Callable[[str], bool] | None = None,
              taken: Callable[[str], bool] | None = None, base_id: str | None = None) -> ForkPlan:
    """The fork of `session` at the invocation: the rewind plan's kept events and state.
    `new_id` must not be a session that `exists`; without one, a `<id>-fork[-N]` that is not
    `taken` (a session, or the undo history a deleted one left) is chosen (`base_id`: the id
    it is made from where that is not the session's name, an ADK id named app/user/id)."""
    from .base import plan_rewind  # (base imports this module)

    rewind = plan_rewind(session, invocation_id, before)
    exists = exists or (lambda _: False)
    if new_id is None:
        new_id = free_fork_id(base_id or session.id, taken or exists)
    else:
        check_new_id(new_id, exists)
    kept = session.events[:rewind.keep]
    return ForkPlan(session.id, invocation_id, before, rewind.keep,
                    kept[-1].id if kept else None, new_id, rewind.new_state,
                    rewind.state_changes, list(rewind.unrecorded), list(rewind.staying))


def free_fork_id(session_id: str, taken: Callable[[str], bool]) -> str:
    """`<id>-fork`, else `<id>-fork-2`, `-3`, ...: the first that `taken` says is free (cut to
    MAX_ID characters, the original's id shortened, never the suffix)."""
    n = 1
    while True:
        suffix = SUFFIX if n == 1 else f"{SUFFIX}-{n}"
        candidate = session_id[:MAX_ID - len(suffix)] + suffix
        if not taken(candidate):
            return candidate
        n += 1


def check_new_id(new_id: str, taken: Callable[[str], bool]) -> None:
    if not new_id or not new_id.strip():
        raise StoreError("the fork's id must not be empty; nothing changed")
    if len(new_id) > MAX_ID:
        raise StoreError(f"the fork's id is {len(new_id)} characters long (at most {MAX_ID}, "
                         "as ADK allows); nothing changed")
    if taken(new_id):
        raise StoreError(f"a session with id {new_id!r} already exists; nothing changed")


def forked_session(source: Session, plan: ForkPlan) -> Session:
    """The new session: the original's first `plan.keep` events (shared, not copied: the
    source was read afresh for this), the planned state, metadata of its own, the origin."""
    now = now_iso()
    extra = deep_copy(source.extra)
    extra["forked_from"] = plan.origin
    return Session(plan.new_id, source.app_name, source.user_id, deep_copy(plan.state), now, now,
                   source.events[:plan.keep], extra)


def fork_record(fork: Session) -> UndoRecord:
    """Undo of a fork: no version before it (undo removes it); the events it was made with,
    so that events appended since are told apart (undo refuses to drop them)."""
    return UndoRecord("fork", None, None, 0, [], len(fork.events),
                      fork.events[-1].id if fork.events else None)


def preview(store: "Store", session_id: str, invocation_id: str, before: bool = False,
            new_id: str | None = None) -> ForkPlan:
    return plan_fork(store.get(session_id), invocation_id, before, new_id, store._exists,
                     _taken_in(store))


def check_expected(plan: ForkPlan, expected: tuple[int, str | None] | None) -> None:
    """A fork made as previewed: the same events kept (how many, the last one's id), whatever
    an agent appended after them meanwhile (a running agent changes the session every few
    seconds: a revision check would refuse every fork of it)."""
    if expected is not None and (plan.keep, plan.event_id) != tuple(expected):
        raise StaleError(f"session {plan.session_id!r}: the events up to {plan.invocation_id} "
                         f"changed since the preview ({plural(expected[0], 'event')} then, "
                         f"{plan.keep} now); nothing changed")


def fork(store: "Store", session_id: str, invocation_id: str, before: bool = False,
         new_id: str | None = None, expected_revision: str | None = None,
         expected_events: tuple[int, str | None] | None = None) -> ForkResult:
    """Make the fork under the store's lock, the original read afresh and only read."""
    with store.lock():
        source = store._load(session_id)
        if expected_revision is not None and source.revision != expected_revision:
            raise StaleError(f"session {session_id!r} was changed by someone else since it was "
                             "read; reload it and try again")
        plan = plan_fork(source, invocation_id, before, new_id, store._exists, _taken_in(store))
        check_expected(plan, expected_events)
        new = forked_session(source, plan)
        history = store.history.load(new.id) + [fork_record(new)]
        store._write([new], [], {new.id: history})
        return ForkResult(new.id, len(new.events), plan)


def _taken_in(store: "Store") -> Callable[[str], bool]:
    """A name chosen for a fork is not that of a session, nor of the undo history a deleted
    one left (`undo` of that name would meet the fork first)."""
    return lambda session_id: store._exists(session_id) or store.history.path(session_id).exists()
