"""Listing and opening sessions of a big ADK SQLite database in place (issue 9), against the same
sessions in a session-tui store folder (its index is a TinyDB file) and against google-adk's own
`list_sessions` / `get_session` on the same database.

    python benchmarks/adk_in_place.py                 # 10,000 sessions, both ADK layouts
    python benchmarks/adk_in_place.py --sessions 500  # a quick run
    python benchmarks/adk_in_place.py --json          # one JSON object on stdout

The database is written with plain SQL inserts shaped exactly like google-adk's rows (its own
service creates the schema first; the benchmark then checks that google-adk reads a session
back as session-tui does). Each figure is the median of --repeat runs, in milliseconds;
"list" opens the store (or the service) afresh and lists every session; "open" reads one
session whole (the one in the middle of the list).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

APPS = ("weather_app", "travel_app", "support_bot", "research_agent")
EVENTS_PER_SESSION = 8


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _naive(unix: float) -> str:
    return datetime.fromtimestamp(unix, tz=timezone.utc).replace(tzinfo=None).strftime(
        "%Y-%m-%d %H:%M:%S.%f")


def _event(n: int, session: int, invocation: str, author: str, ts: float) -> dict:
    """An event as google-adk 2.13's Event.model_dump(exclude_none=True) gives it."""
    words = (f"message {n} of session {session}: " + "lorem ipsum dolor sit amet " * 6).strip()
    role = "user" if author == "user" else "model"
    delta = {"step": n, "topic": f"topic-{session % 17}"} if author != "user" else {}
    return {"content": {"parts": [{"text": words}], "role": role}, "invocation_id": invocation,
            "author": author,
            "actions": {"state_delta": delta, "artifact_delta": {}, "requested_auth_configs": {},
                        "requested_tool_confirmations": {}},
            "node_info": {"path": ""}, "id": str(uuid.uuid4()), "timestamp": ts}


async def _schema(layout: str, path: Path) -> None:
    """Let google-adk create its own empty schema (one session made and deleted)."""
    svc = _service(layout, path)
    try:
        await svc.create_session(app_name="x", user_id="x", session_id="x")
        await svc.delete_session(app_name="x", user_id="x", session_id="x")
    finally:
        await svc.close()


def _service(layout: str, path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from google.adk.sessions import DatabaseSessionService
        from google.adk.sessions.sqlite_session_service import SqliteSessionService
    if layout == "database":
        return DatabaseSessionService(f"sqlite+aiosqlite:///{path}")
    return SqliteSessionService(str(path))


def build(layout: str, path: Path, sessions: int) -> list[tuple[str, str, str]]:
    asyncio.run(_schema(layout, path))
    compact = layout == "sqlite"
    dumps = (lambda v: json.dumps(v, separators=(",", ":"), ensure_ascii=False)) if compact \
        else json.dumps
    time_of = (lambda t: t) if compact else _naive
    keys = []
    start = 1_780_000_000.0
    with sqlite3.connect(path) as db:
        for s in range(sessions):
            app, user, sid = APPS[s % len(APPS)], f"user-{s % 250}", str(uuid.uuid4())
            keys.append((app, user, sid))
            created = start + s * 60
            events, state = [], {"customer": f"c-{s}", "plan": "pro" if s % 3 else "free"}
            for n in range(EVENTS_PER_SESSION):
                ts = created + n * 2.5
                event = _event(n, s, f"e-{s}-{n // 2}", "user" if n % 2 == 0 else "bot", ts)
                state.update(event["actions"]["state_delta"])
                events.append(event)
            db.execute("INSERT INTO sessions (app_name, user_id, id, state, create_time, "
                       "update_time) VALUES (?, ?, ?, ?, ?, ?)",
                       (app, user, sid, dumps(state), time_of(created),
                        time_of(events[-1]["timestamp"])))
            db.executemany(
                "INSERT INTO events (id, app_name, user_id, session_id, invocation_id, "
                "timestamp, event_data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(e["id"], app, user, sid, e["invocation_id"], time_of(e["timestamp"]), dumps(e))
                 for e in events])
        for app in APPS:
            if layout == "database":
                db.execute("INSERT OR IGNORE INTO app_states (app_name, state, update_time) "
                           "VALUES (?, ?, ?)", (app, "{}", _naive(start)))
        if layout == "database":
            db.executemany("INSERT OR IGNORE INTO user_states (app_name, user_id, state, "
                           "update_time) VALUES (?, ?, ?, ?)",
                           [(a, u, "{}", _naive(start)) for a, u, _ in keys])
    return keys


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 1)


def measure(layout: str, sessions: int, repeat: int, tmp: Path) -> dict:
    from session_tui.formats import adk_sqlite
    from session_tui.opening import open_any
    from session_tui.store import open_store
    from session_tui.store.directory import DirectoryStore

    path = tmp / f"{layout}.db"
    say(f"{layout}: writing {sessions:,} sessions x {EVENTS_PER_SESSION} events ...")
    keys = build(layout, path, sessions)
    middle = keys[len(keys) // 2]

    def ours_list():
        store = open_any(path)
        assert len(store.list()) == sessions
        store.close()

    store = open_any(path)
    middle_id = middle[2]

    def ours_open():
        assert len(store.get(middle_id).events) == EVENTS_PER_SESSION

    async def adk_list_all():
        svc = _service(layout, path)
        try:
            n = 0
            for app in APPS:
                n += len((await svc.list_sessions(app_name=app)).sessions)
            assert n == sessions
        finally:
            await svc.close()

    async def adk_get_one():
        svc = _service(layout, path)
        try:
            got = await svc.get_session(app_name=middle[0], user_id=middle[1],
                                        session_id=middle[2])
            assert len(got.events) == EVENTS_PER_SESSION
            return got
        finally:
            await svc.close()

    # google-adk reads the rows as session-tui does (the shape of the inserts is right).
    adk = asyncio.run(adk_get_one())
    mine = store.get(middle_id)
    assert [e.id for e in adk.events] == [e.id for e in mine.events]
    assert adk.state == mine.state, (adk.state, mine.state)

    say(f"{layout}: importing them into a session-tui store folder ...")
    folder = tmp / f"{layout}-store"
    DirectoryStore(folder, create=True).import_sessions(adk_sqlite.read_sqlite_path(path))

    def tiny_list():
        assert len(open_store(folder).list()) == sessions

    tiny = open_store(folder)

    def tiny_open():
        assert len(tiny.get(middle_id).events) == EVENTS_PER_SESSION

    say(f"{layout}: measuring ({repeat} runs each) ...")
    figures = {
        "sessions": sessions, "events": sessions * EVENTS_PER_SESSION,
        "db_bytes": path.stat().st_size,
        "adk_in_place_list_ms": median_ms(ours_list, repeat),
        "adk_in_place_open_ms": median_ms(ours_open, repeat),
        "store_folder_list_ms": median_ms(tiny_list, repeat),
        "store_folder_open_ms": median_ms(tiny_open, repeat),
        "google_adk_list_ms": median_ms(lambda: asyncio.run(adk_list_all()), repeat),
        "google_adk_open_ms": median_ms(lambda: asyncio.run(adk_get_one()), repeat),
    }
    store.close()
    for what in ("list", "open"):
        ours = figures[f"adk_in_place_{what}_ms"]
        figures[f"{what}_vs_store_folder"] = round(ours / figures[f"store_folder_{what}_ms"], 2)
        figures[f"{what}_vs_google_adk"] = round(ours / figures[f"google_adk_{what}_ms"], 2)
    shutil.rmtree(folder, ignore_errors=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--layout", choices=("sqlite", "database", "both"), default="both")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    layouts = ("sqlite", "database") if args.layout == "both" else (args.layout,)
    results = {}
    with tempfile.TemporaryDirectory(prefix="adk-in-place-") as tmp:
        for layout in layouts:
            results[layout] = measure(layout, args.sessions, args.repeat, Path(tmp))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for layout, f in results.items():
            print(f"{layout} layout: {f['sessions']:,} sessions, {f['events']:,} events, "
                  f"{f['db_bytes'] / 1e6:.1f} MB")
            print(f"  list: in place {f['adk_in_place_list_ms']} ms | store folder "
                  f"{f['store_folder_list_ms']} ms (x{f['list_vs_store_folder']}) | google-adk "
                  f"list_sessions {f['google_adk_list_ms']} ms (x{f['list_vs_google_adk']})")
            print(f"  open: in place {f['adk_in_place_open_ms']} ms | store folder "
                  f"{f['store_folder_open_ms']} ms (x{f['open_vs_store_folder']}) | google-adk "
                  f"get_session {f['google_adk_open_ms']} ms (x{f['open_vs_google_adk']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
