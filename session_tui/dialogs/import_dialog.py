"""Import: which files, what to do with an id already in the store, and (when the app was
started on a file to import) into which store. `ImportDialog(default_path, *, target_choices,
store_label)` -> `ImportRequest(paths, on_conflict, target)` or None (escape).

The paths are checked before the dialog closes: nothing given, a file that does not exist or a
folder is refused in place with the reason. Several files are separated by spaces (quote a name
that holds spaces, or give just that one file). Reading and importing them is the caller's work.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, RadioButton, RadioSet, Static

from ..text import one_line
from .base import Dialog, keys_line, load_css
from .export import FormatChoice

__all__ = ["CONFLICT_LABELS", "ImportDialog", "ImportRequest", "split_paths"]

OnConflict = Literal["skip", "replace", "keep-both"]
ImportTarget = Literal["store", "beside"]

CONFLICT_LABELS: dict[str, str] = {
    "skip": "skip it (keep the session in the store)",
    "replace": "replace it (undoable)",
    "keep-both": "keep both (the newcomer gets a new id: <id>~2)",
}


@dataclass(frozen=True)
class ImportRequest:
    paths: list[Path]
    on_conflict: OnConflict = "skip"
    target: ImportTarget = "store"  # "beside": a new store `<first file>.store/`

    @property
    def beside_path(self) -> Path:
        """The store folder beside the (first) file: `<file>.store/`."""
        return beside_store(self.paths[0])


def beside_store(path: Path) -> Path:
    return path.with_name(path.name + ".store")


def split_paths(text: str) -> list[str]:
    """The file names in `text`: the whole text when it names an existing file (a name with
    spaces, unquoted), else the words, shell-style (`"my file.json" other.jsonl`)."""
    text = text.strip()
    if not text:
        return []
    if Path(text).expanduser().exists():
        return [text]
    try:
        return shlex.split(text)
    except ValueError:  # an unbalanced quote
        return text.split()


def _tail(text: str, width: int = 60) -> str:
    """A long path cut at its start, so that the file's name shows."""
    text = one_line(text)
    return text if len(text) <= width else "…" + text[-(width - 1):]


class ImportDialog(Dialog["ImportRequest | None"]):
    """enter (or ctrl+s): import; tab: to the choices, ↑↓ there choose; escape: cancel."""

    DEFAULT_CSS = load_css(__file__)

    BINDINGS = [
        Binding("enter,ctrl+s", "import", "Import", show=False),
    ]

    def __init__(self, default_path: str = "", *, target_choices: bool = False,
                 store_label: str = "", cursor_blink: bool | None = None) -> None:
        super().__init__(cursor_blink=cursor_blink)
        self.default_path = default_path
        self.target_choices = target_choices
        self.store_label = store_label or "the store"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog--box", id="import-box") as box:
            box.border_title = Content("Import sessions")
            path = Input(self.default_path if one_line(self.default_path) == self.default_path
                         else "", placeholder="file(s) to import, separated by spaces",
                         id="import-path", select_on_focus=False)
            path.border_title = "from"
            yield path
            yield Static("", id="import-error", classes="dialog--error")
            with FormatChoice(id="import-conflict") as conflicts:
                conflicts.border_title = "a session whose id is already in the store"
                for name, label in CONFLICT_LABELS.items():
                    yield RadioButton(Content(label), value=name == "skip",
                                      id=f"conflict-{name}")
            if self.target_choices:
                with FormatChoice(id="import-target") as targets:
                    targets.border_title = "import into"
                    yield RadioButton(Content(one_line(self.store_label, 60)), value=True,
                                      id="target-store")
                    yield RadioButton(self._beside_label(self.default_path), id="target-beside")
            yield Static(Content("Session JSON / JSONL, ADK JSON or SQLite, TinyDB. "
                                 "All or nothing."),
                         id="import-note", classes="dialog--muted")
            yield Static(keys_line(("enter", "import"), ("tab", "files / choices"),
                                   ("↑↓", "choose"), ("esc", "cancel")),
                         classes="dialog--keys")

    # -- state ----------------------------------------------------------------------------
    @property
    def on_conflict(self) -> OnConflict:
        pressed = self.query_one("#import-conflict", RadioSet).pressed_button
        name = pressed.id.removeprefix("conflict-") if pressed is not None and pressed.id else ""
        return name if name in CONFLICT_LABELS else "skip"  # type: ignore[return-value]

    @property
    def target(self) -> ImportTarget:
        if not self.target_choices:
            return "store"
        pressed = self.query_one("#import-target", RadioSet).pressed_button
        return "beside" if pressed is not None and pressed.id == "target-beside" else "store"

    def _beside_label(self, text: str) -> Content:
        words = split_paths(text)
        name = f"{Path(words[0]).name}.store/" if words else "<file>.store/"
        return Content(f"a new store beside the file ({one_line(name, 40)})")

    def _show_error(self, message: str) -> None:
        error = self.query_one("#import-error", Static)
        error.update(Content(message))
        error.display = bool(message)

    def on_mount(self) -> None:
        self._show_error("")
        path = self.query_one("#import-path", Input)
        path.focus()
        path.cursor_position = len(path.value)

    @on(RadioSet.Changed)
    def _choice_changed(self) -> None:
        self._show_error("")

    @on(Input.Changed, "#import-path")
    def _path_changed(self, event: Input.Changed) -> None:
        self._show_error("")
        if self.target_choices:
            self.query_one("#target-beside", RadioButton).label = self._beside_label(event.value)

    @on(Input.Submitted, "#import-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_import()

    # -- checking and answering -----------------------------------------------------------
    @staticmethod
    def check(text: str) -> tuple[list[Path], str]:
        """(the files, "") when each names an existing file, else ([], the reason)."""
        words = split_paths(text)
        if not words:
            return [], "enter the file to import (several: separate them with spaces)"
        paths: list[Path] = []
        seen: set[Path] = set()
        for word in words:
            path = Path(word).expanduser()
            shown = _tail(str(path))
            if not path.exists():
                return [], f"{shown}: no such file"
            if path.is_dir():
                return [], f"{shown} is a folder: give the file(s) in it"
            if not path.is_file():
                return [], f"{shown} is not a regular file"
            key = path.resolve()
            if key not in seen:  # the same file twice is read once
                seen.add(key)
                paths.append(path)
        return paths, ""

    def action_import(self) -> None:
        paths, reason = self.check(self.query_one("#import-path", Input).value)
        if not paths:
            self._show_error(reason)
            self.query_one("#import-path", Input).focus()
            return
        self.dismiss(ImportRequest(paths, self.on_conflict, self.target))
