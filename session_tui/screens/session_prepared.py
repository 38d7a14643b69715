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
    checkpoints: Checkpoints


class PreparedSession:
    """Looked up by the session object shown. `prepare` in the worker (one assignment: safe
    from a thread); a session not prepared (shown straight from a change) is made at its
    first look, on the UI thread."""

    def __init__(self) -> None:
        self._made: _Made | None = None

    def prepare(self, session: Session) -> None:
        self._made = _Made(session, TimelineLines(session.events), len(session.invocation_ids()),
                           Checkpoints(session))

    def _of(self, session: Session) -> _Made:
        made = self._made
        if made is None or made.session is not session:
            self.prepare(session)
            made = self._made
        return made

    def lines(self, session: Session) -> TimelineLines:
        return self._of(session).lines

    def invocation_count(self, session: Session) -> int:
        return self._of(session).invocations

    def state_after(self, session: Session, keep: int) -> dict[str, Any]:
        """model.state_after(session, keep).state, from the checkpoints."""
        return self._of(session).checkpoints.state_after(keep)
