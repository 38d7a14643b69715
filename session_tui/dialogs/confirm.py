"""A yes/no question: `ConfirmDialog(title, message)` -> True (y / enter) or False (n / escape)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from ..text import one_line, safe
from .base import Dialog, keys_line, load_css

__all__ = ["ConfirmDialog"]


def _safe_message(message: str | Text | Content) -> Text | Content:
    """The message as a renderable that is never parsed as markup and holds no control
    characters (a Rich `Text` with such characters loses its styling, keeps its text)."""
    if isinstance(message, Text):
        if safe(message.plain) == message.plain:
            return message
        return Text(safe(message.plain), style=message.style)
    if isinstance(message, Content):
        if safe(message.plain) == message.plain:
            return message
        return Content(safe(message.plain))
    return Content(safe(str(message)))


class ConfirmDialog(Dialog[bool]):
    """Ask a question. y / enter: True; n / escape: False. `danger` draws it in the error
    colour (for destructive actions). The buttons answer to the mouse; they take no focus so
    that enter always means yes."""

    DEFAULT_CSS = load_css(__file__)

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", show=False),
        Binding("n,escape", "answer(False)", "No", show=False),
    ]

    CANCEL_RESULT = False

    def __init__(self, title: str, message: str | Text | Content, confirm_label: str = "Yes",
                 danger: bool = False, *, cancel_label: str = "No",
                 cursor_blink: bool | None = None) -> None:
        super().__init__(cursor_blink=cursor_blink, classes="-danger" if danger else None)
        self.title_text = one_line(title)
        self.message = _safe_message(message)
        self.confirm_label = one_line(confirm_label)
        self.cancel_label = one_line(cancel_label)
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog--box", id="confirm-box") as box:
            box.border_title = Content(self.title_text)
            yield Static(self.message, id="confirm-message")
            with Horizontal(id="confirm-buttons"):
                yes = Button(Content(self.confirm_label), id="confirm-yes", compact=True,
                             variant="error" if self.danger else "primary")
                no = Button(Content(self.cancel_label), id="confirm-no", compact=True)
                yes.can_focus = False
                no.can_focus = False
                yield yes
                yield no
            yield Static(keys_line(("y/enter", self.confirm_label.lower()),
                                   ("n/esc", self.cancel_label.lower())),
                         classes="dialog--keys")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)
