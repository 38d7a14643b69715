"""What costs O(store) or O(session) runs in the workers, not on the UI thread (issue 12): the
list's rows are sorted in the reload worker, a session's time-travel checkpoints are made in
its load worker (with the timeline's lines), and a move with an event open only looks them
up."""

from __future__ import annotations

import asyncio
import threading

from scenes import make_app, make_demo_store, press, settle

import session_tui.screens.session_prepared as prepared
import session_tui.widgets.session_rows as session_rows
from session_tui.model import state_after
from session_tui.screens.session import SessionScreen
from session_tui.widgets.state_tree import StateTree


def test_sorting_and_checkpoints_are_made_in_workers(tmp_path, monkeypatch):
    threads: dict[str, list[int]] = {"sort": [], "checkpoints": [], "lines": []}
    sort_order = session_rows.sort_order

    def watched_sort(*args):
        threads["sort"].append(threading.get_ident())
        return sort_order(*args)

    class Watched(prepared.Checkpoints):
        def __init__(self, *args, **kwargs):
            threads["checkpoints"].append(threading.get_ident())
            super().__init__(*args, **kwargs)

    class WatchedLines(prepared.TimelineLines):
        def __init__(self, *args, **kwargs):
            if args:  # (the widget's own empty lines, at mount, aside)
                threads["lines"].append(threading.get_ident())
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(session_rows, "sort_order", watched_sort)
    monkeypatch.setattr(prepared, "Checkpoints", Watched)
    monkeypatch.setattr(prepared, "TimelineLines", WatchedLines)
    app = make_app(make_demo_store(tmp_path / "store"))

    async def main():
        async with app.run_test(size=(120, 36)) as pilot:
            ui = threading.get_ident()
            await settle(pilot)
            assert threads["sort"] and ui not in threads["sort"]
            await press(pilot, "enter")
            screen = app.screen
            assert isinstance(screen, SessionScreen) and screen.session is not None
            await press(pilot, "down", "enter")  # an event opened: the state after it
            for _ in range(4):  # and follows the cursor
                await press(pilot, "down")
                index = screen.event_index
                assert index is not None
                assert screen.query_one(StateTree).state == state_after(screen.session, index + 1).state
            for made in ("checkpoints", "lines"):
                assert threads[made] and ui not in threads[made], made

    asyncio.run(main())
