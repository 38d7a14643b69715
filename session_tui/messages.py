"""Messages the app sends to its screens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message


@dataclass
class StoreChanged(Message):
    """Another process (the CLI, an agent) changed the store. `rows`: every session's summary
    as the store's index has it now (read in the poll's worker), so that no screen reads the
    store on the UI thread to see what changed."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def summary(self, session_id: str) -> dict[str, Any] | None:
        """This session's summary; None: it is gone."""
        return next((row for row in self.rows if row.get("id") == session_id), None)
