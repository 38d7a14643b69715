"""The list's status line while the rest of a store is read (issue 12's first rows): a filter
typed then says how many of the rows shown so far match, before the word of what is going on
("reading the rest…", "sorting…"), which ends the line; counts of thousands are grouped."""

from __future__ import annotations

import asyncio
import threading

from scenes import footer_keys, make_app, make_demo_store, press, settle
from textual.widgets import Input, Static

import session_tui.widgets.session_rows as session_rows
from session_tui.errors import CorruptFile
from session_tui.store import DirectoryStore, index_file, open_store
from session_tui.widgets.session_list import SessionList

SIZE = (120, 36)
WORD = "support_desk"  # an app of the demo's


def test_a_filter_typed_while_the_rest_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(session_rows, "FIRST_ROWS", 5)
    monkeypatch.setattr(index_file, "folder_mark", lambda folder: 0)  # sessions/ unchanged since
    started, go = threading.Event(), threading.Event()
    load = DirectoryStore.load

    def held_load(store, *args, **kwargs):  # (the worker's: the rest is read once the test says)
        started.set()
        go.wait(30)
        return load(store, *args, **kwargs)

    path = make_demo_store(tmp_path / "store")
    newest = open_store(path).list()[:5]
    assert 0 < sum(row["app_name"] == WORD for row in newest) < 5
    monkeypatch.setattr(DirectoryStore, "load", held_load)
    app = make_app(path)

    def status() -> str:
        return str(app.screen.query_one("#status", Static).render())

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(200):  # (until the worker is in the load, the first rows shown)
                if started.is_set() and "reading the rest" in status():
                    break
                await pilot.pause()
            assert status() == "the 5 newest sessions  ·  reading the rest…"
            await pilot.press("slash", *WORD)
            await pilot.pause()
            session_list = app.screen.query_one(SessionList)
            matching = session_list.row_count
            assert 0 < matching < 5
            assert status() == f"{matching} of the 5 newest sessions match {WORD!r}  ·  reading the rest…"
            go.set()
            await settle(pilot)
            assert status().startswith(f"{session_list.row_count} of 30 sessions match {WORD!r}")
            assert "reading" not in status()

    try:
        asyncio.run(main())
    finally:
        go.set()


def test_the_list_says_it_is_reading_until_the_first_rows_come(tmp_path, monkeypatch):
    """A store whose index must be read again first (a copied folder, 100,000 sessions: twenty
    seconds) is not shown as empty meanwhile."""
    path = make_demo_store(tmp_path / "store")
    empty_path = DirectoryStore(tmp_path / "empty", create=True).path
    monkeypatch.setattr(DirectoryStore, "first_rows", lambda store, count: None)
    started, go = threading.Event(), threading.Event()
    load = DirectoryStore.load

    def held_load(store, *args, **kwargs):
        started.set()
        go.wait(30)
        return load(store, *args, **kwargs)

    monkeypatch.setattr(DirectoryStore, "load", held_load)
    app, empty = make_app(path), make_app(empty_path)

    def first_line(app) -> str:
        return "".join(s.text for s in app.screen.query_one(SessionList).render_line(1)).strip()

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(200):
                if started.is_set():
                    break
                await pilot.pause()
            await pilot.pause()
            assert first_line(app) == "Reading the store…"
            go.set()
            await settle(pilot)
            assert app.screen.query_one(SessionList).row_count == 30
        async with empty.run_test(size=SIZE) as pilot:  # read: empty indeed
            go.set()
            await settle(pilot)
            assert first_line(empty) == "No sessions"

    try:
        asyncio.run(main())
    finally:
        go.set()


def test_a_list_that_could_not_be_read_is_not_said_to_be_reading(tmp_path, monkeypatch):
    path = make_demo_store(tmp_path / "store")
    monkeypatch.setattr(DirectoryStore, "first_rows", lambda store, count: None)

    def failing_load(store, *args, **kwargs):
        raise CorruptFile(f"{store.path / 'index.json'}: broken")

    monkeypatch.setattr(DirectoryStore, "load", failing_load)
    app = make_app(path)

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            line = "".join(s.text for s in app.screen.query_one(SessionList).render_line(1))
            assert line.strip() == "No sessions"

    asyncio.run(main())


def test_the_footer_shows_no_filter_key_while_typing_in_the_filter(tmp_path):
    """In the filter `/` is a letter typed (as `s`, `d`, `x`...): the footer does not offer it."""
    app = make_app(make_demo_store(tmp_path / "store"))

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "Filter" in footer_keys(app)
            await press(pilot, "slash")
            assert app.screen.focused is app.screen.query_one("#filter", Input)
            await press(pilot, "slash")  # typed
            assert app.screen.query_one("#filter", Input).value == "/"
            assert "Filter" not in footer_keys(app) and "Sort" not in footer_keys(app)
            await press(pilot, "down")  # back in the list
            assert "Filter" in footer_keys(app) and "Sort" in footer_keys(app)

    asyncio.run(main())
