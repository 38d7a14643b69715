"""Hypothesis strategies for sessions in the export shape (shared by the test modules).

`session_exports()` gives dicts exactly as `Session.export()` writes them (known fields in
order, canonical times, unknown fields after), so that import then export is byte-identical.
`session_inputs()` gives what other writers produce: rs-adk "<secs>Z" and offset times,
missing `events` / `actions`, so importing normalises them.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import strategies as st

from session_tui.model import (ACTION_FIELDS, EVENT_FIELDS, MAX_TIMESTAMP, MIN_TIMESTAMP, SESSION_FIELDS,
                               format_time)

# Short text, any unicode except surrogates (JSON cannot carry lone surrogates as UTF-8).
short_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)
keys = st.one_of(short_text, st.sampled_from(["app:theme", "user:name", "temp:scratch", "東京", "café",
                                               "🙂", "a/b~c", ""]))

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    short_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=8,
)
json_objects = st.dictionaries(keys, json_values, max_size=4)

utc_datetimes = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                             timezones=st.just(timezone.utc))
canonical_times = utc_datetimes.map(format_time)
# Event times a session can hold: years 1-9999 (model.MIN_TIMESTAMP .. MAX_TIMESTAMP).
timestamps = st.one_of(st.integers(min_value=MIN_TIMESTAMP, max_value=MAX_TIMESTAMP),
                       st.floats(min_value=MIN_TIMESTAMP, max_value=MAX_TIMESTAMP),
                       st.sampled_from([MIN_TIMESTAMP, MAX_TIMESTAMP, 0, -0.0, 1e-7]))
ids = st.one_of(st.uuids().map(str), short_text, st.just("a/../b c"), st.just("e-" + "x" * 120))


def _extras(known: tuple[str, ...], exclude: tuple[str, ...] = ()) -> st.SearchStrategy[dict]:
    skip = set(known) | set(exclude)
    return st.dictionaries(keys.filter(lambda k: k not in skip), json_values, max_size=2)


@st.composite
def action_exports(draw) -> dict:
    out = {
        "state_delta": draw(json_objects),
        "transfer_to_agent": draw(st.none() | short_text),
        "escalate": draw(st.booleans()),
        "skip_summarization": draw(st.booleans()),
    }
    out.update(draw(_extras(ACTION_FIELDS)))
    return out


@st.composite
def event_exports(draw) -> dict:
    out = {
        "id": draw(ids),
        "invocation_id": draw(ids),
        "author": draw(st.sampled_from(["user", "model", "session-tui", "ルート"]) | short_text),
        "content": draw(st.none() | st.text(max_size=20)),
        "actions": draw(action_exports()),
        "timestamp": draw(timestamps),
    }
    out.update(draw(_extras(EVENT_FIELDS)))
    return out


@st.composite
def session_exports(draw, max_events: int = 4) -> dict:
    out = {
        "id": draw(ids),
        "app_name": draw(short_text),
        "user_id": draw(short_text),
        "state": draw(json_objects),
        "created_at": draw(canonical_times),
        "updated_at": draw(canonical_times),
        "events": draw(st.lists(event_exports(), max_size=max_events)),
    }
    out.update(draw(_extras(SESSION_FIELDS, exclude=("initial_state",))))
    if draw(st.booleans()):
        out["initial_state"] = draw(json_objects)
    return out


def _other_writer_time(dt: datetime, style: int) -> str | int | float:
    if style == 0:  # rs-adk
        return f"{int(dt.timestamp())}Z"
    if style == 1:  # ISO with an offset and a long fraction
        local = dt.astimezone(timezone(timedelta(hours=5, minutes=30)))
        return local.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123+05:30"
    if style == 2:  # naive ISO (UTC)
        return dt.strftime("%Y-%m-%dT%H:%M:%S")
    return dt.timestamp()


@st.composite
def session_inputs(draw) -> dict:
    """Sessions as other writers produce them (liberal reading)."""
    value = draw(session_exports())
    base = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1),
                        timezones=st.just(timezone.utc))
    for name in ("created_at", "updated_at"):
        value[name] = _other_writer_time(draw(base), draw(st.integers(0, 3)))
    if not value["events"] and draw(st.booleans()):
        del value["events"]
    for event in value.get("events", []):
        if draw(st.booleans()):
            del event["actions"]
    return value
