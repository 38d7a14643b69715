"""A notice at the top of a screen while the store is read-only: why, and that changes are
refused; and the store's notes (`store.notes`: e.g. that a schema-0 ADK database holds naive
local times), which say how to read what the screens show. Hidden when there is neither. The
screen tells it the store (`show_store`)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from ..text import one_line
from ..tcss import load_css


def banner_text(store) -> str:
    """The store's read-only reason, its paths shown from the store's own name (as the title
    shows it: screenshots do not depend on where the store is)."""
    reason = store.read_only_reason or f"{store.path}: read-only"
    parent = str(Path(store.path).parent)
    if parent not in ("", "/", ".") and reason.startswith(parent + "/"):
        reason = reason[len(parent) + 1:]
    return one_line(f"Read-only: {reason}. Nothing can be changed here.", 300)


def notice_text(store) -> str:
    """What the banner says: the read-only line (if read-only) and a line per note."""
    lines = [banner_text(store)] if store.read_only else []
    lines += [one_line(f"Note: {note}", 300) for note in store.notes]
    return "\n".join(lines)


class ReadOnlyBanner(Static):
    DEFAULT_CSS = load_css(__file__)

    def __init__(self) -> None:
        super().__init__(markup=False, classes="read-only-banner")
        self.display = False

    def show_store(self, store) -> None:
        text = notice_text(store)
        self.display = bool(text)
        if text:
            self.update(text)
