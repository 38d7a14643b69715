"""Schema-0 ADK databases (ADK before 1.22, pickled actions) opened in place: read-only, with
the reason and a note on their naive local times; listed and read as google-adk reads their
`adk migrate session` copies; never written, and a hostile pickle never runs."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import adkkit
from session_tui.formats import adk_schema0
from session_tui.model import Event, EventActions, format_time, from_unix, json_equal
from session_tui.opening import open_any
from session_tui.store.errors import ReadOnlyStore, StoreError

REAL = Path(__file__).resolve().parents[3] / "shared" / "real-sessions"
SCHEMA_0 = ["kaggle5", "rishab", "ottawa-health"]
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"{REAL} is not here")


@pytest.fixture
def utc(monkeypatch):
    """The migrated copies were made on a machine set to UTC, and schema 0's naive local event
    times are read in the reading machine's zone (as google-adk reads them): read in UTC too."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _writable_copy(name: str, tmp_path: Path) -> Path:
    """A copy whose file is writable: read-only must come from the schema, not the file mode."""
    path = tmp_path / f"{name}.db"
    shutil.copy(REAL / f"{name}_my_agent_data.db", path)
    path.chmod(0o644)
    return path


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@needs_real
@pytest.mark.parametrize("name", SCHEMA_0)
def test_a_schema0_database_reads_in_place_as_google_adk_reads_its_migrated_copy(name, tmp_path, utc):
    path = _writable_copy(name, tmp_path)
    copy = tmp_path / "migrated.db"
    shutil.copy(REAL / f"{name}_my_agent_data.migrated-v1.db", copy)
    with sqlite3.connect(copy) as db:
        apps = tuple(r[0] for r in db.execute("SELECT DISTINCT app_name FROM sessions"))
    theirs = adkkit.adk_list("database", copy, apps)
    store = open_any(path)
    try:
        rows = {(r["app_name"], r["user_id"], r["id"]): r for r in store.list()}
        assert sorted(rows) == sorted((s.app_name, s.user_id, s.id) for s in theirs) and rows
        assert not store.problems
        for listed in theirs:
            full = adkkit.adk_get("database", copy, listed.app_name, listed.user_id, listed.id)
            row = rows[(listed.app_name, listed.user_id, listed.id)]
            assert row["updated_at"] == format_time(from_unix(full.last_update_time))
            assert row["event_count"] == len(full.events)
            ours = store.get(row["id"])
            assert json_equal(ours.state, full.state)
            assert [(e.id, e.invocation_id, e.author, e.timestamp) for e in ours.events] == [
                (e.id, e.invocation_id, e.author, e.timestamp) for e in full.events]
            assert [e.actions.state_delta for e in ours.events] == [e.actions.state_delta for e in full.events]
    finally:
        store.close()


@needs_real
def test_a_schema0_database_is_read_only_with_the_reason_and_is_never_written(tmp_path):
    path = _writable_copy("ottawa-health", tmp_path)
    before = _digest(tmp_path)
    store = open_any(path)
    try:
        assert store.read_only
        assert store.read_only_reason == (f"{path}: schema 0 (ADK before 1.22): read-only; "
                                          "migrate it with `adk migrate session` to edit")
        assert store.notes == [adk_schema0.TIMES_NOTE] and "naive local times" in store.notes[0]
        session = store.get("compaction_demo")
        invocation = session.events[0].invocation_id
        attempts = {
            "edit": lambda: store.set_value("compaction_demo", "/research_findings", "x"),
            "rewind": lambda: store.rewind("compaction_demo", invocation),
            "delete": lambda: store.delete("compaction_demo"),
            "fork": lambda: store.fork("compaction_demo", invocation),
            "undo": lambda: store.undo("compaction_demo"),
            "append": lambda: store.append_event("compaction_demo", Event(
                "e-new", "inv-new", "user", "hi", EventActions(), 1.0)),
        }
        for what, attempt in attempts.items():
            with pytest.raises(ReadOnlyStore) as caught:
                attempt()
            message = str(caught.value)
            assert "schema 0 (ADK before 1.22)" in message and "\n" not in message, (what, message)
        for attempt in (lambda: store.create("app", "user"), lambda: store.import_sessions([])):
            with pytest.raises(StoreError):
                attempt()
    finally:
        store.close()
    assert _digest(tmp_path) == before  # the same bytes, and no undo sidecar beside it


@needs_real
def test_the_cli_lists_a_schema0_file_with_the_note_and_refuses_an_edit(tmp_path):
    path = _writable_copy("rishab", tmp_path)
    env = dict(os.environ, SESSION_TUI_STORE=str(tmp_path / "unused"),
               PYTHONPATH=str(Path(__file__).resolve().parents[2]))

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "session_tui", "--store", str(path), *args],
                              env=env, capture_output=True, timeout=60)

    listed = cli("list")
    assert listed.returncode == 0, listed.stderr.decode()
    assert "225dd8b7-2f95-4249-985f-7eea04abe741" in listed.stdout.decode()
    assert "naive local times" in listed.stderr.decode()
    edit = cli("set", "225dd8b7-2f95-4249-985f-7eea04abe741", "/k", "1")
    err = edit.stderr.decode()
    assert edit.returncode == 2 and err.count("\n") == 1 and "adk migrate session" in err, err


class _Boom:
    """Unpickling this with the stock unpickler would create `target`."""

    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return (os.system, (f"touch {self.target}",))


@needs_real
def test_a_hostile_pickle_in_place_never_runs_and_names_the_row(tmp_path):
    adk = pytest.importorskip("google.adk.events.event_actions")
    path = _writable_copy("kaggle5", tmp_path)
    marker = tmp_path / "PWNED"
    evil = adk.EventActions(state_delta={"ok": 1, "evil": _Boom(str(marker))})
    with sqlite3.connect(path) as db:
        (row_id,) = db.execute("SELECT id FROM events ORDER BY timestamp LIMIT 1 OFFSET 1").fetchone()
        db.execute("UPDATE events SET actions = ? WHERE id = ?", (pickle.dumps(evil), row_id))
    store = open_any(path)
    try:
        assert len(store.list()) == 1  # the list needs no event
        with pytest.raises(StoreError) as caught:
            store.get("test-db-session-01")
        message = str(caught.value)
        assert f"events row {row_id!r}: actions: refused posix.system" in message and "\n" not in message
        assert [message] == [d for d in store.check().damaged]
    finally:
        store.close()
    assert not marker.exists()
