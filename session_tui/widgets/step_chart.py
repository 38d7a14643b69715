"""Provides `StepChart`: tokens and time per invocation of one session, as bars.

One line an invocation, in the session's order: its number and start time, a bar of its tokens
stacked by kind (prompt, of it cached, output, thoughts, other) and a bar of its duration, each
scaled to the session's largest, ending in eighths of a cell. The figures at a bar's end are
short (`12k`, `8.5s`); `session-tui stats` has them whole. The cursor picks an invocation:
enter says which (`StepChart.Chosen`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from rich.segment import Segment
from rich.style import Style
from textual.message import Message
from textual.strip import Strip

from ..model import from_unix
from ..stats import InvocationStats, SessionStats, short_duration, short_tokens
from ..tcss import load_css
from .cursor_list import CursorList, ListMessage

__all__ = ["PARTS", "StepChart", "bar_cells", "token_parts"]

EIGHTHS = " ▏▎▍▌▋▊▉█"
# The stacked kinds of a token bar, in order, with the component class that colours each.
PARTS = ("prompt", "cached", "output", "thoughts", "other")
BARS = {*PARTS, "time"}
LABEL_WIDTH = 13  # ` 12 03:12:12 `
FIGURE_WIDTH = 5


def token_parts(invocation: InvocationStats) -> list[int]:
    """The invocation's tokens split as PARTS: prompt not from cache, cached, output
    (candidates), thoughts and what the total counts beyond them (tool-use prompts)."""
    t = invocation.tokens
    cached = min(t["cached"], t["prompt"])
    counted = t["prompt"] + t["candidates"] + t["thoughts"]
    return [t["prompt"] - cached, cached, t["candidates"], t["thoughts"], max(0, t["total"] - counted)]


def bar_cells(parts: Sequence[float], scale: float, width: int) -> list[tuple[str, int]]:
    """A bar `width` cells long at most for `parts` stacked (the whole bar is sum/scale of
    the width): (character, which part colours it) per cell, the last one a partial block.
    A part too small for its own cell gives way to its neighbour; any value > 0 shows."""
    total = sum(parts)
    if total <= 0 or scale <= 0 or width <= 0:
        return []
    length = max(1, round(min(total, scale) / scale * width * 8))  # in eighths of a cell
    bounds, running = [], 0.0
    for value in parts:
        running += value
        bounds.append(running / total * length)
    cells: list[tuple[str, int]] = []
    for start in range(0, length, 8):
        filled = min(8, length - start)
        middle = start + filled / 2
        part = next((i for i, b in enumerate(bounds) if middle < b), len(parts) - 1)
        cells.append((EIGHTHS[filled], part))
    return cells


class StepChart(CursorList):
    """Bars of tokens and time per invocation. Data down: `set_stats(stats, current)`.
    Message up: `StepChart.Chosen(invocation_id)` on enter."""

    DEFAULT_CSS = load_css(__file__)
    FIXED_LINES = 1

    COMPONENT_CLASSES = {
        "step-chart--header",
        "step-chart--cursor",
        "step-chart--label",
        "step-chart--figure",
        "step-chart--time",
        "step-chart--empty",
        *(f"step-chart--{part}" for part in PARTS),
    }

    @dataclass
    class Chosen(ListMessage):
        """Enter on an invocation."""

        invocation_id: str

    def __init__(self, stats: SessionStats | None = None, current: str | None = None,
                 **options: Any) -> None:
        super().__init__(**options)
        self._rows: list[InvocationStats] = []
        self._most_tokens = 0
        self._longest = 0.0
        if stats is not None:
            self.set_stats(stats, current)

    def set_stats(self, stats: SessionStats, current: str | None = None) -> None:
        """Chart these invocations, the cursor on `current` (an invocation id) if given."""
        self._rows = list(stats.invocations)
        self._most_tokens = max((sum(token_parts(i)) for i in self._rows), default=0)
        self._longest = max((i.duration_s for i in self._rows), default=0.0)
        ids = [i.id for i in self._rows]
        self.reset_items(ids.index(current) if current in ids else (0 if ids else -1), to_top=True)

    @property
    def current_invocation(self) -> str | None:
        return self._rows[self.cursor].id if 0 <= self.cursor < len(self._rows) else None

    # ------------------------------------------------------------- what CursorList asks

    @property
    def item_count(self) -> int:
        return len(self._rows)

    def highlight(self) -> tuple[Any, Message | None]:
        return self.current_invocation, None

    def chosen_message(self, index: int) -> Message:
        return self.Chosen(self, self._rows[index].id)

    def render_empty(self, width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("step-chart--empty")
        return self.message_line("No invocations", width, style)

    def _widths(self, width: int) -> tuple[int, int]:
        """Cells of the token bar and of the time bar (each followed by its figure)."""
        room = max(0, width - LABEL_WIDTH - 2 * (FIGURE_WIDTH + 1) - 2)
        tokens = (room * 3) // 5
        return tokens, room - tokens

    def render_fixed_line(self, y: int, width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("step-chart--header")
        tokens, time = self._widths(width)
        text = (f"{'  # start':<{LABEL_WIDTH}}{'tokens':<{tokens + FIGURE_WIDTH + 3}}"
                f"{'time':<{time + FIGURE_WIDTH + 1}}")
        return Strip([Segment(text, style)]).adjust_cell_length(width, style)

    def render_item(self, index: int, width: int, is_cursor: bool) -> Strip:
        invocation = self._rows[index]
        get = self.get_component_rich_style
        cursor = get("step-chart--cursor") if is_cursor else None
        base = self.rich_style

        def style(name: str) -> Style:
            part = base + get(f"step-chart--{name}", partial=True)
            # The cursor marks the label and the figures; a bar keeps its colours on the
            # background (a cursor of the bar's colour would hide it).
            return part + cursor if cursor is not None and name not in BARS else part

        line = base
        tokens_w, time_w = self._widths(width)
        segments = [Segment(_label(index, invocation), style("label"))]
        parts = token_parts(invocation)
        segments += _bar(bar_cells(parts, self._most_tokens, tokens_w), tokens_w,
                         [style(p) for p in PARTS], line)
        figure = short_tokens(invocation.tokens["total"]) if invocation.with_usage else ""
        segments.append(Segment(f" {figure:>{FIGURE_WIDTH}}  ", style("figure")))
        seconds = invocation.duration_s
        segments += _bar(bar_cells([seconds], self._longest, time_w), time_w, [style("time")], line)
        figure = short_duration(seconds) if invocation.events > 1 else ""
        segments.append(Segment(f" {figure:>{FIGURE_WIDTH}}", style("figure")))
        return Strip(segments).adjust_cell_length(width, line)


def _label(index: int, invocation: InvocationStats) -> str:
    try:
        clock = from_unix(invocation.first).strftime("%H:%M:%S") if invocation.first is not None else ""
    except (OverflowError, ValueError):
        clock = "??:??:??"
    return f"{index + 1:>3} {clock:<8} "[:LABEL_WIDTH].ljust(LABEL_WIDTH)


def _bar(cells: list[tuple[str, int]], width: int, styles: list[Style], fill: Style) -> list[Segment]:
    segments = [Segment(char, styles[part]) for char, part in cells]
    if width > len(cells):
        segments.append(Segment(" " * (width - len(cells)), fill))
    return segments
