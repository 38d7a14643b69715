"""Time travel from checkpoints gives exactly model.state_after, at every event, for any spacing
of the checkpoints (issue 12: a cursor move costs O(every), not O(session))."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from session_tui.checkpoints import Checkpoints
from session_tui.model import Event, EventActions, Session, json_equal, state_after

# Few keys, so that events write the same keys again, remove them (null) and leave some alone.
KEYS = st.sampled_from(["a", "b", "c", "app:x", "user:y"])
VALUES = st.one_of(st.none(), st.integers(0, 3), st.booleans(), st.lists(st.integers(0, 2), max_size=2))
STATES = st.dictionaries(KEYS | st.just("live_only"), VALUES.filter(lambda v: v is not None), max_size=4)


@st.composite
def sessions(draw) -> Session:
    deltas = draw(st.lists(st.dictionaries(KEYS, VALUES, max_size=3), max_size=40))
    events = [Event(f"e{i}", f"inv{i // 3}", "agent", None, EventActions(delta), float(i))
              for i, delta in enumerate(deltas)]
    extra = {}
    initial = draw(st.none() | st.dictionaries(KEYS, VALUES, max_size=3))
    if initial is not None:
        extra["initial_state"] = initial
    # The live state as a store keeps it: any state (edits, imports), not only the replay.
    return Session("s", "app", "user", draw(STATES), "2026-01-01T00:00:00Z",
                   "2026-01-01T00:00:00Z", events, extra)


def same(a: dict, b: dict) -> bool:
    """Same keys in the same order (the tree shows them so), equal as JSON."""
    return list(a) == list(b) and all(json_equal(a[k], b[k]) for k in a)


# An initial value may be null: it is kept so (a key the initial state has, as null).
NULL_INITIAL = Session("s", "app", "user", {"a": 2, "b": 1}, events=[
    Event("e0", "i0", "agent", None, EventActions({"b": 1}), 0.0),
    Event("e1", "i1", "agent", None, EventActions({"a": 2}), 1.0)], extra={"initial_state": {"a": None}})


@settings(max_examples=40, deadline=None)
@given(sessions(), st.integers(1, 7))
@example(NULL_INITIAL, 1)
def test_checkpoints_give_the_state_after_every_event(session, every):
    checkpoints = Checkpoints(session, every=every)
    for keep in range(len(session.events) + 1):
        assert same(checkpoints.state_after(keep), state_after(session, keep).state), keep


def test_checkpoints_far_apart_for_a_session_writing_many_keys(monkeypatch):
    """The memory bound: checkpoints x keys stays within the budget."""
    import session_tui.checkpoints as module

    monkeypatch.setattr(module, "BUDGET", 1000)
    monkeypatch.setattr(module, "MIN_EVERY", 1)
    events = [Event(f"e{i}", "inv", "agent", None, EventActions({f"k{i}": i}), float(i))
              for i in range(300)]
    session = Session("s", "app", "user", {f"k{i}": i for i in range(300)}, events=events)
    checkpoints = Checkpoints(session)
    assert 1 < checkpoints.every and len(session.events) // checkpoints.every * 300 <= 1000
    assert same(checkpoints.state_after(150), state_after(session, 150).state)
