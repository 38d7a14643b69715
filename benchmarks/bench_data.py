"""The data benchmarks/run.py measures, built with the project's own API in a temporary folder.

S1 = 1,000 sessions x 50 events, S2 = 10,000 x 100, S3 = one session of 100,000 events,
S4 = 100,000 x 20 (`--quick`: tiny versions of each), plus the same S1 and S3 sessions in
google-adk's own SQLite database (DatabaseSessionService) for the peer rows, and an ADK
database of 10,000 sessions opened in place (issue 9).

Store folders are filled by `Store.import_sessions` in batches of `demo.generate_sessions`
sessions, with fsync turned off in the building process only: the data is thrown away after
the run, and a durable build of S4 (100,000 files) would take most of an hour.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO), str(HERE)]

FULL = {"S1": (1_000, 50), "S2": (10_000, 100), "S3": (1, 100_000), "S4": (100_000, 20)}
QUICK = {"S1": (40, 10), "S2": (200, 20), "S3": (1, 2_000), "S4": (400, 5)}
ADK_SESSIONS = {False: 10_000, True: 100}
BATCH_EVENTS = 200_000  # events per import_sessions call


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _seed(name: str) -> int:
    return {"S1": 11, "S2": 12, "S3": 13, "S4": 14}[name]


def build_store(folder: Path, n_sessions: int, n_events: int, seed: int) -> None:
    """A store folder of generated sessions (fsync off in this process only)."""
    from session_tui.demo import generate_sessions
    from session_tui.store import DirectoryStore

    os.fsync = lambda fd: None  # a throw-away build: see the module docstring
    store = DirectoryStore(folder, create=True)
    batch = max(1, BATCH_EVENTS // max(n_events, 1))
    sessions = generate_sessions(n_sessions, n_events, seed=seed)
    done = 0
    while done < n_sessions:
        chunk = [next(sessions) for _ in range(min(batch, n_sessions - done))]
        store.import_sessions(chunk)
        done += len(chunk)
        if n_sessions > batch:
            say(f"  {folder.name}: {done:,} of {n_sessions:,} sessions")
    store.close()


def _naive(unix: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(unix, tz=timezone.utc).replace(tzinfo=None).strftime(
        "%Y-%m-%d %H:%M:%S.%f")


def empty_adk_db(path: Path) -> None:
    """google-adk's DatabaseSessionService schema, made by its own service once per run (its
    import takes seconds) and copied."""
    from adk_in_place import _schema

    template = path.parent / "adk-schema.db"
    if not template.exists():
        asyncio.run(_schema("database", template))
    shutil.copyfile(template, path)


def build_adk_db(path: Path, n_sessions: int, n_events: int, seed: int) -> list[list[str]]:
    """The same generated sessions in google-adk's DatabaseSessionService SQLite schema (rows
    as it writes them); returns [app, user, id] of each."""
    from session_tui.demo import generate_sessions
    from session_tui.formats.adk_json import event_to_adk
    from session_tui.model import parse_time

    empty_adk_db(path)
    keys = []
    with sqlite3.connect(path) as db:
        for session in generate_sessions(n_sessions, n_events, seed=seed):
            key = [session.app_name, session.user_id, session.id]
            keys.append(key)
            db.execute("INSERT INTO sessions (app_name, user_id, id, state, create_time, "
                       "update_time) VALUES (?, ?, ?, ?, ?, ?)",
                       (*key, json.dumps(session.state),
                        _naive(parse_time(session.created_at).timestamp()),
                        _naive(parse_time(session.updated_at).timestamp())))
            db.executemany(
                "INSERT INTO events (id, app_name, user_id, session_id, invocation_id, "
                "timestamp, event_data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(e.id, *key, e.invocation_id, _naive(e.timestamp), json.dumps(event_to_adk(e)))
                 for e in session.events])
        apps = sorted({k[0] for k in keys})
        db.executemany("INSERT OR IGNORE INTO app_states (app_name, state, update_time) "
                       "VALUES (?, ?, ?)", [(a, "{}", _naive(0)) for a in apps])
        db.executemany("INSERT OR IGNORE INTO user_states (app_name, user_id, state, update_time)"
                       " VALUES (?, ?, ?, ?)", sorted({(a, u, "{}", _naive(0)) for a, u, _ in keys}))
    return keys


def have_adk() -> bool:
    """google-adk installed (the peer rows need it: its `test` extra, Python 3.11+)."""
    import importlib.util

    try:
        return importlib.util.find_spec("google.adk") is not None
    except ModuleNotFoundError:
        return False


def build_all(root: Path, sizes: list[str], quick: bool) -> dict:
    """Every data set `sizes` needs; returns what the measurements need to know about them.
    Without google-adk, no ADK databases (their figures are null)."""
    table = QUICK if quick else FULL
    data: dict = {"sizes": {}, "build_s": {}}
    adk = have_adk()
    for name in sizes:
        n_sessions, n_events = table[name]
        say(f"building {name}: {n_sessions:,} sessions x {n_events:,} events ...")
        t0 = time.perf_counter()
        folder = root / name
        build_store(folder, n_sessions, n_events, _seed(name))
        data["sizes"][name] = {"path": str(folder), "sessions": n_sessions, "events": n_events}
        if adk and name in ("S1", "S3"):  # the peer rows: google-adk's own database of the same data
            db = root / f"{name}-adk.db"
            keys = build_adk_db(db, n_sessions, n_events, _seed(name))
            data["sizes"][name].update(adk_db=str(db), adk_keys=keys)
        data["build_s"][name] = round(time.perf_counter() - t0, 1)
    if adk and "S2" in sizes:  # item 5: an ADK database opened in place
        from adk_in_place import build as build_in_place

        n = ADK_SESSIONS[quick]
        say(f"building an ADK database of {n:,} sessions ...")
        t0 = time.perf_counter()
        db = root / "adk-in-place.db"
        keys = build_in_place("database", db, n)
        data["adk_in_place"] = {"path": str(db), "sessions": n, "keys": [list(k) for k in keys]}
        data["build_s"]["adk_in_place"] = round(time.perf_counter() - t0, 1)
    return data
