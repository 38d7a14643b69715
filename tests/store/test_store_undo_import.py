"""Undo (SPEC section 7: at least 20 deep, across restarts, exact) and imports (all or nothing,
conflicts), on both backends."""

from __future__ import annotations

import pytest

from session_tui.model import Event, Session
from session_tui.store import NotFound, NothingToUndo, StoreError
from storekit import add_event, export_bytes


def sample(session_id: str, app: str = "app", events: int = 2, user: str = "user", **state) -> Session:
    s = Session.new(app, user, session_id)
    s.state = dict(state)
    s.created_at = s.updated_at = "2026-01-02T03:04:05Z"
    for n in range(events):
        s.events.append(Event(f"{session_id}-e{n}", f"inv{n}", "agent", f"text {n}",
                              timestamp=1767323045 + n))
    s.extra["branch"] = "root.agent"  # an unknown field: kept
    return s


# ------------------------------------------------------------------------------------ undo


def test_undo_25_changes_deep_across_restarts(backend):
    store = backend.open()
    store.create("app", "u", state={"n": 0}, session_id="s")
    add_event(store, "s", "agent-1", {"from_agent": 1})
    versions = [export_bytes(store.get("s"))]
    for i in range(25):
        if i % 6 == 5:
            invocations = store.get("s").invocation_ids()
            store.rewind("s", invocations[-2])
        elif i % 4 == 3:
            store.rename_key("s", "/n", f"n{i}") if "n" in store.get("s").state else \
                store.set_value("s", "/n", i)
        else:
            store.set_value("s", f"/k{i}", {"i": i})
        versions.append(export_bytes(store.get("s")))
    assert len(set(versions)) == len(versions)
    assert len(store.history_of("s")) == 25

    kinds = []
    for step in range(25):
        if step % 5 == 0:
            store = backend.open()  # a restart between undos
        result = store.undo("s")
        kinds.append(result.undone)
        versions.pop()
        assert export_bytes(store.get("s")) == versions[-1], f"undo {step + 1}"
        assert export_bytes(backend.open().get("s")) == versions[-1]
    assert set(kinds) == {"edit", "rewind"}
    with pytest.raises(NothingToUndo):
        store.undo("s")
    with pytest.raises(NothingToUndo):
        backend.open().undo("s")
    assert export_bytes(store.get("s")) == versions[0]


def test_nothing_to_undo(backend, store):
    store.create("app", "u", session_id="fresh")
    before = backend.snapshot()
    with pytest.raises(NothingToUndo):
        store.undo("fresh")
    add_event(store, "fresh", "i", {"a": 1})  # an agent's event is not an undoable change
    with pytest.raises(NothingToUndo):
        store.undo("fresh")
    with pytest.raises(NotFound):
        store.undo("never-existed")
    assert "fresh" in store and before.keys() <= backend.snapshot().keys()


def test_undo_after_external_edit_by_another_store(backend, store):
    store.create("app", "u", session_id="s")
    store.set_value("s", "/a", 1)
    v1 = export_bytes(store.get("s"))
    other = backend.open()
    other.set_value("s", "/b", 2)
    store.undo("s")  # undoes the other's edit: newest first, whoever made it
    assert export_bytes(store.get("s")) == v1


def test_undo_of_import_replace(backend, store):
    store.import_sessions([sample("x", events=3, a=1)])
    original = export_bytes(store.get("x"))
    newer = sample("x", app="other", events=1, b=2)
    report = store.import_sessions([newer], on_conflict="replace")
    assert report.replaced == ["x"] and report.added == []
    assert export_bytes(store.get("x")) == export_bytes(newer)

    result = backend.open().undo("x")
    assert result.undone == "import"
    assert result.state_changes == {"b": {"old": 2}, "a": {"new": 1}}
    assert export_bytes(store.get("x")) == original
    # The first import brought it in: that is no undo record (undoing it would delete the
    # session unrecoverably), so there is nothing more to undo.
    with pytest.raises(NothingToUndo):
        store.undo("x")
    assert export_bytes(backend.open().get("x")) == original


def test_undo_of_delete_is_exact(backend, store):
    store.import_sessions([sample("d", events=4, a={"deep": [1, 2]})])
    store.set_value("d", "/a/deep/-", 3)
    original = export_bytes(store.get("d"))
    store.delete("d")
    assert "d" not in backend.open()
    result = backend.open().undo("d")
    assert result.undone == "delete" and result.restored_events == 5
    assert export_bytes(store.get("d")) == original
    store.poll()  # this store object looks again (the app does so on a timer)
    assert "d" in store.ids()
    assert "d" in backend.open().ids()


# ------------------------------------------------------------------------------------ import


def test_import_round_trip_keeps_everything(backend, store):
    sessions = [sample(f"s{n}", events=n, n=n) for n in range(4)]
    report = store.import_sessions(sessions)
    assert report.added == ["s0", "s1", "s2", "s3"]
    fresh = backend.open()
    for s in sessions:
        assert export_bytes(fresh.get(s.id)) == export_bytes(s)
    rows = {r["id"]: r for r in fresh.list()}
    assert [rows[f"s{n}"]["event_count"] for n in range(4)] == [0, 1, 2, 3]


def test_import_is_all_or_nothing(backend, store):
    store.import_sessions([sample("existing", a=1)])
    before = backend.snapshot()
    bad = sample("bad")
    bad.state["not_json"] = {1, 2}  # a set: cannot be written as JSON
    with pytest.raises((TypeError, ValueError, StoreError)):
        store.import_sessions([sample("good1"), bad, sample("good2")])
    assert backend.snapshot() == before
    assert store.ids() == ["existing"]  # nothing half-remembered in memory either
    # Also when a good one replaces a session (which writes an undo record).
    for attempt in (store, backend.open()):
        with pytest.raises((TypeError, ValueError, StoreError)):
            attempt.import_sessions([sample("existing", a=2), bad], on_conflict="replace")
        assert backend.snapshot() == before
        assert attempt.ids() == ["existing"]
    fresh = backend.open()
    assert fresh.ids() == ["existing"]
    # And undo has no record of it either.
    for session_id in ("existing", "good1", "good2"):
        with pytest.raises(NotFound):
            store.undo(session_id)


@pytest.mark.parametrize("policy", ["skip", "replace", "keep-both"])
def test_one_id_of_two_apps_in_one_import_is_two_sessions(backend, store, policy):
    """ADK keys sessions by (app, user, id): one ADK file can hold an id in two apps (or for two
    users). They are different sessions: both come in, the later under a new id, and the
    report says so (they are not "already in the store")."""
    report = store.import_sessions([sample("a"), sample("dup"), sample("dup", app="x"),
                                    sample("dup", app="x", user="u2")], on_conflict=policy)
    assert report.added == ["a", "dup"] and report.skipped == [] and report.duplicates == []
    assert report.renamed == [("dup", "dup~2"), ("dup", "dup~3")]
    assert store.get("dup~2").app_name == "x" and store.get("dup~2").extra["original_id"] == "dup"
    assert store.get("dup~3").user_id == "u2"


def test_the_same_session_twice_in_one_import_meets_like_a_conflict(backend, store):
    report = store.import_sessions([sample("d", note=1), sample("d", note=2)])
    assert report.added == ["d"] and report.duplicates == ["d"] and store.get("d").state == {"note": 1}
    report = store.import_sessions([sample("r", note=1), sample("r", note=2)], on_conflict="replace")
    assert report.added == ["r"] and report.duplicates == ["r"] and store.get("r").state == {"note": 2}
    report = store.import_sessions([sample("k"), sample("k")], on_conflict="keep-both")
    assert report.added == ["k"] and report.renamed == [("k", "k~2")] and report.duplicates == ["k"]

    store.import_sessions([sample("existing")])
    before = export_bytes(store.get("existing"))
    report = store.import_sessions([sample("existing", note=1), sample("existing", note=2)],
                                   on_conflict="replace")
    assert report.replaced == ["existing"] and store.get("existing").state == {"note": 2}
    store.undo("existing")  # one undo: the import was one change
    assert export_bytes(store.get("existing")) == before


def test_import_conflicts(backend, store):
    store.import_sessions([sample("x", a="original"), sample("y")])
    original_x = export_bytes(store.get("x"))
    incoming = sample("x", app="incoming", b="new")

    report = store.import_sessions([incoming, sample("z")])  # default: skip
    assert report.skipped == ["x"] and report.added == ["z"]
    assert export_bytes(store.get("x")) == original_x

    report = store.import_sessions([incoming], on_conflict="keep-both")
    assert report.renamed == [("x", "x~2")] and report.added == []
    kept = store.get("x~2")
    assert kept.app_name == "incoming" and kept.extra["original_id"] == "x"
    assert kept.state == {"b": "new"}
    assert export_bytes(store.get("x")) == original_x
    report = store.import_sessions([incoming], on_conflict="keep-both")
    assert report.renamed == [("x", "x~3")]
    assert store.get("x~3").extra["original_id"] == "x"

    report = store.import_sessions([incoming], on_conflict="replace")
    assert report.replaced == ["x"]
    assert export_bytes(store.get("x")) == export_bytes(incoming)
    assert sorted(backend.open().ids()) == ["x", "x~2", "x~3", "y", "z"]

    before = backend.snapshot()
    with pytest.raises(StoreError):
        store.import_sessions([incoming], on_conflict="overwrite")
    assert backend.snapshot() == before


def test_import_nothing(backend, store):
    before = backend.snapshot()
    report = store.import_sessions([])
    assert report.added == report.skipped == report.replaced == report.renamed == []
    assert backend.snapshot() == before


def test_undo_import_takes_back_the_whole_import_as_one_change(backend, store):
    store.import_sessions([sample("x", a="original")])
    store.set_value("x", "/a", "edited")  # an older, unrelated change: must stay
    before = backend.snapshot()
    original = export_bytes(store.get("x"))
    report = store.import_sessions([sample("x", b="new"), sample("n1"), sample("n2"), sample("x")],
                                   on_conflict="keep-both")
    assert sorted(report.new_ids) == ["n1", "n2", "x~2", "x~3"]
    assert store.undo_import(report) == {"removed": 4, "restored": 0}
    assert sorted(backend.open().ids()) == ["x"]
    assert export_bytes(store.get("x")) == original  # the edit before the import is still there
    # Each removed session can be brought back on its own (nothing is lost).
    assert store.undo("n1").undone == "delete" and store.get("n1").id == "n1"
    del before


def test_undo_import_restores_what_it_replaced(backend, store):
    store.import_sessions([sample("x", a="original"), sample("y")])
    original = export_bytes(store.get("x"))
    report = store.import_sessions([sample("x", b="new"), sample("fresh")], on_conflict="replace")
    assert store.undo_import(report) == {"removed": 1, "restored": 1}
    assert export_bytes(store.get("x")) == original and "fresh" not in backend.open().ids()


def test_undo_import_is_refused_when_an_imported_session_changed_since(backend, store):
    report = store.import_sessions([sample("n1"), sample("n2")])
    store.append_event("n2", Event("late", "inv9", "agent", "appended later", timestamp=1767323999))
    before = backend.snapshot()
    with pytest.raises(StoreError, match="n2.*changed since it was imported"):
        store.undo_import(report)
    assert backend.snapshot() == before


def test_undo_import_of_a_session_with_a_full_history(backend, store):
    """The history keeps the last MAX_RECORDS records: an import that replaces a session whose
    history is full is still undone as one change."""
    from session_tui.store.history import MAX_RECORDS

    store.import_sessions([sample("x", n=0)])
    for n in range(MAX_RECORDS):
        store.set_value("x", "/n", n + 1)
    before = export_bytes(store.get("x"))
    report = store.import_sessions([sample("x", b="new")], on_conflict="replace")
    assert store.undo_import(report) == {"removed": 0, "restored": 1}
    assert export_bytes(store.get("x")) == before
