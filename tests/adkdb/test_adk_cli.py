"""The CLI on ADK databases opened in place: a .db path, a sqlite:/// URL, an agent folder;
and the one-line errors for what cannot be opened."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import orjson
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))

import adkkit  # noqa: E402
from adkkit import adk_get, run_agent, tables  # noqa: E402
from clikit import CLI, one_line_error  # noqa: E402

from session_tui import cli  # noqa: E402
from session_tui.adkdb import db as adk_db_module  # noqa: E402


def test_list_show_set_rewind_undo_on_a_db_path(adk_db, tmp_path):
    path = adk_db("sqlite")
    original = tables(path)
    run = CLI(tmp_path)
    rows = run.json("--store", path, "list", "--json")
    assert {r["id"]: r["event_count"] for r in rows} == {"s1": 5, "s2": 1, "lonely": 0}
    shown = run.json("--store", path, "show", "s1", "--json")
    assert shown["state"] == adk_get("sqlite", path).state
    assert run("--store", path, "set", "s1", "/a", "42").returncode == 0
    assert adk_get("sqlite", path).state["a"] == 42
    said = run("--store", path, "rewind", "s1", "inv-2", "--before", "--dry-run")
    assert said.returncode == 0 and "would annul 4 events" in said.stderr.decode()
    plan = run.json("--store", path, "rewind", "s1", "inv-2", "--before", "--json")
    assert plan["removed_events"] == 4  # inv-2's two events, inv-3's, and the edit
    assert plan["annulled"] is True  # they stay in the database, annulled by a rewind event
    assert adk_get("sqlite", path).state["a"] == 1
    for _ in range(2):
        assert run("--store", path, "undo", "s1").returncode == 0
    assert tables(path) == original
    run_agent("sqlite", path)
    assert not run.default_store.exists()  # nothing was imported anywhere


def test_a_sqlite_url_and_an_agent_folder(adk_db, tmp_path):
    agent = tmp_path / "my_agent"
    (agent / ".adk").mkdir(parents=True)
    db = adk_db("database", name="session.db")
    db.rename(agent / ".adk" / "session.db")
    run = CLI(tmp_path)
    for target in ("sqlite:///my_agent/.adk/session.db",
                   f"sqlite+aiosqlite:///{agent}/.adk/session.db", str(agent)):
        rows = run.json("--store", target, "list", "--json")
        assert sorted(r["id"] for r in rows) == ["lonely", "s1", "s2"], target
    assert run("--store", "sqlite:///my_agent/.adk/session.db", "set", "s2", "/z", "false").returncode == 0
    assert adk_get("database", agent / ".adk" / "session.db", user="u2", sid="s2").state["z"] is False
    assert run("--store", str(agent), "undo", "s2").returncode == 0
    one_line_error(run("--store", "sqlite:///my_agent/.adk/session.db?mode=ro", "set", "s2",
                       "/z", "1"), 2, "opened read-only")
    assert adk_get("database", agent / ".adk" / "session.db", user="u2", sid="s2").state["z"] is True


def test_what_cannot_be_opened_is_one_line(tmp_path):
    run = CLI(tmp_path)
    header_only = tmp_path / "broken.db"
    header_only.write_bytes(b"SQLite format 3\x00" + b"\x07" * 200)
    one_line_error(run("--store", header_only, "list"), 2, "broken.db")
    no_events = tmp_path / "half.db"
    with sqlite3.connect(no_events) as db:
        db.execute("CREATE TABLE sessions (app_name TEXT, user_id TEXT, id TEXT)")
    one_line_error(run("--store", no_events, "list"), 2, "half.db", "no events table")
    one_line_error(run("--store", "sqlite:///nowhere.db", "list"), 1, "nowhere.db")
    one_line_error(run("--store", "mysql://h/db", "list"), 2, "not a database URL")


def test_a_locked_database_is_one_line(adk_db, monkeypatch, capsys):
    path = adk_db("sqlite")
    monkeypatch.setattr(adk_db_module, "BUSY_TIMEOUT", 0.05)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code = cli.main(["--store", str(path), "list"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "locked by another program" in err, err
    assert "Traceback" not in err
    assert "nothing changed" not in err  # a read changes nothing anyway: said of changes only


def test_a_change_refused_by_a_lock_says_nothing_changed(adk_db, monkeypatch, capsys):
    path = adk_db("sqlite")
    monkeypatch.setattr(adk_db_module, "BUSY_TIMEOUT", 0.05)
    before = path.read_bytes()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        code = cli.main(["--store", str(path), "set", "s1", "/k", "1"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "locked by another program" in err and err.rstrip().endswith("nothing changed"), err
    assert path.read_bytes() == before


def test_a_read_only_file_opens_read_only_with_the_reason(adk_db, tmp_path):
    """A database file the user cannot write (as an unprivileged user: root drops its
    capabilities) lists and shows; each change is refused in one line naming why."""
    import os
    import subprocess

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
    from test_store_read_only import unprivileged

    prefix = unprivileged(tmp_path)
    folder = tmp_path / "ro"
    folder.mkdir()
    path = adk_db("sqlite", name="ro/session.db")
    before = tables(path)
    run = CLI(tmp_path)
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        def call(*args):
            return subprocess.run(prefix + [sys.executable, "-m", "session_tui", "--store",
                                            str(path), *args], env=run.env(), cwd=tmp_path,
                                  capture_output=True, timeout=60)

        listed = call("list", "--json")
        assert listed.returncode == 0 and listed.stderr == b"", listed.stderr
        assert len(orjson.loads(listed.stdout)) == 3
        for change in (("set", "s1", "/a", "5"), ("rewind", "s1", "inv-2"), ("undo", "s1")):
            one_line_error(call(*change), 2, "read-only (no write permission)", str(path))
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)
    assert tables(path) == before
    assert not (folder / "session.db.session-tui").exists()


def test_rewind_says_the_events_are_annulled_in_an_adk_database(adk_db, tmp_path):
    # google-adk's rewind keeps the events (annulled); "removed" would tell the user they are gone.
    path = adk_db("sqlite")
    run = CLI(tmp_path)
    for extra, said in ((["--dry-run"], "would annul 3 events"), ([], "annulled 3 events")):
        result = run("--store", path, "rewind", "s1", "inv-2", "--before", *extra)
        assert result.returncode == 0, result.stderr
        assert result.stderr.decode().startswith(said), result.stderr
    assert len(adk_get("sqlite", path).events) == 6  # the 5 kept, and the rewind event


def test_an_agent_folder_without_sessions_yet_is_named_as_such(tmp_path):
    # `session-tui my_agent` before any `adk web` run: the folder is neither a store nor holds
    # .adk/session.db; the one line says what was looked for, and nothing is written there.
    agent = tmp_path / "my_agent"
    agent.mkdir()
    (agent / "agent.py").write_text("root_agent = None\n")
    one_line_error(CLI(tmp_path)("--store", agent, "list"), 2, "not a session-tui store",
                   "nor an agent folder holding .adk/session.db")
    assert sorted(p.name for p in agent.iterdir()) == ["agent.py"]


def test_a_db_file_of_another_kind_is_named_as_neither_sqlite_nor_tinydb(tmp_path):
    # `x.db` is how ADK names its databases: random bytes there are not "not valid JSON".
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(bytes(range(256)) * 8)
    before = garbage.read_bytes()
    one_line_error(CLI(tmp_path)("--store", garbage, "list"), 2,
                   "garbage.db: not a SQLite database", "nor a TinyDB file")
    assert garbage.read_bytes() == before
    tinydb = tmp_path / "sessions.db"  # a TinyDB file may still be called .db
    tinydb.write_text('{"_default": {}}')
    assert CLI(tmp_path)("--store", tinydb, "list").returncode == 0


def test_list_and_show_count_and_mark_the_events_a_rewind_annulled(adk_db, tmp_path):
    # As the app's list ("6 ↶3") and timeline (↶) do: the events stay in the log, annulled.
    path = adk_db("sqlite")
    run = CLI(tmp_path)
    annulled = run.json("--store", path, "rewind", "s1", "inv-2", "--before", "--json")["removed_events"]
    total = len(adk_get("sqlite", path).events)
    listed = run("--store", path, "list").stdout.decode()
    row = next(line for line in listed.splitlines() if " s1 " in line)
    assert f" {total} ↶{annulled} " in row, listed
    shown = run("--store", path, "show", "s1").stdout.decode().splitlines()
    assert f"events   {total} ({annulled} annulled by a rewind: ↶)" in shown
    events = shown[shown.index(f"events   {total} ({annulled} annulled by a rewind: ↶)") + 1:]
    assert [line[:2] for line in events] == ["  ", "  "] + ["↶ "] * annulled + ["  "]
    assert "rewind before inv-2" in events[-1]
