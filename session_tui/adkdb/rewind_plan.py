"""The rewind ADK's `Runner.rewind_async` would write (`plan_adk_rewind`), except that a key no
annulled event wrote keeps its value (google/adk-python issue 4933).
"""

from __future__ import annotations

from typing import Any

from ..jsonio import deep_copy
from ..model import Session, json_equal, state_changes
from ..store.base import RewindPlan
from ..store.errors import NotFound, StoreError

SHARED = ("app:", "user:", "temp:")


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
