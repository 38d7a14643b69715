"""Rename a key: `RenameKeyDialog(current, existing)` -> the new name, or None.

Empty names and names already taken (`existing`) are refused in place, with the reason. Enter
with the name unchanged closes the dialog like escape (None): there is nothing to rename.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from ..text import one_line
from .base import Dialog, keys_line, load_css

__all__ = ["RenameKeyDialog"]


class RenameKeyDialog(Dialog["str | None"]):
    """enter: rename (the new name); escape: None."""

    DEFAULT_CSS = load_css(__file__)

    def __init__(self, current: str, existing: frozenset[str], *,
                 cursor_blink: bool | None = None) -> None:
        super().__init__(cursor_blink=cursor_blink)
        self.current = current
        self.existing = frozenset(existing)
        # A name holding control or bidi characters is not put into the editor as is (it would
        # reach the terminal); the user types the new name instead.
        self._shown_safely = one_line(current) == current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog--box", id="rename-box") as box:
            box.border_title = Content("Rename key")
            yield Static(Content.assemble(("current name: ", "$text-muted"),
                                          (one_line(self.current), "bold")), id="rename-current")
            name = Input(self.current if self._shown_safely else "",
                         placeholder="new name", id="rename-input")
            name.border_title = "new name"
            yield name
            yield Static("", id="rename-error", classes="dialog--error")
            yield Static(keys_line(("enter", "rename"), ("esc", "cancel")),
                         classes="dialog--keys")

    def on_mount(self) -> None:
        self._show_error("")
        # The old name, selected: typing replaces it, an arrow key keeps it to change a part.
        self.query_one("#rename-input", Input).select_all()

    def _show_error(self, message: str) -> None:
        error = self.query_one("#rename-error", Static)
        error.update(Content(message))
        error.display = bool(message)

    @on(Input.Changed, "#rename-input")
    def _changed(self) -> None:
        self._show_error("")

    @on(Input.Submitted, "#rename-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value
        if name == self.current:
            self.dismiss(None)
        elif name == "":
            self._show_error("the key name is empty")
        elif name in self.existing:
            self._show_error(f'a key named "{one_line(name, 40)}" already exists here')
        else:
            self.dismiss(name)
