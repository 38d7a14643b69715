"""The diff of two sessions or two points of one (session_tui/diff.py): the state deep by JSON
Pointer, events aligned by id, then by position and author."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from session_tui import pointer as jp
from session_tui.diff import (apply_state_diff, diff_points, diff_sessions, diff_states, is_empty)
from session_tui.jsonio import deep_copy
from session_tui.model import Event, Session, json_equal, state_after
from strategies import json_objects, json_values, keys


@st.composite
def changed_copies(draw, state: dict) -> dict:
    """`state` with some keys kept, replaced, removed, or changed inside (arrays grown or cut,
    objects given or losing a key), and some added: most of it shared, as two runs' states."""
    out = deep_copy(state)
    for key in list(out):
        what = draw(st.sampled_from(["keep", "replace", "remove", "inside"]))
        if what == "replace":
            out[key] = draw(json_values)
        elif what == "remove":
            del out[key]
        elif what == "inside" and isinstance(out[key], list):
            if out[key] and draw(st.booleans()):
                del out[key][draw(st.integers(0, len(out[key]) - 1)):]
            else:
                out[key].extend(draw(st.lists(json_values, max_size=2)))
        elif what == "inside" and isinstance(out[key], dict):
            out[key][draw(keys)] = draw(json_values)
    out.update(draw(st.dictionaries(keys, json_values, max_size=2)))
    return out


@st.composite
def state_pairs(draw) -> tuple[dict, dict]:
    a = draw(json_objects)
    return a, draw(st.one_of(json_objects, changed_copies(a)))


@settings(max_examples=50, deadline=None)
@given(state_pairs())
def test_applying_the_state_changes_to_a_gives_b(pair):
    a, b = pair
    changes = diff_states(a, b)
    assert json_equal(apply_state_diff(a, changes), b)
    for path, change in changes.items():  # each side is what that pointer names there
        assert set(change) <= {"old", "new"} and change
        if "old" in change:
            assert json_equal(jp.get(a, path), change["old"])
        if "new" in change:
            assert json_equal(jp.get(b, path), change["new"])
    assert diff_states(a, deep_copy(a)) == {}


def test_nested_values_by_pointer_arrays_by_index_types_at_their_pointer():
    a = {"a/b~c": 1, "trip": {"seats": ["12A", "12B", "12C"], "hotel": {"name": "H", "n": 1}},
         "flag": 1, "kind": [1], "gone": None}
    b = {"a/b~c": 2, "trip": {"seats": ["12A", "14D"], "hotel": {"name": "H", "n": 1.0, "x": [2]}},
         "flag": True, "kind": {"0": 1}, "new": None}
    assert diff_states(a, b) == {
        "/a~1b~0c": {"old": 1, "new": 2},
        "/trip/seats/1": {"old": "12B", "new": "14D"},
        "/trip/seats/2": {"old": "12C"},
        "/trip/hotel/n": {"old": 1, "new": 1.0},
        "/trip/hotel/x": {"new": [2]},
        "/flag": {"old": 1, "new": True},
        "/kind": {"old": [1], "new": {"0": 1}},
        "/gone": {"old": None},
        "/new": {"new": None},
    }


def test_a_state_nested_deeper_than_the_stack_allows_recursion():
    deep_a: list = [1]
    deep_b: list = [2]
    for _ in range(490):
        deep_a, deep_b = {"k": deep_a}, {"k": deep_b}
    changes = diff_states({"v": deep_a}, {"v": deep_b})
    assert list(changes) == ["/v" + "/k" * 490 + "/0"]


def _session(session_id: str, events: list[Event], state: dict | None = None) -> Session:
    return Session(session_id, "app", "ada", state=state or {}, created_at="2026-01-01T00:00:00Z",
                   updated_at="2026-01-01T00:00:00Z", events=events)


def _event(event_id: str, author: str, content: str, ts: float, **delta) -> Event:
    return Event(event_id, f"inv-{event_id}", author, content, timestamp=ts,
                 actions=Event.new("i", "a", state_delta=delta).actions)


def test_identical_sessions_give_an_empty_diff():
    a = _session("a", [_event("e1", "user", "hi", 1, x=1), _event("e2", "bot", "yo", 2)],
                 {"x": 1, "deep": {"l": [1, {"m": None}]}})
    diff = diff_sessions(a, a.copy())
    assert is_empty(diff)
    assert diff == {"state": {}, "events": {"only_a": [], "only_b": [], "changed": [], "same": 2}}


def test_events_align_by_id_then_by_position_and_author():
    a = _session("a", [_event("e1", "user", "hi", 1), _event("e2", "bot", "yo", 2, x=1),
                       _event("r1", "bot", "run A", 3), _event("r2", "tool", "t", 4),
                       _event("only-a", "user", "?", 5)])
    b = _session("b", [_event("e1", "user", "hi", 1), _event("e2", "bot", "yo!", 9, x=2),
                       _event("s1", "bot", "run A", 30), _event("s2", "user", "t", 40)])
    b.events[0].extra["partial"] = True
    events = diff_sessions(a, b)["events"]
    # e1, e2 by id (there a new time counts); r1/s1 by position and author: their own ids,
    # times and invocations are no difference (two runs never share them); r2/s2: other authors.
    assert events == {
        "only_a": ["r2", "only-a"], "only_b": ["s2"], "same": 1,
        "changed": [{"a": "e1", "b": "e1", "fields": ["partial"]},
                    {"a": "e2", "b": "e2", "fields": ["content", "timestamp", "actions.state_delta"]}],
    }


def test_two_points_of_one_session_state_after_each_and_the_events_between():
    events = [_event(f"e{n}", "bot", f"turn {n}", n, step=n, **({"x": {"n": n}} if n == 2 else {}))
              for n in range(1, 6)]
    session = _session("s", events, {"step": 5, "x": {"n": 2}})
    forward = diff_points(session, 1, 4)
    assert forward["state"] == diff_states(state_after(session, 1).state, state_after(session, 4).state)
    assert forward["state"] == {"/step": {"old": 1, "new": 4}, "/x": {"new": {"n": 2}}}
    assert forward["events"] == {"only_a": [], "only_b": ["e2", "e3", "e4"], "changed": [], "same": 1}
    back = diff_points(session, 5, 0)
    assert back["events"] == {"only_a": ["e1", "e2", "e3", "e4", "e5"], "only_b": [], "changed": [],
                              "same": 0}
    assert is_empty(diff_points(session, 3, 3))
