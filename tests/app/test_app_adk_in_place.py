"""The app open on an ADK SQLite file while google-adk's Runner appends to it (issue 9): the new
events appear without a restart and the cursor stays; an edit made while the session is quiet
lands as ADK would store it, and the agent's next run succeeds."""

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


async def poll_now(pilot) -> None:
    """The app's own change check, and what follows from it (StoreChanged, reloads)."""
    pilot.app.check_for_changes()
    for _ in range(3):
        await settle(pilot)


async def agent_run(path: Path, layout: str) -> None:
    """google-adk's Runner, in a thread: the app's loop keeps running meanwhile."""
    await asyncio.wait_for(asyncio.to_thread(adkkit.run_agent, layout, path), HANG_GUARD)


@pytest.mark.parametrize("layout", ["sqlite"])
def test_the_app_follows_a_running_agent_and_its_edit_lands(tmp_path, layout):
    path = adkkit.build(layout, tmp_path / "session.db")
    # The edit comes "while the agent is quiet": an hour after its run, as the app's clock says
    # (a change seconds after the agent's first asks first: test_app_running_agent.py).
    config = AppConfig(watch=False, cursor_blink=False, export_dir=tmp_path, clock=an_hour_later)

    async def main():
        app = build_app(path, config=config)
        assert isinstance(app.store, AdkStore)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            session_list = app.screen.query_one(SessionList)
            assert session_list.select("s1")
            await settle(pilot)
            # The list follows the agent: its appends show, the cursor stays on s1.
            await agent_run(path, layout)
            await poll_now(pilot)
            assert session_list.selected_id == "s1"
            assert session_list.selected_row["event_count"] == 7
            await press(pilot, "enter")
            screen = app.screen
            assert isinstance(screen, SessionScreen)
            timeline = screen.query_one(Timeline)
            timeline.focus()
            timeline.select_event(2)
            await press(pilot, "enter")  # time travel: right after event 2
            chosen = timeline.cursor_event
            assert chosen == 2 and screen.event_index == 2
            await agent_run(path, layout)
            await poll_now(pilot)
            assert len(timeline.session.events) == 9  # the new events are there
            assert timeline.cursor_event == chosen and screen.event_index == chosen  # stayed
            await press(pilot, "escape")  # back to the live state
            # An edit while the agent is quiet.
            tree = screen.query_one(StateTree)
            await press(pilot, "shift+tab")
            assert app.focused is tree
            key = tree.cursor_path[0]
            await press(pilot, "e")
            assert isinstance(app.focused, Input)
            await pilot.press("end", "ctrl+u", *'"mine"')
            await press(pilot, "enter")
            assert tree.state[key] == "mine"
            return key

    key = asyncio.run(main())
    assert adkkit.adk_get(layout, path).state[key] == "mine"  # stored, as google-adk reads it
    adkkit.run_agent(layout, path)  # the agent's next run succeeds
    state = adkkit.adk_get(layout, path).state
    assert state["runs"] == 3 and state[key] == "mine"


def test_a_rewind_in_an_adk_database_says_annulled(tmp_path):
    # The events stay in the database (as after google-adk's own rewind): the preview and the
    # toast say "annulled", not "removed".
    from session_tui.dialogs.rewind import RewindDialog

    path = adkkit.build("sqlite", tmp_path / "session.db")
    config = AppConfig(watch=False, cursor_blink=False, export_dir=tmp_path, clock=an_hour_later)
    said: list[str] = []

    async def main():
        app = build_app(path, config=config)
        app.notify = lambda message, **kw: said.append(str(message))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.screen.query_one(SessionList).select("s1")
            await press(pilot, "enter")
            timeline = app.screen.query_one(Timeline)
            timeline.focus()
            timeline.select_event(2)  # in inv-2
            await press(pilot, "b")  # rewind before inv-2
            assert isinstance(app.screen, RewindDialog) and app.screen.annuls
            await press(pilot, "y")

    asyncio.run(main())
    assert "Rewound: 3 events annulled (u to undo)" in said
    assert len(adkkit.adk_get("sqlite", path).events) == 6  # kept, and the rewind event


def test_import_into_an_adk_database_is_refused_before_the_dialog(tmp_path):
    # The store refuses any import: the user must not pick files first to learn it.
    from session_tui.screens.sessions import SessionsScreen

    path = adkkit.build("sqlite", tmp_path / "session.db")
    said: list[str] = []

    async def main():
        app = build_app(path, config=AppConfig(watch=False, cursor_blink=False))
        app.notify = lambda message, **kw: said.append(str(message))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            await press(pilot, "i")
            assert app.screen is screen and isinstance(screen, SessionsScreen)

    asyncio.run(main())
    assert said == ["session.db: an ADK database keeps sessions as ADK writes them; import into "
                    "a session-tui store instead"]


def test_an_agent_folder_is_named_in_the_title_by_its_agent(tmp_path):
    # Every agent's database is .adk/session.db: "session-tui — session.db" says nothing.
    agent = tmp_path / "weather_agent"
    (agent / ".adk").mkdir(parents=True)
    adkkit.build("sqlite", agent / ".adk" / "session.db")
    config = AppConfig(watch=False, cursor_blink=False)
    for target in (agent, agent / ".adk" / "session.db"):
        app = build_app(target, config=config)
        try:
            assert app.sub_title == "weather_agent/.adk/session.db"
        finally:
            app.store.close()
    other = adkkit.build("sqlite", tmp_path / "ours.db")
    app = build_app(other, config=config)
    assert app.sub_title == "ours.db"
    app.store.close()
