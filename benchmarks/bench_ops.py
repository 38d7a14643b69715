"""The store's, the CLI's and google-adk's figures, each run in a fresh process (benchmarks/run.py
starts this file with a figure name and a JSON argument; it prints one JSON line):

    append   STORE-S3     append one event: ms, bytes the process wrote (/proc/self/io wchar)
    edit     STORE-S2     a state edit, persisted (Store.set_value)
    rewind   STORE-S3     rewind to the middle invocation, then undo it (the store as before)
    ours     STORE-S1     open the store, list every session, get 100 (the peer row, ours)
    adk      DB-S1        google-adk's DatabaseSessionService: list every app's sessions, get 100
    get      STORE / DB   get the one session of S3: ours (open + get), google-adk's
    in_place DB           an ADK database opened in place: list, get one (ours and google-adk's)

Times exclude the imports, include opening the store (or the service).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def written_bytes() -> int:
    """Bytes this process has passed to write() so far."""
    with open("/proc/self/io") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("wchar:"))


def _only_session(store) -> str:
    return next(iter(store.ids()))


def append(args: dict) -> dict:
    from session_tui.model import Event, EventActions
    from session_tui.store import open_store

    store = open_store(args["path"])
    sid = _only_session(store)
    event = Event(uuid.uuid4().hex, "e-bench-" + uuid.uuid4().hex, "assistant",
                  "Here is what I found.", EventActions({"k1": {"n": 1, "v": 0.5}}), time.time())
    before = written_bytes()
    t0 = time.perf_counter()
    # What an agent calls (append_event also hands the session back); a tree from before
    # store.append existed is measured through append_event.
    getattr(store, "append", store.append_event)(sid, event)
    took = time.perf_counter() - t0
    return {"append_ms": round(took * 1000, 2), "append_bytes": written_bytes() - before}


def edit(args: dict) -> dict:
    from session_tui.store import open_store

    store = open_store(args["path"])
    sid = sorted(store.ids())[len(store.ids()) // 2]
    t0 = time.perf_counter()
    store.set_value(sid, "/bench", {"edited": time.time()})
    return {"edit_ms": round((time.perf_counter() - t0) * 1000, 2)}


def rewind(args: dict) -> dict:
    from session_tui.store import open_store

    store = open_store(args["path"])
    sid = _only_session(store)
    invocations = store.get(sid).invocation_ids()
    middle = invocations[len(invocations) // 2]
    t0 = time.perf_counter()
    store.rewind(sid, middle)
    t1 = time.perf_counter()
    store.undo(sid)
    t2 = time.perf_counter()
    return {"rewind_ms": round((t1 - t0) * 1000, 1), "undo_ms": round((t2 - t1) * 1000, 1)}


def _import_stores() -> None:
    """The store classes, which `session_tui.store` imports only when first asked for: imported
    before the clock starts, as google-adk's are on the peer side (imports are not timed)."""
    from session_tui.store import DirectoryStore, TinyFileStore  # noqa: F401


def ours(args: dict) -> dict:
    from session_tui.store import open_store

    _import_stores()
    t0 = time.perf_counter()
    store = open_store(args["path"])
    rows = store.list()
    for row in rows[:: max(1, len(rows) // 100)][:100]:
        store.get(row["id"])
    return {"s": round(time.perf_counter() - t0, 4), "listed": len(rows)}


def _service(path: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from google.adk.sessions import DatabaseSessionService
    return DatabaseSessionService(f"sqlite+aiosqlite:///{path}")


async def _adk(path: str, keys: list[list[str]], gets: int) -> int:
    svc = _service(path)
    try:
        listed = 0
        for app in sorted({k[0] for k in keys}):
            listed += len((await svc.list_sessions(app_name=app)).sessions)
        for app, user, sid in keys[:: max(1, len(keys) // gets)][:gets]:
            await svc.get_session(app_name=app, user_id=user, session_id=sid)
        return listed
    finally:
        await svc.close()


def _keys(args: dict) -> list[list[str]]:
    """[app, user, id] of every session (from a file: too many for a command line)."""
    return json.loads(Path(args["keys_file"]).read_text())


def adk(args: dict) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import google.adk.sessions  # noqa: F401  (imports are not timed)
    t0 = time.perf_counter()
    listed = asyncio.run(_adk(args["path"], _keys(args), 100))
    return {"s": round(time.perf_counter() - t0, 4), "listed": listed}


async def _adk_get(path: str, key: list[str]) -> int:
    svc = _service(path)
    try:
        got = await svc.get_session(app_name=key[0], user_id=key[1], session_id=key[2])
        return len(got.events)
    finally:
        await svc.close()


def get(args: dict) -> dict:
    if args.get("adk_key"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import google.adk.sessions  # noqa: F401
        t0 = time.perf_counter()
        events = asyncio.run(_adk_get(args["path"], args["adk_key"]))
    else:
        from session_tui.opening import open_any

        _import_stores()
        t0 = time.perf_counter()
        store = open_any(args["path"])
        events = len(store.get(args.get("id") or _only_session(store)).events)
    return {"s": round(time.perf_counter() - t0, 4), "events": events}


def in_place(args: dict) -> dict:
    """Ours on an ADK database (open_any: in place) and google-adk's own, list and get one."""
    from session_tui.opening import open_any

    keys = _keys(args)
    middle = keys[len(keys) // 2]
    _import_stores()
    t0 = time.perf_counter()
    store = open_any(args["path"])
    listed = len(store.list())
    t1 = time.perf_counter()
    store.get(middle[2])
    t2 = time.perf_counter()
    store.close()

    async def theirs() -> tuple[float, float]:
        svc = _service(args["path"])
        try:
            s0 = time.perf_counter()
            for app in sorted({k[0] for k in keys}):
                await svc.list_sessions(app_name=app)
            s1 = time.perf_counter()
            await svc.get_session(app_name=middle[0], user_id=middle[1], session_id=middle[2])
            return s1 - s0, time.perf_counter() - s1
        finally:
            await svc.close()

    their_list, their_get = asyncio.run(theirs())
    return {"ours_list_s": round(t1 - t0, 4), "ours_get_s": round(t2 - t1, 4),
            "adk_list_s": round(their_list, 4), "adk_get_s": round(their_get, 4),
            "listed": listed}


FIGURES = {f.__name__: f for f in (append, edit, rewind, ours, adk, get, in_place)}


def main() -> int:
    figures = FIGURES[sys.argv[1]](json.loads(sys.argv[2]))
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
