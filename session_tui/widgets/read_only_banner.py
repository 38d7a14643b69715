"""A one-line notice at the top of a screen while the store is read-only: why, and that changes
are refused. Hidden otherwise. The screen tells it the store (`show_store`)."""

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


class ReadOnlyBanner(Static):
    DEFAULT_CSS = load_css(__file__)

    def __init__(self) -> None:
        super().__init__(markup=False, classes="read-only-banner")
        self.display = False

    def show_store(self, store) -> None:
        self.display = bool(store.read_only)
        if store.read_only:
            self.update(banner_text(store))
