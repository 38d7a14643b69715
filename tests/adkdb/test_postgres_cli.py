"""The CLI on a postgresql:// URL (as ADK users write it in --session_service_uri): list, show,
set, rewind, undo on the suite's server; one-line errors that never show the password."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))

import adkkit  # noqa: E402
from adkkit import adk_get, run_agent  # noqa: E402
from clikit import CLI  # noqa: E402
import pgkit  # noqa: E402
from pgkit import adk_url  # noqa: E402
from pgserver import PASSWORD  # noqa: E402

from session_tui import cli  # noqa: E402
from session_tui.adkdb.postgres import EXTRA_MISSING  # noqa: E402


@pytest.fixture
def pg_cli_db(pg_server, pg_database, tmp_path, monkeypatch):
    """adkkit's database written by google-adk on PostgreSQL; undo records in tmp_path."""
    monkeypatch.setenv("SESSION_TUI_DATA", str(tmp_path / "data"))
    adkkit.build("database", adk_url(pg_server, pg_database))
    return pg_database


def test_list_show_set_rewind_undo_on_a_postgresql_url(pg_server, pg_cli_db, tmp_path):
    url, adk = pg_server.url(pg_cli_db), adk_url(pg_server, pg_cli_db)
    original = pgkit.tables(pg_server, pg_cli_db)
    run = CLI(tmp_path)
    rows = run.json("--store", url, "list", "--json")  # the real command, in a subprocess
    assert {r["id"]: r["event_count"] for r in rows} == {"s1": 5, "s2": 1, "lonely": 0}

    def ok(*args) -> int:
        return cli.main(["--store", url, *args])

    assert ok("set", "s1", "/a", "42") == 0
    assert adk_get("database", adk).state["a"] == 42
    assert ok("rewind", "s1", "inv-2", "--before") == 0
    assert adk_get("database", adk).state["a"] == 1
    for _ in range(2):
        assert ok("undo", "s1") == 0
    assert pgkit.tables(pg_server, pg_cli_db) == original
    run_agent("database", adk)
    assert not run.default_store.exists()  # nothing was imported anywhere


def test_show_and_read_only_flag(pg_server, pg_cli_db, capsys):
    url = pg_server.url(pg_cli_db, driver="asyncpg")
    assert cli.main(["--store", url, "show", "s1", "--json"]) == 0
    import json

    shown = json.loads(capsys.readouterr().out)
    assert shown["state"] == adk_get("database", adk_url(pg_server, pg_cli_db)).state
    assert cli.main(["--read-only", "--store", url, "set", "s1", "/a", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "read-only" in err and PASSWORD not in err


def _one_line_error(capsys, argv: list[str], code: int, *needles: str) -> str:
    assert cli.main(argv) == code
    err = capsys.readouterr().err
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    for needle in needles:
        assert needle in err, (needle, err)
    assert PASSWORD not in err
    return err


def test_what_cannot_be_opened_is_one_line_without_the_password(pg_server, pg_database, capsys):
    wrong = pg_server.url(pg_database, password="not-" + PASSWORD)
    _one_line_error(capsys, ["--store", wrong, "list"], 2, "password authentication failed")
    _one_line_error(capsys, ["--store", pg_server.url("no_such_db"), "list"], 1,
                    "no such database")
    # An empty database (google-adk never wrote here): not an ADK database, said in one line.
    _one_line_error(capsys, ["--store", pg_server.url(pg_database), "list"], 2,
                    "not an ADK session database")


def test_without_the_extra_the_cli_says_so_in_one_line(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "psycopg", None)
    assert cli.main(["--store", f"postgresql://u:{PASSWORD}@localhost/db", "list"]) == 2
    err = capsys.readouterr().err
    assert err == f"session-tui: {EXTRA_MISSING}\n"
