"""The first screen: every session of the store, filtered as you type, sortable."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from ..messages import StoreChanged
from ..widgets.session_list import COLUMNS, SessionList
from .actions import ExportMixin


class SessionsScreen(ExportMixin, Screen):
    CSS_PATH = "sessions.tcss"
    HELP_TITLE = "Session list"
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter"),
        Binding("enter", "open", "Open", show=False),
        Binding("s", "sort", "Sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False),
        Binding("x", "export", "Export"),
        Binding("d,delete", "delete", "Delete"),
        Binding("u,ctrl+z", "undo", "Undo"),
        Binding("ctrl+r", "reload", "Reload", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]
    HELP_EXTRA = [("Moving", [("↑ ↓ pgup pgdn home end", "move in the list"),
                              ("enter", "open the session")])]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Filter: app, user, id or text in state   (/ to focus, ↓ to the list)",
                    id="filter", compact=True)
        yield SessionList(id="sessions")
        yield Static(id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = self.app.cursor_blink
        self.reload()
        self.query_one(SessionList).focus()

    # -- data --------------------------------------------------------------------------------
    def reload(self) -> None:
        store = self.app.store

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self.query_one("#status", Static).update,
                                      f"Reading session files into the index: {done:,} of {total:,}…")

        def job() -> list[dict]:
            if not store.loaded:
                store.load(progress)
            return store.list()

        self.app.run_store(job, self._show_rows, group="list")

    def _show_rows(self, rows: list[dict]) -> None:
        session_list = self.query_one(SessionList)
        session_list.set_rows(rows)
        self._update_status()

    def _update_status(self) -> None:
        session_list = self.query_one(SessionList)
        problems = getattr(self.app.store, "problems", [])
        text = f"{session_list.row_count} of {session_list.total_count} sessions"
        if session_list.filter:
            text += f" match {session_list.filter!r}"
        if problems:
            text += f"  ·  {len(problems)} file(s) could not be read: {problems[0]}"
        self.query_one("#status", Static).update(text)

    @on(StoreChanged)
    def _store_changed(self) -> None:
        self.reload()

    # -- filter ------------------------------------------------------------------------------
    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_one(SessionList).filter = event.value
        self._update_status()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(SessionList).focus()

    def on_key(self, event) -> None:
        if event.key == "down" and self.focused is self.query_one("#filter"):
            self.query_one(SessionList).focus()
            event.stop()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        filter_input = self.query_one("#filter", Input)
        filter_input.value = ""
        self.query_one(SessionList).focus()

    # -- sort --------------------------------------------------------------------------------
    def action_sort(self) -> None:
        session_list = self.query_one(SessionList)
        keys = [c.key for c in COLUMNS]
        current = session_list.sort_column
        following = keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[0]
        session_list.sort_by(following)
        self.notify(f"sorted by {following}", timeout=2)

    def action_reverse_sort(self) -> None:
        session_list = self.query_one(SessionList)
        session_list.sort_by(session_list.sort_column, reverse=not session_list.sort_reverse)

    # -- open, delete, undo ------------------------------------------------------------------
    def action_open(self) -> None:
        session_id = self.query_one(SessionList).selected_id
        if session_id is not None:
            self._open(session_id)

    @on(SessionList.Opened)
    def _opened(self, event: SessionList.Opened) -> None:
        self._open(event.session_id)

    def _open(self, session_id: str) -> None:
        from .session import SessionScreen

        self.app.push_screen(SessionScreen(session_id))

    def action_reload(self) -> None:
        self.reload()

    def action_delete(self) -> None:
        from ..dialogs.confirm import ConfirmDialog

        row = self.query_one(SessionList).selected_row
        if row is None:
            return
        session_id = row["id"]

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.app.run_store(lambda: self.app.store.delete(session_id),
                                   lambda _: self._deleted(session_id))

        self.app.push_screen(ConfirmDialog(
            "Delete session?",
            f"{row['app_name']} / {row['user_id']} / {session_id}\n"
            f"{row['event_count']} events. You can undo this (u).",
            confirm_label="Delete", danger=True), confirmed)

    def _deleted(self, session_id: str) -> None:
        self.app.changed_sessions.append(session_id)
        self.notify(f"Deleted {session_id}. Press u to undo.", markup=False)
        self.reload()

    def action_undo(self) -> None:
        """Undo the newest change made in this run of the app (any session)."""
        if not self.app.changed_sessions:
            self.notify("Nothing to undo in this run. Open a session to undo its changes.",
                        severity="warning")
            return
        session_id = self.app.changed_sessions.pop()

        def done(result) -> None:
            self.notify(f"Undid {result.undone} of {session_id}", markup=False)
            self.reload()
            self.query_one(SessionList).select(session_id)

        self.app.run_store(lambda: self.app.store.undo(session_id), done)

    # -- export ------------------------------------------------------------------------------
    def export_targets(self) -> list[str]:
        session_id = self.query_one(SessionList).selected_id
        return [session_id] if session_id else []
