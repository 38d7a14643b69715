"""Schema 0 of `DatabaseSessionService` (ADK before 1.22: a column per event field,
`events.actions` pickled) as a read-only layout of the in-place store.

Rows are read as google-adk's `adk migrate session` converts them (formats.adk_schema0: the
pickles through a restricted unpickler that never runs one); the sessions' times are naive UTC,
as in schema 1. Nothing is written: ADK itself no longer writes this schema, and a session edited
here would be one google-adk cannot open; the reason says how to move the file on.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..formats import adk_schema0
from .db import Connection
from .layouts import DatabaseV1Layout, register, schema_version, usage_tokens_sql


class Schema0Layout(DatabaseV1Layout):
    name = "database-v0"
    description = "ADK DatabaseSessionService database (schema 0, pickled actions)"
    writable = False
    read_only_reason = adk_schema0.READ_ONLY_REASON
    notes = (adk_schema0.TIMES_NOTE,)
    needed_columns: ClassVar[dict[str, tuple[str, ...]]] = {
        "sessions": ("app_name", "user_id", "id", "state", "create_time", "update_time"),
        "events": ("id", "app_name", "user_id", "session_id", "invocation_id", "author", "actions",
                   "timestamp"),
    }

    def __init__(self, db: Connection):
        super().__init__(db)
        self._columns = adk_schema0.columns_to_read(set(db.columns("events")))

    @classmethod
    def detect(cls, db: Connection, tables: set[str]) -> bool:
        if not adk_schema0.is_schema0(set(db.columns("events"))):
            return False
        return "adk_internal_metadata" not in tables or schema_version(db) in (None, "0")

    def rewinds_sql(self) -> str:
        return "0"  # schema 0 predates ADK's rewind events

    def tokens_sql(self) -> str:  # its own column of JSON text (absent in the oldest ones)
        if "usage_metadata" not in self._columns or self.db.dialect != "sqlite":
            return "NULL"
        return usage_tokens_sql(self.db.dialect, '"usage_metadata"', None)

    def event_select(self) -> str:
        return ", ".join(f'"{c}"' for c in self._columns)  # `id` first, as the store expects

    def row_fields(self, row: tuple) -> dict[str, Any]:
        values = dict(zip(self._columns, row))
        try:
            return adk_schema0.event_data(values)
        except (ValueError, OverflowError) as exc:
            raise ValueError(f"events row {values.get('id')!r}: {exc}") from None


register(Schema0Layout)
