"""Take sessions out: the export shape (one object, or JSON Lines for many), written atomically,
never over an existing file unless asked."""

from __future__ import annotations

from pathlib import Path

from ..model import Session
from ..store.atomic import write_atomic
from ..store.errors import StoreError
from . import session_json


def encode_sessions(sessions: list[Session]) -> bytes:
    if len(sessions) == 1:
        return session_json.dumps_session(sessions[0])
    return session_json.dumps_sessions_jsonl(sessions)


def write_file(path: Path, data: bytes, overwrite: bool = False) -> Path:
    if path.exists() and not overwrite:
        raise StoreError(f"{path}: already exists (use --force to overwrite)")
    if not path.parent.exists():
        raise StoreError(f"{path.parent}: no such folder")
    write_atomic(path, data)
    return path
