"""Opening a session (issue 12: a 100,000-event one in <= 0.5 s, no stall over 100 ms): no full
collection before the first read when nothing is frozen, the session never repr'd (Textual
names a worker by the repr of its arguments: 100,000 events on the UI thread), the
time-travel checkpoints made once it is shown, and the footer recomposed once for a burst of
binding changes."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref

from scenes import make_app, make_demo_store, press, settle

import session_tui.screens.session_prepared as prepared
from session_tui.model import Session
from session_tui.files import thaw
from session_tui.screens.session import SessionScreen, collect_before_load, spare_the_collector
from session_tui.widgets.footer import Footer


def test_no_full_collection_before_the_first_read_unless_something_is_frozen():
    passes = []

    def seen(phase, info):
        if phase == "start" and info["generation"] == 2:
            passes.append(1)

    thaw()
    gc.unfreeze()
    gc.callbacks.append(seen)
    try:
        collect_before_load()  # nothing frozen: no pass (it would stall the UI)
        assert passes == []
        spare_the_collector()  # what an earlier session's load froze
        collect_before_load()
        assert passes == [1] and gc.get_freeze_count() == 0
    finally:
        gc.callbacks.remove(seen)
        gc.unfreeze()


def test_opening_a_session_never_reprs_it_and_makes_checkpoints_once_it_is_shown(tmp_path, monkeypatch):
    said: list[str] = []
    plain_repr = Session.__repr__

    def counted(self):
        said.append("repr")
        return plain_repr(self)

    class Watched(prepared.Checkpoints):
        def __init__(self, session, *args, **kwargs):
            shown = isinstance(app.screen, SessionScreen) and app.screen.session is session
            said.append(f"checkpoints, shown: {shown}, UI thread: {threading.get_ident() == ui}")
            super().__init__(session, *args, **kwargs)

    monkeypatch.setattr(Session, "__repr__", counted)
    monkeypatch.setattr(prepared, "Checkpoints", Watched)
    app = make_app(make_demo_store(tmp_path / "store"))
    ui = threading.get_ident()

    async def main():
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await press(pilot, "enter")
            assert isinstance(app.screen, SessionScreen) and app.screen.session is not None

    asyncio.run(main())
    assert said == ["checkpoints, shown: True, UI thread: False"]


def test_the_footer_recomposes_once_for_a_burst_of_binding_changes(tmp_path, monkeypatch):
    recomposed = []
    plain = Footer.recompose

    async def counted(self):
        recomposed.append(1)
        await plain(self)

    monkeypatch.setattr(Footer, "recompose", counted)
    app = make_app(make_demo_store(tmp_path / "store"))

    async def main():
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await press(pilot, "enter")
            screen = app.screen
            footer = screen.query_one(Footer)
            before = len(recomposed)
            for _ in range(5):
                screen.refresh_bindings()
            await settle(pilot)
            assert len(recomposed) == before + 1
            shown = {key.description for key in footer.query("FooterKey")}
            assert {"Back", "Undo"} <= shown and "Edit" not in shown  # (the timeline focused)
            await press(pilot, "tab")  # the tree focused: its keys are live, the footer says so
            assert "Edit" in {key.description for key in footer.query("FooterKey")}

    asyncio.run(main())


def test_a_closed_session_is_let_go_at_once(tmp_path):
    """Not left to the full collection of the next open (its objects are frozen, and the
    closed screen is a cycle): that pass would walk a 100,000-event session (300-400 ms)."""
    app = make_app(make_demo_store(tmp_path / "store"))

    async def main():
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await press(pilot, "enter", "/")  # (the search text made too)
            screen = app.screen
            assert isinstance(screen, SessionScreen) and screen.session is not None
            shown = weakref.ref(screen.session)
            await press(pilot, "escape", "escape")
            assert not isinstance(app.screen, SessionScreen)
            assert gc.get_freeze_count()  # (what the open froze stays frozen)
            assert shown() is None

    asyncio.run(main())


def test_a_read_is_frozen_before_the_collector_wakes_on_reload_too(tmp_path):
    """The load worker reads with the collector paused and freezes what it read before it
    wakes: else the first young collection after a reload (an agent appended) walks the whole
    session on the worker, holding the UI (70 ms on 100,000 events)."""
    app = make_app(make_demo_store(tmp_path / "store"))
    seen = []

    async def main():
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            plain_get = app.store.get

            def watched(session_id):
                session = plain_get(session_id)
                seen.append(gc.isenabled())
                return session

            app.store.get = watched
            await press(pilot, "enter")
            first = app.screen.session
            await press(pilot, "ctrl+r")
            assert app.screen.session is not first
            assert not any(obj is app.screen.session.state for obj in gc.get_objects())

    asyncio.run(main())
    assert seen == [False, False]
