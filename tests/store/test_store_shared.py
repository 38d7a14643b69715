"""The state ADK shares across sessions (`app:` / `user:` keys), kept by the store for the ADK
session service (session_tui.adk): written with the sessions it touches as one change, seen by
another store object (another process), and never half there after a failed write. Both
backends."""

from __future__ import annotations

import shutil

import pytest
from faultkit import Faults, count_calls
from storekit import Backend, tree_hashes

from session_tui.store import CorruptFile, StoreError, open_store
from session_tui.store.shared import SharedState


def two_sessions(store):
    store.create("app", "ann", {"k": 1}, session_id="a")
    store.create("app", "bob", {}, session_id="b")


def shared_change(store):
    """What the service does for an `app:` delta: the shared record and every session of the
    app, in one write."""
    with store.lock():
        shared = store.shared_state()
        shared.update_app("app", {"mode": "fast", "none": None})
        shared.update_user("app", "ann", {"seen": 2})
        sessions = [store.get("a"), store.get("b")]
        for session in sessions:
            session.state["app:mode"] = "fast"
        store.write_shared(sessions, shared)


def test_shared_state_is_written_with_the_sessions_and_read_by_another_store(backend):
    store = backend.open()
    two_sessions(store)
    assert store.shared_state() == SharedState()
    shared_change(store)
    other = backend.open()  # as another process sees the store
    shared = other.shared_state()
    assert shared.app("app") == {"mode": "fast", "none": None}  # a null is a value, as in ADK
    assert shared.user("app", "ann") == {"seen": 2} and shared.user("app", "bob") == {}
    assert {s: other.get(s).state.get("app:mode") for s in ("a", "b")} == {"a": "fast", "b": "fast"}
    assert sorted(other.ids()) == ["a", "b"]  # the record is no session
    assert not getattr(other, "problems", [])  # nor something the store cannot read


def test_a_shared_record_never_shares_its_dicts_with_the_store(backend):
    store = backend.open()
    two_sessions(store)
    shared_change(store)
    store.shared_state().apps["app"]["mode"] = "changed in a copy"
    assert store.shared_state().app("app")["mode"] == "fast"


def test_a_value_the_store_cannot_keep_changes_nothing(backend):
    store = backend.open()
    two_sessions(store)
    before = tree_hashes(backend.root)
    session = store.get("a")
    session.state["huge"] = 2**80
    with pytest.raises(StoreError, match="'a'"):
        store.write_shared([session], SharedState(apps={"app": {"x": 1}}))
    assert tree_hashes(backend.root) == before


def test_a_read_only_store_refuses_shared_writes(backend):
    two_sessions(backend.open())
    before = tree_hashes(backend.root)
    store = open_store(backend.path, read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        store.write_shared([store.get("a")], SharedState(apps={"app": {"x": 1}}))
    assert tree_hashes(backend.root) == before


def test_a_damaged_shared_record_is_named_and_not_overwritten(tmp_path):
    backend = Backend("directory", tmp_path)
    store = backend.open()
    two_sessions(store)
    (backend.path / "shared-state.json").write_text('{"app_states": []}')
    before = tree_hashes(backend.root)
    with pytest.raises(CorruptFile, match="shared-state.json: not the shared app and user state"):
        shared_change(store)
    assert tree_hashes(backend.root) == before


def copy_of(template: Backend, root) -> Backend:
    shutil.copytree(template.root, root)
    backend = Backend.__new__(Backend)
    backend.kind, backend.root, backend.path = template.kind, root, root / template.path.name
    return backend


@pytest.mark.parametrize("kind", ["directory", "tinyfile"])
def test_a_failure_at_any_write_leaves_all_of_the_change_or_none_of_it(kind, tmp_path):
    """Every call of the write failing in turn (a full disk once, on any call: a rename or a
    delete too): the store is as before, or (the journal committed) the next open completes
    it; never a session changed without the shared record, or the other way round."""
    (tmp_path / "template").mkdir()
    template = Backend(kind, tmp_path / "template")
    two_sessions(template.open())
    counted = copy_of(template, tmp_path / "count").open()
    calls = count_calls(lambda: shared_change(counted), "once")
    assert calls > 0
    for n in range(1, calls + 1):
        backend = copy_of(template, tmp_path / f"n{n}")
        store = backend.open()  # (a copied store folder's index is brought up to date here)
        before = tree_hashes(backend.root)
        try:
            with Faults(n, "once").active():
                shared_change(store)
        except StoreError as exc:
            if "is committed" not in str(exc):
                assert tree_hashes(backend.root) == before, f"call {n} of {calls} changed it"
                continue
        again = backend.open()
        mode = {again.get(s).state.get("app:mode") for s in ("a", "b")}
        has_record = again.shared_state().app("app") != {}
        assert mode in ({None}, {"fast"}), (n, mode)
        assert has_record == (mode == {"fast"}), (n, mode, has_record)
