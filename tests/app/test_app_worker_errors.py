"""A store call that fails in a way nobody planned for (a bug or a limit below the app) is said in
one line, "Not done", with its type, and the app stays up: every screen's workers end in the one
place that says so (screens/workers.py)."""

from __future__ import annotations

import asyncio

from scenes import DEMO_FIRST, make_demo_store, press, settle

from session_tui.app import AppConfig, build_app
from session_tui.screens.session import SessionScreen
from session_tui.store import DirectoryStore


class BrokenBelow(DirectoryStore):
    """Reading DEMO_FIRST and undoing anything fail as a bug would."""

    def get(self, session_id: str):
        if session_id == DEMO_FIRST:
            raise RuntimeError("boom in get")
        return super().get(session_id)

    def undo(self, session_id: str):
        raise ZeroDivisionError("boom in undo")


def test_an_unplanned_failure_is_said_in_one_line_and_the_app_stays_up(tmp_path):
    store_path = make_demo_store(tmp_path / "store")

    async def main():
        app = build_app(store=BrokenBelow(store_path), config=AppConfig(watch=False, cursor_blink=False))
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await press(pilot, "enter")  # DEMO_FIRST: the newest, under the cursor
            assert isinstance(app.screen, SessionScreen) and app.screen.session is None
            errors = [(n.title, n.message) for n in app.notices if n.severity == "error"]
            assert errors == [("Not done", "RuntimeError: boom in get")]
            await press(pilot, "escape", "down", "d", "enter")  # delete another session
            assert len(app.undo_log) == 1
            await press(pilot, "u")  # its undo fails: the change stays the newest to undo
            assert app.notices[-1].message == "ZeroDivisionError: boom in undo"
            assert len(app.undo_log) == 1
            assert app.is_running

    asyncio.run(main())
