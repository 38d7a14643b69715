"""What the store's changes report: a rewind's plan (its preview), an undo's result, an import's
report and a check's findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RewindPlan:
    """What a rewind will do (the preview) or did."""

    session_id: str
    invocation_id: str
    before: bool
    keep: int
    removed_events: int
    state_changes: dict[str, dict[str, Any]]
    unrecorded: list[str]  # keys removed because their earlier value was never recorded
    new_state: dict[str, Any] = field(repr=False, default_factory=dict)
    staying: list[str] = field(default_factory=list)  # shared keys (app:, user:, temp:) left alone
    # In an ADK database the events are not removed: a rewind event annuls them (they stay in
    # the log, as ADK's own rewind leaves them); `removed_events` counts them then.
    annuls: bool = False

    @property
    def fate(self) -> str:
        """What happens to the events after the rewind point: "removed" or "annulled"."""
        return "annulled" if self.annuls else "removed"

    def to_json(self) -> dict[str, Any]:
        out = {"removed_events": self.removed_events, "state_changes": self.state_changes}
        if self.annuls:  # (an ADK database: the events stay, annulled by a rewind event)
            out["annulled"] = True
        return out


@dataclass
class UndoResult:
    session_id: str
    undone: str
    restored_events: int
    removed_events: int
    state_changes: dict[str, dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"undone": self.undone, "restored_events": self.restored_events,
                "removed_events": self.removed_events, "state_changes": self.state_changes}


@dataclass
class ImportReport:
    """What an import did. Every session it was given is in exactly one list (`renamed` by
    its pair), so nothing goes unreported."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    # (original id, id in the store): keep-both, and a session of another app or user that
    # shares its id with an earlier one in the same import (ADK keys by app, user and id).
    renamed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already in the store
    # The same id, app and user twice in this import: the later one met the earlier like any
    # conflict (skipped; or, with replace, taking its place).
    duplicates: list[str] = field(default_factory=list)
    # id in the store -> (undo records, events, last event id) right after the import: what
    # tells undo_import that a session is as the import left it (undone changes included).
    marks: dict[str, tuple[int, int, str | None]] = field(default_factory=dict)

    @property
    def new_ids(self) -> list[str]:
        """Sessions the import created (undoing it removes them)."""
        return self.added + [new for _, new in self.renamed]

    def to_json(self) -> dict[str, Any]:
        return {"added": self.added, "replaced": self.replaced,
                "renamed": [{"id": old, "as": new} for old, new in self.renamed],
                "skipped": self.skipped, "duplicates": self.duplicates}


@dataclass
class CheckReport:
    repaired: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)  # found and could not repair

    @property
    def sound(self) -> bool:
        return not self.damaged
