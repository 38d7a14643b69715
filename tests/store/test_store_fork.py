"""Fork (issue 11, item 1) on both session-tui backends: the fork holds what a rewind of a copy
keeps (events and state), the original's files stay byte-identical, the new id keeps the old
one readable and never collides, and undo removes the fork."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from session_tui.model import Event, Session, is_shared_key
from session_tui.store import NothingToUndo, NotFound, StaleError, StoreError
from storekit import Backend, add_event, export_bytes
from test_store_rewind import INVOCATIONS, deltas, initials, replay


def session_of(initial, evs, sid="s") -> Session:
    """A session as an agent would have left it: the initial state, then each event's delta."""
    session = Session.new("app", "u", sid)
    if initial is not None:
        session.state = copy.deepcopy(initial)
        session.extra["initial_state"] = copy.deepcopy(initial)
    for n, (inv, delta) in enumerate(evs):
        event = Event.new(inv, "agent", f"step {n}", state_delta=copy.deepcopy(delta),
                          timestamp=1_700_000_000 + n)
        session.events.append(event)
        session.apply_delta(event.actions.state_delta)
    return session


def original_files(backend: Backend) -> dict[str, str]:
    """What the original session is made of on disk (the index aside: it lists the fork too)."""
    hashes = backend.snapshot()
    return {k: v for k, v in hashes.items() if not k.endswith(("index.json", "index.jsonl"))
            and "-fork" not in k and not k.startswith("sessions.json")} | (
        {"sessions.json:s": export_bytes(backend.open().get("s")).hex()}
        if backend.kind == "tinyfile" else {})


events = st.lists(st.tuples(st.sampled_from(INVOCATIONS), deltas), min_size=1, max_size=8)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(initial=initials, evs=events, pick=st.integers(0, 100), before=st.booleans())
def test_fork_holds_what_a_rewind_of_a_copy_keeps(initial, evs, pick, before):
    """(A store folder: the plain TinyDB file shares every line of the fork but its _write,
    which the tests below run on both.)"""
    with tempfile.TemporaryDirectory() as folder:
        store = Backend("directory", Path(folder)).open()
        source = session_of(initial, evs)
        twin = session_of(initial, evs, sid="twin")
        twin.events = [copy.deepcopy(e) for e in source.events]
        store.import_sessions([source, twin])
        original = export_bytes(store.get("s"))
        invocation = source.invocation_ids()[pick % len(source.invocation_ids())]

        preview = store.preview_fork("s", invocation, before=before)
        result = store.fork("s", invocation, before=before)
        store.rewind("twin", invocation, before=before)
        fork, rewound = store.get(result.id), store.get("twin")

        assert result.id == preview.new_id == "s-fork"
        assert result.events == len(fork.events) == len(rewound.events) == preview.keep
        assert [e.export() for e in fork.events] == [e.export() for e in rewound.events]
        assert fork.state == rewound.state == preview.state
        # An independent oracle: the replay of the kept events (shared keys: as they are now).
        mine = {k: v for k, v in fork.state.items() if not is_shared_key(k)}
        assert mine == {k: v for k, v in replay(initial, evs[:result.events]).items()
                        if not is_shared_key(k)}
        assert fork.extra["forked_from"] == {
            "session_id": "s", "invocation_id": invocation,
            "event_id": fork.events[-1].id if fork.events else None}
        assert export_bytes(store.get("s")) == original


def build(store, sid="s"):
    store.create("app", "u", state={"seed": 1}, session_id=sid)
    add_event(store, sid, "inv-1", {"a": 1, "seed": 2})
    add_event(store, sid, "inv-2", {"a": 2, "b": "x", "app:theme": "dark"})
    add_event(store, sid, "inv-2", {"c": [1]})
    add_event(store, sid, "inv-3", {"a": 3, "b": None})
    return store.get(sid)


def test_original_files_are_byte_identical_and_undo_removes_the_fork(backend, store):
    build(store)
    before = original_files(backend)
    result = store.fork("s", "inv-2", before=True)
    assert result.to_json() == {"id": "s-fork", "events": 1}
    fork = store.get("s-fork")
    assert fork.state == {"seed": 2, "a": 1, "app:theme": "dark"}  # app: stays as it is now
    assert fork.extra["initial_state"] == {"seed": 1}  # so a rewind of the fork restores it
    assert original_files(backend) == before
    assert "s-fork" in backend.open().ids()  # listed, as another process sees it

    undone = backend.open().undo("s-fork")
    assert (undone.undone, undone.removed_events, undone.restored_events) == ("fork", 1, 0)
    store.load()
    assert "s-fork" not in store and store.ids() == ["s"]
    assert original_files(backend) == before
    with pytest.raises(NothingToUndo):
        store.undo("s-fork")


def test_new_ids_keep_the_original_readable_and_never_collide(store):
    build(store)
    assert [store.fork("s", "inv-1").id for _ in range(3)] == ["s-fork", "s-fork-2", "s-fork-3"]
    store.delete("s-fork-2")  # its undo history keeps the name: not reused
    assert store.fork("s", "inv-1").id == "s-fork-4"
    with pytest.raises(StoreError, match="'s-fork' already exists"):
        store.fork("s", "inv-1", new_id="s-fork")
    assert store.fork("s", "inv-3", new_id="mine").to_json() == {"id": "mine", "events": 4}
    long = store.fork("s", "inv-1", new_id="x" * 128).id
    assert len(store.fork(long, "inv-1").id) == 128  # cut to ADK's limit, the suffix kept


def test_refusals_change_nothing(backend, store):
    build(store)
    before = backend.snapshot()
    with pytest.raises(NotFound):
        store.fork("s", "no-such-invocation")
    with pytest.raises(NotFound):
        store.fork("nobody", "inv-1")
    with pytest.raises(StaleError):
        store.fork("s", "inv-1", expected_revision="old")
    with pytest.raises(StoreError, match="empty"):
        store.fork("s", "inv-1", new_id="")
    assert backend.snapshot() == before


def test_undo_of_a_fork_refuses_to_drop_events_appended_since(store):
    build(store)
    store.fork("s", "inv-1")
    add_event(store, "s-fork", "agent-run", {"d": 4})
    with pytest.raises(StoreError, match="appended to it since"):
        store.undo("s-fork")
    assert len(store.get("s-fork").events) == 2
    store.delete("s-fork")
    store.undo("s-fork")  # the delete: back
    assert [e.invocation_id for e in store.get("s-fork").events][-1] == "agent-run"


def test_edits_of_the_fork_undo_first_then_the_fork(store):
    build(store)
    store.fork("s", "inv-2")
    store.set_value("s-fork", "/a", 9)
    assert store.undo("s-fork").undone == "edit"
    assert store.undo("s-fork").undone == "fork"
    assert "s-fork" not in store


def test_a_fork_as_previewed_is_made_whatever_was_appended_after_its_events(backend, store):
    # A running agent appends every few seconds: what the fork holds is what is checked.
    build(store)
    plan = store.preview_fork("s", "inv-2")
    add_event(store, "s", "inv-4", {"d": 4})  # after the fork's events: no matter
    made = store.fork("s", "inv-2", expected_events=(plan.keep, plan.event_id))
    assert made.events == plan.keep == 3 and store.get(made.id).state == plan.state

    plan = store.preview_fork("s", "inv-4")
    add_event(store, "s", "inv-4", {"d": 5})  # the forked invocation grew: refused, said why
    before = backend.snapshot()
    with pytest.raises(StaleError, match=r"inv-4 changed since the preview \(5 events then, 6 now\)"):
        store.fork("s", "inv-4", expected_events=(plan.keep, plan.event_id))
    assert backend.snapshot() == before
