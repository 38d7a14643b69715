"""The session a session screen shows and changes: its id, the revision on screen, and this
run's undo log. Every change is based on the revision the user saw when they began (before a
dialog opened), so a change that landed meanwhile makes the store refuse instead of being
written over."""

from __future__ import annotations

from dataclasses import dataclass
from operator import methodcaller
from typing import Any, Callable

from ..model import Session
from ..store import Store
from ..undo_log import SessionChange, UndoLog


@dataclass(frozen=True)
class Change:
    """A change of the session as the user asked for it."""

    call: Callable[[Store], Any]  # the store call (made in a worker thread)
    said: str  # what the notification says once it is done
    # Refused as stale: offer the change once more (the dialog, with what was typed), on the
    # session as it is then. None: say why and show the session as it is now.
    again: Callable[[], None] | None = None


class SessionChanges:
    def __init__(self, session_id: str, undo_log: UndoLog) -> None:
        self.session_id = session_id
        self.session: Session | None = None  # as shown
        self.undo_log = undo_log

    @property
    def revision(self) -> str | None:
        """The revision of the session shown: what a change begun now is based on."""
        return self.session.revision if self.session is not None else None

    def change(self, method: str, *args: Any, revision: str | None, said: str,
               again: Callable[[], None] | None = None, **kwargs: Any) -> Change:
        """A call of the Store method `method` on this session, refused by the store unless
        the session is still at `revision`."""
        call = methodcaller(method, self.session_id, *args, expected_revision=revision, **kwargs)
        return Change(call, said, again)

    def recorded(self) -> None:
        """A change (or the session's deletion) was made: `u` on the list can undo it."""
        self.undo_log.record(SessionChange(self.session_id))

    def undone(self) -> None:
        """The session's newest change was undone here: `u` on the list must not undo one
        more."""
        self.undo_log.forget(self.session_id)
