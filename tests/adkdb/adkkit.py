"""Helpers for the ADK-in-place tests: databases built by google-adk itself, google-adk's own
reads of them, full table dumps, and a model-free agent run by google-adk's Runner."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import warnings
from pathlib import Path
from typing import Any, AsyncGenerator

import pytest

pytest.importorskip("google.adk")
pytest.importorskip("aiosqlite")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from google.adk.agents.base_agent import BaseAgent
    from google.adk.events.event import Event as AdkEvent
    from google.adk.events.event_actions import EventActions as AdkActions
    from google.adk.runners import Runner
    from google.adk.sessions import DatabaseSessionService
    from google.adk.sessions.sqlite_session_service import SqliteSessionService
    from google.genai import types

LAYOUTS = ("sqlite", "database")
APP = "helper_app"


def service(layout: str, path: Path):
    if str(path).startswith("postgresql"):  # a database on the suite's server (pgkit.py)
        return DatabaseSessionService(str(path))
    if layout == "database":
        return DatabaseSessionService(f"sqlite+aiosqlite:///{path}")
    return SqliteSessionService(str(path))


def run(coro):
    return asyncio.run(coro)


def text(role: str, words: str) -> types.Content:
    return types.Content(role=role, parts=[types.Part(text=words)])


async def _append(svc, session, invocation: str, author: str, words: str | None,
                  delta: dict | None = None):
    event = AdkEvent(invocation_id=invocation, author=author,
                     content=text("user" if author == "user" else "model", words) if words else None,
                     actions=AdkActions(state_delta=delta or {}))
    return await svc.append_event(session, event)


async def _build(layout: str, path: Path, creation_keys: bool) -> None:
    svc = service(layout, path)
    try:
        start = {"app:flag": 1, "user:name": "ann"}
        if creation_keys:
            start["created"] = "at creation"
        s1 = await svc.create_session(app_name=APP, user_id="u1", state=start, session_id="s1")
        await _append(svc, s1, "inv-1", "user", "hello", {"a": 1})
        await _append(svc, s1, "inv-1", "bot", "hi there", {"b": [1, 2]})
        await _append(svc, s1, "inv-2", "user", "more", {"a": 2, "user:name": "bob",
                                                          "app:flag": 2, "temp:t": 9})
        await _append(svc, s1, "inv-2", "bot", "sure", {"c": {"x": 1}, "d": None})
        await _append(svc, s1, "inv-3", "user", "last", {"a": 3})
        s2 = await svc.create_session(app_name=APP, user_id="u2", session_id="s2")
        await _append(svc, s2, "inv-9", "user", "other user", {"z": True})
        await svc.create_session(app_name="other_app", user_id="u1", session_id="lonely")
    finally:
        await svc.close()


def build(layout: str, path: Path, creation_keys: bool = False) -> Path:
    """An ADK database written by google-adk: sessions s1 (5 events, 3 invocations, app:/user:
    keys), s2 (another user), lonely (another app, no events)."""
    run(_build(layout, path, creation_keys))
    return path


def copy(path: Path, name: str) -> Path:
    target = path.with_name(name)
    shutil.copy2(path, target)
    return target


async def _get(layout: str, path: Path, app: str, user: str, sid: str):
    svc = service(layout, path)
    try:
        return await svc.get_session(app_name=app, user_id=user, session_id=sid)
    finally:
        await svc.close()


def adk_get(layout: str, path: Path, app: str = APP, user: str = "u1", sid: str = "s1"):
    return run(_get(layout, path, app, user, sid))


async def _list(layout: str, path: Path, apps: tuple[str, ...]):
    svc = service(layout, path)
    try:
        out = []
        for app in apps:
            out.extend((await svc.list_sessions(app_name=app)).sessions)
        return out
    finally:
        await svc.close()


def adk_list(layout: str, path: Path, apps=(APP, "other_app")):
    return run(_list(layout, path, apps))


def adk_dump(session) -> dict:
    return session.model_dump(mode="json", exclude_none=True)


def tables(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table (rowid order aside), for byte-exact comparisons."""
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: sorted(db.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}


def decoded(path: Path, *, skip_shared_times: bool = False) -> dict[str, list]:
    """The tables with JSON columns decoded (text spelling aside) and, where asked, the
    update_time of app/user state rows left out (DatabaseSessionService stamps them with the
    database's clock, to the second)."""
    with sqlite3.connect(path) as db:
        out: dict[str, list] = {}
        for table in ("sessions", "events", "app_states", "user_states"):
            cols = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
            rows = []
            for row in db.execute(f'SELECT * FROM "{table}"'):
                item = dict(zip(cols, row))
                for name in ("state", "event_data"):
                    if isinstance(item.get(name), str):
                        item[name] = json.loads(item[name])
                if skip_shared_times and table in ("app_states", "user_states"):
                    item.pop("update_time")
                rows.append(item)
            out[table] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
        return out


class CountingAgent(BaseAgent):
    """A model-free agent: each run replies once and counts its runs in the state."""

    async def _run_async_impl(self, ctx) -> AsyncGenerator[AdkEvent, None]:
        runs = ctx.session.state.get("runs") or 0
        yield AdkEvent(invocation_id=ctx.invocation_id, author=self.name,
                       branch=ctx.branch, content=text("model", f"run {runs + 1}"),
                       actions=AdkActions(state_delta={"runs": runs + 1}))


async def _run_agent(layout: str, path: Path, user: str, sid: str, words: str) -> list[Any]:
    svc = service(layout, path)
    try:
        runner = Runner(app_name=APP, agent=CountingAgent(name="bot"), session_service=svc)
        return [e async for e in runner.run_async(user_id=user, session_id=sid,
                                                  new_message=text("user", words))]
    finally:
        await svc.close()


def run_agent(layout: str, path: Path, user: str = "u1", sid: str = "s1",
              words: str = "go on") -> list[Any]:
    """One run of the model-free agent on the session, through google-adk's Runner."""
    return run(_run_agent(layout, path, user, sid, words))


async def _rewind(layout: str, path: Path, user: str, sid: str, invocation: str) -> None:
    svc = service(layout, path)
    try:
        runner = Runner(app_name=APP, agent=CountingAgent(name="bot"), session_service=svc)
        await runner.rewind_async(user_id=user, session_id=sid,
                                  rewind_before_invocation_id=invocation)
    finally:
        await svc.close()


def adk_rewind(layout: str, path: Path, invocation: str, user: str = "u1", sid: str = "s1"):
    run(_rewind(layout, path, user, sid, invocation))


async def _append_like(layout: str, path: Path, data: dict, user: str, sid: str) -> None:
    svc = service(layout, path)
    try:
        session = await svc.get_session(app_name=APP, user_id=user, session_id=sid)
        await svc.append_event(session, AdkEvent.model_validate(data))
    finally:
        await svc.close()


def adk_append(layout: str, path: Path, data: dict, user: str = "u1", sid: str = "s1"):
    """google-adk's append_event of an event equal to `data` (its id and time included)."""
    run(_append_like(layout, path, data, user, sid))
