"""Take sessions out: the export shape (one object, or JSON Lines for many), or ADK's session JSON
(one `<id>.session.json` per session), written atomically, never over an existing file unless
asked."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..model import Session
from ..errors import StoreError
from ..files import write_atomic
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


# ------------------------------------------------------------------------------ ADK's JSON

_ADK_SUFFIX = ".session.json"
_ADK_SAFE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
_ADK_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                     *(f"lpt{i}" for i in range(10))}
_ADK_MAX_STEM = 120  # bytes: well under the usual 255-byte limit of a file name


def encode_adk(session: Session) -> bytes:
    """One session as ADK's session JSON (indented, as `adk run --save_session` writes it):
    what `adk run --resume` and the `adk web` Import button load."""
    from . import adk_json

    return adk_json.dumps_adk(session)


def _digest(text: str, n: int = 12) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def adk_file_name(session_id: str) -> str:
    """`<id>.session.json` when the id is a plain file name (letters, digits, `.`, `_`, `-`, not
    starting with a dot, short enough), else a sanitised prefix and a hash of the id: never a
    `/`, a `..` or anything else that leaves the folder."""
    if (_ADK_SAFE.fullmatch(session_id) and len(session_id) <= _ADK_MAX_STEM
            and session_id.split(".")[0].lower() not in _WINDOWS_RESERVED):
        return session_id + _ADK_SUFFIX
    prefix = _ADK_UNSAFE.sub("_", session_id).strip("._")[:40]
    return f"{prefix}-{_digest(session_id)}{_ADK_SUFFIX}" if prefix else f"{_digest(session_id)}{_ADK_SUFFIX}"


def adk_file_names(sessions: list[Session]) -> list[str]:
    """A file name for each session, distinct even where ids are the same (ADK keys sessions by
    app, user and id) or differ only in case (case-insensitive file systems)."""
    names = [adk_file_name(s.id) for s in sessions]
    counts: dict[str, int] = {}
    for name in names:
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    out: list[str] = []
    taken: set[str] = set()
    for session, name in zip(sessions, names):
        if counts[name.lower()] > 1:
            stem = name[: -len(_ADK_SUFFIX)]
            name = f"{stem}-{_digest(chr(0).join((session.app_name, session.user_id, session.id)), 8)}{_ADK_SUFFIX}"
        base, n = name, 2
        while name.lower() in taken:
            name = f"{base[: -len(_ADK_SUFFIX)]}~{n}{_ADK_SUFFIX}"
            n += 1
        taken.add(name.lower())
        out.append(name)
    return out


def write_adk(sessions: list[Session], folder: Path, overwrite: bool = False) -> list[Path]:
    """One `<id>.session.json` per session in `folder` (made if missing), each written
    atomically. Nothing is written if any target exists and `overwrite` is false."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"{folder}: not a folder (ADK export writes one file per session into a folder)")
    targets = [folder / name for name in adk_file_names(list(sessions))]
    if not overwrite:
        existing = [t for t in targets if t.exists()]
        if existing:
            more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
            raise StoreError(f"{existing[0]}: already exists{more} (use --force to overwrite)")
    blobs = [encode_adk(s) for s in sessions]  # encode everything before writing anything
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{folder}: cannot make the folder: {exc.strerror or exc}") from None
    written: list[Path] = []
    try:
        for target, data in zip(targets, blobs):
            existed = target.exists()
            write_atomic(target, data)
            if not existed:
                written.append(target)
    except OSError as exc:
        for path in written:  # all or nothing: take back the files this call made
            try:
                path.unlink()
            except OSError:
                pass
        raise StoreError(f"{exc.filename or folder}: cannot write: {exc.strerror or exc}") from None
    return targets


def export(sessions: list[Session], path: Path, format: str = "session", overwrite: bool = False) -> list[Path]:
    """The one export path of the CLI and the app. Session shape: one file (one session: an
    object, several: JSON Lines). ADK: one session and a path that is not a folder gives that
    file; several sessions (or a folder) give one `<id>.session.json` each in the folder."""
    path = Path(path)
    if format == "adk":
        if len(sessions) == 1 and not path.is_dir():
            return [write_file(path, encode_adk(sessions[0]), overwrite=overwrite)]
        return write_adk(sessions, path, overwrite=overwrite)
    if format != "session":
        raise StoreError(f"unknown export format {format!r} (session or adk)")
    return [write_file(path, encode_sessions(sessions), overwrite=overwrite)]
