"""A running agent (issue 9, point 5): an edit or a rewind of a session that changed in the last
few seconds first asks, since google-adk's `append_event` raises StaleSessionError once the
session changed in storage after its agent loaded it. Escape changes nothing; y goes on; a
session that changed longer ago, or whose last change was this screen's own, is not asked
about. The app's clock is injected (AppConfig.clock): no test waits for time to pass."""

from __future__ import annotations

import asyncio
from pathlib import Path

from scenes import DEMO_FIRST, DEMO_SEED, make_app, make_demo_store, press, settle, store_files

from session_tui.demo import demo_sessions
from session_tui.dialogs.confirm import ConfirmDialog
from session_tui.dialogs.edit_value import EditValueDialog
from session_tui.dialogs.rename_key import RenameKeyDialog
from session_tui.dialogs.rewind import RewindDialog
from session_tui.model import Event, Session, format_time, from_unix
from session_tui.screens.running_agent import RECENT_CHANGE_SECONDS
from session_tui.screens.session import SessionScreen
from session_tui.store import DirectoryStore, open_store
from session_tui.widgets.state_tree import StateTree
from session_tui.widgets.timeline import Timeline

SIZE = (120, 36)
T = 1_764_000_000.0  # the session's last change (2025-11-24T16:00:00Z)
ASKED = "An agent may be running"


def make_store(path: Path, updated: float = T, last_event: float = T - 5) -> Path:
    """One session: state keys to edit, one invocation to rewind, changed last at `updated`
    (its last event at `last_event`)."""
    events = [Event.new("inv-1", "user", "hi", timestamp=last_event - 1),
              Event.new("inv-1", "agent", "set k", state_delta={"k": 1}, timestamp=last_event)]
    session = Session("s1", "app", "u", {"k": 1, "obj": {"x": 1}}, format_time(from_unix(T - 60)),
                      format_time(from_unix(updated)), events)
    store = DirectoryStore(path, create=True)
    store.import_sessions([session])
    store.close()
    return path


def stored(path: Path) -> Session:
    store = open_store(path)
    try:
        return store.get("s1")
    finally:
        store.close()


async def open_session(pilot) -> SessionScreen:
    await settle(pilot)
    await press(pilot, "enter")
    screen = pilot.app.screen
    assert isinstance(screen, SessionScreen) and screen.session is not None
    return screen


def asked(app) -> bool:
    return isinstance(app.screen, ConfirmDialog) and app.screen.title_text == ASKED


def test_a_session_changed_seconds_ago_asks_before_each_change_and_escape_changes_nothing(tmp_path):
    # Its update time is old, but an event came 3 seconds ago (a writer that does not bump it).
    path = make_store(tmp_path / "store", updated=T - 600, last_event=T)
    before = store_files(path)
    app = make_app(path, clock=lambda: T + 3)

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_session(pilot)
            await press(pilot, "shift+tab")  # the tree, on key k
            assert isinstance(app.focused, StateTree) and app.focused.cursor_path == ("k",)
            for key in ("e", "a", "r", "d"):
                await press(pilot, key)
                assert asked(app), key
                message = app.screen.message.plain
                assert "3 seconds ago" in message and "StaleSessionError" in message
                await press(pilot, "escape")
                assert app.screen is screen, key  # no edit dialog behind it
            await press(pilot, "tab")
            assert isinstance(app.focused, Timeline)
            for key in ("w", "b"):
                await press(pilot, key)
                assert asked(app), key
                await press(pilot, "escape")
                assert app.screen is screen, key

    asyncio.run(main())
    assert store_files(path) == before  # nothing changed, nothing recorded


def test_going_on_lands_and_the_screen_own_change_is_not_asked_about_again(tmp_path):
    path = make_store(tmp_path / "store")
    now = [T + 3]
    app = make_app(path, clock=lambda: now[0])

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_session(pilot)
            await press(pilot, "shift+tab")
            await press(pilot, "e")
            assert asked(app)
            await press(pilot, "y")
            assert isinstance(app.screen, EditValueDialog)
            await pilot.press("end", "ctrl+u", *"42")
            await press(pilot, "enter")
            assert stored(path).state["k"] == 42
            # The session changed a moment ago, by this screen: no question.
            now[0] = screen.session.last_change() + 1
            await press(pilot, "r")
            assert isinstance(app.screen, RenameKeyDialog)
            await press(pilot, "escape")
            # Another writer changes it: asked again; the rewind, confirmed, lands.
            other = open_store(path)
            other.set_value("s1", "/from_agent", True)
            other.close()
            app.check_for_changes()
            for _ in range(3):
                await settle(pilot)
            assert screen.session.state.get("from_agent") is True
            now[0] = screen.session.last_change() + 2
            await press(pilot, "tab", "w")
            assert asked(app) and "2 seconds ago" in app.screen.message.plain
            await press(pilot, "enter")
            assert isinstance(app.screen, RewindDialog)
            await press(pilot, "y")
            assert app.screen is screen
            assert [e.invocation_id for e in stored(path).events] == ["inv-1", "inv-1"]

    asyncio.run(main())


def test_an_older_change_is_not_asked_about(tmp_path):
    path = make_store(tmp_path / "store")
    app = make_app(path, clock=lambda: T + RECENT_CHANGE_SECONDS + 0.5)

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_session(pilot)
            await press(pilot, "shift+tab", "e")
            assert isinstance(app.screen, EditValueDialog)
            await press(pilot, "escape", "tab", "w")
            assert isinstance(app.screen, RewindDialog)
            await press(pilot, "escape")
            assert app.screen is screen

    asyncio.run(main())


def _demo_last_change() -> float:
    [first] = [s for s in demo_sessions(seed=DEMO_SEED) if s.id == DEMO_FIRST]
    return first.last_change()


def test_snapshot_of_the_question(tmp_path, snap_compare):
    store_path = make_demo_store(tmp_path / "demo-store")
    app = make_app(store_path, clock=lambda: _demo_last_change() + 3)

    async def play(pilot):
        await settle(pilot)
        await press(pilot, "enter", "shift+tab", "e")

    assert snap_compare(app, run_before=play, terminal_size=SIZE)


def test_deleting_a_session_changed_seconds_ago_says_an_agent_may_be_working_on_it(tmp_path):
    path = make_store(tmp_path / "store", updated=T)
    app = make_app(path, clock=lambda: T + 4)

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "d")
            assert isinstance(app.screen, ConfirmDialog)
            message = app.screen.message.plain
            assert "4 seconds ago" in message and "StaleSessionError" in message
            await press(pilot, "escape")

    asyncio.run(main())


def test_deleting_a_session_changed_long_ago_does_not_mention_an_agent(tmp_path):
    path = make_store(tmp_path / "store", updated=T)
    app = make_app(path, clock=lambda: T + RECENT_CHANGE_SECONDS + 1)

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "d")
            assert isinstance(app.screen, ConfirmDialog)
            assert "agent" not in app.screen.message.plain
            await press(pilot, "escape")

    asyncio.run(main())


def test_deleting_it_from_its_own_screen_seconds_after_a_change_says_so_too(tmp_path):
    path = make_store(tmp_path / "store", updated=T)
    app = make_app(path, clock=lambda: T + 2)

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await open_session(pilot)
            await press(pilot, "D")
            assert isinstance(app.screen, ConfirmDialog)
            assert "2 seconds ago" in app.screen.message.plain
            await press(pilot, "escape")

    asyncio.run(main())
