"""The journal of a store folder: a change to many files (an import, undo of a delete) is
staged under staging/<txn>/, committed by writing journal.json, then moved into place; the next
open completes a committed change a crash interrupted and rolls back one never committed. A
journal is applied only when every path it names is proven to stay inside the store.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

from .. import jsonio
from ..files import fsync_dir, remove_file, write_atomic
from .atomic import cannot_write, read_json
from .errors import CorruptFile, StoreError
from .history import History
from .naming import file_name, is_session_file
from .paths import UnsafePath, inside, kind_of
from .session_files import SHARED_FILE

_TXN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_STAGED = re.compile(r"[A-Za-z0-9_-]{1,64}\.json")


class JournalMixin:
    """The journal of `DirectoryStore` (its folders, its history, and `_move_aside` of check)."""

    path: Path
    journal_path: Path
    staging_dir: Path
    sessions_dir: Path
    history: History

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

