"""The session list: a virtualised table of session summaries.

Rows are plain dicts (what the store's index holds): `id`, `app_name`, `user_id`,
`event_count`, `invocation_count`, `updated_at` (ISO 8601), and optionally `search_text`
(more text the filter looks at, e.g. the state as text) and `annulled_count` (events an ADK
rewind annulled: shown beside the count, `40 ↶6`). Only the lines on screen are drawn,
so 100,000 rows load and scroll as fast as 100.

Line 0 of the widget is a header that stays put; data rows scroll under it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

from rich.segment import Segment
from rich.style import Style
from textual.message import Message
from textual.reactive import var
from textual.strip import Strip

from ..text import middle_cut, one_line
from ..tcss import load_css
from .columns import BY_NAME, COLUMNS, GAP, Placed, fit, number_text, place_columns, short_time
from .cursor_list import CursorList, ListMessage
from .session_rows import (PreparedRows, prepare, prepare_first, row_ids, sort_order,
                           unique_id_width)

__all__ = ["SessionList", "COLUMNS"]

class SessionList(CursorList):
    """A table of sessions: filter as you type, sort by any column, a cursor row.

    Data down: `set_rows(rows)`, the `filter` reactive, `sort_by(column)`, `mark_new(ids)`
    (sessions changed elsewhere: marked `●` until the cursor moves).
    Messages up: `SessionList.Highlighted` when the cursor lands on another session,
    `SessionList.Opened` on enter (or a double click).
    """

    DEFAULT_CSS = load_css(__file__)
    FIXED_LINES = 1  # the column titles

    COMPONENT_CLASSES = {
        "session-list--header",
        "session-list--header-sorted",
        "session-list--cursor",
        "session-list--id",
        "session-list--number",
        "session-list--time",
        "session-list--empty",
        "session-list--new",
    }

    filter: var[str] = var("", init=False)
    """Case-insensitive substring matched against app, user, id and `search_text` (or what
    `matcher` finds: the screen's search index, every event's text too)."""

    @dataclass
    class Highlighted(ListMessage):
        """The cursor moved to another session (None: the list shows no session)."""

        session_id: str | None

    @dataclass
    class Opened(ListMessage):
        """The user asked to open the session under the cursor (enter, double click)."""

        session_id: str

    def __init__(self, rows: Iterable[dict[str, Any]] | None = None, **options: Any) -> None:
        """`options`: the widget's `name`, `id`, `classes`, `disabled`."""
        super().__init__(**options)
        self._rows: list[dict[str, Any]] = []
        self._sorted: list[int] = []  # indices into _rows, in sort order
        self._view: list[int] = []  # _sorted, filtered
        self._ids: list[str] = []  # each row's id as text (by index into _rows)
        self._haystacks: list[str] | None = None  # lower-cased filter text, built on demand
        # What finds the sessions a filter matches (ids), given by the screen: the search
        # index (every event's text too, prepared in a worker). None: the rows' own text.
        self.matcher: Callable[[str], list[str] | None] | None = None
        self._sort = BY_NAME["updated"]
        self._reverse = True
        self._columns_cache: tuple[int, list[Placed]] | None = None
        self._natural: dict[str, int] = {}  # widest app, user and id (cells)
        self._tokens = False  # a Tokens column: some session recorded usage metadata
        self._unique_id_width: dict[int, int] = {}  # id width asked for -> smallest unique one
        self._total: int | None = None  # all the rows there are, while only the first are shown
        self._given = False  # rows were given (before: the store is being read, not empty)
        if rows is not None:
            self.set_rows(rows)

    # ---------------------------------------------------------------------- public API

    def prepare_rows(self, rows: Iterable[dict[str, Any]]) -> PreparedRows:
        """The rows sorted as the list sorts them now, widths measured: for `set_rows`, done
        in a worker (seconds for 100,000 rows, which the UI thread no longer spends)."""
        return prepare(list(rows), self._sort, self._reverse, measure_ids=True)

    def prepare_first_rows(self, rows: list[dict[str, Any]]) -> PreparedRows:
        """The first rows as `prepare_rows` would order them (a screenful or a few), without
        sorting all: shown by `set_rows` while the rest is prepared (`total_count` says all)."""
        return prepare_first(rows, self._sort, self._reverse)

    @property
    def partial(self) -> bool:
        """Only the first rows are shown (from `prepare_first_rows`): the rest is coming."""
        return self._total is not None

    def set_rows(self, rows: Iterable[dict[str, Any]] | PreparedRows) -> None:
        """Show these sessions (or rows from `prepare_rows`). The cursor stays on the same
        session id if it is still shown."""
        if not isinstance(rows, PreparedRows):
            rows = prepare(list(rows), self._sort, self._reverse)
        elif (rows.sort, rows.reverse) != (self._sort, self._reverse):  # sorted otherwise since
            rows = replace(prepare(rows.rows, self._sort, self._reverse), total=rows.total)
        keep = self.selected_id
        old_cursor = self._cursor
        self._given = True
        self._rows = rows.rows
        self._ids = rows.ids if len(rows.ids) == len(rows.rows) else row_ids(rows.rows)
        self._haystacks = None
        self._natural = rows.natural
        self._tokens = rows.tokens
        self._unique_id_width = dict(rows.id_widths)
        self._total = rows.total
        self._columns_cache = None
        self._sorted = rows.order
        self._refilter(keep, old_cursor)

    def refilter(self) -> None:
        """Apply the filter again (the matcher knows more than it did)."""
        if self.filter.strip():
            self._refilter(self.selected_id, self._cursor)

    def mark_seen(self, session_ids: Iterable[str]) -> None:
        """Take the mark off these sessions (the user opened them)."""
        seen = self._new & set(session_ids)
        if seen:
            self._new -= seen
            self.redraw()

    @property
    def new_ids(self) -> list[str]:
        """The shown sessions marked as changed, in the order shown."""
        return [i for i in self.shown_ids() if i in self._new] if self._new else []

    @property
    def selected_id(self) -> str | None:
        """The id of the session under the cursor, or None."""
        if 0 <= self._cursor < len(self._view):
            return self._row_id(self._view[self._cursor])
        return None

    @property
    def selected_row(self) -> dict[str, Any] | None:
        """The row dict under the cursor, or None."""
        if 0 <= self._cursor < len(self._view):
            return self._rows[self._view[self._cursor]]
        return None

    @property
    def row_count(self) -> int:
        """How many rows are shown (after the filter)."""
        return len(self._view)

    @property
    def total_count(self) -> int:
        """How many rows were given (all of them, while only the first are shown)."""
        return len(self._rows) if self._total is None else self._total

    @property
    def sort_column(self) -> str:
        """The column the rows are sorted by (a `COLUMNS` key)."""
        return self._sort.key

    @property
    def sort_reverse(self) -> bool:
        """True when sorted descending."""
        return self._reverse

    def shown_ids(self) -> list[str]:
        """The ids of the shown rows, in order (filtered and sorted)."""
        ids = self._ids
        return [ids[i] for i in self._view]

    def select(self, session_id: str) -> bool:
        """Move the cursor to this session; False when it is not shown."""
        for pos, index in enumerate(self._view):
            if self._ids[index] == session_id:
                self.move_cursor(pos)
                return True
        return False

    def sort_by(self, column: str, reverse: bool | None = None) -> None:
        """Sort by `column` (`app`, `user`, `id`, `events`, `invocations`, `tokens`, `updated`,
        or a row key). The same column again toggles ascending/descending; a new one starts ascending
        for text and descending (largest, newest first) for numbers and times. `reverse`
        forces a direction."""
        try:
            chosen = BY_NAME[column]
        except KeyError:
            raise ValueError(f"unknown column {column!r}") from None
        if reverse is None:
            reverse = (not self._reverse) if chosen is self._sort else chosen.numeric
        self._sort, self._reverse = chosen, reverse
        keep = self.selected_id
        self._resort()
        self._refilter(keep, self._cursor)

    # ---------------------------------------------------------------- sorting, filtering

    def _id_width_for(self, width: int) -> int:
        """The smallest id width >= `width` at which no two ids, cut in the middle, look the same."""
        if width not in self._unique_id_width:
            ids = self._ids
            self._unique_id_width[width] = unique_id_width(ids, self._natural["id"], width)
        return self._unique_id_width[width]

    def _row_id(self, index: int) -> str:
        return self._ids[index]

    def _resort(self) -> None:
        self._sorted = sort_order(self._rows, self._sort, self._reverse)

    def _haystack(self) -> list[str]:
        if self._haystacks is None:
            out = []
            for row in self._rows:
                parts = [row.get("app_name"), row.get("user_id"), row.get("id"), row.get("search_text")]
                out.append("\0".join(p if isinstance(p, str) else ("" if p is None else str(p))
                                     for p in parts).casefold())
            self._haystacks = out
        return self._haystacks

    def _refilter(self, keep: str | None, old_cursor: int) -> None:
        needle = self.filter.strip().casefold()
        found = self.matcher(needle) if needle and self.matcher is not None else None
        if found is not None:
            wanted, row_ids = set(found), self._ids
            if len(wanted) >= len(row_ids) and wanted.issuperset(row_ids):
                self._view = self._sorted  # every row (a first letter, often): at C speed
            else:
                self._view = [i for i in self._sorted if row_ids[i] in wanted]
        elif needle:
            hay = self._haystack()
            self._view = [i for i in self._sorted if needle in hay[i]]
        else:
            self._view = self._sorted
        cursor = -1
        if keep is not None:
            try:  # (list.index: C speed, a key must not cost a pass in Python)
                cursor = self._view.index(self._ids.index(keep))
            except ValueError:
                pass
        if cursor < 0 and self._view:
            cursor = 0 if old_cursor < 0 else min(old_cursor, len(self._view) - 1)
        self.reset_items(cursor)

    def watch_filter(self, old: str, new: str) -> None:
        if old.strip().casefold() != new.strip().casefold():
            self._refilter(self.selected_id, 0)

    # ------------------------------------------------------------- what CursorList asks

    @property
    def item_count(self) -> int:
        return len(self._view)

    def highlight(self) -> tuple[str | None, Message]:
        current = self.selected_id
        return current, self.Highlighted(self, current)

    def chosen_message(self, index: int) -> Message:
        return self.Opened(self, self._row_id(self._view[index]))

    def item_key(self, index: int) -> str:
        return self._row_id(self._view[index])

    def action_open(self) -> None:
        """Open the session under the cursor (what enter does)."""
        self.action_select()

    def fixed_line_clicked(self, y: int, x: int) -> None:
        """A click on a column title sorts by that column."""
        for placed in self._columns(self.scrollable_content_region.width):
            if placed.x <= x < placed.x + placed.width + GAP:
                self.sort_by(placed.column.key)
                break

    # ------------------------------------------------------------------------ rendering

    def _columns(self, width: int) -> list[Placed]:
        """Where each column goes at this width (worked out once a width)."""
        if self._columns_cache is None or self._columns_cache[0] != width:
            self._columns_cache = (width, place_columns(width, self._natural, self._id_width_for,
                                                        self._tokens))
        return self._columns_cache[1]

    def render_fixed_line(self, y: int, width: int) -> Strip:
        return self._render_header(width, self.rich_style)

    def render_empty(self, width: int) -> Strip:
        return self._render_empty(width, self.rich_style)

    def render_item(self, index: int, width: int, is_cursor: bool) -> Strip:
        return self._render_row(self._rows[self._view[index]], width, self.rich_style, is_cursor)

    def _render_header(self, width: int, base: Style) -> Strip:
        key = ("header", self._sort.key, self._reverse, self.has_focus)
        strip = self._cache.get(key)
        if strip is not None:
            return strip
        header = base + self.get_component_rich_style("session-list--header")
        sorted_style = header + self.get_component_rich_style("session-list--header-sorted", partial=True)
        segments: list[Segment] = []
        x = 0
        for placed in self._columns(width):
            title = placed.title
            style = header
            if placed.column is self._sort:
                arrow = " ▼" if self._reverse else " ▲"
                title = fit(title, max(0, placed.width - 2), False).rstrip() + arrow
                style = sorted_style
            text = fit(title, placed.width, placed.column.numeric)
            if placed.x > x:
                segments.append(Segment(" " * (placed.x - x), header))
            segments.append(Segment(text, style))
            x = placed.x + placed.width
        strip = Strip(segments).adjust_cell_length(width, header)
        self._cache[key] = strip
        return strip

    def _render_empty(self, width: int, base: Style) -> Strip:
        style = base + self.get_component_rich_style("session-list--empty")
        if self._rows and self.filter.strip():
            message = f"No sessions match “{one_line(self.filter.strip(), max(1, width - 24))}”"
        elif not self._given:
            message = "Reading the store…"
        else:
            message = "No sessions"
        return self.message_line(message, width, style)

    def _render_row(self, row: dict[str, Any], width: int, base: Style, is_cursor: bool) -> Strip:
        get = self.get_component_rich_style
        cursor = get("session-list--cursor") if is_cursor else None
        line_style = base + cursor if cursor is not None else base
        styles = {
            "id": get("session-list--id", partial=True),
            "events": get("session-list--number", partial=True),
            "invocations": get("session-list--number", partial=True),
            "tokens": get("session-list--number", partial=True),
            "updated": get("session-list--time", partial=True),
        }
        segments: list[Segment] = []
        x = 0
        for placed in self._columns(width):
            column = placed.column
            value = row.get(column.field)
            if column.key == "updated":
                text = short_time(value)
            elif column.numeric:
                text = column.text(value) if column.text else number_text(value)
                annulled = row.get("annulled_count") if column.key == "events" else None
                if type(annulled) is int and annulled > 0:
                    text = f"{text} ↶{annulled}"
            else:  # app, user, id: cut in the middle, both ends stay readable
                text = middle_cut(one_line("" if value is None else str(value)), placed.width)
            if placed.x > x:
                gap = placed.x - x
                if column.key == "events" and self._new and str(row.get("id")) in self._new:
                    # Right after the id, in the gap: no column moves for the marker.
                    new = base + get("session-list--new", partial=True)
                    segments.append(Segment(" " * (gap - 1), line_style))
                    segments.append(Segment("●", new + cursor if cursor is not None else new))
                else:
                    segments.append(Segment(" " * gap, line_style))
            style = line_style
            extra = styles.get(column.key)
            if extra is not None:
                style = base + extra + cursor if cursor is not None else base + extra
            segments.append(Segment(fit(text, placed.width, column.numeric), style))
            x = placed.x + placed.width
        return Strip(segments).adjust_cell_length(width, line_style)

