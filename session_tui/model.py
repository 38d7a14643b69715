"""The session model: Session, Event, EventActions (rs-adk 0.5 `session`, the "export shape").

No I/O and no Textual here. Reading is liberal (rs-adk's "<secs>Z" times, missing `events` or
`actions` fields, unknown fields kept), writing is exact (canonical ISO 8601 UTC times, known
fields in a fixed order, unknown fields after them in the order they came in).
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from typing import Iterable

from . import jsonio
from .jsonio import deep_copy
# (Re-exported: the model's errors, times and state rules, as every caller imports them from here.)
from .state_rules import (SHARED_PREFIXES, StateRestore, apply_delta, delta_between,  # noqa: F401
                          is_shared_key, json_equal, keep_count, restore_state, state_after,
                          state_changes)
from .times import format_time, from_unix, normalize_time, now_iso, parse_time, to_unix  # noqa: F401
from .wording import (JSON, SessionFormatError, describe, got, json_type, place,  # noqa: F401
                      type_name)

SESSION_FIELDS = ("id", "app_name", "user_id", "state", "created_at", "updated_at", "events")
EVENT_FIELDS = ("id", "invocation_id", "author", "content", "actions", "timestamp")
ACTION_FIELDS = ("state_delta", "transfer_to_agent", "escalate", "skip_summarization")

_describe, _type_name = describe, type_name  # (the names other modules imported before)


def _expect(cond: bool, where: str, expected: str, value: JSON) -> None:
    if not cond:
        raise SessionFormatError(where, f"expected {expected}, got {got(value)}")


# ---------------------------------------------------------------------------------------- model


def _dup(value: JSON, share: bool) -> JSON:
    """A deep copy, unless the caller owns `value` outright (`share`): the store parses a file
    and exports to write it, and deep copies of 100k events would cost more than the I/O."""
    return value if share else deep_copy(value)


@dataclass(slots=True)  # (no __dict__: 100,000 events are read at once)
class EventActions:
    state_delta: dict[str, JSON] = field(default_factory=dict)
    transfer_to_agent: str | None = None
    escalate: bool = False
    skip_summarization: bool = False
    extra: dict[str, JSON] = field(default_factory=dict)

    def export(self, share: bool = False) -> dict[str, JSON]:
        out: dict[str, JSON] = {
            "state_delta": _dup(self.state_delta, share),
            "transfer_to_agent": self.transfer_to_agent,
            "escalate": self.escalate,
            "skip_summarization": self.skip_summarization,
        }
        out.update(_dup(self.extra, share))
        return out

    @classmethod
    def from_json(cls, value: JSON, where: str = "actions", share: bool = False) -> "EventActions":
        if value is None:
            return cls()
        _expect(isinstance(value, dict), where, "an object", value)
        delta = value.get("state_delta", {})
        if delta is None:
            delta = {}
        _expect(isinstance(delta, dict), f"{where}.state_delta", "an object", delta)
        transfer = value.get("transfer_to_agent")
        _expect(transfer is None or isinstance(transfer, str), f"{where}.transfer_to_agent",
                "a string or null", transfer)
        flags = {}
        for name in ("escalate", "skip_summarization"):
            flag = value.get(name, False)
            if flag is None:
                flag = False
            _expect(isinstance(flag, bool), f"{where}.{name}", "a boolean", flag)
            flags[name] = flag
        extra = {k: _dup(v, share) for k, v in value.items() if k not in ACTION_FIELDS}
        return cls(_dup(delta, share), transfer, flags["escalate"], flags["skip_summarization"], extra)


@dataclass(slots=True)
class Event:
    id: str
    invocation_id: str
    author: str
    content: str | None = None
    actions: EventActions = field(default_factory=EventActions)
    timestamp: float | int = 0
    extra: dict[str, JSON] = field(default_factory=dict)

    @classmethod
    def new(cls, invocation_id: str, author: str, content: str | None = None,
            state_delta: dict[str, JSON] | None = None, timestamp: float | None = None,
            **actions: JSON) -> "Event":
        """A fresh event with a random id, stamped now unless `timestamp` is given."""
        import time

        return cls(
            id=str(uuid.uuid4()), invocation_id=invocation_id, author=author, content=content,
            actions=EventActions(state_delta=dict(state_delta or {}), **actions),
            timestamp=time.time() if timestamp is None else timestamp,
        )

    def export(self, share: bool = False) -> dict[str, JSON]:
        out: dict[str, JSON] = {
            "id": self.id,
            "invocation_id": self.invocation_id,
            "author": self.author,
            "content": self.content,
            "actions": self.actions.export(share),
            "timestamp": self.timestamp,
        }
        out.update(_dup(self.extra, share))
        return out

    @classmethod
    def from_json(cls, value: JSON, where: str = "event", share: bool = False) -> "Event":
        _expect(isinstance(value, dict), where, "an object", value)
        for name in ("id", "invocation_id", "author"):
            if name not in value:
                raise SessionFormatError(f"{where}.{name}", "missing")
            _expect(isinstance(value[name], str), f"{where}.{name}", "a string", value[name])
        content = value.get("content")
        _expect(content is None or isinstance(content, str), f"{where}.content", "a string or null", content)
        if "timestamp" not in value:
            raise SessionFormatError(f"{where}.timestamp", "missing")
        ts = value["timestamp"]
        _expect(isinstance(ts, (int, float)) and not isinstance(ts, bool)
                and math.isfinite(ts), f"{where}.timestamp", "a number", ts)
        check_timestamp(ts, f"{where}.timestamp")
        actions = EventActions.from_json(value.get("actions"), f"{where}.actions", share)
        extra = {k: _dup(v, share) for k, v in value.items() if k not in EVENT_FIELDS}
        return cls(value["id"], value["invocation_id"], value["author"], content, actions, ts, extra)


@dataclass
class Session:
    id: str
    app_name: str
    user_id: str
    state: dict[str, JSON] = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""
    events: list[Event] = field(default_factory=list)
    extra: dict[str, JSON] = field(default_factory=dict)
    # The store's version token of what was read (not part of the session, not exported):
    # a change based on an older revision is refused.
    revision: str | None = field(default=None, compare=False, repr=False)

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def new(cls, app_name: str, user_id: str, session_id: str | None = None) -> "Session":
        now = now_iso()
        return cls(id=session_id or str(uuid.uuid4()), app_name=app_name, user_id=user_id,
                   state={}, created_at=now, updated_at=now, events=[])

    # -- export / import ------------------------------------------------------------------
    def export(self, share: bool = False) -> dict[str, JSON]:
        """A complete JSON-ready snapshot: metadata, state, every event, every unknown field.
        `share=True` shares nested values with the session (for immediate serialisation)."""
        out: dict[str, JSON] = {
            "id": self.id,
            "app_name": self.app_name,
            "user_id": self.user_id,
            "state": _dup(self.state, share),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "events": [e.export(share) for e in self.events],
        }
        out.update(_dup(self.extra, share))
        return out

    @classmethod
    def from_json(cls, value: JSON, share: bool = False, check: bool = True) -> "Session":
        """The inverse of `export`. Raises SessionFormatError naming the place; never partial.
        `share=True`: the caller hands `value` over (nested values are not copied). Values
        beyond the limits (jsonio: deeper than MAX_DEPTH, integers beyond 64 bits) are
        refused; `check=False` only for a value known to come from a checked session."""
        _expect(isinstance(value, dict), "", "a session object", value)
        for name in ("id", "app_name", "user_id"):
            if name not in value:
                raise SessionFormatError(name, "missing")
            _expect(isinstance(value[name], str), name, "a string", value[name])
        if "state" not in value:
            raise SessionFormatError("state", "missing")
        _expect(isinstance(value["state"], dict), "state", "an object", value["state"])
        times = {}
        for name in ("created_at", "updated_at"):
            if name not in value:
                raise SessionFormatError(name, "missing")
            try:
                times[name] = normalize_time(value[name])
            except ValueError as exc:
                raise SessionFormatError(name, str(exc)) from None
        raw_events = value.get("events")
        if raw_events is None:
            raw_events = []
        _expect(isinstance(raw_events, list), "events", "an array", raw_events)
        from .event_build import events_from_json  # (it builds on this module)

        events = events_from_json(raw_events, "events", share)
        extra = {k: _dup(v, share) for k, v in value.items() if k not in SESSION_FIELDS}
        if "initial_state" in extra:
            _expect(isinstance(extra["initial_state"], dict), "initial_state", "an object",
                    extra["initial_state"])
        session = cls(value["id"], value["app_name"], value["user_id"], _dup(value["state"], share),
                      times["created_at"], times["updated_at"], events, extra)
        if check and not writable(value):
            check_values(session_values(session))
        return session

    # `import` is a keyword in Python; this is the SPEC's `import(value)`.
    import_ = from_json

    def copy(self) -> "Session":
        """An independent deep copy (through orjson: several times faster than deepcopy)."""
        from .jsonio import dumps, loads

        try:
            clone = Session.from_json(loads(dumps(self.export(share=True))), share=True, check=False)
        except (TypeError, ValueError):  # values orjson cannot carry (huge ints)
            clone = Session.from_json(self.export(), check=False)
        clone.revision = self.revision
        return clone

    # -- derived --------------------------------------------------------------------------
    @property
    def initial_state(self) -> dict[str, JSON] | None:
        value = self.extra.get("initial_state")
        return value if isinstance(value, dict) else None

    def last_change(self) -> float | None:
        """When the session last changed, as a Unix time: its update time or its last event's
        time, whichever is later; None when neither can be read."""
        times = []
        try:
            times.append(to_unix(self.updated_at))
        except (ValueError, OverflowError, TypeError):
            pass
        if self.events and isinstance(self.events[-1].timestamp, (int, float)):
            times.append(float(self.events[-1].timestamp))
        return max(times) if times else None

    def invocation_ids(self) -> list[str]:
        """Invocation ids in order of first appearance."""
        seen: dict[str, None] = {}
        for event in self.events:
            seen.setdefault(event.invocation_id, None)
        return list(seen)

    # -- operations -----------------------------------------------------------------------
    def rewind_to_invocation(self, invocation_id: str) -> int:
        """Remove every event after the LAST event of `invocation_id`; return how many went.
        An unknown id changes nothing and returns 0. State is not touched (see `rewind`)."""
        keep = keep_count(self.events, invocation_id, before=False)
        if keep is None:
            return 0
        removed = len(self.events) - keep
        del self.events[keep:]
        return removed

    def apply_delta(self, delta: dict[str, JSON]) -> None:
        apply_delta(self.state, delta)


# ------------------------------------------------------------------------------------- limits

# The Unix times of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: what a datetime can hold.
MIN_TIMESTAMP, MAX_TIMESTAMP = -62_135_596_800, 253_402_300_799


def check_timestamp(ts: float | int, where: str) -> None:
    """An event time that can be shown (years 1-9999), else SessionFormatError."""
    if not MIN_TIMESTAMP <= ts <= MAX_TIMESTAMP:
        raise SessionFormatError(where, f"time out of range, got {describe(ts)}")


def writable(value: JSON) -> bool:
    """True when orjson can write `value`: then it nests at most 255 levels and every integer
    fits in 64 bits, so no closer look is needed (the common case, at C speed)."""
    import orjson

    try:
        orjson.dumps(value)
        return True
    except TypeError:
        return False


def _field(key: str) -> str:
    return f".{key}" if key.isidentifier() else f"[{describe(key)}]"


def event_values(event: Event, where: str) -> Iterable[tuple[str, JSON]]:
    """Every value an event holds, with its place (`events[2].actions.state_delta["k"]`)."""
    for key, value in event.actions.state_delta.items():
        yield f"{where}.actions.state_delta[{describe(key)}]", value
    for key, value in event.actions.extra.items():
        yield f"{where}.actions{_field(key)}", value
    for key, value in event.extra.items():
        yield f"{where}{_field(key)}", value


def state_values(state: dict[str, JSON]) -> Iterable[tuple[str, JSON]]:
    """Each value of a state (or of a state_delta), with its place (`state["k"]`)."""
    for key, value in state.items():
        yield f"state[{describe(key)}]", value


def session_values(session: Session) -> Iterable[tuple[str, JSON]]:
    """Every value a session holds, with its place: each state value, each value of its other
    fields (an initial state value by value), then each event's."""
    yield from state_values(session.state)
    for key, value in session.extra.items():
        if key == "initial_state" and isinstance(value, dict):
            for inner, item in value.items():
                yield f"initial_state[{describe(inner)}]", item
        else:
            yield _field(key).lstrip("."), value
    for i, event in enumerate(session.events):
        yield from event_values(event, f"events[{i}]")


def check_values(values: Iterable[tuple[str, JSON]]) -> None:
    """SessionFormatError for the first value that cannot be kept exactly (jsonio's limits:
    nested deeper than MAX_DEPTH, an integer beyond 64 bits, not JSON)."""
    for where, value in values:
        problem = jsonio.value_problem(value)
        if problem:
            raise SessionFormatError(where, problem)


def check_event(event: Event, where: str = "event") -> None:
    """An event from the API, before it is stored: its time and values within the limits."""
    ts = event.timestamp
    _expect(isinstance(ts, (int, float)) and not isinstance(ts, bool) and math.isfinite(ts),
            f"{where}.timestamp", "a number", ts)
    check_timestamp(ts, f"{where}.timestamp")
    check_values(event_values(event, where))


def sessions_from_json(values: Iterable[JSON]) -> list[Session]:
    """Import many, all or nothing: an error names the item (`[3].events[0].id: missing`)."""
    out = []
    for i, value in enumerate(values):
        try:
            out.append(Session.from_json(value))
        except SessionFormatError as exc:
            raise exc.within(f"[{i}]") from None
    return out
