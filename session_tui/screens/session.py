"""One session: its state as a tree (left) and its events as a timeline (right).

Selecting an event opens it below the timeline and turns the tree into the state as it was right
after that event (time travel), with the keys the event changed highlighted; escape returns to
the live state. Every change goes to the store in a worker, with the revision that was shown
(session_changes.py), so a change based on stale data is refused instead of written over
someone else's.
"""

from __future__ import annotations

import gc
from typing import Any, Callable

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from ..eventinfo import display_name
from ..files import freeze, gc_paused, thaw
from ..messages import StoreChanged
from ..model import Session, format_time, from_unix, parse_time
from ..store import NotFound, StaleError, StoreBusy
from ..text import middle_cut, one_line, plural
from ..widgets.footer import Footer
from ..widgets.eval_panel import EvalPanel
from ..widgets.event_view import EventView
from ..widgets.read_only_banner import ReadOnlyBanner
from ..widgets.search_bar import SearchBar
from ..widgets.state_tree import StateTree
from ..widgets.timeline import Timeline
from .actions import ExportMixin
from .diff_marks import MARK_BINDINGS, EventMarks
from .header import title_room
from .session_changes import Change, SessionChanges
from .session_fork import SessionFork
from .session_stats import StatsAndCopy
from .session_search import SEARCH_BINDINGS, SessionSearch
from .session_prepared import PreparedSession
from .state_edits import StateEdits
from .running_agent import AsksAboutRunningAgent
from .session_rewind import RewindUndoDelete
from .workers import ReportsWorkerErrors
from .keys import FOOTER_FIRST

TREE_ACTIONS = {"edit", "add", "rename", "delete_key", "view_value"}
TIMELINE_ACTIONS = {"rewind_to", "rewind_before", "fork"}


def spare_the_collector() -> None:
    """A loaded session can hold millions of objects that live as long as it is shown: each full
    collection walks them all (60-290 ms on a huge one) on whatever key it lands. Frozen, later
    collections skip them. O(1): the pass that frees what earlier loads froze is
    `collect_before_load`, done before a screen's first read, when nothing big is alive."""
    freeze()


def collect_before_load() -> None:
    """Thaw what earlier loads froze and collect it once (cycles freed since, like a closed
    session screen and the session it showed, would never go otherwise): before the new
    session is read, so that the full pass does not walk it (0.5-1 s on 100,000 events).
    Nothing frozen yet (the first session opened): no pass, it would only stall the UI."""
    if thaw():
        gc.collect()


class SessionScreen(ReportsWorkerErrors, StateEdits, SessionFork, StatsAndCopy, SessionSearch,
                    RewindUndoDelete, AsksAboutRunningAgent, ExportMixin, EventMarks, Screen):
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
        Binding("f", "fork", "Fork", show=False),  # (help, palette; screens/session_fork.py)
        Binding("u,ctrl+z", "undo", "Undo"),
        Binding("x", "export", "Export"),
        Binding("D", "delete_session", "Delete session", show=False),
        Binding("ctrl+r", "reload", "Reload", show=False),
        *MARK_BINDINGS,
        Binding("t", "step_chart", "Chart of tokens and time per invocation", show=False),
        Binding("c", "copy", "Copy the value or event under the cursor as JSON", show=False),
        *SEARCH_BINDINGS,
    ]
    HELP_EXTRA = [("State tree", [("enter / space", "expand or collapse"),
                                  ("e a r d v", "edit, add, rename, delete, view in full")]),
                  ("Timeline", [("↑ ↓ pgup pgdn", "move"), ("shift+↑ shift+↓", "previous / next invocation"),
                                ("enter", "open the event: state as it was right after it"),
                                ("w / b", "rewind to / before the invocation under the cursor"),
                                ("f", "fork: a new session up to / before that invocation")])]

    def __init__(self, session_id: str):
        super().__init__()
        self.changes = SessionChanges(session_id, self.app.undo_log)
        self.event_index: int | None = None  # the event shown (time travel), None: live state
        # When another writer last changed the session (its update time), None: not yet; said
        # in the timeline's title instead of a toast per change (an agent writes often).
        self.changed_elsewhere: str | None = None
        self._said_deleted = False  # a deleted session says so once, not on every poll
        # The revision this screen's own last change (or undo) left: a change seconds ago
        # that is ours is no sign of a running agent.
        self._own_revision: str | None = None
        self.prepared = PreparedSession()  # its lines and checkpoints, made in the worker

    def compose(self) -> ComposeResult:
        yield Header()
        yield ReadOnlyBanner()
        yield EvalPanel(id="eval")  # (shown for an eval case only)
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                yield Static(id="state-title", markup=False)
                yield StateTree(id="state")
            with Vertical(id="right"):
                yield Static(id="timeline-title", markup=False)
                yield Timeline(id="timeline")
                yield SearchBar(id="search")
                yield EventView(id="event")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(EventView).display = False
        self.query_one(ReadOnlyBanner).show_store(self.app.store)
        self.query_one(Timeline).focus()
        self.load()

    def on_unmount(self) -> None:
        """Closed: the session let go at once, its events freed as their counts drop, not left
        (the screen is a cycle) for the full collection the next open makes, which would
        walk them all (300-400 ms held on a 100,000-event session)."""
        self.changes.session = None
        self.prepared = PreparedSession()
        self._search_for = self._search_text = None
        # (The timeline, unmounted first, let go of its own: Timeline.on_unmount.)

    # -- data down ---------------------------------------------------------------------------
    @property
    def session_id(self) -> str:
        return self.changes.session_id

    @property
    def session(self) -> Session | None:
        """The session as shown."""
        return self.changes.session

    @work(thread=True, group="load", exit_on_error=False)
    def load(self, then: Callable[[], None] | None = None, *, elsewhere: bool = False) -> None:
        """Read the session again (in a thread) and show it; `elsewhere`: another writer
        changed it (its new events are marked); `then`: what to do once it is shown."""
        if self.session is None:  # this screen's first read
            collect_before_load()
        try:
            # Frozen before the collector wakes: a reload (an agent appended) would otherwise
            # be walked by the next young collection, held on this thread (70 ms on 100k).
            with gc_paused():
                session = self.app.store.get(self.session_id)
                spare_the_collector()
        except NotFound as exc:
            self.app.call_from_thread(self._not_found, exc)
            return
        self.prepared.prepare(session, checkpoints=False)
        self.app.call_from_thread(self._loaded, session, elsewhere, then)

    def _loaded(self, session: Session, elsewhere: bool, then: Callable[[], None] | None) -> None:
        self.show(session, elsewhere=elsewhere)
        spare_the_collector()  # (and what showing it made: the timeline's lines)
        # Only time travel needs the checkpoints: made once the session is drawn, not before.
        self.call_after_refresh(self._make_checkpoints)
        if then is not None:
            then()

    @work(thread=True, group="checkpoints", exit_on_error=False)
    def _make_checkpoints(self) -> None:
        # (No session passed in: Textual would repr it to name the worker, and a finished
        # worker keeps its arguments alive.)
        session = self.session
        if session is not None:
            self.prepared.prepare_checkpoints(session)

    def _not_found(self, exc: NotFound) -> None:
        self.app.report_error(exc)
        if self.session is None:  # nothing to show: back to the list
            self.app.pop_screen()

    def show(self, session: Session, *, elsewhere: bool = False) -> None:
        known = {event.id for event in self.session.events} if elsewhere and self.session else None
        self.changes.session = session
        # Agent text: made safe (the header shows it as is, control characters included).
        self.title = f"{one_line(session.app_name, 60)} · {one_line(session.user_id, 60)}"
        name = display_name(session.state)  # what adk web calls it
        self._name = one_line(name, 60) if name else ""
        self._fit_sub_title()
        timeline = self.query_one(Timeline)
        timeline.set_session(session, self.prepared.lines(session))
        self.query_one(EvalPanel).show_session(session, timeline.current_invocation)
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
        self.search_session_shown()

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
        restored = self.prepared.state_after(session, self.event_index + 1)
        delta = event.actions.state_delta
        tree.set_state(restored, highlight_keys=frozenset(k for k in delta if k in restored))
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
                  + f"{plural(self.prepared.invocation_count(session), 'invocation')}")
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
        self._fit_sub_title()

    def _fit_sub_title(self) -> None:
        """The id in the header whole, else cut in the middle (the header would cut its end: a
        fork, `<id>-fork`, would look like its original); adk web's name after it in what is
        left (`self._name`), left out first."""
        if self.session is None:
            return
        room = title_room(self.app.size.width, self.title)
        sid = one_line(self.session.id)
        left = room - cell_len(sid) - 4  # ` · “…”`
        name = f" · “{one_line(self._name, left)}”" if self._name and left >= 8 else ""
        self.sub_title = middle_cut(sid, max(12, room)) + name

    @on(StoreChanged)
    def _store_changed(self, message: StoreChanged) -> None:
        if self.session is None:
            return
        summary = message.summary(self.session_id)
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
        self.query_one(EvalPanel).show_invocation(message.invocation_id)
        if self.event_index is not None and message.index is not None and message.event is not None:
            self.event_index = message.index
            self.query_one(EventView).show_event(message.event, message.index, len(self.session.events))
            self._show_state()

    def close_event(self) -> None:
        self.event_index = None
        self.query_one(EventView).display = False
        self._show_state()

    def action_back(self) -> None:
        if self.close_search():
            return
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
    @work(thread=True, group="change", exit_on_error=False)
    def _change(self, change: Change) -> None:
        """Make the change in the store (in a thread). Refused as stale, the session is read
        again, and the change offered once more if it can be (`change.again`)."""
        try:
            result = change.call(self.app.store)
        except (StaleError, StoreBusy) as exc:
            self.app.call_from_thread(self._refused, change, exc)
            return
        if isinstance(result, Session):
            self.prepared.prepare(result)
        self.app.call_from_thread(self._changed, change, result)

    def _changed(self, change: Change, result: Any) -> None:
        self.changes.recorded()
        self.notify(change.said, markup=False, timeout=3)
        if isinstance(result, Session):
            self.show(result)
            self._own_revision = result.revision
        else:
            self.load(self._mark_own)

    def invocation_to_change(self) -> str | None:
        """The invocation under the timeline cursor, for a rewind or a fork; None (and why said)
        when there is none or the store cannot be written."""
        if self.app.refuse_if_read_only():
            return None
        invocation = self.query_one(Timeline).current_invocation
        if invocation is None or self.session is None:
            self.notify("Move the timeline cursor to an invocation first", severity="warning")
            return None
        return invocation

    def _mark_own(self) -> None:
        self._own_revision = self.session.revision if self.session else None

    def _refused(self, change: Change, exc: StaleError | StoreBusy) -> None:
        """Refused as stale, or the database stayed locked (an agent writing): the change is
        offered again (its dialog with what was typed) where it can be."""
        if change.again is not None and isinstance(exc, StoreBusy):
            change.again(busy=True)  # (no reload: the lock holder may still be writing)
            return
        if change.again is not None:
            self.load(change.again, elsewhere=True)
            return
        self.app.report_error(exc)
        if not isinstance(exc, StoreBusy):
            self.load(elsewhere=True)

    # -- export ------------------------------------------------------------------------------
    def export_targets(self) -> list[str]:
        return [self.session_id]

    def export_app_name(self) -> str | None:
        return self.session.app_name if self.session else None


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
