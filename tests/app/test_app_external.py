"""Another writer changes the store while the app runs (SPEC section 3): the app notices and shows
the change without a restart, keeping its place; and a change the app makes from what it showed
before is refused, never written over the other writer's work."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import orjson
from scenes import make_app, make_demo_store, press, settle
from textual.widgets import Input

from session_tui.app import AppConfig, build_app
from session_tui.dialogs.confirm import ConfirmDialog
from session_tui.dialogs.edit_value import EditValueDialog
from session_tui.dialogs.rewind import RewindDialog
from session_tui.model import state_after
from session_tui.screens.session import SessionScreen
from session_tui.store import open_store
from session_tui.widgets.event_view import EventView
from session_tui.widgets.session_list import SessionList
from session_tui.widgets.state_tree import StateTree
from session_tui.widgets.timeline import Timeline

SIZE = (120, 36)
FIRST = "aa5d0b4b-df3c-49ba-a21e-c3e37a0365db"  # the newest demo session: first in the list
REPO = Path(__file__).resolve().parents[2]
HANG_GUARD = 60.0  # seconds: only a broken app gets near it (the tests wait for events)


def watching_app(store_path: Path, tmp_path: Path, poll_interval: float = 0.1):
    config = AppConfig(watch=True, poll_interval=poll_interval, cursor_blink=False,
                       export_dir=tmp_path)
    return build_app(store_path, config=config)


def app_without_timer(store_path: Path, tmp_path: Path):
    """Watches the store only when the test says so (`poll_now`): nothing depends on a timer."""
    config = AppConfig(watch=False, cursor_blink=False, export_dir=tmp_path)
    return build_app(store_path, config=config)


async def cli(*args: str) -> None:
    """The real CLI in another process (the app's event loop keeps running meanwhile)."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "session_tui", *args, cwd=REPO, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), HANG_GUARD)
    assert proc.returncode == 0, (proc.returncode, out, err)


async def poll_now(pilot) -> None:
    """Run the app's store poll now and wait for what follows from it: the poll worker, the
    StoreChanged messages it posts, the reloads they start, and the screen's update."""
    pilot.app.check_for_changes()
    for _ in range(3):  # poll -> StoreChanged -> reload worker -> shown
        await settle(pilot)


async def until_the_app_shows(pilot, condition) -> None:
    """Let the app run (its own poll timer noticing the change) until `condition()` holds:
    each round waits for the app's workers and messages; HANG_GUARD only ends a hang."""

    async def rounds():
        while not condition():
            await pilot.pause(pilot.app.config.poll_interval)
            await settle(pilot)

    await asyncio.wait_for(rounds(), HANG_GUARD)


def messages(app) -> list[str]:
    return [n.message for n in app.notices]


def test_a_cli_change_shows_on_the_list_and_the_cursor_stays_on_its_session(tmp_path):
    store_path = make_demo_store(tmp_path / "store")

    async def main():
        app = watching_app(store_path, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            session_list = app.screen.query_one(SessionList)
            await press(pilot, "down", "down", "down")
            chosen = session_list.selected_id
            assert chosen != FIRST and session_list.shown_ids()[0] == FIRST
            events = session_list.selected_row["event_count"]
            # Change another session: the cursor stays where it is.
            other = session_list.shown_ids()[10]
            await cli("--store", str(store_path), "set", other, "/from_cli", '"hi"')
            await until_the_app_shows(pilot, lambda: session_list.shown_ids()[0] == other)
            assert session_list.selected_id == chosen
            # Change the chosen one: it becomes the newest, the cursor goes with it.
            await cli("--store", str(store_path), "set", chosen, "/from_cli", '"hi"')
            await until_the_app_shows(
                pilot, lambda: session_list.selected_row["event_count"] == events + 1)
            assert session_list.selected_id == chosen
            assert session_list.shown_ids()[0] == chosen
            assert session_list.row_count == 30
            # The filter sees the new state text too.
            await press(pilot, "slash")
            await pilot.press(*"from_cli")
            await settle(pilot)
            assert set(session_list.shown_ids()) == {chosen, other}

    asyncio.run(main())


def test_a_cli_change_shows_in_the_open_session_keeping_the_event_shown(tmp_path):
    store_path = make_demo_store(tmp_path / "store")

    async def main():
        app = app_without_timer(store_path, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "enter")
            screen = app.screen
            assert isinstance(screen, SessionScreen)
            timeline = screen.query_one(Timeline)
            tree = screen.query_one(StateTree)
            view = screen.query_one(EventView)
            await press(pilot, "down", "down", "down", "enter")  # time travel: event 2
            assert screen.event_index == 2 and timeline.cursor_event == 2
            shown = view.event
            await cli("--store", str(store_path), "set", FIRST, "/from_cli", '"hi"')
            await poll_now(pilot)
            assert len(timeline.session.events) == 33
            assert timeline.new_count == 1  # quietly marked: no toast
            assert not any("changed elsewhere" in m for m in messages(app))
            # Still on the same event, still showing the state right after it.
            assert timeline.cursor_event == 2 and screen.event_index == 2
            assert view.event == shown
            assert tree.state == state_after(timeline.session, 3).state
            assert "from_cli" not in tree.state
            # The live state has the change.
            await press(pilot, "escape")
            assert tree.state["from_cli"] == "hi"
            assert timeline.session.events[-1].actions.state_delta == {"from_cli": "hi"}

    asyncio.run(main())


def test_an_edit_based_on_stale_data_is_refused_and_the_session_reloaded(tmp_path):
    store_path = make_demo_store(tmp_path / "store")
    other = open_store(store_path)
    now = [time.time()]  # the app's clock: the demo session changed long ago

    async def main():
        app = make_app(store_path, clock=lambda: now[0])  # no polling: the app cannot notice the other writer
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "enter")
            screen = app.screen
            assert isinstance(screen, SessionScreen)
            tree = screen.query_one(StateTree)
            timeline = screen.query_one(Timeline)
            await press(pilot, "shift+tab")
            assert app.focused is tree and tree.cursor_path == ("channel",)
            # Someone else changes the same session.
            other.set_value(FIRST, "/channel", "phone")
            theirs = orjson.dumps(other.get(FIRST).export())
            assert tree.state["channel"] == "web_chat"  # the app still shows what it read
            await press(pilot, "e")
            assert isinstance(app.focused, Input)
            await pilot.press("end", "ctrl+u", *"mine")
            await press(pilot, "enter")
            # Refused: the dialog is back with what was typed, offered on the fresh version.
            assert isinstance(app.screen, EditValueDialog) and app.screen.value_text == "mine"
            await press(pilot, "escape")  # dropped
            assert app.screen is screen
            # Their change stays, mine was not written.
            assert orjson.dumps(open_store(store_path).get(FIRST).export()) == theirs
            # The app reloaded: it shows their change now.
            assert tree.state["channel"] == "phone"
            assert len(timeline.session.events) == 33
            # A rewind from stale data is refused the same way.
            other.set_value(FIRST, "/from_other", 1)
            theirs = orjson.dumps(other.get(FIRST).export())
            await press(pilot, "tab")  # to the timeline
            assert app.focused is timeline
            # Shown now: the other writer's change of a second ago, so the app asks first.
            now[0] = timeline.session.last_change() + 1
            await press(pilot, "home", "shift+down", "w")
            assert isinstance(app.screen, ConfirmDialog) and "agent may be running" in app.screen.title_text.lower()
            await press(pilot, "y")
            assert isinstance(app.screen, RewindDialog)
            await press(pilot, "y")
            assert orjson.dumps(open_store(store_path).get(FIRST).export()) == theirs
            assert sum("changed by someone else" in m for m in messages(app)) == 1
            assert tree.state["from_other"] == 1

    asyncio.run(main())
