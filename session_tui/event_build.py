"""Events from their JSON, many at a time (a 100,000-event session is read in one call).

`events_from_json(values, where)` gives exactly what `[Event.from_json(v, f"{where}[{i}]") for
i, v in enumerate(values)]` gives, events and errors alike, in about a third of the time: an
event whose fields all have their plain types (what session-tui writes and orjson reads back) is
built in one pass of exact type tests; any other value goes through Event.from_json, which
accepts what the fast test was too strict for (a str subclass, `escalate: null`, a field left
out, ...) or raises its error naming the place, a place built only then. No I/O and no
Textual here.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from .jsonio import deep_copy
from .model import (ACTION_FIELDS, EVENT_FIELDS, MAX_TIMESTAMP, MIN_TIMESTAMP, Event,
                    EventActions)

_EVENT_KEYS = frozenset(EVENT_FIELDS)
_ACTION_KEYS = frozenset(ACTION_FIELDS)
_event_fields = itemgetter(*EVENT_FIELDS)
_action_fields = itemgetter(*ACTION_FIELDS)


def event_fast(value: Any, share: bool = False) -> Event | None:
    """Event.from_json(value) for an event as session-tui writes it: every known field there
    (actions too) with its plain type (exact str, int or float within the shown years, bools
    for the flags, ...), else None: then Event.from_json decides. (One function, fields
    fetched by one itemgetter each: it runs 100,000 times a read.)"""
    if type(value) is not dict:
        return None
    try:
        event_id, invocation_id, author, content, actions, ts = _event_fields(value)
        if type(actions) is not dict:
            return None
        delta, transfer, escalate, skip = _action_fields(actions)
    except KeyError:  # (a field left out)
        return None
    if not (type(event_id) is str and type(invocation_id) is str and type(author) is str
            and (content is None or type(content) is str)
            and (type(ts) is float or type(ts) is int)
            and MIN_TIMESTAMP <= ts <= MAX_TIMESTAMP  # (false for NaN: no isfinite needed)
            and type(delta) is dict and (transfer is None or type(transfer) is str)
            and (escalate is False or escalate is True) and (skip is False or skip is True)):
        return None
    if len(actions) == len(ACTION_FIELDS):  # (all of them there: nothing else)
        extra = {}
    else:
        extra = {k: v if share else deep_copy(v) for k, v in actions.items()
                 if k not in _ACTION_KEYS}
    actions = EventActions(delta if share else deep_copy(delta), transfer, escalate, skip, extra)
    if len(value) == len(EVENT_FIELDS):
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
