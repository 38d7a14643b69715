"""Provides the app's log of the changes made in this run, newest last: what `u` on the session
list undoes. An entry is one session's change, or one whole import (every session it created
or replaced), so that undo never reaches past an import to an older, unrelated change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from .store.base import ImportReport


@dataclass(frozen=True)
class SessionChange:
    """An edit, rewind or delete of one session (its store history says which)."""

    session_id: str


@dataclass(frozen=True)
class ImportChange:
    """One import: undone as one change (Store.undo_import)."""

    report: ImportReport
    store_name: str = ""


Change = Union[SessionChange, ImportChange]


class UndoLog:
    def __init__(self) -> None:
        self._entries: list[Change] = []

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def record(self, change: Change) -> None:
        self._entries.append(change)

    def pop(self) -> Change | None:
        return self._entries.pop() if self._entries else None

    def forget(self, session_id: str) -> None:
        """The newest change of this session was undone elsewhere (the session screen's `u`):
        drop its entry, so the list's `u` does not undo one more. An import it was part of
        stays (undoing the rest of it is still one change)."""
        for i in range(len(self._entries) - 1, -1, -1):
            entry = self._entries[i]
            if isinstance(entry, SessionChange) and entry.session_id == session_id:
                del self._entries[i]
                return

    def session_ids(self) -> set[str]:
        """The sessions this run changed one by one (an edit, a rewind, a fork...)."""
        return {entry.session_id for entry in self._entries if isinstance(entry, SessionChange)}

    def clear(self) -> None:
        self._entries.clear()
