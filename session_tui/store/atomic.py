"""Atomic file writes and the TinyDB storage that uses them.

TinyDB's own JSONStorage overwrites its file in place (a crash mid-write corrupts it) and keeps no
lock. Here every write goes to a temporary file in the same folder, is fsynced, replaces the
target with os.replace, and the folder is fsynced, so a reader (or a crash) sees the old file or
the new one, never a mix. Callers hold the store's lock around read-modify-write.
"""

from __future__ import annotations

import contextlib
import gc
import os
import secrets
from pathlib import Path
from typing import Any

import orjson

from .. import jsonio
from tinydb.storages import Storage

from .errors import CorruptFile

TMP_MARK = ".tmp-"


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while a big session is parsed or built: 100k events
    are ~1M new objects, and collections triggered by them made loading 3-4x slower."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def temp_path(target: Path) -> Path:
    """A temporary name beside `target` that no reader takes for data (leading dot, .tmp-)."""
    return target.with_name(f".{target.name}{TMP_MARK}{os.getpid()}-{secrets.token_hex(4)}")


def write_atomic(target: Path, data: bytes) -> None:
    target = Path(target)
    tmp = temp_path(target)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        raise
    fsync_dir(target.parent)


def remove_file(target: Path) -> None:
    try:
        os.unlink(target)
    except FileNotFoundError:
        return
    fsync_dir(Path(target).parent)


def is_temp(name: str) -> bool:
    return name.startswith(".") and TMP_MARK in name


def read_json(path: Path, what: str = "") -> Any:
    """Parse a JSON file, or raise CorruptFile naming the file and the problem."""
    data = Path(path).read_bytes()
    if not data.strip():
        return None
    try:
        return jsonio.loads(data)
    except orjson.JSONDecodeError as exc:
        raise CorruptFile(f"{path}: not valid JSON{what}: {exc}") from None
    except jsonio.JSONLimitError as exc:  # nested deeper than anything session-tui writes
        raise CorruptFile(f"{path}: {exc}") from None


def file_sig(path: Path) -> list[int] | None:
    """A stat signature that changes with every atomic replace (new inode) and every write."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns]


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
