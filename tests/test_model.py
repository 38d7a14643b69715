"""The session model: round trips, times, rewinding, restoring state, and rejecting bad input."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from session_tui.model import (
    Event,
    EventActions,
    Session,
    SessionFormatError,
    apply_delta,
    delta_between,
    format_time,
    from_unix,
    json_equal,
    keep_count,
    normalize_time,
    parse_time,
    restore_state,
    sessions_from_json,
    state_after,
    state_changes,
)
from budget import examples
from strategies import session_exports, session_inputs

SETTINGS = settings(max_examples=examples(50), deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(SETTINGS, max_examples=examples(25))


def dumps(value) -> bytes:
    return orjson.dumps(value)


# --------------------------------------------------------------------------- round trips


@SETTINGS
@given(session_exports())
def test_import_of_export_is_byte_identical(exported):
    session = Session.from_json(exported)
    assert dumps(session.export()) == dumps(exported)
    assert Session.from_json(session.export()) == session


@FEWER
@given(session_inputs())
def test_liberal_input_normalises_once_then_round_trips(value):
    session = Session.from_json(value)
    again = Session.from_json(session.export())
    assert again == session
    assert dumps(again.export()) == dumps(session.export())
    for name in ("created_at", "updated_at"):
        assert getattr(session, name) == normalize_time(value[name])
        assert normalize_time(getattr(session, name)) == getattr(session, name)
    assert all(list(e["actions"])[:4] == ["state_delta", "transfer_to_agent", "escalate",
                                           "skip_summarization"] for e in session.export()["events"])


@FEWER
@given(session_exports())
def test_import_does_not_share_or_change_its_input(exported):
    before = dumps(exported)
    session = Session.from_json(exported)
    assert dumps(exported) == before
    session.state["__new__"] = 1
    for e in session.events:
        e.actions.state_delta["__new__"] = 1
    session.extra.setdefault("initial_state", {})["__new__"] = 1
    assert dumps(exported) == before


def test_unknown_fields_are_kept_in_order_after_known_ones():
    value = {"zeta": 1, "id": "s", "branch": "root.child", "app_name": "a", "user_id": "u", "state": {},
             "created_at": "1712345678Z", "updated_at": "2024-04-05T19:34:38Z",
             "events": [{"usage_metadata": {"t": 3}, "id": "e", "invocation_id": "i", "author": "user",
                         "timestamp": 1, "actions": {"artifact_delta": {"f": 1}, "escalate": True}}]}
    out = Session.from_json(value).export()
    assert list(out) == ["id", "app_name", "user_id", "state", "created_at", "updated_at", "events",
                         "zeta", "branch"]
    event = out["events"][0]
    assert list(event) == ["id", "invocation_id", "author", "content", "actions", "timestamp",
                           "usage_metadata"]
    assert event["actions"] == {"state_delta": {}, "transfer_to_agent": None, "escalate": True,
                                "skip_summarization": False, "artifact_delta": {"f": 1}}
    assert event["content"] is None


def test_missing_events_and_actions_default():
    s = Session.from_json({"id": "s", "app_name": "a", "user_id": "u", "state": {"k": [1]},
                           "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"})
    assert s.events == [] and s.export()["events"] == []
    s = Session.from_json({"id": "s", "app_name": "a", "user_id": "u", "state": {},
                           "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
                           "events": [{"id": "e", "invocation_id": "i", "author": "a", "timestamp": 2.5,
                                       "actions": {"state_delta": None, "escalate": None}}]})
    assert s.events[0].actions == EventActions()


def test_new_session():
    s = Session.new("app", "user")
    assert s.state == {} and s.events == [] and s.created_at == s.updated_at
    assert s.created_at.endswith("Z") and len(s.id) == 36
    assert Session.new("app", "user").id != s.id
    assert Session.from_json(s.export()) == s


# --------------------------------------------------------------------------------- times


@pytest.mark.parametrize(
    "given_value, expected",
    [
        ("1712345678Z", "2024-04-05T19:34:38Z"),
        ("1712345678", "2024-04-05T19:34:38Z"),
        ("1712345678.25Z", "2024-04-05T19:34:38.250000Z"),
        (1712345678, "2024-04-05T19:34:38Z"),
        (1712345678.5, "2024-04-05T19:34:38.500000Z"),
        (1712345678.1234567, "2024-04-05T19:34:38.123457Z"),
        ("2024-04-05T19:34:38Z", "2024-04-05T19:34:38Z"),
        ("2024-04-05T19:34:38", "2024-04-05T19:34:38Z"),  # no offset: UTC
        ("2024-04-05 19:34:38", "2024-04-05T19:34:38Z"),
        ("2024-04-05T19:34Z", "2024-04-05T19:34:00Z"),
        ("2024-04-05T19:34:38.5Z", "2024-04-05T19:34:38.500000Z"),
        ("2024-04-05T19:34:38.000000Z", "2024-04-05T19:34:38Z"),
        ("2024-04-05T19:34:38.123456Z", "2024-04-05T19:34:38.123456Z"),
        ("2024-04-05T21:34:38+02:00", "2024-04-05T19:34:38Z"),
        ("2024-04-05T21:34:38+0200", "2024-04-05T19:34:38Z"),
        ("2024-04-05T14:04:38.25-05:30", "2024-04-05T19:34:38.250000Z"),
        ("2024-04-05T19:34:38.12345651Z", "2024-04-05T19:34:38.123457Z"),  # 7+ digits: rounded
        ("2024-04-05T19:34:38.1234564999Z", "2024-04-05T19:34:38.123456Z"),
        ("2024-04-05T19:34:38.1234567Z", "2024-04-05T19:34:38.123457Z"),
        ("2024-04-05T19:34:38.123456789+00:00", "2024-04-05T19:34:38.123457Z"),
        ("2024-04-05T19:34:38.9999996Z", "2024-04-05T19:34:39Z"),  # carries into the second
        ("2024-12-31T23:59:59.9999999Z", "2025-01-01T00:00:00Z"),
        ("0005-01-01T00:00:00Z", "0005-01-01T00:00:00Z"),  # years before 1000 stay 4 digits
    ],
)
def test_normalize_time(given_value, expected):
    assert normalize_time(given_value) == expected
    assert normalize_time(expected) == expected


@pytest.mark.parametrize("bad", ["yesterday", "", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z",
                                 "99999999999999Z", "9999-12-31T23:00:00-05:00", True, None, [1],
                                 1e20, float("nan"), "٢٠٢٤-01-01T00:00:00Z"])
def test_bad_times_raise_value_error(bad):
    with pytest.raises(ValueError):
        parse_time(bad)


def test_format_time_and_from_unix():
    assert format_time(datetime(2026, 11, 24, 10, 15, tzinfo=timezone.utc)) == "2026-11-24T10:15:00Z"
    assert format_time(from_unix(1795000000.25)) == "2026-11-18T11:06:40.250000Z"
    assert format_time(from_unix(-0.5)) == "1969-12-31T23:59:59.500000Z"


def test_created_at_is_written_canonically():
    s = Session.from_json({"id": "s", "app_name": "a", "user_id": "u", "state": {},
                           "created_at": "1712345678Z", "updated_at": "2024-04-05T21:34:38.1+02:00"})
    assert s.created_at == "2024-04-05T19:34:38Z"
    assert s.export()["updated_at"] == "2024-04-05T19:34:38.100000Z"


# ------------------------------------------------------------------------- rewinding


def _ev(i: int, inv: str, delta: dict | None = None, author: str = "model") -> Event:
    return Event(id=f"ev{i}", invocation_id=inv, author=author, content=f"event {i}",
                 actions=EventActions(state_delta=delta or {}), timestamp=1000 + i)


def _session(events: list[Event], state: dict | None = None, initial: dict | None = None) -> Session:
    s = Session(id="s1", app_name="app", user_id="u", created_at="2024-01-01T00:00:00Z",
                updated_at="2024-01-01T00:10:00Z", events=events)
    if initial is not None:
        s.extra["initial_state"] = copy.deepcopy(initial)
    if state is None:
        state = copy.deepcopy(initial) if initial else {}
        for e in events:
            apply_delta(state, e.actions.state_delta)
    s.state = state
    return s


def _linear() -> Session:
    return _session([_ev(0, "A", author="user"), _ev(1, "A"), _ev(2, "B", author="user"), _ev(3, "B"),
                     _ev(4, "B"), _ev(5, "C", author="user"), _ev(6, "C")])


@pytest.mark.parametrize("inv, removed, left", [("A", 5, 2), ("B", 2, 5), ("C", 0, 7)])
def test_rewind_to_invocation(inv, removed, left):
    s = _linear()
    state_before = copy.deepcopy(s.state)
    assert s.rewind_to_invocation(inv) == removed
    assert [e.id for e in s.events] == [f"ev{i}" for i in range(left)]
    assert s.state == state_before  # the model operation does not touch state


def test_rewind_interleaved_keeps_up_to_the_last_event_of_the_invocation():
    s = _session([_ev(0, "A"), _ev(1, "B"), _ev(2, "A"), _ev(3, "B"), _ev(4, "C")])
    assert s.rewind_to_invocation("A") == 2
    assert [e.id for e in s.events] == ["ev0", "ev1", "ev2"]
    s = _session([_ev(0, "A"), _ev(1, "B"), _ev(2, "A"), _ev(3, "B"), _ev(4, "C")])
    assert s.rewind_to_invocation("B") == 1
    assert keep_count(s.events, "B", before=True) == 1
    assert keep_count(s.events, "A", before=True) == 0
    assert keep_count(s.events, "nope", before=False) is None


def test_rewind_unknown_invocation_changes_nothing():
    s = _linear()
    before = dumps(s.export())
    assert s.rewind_to_invocation("no-such-invocation") == 0
    assert dumps(s.export()) == before
    empty = _session([])
    assert empty.rewind_to_invocation("A") == 0 and empty.events == []


def test_invocation_ids_in_order_of_first_appearance():
    s = _session([_ev(0, "B"), _ev(1, "A"), _ev(2, "B"), _ev(3, "C")])
    assert s.invocation_ids() == ["B", "A", "C"]


# ---------------------------------------------------------------------- restoring state


def _restore_case(initial: dict | None) -> Session:
    """Creation state, then inv A (kept) and inv B (removed by rewinding to A)."""
    events = [
        _ev(0, "A", {"overwritten": 1, "nulled": "v", "absent_now": "kept-value"}),
        _ev(1, "A", {"nulled": None}),  # a null written by a kept event
        _ev(2, "B", {"overwritten": 2, "first_written_later": {"x": [1, 2]}, "nulled": "back",
                     "absent_now": None, "app:theme": "dark", "user:lang": "ja", "temp:scratch": 1,
                     "from_creation_later": "changed"}),
    ]
    return _session(events, initial=initial)


def test_restore_state_without_initial_state():
    s = _restore_case(None)
    s.state["set_at_creation"] = "keep me"  # a key no event wrote
    result = restore_state(s, keep_count(s.events, "A", before=False))
    assert result.state == {"set_at_creation": "keep me", "overwritten": 1, "absent_now": "kept-value",
                            "app:theme": "dark", "user:lang": "ja", "temp:scratch": 1}
    assert result.changes == {
        "absent_now": {"new": "kept-value"},  # removed by a removed event: no old side
        "first_written_later": {"old": {"x": [1, 2]}},  # no kept write, nothing recorded: removed
        "from_creation_later": {"old": "changed"},
        "nulled": {"old": "back"},  # the kept null wins: removed, no new side
        "overwritten": {"old": 2, "new": 1},
    }
    assert sorted(result.unrecorded) == ["first_written_later", "from_creation_later"]
    # restore_state computes; it changes nothing
    assert s.state["overwritten"] == 2 and len(s.events) == 3


def test_restore_state_with_initial_state():
    initial = {"set_at_creation": "keep me", "from_creation_later": "original", "overwritten": 0,
               "app:theme": "light"}
    s = _restore_case(initial)
    assert s.state["from_creation_later"] == "changed" and s.state["app:theme"] == "dark"
    result = restore_state(s, 2)
    assert result.state == {"set_at_creation": "keep me", "from_creation_later": "original", "overwritten": 1,
                            "absent_now": "kept-value", "app:theme": "dark", "user:lang": "ja",
                            "temp:scratch": 1}
    assert result.changes["from_creation_later"] == {"old": "changed", "new": "original"}
    assert result.changes["first_written_later"] == {"old": {"x": [1, 2]}}  # not in initial_state: removed
    assert "set_at_creation" not in result.changes
    assert not any(k.startswith(("app:", "user:", "temp:")) for k in result.changes)
    assert result.unrecorded == []


def test_restore_state_keep_everything_and_nothing():
    s = _restore_case({"set_at_creation": 1})
    assert restore_state(s, len(s.events)).changes == {}
    assert restore_state(s, len(s.events)).state == s.state
    at_start = restore_state(s, 0)
    assert at_start.state == {"set_at_creation": 1, "app:theme": "dark", "user:lang": "ja", "temp:scratch": 1}


def test_rewind_leaves_shared_keys_and_says_so():
    s = _restore_case({"set_at_creation": 1})
    result = restore_state(s, 2)
    assert result.staying == ["app:theme", "temp:scratch", "user:lang"]
    assert all(result.state[k] == s.state[k] for k in result.staying)


def test_state_after_rolls_shared_keys_back_too():
    # The demo's bug: user:language written at a late event showed at an early one.
    s = _session([_ev(0, "A", {"user:language": "en", "temp:ms": 5}), _ev(1, "B", {"seat": "1A"}),
                  _ev(2, "C", {"user:language": "de", "app:fx": {"usd": 1.1}, "temp:ms": None})])
    assert state_after(s, 1).state == {"user:language": "en", "temp:ms": 5}
    assert state_after(s, 2).state == {"user:language": "en", "temp:ms": 5, "seat": "1A"}
    assert state_after(s, 3).state == s.state
    assert state_after(s, 1).staying == []
    assert restore_state(s, 1).state["user:language"] == "de"  # a rewind leaves it


_KEYS = st.sampled_from(["a", "b", "app:x", "user:y", "temp:z"])
_VALUES = st.one_of(st.none(), st.integers(-3, 3), st.text(max_size=2), st.lists(st.integers(0, 2), max_size=2))


@SETTINGS
@given(initial=st.one_of(st.none(), st.dictionaries(_KEYS, _VALUES.filter(lambda v: v is not None), max_size=3)),
       deltas=st.lists(st.dictionaries(_KEYS, _VALUES, max_size=3), max_size=8))
def test_state_after_each_event_is_the_replay_of_the_log(initial, deltas):
    """Against an independent replay: creation state, then each delta as a merge patch."""
    s = _session([_ev(i, f"inv{i // 2}", d) for i, d in enumerate(deltas)], initial=initial)
    replay = copy.deepcopy(initial or {})
    for keep in range(len(deltas) + 1):
        if keep:
            for key, value in deltas[keep - 1].items():
                if value is None:
                    replay.pop(key, None)
                else:
                    replay[key] = copy.deepcopy(value)
        assert state_after(s, keep).state == replay


def test_restore_state_sees_type_changes():
    s = _session([_ev(0, "A", {"flag": 1, "deep": {"n": 1}}), _ev(1, "B", {"flag": True, "deep": {"n": True}})])
    result = restore_state(s, 1)
    assert result.changes == {"flag": {"old": True, "new": 1}, "deep": {"old": {"n": True}, "new": {"n": 1}}}
    assert result.state["flag"] == 1 and type(result.state["flag"]) is int


def test_state_changes_and_delta_between():
    old = {"a": 1, "b": {"x": 1}, "c": [1], "same": {"k": [1, {"z": None}]}}
    new = {"a": 1.0, "b": {"x": True}, "d": None, "same": {"k": [1, {"z": None}]}}
    assert state_changes(old, new) == {"a": {"old": 1, "new": 1.0}, "b": {"old": {"x": 1}, "new": {"x": True}},
                                       "c": {"old": [1]}, "d": {"new": None}}
    assert delta_between(old, new) == {"a": 1.0, "b": {"x": True}, "c": None, "d": None}
    patched = copy.deepcopy(old)
    apply_delta(patched, {"a": 1.0, "b": {"x": True}, "c": None})
    assert json_equal(patched, {k: v for k, v in new.items() if k != "d"})


def test_apply_delta_copies_values():
    state, value = {}, {"nested": [1]}
    apply_delta(state, {"k": value, "gone": None})
    value["nested"].append(2)
    assert state == {"k": {"nested": [1]}}


def test_json_equal():
    assert json_equal({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]})
    assert json_equal({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert not json_equal(1, True) and not json_equal(1, 1.0) and not json_equal([0], [False])
    assert not json_equal({"a": 1}, {"a": 1, "b": 1}) and not json_equal([1], [1, 1])


# ----------------------------------------------------------------------- malformed input


def _valid() -> dict:
    return {
        "id": "s1", "app_name": "app", "user_id": "u", "state": {"k": 1},
        "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:05:00Z",
        "events": [{"id": f"e{i}", "invocation_id": "inv", "author": "user", "content": "hi",
                    "actions": {"state_delta": {}, "transfer_to_agent": None, "escalate": False,
                                "skip_summarization": False}, "timestamp": 1704067200 + i}
                   for i in range(4)],
    }


def _set(path, value):
    def mutate(d):
        *parents, last = path
        for p in parents:
            d = d[p]
        d[last] = value
    return mutate


def _del(path):
    def mutate(d):
        *parents, last = path
        for p in parents:
            d = d[p]
        del d[last]
    return mutate


MALFORMED = [
    (_del(["id"]), "id: missing"),
    (_del(["app_name"]), "app_name: missing"),
    (_del(["state"]), "state: missing"),
    (_del(["updated_at"]), "updated_at: missing"),
    (_set(["id"], 123), "id: expected a string, got a number 123"),  # no coercion
    (_set(["user_id"], 42), "user_id: expected a string, got a number 42"),
    (_set(["app_name"], None), "app_name: expected a string, got null"),
    (_set(["state"], [1, 2]), "state: expected an object, got an array [1, 2]"),
    (_set(["state"], "{}"), 'state: expected an object, got "{}"'),
    (_set(["created_at"], "last tuesday"), 'created_at: expected an ISO 8601 time, got "last tuesday"'),
    (_set(["created_at"], "99999999999999Z"), 'created_at: time out of range, got "99999999999999Z"'),
    (_set(["updated_at"], {"t": 1}), "updated_at: expected a time string, got an object"),
    (_set(["events"], {"0": {}}), "events: expected an array, got an object"),
    (_set(["events", 2], "hello"), 'events[2]: expected an object, got "hello"'),
    (_del(["events", 0, "author"]), "events[0].author: missing"),
    (_del(["events", 1, "invocation_id"]), "events[1].invocation_id: missing"),
    (_del(["events", 3, "timestamp"]), "events[3].timestamp: missing"),
    (_set(["events", 0, "id"], 7), "events[0].id: expected a string, got a number 7"),
    (_set(["events", 0, "invocation_id"], None), "events[0].invocation_id: expected a string, got null"),
    (_set(["events", 3, "timestamp"], "abc"), 'events[3].timestamp: expected a number, got "abc"'),
    (_set(["events", 1, "timestamp"], True), "events[1].timestamp: expected a number, got a boolean true"),
    (_set(["events", 1, "timestamp"], None), "events[1].timestamp: expected a number, got null"),
    (_set(["events", 0, "content"], {"role": "user", "parts": []}),
     "events[0].content: expected a string or null, got an object"),
    (_set(["events", 0, "actions"], []), "events[0].actions: expected an object, got an array []"),
    (_set(["events", 2, "actions", "state_delta"], [["k", 1]]),
     "events[2].actions.state_delta: expected an object, got an array"),
    (_set(["events", 2, "actions", "state_delta"], "k=1"),
     'events[2].actions.state_delta: expected an object, got "k=1"'),
    (_set(["events", 0, "actions", "escalate"], "yes"), 'events[0].actions.escalate: expected a boolean, got "yes"'),
    (_set(["events", 0, "actions", "skip_summarization"], 1),
     "events[0].actions.skip_summarization: expected a boolean, got a number 1"),
    (_set(["events", 1, "actions", "transfer_to_agent"], 5),
     "events[1].actions.transfer_to_agent: expected a string or null, got a number 5"),
    (_set(["initial_state"], []), "initial_state: expected an object, got an array []"),
]


@pytest.mark.parametrize("mutate, message", MALFORMED, ids=[m for _, m in MALFORMED])
def test_malformed_session_names_the_place(mutate, message):
    value = _valid()
    Session.from_json(copy.deepcopy(value))  # the base case is valid
    mutate(value)
    before = dumps(value)
    with pytest.raises(SessionFormatError) as info:
        Session.from_json(value)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)
    assert info.value.where == message.split(": ")[0]
    assert dumps(value) == before


@pytest.mark.parametrize("value", [[], "session", 3, None])
def test_not_an_object(value):
    with pytest.raises(SessionFormatError, match="^expected a session object, got"):
        Session.from_json(value)


def test_sessions_from_json_is_all_or_nothing_and_names_the_item():
    good, bad = _valid(), _valid()
    del bad["app_name"]
    with pytest.raises(SessionFormatError) as info:
        sessions_from_json([good, good, bad, good])
    assert str(info.value) == "[2].app_name: missing"
    bad = _valid()
    bad["events"][0]["id"] = None
    with pytest.raises(SessionFormatError, match=r"^\[1\]\.events\[0\]\.id: expected a string, got null$"):
        sessions_from_json([good, bad])
    with pytest.raises(SessionFormatError, match=r"^\[0\]: expected a session object, got a number 1$"):
        sessions_from_json([1])
    assert len(sessions_from_json([good, good])) == 2


def test_state_after_shares_the_values_no_later_event_wrote():
    """Time travel shows a state each step: the values no later event wrote are the session's
    own (copying 100,000 keys took ~0.35 s a step); a rewind's state is still a copy."""
    many = {f"k{n}": n for n in range(1_000)}
    s = Session("s", "app", "user", {"many": many, "seat": "2B"}, "2026-01-01T00:00:00Z",
                "2026-01-01T00:00:00Z",
                [Event("e1", "i1", "agent", "hi", EventActions(state_delta={"seat": "1A"}), 1.0),
                 Event("e2", "i1", "agent", "hi", EventActions(state_delta={"seat": "2B"}), 2.0)])
    after = state_after(s, 1).state
    assert after == {"many": many, "seat": "1A"} and after["many"] is many
    assert s.state == {"many": many, "seat": "2B"}  # the session's own state is unchanged
    assert restore_state(s, 1).state["many"] is not many


def test_last_change_is_the_later_of_the_update_time_and_the_last_event():
    def at(updated: str, *times: float) -> Session:
        events = [Event(f"e{i}", "inv", "agent", None, EventActions(), t) for i, t in enumerate(times)]
        return Session("s", "a", "u", {}, "2025-11-24T16:00:00Z", updated, events)

    t = 1_764_000_000.0  # 2025-11-24T16:00:00Z
    assert at("2025-11-24T16:00:00Z").last_change() == t
    assert at("2025-11-24T16:00:00Z", t - 30, t + 5).last_change() == t + 5  # an append not stamped
    assert at("2025-11-24T16:01:00Z", t + 5).last_change() == t + 60
    assert at("not a time", t + 1).last_change() == t + 1
    assert at("not a time").last_change() is None
