"""google-adk's own DatabaseSessionService on the suite's PostgreSQL server: the data that
session-tui's PostgreSQL backend must read (JSONB state and event_data, naive UTC timestamps)."""

import pytest

pytest.importorskip("google.adk")  # google-adk needs Python 3.11+; the [test] extra has it there

from pgkit import adk_url, fill, run  # noqa: E402


def test_google_adk_writes_and_reads_sessions_on_the_suites_server(pg_server, pg_database):
    url = adk_url(pg_server, pg_database)

    async def scenario(service):
        await fill(service, users=("alice", "bob"), sessions_per_user=2, turns=2)
        listed = await service.list_sessions(app_name="app", user_id=None)
        one = await service.get_session(app_name="app", user_id="bob", session_id="bob-s1")
        return listed.sessions, one

    sessions, one = run(scenario, url)
    assert sorted(s.id for s in sessions) == ["alice-s0", "alice-s1", "bob-s0", "bob-s1"]
    assert [e.content.parts[0].text for e in one.events] == [
        "question 0", "answer 0", "question 1", "answer 1"]
    # app: state is shared by the app, user: state by the user, temp: never stored.
    assert one.state == {"topic": "t1", "turn": 1, "maybe": None, "app:model": "m1",
                         "app:calls": 2, "user:name": "Bob", "user:seen": 1}
    # The schema google-adk creates on PostgreSQL: JSONB and naive timestamps.
    types = dict(((t, c), d) for t, c, d in pg_server.admin(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'public'", dbname=pg_database))
    assert types[("events", "event_data")] == "jsonb"
    assert types[("sessions", "state")] == "jsonb"
    assert types[("sessions", "update_time")] == "timestamp without time zone"
    assert pg_server.admin("select value from adk_internal_metadata "
                           "where key = 'schema_version'", dbname=pg_database) == [("1",)]
