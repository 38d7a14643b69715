"""State shared across sessions, as ADK shares it: `app:` keys by every session of an app,
`user:` keys by every session of a user in that app (google-adk's `app_states` and
`user_states` tables).

A session's own state keeps these keys too (SPEC section 1: the app shows a session's state as
one), so this record is only the truth a NEW session starts from and what a change to a shared
key is applied to. It is written in the same atomic change as the sessions it touches (a store
folder: `shared-state.json`, through the journal; a TinyDB file: its `_shared_state` table).
Its JSON form is a TinyDB file: tables `app_states` and `user_states`, one document each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..jsonio import deep_copy
from .errors import CorruptFile

APP_TABLE = "app_states"
USER_TABLE = "user_states"


@dataclass
class SharedState:
    apps: dict[str, dict[str, Any]] = field(default_factory=dict)  # app -> state (keys unprefixed)
    users: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (app, user) -> state

    def app(self, app_name: str) -> dict[str, Any]:
        return self.apps.get(app_name, {})

    def user(self, app_name: str, user_id: str) -> dict[str, Any]:
        return self.users.get((app_name, user_id), {})

    def update_app(self, app_name: str, delta: dict[str, Any]) -> None:
        """`dict.update`, as ADK merges a delta into an app's state (a null is kept)."""
        if delta:
            self.apps.setdefault(app_name, {}).update(deep_copy(delta))

    def update_user(self, app_name: str, user_id: str, delta: dict[str, Any]) -> None:
        if delta:
            self.users.setdefault((app_name, user_id), {}).update(deep_copy(delta))

    def to_json(self) -> dict[str, Any]:
        apps = {str(n): {"app_name": app, "state": state}
                for n, (app, state) in enumerate(sorted(self.apps.items()), start=1)}
        users = {str(n): {"app_name": app, "user_id": user, "state": state}
                 for n, ((app, user), state) in enumerate(sorted(self.users.items()), start=1)}
        return {APP_TABLE: apps, USER_TABLE: users}

    @classmethod
    def from_json(cls, value: Any, where: str) -> "SharedState":
        """Read what `to_json` wrote (None: nothing shared yet). CorruptFile names `where`."""
        shared = cls()
        if value is None:
            return shared

        def bad(what: str) -> CorruptFile:
            return CorruptFile(f"{where}: not the shared app and user state ({what})")

        if not isinstance(value, dict):
            raise bad("not an object")
        for table, keys in ((APP_TABLE, ("app_name",)), (USER_TABLE, ("app_name", "user_id"))):
            docs = value.get(table, {})
            if not isinstance(docs, dict):
                raise bad(f"table {table!r} is not an object")
            for doc_id, doc in docs.items():
                if not (isinstance(doc, dict) and isinstance(doc.get("state"), dict)
                        and all(isinstance(doc.get(k), str) for k in keys)):
                    raise bad(f"table {table!r} document {doc_id}")
                state = deep_copy(doc["state"])  # never the backend's cached document
                if table == APP_TABLE:
                    shared.apps[doc["app_name"]] = state
                else:
                    shared.users[(doc["app_name"], doc["user_id"])] = state
        return shared
