"""A virtual list with a cursor: the one base of the session list and the timeline.

Shaped as toolong's `LogLines`: a `ScrollView` that draws only the lines on screen, one item a
line, through `render_item(index, width, is_cursor)`, with an LRU cache of the drawn strips.
The base owns what every such list does alike: the cursor keys, paging, clicks, keeping the
cursor in view, the cache and its resets, and the "new" marks that go when the user moves.
A subclass says how many items there are (`item_count`), draws one, and says what the cursor
landing on an item (`highlight`) and choosing it (`chosen_message`) mean.

Lines at the top that stay put while the items scroll (a column header) are `FIXED_LINES`,
drawn by `render_fixed_line`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Hashable, Iterable

from rich.segment import Segment
from rich.cells import set_cell_size
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

__all__ = ["CursorList", "ListMessage"]


@dataclass
class ListMessage(Message):
    """A message from a cursor list (`@on(Timeline.Highlighted, "#timeline")` matches on it)."""

    cursor_list: CursorList

    @property
    def control(self) -> CursorList:
        return self.cursor_list


class CursorList(ScrollView, can_focus=True):
    """Items one a line under a cursor; only the lines on screen are drawn."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "cursor_home", "First", show=False),
        Binding("end", "cursor_end", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
    ]

    FIXED_LINES: ClassVar[int] = 0
    """Lines at the top that do not scroll (drawn by `render_fixed_line`)."""

    CACHE_SIZE: ClassVar[int] = 1024
    """Drawn lines kept: a few screens' worth."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"cursor-list--marked"}
    DEFAULT_CSS = "CursorList > .cursor-list--marked { color: $text-warning; text-style: bold; }"

    marked: var[Hashable] = var(None, init=False)
    """The item the user marked (its `item_key`; None: none), drawn in the mark's colours."""

    def __init__(self, **options: Any) -> None:
        """`options`: the widget's `name`, `id`, `classes`, `disabled`."""
        super().__init__(**options)
        self._cursor = -1
        self._new: set[str] = set()  # ids of the items marked new (changed since the user looked)
        self._announced: Hashable = None  # what the last highlight said
        self._cache: LRUCache[Hashable, Strip] = LRUCache(self.CACHE_SIZE)
        self._cache_width = -1

    # ------------------------------------------------------------------ for subclasses

    @property
    def item_count(self) -> int:
        raise NotImplementedError

    def render_item(self, index: int, width: int, is_cursor: bool) -> Strip:
        """Item `index`, drawn `width` cells wide (cached until the items change)."""
        raise NotImplementedError

    def render_fixed_line(self, y: int, width: int) -> Strip:
        return Strip.blank(width, self.rich_style)

    def render_empty(self, width: int) -> Strip:
        """The first line of an empty list: what it would show."""
        return Strip.blank(width, self.rich_style)

    def highlight(self) -> tuple[Hashable, Message | None]:
        """What the cursor is on now, and the message saying so: posted when what it is on
        changes."""
        return None, None

    def chosen_message(self, index: int) -> Message | None:
        """The message for enter (or a double click) on item `index`."""
        return None

    def fixed_line_clicked(self, y: int, x: int) -> None:
        """A click on a fixed line (e.g. a column title)."""

    def item_key(self, index: int) -> Hashable:
        """What stays the same of item `index` while the items change (an id), for `marked`."""
        return None

    # ---------------------------------------------------------------------- public API

    @property
    def cursor(self) -> int:
        """The item under the cursor (-1: no items)."""
        return self._cursor

    def move_cursor(self, index: int) -> None:
        """Put the cursor on item `index` (kept within the items), in view. Moving takes the
        "new" marks off: the user has looked."""
        count = self.item_count
        if not count:
            return
        index = max(0, min(index, count - 1))
        if index != self._cursor:
            if self._new:
                self._new.clear()
                self.redraw()
            old, self._cursor = self._cursor, index
            self._refresh_item(old)
            self._refresh_item(index)
        self.scroll_to_cursor()
        self._announce()

    def mark_new(self, ids: Iterable[str]) -> None:
        """Mark these items (by id) as new, beside those marked already, until the user moves
        the cursor: what arrived since they last looked."""
        added = set(ids) - self._new
        if added:
            self._new |= added
            self.redraw()

    def redraw(self) -> None:
        """Draw every line afresh (what they show changed, not how many there are)."""
        self._cache.clear()
        self.refresh()

    def reset_items(self, cursor: int, *, to_top: bool = False) -> None:
        """The items changed (how many, their order or content): draw them afresh, with the
        cursor on `cursor`; `to_top`: scroll back to the first line first."""
        self._cache.clear()
        self.virtual_size = Size(0, self.item_count + self.FIXED_LINES)
        if to_top and self.is_mounted:
            self.scroll_to(y=0, animate=False)
        self._cursor = cursor
        self.scroll_to_cursor()
        self.refresh()
        self._announce()

    def scroll_to_cursor(self) -> None:
        visible = self._visible_lines()
        if self._cursor < 0 or visible <= 0:
            return
        top = self.scroll_offset.y
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif self._cursor >= top + visible:
            self.scroll_to(y=self._cursor - visible + 1, animate=False)

    # ----------------------------------------------------------------- keys and mouse

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - self._page())

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + self._page())

    def action_cursor_home(self) -> None:
        self.move_cursor(0)

    def action_cursor_end(self) -> None:
        self.move_cursor(self.item_count - 1)

    def action_select(self) -> None:
        if 0 <= self._cursor < self.item_count:
            message = self.chosen_message(self._cursor)
            if message is not None:
                self.post_message(message)

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y < self.FIXED_LINES:
            self.fixed_line_clicked(offset.y, offset.x)
            return
        index = self.scroll_offset.y + offset.y - self.FIXED_LINES
        if 0 <= index < self.item_count:
            self.move_cursor(index)
            if event.chain >= 2:
                self.action_select()

    # ------------------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self._cache_width:
            self._cache.clear()
            self._cache_width = width
        if y < self.FIXED_LINES:
            return self.render_fixed_line(y, width)
        count = self.item_count
        if not count:
            return self.render_empty(width) if y == self.FIXED_LINES else Strip.blank(width, self.rich_style)
        index = self.scroll_offset.y + y - self.FIXED_LINES
        if index >= count:
            return Strip.blank(width, self.rich_style)
        is_cursor = index == self._cursor
        key = (index, is_cursor, self.has_focus)
        strip = self._cache.get(key)
        if strip is None:
            strip = self.render_item(index, width, is_cursor)
            if self.marked is not None and self.item_key(index) == self.marked:
                strip = self._with_mark(strip)
            self._cache[key] = strip
        return strip

    def _with_mark(self, strip: Strip) -> Strip:
        """The line in the mark's colours (as a file manager marks files); `◆` in its first
        cell too when that cell is blank (a list that starts with text keeps it whole)."""
        marked = self.get_component_rich_style("cursor-list--marked", partial=True)
        strip = Strip(Segment.apply_style(list(strip), post_style=marked), strip.cell_length)
        if not strip.text.startswith(" "):
            return strip
        first = next(iter(strip))
        return Strip.join([Strip([Segment("◆", first.style)], 1), strip.crop(1, strip.cell_length)])

    def watch_marked(self) -> None:
        self.redraw()

    def message_line(self, text: str, width: int, style: Style) -> Strip:
        """One line of text (an empty list's message), `width` cells."""
        return Strip([Segment(set_cell_size(text, width), style)], width)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def _on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self.scroll_to_cursor()

    # ---------------------------------------------------------------------- internals

    def _visible_lines(self) -> int:
        return self.scrollable_content_region.height - self.FIXED_LINES

    def _page(self) -> int:
        return max(1, self._visible_lines() - 1)

    def _refresh_item(self, index: int) -> None:
        if index >= 0:
            self.refresh_line(index + self.FIXED_LINES)

    def _announce(self) -> None:
        key, message = self.highlight()
        if key != self._announced:
            self._announced = key
            if message is not None:
                self.post_message(message)
