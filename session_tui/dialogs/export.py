"""Export: where to and in which format. `ExportDialog(default_path, count)` ->
`ExportRequest(path, format, overwrite)` or None (escape).

The path is checked before the dialog closes: an empty path, or one whose folder does not
exist, is refused in place with the reason; an existing file is only returned after the user
agrees to overwrite it (a `ConfirmDialog`; "no" leaves this dialog open). For the ADK format
with several sessions the path names a folder (one `<id>.session.json` per session): an
existing folder is accepted then, and the caller decides what to do with what is in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, RadioButton, RadioSet, Static

from ..text import one_line, plural
from .base import Dialog, keys_line, load_css
from .confirm import ConfirmDialog

__all__ = ["ExportDialog", "ExportFormat", "ExportRequest", "FORMAT_LABELS"]

ExportFormat = Literal["session", "adk"]

FORMAT_LABELS: dict[str, str] = {
    "session": "session-tui JSON (export shape)",
    "adk": "ADK session JSON",
}


@dataclass(frozen=True)
class ExportRequest:
    path: Path
    format: ExportFormat
    overwrite: bool


class FormatChoice(RadioSet, inherit_bindings=False):
    """A radio set whose arrow keys choose (as radio groups do elsewhere), and which leaves
    enter to the dialog (export)."""

    BINDINGS = [
        Binding("down,right", "next_button", "Next format", show=False),
        Binding("up,left", "previous_button", "Previous format", show=False),
        Binding("space", "toggle_button", "Choose", show=False),
    ]

    def action_next_button(self) -> None:
        super().action_next_button()
        self._press_selected()

    def action_previous_button(self) -> None:
        super().action_previous_button()
        self._press_selected()

    def _press_selected(self) -> None:
        if self._selected is not None:
            button = self.query(RadioButton)[self._selected]
            button.value = True


class ExportDialog(Dialog["ExportRequest | None"]):
    """enter (or ctrl+s): export; tab: to the format, ↑↓ there choose it; escape: cancel."""

    DEFAULT_CSS = load_css(__file__)

    BINDINGS = [
        Binding("enter,ctrl+s", "export", "Export", show=False),
    ]

    def __init__(self, default_path: str, count: int, *,
                 default_format: ExportFormat = "session",
                 cursor_blink: bool | None = None) -> None:
        super().__init__(cursor_blink=cursor_blink)
        self.default_path = default_path
        self.count = count
        self.default_format: ExportFormat = default_format

    def compose(self) -> ComposeResult:
        what = plural(self.count, "session")
        with Vertical(classes="dialog--box", id="export-box") as box:
            box.border_title = Content(f"Export {what}")
            path = Input(self.default_path if one_line(self.default_path) == self.default_path
                         else "", placeholder="file to write", id="export-path",
                         select_on_focus=False)
            path.border_title = "path"
            yield path
            yield Static("", id="export-error", classes="dialog--error")
            with FormatChoice(id="export-format") as formats:
                formats.border_title = "format"
                for name, label in FORMAT_LABELS.items():
                    yield RadioButton(Content(label), value=name == self.default_format,
                                      id=f"format-{name}")
            yield Static(Content(self._note()), id="export-note", classes="dialog--muted")
            yield Static(keys_line(("enter", "export"), ("tab", "path / format"),
                                   ("↑↓", "choose"), ("esc", "cancel")),
                         classes="dialog--keys")

    # -- state ----------------------------------------------------------------------------
    @property
    def format(self) -> ExportFormat:
        pressed = self.query_one(FormatChoice).pressed_button
        if pressed is not None and pressed.id == "format-adk":
            return "adk"
        return "session"

    @property
    def wants_folder(self) -> bool:
        return self.format == "adk" and self.count > 1

    def _note(self, format: ExportFormat | None = None) -> str:
        format = format or self.default_format
        if format == "adk":
            if self.count > 1:
                return "A folder: one <id>.session.json file per session (adk web can import them)."
            return "One ADK session file (adk run --resume and adk web can load it)."
        if self.count > 1:
            return "JSON Lines: one session a line."
        return "One session as a JSON object."

    def _show_error(self, message: str) -> None:
        error = self.query_one("#export-error", Static)
        error.update(Content(message))
        error.display = bool(message)

    def on_mount(self) -> None:
        self._show_error("")
        path = self.query_one("#export-path", Input)
        path.focus()
        path.cursor_position = len(path.value)

    @on(RadioSet.Changed)
    def _format_changed(self) -> None:
        self.query_one("#export-note", Static).update(Content(self._note(self.format)))
        self._show_error("")

    @on(Input.Changed, "#export-path")
    def _path_changed(self) -> None:
        self._show_error("")

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_export()

    # -- checking and answering -----------------------------------------------------------
    def check(self, text: str) -> tuple[Path | None, str]:
        """(the path, "") when it can be written (it may exist: the caller asks), else
        (None, the reason)."""
        if not text.strip():
            return None, "enter a path to export to"
        path = Path(text).expanduser()
        shown = one_line(str(path), 60)
        if path.is_dir():
            if self.wants_folder:
                return path, ""
            return None, f"{shown} is a folder: give a file name"
        if self.wants_folder and path.exists():
            return None, f"{shown} is a file: the ADK export of several sessions needs a folder"
        parent = path.parent
        if not parent.exists():
            return None, f"the folder {one_line(str(parent), 60)} does not exist"
        if not parent.is_dir():
            return None, f"{one_line(str(parent), 60)} is not a folder"
        return path, ""

    def action_export(self) -> None:
        path, reason = self.check(self.query_one("#export-path", Input).value)
        if path is None:
            self._show_error(reason)
            self.query_one("#export-path", Input).focus()
            return
        format = self.format
        if path.exists() and not path.is_dir():

            def answered(overwrite: bool | None) -> None:
                if overwrite:
                    self.dismiss(ExportRequest(path, format, overwrite=True))
                else:
                    self.query_one("#export-path", Input).focus()

            self.app.push_screen(
                ConfirmDialog("Overwrite?", f"{one_line(str(path))} exists. Overwrite?",
                              confirm_label="Overwrite", danger=True,
                              cursor_blink=self._cursor_blink),
                answered)
            return
        self.dismiss(ExportRequest(path, format, overwrite=False))
