"""`AdkStore`: an ADK session database opened in place, read and written the way google-adk's
own session services read and write it (SPEC section 8).

- Reading: the list comes from SQL (counts by `GROUP BY`, no event is loaded); a session is
  what ADK's `get_session` returns: its own state with the app's and the user's shared state
  merged in as `app:` / `user:` keys, events in ADK's order.
- Writing: an edit appends an event (author `session-tui`, invocation `edit-<uuid>`) carrying
  the state delta, stored as ADK's `append_event` stores one: the event row, the session's,
  app's and user's state rows updated with `dict.update` (so a null is kept as a value: ADK
  cannot remove a top-level key, and such an edit is refused), `update_time` set to the event's
  time. A fork is a new session row and copies of its kept event rows (forking.py; its
  origin kept in the sidecar). A rewind appends the event ADK's `Runner.rewind_async`
  appends (author `user`, invocation `e-<uuid>`, `actions.rewind_before_invocation_id`, the restoring state delta),
  except that a key no annulled event wrote keeps its value (google/adk-python issue 4933).
  Artifacts are not rewound (as ADK's Runner without an artifact service). Delete removes the
  session's row and its events, as ADK does.
- Every change is one write transaction (SQLite `BEGIN IMMEDIATE`) that reads the session
  afresh, refuses a stale revision, writes, and files an undo record beside the database
  (undo.py) before it commits. Undo puts back exactly the rows there were.
- Ids: a session is known by its ADK id; where the same id is in the database under two (app,
  user) pairs, each is known as `app/user/id` (accepted everywhere, shown in the list; a `/`
  or `%` in the app or user escaped, and a bare id that spells another session's such name
  qualified too: `names_of`), so every name the list shows opens its own session.
- Creating sessions and importing into an ADK database are refused up front (one line): ADK
  creates its sessions itself (`create_session`); import into a session-tui store instead.
- Live: `poll()` asks the adapter for its change token (SQLite: `PRAGMA data_version` on the kept
  connection, and the file's identity).
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any, Iterator

from ..model import Session
from ..store.base import CheckReport, ImportReport, Store
from ..store.errors import StoreError
from . import layouts
from .adk_events import REWIND_AUTHOR, event_data, split_delta, stored_event_data
from .changes import ChangesMixin
from .db import Connection, error_line
from .forking import ForkingMixin
from .listing import ListingMixin, names_of
from .reading import ReadingMixin
from .restoring import RestoringMixin
from .rewind_plan import SHARED, plan_adk_rewind
from .undo import AdkHistory, AdkUndoRecord, qualified

# Kept importable from here, where they were first written.
__all__ = ["AdkStore", "REWIND_AUTHOR", "SHARED", "event_data", "names_of", "plan_adk_rewind",
           "split_delta", "stored_event_data"]


class AdkStore(ListingMixin, ReadingMixin, ChangesMixin, RestoringMixin, ForkingMixin, Store):
    """A session-tui Store over an ADK database (any adapter, any registered layout)."""

    kind = "adk"
    can_import = False
    can_create = False

    def __init__(self, db: Connection, *, path: Path, history_folder: Path,
                 read_only: bool = False, history_root: Path | None = None):
        self.db = db
        self.path = Path(path)
        self.problems: list[str] = []
        self._asked_read_only = read_only
        try:
            self._take_layout()
        except BaseException:
            db.close()
            raise
        self.history = AdkHistory(history_folder, history_root)
        self._lock = threading.RLock()
        # The change token as poll() last saw it, and as the cached list was read at (two: a
        # list read between two polls must not hide a change from the next poll).
        self._token = self._list_token = db.change_token()
        self._rows: list[dict[str, Any]] | None = None
        self._keys: dict[str, tuple[str, str, str]] = {}
        # The list as last read: (app, user, id) -> (update_time as stored, summary or problem)
        self._summaries: dict[tuple[str, str, str], tuple[Any, dict | str]] = {}
        self._shared_seen: Any = None
        self._table_names: set[str] | None = None
        self._poll_problem: str | None = None  # what the last poll could not read, said once

    def _take_layout(self) -> None:
        """The layout of the database and what follows from it (read-only or not, notes)."""
        db, read_only = self.db, self._asked_read_only
        self.layout = layouts.detect(db)
        layouts.check_columns(db, self.layout)
        self.notes = list(self.layout.notes)
        self.read_only = read_only or db.read_only or not self.layout.writable
        layout_reason = (f"{db.location}: {self.layout.read_only_reason}"
                         if self.layout.read_only_reason else None)
        self.read_only_reason = (f"{db.location}: opened read-only" if read_only
                                 else db.read_only_reason or layout_reason)
        if self.read_only and not self.read_only_reason:
            self.read_only_reason = f"{db.location}: read-only"

    def _follow_file(self) -> bool:
        """Another file now at the path (a copy moved over it, a backup put back): the kept
        connection would go on reading the old one and fail to write it. Open the new one,
        its layout and read-only state afresh, every cached list forgotten."""
        replaced = getattr(self.db, "replaced", None)  # an adapter over a file has it
        if replaced is None or not replaced():
            return False
        self.db.reopen()
        self._rows, self._keys, self._summaries = None, {}, {}
        self._shared_seen = self._table_names = None
        try:
            self._take_layout()
        except StoreError:
            self.db.forget_identity()  # not an ADK database: asked again on the next call
            raise
        return True

    def _tables(self) -> set[str]:
        """The database's tables, asked again only while a shared state table is missing (a
        query on a server; ADK creates its tables once)."""
        if self._table_names is None or not {"app_states", "user_states"} <= self._table_names:
            self._table_names = self.db.tables()
        return self._table_names

    def __repr__(self) -> str:
        return f"AdkStore({self.db.location!r}, layout={self.layout.name!r})"

    # -- the Store interface: things ADK databases do not do ---------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        self._check_writable()
        with self._lock:
            yield

    def create(self, app_name: str, user_id: str, state: dict[str, Any] | None = None,
               session_id: str | None = None) -> Session:
        raise StoreError(f"{self.db.location}: sessions of an ADK database are created by ADK "
                         "(create_session, when an agent starts one); nothing changed")

    def import_sessions(self, sessions: list[Session], on_conflict: str = "skip") -> ImportReport:
        raise StoreError(f"{self.db.location}: an ADK database keeps sessions as ADK writes them: "
                         "import into a session-tui store instead (--store FOLDER); nothing changed")

    def undo_import(self, report: ImportReport) -> dict[str, int]:
        raise StoreError(f"{self.db.location}: nothing was imported into this ADK database")

    def history_of(self, session_id: str) -> list[AdkUndoRecord]:  # type: ignore[override]
        with self._lock, self.db.snapshot():
            return self._without_ghosts(session_id, self.history.load(session_id))

    def close(self) -> None:
        with self._lock:
            self.db.close()

    # -- live --------------------------------------------------------------------------------
    def poll(self) -> bool:
        """Whether the database changed since the last poll. Never raises: a file that is not
        (or no longer) a database is news once (the reload that follows names the problem),
        not an error every second."""
        with self._lock:
            try:
                reopened = self._follow_file()
                token = self.db.change_token()
            except StoreError as exc:
                problem = error_line(exc)
                if problem == self._poll_problem:
                    return False
                self._poll_problem = problem
                return True
            self._poll_problem = None
            if token == self._token and not reopened:
                return False
            self._token = token
            return True

    def _after_own_write(self) -> None:
        """The list is read again (in part). poll()'s token is left alone: SQLite's
        data_version does not move for this connection's own commits, and another writer's
        commit just before ours must still be news."""
        self._rows = None

    # -- checking ----------------------------------------------------------------------------
    def check(self) -> CheckReport:
        """Read every session as ADK would: each one that cannot be read is named."""
        report = CheckReport()
        rows = self.list()
        report.damaged.extend(self.problems)
        for row in rows:
            try:
                self._load(row["id"])
            except StoreError as exc:
                report.damaged.append(error_line(exc))
        report.damaged.extend(self._orphans())
        return report

    def _orphans(self) -> list[str]:
        """Events whose session row is missing (ADK never shows them), one line a session."""
        with self._lock:
            found = self.db.rows(
                "SELECT e.app_name, e.user_id, e.session_id, COUNT(*) FROM events e "
                "LEFT JOIN sessions s ON s.app_name = e.app_name AND s.user_id = e.user_id "
                "AND s.id = e.session_id WHERE s.id IS NULL "
                "GROUP BY e.app_name, e.user_id, e.session_id")
        return [f"{self.db.location}: {n} events of session "
                f"{qualified(app_name, user_id, adk_id)!r} whose session row is missing "
                "(ADK never shows them)" for app_name, user_id, adk_id, n in found]

