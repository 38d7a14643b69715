"""The first screen: every session of the store, filtered as you type, sortable."""

from __future__ import annotations

import threading
from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from ..files import freeze, gc_paused
from ..messages import StoreChanged
from ..model import to_unix
from ..undo_log import Change, ImportChange, SessionChange
from ..text import one_line, plural
from ..widgets.footer import Footer
from ..widgets.read_only_banner import ReadOnlyBanner
from ..widgets.session_list import COLUMNS, SessionList
from ..widgets.session_rows import FIRST_ROWS, PreparedRows
from .actions import ExportMixin
from .diff_marks import MARK_BINDINGS, SessionMarks
from .keys import FOOTER_FIRST
from .running_agent import running_note
from .list_import import ImportsSessions
from .list_search import ListSearch
from .workers import ReportsWorkerErrors


PROBLEMS_SHOWN = 3  # unreadable files named on screen; the rest are counted
FIRST_AT_ONCE = 1000  # rows sorted before any is shown; a longer list shows its first ones first
FIRST_DRAWN_WAIT = 0.5  # seconds the rest waits at most for the first rows to be drawn


def clock_of(value: str) -> str:
    """The session screen's `clock_of`, imported when first needed (not to start the app)."""
    from .session import clock_of

    return clock_of(value)


class SessionsScreen(ReportsWorkerErrors, ListSearch, ImportsSessions, ExportMixin, SessionMarks,
                     Screen):
    CSS_PATH = "sessions.tcss"
    HELP_TITLE = "Session list"
    # The list has the focus from the start (Textual's default, the filter's input, would show
    # footer keys for a moment and have it rebuilt when the list takes the focus).
    AUTO_FOCUS = "#sessions"
    BINDINGS = [
        *FOOTER_FIRST,
        Binding("slash", "focus_filter", "Filter"),
        Binding("enter", "open", "Open", show=False),
        Binding("s", "sort", "Sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False),
        Binding("x", "export", "Export"),
        Binding("i", "import", "Import"),
        Binding("d,delete", "delete", "Delete"),
        Binding("u,ctrl+z", "undo", "Undo"),
        Binding("ctrl+r", "reload", "Reload", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        *MARK_BINDINGS,
    ]
    HELP_EXTRA = [("Moving", [("↑ ↓ pgup pgdn home end", "move in the list"),
                              ("enter", "open the session")])]
    _back_from_session = False  # a session screen was opened: read the list again on return
    _last_opened = ""  # the session opened last
    _importing = False  # an import is running (one at a time)
    _changed_at: str | None = None  # when another writer last changed a session shown
    _left = False  # another screen was opened over this one (a session, a dialog)
    _reading_rest = False  # the newest rows shown from the index's first lines, the rest to come
    _first_count = 0  # how many of them

    def __init__(self) -> None:
        super().__init__()
        self._rows_shown: list[dict] = []  # the rows as last read: what "changed" compares to
        self._status_text: str | None = None  # the status line as shown
        self._problems_shown: list[str] | None = None  # the unreadable files as shown

    def compose(self) -> ComposeResult:
        yield Header()
        yield ReadOnlyBanner()
        yield Input(placeholder="Filter: app, user, id, state or event text   (/ to focus, ↓ to the list)",
                    id="filter", compact=True)
        yield SessionList(id="sessions")
        yield Static(id="problems", markup=False)
        yield Static(id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = self.app.cursor_blink
        self.query_one(ReadOnlyBanner).show_store(self.app.store)
        self.reload()
        self.query_one(SessionList).focus()

    # -- data --------------------------------------------------------------------------------
    @work(thread=True, group="list", exit_on_error=False)
    def reload(self, select: str | None = None) -> None:
        """Read the list again (in a thread; a store's index brought up to date first, with
        progress); `select`: put the cursor on that session once it is shown."""
        # No collections while the index is read and the rows made (hundreds of thousands of
        # new objects, each collection walking them all); once shown they are frozen.
        with gc_paused():
            store = self.app.store
            session_list = self.query_one(SessionList)
            if not store.loaded and not session_list.total_count:
                # The newest sessions from the first lines of a store folder's index, drawn
                # while the rest is read (a second or more for 100,000 sessions).
                early = store.first_rows(FIRST_ROWS)
                if early:
                    drawn = threading.Event()
                    self.app.call_from_thread(self._show_first, session_list.prepare_first_rows(early),
                                              drawn, True)
                    drawn.wait(FIRST_DRAWN_WAIT)
            if not store.loaded:
                try:
                    store.load(self._progress)
                except BaseException:  # (said by the worker's error): not "reading" any more
                    if not session_list.total_count:
                        self.app.call_from_thread(session_list.set_rows, [])
                    raise
            # Sorted here, not on the UI thread (seconds for 100,000 rows before the first drawn).
            rows = store.list()
            if len(rows) > FIRST_AT_ONCE and (not session_list.total_count or self._reading_rest):
                # A long list's first screenfuls are drawn before the rest is sorted: drawn
                # indeed (the UI thread needs the interpreter to draw; sorting would hold it).
                drawn = threading.Event()
                self.app.call_from_thread(self._show_first, session_list.prepare_first_rows(rows),
                                          drawn)
                drawn.wait(FIRST_DRAWN_WAIT)
            self.app.call_from_thread(self._show_rows, session_list.prepare_rows(rows), select)

    def _show_first(self, first: PreparedRows, drawn: threading.Event, before_load: bool = False) -> None:
        session_list = self.query_one(SessionList)
        if session_list.total_count and not self._reading_rest:
            drawn.set()
            return  # (rows came another way meanwhile: they are all)
        self._reading_rest = before_load  # (how many there are is not known yet)
        self._first_count = len(first.rows)
        session_list.set_rows(first)
        self._update_status()
        self.freeze_what_was_read()
        self.call_after_refresh(drawn.set)

    def _progress(self, done: int, total: int) -> None:
        self.app.call_from_thread(self.show_status,
                                  f"Reading session files into the index: {done:,} of {total:,}…")

    def _show_rows(self, given: list[dict] | PreparedRows, select: str | None = None,
                   elsewhere: bool = False) -> None:
        self.query_one(ReadOnlyBanner).show_store(self.app.store)
        session_list = self.query_one(SessionList)
        rows = given.rows if isinstance(given, PreparedRows) else given
        if elsewhere:
            before = {row.get("id"): row.get("updated_at") for row in self._rows_shown}
            changed = [row for row in rows if before.get(row.get("id"), "") != row.get("updated_at")]
            if changed:
                session_list.mark_new(str(row.get("id")) for row in changed)
                self._changed_at = max(str(row.get("updated_at")) for row in changed)
        self._rows_shown = rows
        self._reading_rest = False
        session_list.set_rows(given)
        self.index_rows(rows)
        self.freeze_what_was_read()
        if select is not None:
            session_list.select(select)
        self._update_status()

    def _update_status(self) -> None:
        session_list = self.query_one(SessionList)
        problems = list(self.app.store.problems)
        shown, total = session_list.row_count, session_list.total_count
        text = f"{shown:,} of {total:,} sessions"
        if self._reading_rest:  # (the rows shown so far are the index's newest: all there is yet)
            text = f"{shown:,} of the {self._first_count:,} newest sessions" \
                if session_list.filter else f"the {shown:,} newest sessions"
        if session_list.filter:
            text += f" match {session_list.filter!r}" + self.search_status()
        # What is going on last, after what is shown (not between the count and the filter).
        if self._reading_rest:
            text += "  ·  reading the rest…"
        elif session_list.partial:
            text += "  ·  sorting…"
        new = len(session_list.new_ids)
        if new:
            text += (f"  ·  ● {plural(new, 'session')} changed elsewhere, "
                     f"updated {clock_of(self._changed_at or '')}")
        elif self._changed_at is not None:
            text += f"  ·  last changed elsewhere {clock_of(self._changed_at)}"
        if problems and self.app.store.kind == "adk":
            text += f"  ·  {plural(len(problems), 'session')} could not be read"
        elif problems:
            text += (f"  ·  {plural(len(problems), 'file')} could not be "
                     "read (session-tui check moves them aside)")
        # Drawn again only when it changed, and in place (one line: no new layout), as each
        # key typed into the filter updates it.
        self.show_status(text)
        # Each unreadable file by its whole name, on lines of its own (they wrap, never cut).
        shown = [f"⚠ {one_line(p)}" for p in problems[:PROBLEMS_SHOWN]]
        if len(problems) > PROBLEMS_SHOWN:
            shown.append(f"… and {len(problems) - PROBLEMS_SHOWN} more (session-tui check lists them all)")
        if shown != self._problems_shown:
            self._problems_shown = shown
            box = self.query_one("#problems", Static)
            box.update("\n".join(shown))
            box.display = bool(problems)

    def show_status(self, text: str) -> None:
        """The status line: drawn again only when it changed, and in place (one line: no new
        layout), as each key typed into the filter updates it."""
        if text != self._status_text:
            self._status_text = text
            self.query_one("#status", Static).update(text, layout=False)

    def freeze_what_was_read(self) -> None:
        """Take what the list has read so far (the rows, the store's index, the search index)
        out of the collector's full passes (one took 100 ms amid the filter's keys on 10,000
        sessions). Only until another screen opens: what a closed one leaves behind (cycles not
        yet freed) must not be frozen with it."""
        if not self._left:
            freeze()

    def on_screen_suspend(self) -> None:
        self._left = True

    @on(StoreChanged)
    def _store_changed(self, message: StoreChanged) -> None:
        # Quietly: the sessions changed are marked, no toast.
        self._show_rows(message.rows, elsewhere=True)

    @on(SessionList.Highlighted)
    def _highlighted(self) -> None:
        self._update_status()  # a move has the marked sessions seen

    # -- filter ------------------------------------------------------------------------------
    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.start_search_index()  # (typed without `/`: a click into the filter)
        self.query_one(SessionList).filter = event.value
        self._update_status()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(SessionList).focus()

    def on_key(self, event) -> None:
        if event.key == "down" and self.focused is self.query_one("#filter"):
            self.query_one(SessionList).focus()
            event.stop()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In the filter `/` is typed, not bound: the footer must not offer it. (Textual hides
        # the keys an input takes by their character; "slash" has none for it.)
        if action == "focus_filter" and self.focused is self.query_one("#filter"):
            return False
        return super().check_action(action, parameters)

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()
        self.start_search_index()

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

        self._back_from_session = True
        self._last_opened = session_id
        self.app.push_screen(SessionScreen(session_id))

    def on_screen_resume(self) -> None:
        # Back from a session that was edited, rewound or deleted there: show its new summary.
        if self._back_from_session:
            self._back_from_session = False
            # What changed in the session just looked at is seen (it marked its new events),
            # and what was changed there (a fork) was not changed elsewhere.
            self.query_one(SessionList).mark_seen({self._last_opened} | self.app.undo_log.session_ids())
            self.reload()

    def action_reload(self) -> None:
        self.reload()

    def action_delete(self) -> None:
        from ..dialogs.confirm import ConfirmDialog

        row = self.query_one(SessionList).selected_row
        if row is None or self.app.refuse_if_read_only():
            return
        running = running_note(self.app.config.clock() - to_unix(row["updated_at"]))
        self.app.push_screen(ConfirmDialog(
            "Delete session?",
            f"{row['app_name']} / {row['user_id']} / {row['id']}\n"
            f"{plural(row['event_count'], 'event')}. You can undo this (u).{running}",
            confirm_label="Delete", danger=True), partial(self._delete_answered, row["id"]))

    def _delete_answered(self, session_id: str, yes: bool | None) -> None:
        if yes:
            self._delete(session_id)

    @work(thread=True, group="delete", exit_on_error=False)
    def _delete(self, session_id: str) -> None:
        self.app.store.delete(session_id)
        self.app.call_from_thread(self._deleted, session_id)

    def _deleted(self, session_id: str) -> None:
        self.app.undo_log.record(SessionChange(session_id))
        self.notify(f"Deleted {session_id}. Press u to undo.", markup=False)
        self.reload()

    def action_undo(self) -> None:
        """Undo the newest change made in this run of the app (any session)."""
        if self.app.refuse_if_read_only():
            return
        change = self.app.undo_log.pop()
        if change is None:
            self.notify("Nothing to undo in this run. Open a session to undo its changes.",
                        severity="warning")
        else:
            self._undo(change)

    @work(thread=True, group="undo", exit_on_error=False, description="undo a change")
    def _undo(self, change: Change) -> None:
        """Undo one entry of the app's undo log; refused, it stays the newest (not skipped
        over)."""
        store = self.app.store
        try:
            if isinstance(change, ImportChange):
                outcome = store.undo_import(change.report)
            else:
                outcome = store.undo(change.session_id)
        except Exception:
            self.app.call_from_thread(self.app.undo_log.record, change)
            raise  # said where every worker's failure is
        self.app.call_from_thread(self._undone, change, outcome)

    def _undone(self, change: Change, outcome) -> None:
        if isinstance(change, ImportChange):
            self.notify(f"Undid the import: removed {plural(outcome['removed'], 'new session')}, "
                        f"restored {plural(outcome['restored'], 'replaced session')}", markup=False)
            self.reload()
        else:
            self.notify(f"Undid {outcome.undone} of {change.session_id}", markup=False)
            # The session is back in the list only once the list is read again.
            self.reload(select=change.session_id)

    # -- export ------------------------------------------------------------------------------
    def export_targets(self) -> list[str]:
        session_id = self.query_one(SessionList).selected_id
        return [session_id] if session_id else []

    def export_app_name(self) -> str | None:
        row = self.query_one(SessionList).selected_row
        return row.get("app_name") if row else None
