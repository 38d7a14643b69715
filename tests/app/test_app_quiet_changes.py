"""Changes made elsewhere, shown quietly (issue "What users found", point 15): an agent writing
every half second must not stack a toast per change over the timeline. The app marks what came
(new rows in the timeline, changed sessions in the list, a `● live` marker in the title) until
the user moves the cursor; and an edit refused as stale keeps what the user typed, offering it
again on the fresh version."""

from __future__ import annotations

import asyncio
import re

from scenes import make_app, make_demo_store, press, settle
from test_app_safety import screen_lines
from textual.widgets import Input, Static

from session_tui.dialogs.edit_value import EditValueDialog
from session_tui.model import Event
from session_tui.screens.session import SessionScreen
from session_tui.store import open_store
from session_tui.widgets.session_list import SessionList
from session_tui.widgets.state_tree import StateTree
from session_tui.widgets.timeline import Timeline

FIRST = "aa5d0b4b-df3c-49ba-a21e-c3e37a0365db"  # the newest demo session: first in the list
TALL = (120, 60)  # the whole demo session and what the agent adds fit on screen


async def poll_now(pilot) -> None:
    """The app's store poll, now, and what follows from it (StoreChanged, the reload)."""
    pilot.app.check_for_changes()
    for _ in range(3):
        await settle(pilot)


def agent_event(n: int) -> Event:
    return Event.new(f"agent-inv-{n // 2}", "agent", f"agent line {n}", state_delta={f"agent_{n}": n})


def title_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def test_an_agent_writing_pops_no_toasts_and_its_events_are_marked_until_the_cursor_moves(tmp_path):
    store_path = make_demo_store(tmp_path / "store")
    agent = open_store(store_path)  # the agent's own store object

    async def main():
        app = make_app(store_path)  # no timer: the test runs the poll after each write
        async with app.run_test(size=TALL) as pilot:
            await settle(pilot)
            await press(pilot, "enter")
            screen = app.screen
            assert isinstance(screen, SessionScreen)
            timeline = screen.query_one(Timeline)
            before = len(timeline.session.events)
            shown = len(app.notices)
            for n in range(6):  # six writes, each seen by a poll of its own
                agent.append_event(FIRST, agent_event(n))
                await poll_now(pilot)
            assert len(timeline.session.events) == before + 6
            assert app.notices[shown:] == []  # not one toast
            assert [i for i in range(before + 6) if timeline.is_new(i)] == list(range(before, before + 6))
            title = title_of(screen, "#timeline-title")
            assert "● live: 6 new, " in title
            # Each new row carries the marker beside its time; the old rows do not.
            lines = screen_lines(app)
            marked = [line for line in lines if "● " in line and "agent line" in line]
            assert len(marked) == 6
            assert not any("● " in line and "Hi, my order" in line for line in lines)
            # The user moves: what was new is seen; the title still says when it changed.
            await press(pilot, "down")
            assert timeline.new_count == 0
            title = title_of(screen, "#timeline-title")
            assert "● live" not in title and "live, updated " in title
            assert not [line for line in screen_lines(app) if "● " in line and "agent line" in line]
            # The session deleted elsewhere says so once, however often the poll runs.
            agent.delete(FIRST)
            await poll_now(pilot)
            await poll_now(pilot)
            deleted = [n for n in app.notices if "deleted by another process" in n.message]
            assert len(deleted) == 1

    asyncio.run(main())


def test_the_list_marks_the_sessions_changed_elsewhere_quietly(tmp_path):
    store_path = make_demo_store(tmp_path / "store")
    agent = open_store(store_path)

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            session_list = app.screen.query_one(SessionList)
            changed = [FIRST, session_list.shown_ids()[5]]  # the cursor is on FIRST
            shown = len(app.notices)
            for n, session_id in enumerate(changed * 2):
                agent.append_event(session_id, agent_event(n))
                await poll_now(pilot)
            assert app.notices[shown:] == []
            assert sorted(session_list.new_ids) == sorted(changed)
            status = title_of(app.screen, "#status")
            assert "● 2 sessions changed elsewhere" in status
            # The marker sits in the rows of those two sessions (newest first: the top two).
            rows = [line for line in screen_lines(app) if "2026-" in line]
            marked = [bool(re.search(re.escape(i) + r"\s*●", row))  # right after the id
                      for row, i in zip(rows, session_list.shown_ids())]
            assert marked[:3] == [True, True, False] and sum(marked) == 2
            # A session opened is seen (the cursor stayed on it): back on the list, only the
            # other one is marked.
            assert session_list.selected_id == FIRST
            await press(pilot, "enter", "escape")
            assert session_list.new_ids == [changed[1]]
            await press(pilot, "down")
            assert session_list.new_ids == []
            status = title_of(app.screen, "#status")
            assert "sessions changed elsewhere" not in status and "last changed elsewhere" in status

    asyncio.run(main())


def test_a_stale_edit_keeps_the_typed_text_and_applies_it_to_the_fresh_version(tmp_path):
    store_path = make_demo_store(tmp_path / "store")
    other = open_store(store_path)

    async def main():
        app = make_app(store_path)  # no polling: the app cannot notice the other writer
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await press(pilot, "enter", "shift+tab")
            screen = app.screen
            tree = screen.query_one(StateTree)
            assert tree.cursor_path == ("channel",)
            await press(pilot, "e")
            assert isinstance(app.focused, Input)
            await pilot.press("end", "ctrl+u", *"mine")
            # Meanwhile another writer changes this value and adds a key.
            other.set_value(FIRST, "/channel", "phone")
            other.set_value(FIRST, "/from_other", 1)
            await press(pilot, "enter")
            # Refused as stale: the dialog is back with what was typed and says why.
            dialog = app.screen
            assert isinstance(dialog, EditValueDialog)
            assert dialog.value_text == "mine"
            note = str(dialog.query_one("#edit-note", Static).render())
            assert "changed meanwhile" in note and "press enter to apply" in note.lower()
            assert '"phone"' in str(dialog.query_one("#edit-type", Static).render())  # current now
            assert not [n for n in app.notices if n.severity == "error"]
            stored = open_store(store_path).get(FIRST)
            assert stored.state["channel"] == "phone"  # nothing written yet
            # Enter applies it to the current version: the other writer's change is kept.
            await press(pilot, "enter")
            assert app.screen is screen
            stored = open_store(store_path).get(FIRST)
            assert stored.state["channel"] == "mine" and stored.state["from_other"] == 1
            assert tree.state["channel"] == "mine" and tree.state["from_other"] == 1

    asyncio.run(main())


def test_a_stale_new_key_comes_back_with_its_name_and_value(tmp_path):
    store_path = make_demo_store(tmp_path / "store")
    other = open_store(store_path)

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await press(pilot, "enter", "shift+tab", "a")
            assert isinstance(app.screen, EditValueDialog)
            await pilot.press(*"mykey", "enter", *"42")
            other.set_value(FIRST, "/from_other", 1)
            await press(pilot, "enter")
            dialog = app.screen
            assert isinstance(dialog, EditValueDialog)
            assert dialog.query_one("#edit-key", Input).value == "mykey"
            assert dialog.value_text == "42"
            await press(pilot, "ctrl+s")
            stored = open_store(store_path).get(FIRST)
            assert stored.state["mykey"] == 42 and stored.state["from_other"] == 1

    asyncio.run(main())
