"""Events from their JSON, many at a time (a 100,000-event session is read in one call).

`events_from_json(values, where)` gives exactly what `[Event.from_json(v, f"{where}[{i}]") for
i, v in enumerate(values)]` gives, events and errors alike, in about a third of the time: an
event whose fields all have their plain types (what session-tui writes and orjson reads back) is
built in one pass of exact type tests; any other value goes through Event.from_json, which
accepts what the fast test was too strict for (a str subclass, `escalate: null`, ...) or raises
its error naming the place, a place built only then. No I/O and no Textual here.
"""

from __future__ import annotations

from typing import Any

from .jsonio import deep_copy
from .model import (ACTION_FIELDS, EVENT_FIELDS, MAX_TIMESTAMP, MIN_TIMESTAMP, Event,
                    EventActions)

_EVENT_KEYS = frozenset(EVENT_FIELDS)
_ACTION_KEYS = frozenset(ACTION_FIELDS)


def event_fast(value: Any, share: bool = False) -> Event | None:
    """Event.from_json(value) for an event whose fields have their plain types (exact str,
    int or float within the shown years, bools or null for the flags, ...), else None: then
    Event.from_json decides. (One function, no helper: it runs 100,000 times a read.)"""
    if type(value) is not dict:
        return None
    get = value.get
    event_id, invocation_id, author = get("id"), get("invocation_id"), get("author")
    content, ts, actions = get("content"), get("timestamp"), get("actions")
    if not (type(event_id) is str and type(invocation_id) is str and type(author) is str
            and (content is None or type(content) is str)
            and (type(ts) is float or type(ts) is int)
            and MIN_TIMESTAMP <= ts <= MAX_TIMESTAMP):  # (false for NaN: no isfinite needed)
        return None
    if actions is None:
        actions = EventActions()
    elif type(actions) is dict:
        get = actions.get
        delta, transfer = get("state_delta"), get("transfer_to_agent")
        escalate, skip = get("escalate"), get("skip_summarization")
        if not ((type(delta) is dict or delta is None)
                and (transfer is None or type(transfer) is str)
                and (escalate is False or escalate is True or escalate is None)
                and (skip is False or skip is True or skip is None)):  # (not `in`: 0 == False)
            return None
        if delta is None:
            delta = {}
        elif not share:
            delta = deep_copy(delta)
        if actions.keys() <= _ACTION_KEYS:
            extra = {}
        else:
            extra = {k: v if share else deep_copy(v) for k, v in actions.items()
                     if k not in _ACTION_KEYS}
        actions = EventActions(delta, transfer, escalate is True, skip is True, extra)
    else:
        return None
    if value.keys() <= _EVENT_KEYS:
        extra = {}
    else:
        extra = {k: v if share else deep_copy(v) for k, v in value.items() if k not in _EVENT_KEYS}
    return Event(event_id, invocation_id, author, content, actions, ts, extra)


def events_from_json(values: list[Any], where: str = "events", share: bool = False) -> list[Event]:
    """Event.from_json of each value, the i-th's place `{where}[{i}]`; SessionFormatError for
    the first bad one, as Event.from_json words it."""
    out = []
    append = out.append
    for i, value in enumerate(values):
        event = event_fast(value, share)
        append(event if event is not None else Event.from_json(value, f"{where}[{i}]", share))
    return out
