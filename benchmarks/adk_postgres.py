"""Listing and opening a 10,000-session ADK database on PostgreSQL: session-tui against
google-adk's own DatabaseSessionService (list_sessions / get_session) on the same data.

    python benchmarks/adk_postgres.py                 # 10,000 sessions x 10 events
    python benchmarks/adk_postgres.py --sessions 500  # smaller
    python benchmarks/adk_postgres.py --json

Starts its own PostgreSQL server (tests/pgserver.py, as the test suite does). The data is
written by google-adk: one session of `--events` events through `create_session` /
`append_event`, then copied row for row into the other sessions by SQL (same JSONB, same
times, new ids), which is what google-adk would have written for each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests" / "adkdb")]

APP = "bench"


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def timed(fn, repeat: int) -> dict:
    """Best and median wall time of `repeat` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return {"best_ms": round(min(times), 1), "median_ms": round(statistics.median(times), 1),
            "runs": repeat}


def fill(server, dbname: str, sessions: int, events: int, users: int) -> None:
    from pgkit import adk_service, text_event

    async def seed():
        async with adk_service(server.url(dbname, driver="psycopg")) as service:
            session = await service.create_session(
                app_name=APP, user_id="user0", session_id="seed",
                state={"topic": "seed", "app:model": "m", "user:name": "U"})
            for n in range(events):
                inv = f"inv-{n // 2}"
                await service.append_event(session, text_event(
                    "user" if n % 2 == 0 else "agent", f"message {n} " + "lorem ipsum " * 20,
                    invocation_id=inv, delta={"turn": n} if n % 2 else None))

    asyncio.run(seed())
    # Copies of the seed session: ids s00001..., users spread over `users` user ids.
    copy_sessions = f"""
        INSERT INTO sessions (app_name, user_id, id, state, create_time, update_time)
        SELECT s.app_name, 'user' || (g % {users}), 's' || lpad(g::text, 6, '0'), s.state,
               s.create_time + g * interval '1 second', s.update_time + g * interval '1 second'
        FROM sessions s, generate_series(1, {sessions - 1}) g WHERE s.id = 'seed'"""
    copy_events = f"""
        INSERT INTO events (id, app_name, user_id, session_id, invocation_id, timestamp,
                            event_data)
        SELECT e.id || '-' || g, e.app_name, 'user' || (g % {users}),
               's' || lpad(g::text, 6, '0'), e.invocation_id, e.timestamp + g * interval '1 second',
               jsonb_set(e.event_data, '{{id}}', to_jsonb(e.id || '-' || g))
        FROM events e, generate_series(1, {sessions - 1}) g WHERE e.session_id = 'seed'"""
    copy_users = f"""
        INSERT INTO user_states (app_name, user_id, state, update_time)
        SELECT app_name, 'user' || g, state, update_time FROM user_states,
               generate_series(1, {users - 1}) g WHERE user_id = 'user0'"""
    for statement in (copy_sessions, copy_events, copy_users, "ANALYZE"):
        server.admin(statement, dbname=dbname)


def adk_side(url: str, some_session: tuple[str, str], repeat: int) -> dict:
    from google.adk.sessions import DatabaseSessionService

    figures = {}

    async def main():
        service = DatabaseSessionService(url)
        await service.prepare_tables()
        loop_times = {"list": [], "get": []}
        for _ in range(repeat):
            start = time.perf_counter()
            listed = await service.list_sessions(app_name=APP, user_id=None)
            loop_times["list"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            session = await service.get_session(app_name=APP, user_id=some_session[0],
                                                session_id=some_session[1])
            loop_times["get"].append((time.perf_counter() - start) * 1000)
        figures["listed"] = len(listed.sessions)
        figures["events_in_opened"] = len(session.events)
        for name, times in loop_times.items():
            figures[name] = {"best_ms": round(min(times), 1),
                             "median_ms": round(statistics.median(times), 1), "runs": repeat}
        await service.close()

    asyncio.run(main())
    return figures


def our_side(url: str, some_session: tuple[str, str], repeat: int) -> dict:
    try:
        from session_tui.opening import open_any
    except ImportError as exc:
        return {"skipped": f"session_tui.opening is not on this branch ({exc})"}
    figures = {}

    def open_and_list():
        # A new store each time: a new connection and the list read from SQL (a store keeps
        # its list until the change check says the database changed).
        fresh = open_any(url)
        listed.append(fresh.list())
        fresh.close()

    listed = []
    figures["list"] = timed(open_and_list, repeat)
    figures["listed"] = len(listed[-1])
    store = open_any(url)
    store.list()
    figures["list_again_unchanged"] = timed(store.list, repeat)
    figures["change_check"] = timed(store.poll, repeat)
    target = next(s for s in listed[-1] if s["id"].endswith(some_session[1]))
    opened = []
    figures["get"] = timed(lambda: opened.append(store.get(target["id"])), repeat)
    figures["events_in_opened"] = len(opened[-1].events)
    close = getattr(store, "close", None)
    if close:
        close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from pgserver import PgServer

    start = time.perf_counter()
    server = PgServer.start()
    started = time.perf_counter() - start
    try:
        with tempfile.TemporaryDirectory(prefix="adk-pg-bench-") as tmp:
            os.environ["SESSION_TUI_DATA"] = tmp  # undo records (none are written here)
            dbname = server.create_database("bench")
            say(f"filling {args.sessions} sessions x {args.events} events ...")
            start = time.perf_counter()
            fill(server, dbname, args.sessions, args.events, args.users)
            filled = time.perf_counter() - start
            url = server.url(dbname, driver="psycopg")
            some = ("user7", f"s{args.sessions // 2 + 7 - (args.sessions // 2) % args.users:06d}")
            say("google-adk ...")
            adk = adk_side(url, some, args.repeat)
            say("session-tui ...")
            ours = our_side(server.url(dbname), some, args.repeat)
    finally:
        server.stop()
    result = {"sessions": args.sessions, "events_per_session": args.events, "users": args.users,
              "server_start_s": round(started, 2), "fill_s": round(filled, 1),
              "google_adk": adk, "session_tui": ours}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{args.sessions} sessions x {args.events} events on PostgreSQL "
          f"(server started in {started:.2f} s, filled in {filled:.1f} s)")
    for side, figures in (("google-adk", adk), ("session-tui", ours)):
        if "skipped" in figures:
            print(f"  {side}: skipped: {figures['skipped']}")
            continue
        print(f"  {side}: {'open + ' if side == 'session-tui' else ''}list "
              f"{figures['list']['median_ms']} ms "
              f"(best {figures['list']['best_ms']}, {figures['listed']} sessions); "
              f"open one session {figures['get']['median_ms']} ms "
              f"(best {figures['get']['best_ms']}, {figures['events_in_opened']} events)"
              + (f"; list again unchanged {figures['list_again_unchanged']['median_ms']} ms, "
                 f"change check {figures['change_check']['median_ms']} ms"
                 if "change_check" in figures else ""))


if __name__ == "__main__":
    main()
