"""Provides DiffView: a diff (session_tui/diff.py's shape) side by side, one line a difference.

Columns: what (a state key's JSON Pointer, or how an event differs), A (old) and B (new). State
lines first, under a heading with their counts, then the events. Added, removed and changed
lines have colours of their own. Virtualised (a `CursorList`): 10,000 lines cost no more than 10.

Data down: `set_diff(diff)`. Up: nothing; the screen asks `line_value(index)` for what a line
holds as JSON (`c` copies it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ..tcss import load_css
from ..text import json_preview, one_line, plural
from .cursor_list import CursorList

__all__ = ["DiffView", "DiffLine"]

GLYPHS = {"added": "+", "removed": "-", "changed": "~", "only_a": "-", "only_b": "+",
          "event": "~", "heading": "", "note": ""}


@dataclass(frozen=True)
class DiffLine:
    kind: str  # heading, note, added, removed, changed (state); event, only_a, only_b (events)
    what: str  # the pointer, the fields that differ, or the heading's text
    a: Any = None  # the old value (state) or A's event id
    b: Any = None
    value: Any = None  # what `c` copies
    label: str = ""  # what `c` says it copied


def diff_lines(diff: dict[str, Any], described: dict[str, tuple[str, str]] | None = None) -> list[DiffLine]:
    """The lines of a diff, in the order shown. `described`: an event's author and preview by
    id, shown for the events only one side has (else only their ids)."""
    described = described or {}
    state, events = diff["state"], diff["events"]
    counts = {"added": 0, "removed": 0, "changed": 0}
    lines: list[DiffLine] = []
    for path, change in state.items():
        kind = "added" if "old" not in change else "removed" if "new" not in change else "changed"
        counts[kind] += 1
        lines.append(DiffLine(kind, path, change.get("old"), change.get("new"), {path: change},
                              f"the change at {path}"))
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n) or "the same"
    heading = DiffLine("heading", f"State: {summary}", value={"state": state}, label="the state diff")
    lines.insert(0, heading)
    changed = events["changed"]
    lines.append(DiffLine(
        "heading", f"Events: {events['same']} the same, {len(changed)} changed, "
        f"{len(events['only_a'])} only in A, {len(events['only_b'])} only in B",
        value={"events": events}, label="the events diff"))
    for pair in changed:
        lines.append(DiffLine("event", ", ".join(pair["fields"]), pair["a"], pair["b"], pair,
                              f"the change of event {pair['b']}"))
    for side in ("a", "b"):
        for event_id in events[f"only_{side}"]:
            author, text = described.get(event_id, ("", ""))
            shown = f"{text}  ({event_id})" if text else event_id
            lines.append(DiffLine(f"only_{side}", f"only in {side.upper()}" + (f": {author}" if author else ""),
                                  shown if side == "a" else None, shown if side == "b" else None,
                                  {f"only_{side}": event_id}, f"event {event_id} (only in {side.upper()})"))
    return lines


class DiffView(CursorList):
    """A diff side by side: what | A | B, a line a difference, under a cursor."""

    DEFAULT_CSS = load_css(__file__)
    FIXED_LINES = 1  # the column titles

    COMPONENT_CLASSES = {"diff-view--title", "diff-view--cursor", "diff-view--heading",
                         "diff-view--added", "diff-view--removed", "diff-view--changed",
                         "diff-view--muted"}

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._lines: list[DiffLine] = []
        self._titles = ("A", "B")
        self._what_width = 8  # the widest `what` (pointer or fields), worked out once a diff

    def set_diff(self, diff: dict[str, Any], title_a: str = "A", title_b: str = "B",
                 described: dict[str, tuple[str, str]] | None = None) -> None:
        """Show this diff; the columns titled `title_a` and `title_b`; `described` as
        `diff_lines` takes it."""
        self._lines = diff_lines(diff, described)
        self._titles = (title_a, title_b)
        self._what_width = max((cell_len(line.what) for line in self._lines
                                if line.kind != "heading"), default=8)
        self.reset_items(0 if self._lines else -1, to_top=True)

    @property
    def item_count(self) -> int:
        return len(self._lines)

    def line(self, index: int) -> DiffLine | None:
        return self._lines[index] if 0 <= index < len(self._lines) else None

    @property
    def current(self) -> DiffLine | None:
        """The line under the cursor."""
        return self.line(self.cursor)

    # ------------------------------------------------------------------------ drawing

    def _widths(self, width: int) -> tuple[int, int, int]:
        """What, A and B columns (after the 2-cell glyph, with a 3-cell gap ` │ ` each)."""
        room = max(0, width - 2 - 6)
        what = max(8, min(room // 3, self._what_width))
        side = max(0, (room - what) // 2)
        return what, side, max(0, room - what - side)

    def _cells(self, texts: list[tuple[str, Style]], width: int, fill: Style) -> Strip:
        segments = [Segment(text, style) for text, style in texts if text]
        return Strip(segments).adjust_cell_length(width, fill)

    def render_fixed_line(self, y: int, width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("diff-view--title")
        what, side_a, side_b = self._widths(width)
        text = (f"  {_fit('Where', what)} │ {_fit(self._titles[0], side_a)} │ "
                f"{_fit(self._titles[1], side_b)}")
        return self._cells([(text, style)], width, style)

    def render_empty(self, width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("diff-view--muted")
        return self.message_line("Reading…", width, style)

    def render_item(self, index: int, width: int, is_cursor: bool) -> Strip:
        line = self._lines[index]
        get = self.get_component_rich_style
        base = self.rich_style
        cursor = get("diff-view--cursor") if is_cursor else None

        def styled(name: str | None) -> Style:
            style = base + get(name, partial=True) if name else base
            return style + cursor if cursor is not None else style

        plain = styled(None)
        if line.kind == "heading":
            return self._cells([(" " + line.what, styled("diff-view--heading"))], width, plain)
        what_w, side_a, side_b = self._widths(width)
        old_style = styled("diff-view--removed" if line.kind in ("changed", "removed", "only_a")
                           else "diff-view--muted")
        new_style = styled("diff-view--added" if line.kind in ("changed", "added", "only_b")
                           else "diff-view--muted")
        glyph_style = styled({"added": "diff-view--added", "only_b": "diff-view--added",
                              "removed": "diff-view--removed", "only_a": "diff-view--removed"}
                             .get(line.kind, "diff-view--changed"))
        if line.kind in ("event", "only_a", "only_b"):
            old = "" if line.a is None else one_line(line.a, side_a)
            new = "" if line.b is None else one_line(line.b, side_b)
            what = one_line(line.what, what_w)
        else:
            old = json_preview(line.a, side_a) if line.kind != "added" else ""
            new = json_preview(line.b, side_b) if line.kind != "removed" else ""
            what = one_line(line.what, what_w)
        bar = styled("diff-view--muted")
        return self._cells([(GLYPHS[line.kind] + " ", glyph_style), (_fit(what, what_w), plain),
                            (" │ ", bar), (_fit(old, side_a), old_style), (" │ ", bar),
                            (new, new_style)], width, plain)


def _fit(text: str, width: int) -> str:
    text = one_line(text, width)
    return text + " " * max(0, width - cell_len(text))


def describe_counts(diff: dict[str, Any]) -> str:
    """`3 state changes, 2 events differ` (the screen's status line)."""
    events = diff["events"]
    differ = len(events["changed"]) + len(events["only_a"]) + len(events["only_b"])
    return (f"{plural(len(diff['state']), 'state change')}, {plural(differ, 'event')} "
            + ("differs" if differ == 1 else "differ"))
