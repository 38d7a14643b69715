"""The suite's own PostgreSQL server: each test gets a fresh database, reachable by URL."""

import sqlalchemy as sa


def test_each_test_gets_an_empty_database_reachable_by_password_url(pg_server, pg_database):
    engine = sa.create_engine(pg_server.url(pg_database, driver="psycopg"))
    try:
        with engine.begin() as conn:
            tables = conn.execute(sa.text(
                "select count(*) from information_schema.tables where table_schema='public'"
            )).scalar_one()
            conn.execute(sa.text("create table t (x int)"))
            assert conn.execute(sa.text("select current_database()")).scalar_one() == pg_database
    finally:
        engine.dispose()
    assert tables == 0


def test_a_wrong_password_is_refused(pg_server, pg_database):
    import psycopg
    import pytest
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(pg_server.url(pg_database, password="wrong"), connect_timeout=10).close()


def test_without_the_server_binaries_the_reason_is_one_line(monkeypatch, tmp_path):
    import pytest

    import pgserver

    monkeypatch.delenv("PG_BINDIR", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no initdb on PATH
    monkeypatch.setattr(pgserver.glob, "glob", lambda pattern: [])  # none under /usr/lib
    with pytest.raises(pgserver.PgUnavailable) as caught:
        pgserver.find_bindir()
    assert "\n" not in str(caught.value) and "initdb" in str(caught.value)
