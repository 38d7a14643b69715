"""The app open on a postgresql:// URL while google-adk's Runner appends to that database on the
suite's PostgreSQL server (issue 9, points 3 and 8): the new events appear through the app's own
change check, the cursor stays, an edit lands as google-adk reads it and the agent goes on.
(test_app_adk_in_place.py does the same on an ADK SQLite file.)"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from scenes import an_hour_later, press, settle
from textual.widgets import Input

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "adkdb"))
adkkit = pytest.importorskip("adkkit")

from session_tui.adkdb.store import AdkStore  # noqa: E402
from session_tui.app import AppConfig, build_app  # noqa: E402
from session_tui.screens.session import SessionScreen  # noqa: E402
from session_tui.widgets.session_list import SessionList  # noqa: E402
from session_tui.widgets.state_tree import StateTree  # noqa: E402
from session_tui.widgets.timeline import Timeline  # noqa: E402

SIZE = (120, 36)
HANG_GUARD = 60.0  # only a broken app gets near it


def quiet_config(tmp_path: Path) -> AppConfig:
    """The edit comes while the agent is quiet: an hour after its run, as the app's clock says
    (a change seconds after asks first: test_app_running_agent.py)."""
    return AppConfig(watch=False, cursor_blink=False, export_dir=tmp_path, clock=an_hour_later)


async def poll_now(pilot) -> None:
    pilot.app.check_for_changes()
    for _ in range(3):
        await settle(pilot)


def test_the_app_on_postgresql_follows_a_running_agent_and_its_edit_lands(
        pg_server, pg_database, tmp_path, monkeypatch):
    monkeypatch.setenv("SESSION_TUI_DATA", str(tmp_path / "data"))
    adk = adkkit.build("database", pg_server.url(pg_database, driver="psycopg"))

    async def agent_run() -> None:  # in a thread: the app's loop keeps running meanwhile
        await asyncio.wait_for(asyncio.to_thread(adkkit.run_agent, "database", adk), HANG_GUARD)

    async def main():
        app = build_app(pg_server.url(pg_database), config=quiet_config(tmp_path))
        assert isinstance(app.store, AdkStore)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            session_list = app.screen.query_one(SessionList)
            assert session_list.select("s1")
            await settle(pilot)
            await agent_run()
            await poll_now(pilot)
            assert session_list.selected_id == "s1"  # the cursor stayed
            assert session_list.selected_row["event_count"] == 7
            await press(pilot, "enter")
            screen = app.screen
            assert isinstance(screen, SessionScreen)
            timeline = screen.query_one(Timeline)
            timeline.focus()
            timeline.select_event(2)
            await agent_run()
            await poll_now(pilot)
            assert len(timeline.session.events) == 9  # the new events are there
            assert timeline.cursor_event == 2  # the cursor stayed
            tree = screen.query_one(StateTree)
            await press(pilot, "shift+tab")
            assert app.focused is tree
            key = tree.cursor_path[0]
            await press(pilot, "e")
            assert isinstance(app.focused, Input)
            await pilot.press("end", "ctrl+u", *'"mine"')
            await press(pilot, "enter")
            assert tree.state[key] == "mine"
            app.store.close()
            return key

    key = asyncio.run(main())
    assert adkkit.adk_get("database", adk).state[key] == "mine"  # as google-adk reads it
    adkkit.run_agent("database", adk)  # the agent's next run succeeds
    state = adkkit.adk_get("database", adk).state
    assert state["runs"] == 3 and state[key] == "mine"
