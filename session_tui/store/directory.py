"""The store folder: `index.json` (a TinyDB file, one small document per session: enough to list
and filter without opening any session) and one TinyDB file per session under `sessions/`.

The session files are the truth; the index is rebuilt from them when it is missing, broken or
stale (found by comparing each file's stat signature with the one the index recorded). Changes to
several files at once (imports, undo of a delete) go through a journal that the next open
completes, so a crash never leaves half of them.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from filelock import FileLock

from .. import jsonio
from ..model import Session
from ..files import file_sig, gc_paused, write_atomic, write_files
from .atomic import cannot_write, denied, lock_problem, read_json, write_problem
from . import segments
from .base import Store
from .errors import CorruptFile, NotAStore, NotFound, ReadOnlyStore, StoreError
from .history import History, UndoRecord
from .journal import JournalMixin
from .naming import file_name
from .paths import kind_of, odd_entry
from .index import IndexMixin, _row
from .repair import RepairMixin
from .session_io import MARKER, SessionIO, head_summary
from .session_files import (
    FOLDERS,
    FORMAT,
    INDEX_TABLE,
    META_TABLE,
    SESSION_TABLE,
    SHARED_FILE,
    decode_session_file,
    encode_session_file,
)

Progress = Callable[[int, int], None]
# Kept importable from here, where they were first written.
__all__ = ["FOLDERS", "FORMAT", "INDEX_TABLE", "META_TABLE", "SESSION_TABLE", "SHARED_FILE",
           "DirectoryStore", "decode_session_file", "encode_session_file"]


class DirectoryStore(SessionIO, IndexMixin, JournalMixin, RepairMixin, Store):
    def __init__(self, path: str | os.PathLike, create: bool = True, load: bool = True,
                 read_only: bool = False, segment_events: int | None = None):
        self.path = Path(path)
        # Events per segment file (layout 2): `$SESSION_TUI_SEGMENT_EVENTS`, else 1,000.
        self.segment_limit = segment_events or segments.segment_events()
        self._adoptable = {}
        if not self.path.exists():
            if not create or read_only:
                raise NotFound(f"{self.path}: no such store")
            self.path.mkdir(parents=True)
            # A new store holds no layout-1 file: nothing to migrate, ever.
            write_atomic(self.path / MARKER, jsonio.dumps({"format": segments.FORMAT2}))
        elif not self.path.is_dir():
            raise NotAStore(f"{self.path}: not a folder")
        elif any(self.path.iterdir()) and not (
            (self.path / "index.json").exists() or (self.path / "sessions").is_dir()
        ):
            raise NotAStore(f"{self.path}: not a session-tui store (no index.json or sessions/ in it)")
        self.sessions_dir = self.path / "sessions"
        self.index_path = self.path / "index.json"
        self.journal_path = self.path / "journal.json"
        self.staging_dir = self.path / "staging"
        self.quarantine_dir = self.path / "quarantine"
        self.history = History(self.path / "history", root=self.path)
        self._thread_lock = threading.RLock()
        self._file_lock = FileLock(str(self.path / ".lock"), thread_local=False)
        self._index: dict[str, dict[str, Any]] = {}  # session id -> index document
        self._broken: dict[str, str] = {}  # file name -> what is wrong with it
        self._odd: dict[str, str] = {}  # a folder or index.json that is not what it should be
        self._journal_problem: str | None = None  # a journal that was not applied, and why
        self._seen: tuple[Any, Any] = (None, None)
        self._open_read_only(read_only)
        if not self.read_only:
            try:
                if kind_of(self.sessions_dir) is None:
                    self.sessions_dir.mkdir()
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot use this folder: {exc.strerror}") from None
        self.loaded = False
        if load:
            self.load()

    def _open_read_only(self, asked: bool) -> None:
        """Read-only when asked, or when the store cannot be written: a folder it writes to
        that is not writable, or a lock that cannot be taken. Reading needs neither."""
        if asked:
            self.read_only, self.read_only_reason = True, f"{self.path}: opened read-only"
            return
        self._check_lock_file()  # a link or a FIFO as .lock is never opened, not even to probe
        reason = (write_problem([self.path, self.sessions_dir, self.history.folder])
                  or lock_problem(self._file_lock))
        if reason:
            self.read_only, self.read_only_reason = True, reason

    def load(self, progress: Progress | None = None) -> None:
        """Finish an interrupted change and bring the index up to date (reading only the
        session files it does not know): fast for a sound store, long after a bulk change,
        so the app runs it in a worker with `progress(done, total)`."""
        if self.read_only:
            # No lock (it cannot be taken) and no repairs: session files are replaced
            # atomically, so each read sees a whole old or new file; the index is only read,
            # its stale entries are read from the session files instead.
            with self._thread_lock:
                self._refresh(rebuild=False, progress=progress)
                self.loaded = True
            return
        with self.lock():
            self._recover()
            if self._migrate(progress):
                self._refresh(rebuild=True, progress=progress)
            else:
                self._refresh(rebuild=False, progress=progress)
            if self._log_due():
                self._write_index()
            self.loaded = True

    # -- locking ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self):
        """The lock for changing the store: a read-only store refuses here, before anything
        is read or written. The thread lock keeps the app's worker threads apart; the file
        lock, other processes."""
        self._check_writable()
        self._check_lock_file()
        with self._thread_lock:
            try:
                self._file_lock.acquire()
            except OSError as exc:
                if not denied(exc):
                    raise cannot_write(exc, self._file_lock.lock_file) from None
                raise ReadOnlyStore(f"{self._file_lock.lock_file}: read-only (cannot take the "
                                    f"lock: {exc.strerror or exc})") from None
            try:
                yield
            finally:
                self._file_lock.release()

    def _check_lock_file(self) -> None:
        problem = odd_entry(self.path / ".lock", "file")
        if problem:
            raise StoreError(f"{problem}; session-tui never opens it as its lock: remove it")

    # -- what is where: only real folders and regular files are used ------------------------
    def _survey(self) -> dict[str, str]:
        """One line per store folder, or index.json, that is something else (a symbolic link,
        a file, a FIFO...): such a thing is never followed, read or written."""
        odd = {}
        for name in FOLDERS:
            problem = odd_entry(self.path / name, "folder")
            if problem:
                odd[name] = f"{problem}; run `session-tui check` to move it aside"
        problem = odd_entry(self.index_path, "file")
        if problem:
            odd["index.json"] = f"{problem}; run `session-tui check` to move it aside"
        self._odd = odd
        return odd

    def _check_layout(self, journaled: bool) -> None:
        """Refuse a change up front when a folder it needs is not a real folder, or when a
        journal that was not applied would be overwritten."""
        if kind_of(self.journal_path) is None:
            self._journal_problem = None  # another process's check moved it aside
        elif not self._journal_problem:
            # Another process's change, committed but not applied (it crashed): completed
            # before this one, or it would later be replayed over it. A bad one is only noted.
            if self._recover():
                self._refresh(rebuild=False)
        odd = self._survey()
        for name in ("sessions", "history") + (("staging",) if journaled else ()):
            if name in odd:
                raise CorruptFile(odd[name])
        if journaled and self._journal_problem:
            raise CorruptFile(self._journal_problem)

    # -- the index: IndexMixin (index.py) --------------------------------------------------
    def poll(self) -> bool:
        if not self.loaded or self._stat_marks() == self._seen:
            return False
        with self._thread_lock:
            return self._refresh(rebuild=False)

    @property
    def problems(self) -> list[str]:
        """One line per thing in the store that is not used: a journal left alone, a folder or
        index.json that is not what it should be, a session file that could not be read."""
        journal = [self._journal_problem] if self._journal_problem else []
        return journal + sorted(self._odd.values()) + sorted(self._broken.values())

    def list(self) -> list[dict[str, Any]]:
        """Summaries of every session, newest first (index.py `_row`)."""
        if not self.loaded:
            self.load()
        with gc_paused():
            texts = self._all_texts() | self._texts_new
            return [_row(doc, texts.get(doc["file"])) for doc in self._newest_first()]

    def listing(self, keys: Sequence[str] | None = None) -> list[dict[str, Any]]:
        if not self.loaded:
            self.load()
        if keys is None:
            return self.list()
        with gc_paused():  # (100,000 new dicts: collections would walk them again and again)
            return [{k: doc.get(k) for k in keys} for doc in self._newest_first()]

    # -- sessions ---------------------------------------------------------------------------
    def _file(self, session_id: str) -> Path:
        return self.sessions_dir / file_name(session_id)

    def _load(self, session_id: str) -> Session:
        problem = odd_entry(self.sessions_dir, "folder")
        if problem:  # never read through it
            raise CorruptFile(f"{problem}; run `session-tui check` to move it aside")
        path = self._file(session_id)
        try:
            return self._read_file(path)
        except FileNotFoundError:
            raise NotFound(f"no session {session_id!r}") from None

    def _exists(self, session_id: str) -> bool:
        return os.path.lexists(self._file(session_id))

    def _next_generation(self, session: Session) -> int:
        previous = int(session.revision) if session.revision and session.revision.isdigit() else 0
        return max(time.time_ns(), previous + 1)

    def _shared_place(self) -> str:
        return str(self.path / SHARED_FILE)

    def _read_shared(self) -> Any:
        path = self.path / SHARED_FILE
        problem = odd_entry(path, "file")
        if problem:  # never read through it
            raise CorruptFile(f"{problem}; session-tui keeps the shared app and user state there")
        if kind_of(path) is None:
            return None
        return read_json(path)

    def _prepare_write(self, names: list[str], journaled: bool) -> None:
        """What every write checks first (under the lock): the folders it needs, a journal
        another process left, the index up to date, none of these session files broken."""
        self._check_layout(journaled=journaled)
        if self._stat_marks() != self._seen:
            # Another process changed the store since this object looked: the index written
            # below must keep the sessions it added.
            self._refresh(rebuild=False)
        for name in names:
            if name in self._broken:
                raise CorruptFile(f"{self.sessions_dir / name}: {self._broken[name]}; "
                                  "run `session-tui check` first (it is never overwritten)")
        if "events" in self._odd:
            raise CorruptFile(self._odd["events"])

    def _indexed(self, session_id: str, doc: dict[str, Any] | None) -> None:
        """Record a written (or, None, deleted) session in the index."""
        name = file_name(session_id)
        if doc is not None:
            doc.update(file=name, sig=file_sig(self._file(session_id)))
        self._placed(session_id, doc)
        self._write_index({name: doc})

    def _write(self, sessions: list[Session], deletes: list[str],
               history: dict[str, list[UndoRecord]], shared: Any = None) -> None:
        if not self.loaded:
            self.load()  # the index is written below: it must be whole first
        with self.lock():
            journaled = (len(sessions) + len(deletes) > 1 or len(history) > 1
                         or shared is not None)
            self._prepare_write([file_name(s.id) for s in sessions], journaled)
            if shared is not None and odd_entry(self.path / SHARED_FILE, "file"):
                self._read_shared()  # refused, naming it
            planned: list[tuple[Session, Any, bool]] = []
            encoded = []
            try:
                with gc_paused():
                    for session in sessions:
                        changes, layout, dropped = self._plan_session(session, history)
                        planned.append((changes, layout, dropped))
                        generation = self._next_generation(session)
                        encoded.append((session, generation,
                                        segments.encode_head(session, layout, generation)))
                for session_id in deletes:
                    self._plan_delete(session_id, history)
                self._commit(encoded, deletes, history, shared, journaled)
            except OSError as exc:
                for changes, _, _ in planned:
                    changes.rollback()
                raise cannot_write(exc) from None
            except BaseException:
                if not (journaled and kind_of(self.journal_path) == "file"):  # not committed
                    for changes, _, _ in planned:
                        changes.rollback()
                raise
            finally:
                self._adoptable.clear()
            docs: dict[str, Any] = {}
            for (session, generation, _), (_, layout, dropped) in zip(encoded, planned):
                session.revision = str(generation)
                session._stored = (session.revision, list(session.events), layout)
                doc = head_summary(session, layout)
                doc.update(file=file_name(session.id), sig=file_sig(self._file(session.id)))
                self._placed(session.id, doc)
                docs[doc["file"]] = doc
                if dropped or session.id in history:
                    self._collect(session.id, layout, history)
            for session_id in deletes:
                self._placed(session_id, None)
                docs[file_name(session_id)] = None
                self._collect(session_id, None, history)
            self._write_index(docs)

    def _commit(self, encoded, deletes: list[str], history: dict[str, list[UndoRecord]],
                shared: Any, journaled: bool) -> None:
        if journaled:
            self._journaled(encoded, deletes, history,
                            None if shared is None else jsonio.dumps(shared))
            return
        # One head file: its atomic replace is the transaction. The undo record goes first, so
        # a crash between the two leaves a record that undo recognises as unapplied; a failure
        # between the two (a full disk) puts the old history back.
        made_history = bool(history) and not self.history.folder.exists()
        try:
            if made_history:
                self.history.folder.mkdir()
            write_files(
                [(self.history.path(i), self.history.encode(i, r)) for i, r in history.items()]
                + [(self._file(s.id), data) for s, _, data in encoded],
                [self._file(i) for i in deletes])
        except OSError as exc:
            if made_history:
                with contextlib.suppress(OSError):
                    self.history.folder.rmdir()
            raise cannot_write(exc) from None

    # the journal: JournalMixin (journal.py); check and repair: RepairMixin (repair.py)
