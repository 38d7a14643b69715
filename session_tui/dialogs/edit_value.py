"""Edit one value of the state as JSON, or add a key (SPEC section 5).

`EditValueDialog(path_label, current)` -> `EditResult(value)` on save, None on cancel (so saving
`null` is told apart from cancelling). With `is_new_key=True` it asks for the key's name first
and returns `EditResult(value, key=name)`.

The rule (see `values.py`): text that parses as JSON is that value; text that does not is a
string, unless it starts with `{`, `[` or `"`: then it is refused in place with the parser's
reason and the dialog stays open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static, TextArea

from ..text import json_preview, one_line
from .base import Dialog, keys_line, load_css
from ..model import json_type
from .values import Refused, describe, edit_text, parse_edit_text

__all__ = ["EditResult", "EditValueDialog"]


@dataclass(frozen=True)
class EditResult:
    """What the user saved: `value` may be None (JSON null); `key` is the new key's name when
    the dialog added a key."""

    value: Any
    key: str | None = None
    # As typed: offered again if the store refuses the save as stale (not part of equality:
    # the same value saved is the same result).
    text: str = field(default="", compare=False)


class EditValueDialog(Dialog["EditResult | None"]):
    """Edit the value at `path_label` (shown as given, made safe).

    - one-line values in an `Input` (enter saves); multi-line strings and big objects or arrays
      in a `TextArea` (ctrl+s saves, enter is a new line);
    - `is_new_key`: a key-name input comes first; empty names and names in `existing_keys`
      are refused with the reason; `key` pre-fills it;
    - `text`: start with this text instead of the current value's (what the user typed
      before), `note`: a line that says why the dialog is back;
    - escape cancels (None).
    """

    DEFAULT_CSS = load_css(__file__)

    BINDINGS = [Binding("ctrl+s", "save", "Save", show=False)]

    def __init__(self, path_label: str, current: object, is_new_key: bool = False,
                 existing_keys: frozenset[str] = frozenset(), key: str | None = None, *,
                 text: str | None = None, note: str = "",
                 cursor_blink: bool | None = None) -> None:
        super().__init__(cursor_blink=cursor_blink)
        self.path_label = one_line(path_label)
        self.current = current
        self.is_new_key = is_new_key
        self.existing_keys = frozenset(existing_keys)
        self.initial_key = key or ""
        self.initial_text, self.multiline = edit_text(current)
        if text is not None:
            self.initial_text = text
            self.multiline = self.multiline or "\n" in text
        self.note = note

    # -- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog--box", id="edit-box") as box:
            if self.note:
                yield Static(Content(self.note), id="edit-note")
            if self.is_new_key:
                box.border_title = Content("New key")
                yield Static(Content.assemble(("in ", "$text-muted"), self.path_label),
                             id="edit-path")
                key_input = Input(self.initial_key if _shows_safely(self.initial_key) else "",
                                  placeholder="name of the new key", id="edit-key")
                key_input.border_title = "key name"
                yield key_input
                yield Static("", id="edit-key-error", classes="dialog--error")
            else:
                box.border_title = Content("Edit value")
                yield Static(Content(self.path_label), id="edit-path")
                current = [("current: ", "$text-muted"), describe(self.current)]
                if self.note:  # back after another writer's change: what it is now
                    current += [("  now ", "$text-muted"), json_preview(self.current, 60)]
                yield Static(Content.assemble(*current), id="edit-type")
            editor: Input | TextArea
            if self.multiline:
                editor = TextArea(self.initial_text, id="edit-value", soft_wrap=True,
                                  tab_behavior="focus", show_line_numbers=False)
            else:
                editor = Input(self.initial_text, id="edit-value",
                               placeholder="JSON, or plain text for a string")
            editor.border_title = "value"
            yield editor
            yield Static("", id="edit-error", classes="dialog--error")
            yield Static("", id="edit-hint")
            yield Static(Content.assemble(
                ("text that is not JSON is a string: ", "$text-muted"),
                ("42", "bold"), (" is a number, ", "$text-muted"), ('"42"', "bold"),
                (" a string", "$text-muted")),
                id="edit-rule", classes="dialog--muted")
            if self.multiline:
                keys = keys_line(("ctrl+s", "save"), ("esc", "cancel"), ("tab", "next field"))
            elif self.is_new_key:
                keys = keys_line(("enter", "next / save"), ("ctrl+s", "save"), ("esc", "cancel"))
            else:
                keys = keys_line(("enter", "save"), ("esc", "cancel"))
            yield Static(keys, classes="dialog--keys")

    def on_mount(self) -> None:
        self._set_error("#edit-error", "")
        if self.is_new_key:
            self._set_error("#edit-key-error", "")
        self._update_hint()

    # -- reading what was typed -----------------------------------------------------------
    @property
    def value_text(self) -> str:
        widget = self.query_one("#edit-value")
        return widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[union-attr]

    def _set_error(self, selector: str, message: str) -> None:
        error = self.query_one(selector, Static)
        error.update(Content(message))
        error.display = bool(message)

    def _update_hint(self) -> None:
        hint = self.query_one("#edit-hint", Static)
        try:
            value = parse_edit_text(self.value_text)
        except Refused:
            hint.update(Content.assemble(("will not save: ", "$text-muted"),
                                         ("invalid JSON", "bold $text-warning")))
            return
        hint.update(Content.assemble(("will save: ", "$text-muted"),
                                     (json_type(value), "bold $text-success")))

    def _check_key(self) -> str | None:
        """The new key's name, or None after showing why it is refused."""
        name = self.query_one("#edit-key", Input).value
        reason = ""
        if name == "":
            reason = "the key name is empty"
        elif name in self.existing_keys:
            reason = f'a key named "{one_line(name, 40)}" already exists here'
        self._set_error("#edit-key-error", reason)
        return None if reason else name

    # -- events -------------------------------------------------------------------------------
    @on(Input.Changed, "#edit-value")
    @on(TextArea.Changed, "#edit-value")
    def _value_changed(self) -> None:
        self._set_error("#edit-error", "")
        self._update_hint()

    @on(Input.Changed, "#edit-key")
    def _key_changed(self) -> None:
        self._set_error("#edit-key-error", "")

    @on(Input.Submitted, "#edit-key")
    def _key_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._check_key() is not None:
            self.query_one("#edit-value").focus()

    @on(Input.Submitted, "#edit-value")
    def _value_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        key: str | None = None
        if self.is_new_key:
            key = self._check_key()
            if key is None:
                self.query_one("#edit-key", Input).focus()
                return
        try:
            value = parse_edit_text(self.value_text)
        except Refused as refused:
            self._set_error("#edit-error", str(refused))
            self.query_one("#edit-value").focus()
            return
        self.dismiss(EditResult(value, key=key, text=self.value_text))


def _shows_safely(text: str) -> bool:
    return one_line(text) == text
