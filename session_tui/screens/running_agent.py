"""Whether an agent may be running on a session: it changed a moment ago.

google-adk's `append_event` raises StaleSessionError once the session changed in storage after
the agent loaded it, so a change (or a delete) of a session that changed this recently is asked
about first.
"""

from __future__ import annotations

from ..text import plural

RECENT_CHANGE_SECONDS = 10.0


def recent_change(age: float | None) -> str | None:
    """'3 seconds ago' (or 'just now') for a change this recent, else None."""
    if age is None or age > RECENT_CHANGE_SECONDS:
        return None
    return f"{plural(int(age), 'second')} ago" if age >= 1 else "just now"
