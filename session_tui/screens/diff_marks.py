"""Provides the `m` and `=` keys: mark a session (or an event), then diff it against the one
under the cursor (screens/diff.py). Mixed into the session list and the session screens; each
lists `MARK_BINDINGS` in its own BINDINGS (help shows a screen's own)."""

from __future__ import annotations

from textual.binding import Binding

from ..text import one_line
from ..widgets.session_list import SessionList

MARK_BINDINGS = [
    Binding("m", "mark", "Mark for diff", show=False),
    Binding("equals_sign", "diff", "Diff with the mark", show=False),
]


def _push_diff(app, a: str, b: str | None = None, **events: str) -> None:
    # Imported here: the diff screen is not needed before the first `=` (the app starts faster).
    from .diff import DiffRequest, DiffScreen

    app.push_screen(DiffScreen(DiffRequest(a, b, **events)))


class SessionMarks:
    """For the session list: `m` marks the session under the cursor (again: unmarks it), `=`
    compares the marked session (A) with the one under the cursor (B)."""

    def action_mark(self) -> None:
        sessions = self.query_one(SessionList)
        session_id = sessions.selected_id
        if session_id is None:
            return
        if sessions.marked == session_id:
            sessions.marked = None
            self.notify("Mark removed", timeout=2)
            return
        sessions.marked = session_id
        self.notify(f"Marked {one_line(session_id, 60)} (◆): press = on another session to "
                    "compare them", markup=False, timeout=4)

    def action_diff(self) -> None:
        sessions = self.query_one(SessionList)
        marked, current = sessions.marked, sessions.selected_id
        if marked is None or current is None:
            self.notify("Mark a session first (m), then press = on another", severity="warning")
        elif marked == current:
            self.notify("This is the marked session: press = on another one", severity="warning")
        else:
            _push_diff(self.app, marked, current)


class EventMarks:
    """For a session: `m` marks the event under the timeline's cursor, `=` compares the
    session right after the marked event (A) with right after the event under the cursor (B)."""

    def action_mark(self) -> None:
        from ..widgets.timeline import Timeline

        timeline = self.query_one(Timeline)
        index = timeline.cursor_event
        if index is None or timeline.session is None:
            self.notify("Move the timeline's cursor to an event to mark it", severity="warning")
            return
        event_id = timeline.session.events[index].id
        if timeline.marked == event_id:
            timeline.marked = None
            self.notify("Mark removed", timeout=2)
            return
        timeline.marked = event_id
        self.notify(f"Marked event {index + 1} (◆): press = on another event to compare the "
                    "state after each", timeout=4)

    def action_diff(self) -> None:
        from ..widgets.timeline import Timeline

        timeline = self.query_one(Timeline)
        index = timeline.cursor_event
        session = timeline.session
        ids = [event.id for event in session.events] if session is not None else []
        if timeline.marked is None:
            self.notify("Mark an event first (m), then press = on another", severity="warning")
        elif index is None:  # on an invocation's header: the mark is there, the cursor is not
            self.notify("Move the timeline's cursor to an event to compare it with the marked one",
                        severity="warning")
        elif timeline.marked not in ids:
            self.notify("The marked event is no longer in the session: mark another",
                        severity="warning")
        elif ids[index] == timeline.marked:
            self.notify("This is the marked event: press = on another one", severity="warning")
        else:
            _push_diff(self.app, session.id, from_event=timeline.marked, to_event=ids[index])
