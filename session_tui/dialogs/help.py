"""The help screen: `HelpScreen(sections)` with sections of (key, description) rows, the keys
aligned in one column across every section. escape, ? or q closes it; it scrolls."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from ..text import cell_width, one_line
from .base import Dialog, keys_line, load_css

__all__ = ["HelpScreen", "HelpSections"]

HelpSections = list[tuple[str, list[tuple[str, str]]]]

MAX_KEY_WIDTH = 24


class HelpScreen(Dialog[None]):
    """Titled sections of key bindings. escape / ? / q: close."""

    DEFAULT_CSS = load_css(__file__)

    BINDINGS = [
        Binding("escape,question_mark,q", "cancel", "Close", show=False),
    ]

    def __init__(self, sections: HelpSections, *, title: str = "Keys",
                 cursor_blink: bool | None = None) -> None:
        super().__init__(cursor_blink=cursor_blink)
        self.sections = [(one_line(name), [(one_line(k), one_line(d)) for k, d in rows])
                         for name, rows in sections]
        self.title_text = one_line(title)
        widths = [cell_width(key) for _, rows in self.sections for key, _ in rows]
        self.key_width = min(MAX_KEY_WIDTH, max(widths, default=1)) + 2

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog--box", id="help-box") as box:
            box.border_title = Content(self.title_text)
            with VerticalScroll(id="help-body"):
                for name, rows in self.sections:
                    yield Static(Content(name), classes="help--section")
                    for key, description in rows:
                        key_cell = Static(Content(key), classes="help--key")
                        key_cell.styles.width = self.key_width
                        yield Horizontal(key_cell,
                                         Static(Content(description), classes="help--what"),
                                         classes="help--row")
            with Vertical(id="help-bottom"):
                yield Static(keys_line(("esc / ? / q", "close"), ("↑↓ pgup pgdn", "scroll")),
                             classes="dialog--keys")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
