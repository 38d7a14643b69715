"""Undo and import next to other writers (issue 7, holes 2 and 3): undo reverts only its own
change and keeps what an agent appended since; where that cannot be done exactly it is refused
with the reason and changes nothing. An import decides "already there?" from the store as it is
under the lock, not from what this store object saw when it was opened."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from session_tui.model import Event, Session
from session_tui.store import NothingToUndo, StoreError
from session_tui.store.history import UndoRecord
from storekit import Backend, add_event, export_bytes


def agent_event(invocation: str, delta: dict) -> Event:
    return Event.new(invocation, "agent", "from the agent", state_delta=delta)


def event_ids(session: Session) -> list[str]:
    return [e.id for e in session.events]


def replayed_state(session: Session) -> dict:
    """The state the events say: the initial state with every state_delta applied in order."""
    state = dict(session.extra.get("initial_state", {}))
    for event in session.events:
        for key, value in event.actions.state_delta.items():
            if value is None:
                state.pop(key, None)
            else:
                state[key] = value
    return state


# ------------------------------------------------------------------ undo keeps what came after


def test_edit_then_append_then_undo_keeps_the_append(backend, store):
    store.create("app", "u", state={"n": 0, "shared": "old"}, session_id="s")
    store.set_value("s", "/mine", 1)
    store.set_value("s", "/shared", "edited")
    agent = backend.open()  # another writer, with its own store object
    appended = agent.append_event("s", agent_event("agent-1", {"agent": 1, "shared": "agent"}))
    appended_event = appended.events[-1]

    result = backend.open().undo("s")  # undoes the edit of /shared only
    assert result.undone == "edit" and result.removed_events == 1 and result.restored_events == 0
    session = store.get("s")
    assert session.state == {"n": 0, "mine": 1, "shared": "agent", "agent": 1}
    assert session.events[-1].export() == appended_event.export()
    assert [e.author for e in session.events] == ["session-tui", "agent"]
    assert session.state == replayed_state(session)

    store.undo("s")  # and the edit of /mine: the append still stays
    session = store.get("s")
    assert session.state == {"n": 0, "shared": "agent", "agent": 1}
    assert event_ids(session) == [appended_event.id]
    with pytest.raises(NothingToUndo):
        store.undo("s")


def test_edit_then_undo_without_appends_is_still_exact(backend, store):
    store.create("app", "u", state={"n": 0}, session_id="s")
    add_event(store, "s", "agent-1", {"a": 1})
    before = export_bytes(store.get("s"))
    store.set_value("s", "/b", 2)
    store.undo("s")
    assert export_bytes(backend.open().get("s")) == before  # updated_at included


def test_rewind_then_append_then_undo_keeps_the_append(backend, store):
    store.create("app", "u", state={"n": 0}, session_id="s")
    for n in range(1, 4):
        add_event(store, "s", f"inv{n}", {"n": n, f"k{n}": n})
    before_rewind = store.get("s")
    plan = store.rewind("s", "inv1")  # removes inv2 and inv3
    assert plan.removed_events == 2
    appended = backend.open().append_event("s", agent_event("inv4", {"x": 4, "n": 40}))

    result = store.undo("s")
    assert result.undone == "rewind"
    assert result.restored_events == 2 and result.removed_events == 0
    session = backend.open().get("s")
    assert event_ids(session) == event_ids(before_rewind) + [appended.events[-1].id]
    assert session.state == {**before_rewind.state, "x": 4, "n": 40}
    assert session.state == replayed_state(session)


def test_undo_of_an_edit_whose_event_was_rewound_away_outside_is_refused(backend, store):
    """Another program (no undo record of ours) rewrote the session: the edit's event is gone,
    so undo cannot tell what to put back: refused, nothing changed."""
    store.create("app", "u", session_id="s")
    add_event(store, "s", "inv1", {"a": 1})
    store.set_value("s", "/b", 2)
    rewritten = store.get("s")
    rewritten.events = [agent_event("other", {"c": 3})]
    rewritten.state = {"c": 3}
    store._write([rewritten], [], {})  # a writer that keeps no undo record
    snapshot = backend.snapshot()
    with pytest.raises(StoreError, match="'s'.*(rewound|replaced)") as refused:
        backend.open().undo("s")
    assert "\n" not in str(refused.value)
    assert backend.snapshot() == snapshot


def test_delete_then_recreate_then_undo_is_refused(backend, store):
    store.create("app", "u", state={"old": 1}, session_id="s")
    store.delete("s")
    backend.open().create("app", "u", state={"new": 1}, session_id="s")
    snapshot = backend.snapshot()
    with pytest.raises(StoreError, match="'s'.*created again") as refused:
        store.undo("s")
    assert "\n" not in str(refused.value)
    assert backend.snapshot() == snapshot
    assert backend.open().get("s").state == {"new": 1}


def test_delete_then_import_recreating_it_then_undo_is_refused(backend, store):
    store.create("app", "u", state={"old": 1}, session_id="s")
    store.delete("s")
    newcomer = Session.new("app", "u", "s")
    newcomer.state = {"imported": True}
    assert backend.open().import_sessions([newcomer]).added == ["s"]
    snapshot = backend.snapshot()
    with pytest.raises(StoreError, match="created again"):
        store.undo("s")
    assert backend.snapshot() == snapshot


def test_import_replace_then_append_then_undo_is_refused(backend, store):
    original = Session.new("app", "u", "x")
    original.state = {"a": 1}
    store.import_sessions([original])
    newer = Session.new("other-app", "u", "x")
    newer.state = {"b": 2}
    newer.events.append(agent_event("imported-inv", {"b": 2}))
    assert store.import_sessions([newer], on_conflict="replace").replaced == ["x"]
    add_event(backend.open(), "x", "agent-after", {"c": 3})
    snapshot = backend.snapshot()
    with pytest.raises(StoreError, match="'x'.*appended.*import") as refused:
        store.undo("x")
    assert "\n" not in str(refused.value)
    assert backend.snapshot() == snapshot


def test_import_replace_then_undo_without_appends_is_exact(backend, store):
    original = Session.new("app", "u", "x")
    original.events.append(agent_event("old-inv", {"a": 1}))
    original.state = {"a": 1}
    store.import_sessions([original])
    before = export_bytes(store.get("x"))
    newer = Session.new("other-app", "u", "x")
    newer.events = [agent_event("new-inv", {"b": 2}), agent_event("new-inv", {"c": 3})]
    store.import_sessions([newer], on_conflict="replace")
    result = backend.open().undo("x")
    assert (result.undone, result.restored_events, result.removed_events) == ("import", 1, 2)
    assert export_bytes(store.get("x")) == before


# ------------------------------------------------- a change whose record landed but it did not


def _unlanded(store, session_id: str, kind: str) -> None:
    """Leave an undo record for a change that never reached the session file, as a writer
    killed between the two writes does."""
    current = store.get(session_id)
    if kind == "edit":
        after = list(current.events) + [Event.new("edit-x", "session-tui", None, {"z": 1})]
    else:  # a rewind that would have removed the last event
        after = list(current.events[:-1])
    record = UndoRecord.between(kind, current, after)
    store.history.save(session_id, store.history_of(session_id) + [record])


@pytest.mark.parametrize("kind", ["edit", "rewind"])
def test_a_record_whose_change_never_landed_is_skipped_even_after_appends(backend, store, kind):
    store.create("app", "u", session_id="s")
    add_event(store, "s", "inv1", {"a": 1})
    store.set_value("s", "/b", 2)
    _unlanded(store, "s", kind)
    later = add_event(backend.open(), "s", "inv2", {"c": 3}).events[-1]
    store.undo("s")  # skips the record that never landed; undoes the edit of /b
    session = backend.open().get("s")
    assert session.state == {"a": 1, "c": 3}
    assert [e.invocation_id for e in session.events] == ["inv1", "inv2"]
    assert session.events[-1].id == later.id  # not doubled, not dropped
    with pytest.raises(NothingToUndo):
        store.undo("s")


def test_history_written_before_these_fields_still_undoes(backend, store):
    """Records on disk from before `after_count`/`after_last` existed undo as they always did."""
    store.create("app", "u", state={"n": 0}, session_id="s")
    add_event(store, "s", "inv1", {"a": 1})
    versions = [export_bytes(store.get("s"))]
    store.set_value("s", "/b", 2)
    versions.append(export_bytes(store.get("s")))
    store.rewind("s", "inv1", before=True)
    path = store.history.path("s")
    value = orjson.loads(path.read_bytes())
    for record in value["records"]:
        record.pop("after_count", None)
        record.pop("after_last", None)
    path.write_bytes(orjson.dumps(value))
    for expected in reversed(versions):
        backend.open().undo("s")
        assert export_bytes(store.get("s")) == expected


# --------------------------------------------------- import against the store as it is now


def _plain(session_id: str, app: str) -> Session:
    s = Session.new(app, "u", session_id)
    s.state = {"by": app}
    return s


def test_import_skips_a_session_another_writer_created_since_open(backend):
    importer = backend.open()  # long-lived: opened before the other writer created "x"
    backend.open().create("creator", "u", state={"by": "creator"}, session_id="x")
    report = importer.import_sessions([_plain("x", "importer"), _plain("y", "importer")])
    assert report.skipped == ["x"] and report.added == ["y"]
    assert backend.open().get("x").state == {"by": "creator"}


def test_import_replace_of_a_session_created_since_open_is_undoable(backend):
    importer = backend.open()
    backend.open().create("creator", "u", state={"by": "creator"}, session_id="x")
    created = export_bytes(backend.open().get("x"))
    report = importer.import_sessions([_plain("x", "importer")], on_conflict="replace")
    assert report.replaced == ["x"] and report.added == []
    assert backend.open().get("x").state == {"by": "importer"}
    assert backend.open().undo("x").undone == "import"
    assert export_bytes(backend.open().get("x")) == created


def test_import_keep_both_avoids_ids_created_since_open(backend):
    importer = backend.open()
    other = backend.open()
    other.create("creator", "u", state={"by": "creator"}, session_id="x")
    other.create("creator", "u", state={"by": "creator 2"}, session_id="x~2")
    report = importer.import_sessions([_plain("x", "importer")], on_conflict="keep-both")
    assert report.renamed == [("x", "x~3")]
    fresh = backend.open()
    assert fresh.get("x").state == {"by": "creator"}
    assert fresh.get("x~2").state == {"by": "creator 2"}
    assert fresh.get("x~3").state == {"by": "importer"}


def test_a_stale_store_object_never_writes_an_index_without_newer_sessions(tmp_path):
    from session_tui.store import DirectoryStore

    stale = DirectoryStore(tmp_path / "store", create=True)
    DirectoryStore(tmp_path / "store").create("app", "u", session_id="from-other")
    stale.create("app", "u", session_id="from-stale")
    stale.import_sessions([_plain("imported", "app")])
    from concurrency import written_index

    listed = sorted(doc["id"] for doc in written_index(tmp_path / "store").values())
    assert listed == ["from-other", "from-stale", "imported"]
    assert sorted(stale.ids()) == listed


# ------------------------------------------- a state machine: undo among another writer's appends

KEYS = ("a", "b", "c")


class UndoAmongAppends(RuleBasedStateMachine):
    """Edits and rewinds (undoable) by one store object, appends by another (an agent), undos
    in between: undo always reverts the newest recorded change and nothing else, never removes
    an appended event, and the state always says what the events say."""

    kind = "directory"

    def __init__(self):
        super().__init__()
        self.folder = tempfile.mkdtemp()
        self.backend = Backend(self.kind, Path(self.folder))
        self.store = self.backend.open()
        self.agent = self.backend.open()
        self.store.create("app", "u", state={"a": 0}, session_id="s")
        self.appended: set[str] = set()
        self.changes: list[tuple] = []  # recorded changes, newest last

    def teardown(self):
        shutil.rmtree(self.folder, ignore_errors=True)

    @rule(key=st.sampled_from(KEYS), value=st.integers(0, 2))
    def edit(self, key, value):
        before = len(self.store.get("s").events)
        session = self.store.set_value("s", f"/{key}", value)
        if len(session.events) > before:  # setting a key to its value records nothing
            self.changes.append(("edit", session.events[-1].id))

    @rule(key=st.sampled_from(KEYS), value=st.none() | st.integers(0, 2),
          invocation=st.sampled_from(["inv1", "inv2"]))
    def append(self, key, value, invocation):
        session = self.agent.append_event("s", agent_event(invocation, {key: value}))
        self.appended.add(session.events[-1].id)

    @rule(pick=st.integers(0, 50), before=st.booleans())
    def rewind(self, pick, before):
        session = self.store.get("s")
        invocations = session.invocation_ids()
        if not invocations:
            return
        plan = self.store.rewind("s", invocations[pick % len(invocations)], before=before)
        removed = event_ids(session)[plan.keep:]
        removed_appends = self.appended & set(removed)  # a rewind may remove them; undo not
        self.changes.append(("rewind", plan.keep, removed, removed_appends))
        self.appended -= removed_appends

    @rule(restart=st.booleans())
    def undo(self, restart):
        ids_before = event_ids(self.store.get("s"))
        store = self.backend.open() if restart else self.store
        if not self.changes:
            with pytest.raises(NothingToUndo):
                store.undo("s")
            return
        change = self.changes.pop()
        result = store.undo("s")
        assert result.undone == change[0]
        ids = event_ids(self.store.get("s"))
        if change[0] == "edit":
            assert ids == [i for i in ids_before if i != change[1]]
        else:
            _, keep, removed, removed_appends = change
            assert ids == ids_before[:keep] + removed + ids_before[keep:]
            self.appended |= removed_appends
        assert self.appended <= set(ids)

    @invariant()
    def appends_stay_and_state_follows_the_events(self):
        session = self.backend.open().get("s")
        assert self.appended <= set(event_ids(session))
        assert session.state == replayed_state(session)


class UndoAmongAppendsTinyFile(UndoAmongAppends):
    kind = "tinyfile"


TestUndoAmongAppendsDirectory = UndoAmongAppends.TestCase
TestUndoAmongAppendsTinyFile = UndoAmongAppendsTinyFile.TestCase
TestUndoAmongAppendsDirectory.settings = TestUndoAmongAppendsTinyFile.settings = settings(
    max_examples=10, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])


def test_cli_undo_refused_exits_2_with_one_line(backend, capsys):
    from session_tui import cli

    store = backend.open()
    store.create("app", "u", state={"old": 1}, session_id="s")
    store.delete("s")
    backend.open().create("app", "u", state={"new": 1}, session_id="s")
    snapshot = backend.snapshot()
    capsys.readouterr()
    assert cli.main(["--store", str(backend.path), "undo", "s"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "created again" in err and "'s'" in err
    assert backend.snapshot() == snapshot
