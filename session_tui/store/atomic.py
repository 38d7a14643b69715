"""The store's own files: reading them as JSON (CorruptFile naming the file), what a failed
write says, whether a store can be written, and the TinyDB storage that writes atomically.
The atomic writes themselves are `session_tui.files` (formats write through them too); callers
hold the store's lock around read-modify-write.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import orjson

from .. import jsonio
from tinydb.storages import Storage

from ..files import write_atomic
from .errors import CorruptFile, StoreError
from .paths import read_regular


def cannot_write(exc: OSError, path: Path | str | None = None) -> StoreError:
    """A failed write as the one-line StoreError the store raises: what and where."""
    return StoreError(f"{exc.filename or path}: cannot write: {exc.strerror or exc}")


def write_problem(paths) -> str | None:
    """Why these folders and files (those that exist) cannot be written, in one line, or None.
    A read-only store is opened read-only rather than refused: reading needs no write access."""
    for path in paths:
        path = Path(path)
        if not path.exists() or os.access(path, os.W_OK):
            continue
        try:
            read_only_fs = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
        except (OSError, AttributeError):  # pragma: no cover - platforms without statvfs
            read_only_fs = False
        return f"{path}: read-only ({'read-only file system' if read_only_fs else 'no write permission'})"
    return None


def denied(exc: OSError) -> bool:
    """A write refused for good (permissions, a read-only file system), not for lack of room."""
    return exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)


def lock_problem(lock) -> str | None:
    """Why the store's lock cannot be taken (it cannot be created or opened), or None. Held
    by another writer is no problem: it can be taken once they are done."""
    from filelock import Timeout

    try:
        lock.acquire(timeout=0)
    except Timeout:
        return None
    except OSError as exc:
        return f"{lock.lock_file}: read-only (cannot take the lock: {exc.strerror or exc})"
    lock.release()
    return None


def read_json(path: Path, what: str = "", follow_symlinks: bool = False) -> Any:
    """Parse a JSON file, or raise CorruptFile naming the file and the problem (a symbolic link,
    a folder, a FIFO... included: see paths.read_regular)."""
    data = read_regular(Path(path), follow_symlinks)
    if not data.strip():
        return None
    try:
        return jsonio.loads(data)
    except orjson.JSONDecodeError as exc:
        raise CorruptFile(f"{path}: not valid JSON{what}: {exc}") from None
    except jsonio.JSONLimitError as exc:  # nested deeper than anything session-tui writes
        raise CorruptFile(f"{path}: {exc}") from None


class AtomicOrjsonStorage(Storage):
    """A TinyDB storage: orjson for speed, atomic replace for safety. Every read parses the
    file afresh, so callers never share TinyDB's cached objects."""

    def __init__(self, path: str | os.PathLike, create: bool = True):
        self.path = Path(path)
        if create and not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            value = read_json(self.path)
        except FileNotFoundError:
            return None
        if value is not None and not isinstance(value, dict):
            raise CorruptFile(f"{self.path}: not a TinyDB file (top level is not an object)")
        return value

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        write_atomic(self.path, jsonio.dumps(data))

    def close(self) -> None:
        pass
