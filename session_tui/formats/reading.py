"""Bring sessions in: recognise a file's format from its content, not its name, and read it
all or nothing (an error names the file, the item and the place)."""

from __future__ import annotations

from pathlib import Path

import orjson

from .. import jsonio
from ..errors import NotAStore, NotFound
from ..files import gc_paused
from ..model import Session, SessionFormatError
from . import session_json

SQLITE_MAGIC = b"SQLite format 3\x00"


EVAL_KINDS = {"adk-eval-set": "an ADK eval set", "adk-eval-result": "an ADK eval result"}


def _eval_kind(value: object) -> str | None:
    """ADK's eval files: an eval set (`*.evalset.json`) or an eval result (`*.evalset_result.json`,
    which ADK writes as a JSON string holding the JSON)."""
    if isinstance(value, str) and value.lstrip()[:1] == "{":
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
    if not isinstance(value, dict):
        return None
    if {"eval_set_result_id", "evalSetResultId", "eval_case_results", "evalCaseResults"} & value.keys():
        return "adk-eval-result"
    if {"eval_cases", "evalCases"} & value.keys() and {"eval_set_id", "evalSetId"} & value.keys():
        return "adk-eval-set"
    return None


def detect(data: bytes) -> str:
    """`sqlite`, `tinydb`, `adk-json`, `session-json`, `adk-eval-set`, `adk-eval-result`, or
    `unknown`."""
    if data.startswith(SQLITE_MAGIC):
        return "sqlite"
    data = jsonio.strip_bom(data)
    head = data.lstrip()[:1]
    if head == b'"':
        try:
            return _eval_kind(orjson.loads(data)) or "unknown"
        except orjson.JSONDecodeError:
            return "unknown"
    if head not in (b"{", b"["):
        return "unknown"
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        # JSON Lines do not parse as one document; too deep a document is refused as such.
        return "session-json" if head == b"{" or "depth" in str(exc) else "unknown"
    evals = _eval_kind(value)
    if evals:
        return evals
    first = value[0] if isinstance(value, list) and value else value
    if isinstance(first, dict):
        if "appName" in first or "userId" in first or "lastUpdateTime" in first:
            return "adk-json"
        if "last_update_time" in first and "created_at" not in first:
            return "adk-json"  # ADK's JSON with field names instead of aliases (ADK reads both)
        if "app_name" in first or "events" in first:
            return "session-json"
        if value is first and value and all(
                isinstance(t, dict) and all(isinstance(d, dict) for d in t.values())
                for t in value.values()):
            return "tinydb"
    return "session-json"


def read_bytes(data: bytes, source: str) -> list[Session]:
    with gc_paused():  # about half the time of a big read went to the collector
        return _read_bytes(data, source)


def _read_bytes(data: bytes, source: str) -> list[Session]:
    kind = detect(data)
    if kind == "sqlite":
        from . import adk_sqlite

        return adk_sqlite.read_sqlite_path(Path(source))
    if kind == "adk-json":
        from . import adk_json

        return adk_json.read_adk_json(data, source)
    if kind == "tinydb":
        from ..tinydb_tables import scan_tables

        try:
            tables = jsonio.parse(data.removeprefix(b"\xef\xbb\xbf"))
        except jsonio.JSONLimitError as exc:
            raise SessionFormatError(source, str(exc)) from None
        found, bad = scan_tables(Path(source), tables)
        if bad:
            raise SessionFormatError("", bad[0])
        return [s for _, _, s in found.values()]
    if kind in EVAL_KINDS:
        # A session per eval case (its run, or an eval set's expected conversation), the
        # expected side and the metrics in the session's `eval` extra: see adk_eval.
        from . import adk_eval

        return adk_eval.read_eval_bytes(data, source).sessions
    if kind == "unknown":
        raise SessionFormatError(source, "not a session file (expected JSON, JSON Lines or an ADK SQLite database)")
    return session_json.read_sessions(data, source)


def read_path(path: Path) -> list[Session]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SessionFormatError(str(path), "is a folder, not a file") from None
    return read_bytes(data, str(path))


def importable_kind(path: Path) -> str | None:
    """What `reading.detect` makes of a file that is not a store, when it looks importable:
    `sqlite` (with ADK's sessions and events tables), `adk-json`, `session-json` (its first
    record an object with session fields); else None (the store's error stands)."""
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
            if head == SQLITE_MAGIC:
                return "sqlite" if _adk_tables(path) else None
            data = head + f.read()
    except OSError:
        return None
    kind = detect(data)
    if kind == "adk-json":
        return kind
    if kind == "session-json" and _first_record_is_a_session(data):
        return kind
    return None


def refuse_eval_file(path: Path) -> None:
    """Raise NotAStore saying what is wrong when `path` looks like one of ADK's eval files
    but does not read as one (one that reads opens as a store: opening.open_eval_file)."""
    try:
        data = path.read_bytes()
    except OSError:
        return
    if data.lstrip()[:1] in (b"{", b'"') and detect(data) in EVAL_KINDS:
        try:
            read_bytes(data, str(path))
        except SessionFormatError as exc:
            raise NotAStore(str(exc)) from None


def _adk_tables(path: Path) -> bool:
    import contextlib
    import sqlite3

    try:
        uri = path.absolute().as_uri() + "?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
        names = {row[0] for row in rows}
    except sqlite3.Error:
        return False
    return {"sessions", "events"} <= names


def _first_record_is_a_session(data: bytes) -> bool:
    """`detect` calls any JSON object or array `session-json`; ask a little more: the first
    record (of the document, the array or the JSON Lines) has session fields."""
    import orjson

    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        try:
            value = orjson.loads(data.lstrip().split(b"\n", 1)[0])
        except orjson.JSONDecodeError:
            return False
    if isinstance(value, list):
        value = value[0] if value else None
    return isinstance(value, dict) and bool({"id", "app_name", "user_id", "events"} & value.keys())
