"""A plain TinyDB file of sessions, opened in place: what someone gets from
`TinyDB("sessions.json").insert(session.export())`. Any table, any document ids.

The user's file holds only their sessions: the lock and the undo history live beside it, in
`<file>.session-tui/`. Every change rewrites the file atomically under the lock, from a fresh
read, keeping every other document (sessions or not) exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any

from filelock import FileLock

from .. import jsonio
from ..model import Session
from ..files import TMP_MARK, file_sig, gc_paused, is_temp, write_files
from .atomic import cannot_write, denied, lock_problem, read_json, write_problem
from .base import CheckReport, Store
from .summaries import summary_of
from .errors import NotAStore, NotFound, ReadOnlyStore, StoreError
from .history import History, UndoRecord
from .paths import kind_of, odd_entry
from ..tinydb_tables import SHARED_TABLE, scan_tables

DEFAULT_TABLE = "_default"
class TinyFileStore(Store):
    def __init__(self, path: str | os.PathLike, read_only: bool = False):
        self.path = Path(path)
        if not self.path.is_file():
            raise NotFound(f"{self.path}: no such file")
        self.side = self.path.with_name(self.path.name + ".session-tui")
        self.history = History(self.side / "history", root=self.path.parent)
        self._thread_lock = threading.RLock()
        self._file_lock: FileLock | None = None
        self._sessions: dict[str, tuple[str, str, Session]] = {}
        self.problems: list[str] = []
        self._not_sessions: list[str] = []
        self._seen = None
        self._shared: Any = None
        self._open_read_only(read_only)
        self._read()
        if not self._sessions and self._not_sessions:
            raise NotAStore(f"{self.path}: not a TinyDB file of sessions: {self._not_sessions[0].split(': ', 1)[1]}")

    def _side_problem(self) -> str | None:
        """The side folder, its lock and its history must be what they are named: a symbolic
        link there could lead the lock or the undo history anywhere, so it is never followed."""
        for path, want in ((self.side, "folder"), (self.side / "lock", "file"),
                           (self.side / "history", "folder")):
            problem = odd_entry(path, want)
            if problem:
                return (f"{problem}; session-tui keeps its lock and undo history there and "
                        "never follows it: move it away")
        return None

    def _open_read_only(self, asked: bool) -> None:
        """Read-only when asked, or when the file, its folder or the side folder cannot be
        written. (The side folder is not made just to find out: the first change does.)"""
        if asked:
            self.read_only, self.read_only_reason = True, f"{self.path}: opened read-only"
            return
        # A side folder that is not what it is named is never followed, not even to probe it
        # (writes are refused with that problem; reads need none of it).
        side_ok = self._side_problem() is None
        reason = write_problem([self.path, self.path.parent]
                               + ([self.side, self.history.folder] if side_ok else []))
        if reason is None and side_ok and self.side.is_dir():
            reason = lock_problem(FileLock(str(self.side / "lock"), thread_local=False))
        if reason:
            self.read_only, self.read_only_reason = True, reason

    @contextlib.contextmanager
    def lock(self):
        """The lock for changing the file: a read-only store refuses here, before anything is
        read or written; so does one whose lock turns out not to be makeable, or whose side
        folder is not a real folder."""
        self._check_writable()
        problem = self._side_problem()
        if problem:
            raise StoreError(problem)
        with self._thread_lock:
            lock_path = self.side / "lock"
            try:
                if self._file_lock is None:
                    self.side.mkdir(exist_ok=True)
                    self._file_lock = FileLock(str(lock_path), thread_local=False)
                self._file_lock.acquire()
            except OSError as exc:
                if not denied(exc):
                    raise cannot_write(exc, lock_path) from None
                self.read_only = True
                self.read_only_reason = (f"{lock_path}: read-only (cannot take the lock: "
                                         f"{exc.strerror or exc})")
                raise ReadOnlyStore(f"{self.read_only_reason}: nothing can be changed") from None
            try:
                yield
            finally:
                self._file_lock.release()

    def _read(self) -> dict[str, Any]:
        sig = file_sig(self.path)
        try:
            with gc_paused():
                tables = read_json(self.path, " (a TinyDB file of sessions was expected)",
                                   follow_symlinks=True)  # the user's own file, as they named it
                tables = {} if tables is None else tables
                self._sessions, self._not_sessions = scan_tables(self.path, tables)
                shared = tables.get(SHARED_TABLE) if isinstance(tables, dict) else None
                self._shared = shared.get("1") if isinstance(shared, dict) else shared
                side = self._side_problem()
                self.problems = self._not_sessions + ([side] if side else [])
        except FileNotFoundError:
            raise NotFound(f"{self.path}: no such file") from None
        self._seen = sig
        return tables

    def poll(self) -> bool:
        if file_sig(self.path) == self._seen:
            return False
        with self._thread_lock:
            self._read()
        return True

    def list(self) -> list[dict[str, Any]]:
        return [dict(summary_of(s), revision=s.revision) for _, _, s in self._sessions.values()]

    def _load(self, session_id: str) -> Session:
        if file_sig(self.path) != self._seen:
            self._read()
        try:
            return self._sessions[session_id][2].copy()
        except KeyError:
            raise NotFound(f"no session {session_id!r}") from None

    def _exists(self, session_id: str) -> bool:
        if file_sig(self.path) != self._seen:
            self._read()
        return session_id in self._sessions

    def _shared_place(self) -> str:
        return f"{self.path}: table {SHARED_TABLE!r}"

    def _read_shared(self) -> Any:
        if file_sig(self.path) != self._seen:
            self._read()
        return self._shared

    def _write(self, sessions: list[Session], deletes: list[str],
               history: dict[str, list[UndoRecord]], shared: Any = None) -> None:
        with self.lock():
            tables = self._read()  # afresh, under the lock
            if shared is not None:  # in the same file: written in the same atomic replace
                tables[SHARED_TABLE] = {"1": shared}
            for session_id in deletes:
                table, doc_id, _ = self._sessions[session_id]
                del tables[table][doc_id]
            for session in sessions:
                doc = session.export(share=True)
                if session.id in self._sessions:
                    table, doc_id, _ = self._sessions[session.id]
                else:
                    table = DEFAULT_TABLE
                    docs = tables.setdefault(table, {})
                    doc_id = str(max((int(k) for k in docs if k.isdigit()), default=0) + 1)
                tables[table][doc_id] = doc
            # Encode before anything is written or remembered: a session that cannot be
            # written leaves no undo record on disk and no phantom session in memory.
            data = jsonio.dumps(tables)
            # The undo history first (a crash between leaves a record undo knows as unapplied);
            # a failure (a full disk) leaves neither: write_files puts the old history back.
            try:
                if history:
                    self.history.folder.mkdir(parents=True, exist_ok=True)
                write_files([(self.history.path(i), self.history.encode(i, r))
                             for i, r in history.items()] + [(self.path, data)])
            except OSError as exc:
                raise cannot_write(exc) from None
            self._read()
            for session in sessions:
                session.revision = self._sessions[session.id][2].revision

    def check(self) -> CheckReport:
        report = CheckReport()
        if self._side_problem():  # reported, never followed (nor moved: it is beside the file)
            self._read()
            report.damaged.extend(self.problems)
            return report
        with self.lock():
            # Temporary files a killed writer left: ours only (beside the user's file, only
            # those named after it), and never a live one (writers hold the lock).
            leftovers = [p for p in self.path.parent.iterdir()
                         if p.name.startswith(f".{self.path.name}{TMP_MARK}")]
            if self.history.folder.is_dir():
                leftovers += [p for p in self.history.folder.iterdir() if is_temp(p.name)]
            for leftover in leftovers:
                if kind_of(leftover) == "folder":
                    continue  # not a file we left
                leftover.unlink(missing_ok=True)
                report.repaired.append(f"removed a leftover temporary file {leftover.name}")
            self._read()
            report.damaged.extend(self.problems)
        return report
