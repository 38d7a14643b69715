"""A read-only store in the app: the sessions are listed and shown (not "No sessions"), a banner
at the top of the list and of the session says why, and every change a person asks for by key
is refused with the reason instead of tried; the store's bytes never change.

The store is made read-only by a lock that cannot be taken (EACCES, simulated), as on a folder
the user cannot write; the snapshot opens it with read_only=True (`--read-only`)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from filelock import BaseFileLock
from scenes import make_demo_store, press, settle, store_files

from session_tui.app import AppConfig, build_app
from session_tui.dialogs.confirm import ConfirmDialog
from session_tui.formats import adk_schema0
from session_tui.screens.session import SessionScreen
from session_tui.screens.sessions import SessionsScreen
from session_tui.widgets.read_only_banner import ReadOnlyBanner
from session_tui.widgets.session_list import SessionList

SIZE = (120, 36)


def make_app(store_path, **kwargs):
    return build_app(store_path, config=AppConfig(watch=False, cursor_blink=False), **kwargs)


def recording(app) -> list[str]:
    """Every notification the app shows from now on (message text)."""
    seen: list[str] = []
    show = app.notify

    def notify(message, **kwargs):
        seen.append(str(message))
        return show(message, **kwargs)

    app.notify = notify
    return seen


def deny_the_lock(monkeypatch) -> None:
    def acquire(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", self.lock_file)

    monkeypatch.setattr(BaseFileLock, "acquire", acquire)


def test_a_read_only_store_is_listed_with_a_banner_and_refuses_changes(tmp_path, monkeypatch):
    store_path = make_demo_store(tmp_path / "store")
    before = store_files(store_path)
    deny_the_lock(monkeypatch)
    app = make_app(store_path)
    reason = f"{store_path / '.lock'}: read-only (cannot take the lock: Permission denied)"
    assert app.store.read_only and app.store.read_only_reason == reason
    refused = f"{reason}: nothing can be changed"

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            seen = recording(app)
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, SessionsScreen)
            assert screen.query_one(SessionList).row_count > 0  # not "No sessions"
            banner = screen.query_one(ReadOnlyBanner)
            assert banner.display and banner.has_class("read-only-banner")
            assert "store/.lock: read-only (cannot take the lock: Permission denied)" in str(banner.render())
            for key in ("d", "u", "i"):  # delete, undo, import: each says why, opens nothing
                seen.clear()
                await press(pilot, key)
                assert seen == [refused], key
                assert app.screen is screen
            await press(pilot, "enter")
            session_screen = app.screen
            assert isinstance(session_screen, SessionScreen)
            await settle(pilot)
            assert session_screen.session is not None and session_screen.query_one(ReadOnlyBanner).display
            # Timeline: rewind to / before, undo, delete the session.
            for key in ("w", "b", "u", "D"):
                seen.clear()
                await press(pilot, "down", key)
                assert seen == [refused], key
                assert app.screen is session_screen
            # The state tree: edit, add, rename, delete a key.
            await press(pilot, "shift+tab", "down")
            for key in ("e", "a", "r", "d"):
                seen.clear()
                await press(pilot, key)
                assert seen == [refused], key
                assert app.screen is session_screen and not isinstance(app.screen, ConfirmDialog)
            await press(pilot, "v")  # viewing a value is reading: it opens
            assert app.screen is not session_screen

    asyncio.run(main())
    assert store_files(store_path) == before


def test_a_writable_store_shows_no_banner(tmp_path):
    store_path = make_demo_store(tmp_path / "store")
    app = make_app(store_path)

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert not app.screen.query_one(ReadOnlyBanner).display

    asyncio.run(main())


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    return make_demo_store(tmp_path_factory.mktemp("snap-ro") / "demo-store")


def test_snapshot_of_the_list_of_a_read_only_store(demo_store, snap_compare):
    before = store_files(demo_store)
    app = make_app(demo_store, read_only=True)
    assert snap_compare(app, run_before=settle, terminal_size=SIZE)
    assert store_files(demo_store) == before


REAL = Path(__file__).resolve().parents[3] / "shared" / "real-sessions"


@pytest.mark.skipif(not (REAL / "ottawa-health_my_agent_data.db").is_file(),
                    reason=f"{REAL} is not here")
def test_a_schema0_database_says_why_it_is_read_only_and_how_to_read_its_times(tmp_path):
    # Its event times are naive local times while its session times are UTC: the list's "Last
    # update" and the timeline's times disagree by the zone of the machine that wrote it. The
    # app must say so (the CLI's `list` does), and the reason must not be cut before its advice.
    path = tmp_path / "old.db"
    shutil.copy(REAL / "ottawa-health_my_agent_data.db", path)
    path.chmod(0o644)
    app = make_app(path)

    async def main():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            for screen_type in (SessionsScreen, SessionScreen):
                assert isinstance(app.screen, screen_type)
                banner = app.screen.query_one(ReadOnlyBanner)
                text = str(banner.render())
                assert banner.display and "adk migrate session" in text
                assert f"Note: {adk_schema0.TIMES_NOTE}" in text
                assert banner.size.height > 1  # wrapped, not cut to one line
                await press(pilot, "enter")

    asyncio.run(main())
