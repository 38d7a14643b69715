"""The real `.adk/session.db` files of public agents (../shared/real-sessions, copied to
tmp_path first) list and show as google-adk's SqliteSessionService reads them."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import adkkit
from session_tui.model import format_time, from_unix, json_equal
from session_tui.opening import open_any

REAL = Path(__file__).resolve().parents[3] / "shared" / "real-sessions"
FILES = sorted(REAL.glob("*.session.db")) if REAL.is_dir() else []


@pytest.mark.skipif(not FILES, reason="no ../shared/real-sessions/*.session.db here")
@pytest.mark.parametrize("source", FILES, ids=lambda p: p.name)
def test_a_real_agent_database_reads_as_google_adk_reads_it(source, tmp_path):
    path = tmp_path / source.name
    shutil.copy(source, path)
    path.chmod(0o644)
    with sqlite3.connect(path) as db:
        apps = tuple(r[0] for r in db.execute("SELECT DISTINCT app_name FROM sessions"))
    store = open_any(path)
    rows = {(r["app_name"], r["user_id"], r["id"]): r for r in store.list()}
    theirs = adkkit.adk_list("sqlite", path, apps)
    assert sorted(rows) == sorted((s.app_name, s.user_id, s.id) for s in theirs)
    assert not store.problems
    for adk in theirs:
        full = adkkit.adk_get("sqlite", path, adk.app_name, adk.user_id, adk.id)
        row = rows[(adk.app_name, adk.user_id, adk.id)]
        assert row["updated_at"] == format_time(from_unix(adk.last_update_time))
        assert row["event_count"] == len(full.events)
        ours = store.get(row["id"])
        assert json_equal(ours.state, full.state)
        assert [(e.id, e.invocation_id, e.author, e.timestamp) for e in ours.events] == [
            (e.id, e.invocation_id, e.author, e.timestamp) for e in full.events]
