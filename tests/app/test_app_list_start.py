"""The app's start (issue 12): a long list draws its first rows before the rest is sorted, then
all of them; a search index saved by an earlier run is read as soon as the list is shown (the
first key typed into the filter finds every event's text at once), none is read without one;
the footer is rebuilt only when the keys it shows change."""

from __future__ import annotations

import asyncio
import threading

from scenes import footer_keys, make_app, make_demo_store, press, settle
from textual.widgets import Static

import session_tui.screens.sessions as sessions_module
import session_tui.widgets.session_list as session_list_module
import session_tui.widgets.session_rows as session_rows
from session_tui.screens.sessions import SessionsScreen
from session_tui.search import session_matches
from session_tui.store import DirectoryStore, index_file, open_store
from session_tui.widgets.footer import Footer
from session_tui.widgets.session_list import SessionList

SIZE = (120, 36)


def test_a_long_list_shows_its_first_rows_then_all(tmp_path, monkeypatch):
    monkeypatch.setattr(sessions_module, "FIRST_AT_ONCE", 10)  # the demo's 30 are "long"
    monkeypatch.setattr(session_rows, "FIRST_ROWS", 4)
    threads, firsts = [], []
    prepare_first = session_list_module.prepare_first

    def watched(*args):
        threads.append(threading.get_ident())
        return prepare_first(*args)

    show_first = SessionsScreen._show_first

    def shown_first(screen, first, drawn, before_load=False):
        show_first(screen, first, drawn, before_load)
        session_list = screen.query_one(SessionList)
        firsts.append((session_list.shown_ids(), session_list.total_count, session_list.partial,
                       str(screen.query_one("#status", Static).render())))

    monkeypatch.setattr(session_list_module, "prepare_first", watched)
    monkeypatch.setattr(SessionsScreen, "_show_first", shown_first)
    # (rows from the index's first lines before the load: the next test)
    monkeypatch.setattr(DirectoryStore, "first_rows", lambda store, count: None)
    app = make_app(make_demo_store(tmp_path / "store"))

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            session_list = app.screen.query_one(SessionList)
            every = session_list.shown_ids()
            assert len(every) == session_list.total_count == 30 and not session_list.partial
            [(first, total, partial, status)] = firsts
            assert partial and total == 30 and 4 <= len(first) < 30
            assert first == every[:len(first)]  # exactly the first of the whole sort
            assert f"{len(first)} of 30 sessions" in status and "sorting" in status
            assert threads and threading.get_ident() not in threads  # chosen in the worker
            await press(pilot, "ctrl+r")  # a list shown already is read again whole
            assert len(firsts) == 1 and session_list.shown_ids() == every

    asyncio.run(main())


def test_the_newest_rows_are_drawn_from_the_index_before_the_store_is_read(tmp_path, monkeypatch):
    """A store folder whose index is known fresh: its newest sessions are on the screen before
    the store's load begins (100,000 sessions: a second or more), then every row."""
    monkeypatch.setattr(session_rows, "FIRST_ROWS", 5)
    monkeypatch.setattr(index_file, "folder_mark", lambda folder: 0)  # sessions/ unchanged since
    seen_at_load = []
    load = DirectoryStore.load

    def watched_load(store, *args, **kwargs):
        screen = app.screen  # (read from the worker: what is on the screen as the load begins)
        seen_at_load.append((screen.query_one(SessionList).shown_ids(),
                             str(screen.query_one("#status", Static).render())))
        return load(store, *args, **kwargs)

    path = make_demo_store(tmp_path / "store")
    newest = [r["id"] for r in open_store(path).list()][:5]
    monkeypatch.setattr(DirectoryStore, "load", watched_load)
    app = make_app(path)

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            [(shown, status)] = seen_at_load
            assert shown == newest and "the 5 newest sessions" in status and "reading the rest" in status
            session_list = app.screen.query_one(SessionList)
            assert session_list.row_count == 30 and session_list.shown_ids()[:5] == newest
            assert "30 of 30 sessions" in str(app.screen.query_one("#status", Static).render())

    asyncio.run(main())


def test_a_saved_search_index_is_read_when_the_list_is_shown(tmp_path):
    path = make_demo_store(tmp_path / "store")
    store = open_store(path)
    word = "lookup_order"  # in events only (test_app_search.py)
    in_events = {s.id for s in store.iter_sessions() if session_matches(s, word)}
    store.close()
    assert in_events

    async def run(first: bool):
        app = make_app(path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            if first:  # none saved yet: nothing is read before the filter is used
                assert screen.search_index is None
                await press(pilot, "slash")  # read (and saved) now
                assert screen.search_index is not None and screen.search_index.ready
                return
            # Saved by the first run: read already, no key pressed; the keys find event text.
            assert screen.search_index is not None and screen.search_index.ready
            await press(pilot, "slash")
            await pilot.press(*word)
            await settle(pilot)
            assert set(screen.query_one(SessionList).shown_ids()) == in_events

    asyncio.run(run(first=True))
    asyncio.run(run(first=False))


def test_the_footer_is_rebuilt_only_when_its_keys_change(tmp_path, monkeypatch):
    builds = []
    compose = Footer.compose

    def counted(footer):
        builds.append(1)
        return compose(footer)

    monkeypatch.setattr(Footer, "compose", counted)
    app = make_app(make_demo_store(tmp_path / "store"))

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "Sort" in footer_keys(app)
            built = len(builds)
            for _ in range(3):  # bindings said to change, the keys shown the same
                app.screen.refresh_bindings()
            await settle(pilot)
            assert len(builds) == built
            await press(pilot, "slash")  # typing into the filter: s, d, x ... are letters
            assert len(builds) == built + 1 and "Sort" not in footer_keys(app)
            await press(pilot, "down")  # back in the list
            assert len(builds) == built + 2 and "Sort" in footer_keys(app)

    asyncio.run(main())
