"""No store I/O on the UI thread (issue 10, point 2): a store folder's `list()` may wait for the
file lock another writer holds, and the screen must not freeze meanwhile. A change noticed by
the poll carries the summaries read in the poll's worker; the export dialog names its file from
what the screen shows."""

from __future__ import annotations

import asyncio
import threading

from scenes import DEMO_FIRST, make_demo_store, press, settle

from session_tui.app import AppConfig, build_app
from session_tui.dialogs.export import ExportDialog
from session_tui.model import Event
from session_tui.screens.session import SessionScreen
from session_tui.store import DirectoryStore, open_store


class WatchedStore(DirectoryStore):
    """Says which of its reads ran on the UI thread (the thread the test's app runs on)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ui_thread = threading.get_ident()
        self.reads_on_ui: list[str] = []

    def _note(self, what: str) -> None:
        if threading.get_ident() == self.ui_thread:
            self.reads_on_ui.append(what)

    def list(self):
        self._note("list")
        return super().list()

    def __contains__(self, session_id: str) -> bool:
        self._note("contains")
        return super().__contains__(session_id)

    def get(self, session_id: str):
        self._note("get")
        return super().get(session_id)


def test_a_change_elsewhere_and_an_export_read_the_store_off_the_ui_thread(tmp_path):
    store_path = make_demo_store(tmp_path / "store")
    agent = open_store(store_path)

    async def main():
        store = WatchedStore(store_path)
        app = build_app(store=store, config=AppConfig(watch=False, cursor_blink=False))
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await press(pilot, "enter")
            assert isinstance(app.screen, SessionScreen)
            agent.append_event(DEMO_FIRST, Event.new("inv-agent", "agent", "from elsewhere"))
            app.check_for_changes()
            for _ in range(3):  # poll -> StoreChanged -> reload -> shown
                await settle(pilot)
            assert app.screen.session.events[-1].content == "from elsewhere"
            await press(pilot, "x")
            assert isinstance(app.screen, ExportDialog)
            await press(pilot, "escape", "escape")  # the dialog, then back to the list
            app.check_for_changes()  # (nothing changed: no notice)
            await press(pilot, "x")
            assert isinstance(app.screen, ExportDialog)
        assert store.reads_on_ui == []

    asyncio.run(main())
