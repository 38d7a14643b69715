"""The session-tui / rs-adk export shape as bytes: one session object, a JSON array of them, or
JSON Lines (one session per non-blank line).

Reading is all or nothing: the first bad item raises `SessionFormatError` naming the source and
the place, on one line (`sessions.jsonl: line 3: events[0].timestamp: expected a number, got
"abc"`, `dump.json: [2].app_name: missing`). Writing is exact: orjson, known fields first.
"""

from __future__ import annotations

import re
from typing import Iterable

import orjson

from .. import jsonio
from ..model import SESSION_FIELDS, Session, SessionFormatError, got, sessions_from_json

_SNIFF_BYTES = 65536
# The first key of a top-level object and the first character of its value.
_FIRST_KEY_RE = re.compile(rb'\A\{\s*"((?:[^"\\]|\\.)*)"\s*:\s*(\S)')
# The first key of an object that starts at the beginning of the text.
_INNER_KEY_RE = re.compile(rb'\A\{\s*"((?:[^"\\]|\\.)*)"\s*:')


def _decode_problem(exc: orjson.JSONDecodeError, with_line: bool = True) -> str:
    at = f"line {exc.lineno} column {exc.colno}" if with_line else f"column {exc.colno}"
    return f"not valid JSON: {exc.msg} at {at}"


def read_sessions(data: bytes, source: str = "<input>") -> list[Session]:
    """Every session in `data` (one object, an array, or JSON Lines), or SessionFormatError
    naming `source` and the place of the first problem. Blank input holds no sessions."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    data = jsonio.strip_bom(bytes(data))
    if not data.strip():
        return []
    try:
        value = jsonio.parse(data)
    except jsonio.JSONLimitError as exc:
        raise SessionFormatError(source, str(exc)) from None
    except orjson.JSONDecodeError as whole_exc:
        lines = _json_lines(data)
        if lines is None:
            raise SessionFormatError(source, _decode_problem(whole_exc)) from None
        return _read_lines(lines, source)
    if isinstance(value, dict):
        try:
            return [Session.from_json(value)]
        except SessionFormatError as exc:
            raise exc.in_source(source) from None
    if isinstance(value, list):
        try:
            return sessions_from_json(value)
        except SessionFormatError as exc:
            raise exc.in_source(source) from None
    raise SessionFormatError(source, f"expected a session object, an array of them or JSON Lines, got {got(value)}")


def _json_lines(data: bytes) -> list[tuple[int, bytes]] | None:
    """(line number, line) for each non-blank line, when `data` looks like JSON Lines: more
    than one non-blank line, the first of them a whole JSON object. Else None."""
    lines = [(n, line.strip()) for n, line in enumerate(data.split(b"\n"), start=1)]
    lines = [(n, line) for n, line in lines if line]
    if len(lines) < 2 or not lines[0][1].startswith(b"{"):
        return None
    try:
        first = orjson.loads(lines[0][1])
    except orjson.JSONDecodeError:
        return None  # (too deep included: the whole input's error says so)
    return lines if isinstance(first, dict) else None


def _read_lines(lines: list[tuple[int, bytes]], source: str) -> list[Session]:
    out = []
    for n, line in lines:
        where = f"{source}: line {n}"
        try:
            value = jsonio.parse(line)
        except jsonio.JSONLimitError as exc:
            raise SessionFormatError(where, str(exc)) from None
        except orjson.JSONDecodeError as exc:
            raise SessionFormatError(where, _decode_problem(exc, with_line=False)) from None
        try:
            out.append(Session.from_json(value))
        except SessionFormatError as exc:
            raise exc.in_source(where) from None
    return out


def dumps_session(session: Session) -> bytes:
    """One session as an indented JSON object, with a trailing newline."""
    return jsonio.dumps(session.export(share=True), jsonio.INDENT) + b"\n"


def dumps_sessions_jsonl(sessions: Iterable[Session]) -> bytes:
    """JSON Lines: one compact session object per line (no sessions: empty)."""
    return b"".join(jsonio.dumps(s.export(share=True)) + b"\n" for s in sessions)


def looks_like_session_json(data: bytes) -> bool:
    """A cheap guess, from the first 64 KiB, whether `data` is in the export shape (an object,
    an array or JSON Lines of sessions with snake_case keys), as opposed to ADK's camelCase
    JSON, a TinyDB file (`{"_default": {"1": {...}}}`), SQLite or anything else."""
    head = jsonio.strip_bom(bytes(data[: _SNIFF_BYTES + len(jsonio.BOM)])).lstrip()
    if head[:1] not in (b"{", b"["):
        return False
    if b'"app_name"' not in head or b'"user_id"' not in head:
        return False
    if b'"appName"' in head or b'"userId"' in head:
        return False
    if head[:1] == b"{":
        m = _FIRST_KEY_RE.match(head)
        if m and m.group(2) == b"{" and m.group(1).decode("utf-8", "replace") not in SESSION_FIELDS:
            inner = _INNER_KEY_RE.match(head[m.end(2) - 1:])
            if inner and inner.group(1).isdigit():
                return False  # a TinyDB table of documents
    return True
