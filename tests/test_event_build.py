"""event_build.events_from_json, the fast way a store reads its events, gives exactly what
Event.from_json gives one event at a time: the same events (types included) for good values,
the same error naming the same place for bad ones, and no sharing unless asked."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import event_exports

from session_tui.event_build import event_fast, events_from_json
from session_tui.model import (MAX_TIMESTAMP, MIN_TIMESTAMP, Event, EventActions,
                               SessionFormatError)


class Name(str):
    """A str subclass: Event.from_json takes it, the fast test leaves it to Event.from_json."""


ODD = [None, 0, 1, -0.0, 0.0, 1.5, True, False, "", "x", Name("n"), [], [1], {}, {"a": 1},
       math.nan, math.inf, -math.inf, 1e300, 2**70, MIN_TIMESTAMP, MAX_TIMESTAMP,
       MIN_TIMESTAMP - 1, MAX_TIMESTAMP + 0.5]
EVENT_PLACES = ["id", "invocation_id", "author", "content", "timestamp", "actions", "extra_key"]
ACTION_PLACES = ["state_delta", "transfer_to_agent", "escalate", "skip_summarization", "extra"]
MISSING = object()


@st.composite
def odd_events(draw) -> object:
    """An event as session-tui writes it, then maybe a field made odd or removed, or the
    whole value not an event."""
    value = draw(event_exports())
    how = draw(st.sampled_from(["as is", "event field", "action field", "no actions",
                                "not an object"]))
    odd = draw(st.sampled_from(ODD + [MISSING]))
    if how == "event field":
        key = draw(st.sampled_from(EVENT_PLACES))
        if odd is MISSING:
            value.pop(key, None)
        else:
            value[key] = odd
    elif how == "action field":
        key = draw(st.sampled_from(ACTION_PLACES))
        if odd is MISSING:
            value["actions"].pop(key, None)
        else:
            value["actions"][key] = odd
    elif how == "no actions":
        value.pop("actions")
    elif how == "not an object":
        return odd if odd is not MISSING else [value]
    return value


def one_by_one(values: list, where: str, share: bool) -> list[Event] | str:
    try:
        return [Event.from_json(v, f"{where}[{i}]", share) for i, v in enumerate(values)]
    except SessionFormatError as exc:
        return str(exc)


def in_bulk(values: list, where: str, share: bool) -> list[Event] | str:
    try:
        return events_from_json(values, where, share)
    except SessionFormatError as exc:
        return str(exc)


def shape(value):
    """A value with the type of every part spelled out (True == 1 == 1.0 in Python)."""
    if isinstance(value, dict):
        return ("dict", [(shape(k), shape(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [shape(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(odd_events(), max_size=4), share=st.booleans())
def test_in_bulk_is_event_from_json_one_by_one(values, share):
    where = "/store/events/s: events"
    expected, got = one_by_one(values, where, share), in_bulk(values, where, share)
    if isinstance(expected, str):
        assert got == expected
        return
    assert [shape(e.export()) for e in got] == [shape(e.export()) for e in expected]
    for event, value in zip(got, values):
        assert type(event.timestamp) is type(value["timestamp"])
        if not share and isinstance(value.get("actions"), dict) \
                and isinstance(value["actions"].get("state_delta"), dict):
            assert event.actions.state_delta is not value["actions"]["state_delta"]


def test_the_fast_test_leaves_what_it_does_not_know_to_event_from_json():
    good = {"id": "e", "invocation_id": "i", "author": "a", "content": None,
            "actions": {"state_delta": {}, "transfer_to_agent": None, "escalate": False,
                        "skip_summarization": True}, "timestamp": 1}
    assert event_fast(good) is not None
    for field, value in [("id", Name("e")), ("timestamp", True), ("timestamp", math.nan),
                         ("timestamp", MAX_TIMESTAMP + 1), ("actions", []), ("actions", None),
                         ("actions", {**good["actions"], "escalate": None}),
                         ("actions", {**good["actions"], "escalate": 0})]:  # (0 == False)
        assert event_fast({**good, field: value}) is None, (field, value)
    assert event_fast({k: v for k, v in good.items() if k != "content"}) is None
    assert events_from_json([{**good, "id": Name("e")}])[0].id == "e"  # taken the slow way
    assert events_from_json([{**good, "actions": None}])[0].actions == EventActions()


@pytest.mark.parametrize("field, value, said", [
    ("timestamp", "abc", 'events[1].timestamp: expected a number, got "abc"'),
    ("actions", {"escalate": 0}, "events[1].actions.escalate: expected a boolean, got a number 0"),
    ("author", None, "events[1].author: expected a string, got null"),
])
def test_the_first_bad_event_is_named(field, value, said):
    good = {"id": "e", "invocation_id": "i", "author": "a", "timestamp": 1}
    with pytest.raises(SessionFormatError) as caught:
        events_from_json([good, {**good, field: value}, {**good, field: value}], "f: events")
    assert str(caught.value) == f"f: {said}"
