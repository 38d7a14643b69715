"""Schema 0 of google-adk's DatabaseSessionService (ADK before 1.22): an `events` row with a
column per event field and `actions` pickled, read as the `event_data` that google-adk's own
`adk migrate session` writes for it (schema 1), so the two read alike.

Column by column (google/adk/sessions/migration/migrate_from_sqlalchemy_pickle.py is the rule):
`actions` through the restricted unpickler (adk_pickle); the JSON columns (`content`,
`grounding_metadata`, `custom_metadata`, `usage_metadata`, `citation_metadata`,
`input_transcription`, `output_transcription`) as the objects they hold; `long_running_tool_ids_json`
as a list (empty when NULL); `partial`, `turn_complete`, `interrupted` as booleans; the rest as
text; NULLs left out. Older files lack some columns: what a file does not have is left out too.

Times: schema 0 wrote an event's `timestamp` as a naive LOCAL time of the machine that ran the
agent (`datetime.fromtimestamp`), and read it back the same way; google-adk's migration reads it
in the local time zone of the machine that migrates. So does this module (`local_timestamp`): on
the machine that wrote the file the times are right; elsewhere they are off by the difference of
the two zones (`TIMES_NOTE`). The sessions' `create_time`/`update_time` were the database's
`CURRENT_TIMESTAMP`, UTC, and are read as UTC, as google-adk reads them.

`event_data` left out what google-adk 2.x adds as defaults of fields ADK before 1.22 did not have
(`node_info`): ADK fills them in when it reads an event, and they were never in the file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import jsonio
from ..model import SessionFormatError, _describe
from .adk_pickle import PickleRefused, load_event_actions

READ_ONLY_REASON = ("schema 0 (ADK before 1.22): read-only; migrate it with `adk migrate session` "
                    "to edit")
# Short: the app's banner says it above the list and the timeline (session times disagree).
TIMES_NOTE = ("event times are naive local times (ADK before 1.22), shown in this machine's time "
              "zone as ADK reads them; session times are UTC")

# Columns in the order ADK's Event lists its fields (the order of `event_data` after migration).
_JSON_COLUMNS = ("content", "grounding_metadata", "custom_metadata", "usage_metadata",
                 "input_transcription", "output_transcription", "citation_metadata")
_BOOL_COLUMNS = ("partial", "turn_complete", "interrupted")
_TEXT_COLUMNS = ("error_code", "error_message", "branch")
_ORDER = ("content", "grounding_metadata", "partial", "turn_complete", "error_code", "error_message",
          "interrupted", "custom_metadata", "usage_metadata", "input_transcription",
          "output_transcription", "citation_metadata", "invocation_id", "author", "actions",
          "long_running_tool_ids", "branch", "id", "timestamp")
# Every column a schema-0 events table may have that becomes part of an event.
EVENT_COLUMNS = ("id", "invocation_id", "author", "actions", "long_running_tool_ids_json", "branch",
                 "timestamp") + _JSON_COLUMNS + _BOOL_COLUMNS + ("error_code", "error_message")


def is_schema0(event_columns: set[str]) -> bool:
    """An `events` table of schema 0: pickled `actions`, no `event_data`."""
    return "actions" in event_columns and "event_data" not in event_columns


def columns_to_read(event_columns: set[str]) -> list[str]:
    """The event columns this file has, in EVENT_COLUMNS order (older files lack some)."""
    return [c for c in EVENT_COLUMNS if c in event_columns]


def local_timestamp(value: Any) -> float:
    """A schema-0 naive local time (`2025-11-30 02:02:39.924856`) as Unix seconds, read in this
    machine's zone as google-adk reads it. Raises ValueError."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"timestamp: expected a time, got {_describe(value)}")
    for form in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(value, form).timestamp()
        except ValueError:
            continue
        except (OverflowError, OSError):  # (a year the platform's clock cannot place)
            break
    raise ValueError(f"timestamp: expected a time like 2025-01-31 12:00:00.000000, got {_describe(value)}")


def _json_column(name: str, value: Any) -> dict:
    decoded = _json_column_any(name, value)
    if not isinstance(decoded, dict):
        raise ValueError(f"{name}: expected a JSON object, got {_describe(decoded)}")
    return decoded


def _tool_ids(value: Any) -> list:
    if value is None or value == "":
        return []
    decoded = _json_column_any("long_running_tool_ids_json", value)
    if not isinstance(decoded, list) or not all(isinstance(x, str) for x in decoded):
        raise ValueError(f"long_running_tool_ids_json: expected a JSON list of ids, got {_describe(decoded)}")
    return list(dict.fromkeys(decoded))  # ADK keeps them as a set


def _json_column_any(name: str, value: Any) -> Any:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected JSON text, got {_describe(value)}")
    try:
        return jsonio.parse(value)
    except ValueError as exc:
        raise ValueError(f"{name}: not valid JSON: {getattr(exc, 'msg', None) or exc}") from None


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError(f"{name}: expected a boolean, got {_describe(value)}")


def event_data(row: dict[str, Any]) -> dict:
    """The `event_data` (snake_case, as `Event.model_dump(mode="json", exclude_none=True)`) that
    google-adk's migration makes of one schema-0 `events` row (a dict of its columns). Raises
    ValueError (one line, naming the column) for what ADK could not have written."""
    out: dict[str, Any] = {}
    for name in _JSON_COLUMNS:
        if row.get(name) is not None:
            out[name] = _json_column(name, row[name])
    for name in _BOOL_COLUMNS:
        if row.get(name) is not None:
            out[name] = _bool(name, row[name])
    for name in _TEXT_COLUMNS + ("invocation_id", "author", "id"):
        value = row.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name}: expected text, got {_describe(value)}")
        if value is not None:
            out[name] = value
    if not out.get("id"):
        raise ValueError("id: missing")
    out.setdefault("invocation_id", "")
    out.setdefault("author", "agent")
    actions = row.get("actions")
    try:
        out["actions"] = load_event_actions(actions) if actions is not None else {
            "state_delta": {}, "artifact_delta": {}, "requested_auth_configs": {},
            "requested_tool_confirmations": {}}
    except PickleRefused as exc:
        raise ValueError(f"actions: {exc}") from None
    out["long_running_tool_ids"] = _tool_ids(row.get("long_running_tool_ids_json"))
    if row.get("timestamp") is None:
        raise ValueError("timestamp: missing")
    out["timestamp"] = local_timestamp(row["timestamp"])
    return {name: out[name] for name in _ORDER if name in out}


def read_event(row: dict[str, Any], where: str) -> dict:
    """`event_data` for a row, errors as a SessionFormatError placed at `where`."""
    try:
        return event_data(row)
    except (ValueError, OverflowError) as exc:
        raise SessionFormatError(where, str(exc)) from None
