"""A value in full: `ValueDialog(path_label, value)` shows a long string whole (wrapped) and an
object or array as pretty JSON, scrollable and selectable (read-only). Everything shown is made
safe first (control and bidi characters visible, no markup). Past `MAX_CHARS` characters the
text is cut with a "… N more characters" note. escape or q closes it (None)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static, TextArea

from ..text import json_head, one_line, safe
from .base import Dialog, keys_line, load_css
from .values import describe

__all__ = ["ValueDialog", "full_text"]

MAX_CHARS = 50_000
"""Characters shown at most: the text area wraps all it holds at each layout (200,000 took
~0.3 s), and past a few pages a value is read in an export, not here."""


def full_text(value: Any, limit: int = MAX_CHARS) -> tuple[str, int | None]:
    """(the text to show, how many characters were left out: 0 for none, None for some that
    were not measured). A string is shown as itself (cut, then made safe), anything else as
    pretty JSON laid out only as far as it is shown (100,000 keys cost a page)."""
    if isinstance(value, str):
        return safe(value[:limit]), max(0, len(value) - limit)
    text, complete = json_head(value, limit)
    return safe(text), 0 if complete else None


class ValueDialog(Dialog[None]):
    """Read-only view of one value. escape / q: close."""

    DEFAULT_CSS = load_css(__file__)

    BINDINGS = [Binding("escape,q", "cancel", "Close", show=False)]

    def __init__(self, path_label: str, value: object, *,
                 cursor_blink: bool | None = None) -> None:
        super().__init__(cursor_blink=cursor_blink)
        self.path_label = one_line(path_label, 1_000)  # a path of huge keys: its start
        self.value = value
        self.text, self.more = full_text(value)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog--box", id="value-box") as box:
            box.border_title = Content("Value")
            with Vertical(id="value-top"):
                yield Static(Content(self.path_label), id="value-path")
                yield Static(Content(describe(self.value)), id="value-type",
                             classes="dialog--muted")
            shown = self.text
            if self.more != 0:
                shown += f"\n\n{self.more_note}"
            yield TextArea(shown, id="value-text", read_only=True, soft_wrap=True,
                           show_line_numbers=False, highlight_cursor_line=False)
            with Vertical(id="value-bottom"):
                if self.more != 0:
                    yield Static(Content(f"{self.more_note} not shown"), id="value-more")
                yield Static(keys_line(("esc/q", "close"), ("↑↓ pgup pgdn", "scroll"),
                                       ("shift+↑↓", "select"), ("ctrl+c", "copy")),
                             classes="dialog--keys")

    @property
    def more_note(self) -> str:
        """`… 1,234 more characters` (or `… more`, where the rest was not measured)."""
        return "… more" if self.more is None else f"… {self.more:,} more characters"

    def on_mount(self) -> None:
        self.query_one("#value-text").focus()
