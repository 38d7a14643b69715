"""A session's summary: what the session list shows (and filters and sorts on) without opening
the session again. Every backend lists these."""

from __future__ import annotations

from typing import Any

from .. import jsonio
from ..eventinfo import annulled_count
from ..model import Session
from ..stats import total_tokens
from .index_file import SUMMARY_KEYS  # noqa: F401  (kept importable from here)


def search_text(state: dict[str, Any], limit: int = 2000) -> str:
    """Lower-cased text of a state (keys and values), so the list can filter on it."""
    return jsonio.dumps(state).decode("utf-8", "replace").lower()[:limit]


def summary_of(session: Session) -> dict[str, Any]:
    """What the session list shows (and filters on), without opening the session again."""
    return {
        "id": session.id,
        "app_name": session.app_name,
        "user_id": session.user_id,
        "created_at": session.created_at,
        "updated_at": session.updated_at,
        "event_count": len(session.events),
        "invocation_count": len({e.invocation_id for e in session.events}),
        "search_text": search_text(session.state),
        # Events an ADK rewind annulled (kept in the log): the list says "40 ↶6". Not in
        # SUMMARY_KEYS: an index written before it lacks it (read as 0, not re-read).
        "annulled_count": annulled_count(session.events),
        # Tokens ADK's usageMetadata recorded (stats.py); None: no event recorded any.
        "total_tokens": total_tokens(session.events),
    }
