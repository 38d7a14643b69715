"""A read-only store of sessions read from one file into memory (ADK's eval files, see
`formats/adk_eval.py`): listed, shown and exported like any store; every change refused up front
in one line (`read_only_reason`), as in any read-only store. No lock, no history, nothing is
written anywhere (not even beside the file). When the file changes on disk, `poll()` reads it
again; a file that no longer reads keeps the sessions last read and says why in `problems`.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Callable, Iterator

from ..model import Session, SessionFormatError
from .base import CheckReport, Store
from .summaries import summary_of
from .errors import NotFound, ReadOnlyStore, StoreError
from .history import History

# What a loader gives: the sessions, and one-line notes about the file (store.notes).
Loaded = tuple[list[Session], list[str]]


class _NoHistory(History):
    """No undo records: nothing in this store ever changes. `path` names a place under the
    file itself, which cannot exist (so nothing there is ever taken for a history)."""

    def load(self, session_id: str) -> list:
        return []

    def save(self, session_id: str, records: list) -> None:
        raise ReadOnlyStore(f"{self.folder}: read-only: nothing can be changed")


class ReadOnlyMemoryStore(Store):
    can_create = False
    can_import = False

    def __init__(self, path: str | os.PathLike, loader: Callable[[Path], Loaded], *,
                 reason: str, kind: str = "file", first: Loaded | None = None):
        """`loader(path)` reads the file (SessionFormatError, NotFound: one line); `reason`:
        why it is read-only (said after the path); `first`: what the caller already read."""
        self.path = Path(path)
        self.kind = kind
        self.read_only = True
        self.read_only_reason = f"{self.path}: {reason}"
        self.history = _NoHistory(self.path)
        self.problems: list[str] = []
        self._loader = loader
        self._sessions: dict[str, Session] = {}
        self._seen: tuple | None = None
        self._read(first)

    def __repr__(self) -> str:
        return f"ReadOnlyMemoryStore({str(self.path)!r}, kind={self.kind!r})"

    def _signature(self) -> tuple | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def _read(self, loaded: Loaded | None = None) -> None:
        self._seen = self._signature()
        sessions, notes = loaded if loaded is not None else self._loader(self.path)
        revision = "-".join(str(part) for part in self._seen or ())
        for session in sessions:
            session.revision = revision
        self._sessions = {s.id: s for s in sessions}
        self.notes = list(notes)

    # -- the Store interface -------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        self._refuse()  # every change takes the lock first: refused there, nothing read
        yield

    def list(self) -> list[dict[str, Any]]:
        return [summary_of(s) for s in self._sessions.values()]

    def _load(self, session_id: str) -> Session:
        session = self._sessions.get(session_id)
        if session is None:
            raise NotFound(f"no session {session_id!r} in {self.path}")
        return session.copy()

    def _exists(self, session_id: str) -> bool:
        return session_id in self._sessions

    def _refuse(self) -> None:
        raise ReadOnlyStore(f"{self.read_only_reason}: nothing can be changed")

    def _write(self, sessions, deletes, history, shared=None) -> None:
        self._refuse()

    # Refused before anything is looked at (the base class checks its arguments first).
    def create(self, app_name: str, user_id: str, state: dict[str, Any] | None = None,
               session_id: str | None = None) -> Session:
        self._refuse()

    def import_sessions(self, sessions, on_conflict: str = "skip"):
        self._refuse()

    def poll(self) -> bool:
        """True when the file changed since it was read (then it is read again)."""
        if self._signature() == self._seen:
            return False
        try:
            self._read()
            self.problems = []
        except (SessionFormatError, StoreError) as exc:
            self._seen = self._signature()
            self.problems = [f"{exc} (the sessions shown are those read before)"]
        return True

    def check(self) -> CheckReport:
        try:
            self._loader(self.path)
        except (SessionFormatError, StoreError) as exc:
            return CheckReport(damaged=[str(exc)])
        return CheckReport()
