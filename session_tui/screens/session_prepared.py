"""What showing a session costs O(session), made in the worker that read it instead of on the UI
thread (issue 12: 100,000 events): the timeline's lines, the count of invocations (the
timeline's title, redrawn at each cursor move) and the time-travel checkpoints (each move with
an event open looks the state up in O(checkpoint spacing))."""

from __future__ import annotations

from typing import Any, NamedTuple

from ..checkpoints import Checkpoints
from ..model import Session
from ..widgets.timeline_lines import TimelineLines


class _Made(NamedTuple):
    session: Session
    lines: TimelineLines
    invocations: int


class PreparedSession:
    """Looked up by the session object shown. `prepare` in the worker (one assignment each:
    safe from a thread); a session not prepared (shown straight from a change) is made at its
    first look, on the UI thread. The checkpoints may come after the session is shown
    (`prepare(session, checkpoints=False)`, then `prepare_checkpoints`): only time travel
    needs them, and an event opened before they are ready has them made then."""

    def __init__(self) -> None:
        self._made: _Made | None = None
        self._checkpoints: tuple[Session, Checkpoints] | None = None

    def prepare(self, session: Session, checkpoints: bool = True) -> None:
        lines = TimelineLines(session.events)
        self._made = _Made(session, lines, lines.invocation_count)
        if checkpoints:
            self.prepare_checkpoints(session)

    def prepare_checkpoints(self, session: Session) -> None:
        self._checkpoints = (session, Checkpoints(session))

    def _of(self, session: Session) -> _Made:
        made = self._made
        if made is None or made.session is not session:
            self.prepare(session, checkpoints=False)
            made = self._made
        return made

    def lines(self, session: Session) -> TimelineLines:
        return self._of(session).lines

    def invocation_count(self, session: Session) -> int:
        return self._of(session).invocations

    def state_after(self, session: Session, keep: int) -> dict[str, Any]:
        """model.state_after(session, keep).state, from the checkpoints."""
        made = self._checkpoints
        if made is None or made[0] is not session:
            self.prepare_checkpoints(session)
            made = self._checkpoints
        return made[1].state_after(keep)
