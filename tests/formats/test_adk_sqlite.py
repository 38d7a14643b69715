"""ADK's SQLite databases without google-adk: both layouts, merged state, read-only, the legacy
pickle layout refused (never unpickled), one-line errors."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sqlite3
from pathlib import Path

import orjson
import pytest

from session_tui.formats import adk_json, adk_sqlite, reading
from session_tui.model import SessionFormatError

KEYS = [("weather_app", "alice", "weather-alice-1"), ("weather_app", "bob", "weather-bob-1"),
        ("travel_app", "alice", "trip/2026 ✈ #1"), ("travel_app", "bob", "empty-session"),
        ("travel_app", "bob", "weather-alice-1")]


@pytest.fixture(params=["database.db", "sqlite.db"])
def db_path(request, adk_fixtures) -> Path:
    return adk_fixtures / request.param


def by_key(sessions):
    return {(s.app_name, s.user_id, s.id): s for s in sessions}


def test_reads_every_session_with_merged_state(db_path):
    sessions = adk_sqlite.read_sqlite_path(db_path)
    assert [(s.app_name, s.user_id, s.id) for s in sessions] == KEYS  # oldest first
    got = by_key(sessions)
    w1 = got[KEYS[0]]
    assert w1.state == {"units": "metric", "history": ["Paris"], "last_city": None,
                        "app:greeting": "Hei", "app:lookups": 2,
                        "user:name": "Alice", "user:favourite_city": "Paris"}
    assert got[KEYS[1]].state == {"last_city": "Oslo", "app:greeting": "Hei", "app:lookups": 2,
                                  "user:name": "Bob"}
    assert got[KEYS[2]].state == {"budget": {"max": 900, "spent": 39.0}, "app:currency": "EUR",
                                  "user:home": "Paris"}
    assert got[KEYS[3]].state == {"note": "nothing yet", "app:currency": "EUR"}
    assert got[KEYS[3]].events == []
    assert [len(got[k].events) for k in KEYS] == [8, 2, 3, 0, 1]
    # Times: creation from the database, update from the database.
    assert w1.created_at == "2026-03-01T09:00:00Z"
    assert w1.updated_at == "2026-03-01T09:01:46.157407Z"
    e = w1.events
    assert [x.author for x in e] == ["user", "weather_agent", "weather_agent", "weather_agent", "user",
                                     "weather_agent", "weather_agent", "travel_agent"]
    assert e[1].content == 'get_weather(city="Paris", days=2)'
    assert e[2].actions.state_delta == {"last_city": "Paris", "user:favourite_city": "Paris", "app:lookups": 1}
    assert e[6].actions.transfer_to_agent == "travel_agent" and e[6].actions.skip_summarization
    assert e[7].actions.escalate and e[7].extra["branch"] == "weather_agent.travel_agent"
    # Snake_case event_data is spelled as ADK's JSON spells it, nested objects included
    # (google-adk's by_alias dump is the reference: test_adk_vs_google).
    assert e[1].extra["usageMetadata"] == {"candidatesTokenCount": 14, "promptTokenCount": 812,
                                           "totalTokenCount": 826}
    assert e[5].extra["longRunningToolIds"] and "long_running_tool_ids" not in e[5].extra
    assert e[1].extra["adk_content"]["parts"][0]["functionCall"]["name"] == "get_weather"


def test_both_layouts_hold_the_same_sessions(adk_fixtures, strip_keys):
    a = adk_sqlite.read_sqlite_path(adk_fixtures / "database.db")
    b = adk_sqlite.read_sqlite_path(adk_fixtures / "sqlite.db")
    assert [strip_keys(s.export()) for s in a] == [strip_keys(s.export()) for s in b]


def test_adk_export_gives_back_the_stored_events(db_path):
    con = sqlite3.connect(db_path)
    stored = {}
    for app, user, sid, data in con.execute("SELECT app_name, user_id, session_id, event_data FROM events"):
        stored.setdefault((app, user, sid), []).append(orjson.loads(data))
    con.close()
    for s in adk_sqlite.read_sqlite_path(db_path):
        out = adk_json.to_adk_json(s)
        rows = sorted(stored.get((s.app_name, s.user_id, s.id), []), key=lambda d: d["timestamp"])
        assert len(out["events"]) == len(rows)
        for event, row in zip(out["events"], rows):
            assert adk_sqlite.camel_event(row) == event  # the stored event, spelled camelCase
        # Read again from the export: the same session (creation time aside: ADK JSON has none).
        again = adk_json.read_adk_json(orjson.dumps(out), "export.json")[0]
        assert [e.export() for e in again.events] == [e.export() for e in s.events]
        assert (again.state, again.updated_at) == (s.state, s.updated_at)


def test_reading_dispatches_sqlite(db_path):
    data = db_path.read_bytes()
    assert reading.detect(data) == "sqlite"
    assert [s.id for s in reading.read_path(db_path)] == [k[2] for k in KEYS]


def _fingerprint(folder: Path):
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in folder.iterdir()}


def test_opened_read_only(db_path, tmp_path):
    copy = tmp_path / db_path.name
    shutil.copy2(db_path, copy)
    before = _fingerprint(tmp_path)
    adk_sqlite.read_sqlite_path(copy)
    assert _fingerprint(tmp_path) == before  # no byte changed, no journal or WAL file left
    # A write through the same kind of connection is refused by SQLite.
    con = adk_sqlite._connect(copy)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        con.execute("DELETE FROM sessions")
    con.close()


def test_path_with_uri_characters(adk_fixtures, tmp_path):
    folder = tmp_path / "a dir?x=1#frag%20"
    folder.mkdir()
    shutil.copy2(adk_fixtures / "sqlite.db", folder / "s db#1.db")
    assert len(adk_sqlite.read_sqlite_path(folder / "s db#1.db")) == 5


class _Boom:
    """Unpickling this would make a folder: proof that nothing is unpickled."""

    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return (os.mkdir, (self.target,))


def _legacy_db(path: Path, marker: Path, metadata: bool = False) -> None:
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE sessions (app_name VARCHAR(128), user_id VARCHAR(128), id VARCHAR(128),
            state TEXT, create_time DATETIME, update_time DATETIME, PRIMARY KEY (app_name, user_id, id));
        CREATE TABLE events (id VARCHAR(128), app_name VARCHAR(128), user_id VARCHAR(128),
            session_id VARCHAR(128), invocation_id VARCHAR(256), author VARCHAR(256), actions BLOB,
            long_running_tool_ids_json TEXT, branch VARCHAR(256), timestamp DATETIME, content TEXT,
            PRIMARY KEY (id, app_name, user_id, session_id));
        CREATE TABLE app_states (app_name VARCHAR(128) PRIMARY KEY, state TEXT, update_time DATETIME);
        CREATE TABLE user_states (app_name VARCHAR(128), user_id VARCHAR(128), state TEXT,
            update_time DATETIME, PRIMARY KEY (app_name, user_id));
    """)
    con.execute("INSERT INTO sessions VALUES ('a', 'u', 's', '{}', '2025-01-01 00:00:00.000000', "
                "'2025-01-01 00:00:00.000000')")
    con.execute("INSERT INTO events VALUES ('e', 'a', 'u', 's', 'i', 'user', ?, NULL, NULL, "
                "'2025-01-01 00:00:00.000000', NULL)", (pickle.dumps(_Boom(str(marker))),))
    if metadata:
        con.execute("CREATE TABLE adk_internal_metadata (key VARCHAR(128) PRIMARY KEY, value VARCHAR(256))")
        con.execute("INSERT INTO adk_internal_metadata VALUES ('schema_version', '0')")
    con.commit()
    con.close()


@pytest.mark.parametrize("metadata", [False, True])
def test_legacy_pickle_database_never_unpickles_a_foreign_object(tmp_path, metadata):
    """Schema 0 is read (tests/formats/test_adk_schema0.py), through an unpickler that admits
    only the data classes ADK pickles: this pickle's os.mkdir is refused, by the row's name."""
    path, marker = tmp_path / "old.db", tmp_path / "UNPICKLED"
    _legacy_db(path, marker, metadata)
    for read in (adk_sqlite.read_sqlite_path, reading.read_path):
        with pytest.raises(SessionFormatError) as info:
            read(path)
        message = str(info.value)
        assert message.startswith(f"{path}: session 's' (app 'a', user 'u'): events[0]: events row 'e': "
                                  "actions: refused "), message
        assert "mkdir" in message and "\n" not in message
    assert not marker.exists()


def _good_copy(adk_fixtures, tmp_path, name="database.db") -> Path:
    path = tmp_path / name
    shutil.copy2(adk_fixtures / name, path)
    return path


def _expect_error(path: Path, *fragments: str) -> str:
    with pytest.raises(SessionFormatError) as info:
        adk_sqlite.read_sqlite_path(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message, message
    return message


@pytest.mark.parametrize("name", ["database.db", "sqlite.db"])
def test_bad_event_data_names_the_place(adk_fixtures, tmp_path, name):
    path = _good_copy(adk_fixtures, tmp_path, name)
    con = sqlite3.connect(path)
    ids = [r[0] for r in con.execute(
        "SELECT id FROM events WHERE session_id='weather-bob-1' ORDER BY timestamp")]
    con.execute("UPDATE events SET event_data='{not json' WHERE id=?", (ids[1],))
    con.commit()
    con.close()
    _expect_error(path, "session 'weather-bob-1' (app 'weather_app', user 'bob'): events[1]: "
                        "event_data: not valid JSON")


def test_missing_author_names_the_place(adk_fixtures, tmp_path):
    path = _good_copy(adk_fixtures, tmp_path)
    con = sqlite3.connect(path)
    [(eid, data)] = con.execute("SELECT id, event_data FROM events WHERE session_id='trip/2026 ✈ #1' "
                                "ORDER BY timestamp LIMIT 1 OFFSET 2").fetchall()
    value = orjson.loads(data)
    del value["author"]
    con.execute("UPDATE events SET event_data=? WHERE id=?", (orjson.dumps(value).decode(), eid))
    con.commit()
    con.close()
    _expect_error(path, "session 'trip/2026 ✈ #1' (app 'travel_app', user 'alice'): events[2].author: missing")


def test_bad_state_and_times(adk_fixtures, tmp_path):
    path = _good_copy(adk_fixtures, tmp_path)
    con = sqlite3.connect(path)
    con.execute("UPDATE sessions SET state='[1]' WHERE id='empty-session'")
    con.commit()
    _expect_error(path, "session 'empty-session'", "state: expected a JSON object")
    con.execute("UPDATE sessions SET state='{}', update_time='yesterday' WHERE id='empty-session'")
    con.commit()
    _expect_error(path, "session 'empty-session'", "expected an ISO 8601 time")
    con.execute("UPDATE sessions SET update_time='2026-03-01 09:00:00' WHERE id='empty-session'")
    con.execute("UPDATE app_states SET state='nope' WHERE app_name='weather_app'")
    con.commit()
    con.close()
    _expect_error(path, "app_states weather_app: state: not valid JSON")


def test_not_an_adk_database(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    assert _expect_error(path) == f"{path}: not an ADK session database (no sessions or events table)"


def test_corrupt_database(adk_fixtures, tmp_path):
    path = tmp_path / "broken.db"
    data = (adk_fixtures / "sqlite.db").read_bytes()
    path.write_bytes(data[:100] + b"\xff" * 2000)  # the header survives, the pages do not
    _expect_error(path, "not a readable ADK session database")
    with pytest.raises(SessionFormatError):
        reading.read_path(path)
