"""Importing sessions into a store (all or nothing; a clash of ids skipped, replaced or kept
both) and undoing an import as one change.
"""

from __future__ import annotations

from typing import Callable

from ..model import Session
from .errors import StoreError
from .history import MAX_RECORDS, History, UndoRecord, refuse_undo_unless_exact
from .reports import ImportReport

CONFLICT_POLICIES = ("skip", "replace", "keep-both")


class ImportingMixin:
    """`Store.import_sessions` and `Store.undo_import`, over the backend's lock, reads and
    atomic write (`lock`, `_exists`, `_load`, `_write`) and its `history`."""

    history: History

    def import_sessions(self, sessions: list[Session], on_conflict: str = "skip") -> ImportReport:
        """Bring sessions in, all or nothing. Same id: skip, replace (undoable) or keep both
        (the newcomer becomes `<id>~2`, its original id kept as `original_id`)."""
        if on_conflict not in CONFLICT_POLICIES:
            raise StoreError(f"--on-conflict must be one of {', '.join(CONFLICT_POLICIES)}")
        report = ImportReport()
        with self.lock():
            plan = _ImportPlan(self, sessions, on_conflict, report)
            for incoming in sessions:
                plan.add(incoming)
            writes = plan.writes
            # Recorded against what finally replaces each session (a later duplicate may have
            # taken the place of an earlier one).
            histories = {
                session_id: self.history.load(session_id) + [UndoRecord.between(
                    "import", current, writes[plan.pending[session_id]].events)]
                for session_id, current in plan.replaced.items()}
            if writes:
                self._write(writes, [], histories)
            self._mark_written(report, writes, histories)
        return report

    def _mark_written(self, report: ImportReport, writes: list[Session],
                      histories: dict[str, list[UndoRecord]]) -> None:
        """What tells undo_import that each written session is as the import left it."""
        for written in writes:
            records = (len(histories[written.id]) if written.id in histories
                       else len(self.history.load(written.id))
                       if self.history.path(written.id).exists() else 0)
            # Counted as the history file keeps them (the oldest go past MAX_RECORDS).
            report.marks[written.id] = _mark(min(records, MAX_RECORDS), written)

    def undo_import(self, report: ImportReport) -> dict[str, int]:
        """Undo an import as one change: the sessions it created are removed (each keeps a
        delete record, so `undo ID` brings it back) and the ones it replaced are restored;
        a replaced session whose import was undone on its own already is left as it is.
        Refused (StoreError, nothing changed) when any of them changed since (changes undone
        since do not count: the session is as the import left it)."""

        def changed(session_id: str) -> StoreError:
            return StoreError(f"cannot undo the import: session {session_id!r} changed since it "
                              "was imported (undo those changes first); nothing changed")

        with self.lock():
            deletes: list[str] = []
            restores: list[Session] = []
            histories: dict[str, list[UndoRecord]] = {}
            for session_id in report.new_ids:
                if not self._exists(session_id):
                    continue  # deleted since: nothing of the import is left to take back
                current = self._load(session_id)
                records = self.history.load(session_id)
                if _mark(len(records), current) != report.marks.get(session_id):
                    raise changed(session_id)
                deletes.append(session_id)
                histories[session_id] = records + [UndoRecord.between("delete", current, [])]
            for session_id in report.replaced:
                records = self.history.load(session_id)
                expected = report.marks.get(session_id)
                if expected is not None and len(records) < expected[0]:
                    continue  # its import record was undone already (`undo ID`)
                current = self._load(session_id) if self._exists(session_id) else None
                if current is None or _mark(len(records), current) != expected \
                        or records[-1].kind != "import":
                    raise changed(session_id)
                record = records.pop()
                refuse_undo_unless_exact(session_id, record, current)
                self._resolve_tail(session_id, record)
                restores.append(record.restore(current))
                histories[session_id] = records
            if deletes or restores:
                self._write(restores, deletes, histories)
            return {"removed": len(deletes), "restored": len(restores)}


class _ImportPlan:
    """Where each newcomer of one import goes, decided under the store's lock: added, skipped,
    replacing the stored session, or kept under a new id (`report` says which)."""

    def __init__(self, store: "ImportingMixin", sessions: list[Session], on_conflict: str,
                 report: ImportReport):
        self.store = store
        self.on_conflict = on_conflict
        self.report = report
        self.given = {s.id for s in sessions}
        self.writes: list[Session] = []
        self.replaced: dict[str, Session] = {}  # id -> the version an import replaces
        self.pending: dict[str, int] = {}  # id -> its place in `writes`
        self.owner: dict[str, tuple[str, str]] = {}  # id -> (app, user) of its earlier newcomer

    def add(self, incoming: Session) -> None:
        # Not copied (imports are big, and a copy cost more than the write): only a newcomer
        # that is renamed is copied before it is changed.
        incoming = self._placed(incoming)
        if incoming is not None:
            self.pending[incoming.id] = len(self.writes)
            self.writes.append(incoming)

    def _placed(self, incoming: Session) -> Session | None:
        """The newcomer as it is to be written (perhaps renamed), or None: skipped, or it took
        an earlier duplicate's place."""
        first = self.owner.setdefault(incoming.id, (incoming.app_name, incoming.user_id))
        if incoming.id in self.pending:
            if first != (incoming.app_name, incoming.user_id):
                # Another app's or user's session with the same id (ADK keys sessions by app,
                # user and id): a different session, kept under a new id.
                return self._renamed(incoming)
            return self._duplicate(incoming)
        if not self._taken(incoming.id):
            self.report.added.append(incoming.id)
            return incoming
        if self.on_conflict == "skip":
            self.report.skipped.append(incoming.id)
            return None
        if self.on_conflict == "replace":
            self.replaced[incoming.id] = self.store._load(incoming.id)
            self.report.replaced.append(incoming.id)
            return incoming
        return self._renamed(incoming)

    def _duplicate(self, incoming: Session) -> Session | None:
        """The same session twice in one import: the later one meets the earlier like any
        conflict."""
        self.report.duplicates.append(incoming.id)
        if self.on_conflict == "skip":
            return None
        if self.on_conflict == "replace":
            self.writes[self.pending[incoming.id]] = incoming
            return None
        return self._renamed(incoming)

    def _taken(self, session_id: str) -> bool:
        # Asked of the store as it is now, under the lock: another process may have created
        # the session since this store object last looked.
        return session_id in self.pending or self.store._exists(session_id)

    def _renamed(self, incoming: Session) -> Session:
        # A new name must not be one that a session still to come brings along.
        return _renamed(incoming, _free_id(
            incoming.id, lambda name: self._taken(name) or name in self.given), self.report)


def _mark(records: int, session: Session) -> tuple[int, int, str | None]:
    """What says a session is as a change left it: its undo records, events and last event."""
    return (records, len(session.events), session.events[-1].id if session.events else None)


def _renamed(session: Session, new_id: str, report: ImportReport) -> Session:
    """A copy of a newcomer under a free id, its original id kept (`original_id`)."""
    copy = session.copy()
    copy.extra.setdefault("original_id", session.id)
    copy.id = new_id
    report.renamed.append((session.id, new_id))
    return copy


def _free_id(session_id: str, taken: Callable[[str], bool]) -> str:
    n = 2
    while taken(f"{session_id}~{n}"):
        n += 1
    return f"{session_id}~{n}"
