"""Write the real ADK fixtures under tests/fixtures/adk/ with google-adk's own session services.

    pip install -e '.[test]'        # google-adk[db] is in the test extra
    python scripts/make_adk_fixtures.py [--out tests/fixtures/adk]

- `database.db`: `DatabaseSessionService` (SQLAlchemy, `sqlite+aiosqlite:///...`): the
  `adk_internal_metadata` table, naive UTC text times, `events.event_data` as snake_case JSON.
- `sqlite.db`: `SqliteSessionService` (what `adk web` / `adk run` keep in `.adk/session.db`):
  the same four tables, no metadata table, REAL Unix times.
- `session.json`: one session as `adk run --save_session` and the `adk web` Export button write
  it: `public_session(session).model_dump_json(indent=2, exclude_none=True, by_alias=True)`.

The same conversation goes into both databases: 2 apps, 2 users, 5 sessions (two of them share an
id in different apps), initial state with app:/user:/temp: keys, state deltas (one of them a
null), function calls and responses in content, a transfer, an escalation, skip_summarization,
usage metadata, a branch, unicode and an id with `/` and spaces. No model is called, nothing goes
to the network. Ids and times are fixed (a fake clock), so a rerun gives the same data.
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from pathlib import Path

from google.adk.events import Event, EventActions
from google.adk.platform import time as platform_time
from google.adk.sessions import DatabaseSessionService
from google.adk.sessions.sqlite_session_service import SqliteSessionService
from google.genai import types

try:  # what `adk run --save_session` passes the session through (google-adk 2.x)
    from google.adk.events._internal_metadata import public_session
except ImportError:  # pragma: no cover - older google-adk
    def public_session(session):
        return session

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "adk"
# 2026-03-01T09:00:00Z; steps with sub-microsecond fractions, as time.time() gives.
START = 1772355600.0


class Clock:
    def __init__(self, start: float):
        self.t = start

    def __call__(self) -> float:
        return self.t

    def tick(self, seconds: float) -> float:
        self.t += seconds
        return self.t


def uid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "session-tui-fixture:" + name))


def text(role: str, value: str) -> types.Content:
    return types.Content(role=role, parts=[types.Part(text=value)])


def call(name: str, args: dict, call_id: str) -> types.Content:
    return types.Content(role="model", parts=[
        types.Part(function_call=types.FunctionCall(name=name, args=args, id=call_id))])


def response(name: str, result: dict, call_id: str) -> types.Content:
    return types.Content(role="user", parts=[
        types.Part(function_response=types.FunctionResponse(name=name, response=result, id=call_id))])


async def fill(service, clock: Clock) -> None:
    """The conversation, appended through `service` exactly as a Runner would."""

    async def add(session, tag: str, invocation: str, author: str, content=None, dt: float = 1.2345678,
                  **fields):
        actions = fields.pop("actions", None) or EventActions()
        event = Event(id=uid(f"{session.id}/{tag}"), invocation_id=invocation, author=author,
                      content=content, actions=actions, timestamp=clock.tick(dt), **fields)
        await service.append_event(session, event)

    # weather_app / alice: tools, state of every scope, a transfer, a null delta.
    s = await service.create_session(
        app_name="weather_app", user_id="alice", session_id="weather-alice-1",
        state={"units": "metric", "app:greeting": "Hello", "user:name": "Alice",
               "temp:scratch": 1, "history": []})
    inv = "e-" + uid("w1-inv1")
    await add(s, "1", inv, "user", text("user", "What's the weather in Paris? ☀️"), dt=3.25)
    call_id = "adk-" + uid("w1-call1")
    await add(s, "2", inv, "weather_agent", call("get_weather", {"city": "Paris", "days": 2}, call_id),
              usage_metadata=types.GenerateContentResponseUsageMetadata(
                  prompt_token_count=812, candidates_token_count=14, total_token_count=826))
    await add(s, "3", inv, "weather_agent",
              response("get_weather", {"temp_c": 18.5, "sky": "clear", "alerts": None}, call_id),
              actions=EventActions(state_delta={"last_city": "Paris", "user:favourite_city": "Paris",
                                                "temp:raw": {"t": 18.5}, "app:lookups": 1}))
    await add(s, "4", inv, "weather_agent",
              text("model", "It is 18.5 °C and clear in Paris.\nTomorrow: the same."),
              actions=EventActions(state_delta={"history": ["Paris"]}), turn_complete=True)
    inv = "e-" + uid("w1-inv2")
    await add(s, "5", inv, "user", text("user", "And in 東京? Also, book me a flight there."), dt=95.5)
    call_id = "adk-" + uid("w1-call2")
    await add(s, "6", inv, "weather_agent",
              call("transfer_to_agent", {"agent_name": "travel_agent"}, call_id),
              long_running_tool_ids={call_id})
    await add(s, "7", inv, "weather_agent", response("transfer_to_agent", {"result": None}, call_id),
              actions=EventActions(transfer_to_agent="travel_agent", skip_summarization=True,
                                   state_delta={"last_city": None}))
    await add(s, "8", inv, "travel_agent", text("model", "Travel agent here: no flights to Tokyo today."),
              branch="weather_agent.travel_agent",
              actions=EventActions(escalate=True, state_delta={"app:lookups": 2}))

    # weather_app / bob: an app: write that alice's sessions see too.
    s = await service.create_session(app_name="weather_app", user_id="bob",
                                     session_id="weather-bob-1", state={"user:name": "Bob"})
    inv = "e-" + uid("w2-inv1")
    await add(s, "1", inv, "user", text("user", "Hi! Is it raining in Oslo?"), dt=61.0)
    await add(s, "2", inv, "weather_agent", text("model", "Yes: 7 mm expected."),
              actions=EventActions(state_delta={"app:greeting": "Hei", "last_city": "Oslo"}))

    # travel_app / alice: an id with a slash, spaces and unicode.
    s = await service.create_session(app_name="travel_app", user_id="alice",
                                     session_id="trip/2026 ✈ #1",
                                     state={"app:currency": "EUR", "budget": {"max": 900, "spent": 0}})
    inv = "e-" + uid("t1-inv1")
    await add(s, "1", inv, "user", text("user", "Find me a train from Paris to Lyon"), dt=7.75)
    call_id = "adk-" + uid("t1-call1")
    await add(s, "2", inv, "travel_agent",
              call("search_trains", {"from": "Paris", "to": "Lyon", "date": "2026-03-02"}, call_id))
    await add(s, "3", inv, "travel_agent",
              response("search_trains", {"trains": [{"dep": "08:04", "price": 39.0}]}, call_id),
              actions=EventActions(state_delta={"budget": {"max": 900, "spent": 39.0},
                                                "user:home": "Paris"}))

    # travel_app / bob: no events at all.
    await service.create_session(app_name="travel_app", user_id="bob", session_id="empty-session",
                                 state={"note": "nothing yet"})
    clock.tick(2.5)
    # The same id as a weather_app session, in another app and for another user.
    s = await service.create_session(app_name="travel_app", user_id="bob", session_id="weather-alice-1")
    await add(s, "1", "e-" + uid("t2-inv1"), "user", text("user", "same id, other app"), dt=1.0)


async def write_database(path: Path, clock: Clock) -> None:
    service = DatabaseSessionService(f"sqlite+aiosqlite:///{path}")
    try:
        await fill(service, clock)
    finally:
        await service.close()


async def write_sqlite(path: Path, clock: Clock) -> SqliteSessionService:
    service = SqliteSessionService(str(path))
    await fill(service, clock)
    return service


async def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in ("database.db", "sqlite.db", "session.json"):
        (out / name).unlink(missing_ok=True)
    clock = Clock(START)
    platform_time.set_time_provider(clock)
    try:
        await write_database(out / "database.db", clock)
        clock.t = START
        service = await write_sqlite(out / "sqlite.db", clock)
        session = await service.get_session(app_name="weather_app", user_id="alice",
                                            session_id="weather-alice-1")
        assert session is not None
        # As `adk run --save_session` writes it (google/adk/cli/cli.py).
        (out / "session.json").write_text(
            public_session(session).model_dump_json(indent=2, exclude_none=True, by_alias=True),
            encoding="utf-8")
        await service.close()
    finally:
        platform_time.reset_time_provider()
    for name in ("database.db", "sqlite.db", "session.json"):
        print(f"{out / name}: {(out / name).stat().st_size} bytes")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    asyncio.run(main(parser.parse_args().out))
