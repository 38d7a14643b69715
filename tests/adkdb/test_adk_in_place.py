"""ADK SQLite databases opened in place (issue 9), judged by google-adk itself: what session-tui
reads is what ADK's own services return, and after session-tui's edit, rewind, delete and undo,
the database holds what google-adk's own calls would have left (done on a copy and compared row
by row), and google-adk's Runner goes on with the session."""

from __future__ import annotations

import sqlite3

import pytest

import adkkit
from adkkit import APP, LAYOUTS, adk_append, adk_get, adk_list, adk_rewind, decoded, run_agent, tables

from session_tui.adkdb.store import AdkStore
from session_tui.model import format_time, from_unix, json_equal
from session_tui.opening import open_any
from session_tui.store import NotFound, NothingToUndo, ReadOnlyStore, StaleError, StoreError


def _last_event_data(path, sid="s1"):
    import json

    with sqlite3.connect(path) as db:
        row = db.execute("SELECT event_data FROM events WHERE session_id = ? "
                         "ORDER BY timestamp DESC, rowid DESC LIMIT 1", (sid,)).fetchone()
    return json.loads(row[0])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_reads_what_google_adk_reads(adk_db, layout):
    path = adk_db(layout)
    store = open_any(path)
    assert isinstance(store, AdkStore)
    rows = {r["id"]: r for r in store.list()}
    theirs = adk_list(layout, path)
    assert sorted(rows) == sorted(s.id for s in theirs) == ["lonely", "s1", "s2"]
    for adk in theirs:
        row = rows[adk.id]
        full = adk_get(layout, path, adk.app_name, adk.user_id, adk.id)
        assert (row["app_name"], row["user_id"]) == (adk.app_name, adk.user_id)
        assert row["updated_at"] == format_time(from_unix(adk.last_update_time))
        assert row["event_count"] == len(full.events)
        assert row["invocation_count"] == len({e.invocation_id for e in full.events})
        ours = store.get(adk.id)
        assert json_equal(ours.state, full.state)  # app:/user: merged, nulls kept, no temp:
        assert [(e.id, e.invocation_id, e.author, e.timestamp) for e in ours.events] == [
            (e.id, e.invocation_id, e.author, e.timestamp) for e in full.events]
        assert [e.content for e in ours.events] == [
            e.content.parts[0].text if e.content else None for e in full.events]
        assert ours.updated_at == row["updated_at"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_an_edit_is_stored_as_adk_append_event_stores_it(adk_db, layout):
    ours = adk_db(layout)
    theirs = adkkit.copy(ours, "theirs.db")
    store = open_any(ours)
    # A nested value, a shared app: key, a key set to null (ADK keeps null as a value).
    for pointer, value in (("/c/x", 5), ("/app:flag", 7), ("/user:name", None), ("/new", None)):
        store.set_value("s1", pointer, value)
        data = _last_event_data(ours)
        assert data["author"] == "session-tui" and data["invocation_id"].startswith("edit-")
        adk_append(layout, theirs, data)  # the same event (id and time too) through google-adk
        assert decoded(ours, skip_shared_times=layout == "database") == decoded(
            theirs, skip_shared_times=layout == "database")
    mine, adks = adk_get(layout, ours), adk_get(layout, theirs)
    assert adkkit.adk_dump(mine) == adkkit.adk_dump(adks)
    assert mine.state["c"] == {"x": 5} and mine.state["app:flag"] == 7
    assert "user:name" in mine.state and mine.state["user:name"] is None
    # The agent goes on: google-adk's Runner appends to the edited session.
    run_agent(layout, ours)
    assert adk_get(layout, ours).state["runs"] == 1


@pytest.mark.parametrize("layout", LAYOUTS)
def test_removing_a_top_level_key_is_refused_with_the_reason(adk_db, layout):
    path = adk_db(layout)
    before = tables(path)
    with pytest.raises(StoreError, match="cannot remove the top-level key 'a'.*null"):
        open_any(path).unset_value("s1", "/a")
    assert tables(path) == before


def _without_ids(path, layout, sid="s1"):
    """The tables with the rewind event's own id, invocation and times replaced (they must
    differ between two rewinds) and the session's update_time with them."""
    data = decoded(path)
    events = [e for e in data["events"] if e["session_id"] == sid]
    rewind = [e for e in events if e["event_data"]["actions"].get("rewind_before_invocation_id")]
    assert len(rewind) == 1
    for e in rewind:
        e["id"] = e["event_data"]["id"] = "ID"
        e["invocation_id"] = e["event_data"]["invocation_id"] = "INV"
        e["timestamp"] = e["event_data"]["timestamp"] = "T"
    for s in data["sessions"]:
        if s["id"] == sid:
            s["update_time"] = "T"
    if layout == "database":
        for table in ("app_states", "user_states"):
            for row in data[table]:
                row.pop("update_time")
    data["events"].sort(key=lambda e: (e["session_id"], str(e["timestamp"]), e["id"]))
    return data


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("how", ["before inv-2", "to inv-1"])
def test_a_rewind_is_written_as_runner_rewind_async_writes_it(adk_db, layout, how):
    ours = adk_db(layout)
    theirs = adkkit.copy(ours, "theirs.db")
    store = open_any(ours)
    word, invocation = how.split()
    plan = store.rewind("s1", invocation, before=word == "before")
    adk_rewind(layout, theirs, "inv-2")
    assert _without_ids(ours, layout) == _without_ids(theirs, layout)
    assert plan.removed_events == 3
    mine = adk_get(layout, ours)
    assert json_equal(mine.state, adk_get(layout, theirs).state)
    assert mine.state["a"] == 1 and mine.state["c"] is None
    assert plan.staying == ["app:flag", "temp:t", "user:name"] or plan.staying == ["app:flag", "user:name"]
    run_agent(layout, ours)  # the Runner goes on after our rewind
    assert adk_get(layout, ours).state["runs"] == 1


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_rewind_keeps_keys_set_at_creation_unlike_adk(adk_db, layout):
    """google/adk-python issue 4933: ADK's rewind nulls keys the session was created with."""
    ours = adk_db(layout, creation_keys=True)
    theirs = adkkit.copy(ours, "theirs.db")
    open_any(ours).rewind("s1", "inv-2", before=True)
    adk_rewind(layout, theirs, "inv-2")
    mine, adks = _last_event_data(ours), _last_event_data(theirs)
    assert mine["actions"]["state_delta"] | {"created": None} == adks["actions"]["state_delta"]
    assert adk_get(layout, ours).state["created"] == "at creation"
    assert adk_get(layout, theirs).state["created"] is None


@pytest.mark.parametrize("layout", LAYOUTS)
def test_delete_and_undo_give_back_exactly_the_rows(adk_db, layout):
    ours = adk_db(layout)
    theirs = adkkit.copy(ours, "theirs.db")
    original = tables(ours)
    store = open_any(ours)
    store.delete("s1")
    adkkit.run(_adk_delete(layout, theirs))
    assert tables(ours) == tables(theirs)  # as ADK's own delete_session left it, exactly
    assert "s1" not in store.ids()
    result = store.undo("s1")
    assert result.undone == "delete" and result.restored_events == 5
    assert tables(ours) == original
    run_agent(layout, ours)


async def _adk_delete(layout, path):
    svc = adkkit.service(layout, path)
    try:
        await svc.delete_session(app_name=APP, user_id="u1", session_id="s1")
    finally:
        await svc.close()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_undo_of_edits_and_rewinds_gives_back_exactly_the_rows(adk_db, layout):
    path = adk_db(layout)
    original = tables(path)
    store = open_any(path)
    store.set_value("s1", "/a", {"deep": [1]})
    store.set_value("lonely", "/app:new", "made")  # no app_states row yet in the sqlite layout
    store.rewind("s1", "inv-2", before=True)
    store.set_value("s1", "/user:name", "cy")
    for session_id in ("s1", "s1", "s1", "lonely"):
        store.undo(session_id)
    assert tables(path) == original
    with pytest.raises(NothingToUndo):
        store.undo("s1")
    with pytest.raises(NotFound):
        store.undo("nobody")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_undo_is_refused_when_an_agent_wrote_since(adk_db, layout):
    path = adk_db(layout)
    store = open_any(path)
    store.set_value("s1", "/a", 10)
    run_agent(layout, path)
    before = tables(path)
    with pytest.raises(StoreError, match="changed since"):
        store.undo("s1")
    assert tables(path) == before


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_stale_revision_is_refused_and_changes_nothing(adk_db, layout):
    path = adk_db(layout)
    store = open_any(path)
    seen = store.get("s1")
    run_agent(layout, path)  # the agent wrote since we read
    before = tables(path)
    for change in (lambda: store.set_value("s1", "/a", 1, expected_revision=seen.revision),
                   lambda: store.rewind("s1", "inv-2", True, expected_revision=seen.revision),
                   lambda: store.delete("s1", expected_revision=seen.revision)):
        with pytest.raises(StaleError):
            change()
    assert tables(path) == before
    fresh = store.get("s1")
    store.set_value("s1", "/a", 1, expected_revision=fresh.revision)  # the fresh one lands


@pytest.mark.parametrize("layout", LAYOUTS)
def test_poll_sees_another_connections_append(adk_db, layout):
    path = adk_db(layout)
    store = open_any(path)
    counts = {r["id"]: r["event_count"] for r in store.list()}
    assert store.poll() is False
    run_agent(layout, path)
    assert store.poll() is True
    assert {r["id"]: r["event_count"] for r in store.list()}["s1"] == counts["s1"] + 2
    assert store.list() == open_any(path).list()  # read again in part: as a fresh look
    assert store.poll() is False
    store.set_value("s1", "/a", 4)  # our own write is not news
    assert store.poll() is False
    other = open_any(path)
    other.set_value("s2", "/app:shared", "x")  # a shared key: in every row of its app
    assert store.poll() is True
    rows = store.list()
    assert rows == other.list() and "app:shared" in {r["id"]: r for r in rows}["s1"]["search_text"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_append_event_is_stored_as_adk_stores_one(adk_db, layout):
    from session_tui.model import Event

    path = adk_db(layout)
    store = open_any(path)
    event = Event.new("inv-x", "bot", "hello there", {"k": {"n": 1}, "app:flag": 3})
    store.append_event("s2", event)
    adk = adk_get(layout, path, user="u2", sid="s2")
    last = adk.events[-1]
    assert (last.id, last.invocation_id, last.author) == (event.id, "inv-x", "bot")
    assert last.content.parts[0].text == "hello there" and last.content.role == "model"
    assert adk.state["k"] == {"n": 1} and adk.state["app:flag"] == 3
    run_agent(layout, path, user="u2", sid="s2")


def test_an_id_in_two_apps_is_named_app_user_id(adk_fixtures, tmp_path):
    path = tmp_path / "sqlite.db"
    path.write_bytes((adk_fixtures / "sqlite.db").read_bytes())
    store = open_any(path)
    ids = store.ids()
    assert "weather_app/alice/weather-alice-1" in ids and "travel_app/bob/weather-alice-1" in ids
    assert store.get("travel_app/bob/weather-alice-1").app_name == "travel_app"
    with pytest.raises(StoreError, match="app/user/id"):
        store.get("weather-alice-1")


def test_create_and_import_are_refused_up_front(adk_db):
    from session_tui.model import Session

    path = adk_db("sqlite")
    before = tables(path)
    store = open_any(path)
    with pytest.raises(StoreError, match="created by ADK"):
        store.create("a", "u")
    with pytest.raises(StoreError, match="import into a session-tui store"):
        store.import_sessions([Session.new("a", "u", "x")])
    assert tables(path) == before


def test_read_only_opening_reads_and_refuses_changes(adk_db):
    path = adk_db("database")
    before = tables(path)
    store = open_any(path, read_only=True)
    assert store.read_only and "read-only" in store.read_only_reason
    assert len(store.get("s1").events) == 5
    for change in (lambda: store.set_value("s1", "/a", 1), lambda: store.delete("s1"),
                   lambda: store.rewind("s1", "inv-2"), lambda: store.undo("s1")):
        with pytest.raises(ReadOnlyStore):
            change()
    assert tables(path) == before
    assert not (path.parent / (path.name + ".session-tui")).exists()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_record_whose_change_never_landed_is_dropped(adk_db, layout):
    """The undo record is filed before the transaction commits; a change that never committed
    (a crash in between) leaves a record whose rows are still the "before" ones: dropped."""
    path = adk_db(layout)
    saved = path.read_bytes()
    store = open_any(path)
    store.set_value("s1", "/a", "first")  # an earlier change, landed
    landed = path.read_bytes()
    store.set_value("s1", "/a", "second")
    store.close()
    path.write_bytes(landed)  # the second edit's commit never happened
    store = open_any(path)
    assert store.undo("s1").undone == "edit"  # undoes the first: the second is dropped
    assert path.read_bytes() != landed
    assert tables(path) == _tables_of(saved, path.parent / "saved.db")
    with pytest.raises(NothingToUndo):
        store.undo("s1")


def _tables_of(data: bytes, where):
    where.write_bytes(data)
    return tables(where)


def test_a_list_between_two_polls_does_not_hide_a_change(adk_db):
    path = adk_db("sqlite")
    store = open_any(path)
    assert store.poll() is False
    run_agent("sqlite", path)
    store.list()  # e.g. a screen reading the list on its own
    store.set_value("s2", "/mine", 1)  # and our own write after theirs
    assert store.poll() is True  # the agent's append is still news
    assert store.poll() is False


@pytest.mark.parametrize("layout", LAYOUTS)
def test_an_edit_of_a_session_from_the_future_still_sorts_last(adk_db, layout):
    """An agent whose clock ran ahead: the edit goes after its events, and update_time moves
    forward (so an agent that loaded the session before sees it went stale)."""
    path = adk_db(layout)
    ahead = 4_000_000_000.0  # 2096
    adkkit.run(_append_at(layout, path, ahead))
    store = open_any(path)
    store.set_value("s1", "/a", "later")
    adk = adk_get(layout, path)
    assert adk.events[-1].author == "session-tui" and adk.events[-1].timestamp > ahead
    assert adk.last_update_time > ahead and adk.state["a"] == "later"
    undone = store.undo("s1")
    assert undone.undone == "edit" and adk_get(layout, path).state["a"] == 3


async def _append_at(layout, path, when):
    svc = adkkit.service(layout, path)
    try:
        session = await svc.get_session(app_name=APP, user_id="u1", session_id="s1")
        await svc.append_event(session, adkkit.AdkEvent(invocation_id="inv-f", author="bot",
                                                        timestamp=when))
    finally:
        await svc.close()
