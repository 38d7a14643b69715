"""A value in full: `ValueDialog(path_label, value)` shows a long string whole (wrapped) and an
object or array as pretty JSON, scrollable and selectable (read-only). Everything shown is made
safe first (control and bidi characters visible, no markup). Past `MAX_CHARS` characters the
text is cut with a "… N more characters" note. escape or q closes it (None)."""

from __future__ import annotations

import json
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static, TextArea

from ..text import one_line, safe
from .base import Dialog, keys_line, load_css
from .values import describe

__all__ = ["ValueDialog", "full_text"]

MAX_CHARS = 200_000


def full_text(value: Any, limit: int = MAX_CHARS) -> tuple[str, int]:
    """(the text to show, how many characters were left out). A string is shown as itself,
    anything else as pretty JSON; either way made safe."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, indent=2)
        except (TypeError, ValueError):
            text = repr(value)
    more = max(0, len(text) - limit)
    if more:
        text = text[:limit]
    return safe(text), more


class ValueDialog(Dialog[None]):
    """Read-only view of one value. escape / q: close."""

    DEFAULT_CSS = load_css(__file__)

    BINDINGS = [Binding("escape,q", "cancel", "Close", show=False)]

    def __init__(self, path_label: str, value: object, *,
                 cursor_blink: bool | None = None) -> None:
        super().__init__(cursor_blink=cursor_blink)
        self.path_label = one_line(path_label)
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
            if self.more:
                shown += f"\n\n… {self.more:,} more characters"
            yield TextArea(shown, id="value-text", read_only=True, soft_wrap=True,
                           show_line_numbers=False, highlight_cursor_line=False)
            with Vertical(id="value-bottom"):
                if self.more:
                    yield Static(Content(f"… {self.more:,} more characters not shown"),
                                 id="value-more")
                yield Static(keys_line(("esc/q", "close"), ("↑↓ pgup pgdn", "scroll"),
                                       ("shift+↑↓", "select"), ("ctrl+c", "copy")),
                             classes="dialog--keys")

    def on_mount(self) -> None:
        self.query_one("#value-text").focus()
