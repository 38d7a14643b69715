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


def test_a_schema0_database_opens_read_only_and_says_how_its_times_read(tmp_path):
    """Schema 0 (pickled actions, ADK before 1.22): the banner says why nothing can be changed,
    and that its event times are the writer's naive local times (on the list and the session)."""
    import pickle
    import sqlite3

    from google.adk.events.event_actions import EventActions
    from textual.widgets import Static

    from session_tui.widgets.read_only_banner import ReadOnlyBanner

    path = tmp_path / "my_agent_data.db"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE sessions (app_name VARCHAR(128), user_id VARCHAR(128), id VARCHAR(128),
                state TEXT, create_time DATETIME, update_time DATETIME);
            CREATE TABLE events (id VARCHAR(128), app_name VARCHAR(128), user_id VARCHAR(128),
                session_id VARCHAR(128), invocation_id VARCHAR(256), author VARCHAR(256),
                actions BLOB, timestamp DATETIME, content TEXT);
        """)
        db.execute("INSERT INTO sessions VALUES ('app', 'ann', 's1', '{\"k\": 1}', "
                   "'2025-01-01 10:00:00', '2025-01-01 10:05:00')")
        db.execute("INSERT INTO events VALUES ('e1', 'app', 'ann', 's1', 'inv-1', 'agent', ?, "
                   "'2025-01-01 10:01:00.000000', NULL)",
                   (pickle.dumps(EventActions(state_delta={"k": 1})),))
    before = path.read_bytes()

    async def main():
        app = build_app(path, config=AppConfig(watch=False, cursor_blink=False))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            banner = app.screen.query_one(ReadOnlyBanner)
            assert banner.display and "schema 0" in str(banner.content)
            assert "naive local times" in str(banner.content)
            assert not app.screen.query_one("#problems", Static).display  # said once, not twice
            assert app.screen.query_one(SessionList).row_count == 1
            await press(pilot, "enter")
            assert "naive local times" in str(app.screen.query_one(ReadOnlyBanner).content)

    asyncio.run(main())
    assert path.read_bytes() == before


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


def test_import_into_an_adk_database_is_refused_before_any_dialog(tmp_path):
    path = adkkit.build("sqlite", tmp_path / "session.db")

    async def main():
        app = build_app(path, config=AppConfig(watch=False, cursor_blink=False))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            await press(pilot, "i")
            assert app.screen is screen  # no import dialog
            assert "Not imported: an ADK database keeps the sessions ADK writes" in app.notices[-1].message

    asyncio.run(main())


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


def test_a_save_while_another_program_holds_the_lock_comes_back_with_the_typed_value(
        tmp_path, monkeypatch):
    """An agent holding the database's lock longer than session-tui waits: nothing is saved,
    the edit dialog comes back with what was typed and says why; enter saves it once free."""
    import sqlite3

    from textual.widgets import Static

    from session_tui.adkdb import db as adkdb_db
    from session_tui.dialogs.edit_value import EditValueDialog

    monkeypatch.setattr(adkdb_db, "BUSY_TIMEOUT", 0.2)  # (waits 5 s in use)
    path = adkkit.build("sqlite", tmp_path / "session.db")
    config = AppConfig(watch=False, cursor_blink=False, export_dir=tmp_path, clock=an_hour_later)
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    async def main():
        app = build_app(path, config=config)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.screen.query_one(SessionList).select("s1")
            await press(pilot, "enter")
            screen = app.screen
            tree = screen.query_one(StateTree)
            await press(pilot, "shift+tab")
            key = tree.cursor_path[0]
            await press(pilot, "e")
            await pilot.press("end", "ctrl+u", *'"mine"')
            holder.execute("BEGIN EXCLUSIVE")  # another program writing, for longer than we wait
            await press(pilot, "enter")
            dialog = app.screen
            assert isinstance(dialog, EditValueDialog) and dialog.value_text == '"mine"'
            note = str(dialog.query_one("#edit-note", Static).render())
            assert "locked by another program" in note and "try again" in note
            holder.execute("ROLLBACK")
            await press(pilot, "enter")
            assert app.screen is screen and tree.state[key] == "mine"
            return key

    try:
        key = asyncio.run(main())
    finally:
        holder.close()
    assert adkkit.adk_get("sqlite", path).state[key] == "mine"
