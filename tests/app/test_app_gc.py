"""A loaded session is kept out of the collector's full passes (each one walked a huge session
on whatever key it landed: 60-290 ms)."""

from __future__ import annotations

import asyncio
import gc

from scenes import press, settle
from test_app_safety import SIZE, _OneSession, config

from session_tui.app import build_app
from session_tui.model import Session
from session_tui.screens.session import SessionScreen


def test_a_loaded_session_is_left_out_of_later_full_collections(tmp_path):
    session = Session("s1", "app", "user", {"notes": ["a"], "booking": {"seat": "12A"}},
                      "2026-11-20T10:00:00Z", "2026-11-20T10:00:00Z", [])

    async def main():
        app = build_app(store=_OneSession(tmp_path, session), config=config())
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "enter")
            screen = app.screen
            assert isinstance(screen, SessionScreen) and screen.session is not None
            state = screen.session.state
            assert gc.is_tracked(state) and state["booking"] == {"seat": "12A"}
            # what a collection walks: every tracked object but the frozen ones
            assert not any(obj is state for obj in gc.get_objects())

    asyncio.run(main())
