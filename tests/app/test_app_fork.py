"""`f` on the timeline (issue 11): the fork dialog shows what the fork will hold, enter makes it
(here: "before", switched with ↓), the new session opens on top, and `u` there undoes the
fork (the session goes, and its screen); the original's bytes never change."""

from __future__ import annotations

import asyncio

import orjson
from scenes import make_app, make_demo_store, press, settle
from test_app_flows import FIRST, SIZE, load, open_first

from session_tui.dialogs.fork import ForkDialog
from session_tui.screens.session import SessionScreen
from session_tui.store import open_store
from session_tui.store.forking import plan_fork
from session_tui.widgets.session_list import SessionList
from session_tui.widgets.timeline import Timeline


def test_f_forks_at_the_invocation_opens_the_fork_and_u_undoes_it(tmp_path):
    store_path = make_demo_store(tmp_path / "store")
    original = load(store_path, FIRST)
    original_bytes = orjson.dumps(original.export())
    target = original.invocation_ids()[2]
    expected = plan_fork(original, target, before=True)
    assert expected.keep and expected.state_changes

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot)
            assert any(key == "f" for _, rows in app.help_sections() for key, _ in rows)
            await press(pilot, "shift+down", "shift+down")
            assert screen.query_one(Timeline).current_invocation == target
            await press(pilot, "f")
            dialog = app.screen
            assert isinstance(dialog, ForkDialog)
            assert dialog.plans[True].state_changes == expected.state_changes
            await press(pilot, "down", "enter")

            fork_screen = app.screen
            assert isinstance(fork_screen, SessionScreen) and fork_screen is not screen
            assert fork_screen.session_id == f"{FIRST}-fork"
            await pilot.resize_terminal(70, SIZE[1])  # narrow: the id cut in its middle
            await pilot.pause()
            assert fork_screen.sub_title.endswith("-fork") and "…" in fork_screen.sub_title
            await pilot.resize_terminal(*SIZE)
            fork = load(store_path, f"{FIRST}-fork")
            assert fork.events == original.events[:expected.keep]
            assert fork.state == expected.state == fork_screen.session.state
            assert fork.extra["forked_from"]["invocation_id"] == target
            assert any(n.message.startswith(f"Forked into {FIRST}-fork") for n in app.notices)
            assert orjson.dumps(load(store_path, FIRST).export()) == original_bytes

            await press(pilot, "u")
            assert app.screen is screen
            assert f"{FIRST}-fork" not in open_store(store_path)
            assert orjson.dumps(load(store_path, FIRST).export()) == original_bytes

            # Forked again while an agent writes to another session: back on the list, that
            # one is marked as changed elsewhere, never the fork made here.
            await press(pilot, "f", "enter")
            forked = app.screen.session_id
            other = next(sid for sid in open_store(store_path).ids() if sid not in (FIRST, forked))
            open_store(store_path).set_value(other, "/agent_was_here", True)
            app.check_for_changes()  # what the poll timer does
            for _ in range(3):  # poll -> StoreChanged -> reload -> shown
                await settle(pilot)
            await press(pilot, "escape", "escape")
            marked = app.screen.query_one(SessionList).new_ids
            assert other in marked and forked not in marked

    asyncio.run(main())
