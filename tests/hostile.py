"""Shared bits for the hostile-input tests (tests/test_limits.py, tests/formats/test_fuzz_imports.py):
files in every importable format built from raw pieces (so that they can hold anything), and
the one rule every import obeys: it imports correctly and round-trips, or it fails with one
line and leaves the store as it was, byte for byte."""

from __future__ import annotations

import io
import json
import sqlite3
import sys
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import orjson

from session_tui import cli, jsonio
from session_tui.formats import adk_json, reading, session_json
from session_tui.model import Session, SessionFormatError
from session_tui.store import StoreError, open_store
from filetree import tree_hashes  # noqa: F401  (shared; re-exported for the tests here)

FORMATS = ("session-json", "jsonl", "tinydb", "adk-json", "adk-sqlite")


def deep(levels: int, leaf: Any = 1) -> Any:
    """A value nested `levels` levels (jsonio's count: containers within the outermost one)."""
    value = leaf
    for _ in range(levels + 1):
        value = {"d": value}
    return value


class Deep:
    """Stands for `deep(levels)` in what `big_json` writes: written as text, so that values far
    deeper than any JSON library writes (or Python's C stack holds) can be made."""

    def __init__(self, levels: int):
        self.levels = levels

    def text(self) -> str:
        return '{"d":' * (self.levels + 1) + "1" + "}" * (self.levels + 1)


def big_json(value: Any) -> str:
    """json.dumps for values deeper than the standard library writes at its default limit
    (up to a few thousand levels; `Deep` markers for more)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    markers: dict[str, Deep] = {}

    def marker(item: Any) -> str:
        if not isinstance(item, Deep):
            raise TypeError(type(item).__name__)
        key = f"\0deep{len(markers)}\0"
        markers[key] = item
        return key

    try:
        text = json.dumps(value, ensure_ascii=False, default=marker)
    finally:
        sys.setrecursionlimit(limit)
    for key, item in markers.items():
        text = text.replace(json.dumps(key), item.text())
    return text


def session_doc(**fields: Any) -> dict[str, Any]:
    doc = {"id": "s1", "app_name": "app", "user_id": "u", "state": {},
           "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
           "events": []}
    doc.update(fields)
    return doc


def event_doc(**fields: Any) -> dict[str, Any]:
    doc = {"id": "e1", "invocation_id": "i1", "author": "agent", "content": "hi",
           "actions": {"state_delta": {}}, "timestamp": 1790000000.0}
    doc.update(fields)
    return doc


# ------------------------------------------------------------------------ writing each format


def write_adk_sqlite(path: Path, sessions: list[dict[str, Any]]) -> None:
    """A `SqliteSessionService` database (`.adk/session.db`) holding ADK JSON sessions: each
    session's `state` and each event's `event_data` written as given (text is kept as is)."""
    db = sqlite3.connect(path)
    try:
        db.executescript("""
            CREATE TABLE app_states (app_name TEXT PRIMARY KEY, state TEXT NOT NULL, update_time REAL NOT NULL);
            CREATE TABLE user_states (app_name TEXT NOT NULL, user_id TEXT NOT NULL, state TEXT NOT NULL,
                update_time REAL NOT NULL, PRIMARY KEY (app_name, user_id));
            CREATE TABLE sessions (app_name TEXT NOT NULL, user_id TEXT NOT NULL, id TEXT NOT NULL,
                state TEXT NOT NULL, create_time REAL NOT NULL, update_time REAL NOT NULL,
                PRIMARY KEY (app_name, user_id, id));
            CREATE TABLE events (id TEXT NOT NULL, app_name TEXT NOT NULL, user_id TEXT NOT NULL,
                session_id TEXT NOT NULL, invocation_id TEXT NOT NULL, timestamp REAL NOT NULL,
                event_data TEXT NOT NULL, PRIMARY KEY (app_name, user_id, session_id, id));
        """)
        for s in sessions:
            state = s.get("state", {})
            db.execute("INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
                       (s["appName"], s["userId"], s["id"],
                        state if isinstance(state, str) else big_json(state),
                        _real(s.get("createTime", 1790000000.0)), _real(s.get("lastUpdateTime", 1790000000.0))))
            for e in s.get("events", []):
                ts = e.get("timestamp", 0) if isinstance(e, dict) else 0
                db.execute("INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (str(e.get("id", "")) if isinstance(e, dict) else "x", s["appName"],
                            s["userId"], s["id"],
                            str(e.get("invocationId", "")) if isinstance(e, dict) else "x",
                            _real(ts),
                            e if isinstance(e, str) else big_json(e)))
        db.commit()
    finally:
        db.close()


def _real(value: Any) -> Any:
    """What a REAL column can hold: SQLite refuses integers beyond 64 bits (a fuzzed time can be
    one); text goes in as it is, as a hostile file could have it; anything else as 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value if isinstance(value, str) else 0
    return float(value) if abs(value) < 1e300 else 0


def write_format(path: Path, kind: str, docs: list[dict[str, Any]]) -> Path:
    """Write session documents (export shape; ADK shape for the ADK kinds) as `kind`."""
    if kind == "session-json":
        text = big_json(docs[0] if len(docs) == 1 else docs)
    elif kind == "jsonl":
        text = "\n".join(big_json(d) for d in docs) + "\n"
    elif kind == "tinydb":
        text = big_json({"_default": {str(i + 1): d for i, d in enumerate(docs)}})
    elif kind == "adk-json":
        text = big_json(docs[0] if len(docs) == 1 else docs)
    elif kind == "adk-sqlite":
        path.unlink(missing_ok=True)
        write_adk_sqlite(path, docs)
        return path
    else:  # pragma: no cover
        raise ValueError(kind)
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


def adk_doc(doc: dict[str, Any]) -> dict[str, Any]:
    """An export-shape session document as ADK JSON (through session-tui's own writer)."""
    return adk_json.to_adk_json(Session.from_json(doc, check=False))


# ------------------------------------------------------------------------------------ the rule


def assert_one_line(exc: BaseException) -> None:
    message = str(exc)
    assert message and "\n" not in message and "\r" not in message, repr(message)
    assert "Traceback" not in message


def shown(store_path: Path, session_id: str, as_json: bool = False) -> bytes:
    """What `session-tui show` prints for the session (in process)."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="surrogateescape")
    with redirect_stdout(out):
        code = cli.main(["--store", str(store_path), "show", *(["--json"] if as_json else []),
                         "--", session_id])
    out.flush()
    assert code == 0
    return out.buffer.getvalue()


def import_or_refuse(source: Path, store_path: Path, check_show: bool = True) -> str:
    """Import `source` into the store at `store_path` the way the CLI and the app do (read, then
    import all or nothing). Returns "imported" after checking that every session is stored as
    read and exports (session JSON, JSON Lines, ADK JSON) give it back, or "refused" after
    checking the error is one line and the store unchanged. Anything else raises."""
    before = tree_hashes(store_path)
    try:
        sessions = reading.read_path(source)
        store = open_store(store_path)
        report = store.import_sessions(sessions, on_conflict="replace")
    except (SessionFormatError, StoreError) as exc:
        assert_one_line(exc)
        assert tree_hashes(store_path) == before
        return "refused"
    # Where each session went: under its id (the last of the same id, app and user wins, as
    # `replace` says), or under a new one when another app or user had the id first.
    placed = [(sid, sid) for sid in report.added + report.replaced] + list(report.renamed)
    assert len(placed) == len({(s.id, s.app_name, s.user_id) for s in sessions})
    for original, session_id in placed:
        stored = store.get(session_id)
        got = stored.export()
        candidates = [s.export() for s in sessions if s.id == original]
        if session_id != original:
            got["id"] = original
            if got.get("original_id") == original and all("original_id" not in c for c in candidates):
                del got["original_id"]
        assert got == [c for c in candidates if (c["app_name"], c["user_id"]) == (
            got["app_name"], got["user_id"])][-1]
        assert_round_trips(stored)
        if check_show:
            shown(store_path, session_id)
            assert orjson.loads(shown(store_path, session_id, as_json=True)) == orjson.loads(
                jsonio.dumps(stored.export()))
    return "imported"


def assert_round_trips(session: Session) -> None:
    """Every export format gives the session back."""
    exported = session.export()
    one = session_json.read_sessions(session_json.dumps_session(session), "one.json")
    assert [s.export() for s in one] == [exported]
    lines = session_json.dumps_sessions_jsonl([session, session])
    assert [s.export() for s in session_json.read_sessions(lines, "x.jsonl")] == [exported] * 2
    adk = adk_json.read_adk_json(adk_json.dumps_adk(session), "x.session.json")
    assert len(adk) == 1 and adk_json.to_adk_json(adk[0]) == adk_json.to_adk_json(session)
    assert session.copy().export() == exported
