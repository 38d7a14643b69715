"""ADK databases on PostgreSQL opened in place (issue 9, point 8), judged by google-adk itself
on the suite's own server: what session-tui lists and shows is what google-adk's
DatabaseSessionService returns; after session-tui's edit, rewind, delete and undo the database
holds what google-adk's own calls leave on a copy (compared row by row), and google-adk's Runner
goes on with the session. The same data and checks as test_adk_in_place.py (SQLite files)."""

from __future__ import annotations

import pytest

import adkkit
from adkkit import APP, AdkEvent, adk_get, adk_list, adk_rewind, run_agent
import pgkit
from pgkit import adk_url
from pgserver import PASSWORD

from session_tui.adkdb import db as adk_db_module
from session_tui.adkdb.store import AdkStore
from session_tui.model import Event, format_time, from_unix, json_equal
from session_tui.opening import open_any
from session_tui.store import NotFound, NothingToUndo, ReadOnlyStore, StaleError, StoreError

LAYOUT = "database"  # google-adk's DatabaseSessionService is the only service on PostgreSQL


class PgDb:
    """One database on the suite's server: the URL people write (for session-tui), the URL
    google-adk takes, and its rows."""

    def __init__(self, server, name: str):
        self.server, self.name = server, name
        self.url = server.url(name)
        self.adk = adk_url(server, name)

    def tables(self):
        return pgkit.tables(self.server, self.name)

    def decoded(self, **kw):
        return pgkit.decoded(self.server, self.name, **kw)

    def last_event_data(self, sid: str = "s1") -> dict:
        return pgkit.last_event_data(self.server, self.name, sid)


@pytest.fixture(scope="module")
def pg_templates(pg_server):
    """adkkit's database (s1: 5 events, 3 invocations, app:/user: keys; s2; lonely), written by
    google-adk on PostgreSQL once per module, with and without keys set at creation."""
    made = {}
    for creation_keys in (False, True):
        name = pg_server.create_database("adk")
        adkkit.build(LAYOUT, adk_url(pg_server, name), creation_keys)
        made[creation_keys] = name
    yield made
    for name in made.values():
        pg_server.drop_database(name)


@pytest.fixture
def pg_adk(pg_server, pg_templates, tmp_path, monkeypatch):
    """pg_adk(creation_keys=False) -> a fresh copy of the template; undo records in tmp_path."""
    monkeypatch.setenv("SESSION_TUI_DATA", str(tmp_path / "data"))
    made = []

    def make(creation_keys: bool = False) -> PgDb:
        name = pg_server.create_database(template=pg_templates[creation_keys])
        made.append(name)
        return PgDb(pg_server, name)

    yield make
    for name in made:
        pg_server.drop_database(name)


def test_reads_what_google_adk_reads(pg_adk):
    db = pg_adk()
    store = open_any(db.url)
    assert isinstance(store, AdkStore) and store.layout.name == "database-v1"
    rows = {r["id"]: r for r in store.list()}
    theirs = adk_list(LAYOUT, db.adk)
    assert sorted(rows) == sorted(s.id for s in theirs) == ["lonely", "s1", "s2"]
    for adk in theirs:
        row = rows[adk.id]
        full = adk_get(LAYOUT, db.adk, adk.app_name, adk.user_id, adk.id)
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
    store.close()


def test_an_edit_is_stored_as_adk_append_event_stores_it(pg_adk):
    ours, theirs = pg_adk(), pg_adk()
    store = open_any(ours.url)
    edits = []
    for pointer, value in (("/c/x", 5), ("/app:flag", 7), ("/user:name", None), ("/new", None)):
        store.set_value("s1", pointer, value)
        data = ours.last_event_data()
        assert data["author"] == "session-tui" and data["invocation_id"].startswith("edit-")
        edits.append(data)
    adkkit.run(_adk_append_all(theirs.adk, edits))  # the same events (ids, times) by google-adk
    assert ours.decoded(skip_shared_times=True) == theirs.decoded(skip_shared_times=True)
    mine, adks = adk_get(LAYOUT, ours.adk), adk_get(LAYOUT, theirs.adk)
    assert adkkit.adk_dump(mine) == adkkit.adk_dump(adks)
    assert mine.state["c"] == {"x": 5} and mine.state["app:flag"] == 7
    assert "user:name" in mine.state and mine.state["user:name"] is None
    run_agent(LAYOUT, ours.adk)  # google-adk's Runner appends to the edited session
    assert adk_get(LAYOUT, ours.adk).state["runs"] == 1
    store.close()


async def _adk_append_all(url: str, events: list[dict]) -> None:
    """google-adk's append_event of events equal to these, one after the other (one service)."""
    service = adkkit.service(LAYOUT, url)
    try:
        for data in events:
            session = await service.get_session(app_name=APP, user_id="u1", session_id="s1")
            await service.append_event(session, AdkEvent.model_validate(data))
    finally:
        await service.close()


def _without_rewind_ids(db: PgDb, sid: str = "s1") -> dict:
    """The tables with the rewind event's own id, invocation and times (which must differ
    between two rewinds) replaced, the session's update_time with them, and the server-clock
    times of the shared state rows left out."""
    data = db.decoded(skip_shared_times=True)
    rewinds = [e for e in data["events"] if e["session_id"] == sid
               and e["event_data"]["actions"].get("rewind_before_invocation_id")]
    assert len(rewinds) == 1
    for e in rewinds:
        e["id"] = e["event_data"]["id"] = "ID"
        e["invocation_id"] = e["event_data"]["invocation_id"] = "INV"
        e["timestamp"] = e["event_data"]["timestamp"] = "T"
    for s in data["sessions"]:
        if s["id"] == sid:
            s["update_time"] = "T"
    data["events"].sort(key=lambda e: (e["session_id"], str(e["timestamp"]), e["id"]))
    return data


@pytest.mark.parametrize("how", ["before inv-2", "to inv-1"])
def test_a_rewind_is_written_as_runner_rewind_async_writes_it(pg_adk, how):
    ours, theirs = pg_adk(), pg_adk()
    store = open_any(ours.url)
    word, invocation = how.split()
    plan = store.rewind("s1", invocation, before=word == "before")
    adk_rewind(LAYOUT, theirs.adk, "inv-2")
    assert _without_rewind_ids(ours) == _without_rewind_ids(theirs)
    assert plan.removed_events == 3
    mine = adk_get(LAYOUT, ours.adk)
    assert json_equal(mine.state, adk_get(LAYOUT, theirs.adk).state)
    assert mine.state["a"] == 1 and mine.state["c"] is None
    run_agent(LAYOUT, ours.adk)  # the Runner goes on after our rewind
    assert adk_get(LAYOUT, ours.adk).state["runs"] == 1
    store.close()


def test_a_rewind_keeps_keys_set_at_creation_unlike_adk(pg_adk):
    """google/adk-python issue 4933: ADK's rewind nulls keys the session was created with."""
    ours, theirs = pg_adk(creation_keys=True), pg_adk(creation_keys=True)
    store = open_any(ours.url)
    store.rewind("s1", "inv-2", before=True)
    adk_rewind(LAYOUT, theirs.adk, "inv-2")
    mine, adks = ours.last_event_data(), theirs.last_event_data()
    assert mine["actions"]["state_delta"] | {"created": None} == adks["actions"]["state_delta"]
    assert adk_get(LAYOUT, ours.adk).state["created"] == "at creation"
    assert adk_get(LAYOUT, theirs.adk).state["created"] is None
    store.close()


async def _adk_delete(url: str) -> None:
    service = adkkit.service(LAYOUT, url)
    try:
        await service.delete_session(app_name=APP, user_id="u1", session_id="s1")
    finally:
        await service.close()


def test_delete_and_undo_give_back_exactly_the_rows(pg_adk):
    ours, theirs = pg_adk(), pg_adk()
    original = ours.tables()
    store = open_any(ours.url)
    store.delete("s1")
    adkkit.run(_adk_delete(theirs.adk))
    assert ours.tables() == theirs.tables()  # as google-adk's own delete_session left it
    assert "s1" not in store.ids()
    result = store.undo("s1")
    assert result.undone == "delete" and result.restored_events == 5
    assert ours.tables() == original
    run_agent(LAYOUT, ours.adk)
    store.close()


def test_undo_of_edits_and_rewinds_gives_back_exactly_the_rows(pg_adk):
    db = pg_adk()
    original = db.tables()
    store = open_any(db.url)
    store.set_value("s1", "/a", {"deep": [1]})
    store.set_value("lonely", "/app:new", "made")  # another app's shared row
    store.rewind("s1", "inv-2", before=True)
    store.set_value("s1", "/user:name", "cy")
    for session_id in ("s1", "s1", "s1", "lonely"):
        store.undo(session_id)
    assert db.tables() == original
    with pytest.raises(NothingToUndo):
        store.undo("s1")
    with pytest.raises(NotFound):
        store.undo("nobody")
    store.close()


def test_undo_records_of_a_server_live_under_the_data_folder(pg_adk, tmp_path):
    db = pg_adk()
    store = open_any(db.url)
    store.set_value("s2", "/z", 1)
    folders = list((tmp_path / "data" / "servers").iterdir())
    assert len(folders) == 1 and (folders[0] / "history").is_dir()
    assert store.history_of("s2")
    # The same database by another spelling of its URL finds the same records.
    again = open_any(db.url.replace("postgresql://", "postgresql+asyncpg://", 1))
    assert again.undo("s2").undone == "edit"
    assert adk_get(LAYOUT, db.adk, user="u2", sid="s2").state["z"] is True
    for path in (tmp_path / "data").rglob("*"):
        assert PASSWORD not in path.name
        if path.is_file():
            assert PASSWORD not in path.read_text()
    store.close()
    again.close()


def test_a_stale_revision_is_refused_and_changes_nothing(pg_adk):
    db = pg_adk()
    store = open_any(db.url)
    seen = store.get("s1")
    run_agent(LAYOUT, db.adk)  # the agent wrote since we read
    before = db.tables()
    for change in (lambda: store.set_value("s1", "/a", 1, expected_revision=seen.revision),
                   lambda: store.rewind("s1", "inv-2", True, expected_revision=seen.revision),
                   lambda: store.delete("s1", expected_revision=seen.revision)):
        with pytest.raises(StaleError):
            change()
    assert db.tables() == before
    fresh = store.get("s1")
    store.set_value("s1", "/a", 1, expected_revision=fresh.revision)  # the fresh one lands
    store.close()


def test_a_session_row_another_writer_holds_is_waited_for_then_refused(pg_adk, monkeypatch):
    """Our write locks the session row as google-adk's append_event does (SELECT ... FOR
    UPDATE): while another transaction holds it, the edit waits, then gives up in one line."""
    import psycopg

    monkeypatch.setattr(adk_db_module, "BUSY_TIMEOUT", 0.2)
    db = pg_adk()
    store = open_any(db.url)
    before = db.tables()
    with psycopg.connect(db.adk.replace("postgresql+psycopg", "postgresql")) as holder:
        holder.execute("SELECT 1 FROM sessions WHERE id = 's1' FOR UPDATE")
        with pytest.raises(StoreError, match="locked by another program.*nothing changed"):
            store.set_value("s1", "/a", 99)
        holder.rollback()
    assert db.tables() == before
    store.set_value("s1", "/a", 99)  # once the other writer is done, it lands
    assert adk_get(LAYOUT, db.adk).state["a"] == 99
    store.close()


def test_poll_sees_google_adks_append_and_not_our_own_writes(pg_adk):
    db = pg_adk()
    store = open_any(db.url)
    counts = {r["id"]: r["event_count"] for r in store.list()}
    assert store.poll() is False
    run_agent(LAYOUT, db.adk)
    assert store.poll() is True
    assert {r["id"]: r["event_count"] for r in store.list()}["s1"] == counts["s1"] + 2
    assert store.poll() is False
    store.set_value("s1", "/a", 4)
    assert store.poll() is False
    store.close()


def test_append_event_is_stored_as_adk_stores_one(pg_adk):
    db = pg_adk()
    store = open_any(db.url)
    event = Event.new("inv-x", "bot", "hello there", {"k": {"n": 1}, "app:flag": 3})
    store.append_event("s2", event)
    adk = adk_get(LAYOUT, db.adk, user="u2", sid="s2")
    last = adk.events[-1]
    assert (last.id, last.invocation_id, last.author) == (event.id, "inv-x", "bot")
    assert last.content.parts[0].text == "hello there" and last.content.role == "model"
    assert adk.state["k"] == {"n": 1} and adk.state["app:flag"] == 3
    run_agent(LAYOUT, db.adk, user="u2", sid="s2")
    store.close()


def test_a_role_that_may_only_read_opens_the_store_read_only(pg_adk, pg_server, tmp_path):
    db = pg_adk()
    role = f"reader_{db.name}"
    pg_server.admin(f"CREATE ROLE {role} LOGIN PASSWORD 'reader-pw'")
    pg_server.admin(f'GRANT CONNECT ON DATABASE "{db.name}" TO {role}')
    pg_server.admin(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}", dbname=db.name)
    try:
        before = db.tables()
        store = open_any(pg_server.url(db.name, user=role, password="reader-pw"))
        assert store.read_only
        assert store.read_only_reason.endswith(
            f"read-only (role {role} may not write the table app_states)")
        assert len(store.get("s1").events) == 5
        for change in (lambda: store.set_value("s1", "/a", 1), lambda: store.delete("s1"),
                       lambda: store.rewind("s1", "inv-2"), lambda: store.undo("s1")):
            with pytest.raises(ReadOnlyStore):
                change()
        store.close()
        assert db.tables() == before
        assert not (tmp_path / "data").exists()  # no undo folder for a store that cannot change
    finally:
        pg_server.drop_database(db.name)
        pg_server.admin(f"DROP ROLE {role}")


def test_read_only_opening_reads_and_refuses_changes(pg_adk, tmp_path):
    db = pg_adk()
    before = db.tables()
    store = open_any(db.url, read_only=True)
    assert store.read_only and "read-only" in store.read_only_reason
    assert PASSWORD not in store.read_only_reason
    assert len(store.get("s1").events) == 5
    with pytest.raises(ReadOnlyStore):
        store.set_value("s1", "/a", 1)
    store.close()
    assert db.tables() == before
    assert not (tmp_path / "data").exists()


def test_a_fork_on_postgresql_is_a_session_google_adk_loads_and_continues(pg_adk):
    db = pg_adk()
    before = db.tables()
    original = adkkit.adk_dump(adk_get(LAYOUT, db.adk))
    store = open_any(db.url)
    assert store.fork("s1", "inv-2", before=True).to_json() == {"id": "s1-fork", "events": 2}
    fork = adk_get(LAYOUT, db.adk, sid="s1-fork")
    assert [adkkit.adk_dump(e) for e in fork.events] == original["events"][:2]
    assert fork.state == {"a": 1, "b": [1, 2], "app:flag": 2, "user:name": "bob"}
    assert store.get("s1-fork").extra["forked_from"]["event_id"] == original["events"][1]["id"]
    run_agent(LAYOUT, db.adk, sid="s1-fork")
    assert adk_get(LAYOUT, db.adk, sid="s1-fork").state["runs"] == 1
    assert adkkit.adk_dump(adk_get(LAYOUT, db.adk)) == original
    other = store.fork("s1", "inv-1", new_id="second")
    store.undo(other.id)  # its rows go again, the rest as they were
    tables = db.tables()
    assert {k: v for k, v in tables.items() if k not in ("sessions", "events")} == {
        k: v for k, v in before.items() if k not in ("sessions", "events")}
    assert [r for r in tables["sessions"] if r[2] not in ("s1-fork",)] == before["sessions"]
    store.close()
