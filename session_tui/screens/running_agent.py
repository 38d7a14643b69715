"""Whether an agent may be running on a session: it changed a moment ago.

google-adk's `append_event` raises StaleSessionError once the session changed in storage after
the agent loaded it, so a change (or a delete) of a session that changed this recently is asked
about first.
"""

from __future__ import annotations

from functools import partial
from typing import Callable

from ..text import plural

RECENT_CHANGE_SECONDS = 10.0


def recent_change(age: float | None) -> str | None:
    """'3 seconds ago' (or 'just now') for a change this recent, else None."""
    if age is None or age > RECENT_CHANGE_SECONDS:
        return None
    return f"{plural(int(age), 'second')} ago" if age >= 1 else "just now"


def running_note(age: float | None) -> str:
    """A line for a confirm (a delete): empty unless the session changed a moment ago."""
    when = recent_change(age)
    return (f"\nIt changed {when}: an agent may be working on it (its next event would fail: "
            "StaleSessionError)." if when else "")


class AsksAboutRunningAgent:
    """Mixed into SessionScreen: every change of a session that changed a moment ago (not by
    this screen's own last change, `_own_revision`) first asks whether to go on."""

    def _unless_agent_running(self, then: Callable[[], None]) -> None:
        """`then` (an edit or a rewind begins); first, if the session changed within the last
        RECENT_CHANGE_SECONDS (and not by this screen's own last change), ask whether to go
        on: an agent may be running on it."""
        session = self.session
        changed = session.last_change() if session else None
        age = self.app.config.clock() - changed if changed is not None else None
        ours = session is not None and session.revision is not None and session.revision == self._own_revision
        when = recent_change(age)
        if when is None or ours:
            then()
            return
        from ..dialogs.confirm import ConfirmDialog

        self.app.push_screen(ConfirmDialog(
            "An agent may be running",
            f"This session changed {when}: an agent may be working on it. If one is, its next "
            "event will fail once you change the session (ADK refuses to append to a session "
            "changed since the agent loaded it: StaleSessionError). Change it anyway?",
            confirm_label="Go on", cancel_label="Cancel"),
            partial(self._agent_answered, then))

    @staticmethod
    def _agent_answered(then: Callable[[], None], yes: bool | None) -> None:
        if yes:
            then()
