"""One session: its state as a tree (left) and its events as a timeline (right).

Selecting an event opens it below the timeline and turns the tree into the state as it was right
after that event (time travel), with the keys the event changed highlighted; escape returns to
the live state. Every change goes to the store in a worker, with the revision that was shown, so
a change based on stale data is refused instead of written over someone else's.
"""

from __future__ import annotations

import gc
from typing import Any, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from .. import pointer as jp
from ..eventinfo import display_name
from ..messages import StoreChanged
from ..undo_log import SessionChange
from ..model import Session, format_time, from_unix, parse_time, state_after
from ..store import NotFound, StaleError
from ..text import one_line, plural, safe
from ..widgets.event_view import EventView
from ..widgets.read_only_banner import ReadOnlyBanner
from ..widgets.state_tree import StateTree
from ..widgets.timeline import Timeline
from .actions import ExportMixin
from .keys import FOOTER_FIRST

TREE_ACTIONS = {"edit", "add", "rename", "delete_key", "view_value"}
RECENT_CHANGE_SECONDS = 10.0
"""A session that changed this recently may have an agent running on it: an edit or a rewind
asks first (google-adk's append_event raises StaleSessionError once the session changed in
storage after the agent loaded it)."""
TIMELINE_ACTIONS = {"rewind_to", "rewind_before"}


def spare_the_collector() -> None:
    """A loaded session can hold millions of objects that live as long as it is shown: each full
    collection walks them all (60-290 ms on a huge one) on whatever key it lands. Frozen, later
    collections skip them. Process-wide: what was frozen before is thawed and collected first
    (one full pass per load, not one per random key), or cycles freed since would never go."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class SessionScreen(ExportMixin, Screen):
    CSS_PATH = "session.tcss"
    HELP_TITLE = "Session"
    # Wide terminals give the state as much room as the timeline (session.tcss `-wide`).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (160, "-wide")]
    BINDINGS = [
        *FOOTER_FIRST,
        Binding("escape", "back", "Back"),
        Binding("tab", "app.focus_next", "Switch pane", show=False),
        Binding("e", "edit", "Edit"),
        Binding("a", "add", "Add key"),
        Binding("r", "rename", "Rename"),
        Binding("d,delete", "delete_key", "Delete key"),
        Binding("v", "view_value", "View value"),
        Binding("w", "rewind_to", "Rewind to"),
        Binding("b", "rewind_before", "Rewind before", show=False),  # (help, palette)
        Binding("u,ctrl+z", "undo", "Undo"),
        Binding("x", "export", "Export"),
        Binding("D", "delete_session", "Delete session", show=False),
        Binding("ctrl+r", "reload", "Reload", show=False),
    ]
    HELP_EXTRA = [("State tree", [("enter / space", "expand or collapse"),
                                  ("e a r d v", "edit, add, rename, delete, view in full")]),
                  ("Timeline", [("↑ ↓ pgup pgdn", "move"), ("shift+↑ shift+↓", "previous / next invocation"),
                                ("enter", "open the event: state as it was right after it"),
                                ("w / b", "rewind to / before the invocation under the cursor")])]

    def __init__(self, session_id: str):
        super().__init__()
        self.session_id = session_id
        self.session: Session | None = None
        self.event_index: int | None = None  # the event shown (time travel), None: live state
        # When another writer last changed the session (its update time), None: not yet; said
        # in the timeline's title instead of a toast per change (an agent writes often).
        self.changed_elsewhere: str | None = None
        self._said_deleted = False  # a deleted session says so once, not on every poll
        # The revision this screen's own last change (or undo) left: a change seconds ago
        # that is ours is no sign of a running agent.
        self._own_revision: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield ReadOnlyBanner()
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                yield Static(id="state-title", markup=False)
                yield StateTree(id="state")
            with Vertical(id="right"):
                yield Static(id="timeline-title", markup=False)
                yield Timeline(id="timeline")
                yield EventView(id="event")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(EventView).display = False
        self.query_one(ReadOnlyBanner).show_store(self.app.store)
        self.query_one(Timeline).focus()
        self.load()

    # -- data down ---------------------------------------------------------------------------
    def load(self, then: Callable[[], None] | None = None, *, elsewhere: bool = False) -> None:
        """Read the session again and show it; `elsewhere`: another writer changed it (its new
        events are marked); `then`: what to do once it is shown."""
        def failed(exc: Exception) -> None:
            self.app.report_error(exc)
            if isinstance(exc, NotFound) and self.session is None:
                self.app.pop_screen()

        def loaded(session: Session) -> None:
            self.show(session, elsewhere=elsewhere)
            if not elsewhere:  # not at every write of an agent: a full collection each time
                spare_the_collector()
            if then is not None:
                then()

        self.app.run_store(lambda: self.app.store.get(self.session_id), loaded, failed,
                           group="load")

    def show(self, session: Session, *, elsewhere: bool = False) -> None:
        known = {event.id for event in self.session.events} if elsewhere and self.session else None
        self.session = session
        # Agent text: made safe (the header shows it as is, control characters included).
        self.title = f"{one_line(session.app_name, 60)} · {one_line(session.user_id, 60)}"
        name = display_name(session.state)  # what adk web calls it
        self.sub_title = one_line(session.id) + (f" · “{one_line(name, 60)}”" if name else "")
        timeline = self.query_one(Timeline)
        timeline.set_session(session)
        if known is not None:
            self.changed_elsewhere = session.updated_at
            timeline.mark_new(event.id for event in session.events if event.id not in known)
        if self.event_index is not None:
            if self.event_index >= len(session.events):
                self.close_event()
            else:  # the view's "Event N of M" must count the same events as the tree's title
                self.query_one(EventView).show_event(session.events[self.event_index],
                                                     self.event_index, len(session.events))
        self._show_state()

    def _show_state(self) -> None:
        session = self.session
        tree = self.query_one(StateTree)
        title = self.query_one("#state-title", Static)
        if session is None:
            return
        self._show_timeline_title()
        if self.event_index is None:
            tree.set_state(session.state)
            title.update(f"State  ({plural(len(session.state), 'key')}, live)")
            return
        event = session.events[self.event_index]
        restored = state_after(session, self.event_index + 1)
        delta = event.actions.state_delta
        tree.set_state(restored.state, highlight_keys=frozenset(k for k in delta if k in restored.state))
        removed = [k for k, v in delta.items() if v is None]
        # (esc returns to the live state: the footer says so.)
        # The annulled note before the rest: the title is cut at the pane's width.
        title.update(f"State after event {self.event_index + 1}/{len(session.events)}"
                     + self._annulled_note(self.event_index) + " · ● changed"
                     + (f" · removed: {', '.join(removed)}" if removed else ""))

    def _annulled_note(self, index: int) -> str:
        """At an event a rewind annulled: the state is as it was then, and the rewind came
        later (after the rewind event the state is the one it restored)."""
        rewind = self.query_one(Timeline).annulled_at(index)
        if rewind is None or self.session is None:
            return ""
        return (f" · ↶ annulled by event {rewind + 1} (a later rewind, "
                f"{clock_of_event(self.session.events[rewind])})")

    def _show_timeline_title(self) -> None:
        """Counts, and quietly whether another writer changed the session: `● live: N new,
        HH:MM:SS` while new events are marked (until the cursor moves), then when it last
        changed (short: the title shares the timeline's width)."""
        session = self.session
        if session is None:
            return
        annulled = self.query_one(Timeline).annulled_count
        counts = (f"{plural(len(session.events), 'event')}, "
                  + (f"{annulled} annulled, " if annulled else "")
                  + f"{plural(len(session.invocation_ids()), 'invocation')}")
        text = f"Timeline  ({counts})"
        new = self.query_one(Timeline).new_count
        marker = ""
        if new:
            marker = f"● live: {new} new, {clock_of(self.changed_elsewhere or '')}"
        elif self.changed_elsewhere is not None:
            marker = f"· live, updated {clock_of(self.changed_elsewhere)}"
        title = self.query_one("#timeline-title", Static)
        if marker:
            text += f"  {marker}"
            if len(text) > title.content_region.width > 0:  # narrow: the marker first
                text = f"{marker} · {counts}"
        title.update(text)

    def on_resize(self) -> None:
        self._show_timeline_title()

    @on(StoreChanged)
    def _store_changed(self) -> None:
        if self.session is None:
            return
        summary = next((r for r in self.app.store.list() if r["id"] == self.session_id), None)
        if summary is None:
            if not self._said_deleted:
                self._said_deleted = True
                self.notify("This session was deleted by another process.", severity="warning")
            return
        self._said_deleted = False
        if summary["updated_at"] != self.session.updated_at:
            # No toast: an agent may write every second. The timeline marks what came.
            self.load(elsewhere=True)

    def action_reload(self) -> None:
        self.load()

    # -- time travel -------------------------------------------------------------------------
    @on(Timeline.EventSelected)
    def _event_selected(self, message: Timeline.EventSelected) -> None:
        self.event_index = message.index
        view = self.query_one(EventView)
        view.show_event(message.event, message.index, len(self.session.events) if self.session else None)
        view.display = True
        self._show_state()

    @on(Timeline.Highlighted)
    def _event_highlighted(self, message: Timeline.Highlighted) -> None:
        """While an event is open, the view and the state follow the timeline's cursor."""
        self._show_timeline_title()  # a move has the new events seen
        if self.event_index is not None and message.index is not None and message.event is not None:
            self.event_index = message.index
            self.query_one(EventView).show_event(message.event, message.index, len(self.session.events))
            self._show_state()

    def close_event(self) -> None:
        self.event_index = None
        self.query_one(EventView).display = False
        self._show_state()

    def action_back(self) -> None:
        if self.event_index is not None:
            self.close_event()
        else:
            self.app.pop_screen()

    # -- which keys are live where -----------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in TREE_ACTIONS:
            if not isinstance(self.focused, StateTree):
                return False
            if self.event_index is not None and action != "view_value":
                return None  # shown greyed: the past cannot be edited
        if action in TIMELINE_ACTIONS and not isinstance(self.focused, Timeline):
            return False
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    # -- changes -----------------------------------------------------------------------------
    def _shown_revision(self) -> str | None:
        return self.session.revision if self.session else None

    def _change(self, job, done_text: str, revision: str | None,
                on_stale: Callable[[], None] | None = None) -> None:
        """Run a store change based on `revision`: the one on screen when the user started it
        (before a dialog opened), so a change that landed meanwhile makes the store refuse.
        Refused so, the session is read again; `on_stale` then offers the change once more (a
        dialog with what the user typed) instead of an error that loses it."""

        def done(result: Any) -> None:
            self.app.undo_log.record(SessionChange(self.session_id))
            self.notify(done_text, markup=False, timeout=3)
            if isinstance(result, Session):
                self.show(result)
                self._own_revision = result.revision
            else:
                self.load(self._mark_own)

        def failed(exc: Exception) -> None:
            if isinstance(exc, StaleError) and on_stale is not None:
                self.load(on_stale, elsewhere=True)
                return
            self.app.report_error(exc)
            if isinstance(exc, StaleError):
                self.load(elsewhere=True)

        self.app.run_store(lambda: job(revision), done, failed, group="change")

    def _value_at(self, path: tuple) -> tuple[bool, Any]:
        """(found, value) at `path` in the live state shown."""
        try:
            return True, jp.get(self.session.state if self.session else {}, jp.build(list(path)))
        except (jp.PointerError, jp.PointerNotFound):
            return False, None

    def _cursor(self) -> tuple[tuple, Any] | None:
        """(path, value) of the tree's cursor in the state shown; None on no value."""
        tree = self.query_one(StateTree)
        path = tree.cursor_path
        if path is None:
            return None
        value: Any = tree.state
        for key in path:
            value = value[key]
        return tuple(path), value

    def _mark_own(self) -> None:
        self._own_revision = self.session.revision if self.session else None

    def _unless_agent_running(self, then: Callable[[], None]) -> None:
        """`then` (an edit or a rewind begins); first, if the session changed within the last
        RECENT_CHANGE_SECONDS (and not by this screen's own last change), ask whether to go
        on: an agent may be running on it."""
        session = self.session
        changed = session.last_change() if session else None
        age = self.app.config.clock() - changed if changed is not None else None
        ours = session is not None and session.revision is not None and session.revision == self._own_revision
        if age is None or age > RECENT_CHANGE_SECONDS or ours:
            then()
            return
        from ..dialogs.confirm import ConfirmDialog

        when = f"{int(age)} second{'s' if int(age) != 1 else ''} ago" if age >= 1 else "just now"
        self.app.push_screen(ConfirmDialog(
            "An agent may be running",
            f"This session changed {when}: an agent may be working on it. If one is, its next "
            "event will fail once you change the session (ADK refuses to append to a session "
            "changed since the agent loaded it: StaleSessionError). Change it anyway?",
            confirm_label="Go on", cancel_label="Cancel"),
            lambda yes: then() if yes else None)

    def action_edit(self) -> None:
        if self.app.refuse_if_read_only():
            return
        cursor = self._cursor()
        if cursor is None or not cursor[0]:
            self.notify("Pick a value in the state tree", severity="warning")
            return
        path, value = cursor
        self._unless_agent_running(lambda: self._edit_value(path, value))

    def _edit_value(self, path: tuple, value: Any, text: str | None = None, note: str = "") -> None:
        """The edit dialog for `path`, based on the revision shown now; refused as stale, it
        comes back with what was typed, on the session as it is then."""
        from ..dialogs.edit_value import EditValueDialog

        pointer = jp.build(list(path))
        revision = self._shown_revision()

        def saved(result) -> None:
            if result is None:
                return

            def again() -> None:
                found, fresh = self._value_at(path)
                self._edit_value(path, fresh, result.text, stale_note(found))

            self._change(lambda rev: self.app.store.set_value(self.session_id, pointer, result.value, rev),
                         f"Saved {pointer}", revision, on_stale=again)

        self.app.push_screen(EditValueDialog(pointer, value, text=text, note=note), saved)

    def action_add(self) -> None:
        from ..dialogs.edit_value import EditValueDialog

        if self.app.refuse_if_read_only():
            return
        cursor = self._cursor()
        path, value = cursor if cursor is not None else ((), None)
        # Add inside the object/array under the cursor, else beside the cursor's key.
        if not isinstance(value, (dict, list)):
            path = path[:-1]
        container = jp.get(self.session.state, jp.build(list(path))) if self.session else {}
        revision = self._shown_revision()
        if isinstance(container, list):
            pointer = jp.build(list(path) + ["-"])

            def saved_item(result) -> None:
                if result is not None:
                    self._change(lambda rev: self.app.store.set_value(
                        self.session_id, pointer, result.value, rev),
                        f"Appended to {jp.build(list(path)) or '/'}", revision)

            self._unless_agent_running(lambda: self.app.push_screen(
                EditValueDialog(pointer, None, is_new_key=False), saved_item))
            return

        self._unless_agent_running(lambda: self._add_key(path, container))

    def _add_key(self, path: tuple, container: dict, key: str | None = None, text: str | None = None,
                 note: str = "") -> None:
        """The new-key dialog in the object at `path`; refused as stale, it comes back with
        the key and value typed, on the session as it is then."""
        from ..dialogs.edit_value import EditValueDialog

        revision = self._shown_revision()

        def saved(result) -> None:
            if result is None:
                return
            target = jp.build(list(path) + [result.key])

            def again() -> None:
                found, fresh = self._value_at(path)
                if not isinstance(fresh, dict):
                    self.notify(f"Not added: {jp.build(list(path)) or '/'} is no longer an object "
                                f"in {self.session_id} (another writer changed it)",
                                severity="error", timeout=8)
                    return
                self._add_key(path, fresh, result.key, result.text, stale_note(found))

            self._change(lambda rev: self.app.store.set_value(self.session_id, target, result.value, rev),
                         f"Added {target}", revision, on_stale=again)

        self.app.push_screen(EditValueDialog(jp.build(list(path)) or "/", None, is_new_key=True,
                                             existing_keys=frozenset(container), key=key, text=text,
                                             note=note), saved)

    def action_rename(self) -> None:
        from ..dialogs.rename_key import RenameKeyDialog

        if self.app.refuse_if_read_only():
            return
        cursor = self._cursor()
        if cursor is None or not cursor[0] or not isinstance(cursor[0][-1], str):
            self.notify("Pick an object key to rename", severity="warning")
            return
        path, _ = cursor
        pointer = jp.build(list(path))
        parent = jp.get(self.session.state, jp.build(list(path[:-1])))
        revision = self._shown_revision()

        def renamed(name: str | None) -> None:
            if name and name != path[-1]:
                self._change(lambda rev: self.app.store.rename_key(self.session_id, pointer, name, rev),
                             f"Renamed {path[-1]} to {name}", revision)

        self._unless_agent_running(
            lambda: self.app.push_screen(RenameKeyDialog(path[-1], frozenset(parent)), renamed))

    def action_delete_key(self) -> None:
        from ..dialogs.confirm import ConfirmDialog

        if self.app.refuse_if_read_only():
            return
        cursor = self._cursor()
        if cursor is None or not cursor[0]:
            return
        pointer = jp.build(list(cursor[0]))
        revision = self._shown_revision()

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._change(lambda rev: self.app.store.unset_value(self.session_id, pointer, rev),
                             f"Deleted {pointer} (u to undo)", revision)

        self._unless_agent_running(lambda: self.app.push_screen(
            ConfirmDialog("Delete key?", f"{safe(pointer)} will be removed. You can undo this (u).",
                          confirm_label="Delete", danger=True), confirmed))

    def action_view_value(self) -> None:
        from ..dialogs.value_view import ValueDialog

        cursor = self._cursor()
        if cursor is not None:
            self.app.push_screen(ValueDialog(jp.build(list(cursor[0])) or "/", cursor[1]))

    # -- rewind and undo ---------------------------------------------------------------------
    def action_rewind_to(self) -> None:
        self._rewind(before=False)

    def action_rewind_before(self) -> None:
        self._rewind(before=True)

    def _rewind(self, before: bool) -> None:
        from ..dialogs.rewind import RewindDialog

        if self.app.refuse_if_read_only():
            return
        invocation = self.query_one(Timeline).current_invocation
        if invocation is None or self.session is None:
            self.notify("Move the timeline cursor to an invocation first", severity="warning")
            return
        revision = self.session.revision

        def preview(plan) -> None:
            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._change(lambda rev: self.app.store.rewind(
                        self.session_id, invocation, before=before, expected_revision=rev),
                        f"Rewound: {plural(plan.removed_events, 'event')} removed (u to undo)", revision)

            self.app.push_screen(RewindDialog(plan, invocation), confirmed)

        self._unless_agent_running(lambda: self.app.run_store(
            lambda: self.app.store.preview_rewind(self.session_id, invocation, before),
            preview, group="preview"))

    def action_undo(self) -> None:
        if self.app.refuse_if_read_only():
            return

        def done(outcome) -> None:
            result, still_there = outcome
            # That change of this run is undone: `u` on the list must not undo one more.
            self.app.undo_log.forget(self.session_id)
            self.notify(f"Undid {result.undone}: {plural(result.restored_events, 'event')} back, "
                        f"{result.removed_events} removed", timeout=4)
            if not still_there:
                self.app.pop_screen()
                return
            self.load(self._mark_own)

        def job():
            result = self.app.store.undo(self.session_id)
            return result, self.session_id in self.app.store  # asked in the worker, not here

        self.app.run_store(job, done)

    def action_delete_session(self) -> None:
        from ..dialogs.confirm import ConfirmDialog

        if self.app.refuse_if_read_only():
            return
        def confirmed(yes: bool | None) -> None:
            if yes:
                def done(_: Any) -> None:
                    self.app.undo_log.record(SessionChange(self.session_id))
                    self.notify(f"Deleted {self.session_id}. Press u on the list to undo.", markup=False)
                    self.app.pop_screen()

                revision = self.session.revision if self.session else None
                self.app.run_store(lambda: self.app.store.delete(self.session_id, revision), done)

        self.app.push_screen(ConfirmDialog("Delete session?", f"{safe(self.session_id)} and its "
                                           f"{plural(len(self.session.events) if self.session else 0, 'event')}. "
                                           "You can undo this (u).", confirm_label="Delete",
                                           danger=True), confirmed)

    def export_targets(self) -> list[str]:
        return [self.session_id]


def clock_of(value: str) -> str:
    """`HH:MM:SS` (UTC, as the timeline's times) of an ISO time; an odd one shown safely."""
    try:
        return format_time(parse_time(value))[11:19]
    except (ValueError, OverflowError, TypeError):
        return one_line(str(value), 32)


def clock_of_event(event) -> str:
    """`HH:MM:SS` (UTC) of an event's time, as the timeline shows it."""
    try:
        return format_time(from_unix(event.timestamp))[11:19]
    except (ValueError, OverflowError, TypeError):
        return "??:??:??"


def stale_note(found: bool) -> str:
    """Why the edit dialog is back: the save was refused as stale."""
    if found:
        return ("The session changed meanwhile (another writer): your value was not saved. "
                "Press enter to apply it to the current version, esc to drop it.")
    return ("The session changed meanwhile (another writer) and this key is gone now: "
            "press enter to write your value again, esc to drop it.")
