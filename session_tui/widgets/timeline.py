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
from datetime import datetime
from typing import Any, Iterable, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from ..eventinfo import (compaction_of, confirmations_requested, error_of, function_counts,
                         is_edit, preview, rewind_target)
from ..model import Event, Session, from_unix
from ..stats import event_duration, event_tokens, figures_text
from ..text import middle_cut, one_line, plural
from ..tcss import load_css
from .cursor_list import CursorList, ListMessage
from .timeline_header import HeaderParts, fit_header
from .timeline_lines import TimelineLines

__all__ = ["Timeline", "function_counts", "is_edit"]

def _clock(timestamp: float) -> datetime | None:
    try:
        return from_unix(timestamp)
    except (OverflowError, ValueError, TypeError):
        return None


class Timeline(CursorList):
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

    # ------------------------------------------------------------------------ rendering

    def _styles(self, is_cursor: bool) -> tuple[Style, Style | None]:
        cursor = self.get_component_rich_style("timeline--cursor") if is_cursor else None
        base = self.rich_style
        return (base + cursor if cursor is not None else base), cursor

    def _part(self, name: str, base: Style, cursor: Style | None) -> Style:
        style = base + self.get_component_rich_style(name, partial=True)
        return style + cursor if cursor is not None else style

    def _render_header(self, number: int, width: int, is_cursor: bool) -> Strip:
        run = self._lines.run(number)
        stats = self._lines.stats(number)
        line_style, cursor = self._styles(is_cursor)
        base = self.rich_style
        if stats.annulled == run.end - run.start:  # the whole run: dimmed as its events
            base, line_style = self._dimmed(base), self._dimmed(line_style)
        header = self._part("timeline--header-edit" if stats.edit else "timeline--header", base, cursor)
        muted = self._part("timeline--muted", base, cursor)
        count = run.end - run.start
        pieces: list[tuple[str, Style]] = [
            ("↶ " if stats.annulled else "✎ " if stats.edit else "▾ ", header),
            (middle_cut(one_line(run.invocation_id), max(18, width // 2 - 10)), header),  # whole at 96+
        ]
        if run.parts > 1:
            pieces.append((f" (part {run.part}/{run.parts})", muted))
        annulled: list[tuple[str, Style]] = []
        annulled_short: list[tuple[str, Style]] = []
        if stats.annulled_by is not None:
            which = "" if stats.annulled == count else f"{stats.annulled} of {count} "
            rewind_style = self._part("timeline--rewind", base, cursor)
            annulled = [(f"  {which}annulled by {self._rewind_name(stats.annulled_by)}", rewind_style)]
            annulled_short = [(f"  {which}annulled by event {stats.annulled_by + 1}", rewind_style)]
        badges: list[tuple[str, Style]] = []
        if stats.changed_keys:
            badges += [("  ", line_style), (f"Δ{stats.changed_keys}", self._part("timeline--badge-state", base, cursor))]
        if stats.errors:
            badges += [("  ", line_style), (f"✗ {plural(stats.errors, 'error')}",
                                            self._part("timeline--badge-error", base, cursor))]
        parts = HeaderParts(pieces, annulled, annulled_short, ", ".join(stats.authors), self._part("timeline--author", base, cursor),
                            line_style, plural(count, "event"), _span(stats.first, stats.last),
                            self._part("timeline--time", base, cursor), muted, badges)
        seconds = stats.last - stats.first if count > 1 else None
        figures = figures_text(stats.tokens, seconds, width)
        room = width - (cell_len(figures) + 1 if figures else 0)
        return self._with_figures(fit_header(parts, room), figures, width,
                                  line_style, self._part("timeline--figures", base, cursor))

    def _with_figures(self, pieces: list[tuple[str, Style]], figures: str, width: int,
                      fill: Style, style: Style) -> Strip:
        """The line cut to leave room for its tokens and time, right-aligned at its end."""
        if not figures:
            return _strip(pieces, width, fill)
        room = max(0, width - cell_len(figures) - 1)
        return Strip.join([_strip(pieces, room, fill), _strip([(" " + figures, style)], width - room, fill)])

    def _dimmed(self, style: Style) -> Style:
        return style + self.get_component_rich_style("timeline--annulled", partial=True)

    def _rewind_name(self, rewind: int) -> str:
        """`rewind at 10:42:07 (event 17)`: the rewind event as the user finds it (events are
        numbered from 1, as time travel numbers them)."""
        clock = _clock(self._events[rewind].timestamp)
        return f"rewind at {clock.strftime('%H:%M:%S') if clock else '??:??:??'} (event {rewind + 1})"

    def _rewind_text(self, index: int, target: str) -> str:
        """What a rewind event did: which invocation it went back before, and how many events
        (of how many invocations) it annulled."""
        target = one_line(target)
        if index in self._annulled:  # ADK skips a rewind inside an annulled range
            return f"rewind: no effect, itself annulled later (was to go back before {target})"
        count = self._rewound.get(index, 0)
        if not count:
            return f"rewind: annulled nothing (no earlier event of {target})"
        invocations = {self._events[i].invocation_id for i, r in self._annulled.items() if r == index}
        across = f" ({len(invocations)} invocations)" if len(invocations) > 1 else ""
        return f"rewind: annulled {count} event{'s' if count != 1 else ''} from {target} on{across}"

    def _render_event(self, index: int, width: int, is_cursor: bool) -> Strip:
        event = self._events[index]
        line_style, cursor = self._styles(is_cursor)
        base = self.rich_style
        annulled = index in self._annulled
        if annulled:
            base, line_style = self._dimmed(base), self._dimmed(line_style)
        muted = self._part("timeline--muted", base, cursor)
        clock = _clock(event.timestamp)
        new = event.id in self._new
        time_style = self._part("timeline--new" if new else "timeline--time", base, cursor)
        left: list[tuple[str, Style]] = [
            ("● " if new else "↶ " if annulled else "» " if index in self._matched else "  ",
             self._part("timeline--match", base, cursor) if index in self._matched else time_style),
            (clock.strftime("%H:%M:%S") if clock else "??:??:??", time_style),
            ("  ", line_style),
            (_pad(one_line(event.author, self._lines.author_width), self._lines.author_width),
             self._part("timeline--author", base, cursor)),
            ("  ", line_style),
        ]
        badges = self._badges(event, base, cursor)
        left_width = sum(cell_len(text) for text, _ in left)
        badge_width = sum(cell_len(text) for text, _ in badges) + (1 if badges else 0)
        tokens = event_tokens(event) if event.extra else None
        figures = figures_text(tokens["total"] if tokens else None, event_duration(self._events, index), width)
        room = max(0, width - left_width - badge_width - (cell_len(figures) + 1 if figures else 0))
        text, kind = preview(event)
        target = rewind_target(event)
        if target is not None:
            text, kind = self._rewind_text(index, target), "rewind"
        elif kind == "compaction":
            count, _ = compaction_of(event).span(self._events, at=event.timestamp)
            text = f"compacted {plural(count, 'event')}: {text.removeprefix('compacted: ')}"
        style = {"content": line_style, "error": self._part("timeline--error", base, cursor),
                 "compaction": self._part("timeline--compaction", base, cursor),
                 "rewind": self._part("timeline--rewind", base, cursor)}.get(kind, muted)
        if index in self._matched:
            style = self._part("timeline--match", base, cursor)
        pieces = left + [(_pad(one_line(text, room), room), style)]
        if badges:
            pieces.append((" ", line_style))
            pieces.extend(badges)
        return self._with_figures(pieces, figures, width, line_style,
                                  self._part("timeline--figures", base, cursor))

    def _badges(self, event: Event, base: Style, cursor: Style | None) -> list[tuple[str, Style]]:
        out: list[tuple[str, Style]] = []
        actions = event.actions
        if is_edit(event):
            out.append(("✎", self._part("timeline--badge-edit", base, cursor)))
        if actions.state_delta:
            out.append((f"Δ{len(actions.state_delta)}", self._part("timeline--badge-state", base, cursor)))
        calls, responses = function_counts(event)
        if calls:
            out.append((f"ƒ{calls if calls > 1 else ''}", self._part("timeline--badge-function", base, cursor)))
        if responses:
            out.append((f"↩{responses if responses > 1 else ''}",
                        self._part("timeline--badge-function", base, cursor)))
        if actions.transfer_to_agent:
            out.append((f"→{one_line(actions.transfer_to_agent, 16)}",
                        self._part("timeline--badge-transfer", base, cursor)))
        if actions.escalate:
            out.append(("⚠", self._part("timeline--badge-escalate", base, cursor)))
        if error_of(event) is not None:
            out.append(("✗", self._part("timeline--badge-error", base, cursor)))
        if compaction_of(event) is not None:
            out.append(("⋯", self._part("timeline--badge-compaction", base, cursor)))
        if rewind_target(event) is not None:
            out.append(("↶", self._part("timeline--rewind", base, cursor)))
        asked = confirmations_requested(event)
        if asked:  # a tool waits for a person to confirm it
            out.append((f"?{asked if asked > 1 else ''}", self._part("timeline--badge-escalate", base, cursor)))
        if not out:
            return out
        spaced: list[tuple[str, Style]] = []
        space_style = base + cursor if cursor is not None else base
        for i, badge in enumerate(out):
            if i:
                spaced.append((" ", space_style))
            spaced.append(badge)
        return spaced


def _span(first: float, last: float) -> str:
    a, b = _clock(first), _clock(last)
    if a is None or b is None:
        return "?"
    start = a.strftime("%Y-%m-%d %H:%M:%S")
    if b == a:
        return start
    if b.date() == a.date():
        return f"{start}–{b.strftime('%H:%M:%S')}"
    return f"{start}–{b.strftime('%Y-%m-%d %H:%M:%S')}"


def _pad(text: str, width: int) -> str:
    length = cell_len(text)
    if length >= width:
        return set_cell_size(text, width)
    return text + " " * (width - length)


def _strip(pieces: Iterable[tuple[str, Style]], width: int, fill: Style) -> Strip:
    segments = [Segment(text, style) for text, style in pieces if text]
    return Strip(segments).adjust_cell_length(width, fill)
