"""The store interface on both backends: create, get, list, delete, state edits, stale writes,
polling (SPEC sections 2, 3 and 7)."""

from __future__ import annotations

import re

import orjson
import pytest
from tinydb import TinyDB

from session_tui import pointer as jp
from session_tui.model import Event, Session, parse_time
from session_tui.store import (
    DirectoryStore,
    NotFound,
    StaleError,
    StoreError,
    TinyFileStore,
    open_store,
)
from storekit import add_event, export_bytes

EDIT_INVOCATION = re.compile(r"^edit-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SUMMARY_KEYS = {"id", "app_name", "user_id", "created_at", "updated_at", "event_count",
                "invocation_count"}


# ---------------------------------------------------------------------------------- create/get


def test_backend_kinds(backend, store):
    assert isinstance(store, DirectoryStore if backend.kind == "directory" else TinyFileStore)
    assert store.list() == []


def test_create_keeps_initial_state_and_persists(backend, store):
    state = {"user_name": "Ada", "prefs": {"seat": "aisle"}, "app:theme": "dark"}
    created = store.create("travel", "ada", state=state, session_id="s1")
    assert created.id == "s1"
    assert created.state == state
    assert created.initial_state == state
    assert created.events == []
    assert created.created_at == created.updated_at
    # A caller changing its own dict afterwards does not reach the store's copy.
    state["prefs"]["seat"] = "window"

    again = backend.open().get("s1")
    assert again.app_name == "travel" and again.user_id == "ada"
    assert again.state == {"user_name": "Ada", "prefs": {"seat": "aisle"}, "app:theme": "dark"}
    assert again.export()["initial_state"] == again.state
    assert export_bytes(again) == export_bytes(store.get("s1"))


def test_create_without_state_has_no_initial_state(store):
    created = store.create("app", "u")
    assert created.state == {} and created.initial_state is None
    assert "initial_state" not in store.get(created.id).export()
    # A random UUID id.
    assert re.fullmatch(r"[0-9a-f-]{36}", created.id)


def test_create_refuses_a_taken_id(backend, store):
    store.create("app", "u", state={"a": 1}, session_id="dup")
    before = backend.snapshot()
    with pytest.raises(StoreError):
        store.create("other", "v", session_id="dup")
    assert backend.snapshot() == before
    assert store.get("dup").app_name == "app"


def test_get_returns_independent_copies(store):
    store.create("app", "u", state={"nested": {"list": [1, 2]}, "n": 1}, session_id="s")
    add_event(store, "s", "inv-1", {"k": {"deep": [1]}})
    first = store.get("s")
    pristine = export_bytes(first)
    first.state["nested"]["list"].append(3)
    first.state["new"] = True
    first.events[0].actions.state_delta["k"]["deep"].append(2)
    first.events.clear()
    first.extra["initial_state"]["n"] = 99
    assert export_bytes(store.get("s")) == pristine
    # Two reads are distinct objects all the way down.
    a, b = store.get("s"), store.get("s")
    assert a.state["nested"] is not b.state["nested"]
    a.state["nested"]["list"].clear()
    assert b.state["nested"]["list"] == [1, 2]
    # The session returned by a change is the caller's too.
    changed = store.set_value("s", "/n", 2)
    changed.state["n"] = 3
    assert store.get("s").state["n"] == 2


def test_list_summaries(store):
    store.create("travel", "ada", session_id="a")
    store.create("support", "bob", session_id="b")
    add_event(store, "b", "i1", {"x": 1})
    add_event(store, "b", "i1")
    add_event(store, "b", "i2")
    rows = {r["id"]: r for r in store.list()}
    assert set(rows) == {"a", "b"}
    for row in rows.values():
        assert SUMMARY_KEYS <= set(row)
    b = store.get("b")
    assert rows["b"]["app_name"] == "support" and rows["b"]["user_id"] == "bob"
    assert rows["b"]["event_count"] == 3 and rows["b"]["invocation_count"] == 2
    assert rows["b"]["updated_at"] == b.updated_at and rows["b"]["created_at"] == b.created_at
    assert rows["a"]["event_count"] == 0 and rows["a"]["invocation_count"] == 0
    # Mutating a returned summary does not change the store's.
    rows["a"]["event_count"] = 42
    assert {r["id"]: r for r in store.list()}["a"]["event_count"] == 0
    assert sorted(store.ids()) == ["a", "b"]
    assert "a" in store and "zzz" not in store


def test_directory_list_reads_no_session_file(tmp_path, monkeypatch):
    store = DirectoryStore(tmp_path / "store", create=True)
    for n in range(5):
        store.create("app", f"user{n}", state={"n": n}, session_id=f"s{n}")
        add_event(store, f"s{n}", "inv", {"m": n})
    expected = sorted(store.ids())

    def no_reading(self, path):
        raise AssertionError(f"listing read a session file: {path}")

    monkeypatch.setattr(DirectoryStore, "_read_file", no_reading)
    fresh = DirectoryStore(tmp_path / "store", create=False)
    rows = fresh.list()
    assert sorted(r["id"] for r in rows) == expected
    assert all(r["event_count"] == 1 for r in rows)
    assert fresh.poll() is False


def test_missing_session_is_not_found(store):
    with pytest.raises(NotFound):
        store.get("nope")
    with pytest.raises(NotFound):
        store.set_value("nope", "/a", 1)
    with pytest.raises(NotFound):
        store.delete("nope")
    with pytest.raises(NotFound):
        store.undo("nope")


def test_open_store_missing_path(tmp_path):
    with pytest.raises(NotFound):
        open_store(tmp_path / "missing")
    assert not (tmp_path / "missing").exists()
    created = open_store(tmp_path / "missing", create=True)
    assert isinstance(created, DirectoryStore) and (tmp_path / "missing").is_dir()


# ---------------------------------------------------------------------------------- delete


def test_delete_and_undo(backend, store):
    store.create("app", "u", state={"a": 1}, session_id="gone")
    store.create("app", "u", session_id="stays")
    add_event(store, "gone", "i1", {"b": 2})
    store.set_value("gone", "/c", 3)
    original = export_bytes(store.get("gone"))

    store.delete("gone")
    assert "gone" not in store
    assert store.ids() == ["stays"]
    other = backend.open()
    with pytest.raises(NotFound):
        other.get("gone")
    assert other.ids() == ["stays"]

    result = other.undo("gone")
    assert result.undone == "delete"
    assert result.restored_events == 2 and result.removed_events == 0
    assert result.state_changes == {"a": {"new": 1}, "b": {"new": 2}, "c": {"new": 3}}
    assert export_bytes(store.get("gone")) == original
    assert sorted(backend.open().ids()) == ["gone", "stays"]
    # And the edit before the delete is next.
    assert store.undo("gone").undone == "edit"
    assert "c" not in store.get("gone").state


# ---------------------------------------------------------------------------------- edits


def test_edit_is_recorded_as_an_event(store):
    store.create("app", "u", state={"booking": {"seat": "12A"}, "old": 1}, session_id="s")
    before = store.get("s")
    after = store.set_value("s", "/booking/seat", "14C")
    assert after.state == {"booking": {"seat": "14C"}, "old": 1}
    assert len(after.events) == 1
    event = after.events[-1]
    assert EDIT_INVOCATION.match(event.invocation_id)
    assert event.author == "session-tui"
    assert event.content is None
    assert event.actions.state_delta == {"booking": {"seat": "14C"}}
    assert event.actions.transfer_to_agent is None and event.actions.escalate is False
    assert parse_time(after.updated_at) >= parse_time(before.updated_at)

    removed = store.unset_value("s", "/old")
    last = removed.events[-1]
    assert last.actions.state_delta == {"old": None}
    assert "old" not in removed.state
    # Each edit is its own invocation.
    assert len({e.invocation_id for e in removed.events}) == 2
    assert store.get("s").export() == removed.export()


def test_edit_state_with_a_function(store):
    store.create("app", "u", state={"a": 1, "b": 2}, session_id="s")
    new = store.edit_state("s", lambda st: (st.pop("a"), st.__setitem__("c", [1])))
    assert new.state == {"b": 2, "c": [1]}
    assert new.events[-1].actions.state_delta == {"a": None, "c": [1]}
    # A change that changes nothing records nothing.
    same = store.edit_state("s", lambda st: st.__setitem__("b", 2))
    assert len(same.events) == 1
    assert len(store.get("s").events) == 1


def test_edit_distinguishes_json_types(store):
    store.create("app", "u", state={"flag": 1}, session_id="s")
    new = store.set_value("s", "/flag", True)
    assert new.state["flag"] is True
    assert len(new.events) == 1


def test_set_value_creates_missing_parents(store):
    store.create("app", "u", session_id="s")
    new = store.set_value("s", "/a/b/c", 1)
    assert new.state == {"a": {"b": {"c": 1}}}
    assert new.events[-1].actions.state_delta == {"a": {"b": {"c": 1}}}
    new = store.set_value("s", "/a/b/d", {"x": None})
    assert new.state == {"a": {"b": {"c": 1, "d": {"x": None}}}}


def test_set_value_escaped_keys(store):
    store.create("app", "u", session_id="s")
    new = store.set_value("s", "/a~1b/c~0d", "v")
    assert new.state == {"a/b": {"c~d": "v"}}


def test_set_value_arrays(store):
    store.create("app", "u", state={"l": [1, 2], "rows": [{"x": 1}]}, session_id="s")
    assert store.set_value("s", "/l/-", 3).state["l"] == [1, 2, 3]
    assert store.set_value("s", "/l/0", "first").state["l"] == ["first", 2, 3]
    assert store.set_value("s", "/l/3", 4).state["l"] == ["first", 2, 3, 4]  # the end: append
    assert store.set_value("s", "/rows/0/y", 2).state["rows"] == [{"x": 1, "y": 2}]
    assert store.get("s").state["l"] == ["first", 2, 3, 4]
    assert len(store.get("s").events) == 4


@pytest.mark.parametrize("pointer", ["/n/x", "/n/x/y", "/s/0", "/l/9", "/l/01", "/l/x", "", "no-slash", "/a~2"])
def test_bad_set_is_refused_and_changes_nothing(backend, store, pointer):
    store.create("app", "u", state={"n": 5, "s": "str", "l": [1]}, session_id="s")
    before = backend.snapshot()
    with pytest.raises(jp.PointerError):
        store.set_value("s", pointer, 1)
    assert backend.snapshot() == before
    assert store.get("s").state == {"n": 5, "s": "str", "l": [1]}


@pytest.mark.parametrize("pointer", ["/missing", "/a/missing", "/a/x/y", "/l/1", "/l/-", "/n/deeper"])
def test_unset_missing_is_pointer_not_found(backend, store, pointer):
    store.create("app", "u", state={"a": {"x": 1}, "l": [0], "n": 1}, session_id="s")
    before = backend.snapshot()
    with pytest.raises(jp.PointerNotFound):
        store.unset_value("s", pointer)
    assert backend.snapshot() == before


def test_unset_nested_and_array(store):
    store.create("app", "u", state={"a": {"x": 1, "y": 2}, "l": [0, 1, 2]}, session_id="s")
    new = store.unset_value("s", "/a/x")
    assert new.state["a"] == {"y": 2}
    assert new.events[-1].actions.state_delta == {"a": {"y": 2}}
    new = store.unset_value("s", "/l/1")
    assert new.state["l"] == [0, 2]
    with pytest.raises(jp.PointerError):
        store.unset_value("s", "")


def test_rename_key_keeps_order(backend, store):
    store.create("app", "u", state={"a": 1, "b": {"x": 1, "y": 2, "z": 3}, "c": 3},
                 session_id="s")
    new = store.rename_key("s", "/b", "renamed")
    assert list(new.state) == ["a", "renamed", "c"]
    assert new.state["renamed"] == {"x": 1, "y": 2, "z": 3}
    assert new.events[-1].actions.state_delta == {"b": None, "renamed": {"x": 1, "y": 2, "z": 3}}
    new = store.rename_key("s", "/renamed/y", "why")
    assert list(new.state["renamed"]) == ["x", "why", "z"]
    # Order survives the round trip through the file and a new store object.
    fresh = backend.open().get("s")
    assert list(fresh.state) == ["a", "renamed", "c"]
    assert list(fresh.state["renamed"]) == ["x", "why", "z"]
    before = backend.snapshot()
    with pytest.raises(jp.PointerError):
        store.rename_key("s", "/a", "c")  # taken
    with pytest.raises(jp.PointerNotFound):
        store.rename_key("s", "/nope", "x")
    assert backend.snapshot() == before


def test_append_event_applies_delta(store):
    store.create("app", "u", state={"keep": 1, "drop": 2}, session_id="s")
    new = add_event(store, "s", "inv-1", {"added": {"v": 1}, "drop": None, "keep": 5},
                    content="hi", timestamp=1712345678.25)
    assert new.state == {"keep": 5, "added": {"v": 1}}
    stored = store.get("s")
    assert stored.state == new.state
    assert [e.invocation_id for e in stored.events] == ["inv-1"]
    assert stored.events[0].content == "hi" and stored.events[0].timestamp == 1712345678.25
    row = {r["id"]: r for r in store.list()}["s"]
    assert row["event_count"] == 1 and row["invocation_count"] == 1


# ---------------------------------------------------------------------------------- staleness


def test_stale_revision_is_refused(backend, store):
    store.create("app", "u", state={"a": 1}, session_id="s")
    add_event(store, "s", "i1", {"b": 1})
    old = store.get("s")
    other = backend.open()
    other.set_value("s", "/a", 2)
    before = backend.snapshot()
    current = export_bytes(other.get("s"))

    with pytest.raises(StaleError):
        store.set_value("s", "/c", 3, expected_revision=old.revision)
    with pytest.raises(StaleError):
        store.unset_value("s", "/a", expected_revision=old.revision)
    with pytest.raises(StaleError):
        store.rename_key("s", "/a", "z", expected_revision=old.revision)
    with pytest.raises(StaleError):
        store.rewind("s", "i1", before=True, expected_revision=old.revision)
    with pytest.raises(StaleError):
        store.delete("s", expected_revision=old.revision)
    with pytest.raises(StaleError):
        store.append_event("s", Event.new("i2", "agent", "x", state_delta={"x": 1}),
                           expected_revision=old.revision)
    assert backend.snapshot() == before
    assert export_bytes(store.get("s")) == current

    # With the current revision the change goes through, and hands back the next revision.
    fresh = store.get("s")
    new = store.set_value("s", "/c", 3, expected_revision=fresh.revision)
    assert new.revision != fresh.revision
    assert store.set_value("s", "/d", 4, expected_revision=new.revision).state["d"] == 4


def test_poll_notices_another_writer(backend, store):
    store.create("app", "u", session_id="s")
    assert store.poll() is False
    other = backend.open()
    assert other.poll() is False
    other.set_value("s", "/a", 1)  # an edit alone: same number of sessions
    assert store.poll() is True
    assert {r["id"]: r for r in store.list()}["s"]["event_count"] == 1
    assert store.poll() is False
    other.create("app", "u2", session_id="t")
    assert store.poll() is True
    assert sorted(store.ids()) == ["s", "t"]
    assert {r["id"]: r for r in store.list()}["s"]["event_count"] == 1
    assert store.get("s").state == {"a": 1}
    assert store.poll() is False
    other.delete("t")
    assert store.poll() is True
    assert store.ids() == ["s"]
    # A store's own writes are not "another process".
    store.set_value("s", "/b", 2)
    assert store.poll() is False


# ---------------------------------------------------------------------------------- TinyDB file


def test_plain_tinydb_file_written_by_tinydb(tmp_path):
    """What someone gets from `TinyDB("sessions.json").insert(session.export())`, opened in
    place, changed through the store, and still a TinyDB file TinyDB reads."""
    path = tmp_path / "sessions.json"
    one = Session.new("travel", "ada", "one")
    one.state = {"a": 1}
    two = Session.new("support", "bob", "two")
    db = TinyDB(path)
    db.insert(one.export())
    db.table("archive").insert(two.export())
    db.table("notes").insert({"note": "not a session"})
    db.close()

    store = open_store(path)
    assert isinstance(store, TinyFileStore)
    assert sorted(store.ids()) == ["one", "two"]
    assert len(store.problems) == 1 and "notes" in store.problems[0]
    assert export_bytes(store.get("one")) == orjson.dumps(one.export())

    add_event(store, "two", "i1", {"x": 1})
    store.set_value("one", "/a", 2)
    store.create("new", "carol", session_id="three")
    store.rewind("two", "i1", before=True)
    store.undo("two")

    db = TinyDB(path)
    try:
        assert {d["id"] for d in db.all()} == {"one", "three"}
        assert [d["id"] for d in db.table("archive").all()] == ["two"]
        assert db.table("notes").all() == [{"note": "not a session"}]
        assert db.all()[0]["state"] == {"a": 2}
        assert len(db.table("archive").all()[0]["events"]) == 1
    finally:
        db.close()
    # Undo history and lock live beside the user's file, not in it.
    assert (tmp_path / "sessions.json.session-tui").is_dir()
    assert sorted(orjson.loads(path.read_bytes())) == ["_default", "archive", "notes"]


def test_top_level_null_set_is_refused_and_changes_nothing(store):
    """In a state_delta null means "removed", so an edit event could not record a top-level
    null: it is refused (nested nulls are fine)."""
    from session_tui.store import StoreError

    session = store.create("app", "u", state={"k": 1})
    before = store.get(session.id).export()
    with pytest.raises(StoreError, match="cannot be set to null"):
        store.set_value(session.id, "/k", None)
    assert store.get(session.id).export() == before
    store.set_value(session.id, "/n/inner", None)
    assert store.get(session.id).state["n"] == {"inner": None}


def test_a_state_nested_500_deep_is_stored_copied_and_rewound(store):
    """Deeper than orjson writes (255) and than copy.deepcopy copes with (~490)."""
    from session_tui.model import Event, restore_state

    deep = leaf = {}
    for _ in range(500):
        leaf["d"] = {}
        leaf = leaf["d"]
    leaf["bottom"] = True
    session = store.create("app", "u", state={"deep": deep})
    store.append_event(session.id, Event.new("inv-1", "agent", "hi", {"deep": {"shallow": 1}}))
    again = store.get(session.id).copy()
    assert again.state == {"deep": {"shallow": 1}}
    assert restore_state(again, 0).state == {"deep": deep}
    store.rewind(session.id, "inv-1", before=True)
    assert store.get(session.id).state == {"deep": deep}
    store.set_value(session.id, "/deep" + "/d" * 500 + "/bottom", False)
    store.undo(session.id)
    assert store.get(session.id).state == {"deep": deep}
