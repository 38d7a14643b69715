"""Provides the diff of two sessions, or of two points of one session (no I/O, no Textual).

The shape (the CLI's `diff --json`, issue 11):

    {"state": {POINTER: {"old": v, "new": v}},
     "events": {"only_a": [ids], "only_b": [ids],
                "changed": [{"a": id, "b": id, "fields": [...]}], "same": N}}

State: compared deeply. Objects key by key, arrays index by index (a longer or shorter array
shows the indices added or removed at its end); where the two values differ in type (an object
and an array, 1 and 1.0 and true: JSON's types, `model.json_equal`) or are different scalars,
that is one change at that pointer. A missing side is absent: `{"new": v}` was added,
`{"old": v}` removed. Pointers are RFC 6901 (`pointer.build`), in document order (A's keys in
its order, then B's new keys). `apply_state_diff(A, diff["state"])` gives B.

Events: aligned by id first; events left over are paired when they sit at the same position in
their sessions and have the same author (two runs of an agent: each has its own ids); the rest
are only in A or only in B. A pair that differs lists the fields that do (`author`, `content`,
`actions.state_delta`, any other field by name). The id is never a field (the pair names both),
and neither are `timestamp` and `invocation_id` of a pair matched by position: two runs never
share them. A pair matched by id is one event, so there they count.

Two points of one session (`diff_points`): the state after event i against the state after
event j (time travel's `state_after`), and the events are the log as it stood at each point:
the common prefix is `same`, the events between the points are only on the later side
(`only_b` when j > i, `only_a` when going back), nothing is `changed`.
"""

from __future__ import annotations

from typing import Any, Iterator

from . import pointer as jp
from .jsonio import SORT_KEYS, deep_copy, dumps
from .model import Event, Session, json_equal, state_after

JSON = Any
StateDiff = dict[str, dict[str, JSON]]

__all__ = ["diff_sessions", "diff_points", "diff_states", "diff_events", "apply_state_diff",
           "is_empty", "event_fields_differing"]


# ---------------------------------------------------------------------------------- state

def diff_states(a: dict[str, JSON], b: dict[str, JSON]) -> StateDiff:
    """Every difference between two states, deep, keyed by JSON Pointer (see the module). The
    values are the states' own, not copies (a diff is for reading: do not change them)."""
    out: StateDiff = {}
    # A stack of the containers being walked, not recursion: states may nest deeper than
    # Python's stack. Each yields its entries in order, so pointers come in document order.
    stack: list[Iterator[tuple[str, JSON, JSON]]] = [_entries("", a, b)]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        path, x, y = entry
        if y is _MISSING:
            out[path] = {"old": x}
        elif x is _MISSING:
            out[path] = {"new": y}
        elif type(x) is not type(y):
            out[path] = {"old": x, "new": y}
        elif isinstance(x, (dict, list)):
            if x is not y:  # (time travel shares unchanged values between the two points)
                stack.append(_entries(path, x, y))
        elif x != y:
            out[path] = {"old": x, "new": y}
    return out


_MISSING = object()


def _entries(path: str, x: JSON, y: JSON) -> Iterator[tuple[str, JSON, JSON]]:
    """The entries of two containers of one type: objects by key (A's keys in order, then B's
    new ones), arrays by index (then the indices only the longer one has)."""
    if isinstance(x, dict):
        for key, value in x.items():
            yield path + "/" + jp.escape(key), value, y.get(key, _MISSING)
        for key, value in y.items():
            if key not in x:
                yield path + "/" + jp.escape(key), _MISSING, value
        return
    for i in range(max(len(x), len(y))):
        yield f"{path}/{i}", x[i] if i < len(x) else _MISSING, y[i] if i < len(y) else _MISSING


def apply_state_diff(state: dict[str, JSON], changes: StateDiff) -> dict[str, JSON]:
    """`state` with `changes` (from `diff_states(state, other)`) applied: a copy equal to
    `other`. Removals go first, deepest and last index first (an array that shrank loses its
    tail from the end); then changes and additions in document order (an array that grew gets
    its new indices in order)."""
    out = deep_copy(state)
    for path in reversed(list(changes)):
        if "new" not in changes[path]:
            jp.remove(out, path)
    for path, change in changes.items():
        if "new" in change:
            jp.set_value(out, path, change["new"])
    return out


# --------------------------------------------------------------------------------- events

def event_fields_differing(a: Event, b: Event, same_event: bool) -> list[str]:
    """The fields in which two aligned events differ (see the module: `same_event` is a pair
    matched by id, where `invocation_id` and `timestamp` count)."""
    plain = ("invocation_id", "author", "content", "timestamp") if same_event else ("author", "content")
    fields = [name for name in plain if getattr(a, name) != getattr(b, name)]
    x, y = a.actions, b.actions
    if (x.state_delta or y.state_delta) and not _same(x.state_delta, y.state_delta):
        fields.append("actions.state_delta")
    fields.extend(f"actions.{name}" for name in ("transfer_to_agent", "escalate", "skip_summarization")
                  if getattr(x, name) != getattr(y, name))
    if x.extra or y.extra:
        fields.extend(f"actions.{k}" for k in _extra_differing(x.extra, y.extra))
    if a.extra or b.extra:
        fields.extend(_extra_differing(a.extra, b.extra))
    return fields


def _extra_differing(x: dict[str, JSON], y: dict[str, JSON]) -> Iterator[str]:
    if x is y or (not x and not y):
        return
    for key in list(x) + [k for k in y if k not in x]:
        if key not in x or key not in y or not _same(x[key], y[key]):
            yield key


def _same(x: JSON, y: JSON) -> bool:
    """`json_equal`, fast for the usual cases (10,000 pairs of events): `!=` tells most
    differences apart, the same sorted JSON text proves sameness (1, 1.0 and true differ in
    it); what neither settles, json_equal does."""
    if x is y:
        return True
    if x != y:
        return False
    try:
        if dumps(x, SORT_KEYS) == dumps(y, SORT_KEYS):
            return True
    except (TypeError, ValueError):
        pass
    return json_equal(x, y)


def diff_events(a: list[Event], b: list[Event]) -> dict[str, JSON]:
    """The events part of the shape: aligned by id, then by position and author."""
    index_b = {event.id: i for i, event in enumerate(b)}
    paired_b: dict[int, int] = {}  # index in b -> index in a
    unpaired_a: list[int] = []
    for i, event in enumerate(a):
        j = index_b.get(event.id)
        if j is not None and j not in paired_b:
            paired_b[j] = i
        else:
            unpaired_a.append(i)
    by_position: set[int] = set()  # indices in b paired by position
    only_a: list[str] = []
    for i in unpaired_a:
        if i < len(b) and i not in paired_b and b[i].author == a[i].author:
            paired_b[i] = i
            by_position.add(i)
        else:
            only_a.append(a[i].id)
    changed: list[dict[str, JSON]] = []
    same = 0
    only_b: list[str] = []
    for j, event in enumerate(b):
        i = paired_b.get(j)
        if i is None:
            only_b.append(event.id)
            continue
        fields = event_fields_differing(a[i], event, same_event=j not in by_position)
        if fields:
            changed.append({"a": a[i].id, "b": event.id, "fields": fields})
        else:
            same += 1
    return {"only_a": only_a, "only_b": only_b, "changed": changed, "same": same}


# ----------------------------------------------------------------------------- the whole

def diff_sessions(a: Session, b: Session) -> dict[str, JSON]:
    """Session A against session B: their states as they are now, and their events."""
    return {"state": diff_states(a.state, b.state), "events": diff_events(a.events, b.events)}


def diff_points(session: Session, keep_a: int, keep_b: int) -> dict[str, JSON]:
    """One session at two points: after its first `keep_a` events against after its first
    `keep_b` (0: before any event; len(events): as it is now). See the module for the events."""
    for keep in (keep_a, keep_b):
        if not 0 <= keep <= len(session.events):
            raise ValueError(f"session {session.id!r} has no point after {keep} events "
                             f"(it has {len(session.events)})")
    state_a = state_after(session, keep_a).state
    state_b = state_after(session, keep_b).state
    events = session.events
    low, high = sorted((keep_a, keep_b))
    between = [e.id for e in events[low:high]]
    return {"state": diff_states(state_a, state_b),
            "events": {"only_a": between if keep_a > keep_b else [],
                       "only_b": between if keep_b > keep_a else [],
                       "changed": [], "same": low}}


def is_empty(diff: dict[str, JSON]) -> bool:
    """No state change, and every event the same."""
    events = diff["events"]
    return not diff["state"] and not events["only_a"] and not events["only_b"] and not events["changed"]


def one_sided(diff: dict[str, JSON], events: list[Event]) -> dict[str, tuple[str, str]]:
    """(author, one-line preview) of each event only one side has, by id, from `events` (both
    sides' events): a line that gives only an id says nothing of what was added or lost."""
    from .eventinfo import preview

    wanted = set(diff["events"]["only_a"]) | set(diff["events"]["only_b"])
    return {e.id: (e.author, preview(e)[0]) for e in events if e.id in wanted}
