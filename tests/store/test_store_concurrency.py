"""Concurrent writers (issue 7, suite item 2): editors through the API and the CLI, an agent
appending, a stale importer and an undoer, all at once, on both backends. Nothing is lost and
undo never removes another writer's work (see concurrency.py; benchmarks/faults.py runs it
with bigger numbers). Run with -s to see the figures."""

from __future__ import annotations

import sys

import pytest

from concurrency import run_concurrent
from storekit import BACKENDS, Backend

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fork-free spawning")


@pytest.mark.parametrize("sessions", [1, 4])
@pytest.mark.parametrize("kind", BACKENDS)
def test_concurrent_writers_lose_nothing(kind, sessions, tmp_path):
    backend = Backend(kind, tmp_path)
    counts = run_concurrent(backend.path, writers=4, edits=25, sessions=sessions)
    print(f"\n[concurrency] {kind}, {sessions} session(s): {counts}")
    assert counts["problems"] == []
    assert counts["edits"] == 100 and counts["appends"] == 50
    assert counts["appends_present"] == 50
    assert counts["edit_events_present"] == 100 - counts["edits_undone"]
    assert counts["undo_refused"] == 0
    assert counts["race_created"] + counts["race_imported"] == counts["races"]
