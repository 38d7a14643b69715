"""The app on a store with a FIFO where a session file should be (issue 7, hole 5: the app hung
and could not even quit). Run in a child process, bounded by its timeout, so that a regression
fails instead of hanging the suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from session_tui.store import DirectoryStore
from session_tui.store.naming import file_name

REPO = Path(__file__).resolve().parents[2]

CHILD = r"""
import asyncio, sys
sys.path.insert(0, sys.argv[2])
from scenes import make_app, settle
from textual.widgets import Static
from session_tui.widgets.session_list import SessionList

async def main():
    app = make_app(sys.argv[1])
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        print("total", app.screen.query_one(SessionList).total_count)
        print("status", str(app.screen.query_one("#status", Static).content),
              str(app.screen.query_one("#problems", Static).content).replace("\n", " "))
        await pilot.press("q")
    print("quit")

asyncio.run(main())
"""


def test_the_app_opens_a_store_with_a_fifo_and_quits(tmp_path):
    store = DirectoryStore(tmp_path / "store", create=True)
    for session_id in ("a", "b", "c"):
        store.create("app", "u", session_id=session_id)
    fifo = store.sessions_dir / file_name("b")
    fifo.unlink()
    os.mkfifo(fifo)
    (store.path / "index.json").unlink()  # so the worker has to read every file
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", CHILD, str(store.path), str(Path(__file__).parent)],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "total 2" in lines and lines[-1] == "quit", done.stdout
    status = next(line for line in lines if line.startswith("status"))
    assert "a FIFO, not a regular file" in status and fifo.name in status
