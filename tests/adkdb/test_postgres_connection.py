"""The PostgreSQL adapter (session_tui/adkdb/postgres.py) on the suite's server, against data
google-adk's DatabaseSessionService wrote: URLs as ADK users write them, one-line errors that
never show the password, read-only roles, the change check."""

import sys

import pytest

pytest.importorskip("google.adk")

from pgkit import adk_url, fill, run, text_event  # noqa: E402
from pgserver import PASSWORD  # noqa: E402

from session_tui.adkdb.postgres import EXTRA_MISSING, PostgresConnection  # noqa: E402
from session_tui.store.errors import NotFound, StoreError  # noqa: E402


@pytest.fixture(scope="module")
def filled_template(pg_server):
    """A database google-adk filled once (2 users x 2 sessions x 2 invocations)."""
    name = pg_server.create_database("filled")
    run(lambda service: fill(service), adk_url(pg_server, name))
    yield name
    pg_server.drop_database(name)


@pytest.fixture
def filled_db(pg_server, filled_template, tmp_path, monkeypatch):
    """A fresh copy of the filled database; undo records go to tmp_path."""
    monkeypatch.setenv("SESSION_TUI_DATA", str(tmp_path / "data"))
    name = pg_server.create_database(template=filled_template)
    yield name
    pg_server.drop_database(name)


@pytest.mark.parametrize("driver", ["", "psycopg", "psycopg2", "asyncpg", "psycopg_async"])
def test_every_driver_spelling_opens_the_same_database(pg_server, filled_db, driver):
    conn = PostgresConnection(pg_server.url(filled_db, driver=driver))
    try:
        assert conn.rows("SELECT count(*) FROM sessions") == [(4,)]
        assert conn.location == f"postgresql://postgres@127.0.0.1:{pg_server.port}/{filled_db}"
        assert not conn.read_only
    finally:
        conn.close()


def test_postgres_scheme_alias_and_undo_folder_under_the_data_override(pg_server, filled_db, tmp_path):
    plain = PostgresConnection(pg_server.url(filled_db).replace("postgresql://", "postgres://", 1))
    other_driver = PostgresConnection(pg_server.url(filled_db, driver="asyncpg"))
    try:
        # Undo records of one database: one folder, whatever driver the URL named.
        assert plain.undo_dir == other_driver.undo_dir
        assert plain.undo_dir.parent == tmp_path / "data" / "servers"
        assert PASSWORD not in str(plain.undo_dir) and PASSWORD not in plain.key
    finally:
        plain.close()
        other_driver.close()


def _error_of(action) -> StoreError:
    with pytest.raises(StoreError) as caught:
        action()
    return caught.value


def test_errors_are_one_line_and_never_show_the_password(pg_server, filled_db):
    wrong_password = pg_server.url(filled_db, password=PASSWORD + "-wrong")
    missing_db = pg_server.url("no_such_db")
    closed_port = pg_server.url(filled_db).replace(f":{pg_server.port}/", ":1/")
    errors = [_error_of(lambda: PostgresConnection(url))
              for url in (wrong_password, missing_db, closed_port)]
    conn = PostgresConnection(pg_server.url(filled_db))
    try:
        errors.append(_error_of(lambda: conn.rows("SELECT nope FROM sessions")))
        assert conn.rows("SELECT 1") == [(1,)]  # a failed statement leaves the connection usable
    finally:
        conn.close()
    assert isinstance(errors[1], NotFound)
    assert "password authentication failed" in str(errors[0])
    # The server was reached and said no: a wrong password is not "cannot reach the database".
    assert ": the server refused the login (" in str(errors[0]) and "reach" not in str(errors[0])
    assert "cannot reach the database" in str(errors[2])  # the closed port
    for error in errors:
        text = str(error)
        assert "\n" not in text
        assert PASSWORD not in text
        assert text.startswith("postgresql://postgres@127.0.0.1:"), text


def test_a_role_that_may_only_read_opens_read_only(pg_server, filled_db):
    pg_server.admin("DROP ROLE IF EXISTS reader")  # roles are server-wide
    pg_server.admin("CREATE ROLE reader LOGIN PASSWORD 'reader-pw'")
    pg_server.admin(f'GRANT CONNECT ON DATABASE "{filled_db}" TO reader')
    pg_server.admin("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader", dbname=filled_db)
    try:
        conn = PostgresConnection(pg_server.url(filled_db, user="reader", password="reader-pw"))
        try:
            assert conn.read_only
            assert conn.read_only_reason == (
                f"postgresql://reader@127.0.0.1:{pg_server.port}/{filled_db}: read-only "
                "(role reader may not write the table app_states)")
            assert conn.rows("SELECT count(*) FROM events") == [(16,)]
            with pytest.raises(StoreError, match="read-only"):
                with conn.transaction():
                    pass
        finally:
            conn.close()
    finally:
        pg_server.admin("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM reader", dbname=filled_db)
        pg_server.admin(f'DROP DATABASE "{filled_db}" WITH (FORCE)')
        pg_server.admin("DROP ROLE reader")


def test_a_read_only_session_default_opens_read_only(pg_server, filled_db):
    pg_server.admin(f'ALTER DATABASE "{filled_db}" SET default_transaction_read_only = on')
    conn = PostgresConnection(pg_server.url(filled_db))
    try:
        assert conn.read_only
        assert "default_transaction_read_only" in conn.read_only_reason
    finally:
        conn.close()


def test_the_change_token_moves_when_google_adk_appends_and_only_then(pg_server, filled_db):
    conn = PostgresConnection(pg_server.url(filled_db))
    try:
        before = conn.change_token()
        assert conn.change_token() == before

        async def append(service):
            session = await service.get_session(app_name="app", user_id="bob",
                                                session_id="bob-s0")
            # The same timestamp as the session's last update: max(update_time) does not move.
            await service.append_event(session, text_event(
                "agent", "late", invocation_id="inv-late", delta={"k": 1},
                timestamp=session.last_update_time))

        run(append, adk_url(pg_server, filled_db))
        after = conn.change_token()
        assert after != before
        assert conn.change_token() == after
    finally:
        conn.close()


def test_a_transaction_rolls_back_on_an_exception(pg_server, filled_db):
    conn = PostgresConnection(pg_server.url(filled_db))
    try:
        with pytest.raises(RuntimeError):
            with conn.transaction():
                conn.rows("SELECT id FROM sessions WHERE id = 'bob-s0'" + conn.for_update())
                conn.execute("DELETE FROM sessions WHERE id = 'bob-s0'")
                raise RuntimeError("stop")
        assert conn.rows("SELECT count(*) FROM sessions") == [(4,)]
    finally:
        conn.close()


def test_without_the_extra_opening_says_so_in_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg raises ImportError
    with pytest.raises(StoreError) as caught:
        PostgresConnection("postgresql://u:secret@localhost/db")
    assert str(caught.value) == EXTRA_MISSING


def test_our_own_commit_is_not_news_but_one_made_during_it_is(pg_server, filled_db):
    import psycopg

    conn = PostgresConnection(pg_server.url(filled_db))
    try:
        start = conn.change_token()
        with conn.transaction():
            conn.rows("SELECT 1 FROM sessions WHERE id = 'bob-s0'" + conn.for_update())
            conn.execute("UPDATE sessions SET update_time = update_time WHERE id = 'bob-s0'")
        assert conn.change_token() == start  # only our own commit happened
        with conn.transaction():
            conn.execute("UPDATE sessions SET update_time = update_time WHERE id = 'bob-s1'")
        assert conn.change_token() == start  # only our own commits, one after another
        with conn.transaction():
            conn.execute("UPDATE sessions SET update_time = update_time WHERE id = 'bob-s0'")
            # Another writer commits a change to another session while ours is open.
            with psycopg.connect(pg_server.url(filled_db)) as other:
                other.execute("UPDATE sessions SET update_time = update_time + interval '1 us' "
                              "WHERE id = 'alice-s0'")
        after = conn.change_token()
        assert after != start  # the other writer's change is never hidden behind ours
        assert conn.change_token() == after
    finally:
        conn.close()
