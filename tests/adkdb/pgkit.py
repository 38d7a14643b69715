"""Helpers for the PostgreSQL tests: google-adk's own DatabaseSessionService on the suite's
server (tests/pgserver.py), the judge of what session-tui reads and writes there."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager

from google.adk.events import Event, EventActions
from google.adk.sessions import DatabaseSessionService
from google.genai import types


def adk_url(pg_server, dbname: str) -> str:
    """The URL google-adk takes: its asyncio engine needs an async driver; psycopg 3 is one."""
    return pg_server.url(dbname, driver="psycopg")


@asynccontextmanager
async def adk_service(url: str):
    service = DatabaseSessionService(url)
    try:
        yield service
    finally:
        await service.close()


def run(coro_fn, url: str):
    """asyncio.run(coro_fn(service)) with google-adk's service on `url`, closed after."""
    async def main():
        async with adk_service(url) as service:
            return await coro_fn(service)
    return asyncio.run(main())


def text_event(author: str, text: str, *, invocation_id: str, delta: dict | None = None,
               timestamp: float | None = None) -> Event:
    role = "user" if author == "user" else "model"
    kwargs = {"timestamp": timestamp} if timestamp is not None else {}
    return Event(author=author, invocation_id=invocation_id,
                 content=types.Content(role=role, parts=[types.Part(text=text)]),
                 actions=EventActions(state_delta=delta or {}), **kwargs)


async def fill(service, *, app: str = "app", users=("alice", "bob"), sessions_per_user: int = 2,
               turns: int = 2) -> list:
    """Sessions with app:/user:/session state and a few invocations each, written by google-adk."""
    made = []
    for user in users:
        for n in range(sessions_per_user):
            session = await service.create_session(
                app_name=app, user_id=user, session_id=f"{user}-s{n}",
                state={"topic": f"t{n}", "app:model": "m1", f"user:name": user.title()})
            for turn in range(turns):
                inv = f"inv-{user}-{n}-{turn}"
                await service.append_event(session, text_event(
                    "user", f"question {turn}", invocation_id=inv))
                await service.append_event(session, text_event(
                    "agent", f"answer {turn}", invocation_id=inv,
                    delta={"turn": turn, "app:calls": turn + n, "user:seen": turn,
                           "temp:scratch": "x", "maybe": None}))
            made.append(session)
    return made


def tables(pg_server, dbname: str) -> dict[str, list[tuple]]:
    """Every row of every table of the database, for exact comparisons (JSONB decoded: PostgreSQL
    keeps it in one canonical form; times to the microsecond)."""
    names = [r[0] for r in pg_server.admin(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
        "ORDER BY table_name", dbname=dbname)]
    return {n: sorted(pg_server.admin(f'SELECT * FROM "{n}"', dbname=dbname), key=repr)
            for n in names}


def decoded(pg_server, dbname: str, *, skip_shared_times: bool = False) -> dict[str, list]:
    """The ADK tables as dicts by column; without the update_time of app/user state rows where
    asked (google-adk stamps them with the server's clock)."""
    out = {}
    for table in ("sessions", "events", "app_states", "user_states"):
        cols = [r[0] for r in pg_server.admin(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
            f"AND table_name = '{table}' ORDER BY ordinal_position", dbname=dbname)]
        rows = []
        for row in pg_server.admin(f'SELECT * FROM "{table}"', dbname=dbname):
            item = dict(zip(cols, row))
            if skip_shared_times and table in ("app_states", "user_states"):
                item.pop("update_time")
            rows.append(item)
        out[table] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return out


def last_event_data(pg_server, dbname: str, sid: str = "s1") -> dict:
    return pg_server.admin(
        f"SELECT event_data FROM events WHERE session_id = '{sid}' "
        "ORDER BY timestamp DESC, id DESC LIMIT 1", dbname=dbname)[0][0]
