"""The rules of a session's state, apart from the classes that hold it: a state_delta applied
(a JSON merge patch at the top level), JSON equality, the difference of two states, and the
state a rewind restores or time travel shows (SPEC section 2). The model imports them back:
callers import them from `session_tui.model`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .jsonio import deep_copy
from .wording import JSON

if TYPE_CHECKING:  # (annotations only: the model imports this module)
    from .model import Event, Session

# Prefixes whose keys are not this conversation's (ADK): never rolled back by a rewind.
SHARED_PREFIXES = ("app:", "user:", "temp:")


def apply_delta(state: dict[str, JSON], delta: dict[str, JSON]) -> None:
    """JSON merge patch at the top level: each key set to its value, `null` removes it."""
    for key, value in delta.items():
        if value is None:
            state.pop(key, None)
        else:
            state[key] = deep_copy(value)


def keep_count(events: list[Event], invocation_id: str, before: bool) -> int | None:
    """How many leading events a rewind keeps: up to the invocation's last event (`to`), or up
    to its first event, exclusive (`before`). None when no event has that invocation id."""
    indices = [i for i, e in enumerate(events) if e.invocation_id == invocation_id]
    if not indices:
        return None
    return indices[0] if before else indices[-1] + 1


def json_equal(a: JSON, b: JSON) -> bool:
    """Equality of JSON values as JSON sees them: unlike `==`, 1, 1.0 and true differ, at any
    depth (so an edit from 1 to true is a change). Object key order does not matter."""
    pending = [(a, b)]  # a loop, not recursion: states can be nested deeper than the stack
    while pending:
        x, y = pending.pop()
        if type(x) is not type(y):
            return False
        if isinstance(x, dict):
            if x.keys() != y.keys():
                return False
            pending.extend((v, y[k]) for k, v in x.items())
        elif isinstance(x, list):
            if len(x) != len(y):
                return False
            pending.extend(zip(x, y))
        elif x != y:
            return False
    return True


def is_shared_key(key: str) -> bool:
    return key.startswith(SHARED_PREFIXES)


@dataclass
class StateRestore:
    """What restoring a session's state to the point after `keep` events gives."""

    state: dict[str, JSON]
    changes: dict[str, dict[str, JSON]]  # key -> {"old": v, "new": v}; a missing side is absent
    unrecorded: list[str]  # keys removed because their earlier value was never recorded
    # Shared keys (app:, user:, temp:) a removed event wrote that a rewind leaves as they are:
    # they belong to the app, the user or the invocation, not to this conversation.
    staying: list[str] = field(default_factory=list)


def restore_state(session: Session, keep: int) -> StateRestore:
    """The state a rewind that keeps the first `keep` events restores (SPEC section 2).

    - A key no removed event wrote keeps its current value (unlike ADK issue 4933).
    - A key a removed event wrote gets its last write among the kept events (null: removed);
      where none wrote it, its `initial_state` value, else it is removed (unrecorded).
    - app:, user: and temp: keys are never rolled back: they are listed in `staying`.
    """
    return _restore(session, keep, shared_too=False)


def state_after(session: Session, keep: int) -> StateRestore:
    """The state as it was right after event keep-1 (time travel, `show --at`): the rewind rule
    applied to every key, shared keys included (their values as this session's log has them).
    One rule for both showed later values of shared keys at earlier events.

    For reading (it is shown, each step of time travel): values no event after `keep` wrote are
    the session's own, not copies (copying 100,000 keys took ~0.35 s a step); do not change
    them in place."""
    return _restore(session, keep, shared_too=True, copy=False)


def _restore(session: Session, keep: int, shared_too: bool, copy: bool = True) -> StateRestore:
    written_later: set[str] = set()
    for event in session.events[keep:]:
        written_later.update(event.actions.state_delta)
    state = deep_copy(session.state) if copy else dict(session.state)
    changes: dict[str, dict[str, JSON]] = {}
    unrecorded: list[str] = []
    staying: list[str] = []
    if not written_later:
        return StateRestore(state, changes, unrecorded, staying)
    last_write: dict[str, JSON] = {}
    for event in session.events[:keep]:
        for key, value in event.actions.state_delta.items():
            if key in written_later:
                last_write[key] = value
    initial = session.initial_state
    for key in sorted(written_later):
        if not shared_too and is_shared_key(key):
            staying.append(key)
            continue
        if key in last_write:
            present, value = last_write[key] is not None, last_write[key]
        elif initial is not None:
            present, value = key in initial, initial.get(key)
        else:
            present, value = False, None
            # Said even when the key is absent now: a removed event may have deleted a value
            # the user expects back, and that value is not known.
            unrecorded.append(key)
        old_present = key in state
        old = state.get(key)
        if present:
            if old_present and json_equal(old, value):
                continue
            state[key] = deep_copy(value)
        else:
            if not old_present:
                continue
            del state[key]
        change: dict[str, JSON] = {}
        if old_present:
            change["old"] = old
        if present:
            change["new"] = deep_copy(value)
        changes[key] = change
    return StateRestore(state, changes, unrecorded, staying)


def state_changes(old: dict[str, JSON], new: dict[str, JSON]) -> dict[str, dict[str, JSON]]:
    """Top-level differences between two states, as {key: {"old": v, "new": v}} (missing side
    absent)."""
    out: dict[str, dict[str, JSON]] = {}
    for key in list(old) + [k for k in new if k not in old]:
        if key in old and key in new and json_equal(old[key], new[key]):
            continue
        change: dict[str, JSON] = {}
        if key in old:
            change["old"] = deep_copy(old[key])
        if key in new:
            change["new"] = deep_copy(new[key])
        out[key] = change
    return out


def edited(state: dict[str, JSON], mutate: Callable[[dict[str, JSON]], Any]
           ) -> tuple[dict[str, JSON], dict[str, JSON]]:
    """An edit of `state` by `mutate` (it changes a copy): the new state and the state_delta
    that makes it (a removed key: null). The store's and an ADK database's edits both start so."""
    new_state = deep_copy(state)
    mutate(new_state)
    return new_state, delta_between(state, new_state)


def delta_between(old: dict[str, JSON], new: dict[str, JSON]) -> dict[str, JSON]:
    """The top-level state_delta that turns `old` into `new` (a removed key: null)."""
    return {key: change.get("new") for key, change in state_changes(old, new).items()}
