"""Store-level rewind (SPEC section 2), key by key, on both backends; preview; undo; and a
property test: random sessions, random rewinds and edits, undo gives back the exact bytes."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import orjson
import pytest
from session_tui.store import StoreError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from session_tui.model import Session, is_shared_key, parse_time
from session_tui.store import NotFound, NothingToUndo, open_store
from storekit import BACKENDS, Backend, add_event, export_bytes


def build(store, initial=None, sid="s"):
    """inv-1 and inv-2 are kept by "rewind to inv-2"; inv-3 and inv-4 are removed."""
    store.create("app", "u", state=initial, session_id=sid)
    add_event(store, sid, "inv-1", {"over_kept": "v1", "null_kept": "x"})
    add_event(store, sid, "inv-2", {"null_kept": None, "over_init": "v2"})
    add_event(store, sid, "inv-2", {"kept_only": 1})
    add_event(store, sid, "inv-3", {"first_removed": "r3", "over_kept": "v3", "null_kept": "back",
                                    "app:theme": "dark", "user:lang": "de", "temp:scratch": 1})
    add_event(store, sid, "inv-4", {"over_init": "v4", "first_removed": "r4", "app:theme": "light",
                                    "late_null": None})
    return store.get(sid)


def test_rewind_key_by_key_with_initial_state(backend, store):
    initial = {"created": "c0", "over_init": "init", "late_null": "was-there"}
    session = build(store, initial)
    store.set_value("s", "/created_edit", True)  # an edit after the removed events: removed too
    session = store.get("s")
    assert session.state == {
        "created": "c0", "over_init": "v4", "over_kept": "v3", "null_kept": "back",
        "kept_only": 1, "first_removed": "r4", "app:theme": "light", "user:lang": "de",
        "temp:scratch": 1, "created_edit": True}

    plan = store.rewind("s", "inv-2")
    after = store.get("s")
    assert [e.invocation_id for e in after.events] == ["inv-1", "inv-2", "inv-2"]
    assert plan.removed_events == 3 and plan.keep == 3
    assert after.state == {
        "created": "c0",            # set at creation, never written by an event: kept
        "over_init": "v2",          # overwritten by a removed event: its kept write back
        "over_kept": "v1",          # the same, written first by inv-1
        "kept_only": 1,             # only written by kept events: kept
        "app:theme": "light",       # shared keys are never rolled back
        "user:lang": "de",
        "temp:scratch": 1,
        "late_null": "was-there",   # nulled by a removed event: its initial value back
    }
    # "first_removed" (first written by a removed event, not in initial_state): removed;
    # "null_kept" (a kept event wrote null): stays removed; created_edit: removed.
    assert plan.unrecorded == []  # the session has an initial_state: every earlier value known
    assert plan.state_changes == {
        "created_edit": {"old": True},
        "first_removed": {"old": "r4"},
        "late_null": {"new": "was-there"},
        "null_kept": {"old": "back"},
        "over_init": {"old": "v4", "new": "v2"},
        "over_kept": {"old": "v3", "new": "v1"},
    }


def test_rewind_key_by_key_without_initial_state(backend, store):
    build(store, None)
    plan = store.rewind("s", "inv-2")
    after = store.get("s")
    assert after.state == {"over_init": "v2", "over_kept": "v1", "kept_only": 1,
                           "app:theme": "light", "user:lang": "de", "temp:scratch": 1}
    # Keys no kept event wrote: removed, and said to have no recorded earlier value (also
    # late_null, which a removed event deleted: its value from before is not known).
    assert sorted(plan.unrecorded) == ["first_removed", "late_null"]
    assert plan.state_changes["first_removed"] == {"old": "r4"}
    assert "late_null" not in plan.state_changes  # absent before and after


def test_key_set_at_creation_and_overwritten_only_by_removed_event(store):
    store.create("app", "u", state={"k": "creation", "untouched": [1]}, session_id="s")
    add_event(store, "s", "a", {"other": 1})
    add_event(store, "s", "b", {"k": "later"})
    plan = store.rewind("s", "a")
    assert store.get("s").state == {"k": "creation", "untouched": [1], "other": 1}
    assert plan.state_changes == {"k": {"old": "later", "new": "creation"}}


def test_key_imported_without_log_keeps_value(store):
    """A session brought in from elsewhere whose state holds keys no event wrote."""
    s = Session.new("app", "u", "imp")
    s.state = {"from_elsewhere": 1, "x": "now"}
    store.import_sessions([s])
    add_event(store, "imp", "a", {"y": 1})
    add_event(store, "imp", "b", {"x": "later"})
    plan = store.rewind("imp", "a")
    assert store.get("imp").state == {"from_elsewhere": 1, "y": 1}
    assert plan.unrecorded == ["x"]


def test_rewind_to_versus_before(store):
    store.create("app", "u", session_id="s")
    for inv, delta in [("i1", {"a": 1}), ("i2", {"b": 1}), ("i1", {"a": 2}), ("i3", {"c": 1}),
                       ("i2", {"b": 2}), ("i4", {"d": 1})]:
        add_event(store, "s", inv, delta)
    original = export_bytes(store.get("s"))
    # "to" keeps up to the LAST event of the invocation.
    plan = store.preview_rewind("s", "i2")
    assert plan.removed_events == 1 and plan.state_changes == {"d": {"old": 1}}
    plan = store.preview_rewind("s", "i1")
    assert plan.removed_events == 3
    # "before" removes from its FIRST event on.
    plan = store.preview_rewind("s", "i2", before=True)
    assert plan.removed_events == 5
    assert plan.new_state == {"a": 1}  # "a": its last write among the kept events
    plan = store.preview_rewind("s", "i3", before=True)
    assert plan.removed_events == 3
    assert plan.new_state == {"a": 2, "b": 1}
    assert export_bytes(store.get("s")) == original  # previews change nothing

    done = store.rewind("s", "i3", before=True)
    assert done.removed_events == 3
    after = store.get("s")
    assert [e.invocation_id for e in after.events] == ["i1", "i2", "i1"]
    assert after.state == {"a": 2, "b": 1}
    assert store.undo("s").undone == "rewind"
    assert export_bytes(store.get("s")) == original


def test_rewind_to_the_last_invocation_removes_nothing(backend, store):
    build(store, {"created": 1})
    before = backend.snapshot()
    plan = store.preview_rewind("s", "inv-4")
    assert plan.removed_events == 0 and plan.state_changes == {}
    assert backend.snapshot() == before


def test_preview_changes_nothing_and_equals_the_rewind(backend, store):
    build(store, {"created": "c0", "over_init": "init"})
    before = backend.snapshot()
    original = export_bytes(store.get("s"))
    preview = store.preview_rewind("s", "inv-2", before=True)
    preview_again = store.preview_rewind("s", "inv-2", before=True)
    assert backend.snapshot() == before
    assert export_bytes(backend.open().get("s")) == original
    assert preview.to_json() == preview_again.to_json()
    assert preview.to_json() == {"removed_events": 4, "state_changes": preview.state_changes}
    assert preview.state_changes  # something does change

    done = store.rewind("s", "inv-2", before=True)
    assert done.to_json() == preview.to_json()
    assert done.unrecorded == preview.unrecorded
    after = store.get("s")
    assert after.state == preview.new_state
    assert len(after.events) == 5 - preview.removed_events
    # Old and new sides agree with the states before and after.
    old_state = Session.from_json(orjson.loads(original)).state
    for key, change in preview.state_changes.items():
        assert ("old" in change) == (key in old_state)
        assert ("new" in change) == (key in after.state)
        if "old" in change:
            assert change["old"] == old_state[key]
        if "new" in change:
            assert change["new"] == after.state[key]


def test_unknown_invocation_is_not_found(backend, store):
    build(store)
    before = backend.snapshot()
    with pytest.raises(NotFound):
        store.preview_rewind("s", "no-such-invocation")
    with pytest.raises(NotFound):
        store.rewind("s", "no-such-invocation")
    with pytest.raises(NotFound):
        store.rewind("s", "no-such-invocation", before=True)
    with pytest.raises(NotFound):
        store.rewind("missing-session", "inv-1")
    assert backend.snapshot() == before
    with pytest.raises(NothingToUndo):
        store.undo("s")


def test_undo_of_rewind_gives_back_the_exact_session(backend, store):
    build(store, {"created": "c0"})
    store.set_value("s", "/nested/x", [1, {"y": None}])
    original = export_bytes(store.get("s"))
    updated_at = store.get("s").updated_at
    plan = store.rewind("s", "inv-1", before=True)
    rewound = store.get("s")
    assert rewound.events == []
    assert parse_time(rewound.updated_at) >= parse_time(updated_at)
    assert export_bytes(rewound) != original

    result = backend.open().undo("s")  # across a restart, too
    assert result.undone == "rewind"
    assert result.restored_events == plan.removed_events == 6
    assert result.removed_events == 0
    # The undo's changes are the rewind's, reversed.
    assert result.state_changes == {
        k: {("new" if side == "old" else "old"): v for side, v in c.items()}
        for k, c in plan.state_changes.items()}
    assert export_bytes(store.get("s")) == original
    assert store.get("s").updated_at == updated_at


# -------------------------------------------------------------------------- property tests

KEYS = ["a", "b", "c", "app:x", "user:y", "temp:z"]
INVOCATIONS = ["i0", "i1", "i2", "i3"]
values = st.one_of(st.none(), st.integers(-3, 3), st.sampled_from(["s", "", "ü"]),
                   st.lists(st.integers(0, 2), max_size=2), st.booleans(),
                   st.dictionaries(st.sampled_from(["p", "q"]), st.integers(0, 2), max_size=2))
deltas = st.dictionaries(st.sampled_from(KEYS), values, max_size=3)
initials = st.one_of(st.none(), st.dictionaries(st.sampled_from(KEYS), values.filter(
    lambda v: v is not None), max_size=3))
events = st.lists(st.tuples(st.sampled_from(INVOCATIONS), deltas), min_size=1, max_size=8)


def replay(initial, evs):
    state = copy.deepcopy(initial or {})
    for _, delta in evs:
        for k, v in delta.items():
            if v is None:
                state.pop(k, None)
            else:
                state[k] = v
    return state


def new_store(kind: str, folder: str):
    return Backend(kind, Path(folder)).open()


def reopen(store):
    """A new store object on the same path: a restart."""
    return open_store(store.path)


@pytest.mark.parametrize("kind", BACKENDS)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(initial=initials, evs=events, pick=st.integers(0, 100), before=st.booleans())
def test_random_rewind_then_undo_is_exact(kind, initial, evs, pick, before):
    with tempfile.TemporaryDirectory() as folder:
        store = new_store(kind, folder)
        store.create("app", "u", state=initial, session_id="s")
        for inv, delta in evs:
            add_event(store, "s", inv, delta)
        session = store.get("s")
        original = export_bytes(session)
        invocation = session.invocation_ids()[pick % len(session.invocation_ids())]
        preview = store.preview_rewind("s", invocation, before=before)
        plan = store.rewind("s", invocation, before=before)
        assert plan.to_json() == preview.to_json()
        after = store.get("s")
        keep = len(after.events)
        assert keep == len(evs) - plan.removed_events
        ids = [inv for inv, _ in evs]
        assert keep == (ids.index(invocation) if before else len(ids) - ids[::-1].index(invocation))
        # An independent oracle: the state was built from the initial state and the log, so a
        # rewind gives back the replay of the kept events, except for shared keys (untouched).
        expected = replay(initial, evs[:keep])
        mine = {k: v for k, v in after.state.items() if not is_shared_key(k)}
        assert mine == {k: v for k, v in expected.items() if not is_shared_key(k)}
        assert {k: v for k, v in after.state.items() if is_shared_key(k)} == {
            k: v for k, v in session.state.items() if is_shared_key(k)}

        store.undo("s")
        assert export_bytes(store.get("s")) == original
        with pytest.raises(NothingToUndo):
            store.undo("s")


ops = st.lists(st.one_of(
    st.tuples(st.just("set"), st.sampled_from(KEYS + ["a/deep", "b/0"]), values),
    st.tuples(st.just("unset"), st.sampled_from(KEYS), st.none()),
    st.tuples(st.just("rename"), st.sampled_from(KEYS), st.sampled_from(["r1", "r2"])),
    st.tuples(st.just("rewind"), st.integers(0, 100), st.booleans()),
    st.tuples(st.just("event"), st.sampled_from(INVOCATIONS), deltas),
), min_size=1, max_size=10)


@pytest.mark.parametrize("kind", BACKENDS)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(initial=initials, evs=events, steps=ops)
def test_random_changes_then_undo_all_is_exact(kind, initial, evs, steps):
    from session_tui import pointer as jp

    with tempfile.TemporaryDirectory() as folder:
        store = new_store(kind, folder)
        store.create("app", "u", state=initial, session_id="s")
        for inv, delta in evs:
            add_event(store, "s", inv, delta)
        versions = [export_bytes(store.get("s"))]
        for op, x, y in steps:
            before = store.get("s")
            try:
                if op == "set":
                    store.set_value("s", "/" + x, y)
                elif op == "unset":
                    store.unset_value("s", "/" + x)
                elif op == "rename":
                    store.rename_key("s", "/" + x, y)
                elif op == "rewind":
                    invs = before.invocation_ids()
                    if not invs:
                        continue
                    store.rewind("s", invs[x % len(invs)], before=y)
                else:
                    add_event(store, "s", x, y)
                    # Appending an agent event is not an undoable change: start afresh from here.
                    versions = [export_bytes(store.get("s"))]
                    continue
            except (jp.PointerError, jp.PointerNotFound, StoreError):
                # Refused (bad pointer; a top-level null an edit event could not record):
                # nothing changed.
                assert export_bytes(store.get("s")) == export_bytes(before)
                continue
            now = export_bytes(store.get("s"))
            if now != export_bytes(before):
                versions.append(now)
            elif op == "rewind":
                versions.append(now)  # a rewind that removed nothing is still recorded
        store = reopen(store)  # undo works across a restart
        while len(versions) > 1:
            versions.pop()
            store.undo("s")
            assert export_bytes(store.get("s")) == versions[-1]
