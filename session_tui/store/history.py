"""Undo history: per session, on disk, newest last, so undo works across restarts.

A record holds what is needed to put back the version before a change exactly: that version's
fields except events, how many of its events are still the leading events of the version after
the change (`keep`), and its events after those (`tail`). A rewind's record is small (the removed
events), an edit's is tiny (no events), a delete's holds the whole session.

It also says how many events the version right after the change had and the id of its last one,
so that undo can tell the change's own events from those an agent appended since (which undo
keeps), and a session rewound or replaced since (where undo is refused). Records written before
those two fields existed are read as they always were.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


from .. import jsonio
from ..jsonio import deep_copy
from ..model import Event, Session
from ..files import write_atomic
from .atomic import read_json
from ..text import plural
from .errors import CorruptFile, StoreError
from .naming import file_name
from .paths import odd_entry

KINDS = ("edit", "rewind", "delete", "import", "fork")
MAX_RECORDS = 50  # SPEC: at least the last 20 per session

# How a session as it is now stands to a record's change (UndoRecord.standing):
APPLIED = "applied"  # the version right after the change, perhaps with events appended since
UNAPPLIED = "unapplied"  # the change never landed (a crash between the record and the change)
DIVERGED = "diverged"  # changed otherwise since: rewound, replaced or re-created elsewhere


@dataclass
class UndoRecord:
    kind: str
    before: dict[str, Any] | None  # export of the previous version without "events"; None: did not exist
    before_revision: str | None  # revision of the previous version; matching it means "never applied"
    keep: int
    tail: list[dict[str, Any]]
    after_count: int | None = None  # events right after the change (None: an older record)
    after_last: str | None = None  # the id of the last of them
    # Instead of `tail` (a store folder, layout 2): where the removed events still are
    # ({"parts": [TailPart JSON...], "count": n, "digest": ids_digest of their ids}); the store
    # reads them (`tail` filled in) only to undo.
    tail_ref: dict[str, Any] | None = None

    @property
    def tail_count(self) -> int:
        return self.tail_ref["count"] if self.tail_ref is not None else len(self.tail)

    @classmethod
    def between(cls, kind: str, before: Session | None, after_events: list[Event]) -> "UndoRecord":
        if before is None:
            return cls(kind, None, None, 0, [])
        keep = 0
        limit = min(len(before.events), len(after_events))
        # Changes share the Event objects they keep, so identity finds the common prefix fast.
        while keep < limit and before.events[keep] is after_events[keep]:
            keep += 1
        # Everything but the events (exporting 100k events only to drop them cost seconds).
        events, before.events = before.events, []
        try:
            meta = before.export()
        finally:
            before.events = events
        del meta["events"]
        # The removed events as objects: exported when the record is written, unless the store
        # points at where they are instead (a store folder: tail_ref).
        return cls(kind, meta, before.revision, keep, list(before.events[keep:]),
                   len(after_events), after_events[-1].id if after_events else None)

    def standing(self, current: Session | None) -> str:
        """APPLIED, UNAPPLIED or DIVERGED: see above. Only appends change a session without an
        undo record of ours, so a session that has the change's events followed by others is
        the change plus appends; one that has the events the change removed, or lacks the
        event it added, never saw it."""
        if current is None:
            return APPLIED if self.kind == "delete" else DIVERGED
        if current.revision == self.before_revision:
            return UNAPPLIED
        ids = [e.id for e in current.events]
        if self.kind == "delete":  # the session exists again
            same = self.before is not None and current.created_at == self.before.get("created_at")
            return UNAPPLIED if same and self._tail_follows(ids) else DIVERGED
        if self.after_count is None:
            return APPLIED  # an older record: undone as it always was
        after_holds = len(ids) >= self.after_count and (
            self.after_count == 0 or ids[self.after_count - 1] == self.after_last)
        # Never landed, then appended to (the revision moved, so something was written): the
        # events the change would have removed are still in place, and more follow them.
        before_holds = self._tail_follows(ids) and len(ids) > self.keep + self.tail_count
        # Both hold when the change only removed events (a rewind): then the removed events,
        # still in place, say it never landed.
        if before_holds and (not after_holds or self.tail_count > self.after_count - self.keep):
            return UNAPPLIED
        return APPLIED if after_holds else DIVERGED

    def _tail_follows(self, ids: list[str]) -> bool:
        """Do the events the change removed still follow the ones it kept?"""
        if len(ids) < self.keep:
            return False
        if self.tail_ref is not None:
            run = ids[self.keep:self.keep + self.tail_count]
            from .segments import ids_digest

            return len(run) == self.tail_count and ids_digest(run) == self.tail_ref.get("digest")
        return ids[self.keep:self.keep + len(self.tail)] == [_tail_id(e) for e in self.tail]

    def appended_since(self, current: Session | None) -> list[Event]:
        """Events added after the change (by an agent): undo keeps them. For an APPLIED
        record; an older record knows of none."""
        if current is None or self.after_count is None:
            return []
        return current.events[self.after_count:]

    def restore(self, current: Session | None) -> Session | None:
        """The version before the change, given the session as it is now (None: absent), with
        the events appended since the change after its own, their state_deltas applied in
        order. With none appended, exactly the previous version."""
        if self.before is None:
            return None
        kept = current.events[: self.keep] if current is not None else []
        appended = self.appended_since(current)
        value = deep_copy(self.before)
        value["events"] = [e.export() for e in appended]
        restored = Session.from_json(value)
        appended = restored.events
        # The kept events (and a tail read as events) are the same objects, not copies: a
        # store folder writes only what is not already in place (see session_io).
        restored.events = list(kept) + [
            e if isinstance(e, Event) else Event.from_json(e, f"tail[{i}]")
            for i, e in enumerate(self.tail)] + appended
        if current is not None and hasattr(current, "_stored"):
            restored._stored = current._stored
        for event in appended:
            restored.apply_delta(event.actions.state_delta)
        return restored

    def to_json(self) -> dict[str, Any]:
        value = {"kind": self.kind, "before": self.before, "before_revision": self.before_revision,
                 "keep": self.keep, "after_count": self.after_count, "after_last": self.after_last}
        if self.tail_ref is not None:
            value["tail"], value["tail_ref"] = [], self.tail_ref
        else:
            value["tail"] = [e.export(share=True) if isinstance(e, Event) else e for e in self.tail]
        return value

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> "UndoRecord":
        ref = value.get("tail_ref")
        if ref is not None and not (isinstance(ref, dict) and isinstance(ref.get("parts"), list)
                                    and type(ref.get("count")) is int
                                    and isinstance(ref.get("digest"), str)):
            raise ValueError("tail_ref is not a list of parts with a count and a digest")
        _check_fields(value)
        return cls(value["kind"], value["before"], value.get("before_revision"), value["keep"],
                   value["tail"], value.get("after_count"), value.get("after_last"), ref)


def _check_fields(value: dict[str, Any]) -> None:
    """ValueError unless the record's fields have the types session-tui writes (a crafted
    record, e.g. a negative `keep`, would otherwise drop events on undo or raise TypeError)."""
    def count(v: Any) -> bool:
        return type(v) is int and v >= 0

    checks = {"kind": value["kind"] in KINDS,
              "before": value["before"] is None or isinstance(value["before"], dict),
              "before_revision": isinstance(value.get("before_revision"), (str, type(None))),
              "keep": count(value["keep"]),
              "tail": isinstance(value["tail"], list)
              and all(isinstance(e, dict) for e in value["tail"]),
              "after_count": value.get("after_count") is None or (
                  count(value["after_count"]) and value["after_count"] >= value["keep"]),
              "after_last": isinstance(value.get("after_last"), (str, type(None)))}
    wrong = [name for name, ok in checks.items() if not ok]
    if wrong:
        raise ValueError(f"{', '.join(wrong)} not as session-tui writes them")


class History:
    """Per-session undo records in a folder, newest last. A subclass keeps other records
    (`RECORD`: a class with from_json/to_json), e.g. an ADK database's rows."""

    RECORD: Any = UndoRecord
    # What to do about a folder on the way that is not a real folder.
    FOLDER_ADVICE = "`session-tui check` reports it"

    def __init__(self, folder: Path, root: Path | None = None):
        """`root`: the trusted folder `folder` is under; every folder between them must be a
        real folder (a symbolic link there could lead the history out of the store)."""
        self.folder = Path(folder)
        self.root = None if root is None else Path(root)

    def check_folder(self) -> None:
        if self.root is None:
            return
        path = self.root
        for part in self.folder.relative_to(self.root).parts:
            path = path / part
            problem = odd_entry(path, "folder")
            if problem:
                raise CorruptFile(f"{problem}; undo history is never read or written through it "
                                  f"({self.FOLDER_ADVICE})")

    def path(self, session_id: str) -> Path:
        return self.folder / file_name(session_id)

    def path_of_name(self, name: str) -> Path:
        """The history file of the session whose files are called `name`."""
        return self.folder / name

    def load(self, session_id: str) -> list:
        path = self.path(session_id)
        self.check_folder()
        try:
            value = read_json(path)
        except FileNotFoundError:
            return []
        if not isinstance(value, dict) or value.get("id") != session_id:
            raise CorruptFile(f"{path}: not the undo history of session {session_id!r}")
        try:
            return [self.RECORD.from_json(r) for r in value["records"]]
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise CorruptFile(f"{path}: not an undo history ({exc.__class__.__name__}: {exc})") from None

    def encode(self, session_id: str, records: list[UndoRecord]) -> bytes:
        records = records[-MAX_RECORDS:]
        return jsonio.dumps({"id": session_id, "records": [r.to_json() for r in records]})

    def save(self, session_id: str, records: list[UndoRecord]) -> None:
        self.check_folder()
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path(session_id), self.encode(session_id, records))


def _tail_id(event: Any) -> str | None:
    if isinstance(event, Event):
        return event.id
    return event.get("id") if isinstance(event, dict) else None


def refuse_undo_unless_exact(session_id: str, record: UndoRecord, current: Session | None) -> None:
    """Raise StoreError (one line, the reason) where undoing `record` would lose or
    misrepresent another writer's work."""
    what = f"session {session_id!r}"
    standing = record.standing(current)
    if standing == DIVERGED:
        if current is None:
            raise StoreError(f"cannot undo the {record.kind} of {what}: the session was removed "
                             "since, outside session-tui; nothing changed")
        if record.kind == "delete":
            raise StoreError(f"cannot undo the delete of {what}: it was created again since, "
                             "and undoing would overwrite it; nothing changed")
        raise StoreError(f"cannot undo the {record.kind} of {what}: the session was rewound or "
                         f"replaced since, outside session-tui (the events that {record.kind} "
                         "left are gone); nothing changed")
    appended = record.appended_since(current)
    if record.kind == "fork" and appended:  # undoing it removes the session, and them with it
        raise StoreError(f"cannot undo the fork {what}: {plural(len(appended), 'event')} were "
                         "appended to it since, and would be lost; delete it instead (undoable)"
                         "; nothing changed")
    if record.kind == "import" and appended:
        # The appended events followed the imported ones (a reply after its call): put on the
        # version the import replaced, they would tell a story that never happened.
        raise StoreError(f"cannot undo the import of {what}: {plural(len(appended), 'event')} were "
                         "appended to the imported version since, and would end up on the "
                         "version it replaced; nothing changed")
