"""The event timeline of one session: a virtualised list grouped by invocation.

Grouping (timeline_lines.py): events stay in log order (the timeline is a history), and every
*contiguous run* of events of one invocation gets a header line.

Events an ADK rewind annulled (`eventinfo.annulled_by`: still in the log, no longer in the
conversation google-adk gives the model) are dimmed and marked `↶`; their invocation's header
names the rewind that annulled them, and the rewind event says what it annulled.

Only the lines on screen are drawn (a `CursorList`), so a session with 100,000 events loads in
a few tens of milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from ..eventinfo import function_counts, is_edit
from ..model import Event, Session
from ..tcss import load_css
from .cursor_list import CursorList, ListMessage
from .timeline_lines import TimelineLines
from .timeline_render import TimelineRendering

__all__ = ["Timeline", "function_counts", "is_edit"]

class Timeline(TimelineRendering, CursorList):
    """The events of one session, one line each, under a header per invocation.

    Data down: `set_session(session)`, `mark_new(event_ids)` (events that arrived from
    elsewhere: marked until the cursor moves). Messages up: `Timeline.Highlighted` on every cursor
    move, `Timeline.EventSelected` on enter over an event, `Timeline.InvocationSelected` on
    enter over a header.
    """

    DEFAULT_CSS = load_css(__file__)

    COMPONENT_CLASSES = {
        "timeline--header",
        "timeline--header-edit",
        "timeline--cursor",
        "timeline--time",
        "timeline--author",
        "timeline--muted",
        "timeline--badge-state",
        "timeline--badge-transfer",
        "timeline--badge-escalate",
        "timeline--badge-function",
        "timeline--badge-edit",
        "timeline--badge-error",
        "timeline--badge-compaction",
        "timeline--error",
        "timeline--compaction",
        "timeline--empty",
        "timeline--new",
        "timeline--annulled",
        "timeline--rewind",
        "timeline--figures",
        "timeline--match",
    }

    CACHE_SIZE = 2048
    BINDINGS: list[BindingType] = [
        Binding("shift+up", "previous_invocation", "Previous invocation", show=False),
        Binding("shift+down", "next_invocation", "Next invocation", show=False),
    ]

    @dataclass
    class Highlighted(ListMessage):
        """The cursor moved. `index` is the event's index in `session.events` (None on an
        invocation header or an empty timeline); `invocation_id` is the line's invocation."""

        index: int | None
        invocation_id: str | None
        event: Event | None

    @dataclass
    class EventSelected(ListMessage):
        """Enter (or a double click) on an event: `index` in `session.events`."""

        index: int
        event: Event

    @dataclass
    class InvocationSelected(ListMessage):
        """Enter (or a double click) on an invocation header."""

        invocation_id: str

    def __init__(self, session: Session | None = None, **options: Any) -> None:
        """`options`: the widget's `name`, `id`, `classes`, `disabled`."""
        super().__init__(**options)
        self._session: Session | None = None
        self._events: Sequence[Event] = ()
        self._lines = TimelineLines()
        # Events an ADK rewind annulled (index -> the rewind event's index), and how many each
        # rewind event annulled: they stay in the log, shown dimmed (worked out with the lines).
        self._annulled: dict[int, int] = {}
        self._rewound: dict[int, int] = {}
        self._matched: frozenset[int] = frozenset()  # events a search found (set_matches)
        if session is not None:
            self.set_session(session)

    # ---------------------------------------------------------------------- public API

    @property
    def session(self) -> Session | None:
        return self._session

    def set_session(self, session: Session | None, lines: TimelineLines | None = None) -> None:
        """Show this session's events. Given the same session again (a reload), the cursor stays
        on the same event (by id) or invocation header where they still exist. `lines`: its
        TimelineLines made beforehand (in a worker: O(session))."""
        keep_event: str | None = None
        keep_invocation: str | None = None
        old_line = self._cursor
        same = (session is not None and self._session is not None and session.id == self._session.id)
        if same:
            index = self.cursor_event
            if index is not None:
                keep_event = self._events[index].id
            else:
                keep_invocation = self.current_invocation
        if not same:
            self._new.clear()
        self._session = session
        self._events = session.events if session is not None else ()
        self._lines = lines if lines is not None and lines.events is self._events \
            else TimelineLines(self._events)
        self._annulled, self._rewound = self._lines.annulled, self._lines.rewound
        cursor = 0 if self._lines else -1
        if same and self._lines:
            cursor = min(max(old_line, 0), len(self._lines) - 1)
            if keep_event is not None:
                for i, event in enumerate(self._events):
                    if event.id == keep_event:
                        cursor = self._lines.line_of_event(i)
                        break
            elif keep_invocation is not None:
                line = self._lines.header_line_of(keep_invocation)
                if line is not None:
                    cursor = line
        self.reset_items(cursor, to_top=not same)

    def on_unmount(self) -> None:
        """Gone with its screen: the events let go at once (see SessionScreen.on_unmount)."""
        self._session, self._events, self._lines = None, (), TimelineLines()
        self._annulled, self._rewound = {}, {}

    @property
    def new_count(self) -> int:
        """How many of the events shown are marked new."""
        if not self._new:
            return 0
        return sum(1 for event in self._events if event.id in self._new)

    @property
    def annulled_count(self) -> int:
        """How many of the events shown a rewind annulled."""
        return len(self._annulled)

    def annulled_at(self, index: int) -> int | None:
        """The index of the rewind event that annulled the event at `index`; None if none did."""
        return self._annulled.get(index)

    def is_new(self, index: int) -> bool:
        """Whether the event at `index` (in `session.events`) is marked new."""
        return 0 <= index < len(self._events) and self._events[index].id in self._new

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def cursor_line(self) -> int:
        """The line under the cursor (-1: empty timeline)."""
        return self._cursor

    item_count = line_count

    @property
    def cursor_event(self) -> int | None:
        """The index (in `session.events`) of the event under the cursor; None on a header."""
        if 0 <= self._cursor < len(self._lines):
            return self._lines.event_at(self._cursor)
        return None

    @property
    def current_invocation(self) -> str | None:
        """The invocation id of the line under the cursor, header or event."""
        if 0 <= self._cursor < len(self._lines):
            return self._lines.invocation_at(self._cursor)
        return None

    def line_of_event(self, index: int) -> int:
        """The line an event (by index in `session.events`) is drawn on."""
        return self._lines.line_of_event(index)

    def set_matches(self, indices) -> None:
        """Mark these events (indices in `session.events`) as found by a search (`»`)."""
        self._matched = frozenset(indices)
        self.redraw()

    def select_event(self, index: int) -> None:
        """Put the cursor on this event (an index in `session.events`)."""
        if 0 <= index < len(self._events):
            self.move_cursor(self.line_of_event(index))

    # ------------------------------------------------------------- what CursorList asks

    def highlight(self) -> tuple[tuple, Message]:
        index = self.cursor_event
        event = self._events[index] if index is not None else None
        invocation = self.current_invocation
        key = (self._session.id if self._session else None, self._cursor,
               event.id if event is not None else None, invocation)
        return key, self.Highlighted(self, index, invocation, event)

    def chosen_message(self, index: int) -> Message:
        event = self._lines.event_at(index)
        if event is not None:
            return self.EventSelected(self, event, self._events[event])
        return self.InvocationSelected(self, self._lines.invocation_at(index))

    def item_key(self, index: int) -> str | None:
        event = self._lines.event_at(index)  # (a header: None, never marked)
        return self._events[event].id if event is not None else None

    def render_empty(self, width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("timeline--empty")
        return self.message_line("No session" if self._session is None else "No events", width, style)

    def render_item(self, index: int, width: int, is_cursor: bool) -> Strip:
        event = self._lines.event_at(index)
        if event is not None:
            return self._render_event(event, width, is_cursor)
        return self._render_header(self._lines.run_at(index), width, is_cursor)

    # -------------------------------------------------------------------- invocations

    def action_previous_invocation(self) -> None:
        """To the header of this run, or of the run before when already on a header."""
        if self._cursor >= 0:
            run = self._lines.run_of(self._cursor)
            on_header = self._lines.event_at(self._cursor) is None
            self._to_header(run - 1 if on_header else run)

    def action_next_invocation(self) -> None:
        if self._cursor >= 0:
            self._to_header(self._lines.run_of(self._cursor) + 1)

    def _to_header(self, run: int) -> None:
        line = self._lines.header_line(run)
        if line is not None:
            self.move_cursor(line)
