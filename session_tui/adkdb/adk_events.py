"""The events ADK writes, as its session services store them: an edit's or a rewind's event
(no content), an agent's event in `event_data`, the split of a state delta into the app's,
the user's and the session's state, and the columns of ADK's `events` table.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from ..formats import adk_json
from ..formats.adk_sqlite import snake_event
from ..jsonio import deep_copy
from ..model import Event

REWIND_AUTHOR = "user"  # ADK's rewind event is the user's
EVENT_COLUMNS = ("id", "app_name", "user_id", "session_id", "invocation_id", "timestamp",
                 "event_data")


def split_delta(delta: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """ADK's extract_state_delta: app:, user: and the session's own keys (temp: dropped)."""
    parts: dict[str, dict[str, Any]] = {"app": {}, "user": {}, "session": {}}
    for name, value in delta.items():
        if name.startswith("app:"):
            parts["app"][name[len("app:"):]] = value
        elif name.startswith("user:"):
            parts["user"][name[len("user:"):]] = value
        elif not name.startswith("temp:"):
            parts["session"][name] = value
    return parts


def event_data(invocation_id: str, author: str, delta: dict[str, Any], *,
               rewind_before: str | None = None, node_info: bool = True,
               timestamp: float | None = None) -> dict[str, Any]:
    """An event without content as google-adk 2.13's `Event.model_dump(exclude_none=True)`
    gives it (its field order; `node_info` only where the database's events have it)."""
    actions: dict[str, Any] = {"state_delta": deep_copy(delta), "artifact_delta": {},
                               "requested_auth_configs": {}, "requested_tool_confirmations": {}}
    if rewind_before is not None:
        actions["rewind_before_invocation_id"] = rewind_before
    data: dict[str, Any] = {"invocation_id": invocation_id, "author": author, "actions": actions}
    if node_info:
        data["node_info"] = {"path": ""}
    data["id"] = str(uuid.uuid4())
    data["timestamp"] = time.time() if timestamp is None else timestamp
    return data


def stored_event_data(event: Event) -> dict:
    """An event as ADK's session services store it in `event_data` (snake_case; the maps its
    EventActions always has, present)."""
    root = snake_event(adk_json.event_to_adk(event))
    actions = root.setdefault("actions", {})
    for name in ("state_delta", "artifact_delta", "requested_auth_configs",
                 "requested_tool_confirmations"):
        if actions.get(name) is None:
            actions[name] = {}
    return root
