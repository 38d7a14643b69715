"""The session screen's edits of the state: edit, add, rename and delete a key, view a value.
Each opens its dialog based on the revision shown when the user began; the answer becomes a
`Change` (session_changes.py) the screen makes in a worker. Refused as stale, the edit and
add dialogs come back with what was typed, on the session as it is then."""

from __future__ import annotations

from functools import partial
from typing import Any

from .. import pointer as jp
from ..text import safe
from ..widgets.state_tree import StateTree


class StateEdits:
    """Mixed into the session screen: it supplies `session`, `session_id`, `changes`,
    `_change(change)` and `_unless_agent_running(then)` (every edit first asks whether to go on
    when an agent may be running on the session)."""

    def _value_at(self, path: tuple) -> tuple[bool, Any]:
        """(found, value) at `path` in the live state shown."""
        try:
            return True, jp.get(self.session.state if self.session else {}, jp.build(list(path)))
        except (jp.PointerError, jp.PointerNotFound):
            return False, None

    def _cursor(self) -> tuple[tuple, Any] | None:
        """(path, value) of the tree's cursor in the state shown; None on no value."""
        tree = self.query_one(StateTree)
        path = tree.cursor_path
        if path is None:
            return None
        value: Any = tree.state
        for key in path:
            value = value[key]
        return tuple(path), value

    # -- edit, add, rename, delete a key -----------------------------------------------------
    def action_edit(self) -> None:
        if self.app.refuse_if_read_only():
            return
        cursor = self._cursor()
        if cursor is None or not cursor[0]:
            self.notify("Pick a value in the state tree", severity="warning")
            return
        path, value = cursor
        self._unless_agent_running(partial(self._edit_value, path, value))

    def _edit_value(self, path: tuple, value: Any, text: str | None = None, note: str = "") -> None:
        """The edit dialog for `path`, based on the revision shown now; refused as stale, it
        comes back with what was typed, on the session as it is then."""
        from ..dialogs.edit_value import EditValueDialog

        self.app.push_screen(EditValueDialog(jp.build(list(path)), value, text=text, note=note),
                             partial(self._edit_answered, path, self.changes.revision))

    def _edit_answered(self, path: tuple, revision: str | None, result) -> None:
        if result is None:
            return
        pointer = jp.build(list(path))
        self._change(self.changes.change("set_value", pointer, result.value, revision=revision,
                                         said=f"Saved {pointer}",
                                         again=partial(self._edit_again, path, result)))

    def _edit_again(self, path: tuple, result, busy: bool = False) -> None:
        found, fresh = self._value_at(path)
        self._edit_value(path, fresh, result.text, stale_note(found, busy))

    def action_add(self) -> None:
        if self.app.refuse_if_read_only():
            return
        cursor = self._cursor()
        path, value = cursor if cursor is not None else ((), None)
        # Add inside the object/array under the cursor, else beside the cursor's key.
        if not isinstance(value, (dict, list)):
            path = path[:-1]
        container = jp.get(self.session.state, jp.build(list(path))) if self.session else {}
        if isinstance(container, list):
            self._unless_agent_running(partial(self._append_item, path))
        else:
            self._unless_agent_running(partial(self._add_key, path, container))

    def _append_item(self, path: tuple) -> None:
        from ..dialogs.edit_value import EditValueDialog

        pointer = jp.build(list(path) + ["-"])
        self.app.push_screen(EditValueDialog(pointer, None, is_new_key=False),
                             partial(self._item_answered, path, self.changes.revision))

    def _item_answered(self, path: tuple, revision: str | None, result) -> None:
        if result is not None:
            self._change(self.changes.change("set_value", jp.build(list(path) + ["-"]), result.value,
                                             revision=revision,
                                             said=f"Appended to {jp.build(list(path)) or '/'}"))

    def _add_key(self, path: tuple, container: dict, key: str | None = None, text: str | None = None,
                 note: str = "") -> None:
        """The new-key dialog in the object at `path`; refused as stale, it comes back with
        the key and value typed, on the session as it is then."""
        from ..dialogs.edit_value import EditValueDialog

        self.app.push_screen(EditValueDialog(jp.build(list(path)) or "/", None, is_new_key=True,
                                             existing_keys=frozenset(container), key=key, text=text,
                                             note=note),
                             partial(self._key_answered, path, self.changes.revision))

    def _key_answered(self, path: tuple, revision: str | None, result) -> None:
        if result is None:
            return
        target = jp.build(list(path) + [result.key])
        self._change(self.changes.change("set_value", target, result.value, revision=revision,
                                         said=f"Added {target}",
                                         again=partial(self._add_key_again, path, result)))

    def _add_key_again(self, path: tuple, result, busy: bool = False) -> None:
        found, fresh = self._value_at(path)
        if not isinstance(fresh, dict):
            self.notify(f"Not added: {jp.build(list(path)) or '/'} is no longer an object "
                        f"in {self.session_id} (another writer changed it)",
                        severity="error", timeout=8)
            return
        self._add_key(path, fresh, result.key, result.text, stale_note(found, busy))

    def action_rename(self) -> None:
        if self.app.refuse_if_read_only():
            return
        cursor = self._cursor()
        if cursor is None or not cursor[0] or not isinstance(cursor[0][-1], str):
            self.notify("Pick an object key to rename", severity="warning")
            return
        path, _ = cursor
        parent = jp.get(self.session.state, jp.build(list(path[:-1])))
        self._unless_agent_running(partial(self._rename_dialog, path, frozenset(parent)))

    def _rename_dialog(self, path: tuple, siblings: frozenset) -> None:
        from ..dialogs.rename_key import RenameKeyDialog

        self.app.push_screen(RenameKeyDialog(path[-1], siblings),
                             partial(self._rename_answered, path, self.changes.revision))

    def _rename_answered(self, path: tuple, revision: str | None, name: str | None) -> None:
        if name and name != path[-1]:
            self._change(self.changes.change("rename_key", jp.build(list(path)), name, revision=revision,
                                             said=f"Renamed {path[-1]} to {name}"))

    def action_delete_key(self) -> None:
        if self.app.refuse_if_read_only():
            return
        cursor = self._cursor()
        if cursor is None or not cursor[0]:
            return
        self._unless_agent_running(partial(self._delete_key_dialog, jp.build(list(cursor[0]))))

    def _delete_key_dialog(self, pointer: str) -> None:
        from ..dialogs.confirm import ConfirmDialog

        self.app.push_screen(ConfirmDialog("Delete key?", f"{safe(pointer)} will be removed. "
                                           "You can undo this (u).", confirm_label="Delete",
                                           danger=True),
                             partial(self._delete_key_answered, pointer, self.changes.revision))

    def _delete_key_answered(self, pointer: str, revision: str | None, yes: bool | None) -> None:
        if yes:
            self._change(self.changes.change("unset_value", pointer, revision=revision,
                                             said=f"Deleted {pointer} (u to undo)"))

    def action_view_value(self) -> None:
        from ..dialogs.value_view import ValueDialog

        cursor = self._cursor()
        if cursor is not None:
            self.app.push_screen(ValueDialog(jp.build(list(cursor[0])) or "/", cursor[1]))


def stale_note(found: bool, busy: bool = False) -> str:
    """Why the edit dialog is back: the save was refused as stale, or the database stayed
    locked by another program (`busy`)."""
    if busy:
        return ("The database was locked by another program (an agent writing?): your value was "
                "not saved. Press enter to try again, esc to drop it.")
    if found:
        return ("The session changed meanwhile (another writer): your value was not saved. "
                "Press enter to apply it to the current version, esc to drop it.")
    return ("The session changed meanwhile (another writer) and this key is gone now: "
            "press enter to write your value again, esc to drop it.")
