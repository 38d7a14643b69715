"""What every dialog shares: loading its stylesheet, the cursor-blink switch, the key hints.

Each dialog lives in its own module with a `.tcss` file beside it; the stylesheet's text is read
into the class's `DEFAULT_CSS` when the module is imported (`load_css(__file__)`), so a dialog
is self-contained: the App needs no `CSS_PATH` for it and a subclass inherits it.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.content import Content
from textual.screen import ModalScreen, ScreenResultType
from textual.widgets import Input, TextArea

from ..tcss import load_css  # (the dialogs import it from here)

__all__ = ["Dialog", "blink", "keys_line", "load_css"]


def blink(app: App[Any] | None) -> bool:
    """Whether text cursors should blink: the App's `cursor_blink` attribute when it has one
    (tests and snapshot runs set it to False), else True."""
    return bool(getattr(app, "cursor_blink", True))


def keys_line(*pairs: tuple[str, str]) -> Content:
    """`enter save · esc cancel`: the keys of a dialog, the key names highlighted."""
    parts: list[str | tuple[str, str]] = []
    for i, (key, what) in enumerate(pairs):
        if i:
            parts.append(("  ·  ", "$text-muted"))
        parts.append((key, "bold $accent"))
        parts.append((f" {what}", "$text-muted"))
    return Content.assemble(*parts)


class Dialog(ModalScreen[ScreenResultType]):
    """A modal dialog: centred box, escape cancels with `CANCEL_RESULT`.

    `cursor_blink`: None (the default) follows `blink(app)`; True/False forces it. Every
    `Input` and `TextArea` in the dialog gets it when the dialog mounts.
    """

    DEFAULT_CSS = load_css(__file__)

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    CANCEL_RESULT: Any = None

    def __init__(self, *, cursor_blink: bool | None = None, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._cursor_blink = cursor_blink

    @property
    def cursor_blinks(self) -> bool:
        return blink(self.app) if self._cursor_blink is None else self._cursor_blink

    def on_mount(self) -> None:
        blinks = self.cursor_blinks
        for widget in self.query(Input):
            widget.cursor_blink = blinks
        for area in self.query(TextArea):
            area.cursor_blink = blinks

    def action_cancel(self) -> None:
        self.dismiss(self.CANCEL_RESULT)
