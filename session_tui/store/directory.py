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
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any, Callable

from filelock import FileLock

from .. import jsonio
from ..model import Session, SessionFormatError
from .atomic import (
    AtomicOrjsonStorage,
    cannot_write,
    denied,
    file_sig,
    fsync_dir,
    gc_paused,
    is_temp,
    lock_problem,
    read_json,
    remove_file,
    write_atomic,
    write_files,
    write_problem,
)
from .base import SUMMARY_KEYS, CheckReport, Store, summary_of
from .errors import CorruptFile, NotAStore, NotFound, ReadOnlyStore, StoreError
from .history import History, UndoRecord
from .naming import file_name, is_session_file
from .paths import UnsafePath, inside, kind_of, odd_entry

Progress = Callable[[int, int], None]

INDEX_TABLE = "sessions"
SESSION_TABLE = "session"
META_TABLE = "_meta"
FORMAT = "session-tui/1"
FOLDERS = ("sessions", "history", "staging", "quarantine")
SHARED_FILE = "shared-state.json"  # ADK's app: and user: state (store/shared.py)
_TXN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_STAGED = re.compile(r"[A-Za-z0-9_-]{1,64}\.json")
_SUMMARY_TYPES = {"app_name": str, "user_id": str, "created_at": str, "updated_at": str,
                  "event_count": int, "invocation_count": int, "search_text": str}


def encode_session_file(session: Session, generation: int) -> bytes:
    """A session file is itself a TinyDB file: the session in table `session`, and the
    generation token (bumped by every write) in `_meta`."""
    return jsonio.dumps({
        SESSION_TABLE: {"1": session.export(share=True)},
        META_TABLE: {"1": {"format": FORMAT, "generation": generation}},
    })


def decode_session_file(path: Path, value: Any, check_name: bool = True) -> Session:
    try:
        doc = value[SESSION_TABLE]["1"]
        generation = value[META_TABLE]["1"]["generation"]
    except (KeyError, TypeError):
        raise CorruptFile(f"{path}: not a session-tui session file (no session document)") from None
    try:
        session = Session.from_json(doc, share=True)
    except SessionFormatError as exc:
        raise CorruptFile(f"{path}: {exc}") from None
    if check_name and file_name(session.id) != path.name:
        raise CorruptFile(f"{path}: holds session {session.id!r}, whose file name is {file_name(session.id)}")
    session.revision = str(generation)
    return session


class DirectoryStore(Store):
    def __init__(self, path: str | os.PathLike, create: bool = True, load: bool = True,
                 read_only: bool = False):
        self.path = Path(path)
        if not self.path.exists():
            if not create or read_only:
                raise NotFound(f"{self.path}: no such store")
            self.path.mkdir(parents=True)
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
            self._refresh(rebuild=False, progress=progress)
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

    # -- the index --------------------------------------------------------------------------
    def _read_index(self) -> dict[str, dict[str, Any]] | None:
        try:
            tables = AtomicOrjsonStorage(self.index_path, create=False).read()
        except CorruptFile:
            return None
        if tables is None:
            return None
        docs = tables.get(INDEX_TABLE)
        if not isinstance(docs, dict):
            return None
        index = {}
        for doc in docs.values():
            if isinstance(doc, dict) and isinstance(doc.get("file"), str):
                index[doc["file"]] = doc
        return index

    def _write_index(self) -> None:
        if "index.json" in self._survey():
            return  # never written over: `check` moves it aside first
        docs = {str(n): doc for n, doc in enumerate(
            sorted(list(self._index.values()) + [
                {"file": name, "error": err, "sig": file_sig(self.sessions_dir / name, follow_symlinks=False)}
                for name, err in self._broken.items()], key=lambda d: d["file"]), start=1)}
        try:
            AtomicOrjsonStorage(self.index_path).write({INDEX_TABLE: docs})
        except OSError:
            return  # only a cache (a full disk): the next look finds it stale and retries
        self._seen = self._stat_marks()

    def _stat_marks(self) -> tuple[Any, Any]:
        return (file_sig(self.index_path), file_sig(self.sessions_dir))

    def _refresh(self, rebuild: bool, progress: Progress | None = None) -> bool:
        """Bring the in-memory index up to date with the files: read only the session files
        whose stat signature differs from the index's. Returns True if anything changed.
        `progress(done, total)` hears about the files that had to be read."""
        by_file = None if rebuild else self._read_index()
        dirty = by_file is None
        by_file = by_file or {}
        fresh: dict[str, dict[str, Any]] = {}
        broken: dict[str, str] = {}
        to_read: list[tuple[str, list[int]]] = []
        # A `sessions` that is not a real folder (a link out of the store...) is never read;
        # a read-only store may have none yet (it is empty).
        sessions_dir = self.sessions_dir if "sessions" not in self._survey() else None
        if sessions_dir is not None and not sessions_dir.is_dir():
            sessions_dir = None
        with contextlib.ExitStack() as stack:
            entries = stack.enter_context(os.scandir(sessions_dir)) if sessions_dir else ()
            for entry in entries:
                if not is_session_file(entry.name):
                    continue
                st = entry.stat(follow_symlinks=False)
                sig = [st.st_ino, st.st_size, st.st_mtime_ns]
                doc = by_file.get(entry.name)
                if doc is not None and doc.get("sig") == sig and _trusted_doc(doc, entry.name):
                    if "error" in doc:
                        broken[entry.name] = doc["error"]
                    else:
                        fresh[entry.name] = doc
                    continue
                to_read.append((entry.name, sig))
        dirty = dirty or bool(to_read)
        for done, (name, sig) in enumerate(to_read):
            if progress is not None and done % 100 == 0:
                progress(done, len(to_read))
            try:
                session = self._read_file(self.sessions_dir / name)
            except CorruptFile as exc:
                broken[name] = str(exc)
                continue
            except FileNotFoundError:
                continue  # removed since the folder was listed
            except OSError as exc:
                broken[name] = f"{self.sessions_dir / name}: cannot read it: {exc.strerror}"
                continue
            doc = summary_of(session)
            doc.update(file=name, sig=sig)
            fresh[name] = doc
        if progress is not None and to_read:
            progress(len(to_read), len(to_read))
        if set(fresh) | set(broken) != set(by_file):
            dirty = True
        index = {doc["id"]: doc for doc in fresh.values()}
        # Another writer keeps the index up to date itself, so compare the documents (an edit
        # changes a session's counts and updated_at, not how many sessions there are).
        changed = dirty or broken != self._broken or index != self._index
        self._index = index
        self._broken = broken
        if dirty and not self.read_only:
            with self.lock():
                self._write_index()
        else:
            self._seen = self._stat_marks()
        return changed

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
        if not self.loaded:
            self.load()
        return [{k: doc.get(k) for k in SUMMARY_KEYS + ("search_text", "annulled_count")}
                for doc in self._index.values()]

    # -- sessions ---------------------------------------------------------------------------
    def _file(self, session_id: str) -> Path:
        return self.sessions_dir / file_name(session_id)

    def _read_file(self, path: Path) -> Session:
        with gc_paused():
            return decode_session_file(path, read_json(path))

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

    def _write(self, sessions: list[Session], deletes: list[str],
               history: dict[str, list[UndoRecord]], shared: Any = None) -> None:
        if not self.loaded:
            self.load()  # the index is rewritten below: it must be whole first
        with self.lock():
            journaled = (len(sessions) + len(deletes) > 1 or len(history) > 1
                         or shared is not None)
            self._check_layout(journaled=journaled)
            if shared is not None and odd_entry(self.path / SHARED_FILE, "file"):
                self._read_shared()  # refused, naming it
            if self._stat_marks() != self._seen:
                # Another process changed the store since this object looked: the index written
                # below must keep the sessions it added.
                self._refresh(rebuild=False)
            for name in (file_name(s.id) for s in sessions):
                if name in self._broken:
                    raise CorruptFile(f"{self.sessions_dir / name}: {self._broken[name]}; "
                                      "run `session-tui check` first (it is never overwritten)")
            encoded = []
            with gc_paused():
                for session in sessions:
                    generation = self._next_generation(session)
                    encoded.append((session, generation, encode_session_file(session, generation)))
            if not journaled:
                # One session file: its atomic replace is the transaction. The undo record goes
                # first, so a crash between the two leaves a record that undo recognises as
                # unapplied; a failure between the two (a full disk) puts the old history back.
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
            else:
                self._journaled(encoded, deletes, history,
                                None if shared is None else jsonio.dumps(shared))
            for session, generation, _ in encoded:
                session.revision = str(generation)
                doc = summary_of(session)
                doc.update(file=file_name(session.id), sig=file_sig(self._file(session.id)))
                self._index[session.id] = doc
            for session_id in deletes:
                self._index.pop(session_id, None)
            self._write_index()

    # -- the journal: many files, all or nothing ------------------------------------------
    def _journaled(self, encoded, deletes, history, shared: bytes | None = None) -> None:
        txn = f"{os.getpid()}-{time.time_ns()}"
        stage = self.staging_dir / txn
        try:
            stage.mkdir(parents=True)
            moves = []
            for n, (session, _, data) in enumerate(encoded):
                write_atomic(stage / f"s{n}.json", data)
                moves.append([f"staging/{txn}/s{n}.json", f"sessions/{file_name(session.id)}"])
            for n, (session_id, records) in enumerate(history.items()):
                write_atomic(stage / f"h{n}.json", self.history.encode(session_id, records))
                moves.append([f"staging/{txn}/h{n}.json", f"history/{file_name(session_id)}"])
            if shared is not None:
                write_atomic(stage / "shared.json", shared)
                moves.append([f"staging/{txn}/shared.json", SHARED_FILE])
            journal = {"txn": txn, "moves": moves,
                       "deletes": [f"sessions/{file_name(i)}" for i in deletes]}
            write_atomic(self.journal_path, jsonio.dumps(journal))  # the commit point
        except OSError as exc:
            # Not committed: nothing of it may remain, its staging files included.
            shutil.rmtree(stage, ignore_errors=True)
            with contextlib.suppress(OSError):
                self.staging_dir.rmdir()  # only when empty: another writer may be staging
            raise cannot_write(exc, stage) from None
        try:
            self._apply_journal(journal)
        except OSError as exc:
            raise StoreError(f"{exc.filename or self.journal_path}: the change is committed but not "
                             f"yet in place ({exc.strerror or exc}); it is completed when the "
                             "store is next opened") from None

    def _journal_plan(self, journal: Any) -> tuple[str, list[tuple[Path, Path]], list[Path]]:
        """The journal's steps as paths proven to stay inside the store: moves only from
        staging/<txn>/ to sessions/ or history/ under a session file name, deletes only of
        session files. Anything else is UnsafePath naming journal.json and the entry."""
        where = self.journal_path

        def unsafe(what: str) -> UnsafePath:
            return UnsafePath(f"{where}: {what}")

        if not isinstance(journal, dict) or not {"txn", "moves", "deletes"} <= set(journal):
            raise unsafe("not a journal (txn, moves and deletes expected)")
        txn, moves, deletes = journal["txn"], journal["moves"], journal["deletes"]
        if not isinstance(txn, str) or not _TXN.fullmatch(txn):
            raise unsafe(f"txn {txn!r} is not a plain name")
        if not isinstance(moves, list) or not isinstance(deletes, list):
            raise unsafe("moves and deletes must be lists")

        def checked(rel: Any, field: str, folders: tuple[str, ...], name_ok) -> Path:
            try:
                path = inside(self.path, rel)
            except UnsafePath as exc:
                raise unsafe(f"{field} entry {exc}") from None
            parts = rel.split("/")
            if len(parts) != len(folders[0].split("/")) + 1 or "/".join(parts[:-1]) not in folders \
                    or not name_ok(parts[-1]):
                raise unsafe(f"{field} entry {rel!r} is not under {' or '.join(folders)}/ "
                             "with a name session-tui gives")
            return path

        plan = []
        for move in moves:
            if not (isinstance(move, list) and len(move) == 2):
                raise unsafe(f"moves entry {move!r} is not a [from, to] pair")
            staged = checked(move[0], "moves", (f"staging/{txn}",), _STAGED.fullmatch)
            if move[1] == SHARED_FILE:  # the one file of the store's own folder a change moves
                plan.append((staged, self.path / SHARED_FILE))
                continue
            final = checked(move[1], "moves", ("sessions", "history"), is_session_file)
            plan.append((staged, final))
        removed = [checked(d, "deletes", ("sessions",), is_session_file) for d in deletes]
        return txn, plan, removed

    def _apply_journal(self, journal: dict[str, Any]) -> None:
        txn, moves, deletes = self._journal_plan(journal)  # before anything is touched
        if kind_of(self.path / "history") is None:
            (self.path / "history").mkdir()
        for staged, final in moves:
            if kind_of(staged) == "file":  # absent: already moved when an earlier run got this far
                os.replace(staged, final)
        for final in deletes:
            remove_file(final)
        fsync_dir(self.sessions_dir)
        fsync_dir(self.path / "history")
        fsync_dir(self.path)  # shared-state.json, when the change moved it
        remove_file(self.journal_path)
        shutil.rmtree(self.staging_dir / txn, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.staging_dir.rmdir()  # only when empty: another writer may be staging

    def _recover(self, repair: bool = False) -> list[str]:
        """Complete a journaled change a crash interrupted, or roll back one never committed.
        A journal that cannot be read, or names a path outside the store, is never applied:
        on open it is left alone (with what is staged) and reported in `problems`; `repair`
        (check) moves both aside into quarantine/."""
        done: list[str] = []
        self._journal_problem = None
        bad_journal = False
        if kind_of(self.journal_path) is not None:
            try:
                journal = read_json(self.journal_path)
                self._apply_journal(journal)
                done.append(f"completed an interrupted change ({len(journal['moves'])} files)")
            except CorruptFile as exc:  # UnsafePath, and a journal that is not a file, included
                self._journal_problem = (f"{exc}; left alone, not applied (run `session-tui "
                                         "check` to move it aside)")
                if not repair:
                    return done
                done.append(self._move_aside(self.journal_path, "journal.json", str(exc)))
                self._journal_problem = None
                bad_journal = True
        if kind_of(self.staging_dir) == "folder":
            with os.scandir(self.staging_dir) as entries:
                leftovers = sorted(entries, key=lambda e: e.name)
            for leftover in leftovers:
                path = Path(leftover.path)
                if bad_journal:
                    # Maybe the only copy of the change that journal named: kept, aside.
                    done.append(self._move_aside(path, "staging-" + leftover.name,
                                                 "staged for that journal"))
                    continue
                if leftover.is_dir(follow_symlinks=False):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.unlink(path)  # a stray file; a link goes, never what it points to
                done.append(f"rolled back an uncommitted change (staging/{leftover.name})")
            with contextlib.suppress(OSError):
                self.staging_dir.rmdir()
        return done

    # -- check ------------------------------------------------------------------------------
    def _quarantine(self, path: Path, name: str) -> Path:
        """Move `path` (whatever it is: a link is moved as a link) into quarantine/ under a
        name no earlier quarantined thing has."""
        problem = odd_entry(self.quarantine_dir, "folder")
        if problem:
            raise StoreError(f"{problem}, so nothing can be moved aside into it")
        self.quarantine_dir.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S")
        target = self.quarantine_dir / f"{stamp}-{name}"
        n = 1
        while os.path.lexists(target):  # under the lock: no other check is moving things
            n += 1
            target = self.quarantine_dir / f"{stamp}-{n}-{name}"
        os.replace(path, target)
        fsync_dir(path.parent)
        return target

    def _move_aside(self, path: Path, name: str, reason: str) -> str:
        """Quarantine `path`; the report line says where to, or raises StoreError saying why
        it could not be moved."""
        try:
            target = self._quarantine(path, name)
        except OSError as err:
            raise StoreError(f"{reason} (could not move it aside: {err.strerror})") from None
        except StoreError as err:
            raise StoreError(f"{reason} (could not move it aside: {err})") from None
        rel = path.relative_to(self.path)
        return f"moved {rel} to quarantine/{target.name}: {reason}"

    def _rename_to_its_id(self, path: Path) -> str | None:
        """A valid session file under another name (renamed by hand, an older naming): give
        it the name its id derives, if that is free."""
        try:
            session = decode_session_file(path, read_json(path), check_name=False)
        except CorruptFile:
            return None
        target = self._file(session.id)
        if os.path.lexists(target):
            return None
        os.replace(path, target)
        fsync_dir(self.sessions_dir)
        return f"renamed {path.name} to {target.name} (the name its id {session.id!r} gives)"

    def _history_problem(self, path: Path) -> str | None:
        """Why history/<name> is not the undo history its name says, or None."""
        if not is_session_file(path.name):
            return f"{path}: not a name session-tui gives an undo history"
        try:
            value = read_json(path)
        except CorruptFile as exc:
            return str(exc)
        session_id = value.get("id") if isinstance(value, dict) else None
        if not isinstance(session_id, str):
            return f"{path}: not an undo history (no session id)"
        if file_name(session_id) != path.name:
            return (f"{path}: holds the undo history of session {session_id!r}, whose file "
                    f"name is {file_name(session_id)}")
        try:
            [UndoRecord.from_json(r) for r in value["records"]]
        except (KeyError, TypeError, AttributeError) as exc:
            return f"{path}: not an undo history ({exc.__class__.__name__}: {exc})"
        return None

    def check(self) -> CheckReport:
        """Verify every file, move unusable ones (and anything that is not a regular file where
        one should be, or not a folder where one should be) to quarantine/, complete or set
        aside a journal, rebuild the index. Nothing outside the store is ever touched."""
        report = CheckReport()

        def aside(path: Path, name: str, reason: str) -> None:
            try:
                report.repaired.append(self._move_aside(path, name, reason))
            except StoreError as exc:
                report.damaged.append(str(exc))

        with self.lock():
            problem = odd_entry(self.quarantine_dir, "folder")
            if problem:
                report.damaged.append(f"{problem}, so nothing can be moved aside into it")
            # A journal is judged as found: one refused on open is never applied by a repair.
            try:
                report.repaired.extend(self._recover(repair=True))
            except StoreError as exc:
                report.damaged.append(str(exc))
            for name in ("sessions", "history", "staging"):
                problem = odd_entry(self.path / name, "folder")
                if problem:
                    aside(self.path / name, name, problem)
            for path in (self.index_path, self.journal_path):
                problem = odd_entry(path, "file")
                if problem:
                    aside(path, path.name, problem)
            if kind_of(self.sessions_dir) is None:
                self.sessions_dir.mkdir()
            history_ok = kind_of(self.history.folder) == "folder"
            sessions_ok = kind_of(self.sessions_dir) == "folder"
            # Odd things under a session file's name.
            for folder, prefix, ok in ((self.sessions_dir, "", sessions_ok),
                                       (self.history.folder, "history-", history_ok)):
                for entry in sorted(folder.iterdir()) if ok else ():
                    problem = odd_entry(entry, "file")
                    if problem and not is_temp(entry.name):
                        aside(entry, prefix + entry.name, problem)
            for folder, ok in ((self.path, True), (self.sessions_dir, sessions_ok),
                               (self.history.folder, history_ok)):
                for entry in sorted(folder.iterdir()) if ok else ():
                    if not is_temp(entry.name):
                        continue
                    if kind_of(entry) == "folder":
                        aside(entry, entry.name.lstrip("."), "a folder under a temporary file's name")
                    else:
                        entry.unlink()  # a link goes, never what it points to
                        report.repaired.append(f"removed a leftover temporary file {entry.name}")
            for entry in sorted(self.sessions_dir.iterdir()) if sessions_ok else ():
                if not is_session_file(entry.name):
                    continue
                try:
                    self._read_file(entry)
                except CorruptFile as exc:
                    renamed = self._rename_to_its_id(entry)
                    if renamed:
                        report.repaired.append(renamed)
                        continue
                    aside(entry, entry.name, str(exc))
            for entry in sorted(self.history.folder.iterdir()) if history_ok else ():
                problem = self._history_problem(entry)
                if problem:
                    aside(entry, "history-" + entry.name, problem)
            old = self._read_index()
            self._refresh(rebuild=True)
            if old is None or {d.get("id") for d in old.values() if "error" not in d} != set(self._index):
                report.repaired.append(f"rebuilt index.json ({len(self._index)} sessions)")
            if not report.damaged:  # never "sound" while something is left unused
                report.damaged.extend(self.problems)
        return report


def _trusted_doc(doc: dict[str, Any], name: str) -> bool:
    """An index document is used without reading its session file only when it is whole and
    names the file its id gives (a lying index is read past, not believed)."""
    if "error" in doc:
        return isinstance(doc["error"], str)
    session_id = doc.get("id")
    return (isinstance(session_id, str) and file_name(session_id) == name
            and all(type(doc.get(k)) is t for k, t in _SUMMARY_TYPES.items())
            and type(doc.get("annulled_count", 0)) is int)
