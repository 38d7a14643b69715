"""Atomic file writes and the TinyDB storage that uses them.

TinyDB's own JSONStorage overwrites its file in place (a crash mid-write corrupts it) and keeps no
lock. Here every write goes to a temporary file in the same folder, is fsynced, replaces the
target with os.replace, and the folder is fsynced, so a reader (or a crash) sees the old file or
the new one, never a mix. Callers hold the store's lock around read-modify-write.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import secrets
from pathlib import Path
from typing import Any

import orjson

from .. import jsonio
from tinydb.storages import Storage

from .errors import CorruptFile, StoreError
from .paths import read_regular

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


def _failed(exc: OSError, target: Path) -> OSError:
    """The same error, naming the file it was about (not its temporary twin, or none)."""
    return OSError(exc.errno, exc.strerror or str(exc), str(target))


def stage(target: Path, data: bytes) -> Path:
    """Write `data` to a new temporary file beside `target`, fsynced, and return its path:
    every byte a change needs is on disk before anything is replaced. On failure (a full
    disk, no permission) nothing remains and the OSError names `target`."""
    target = Path(target)
    tmp = temp_path(target)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        raise _failed(exc, target) from None
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.close(fd)
        discard(tmp)
        if isinstance(exc, OSError):
            raise _failed(exc, target) from None
        raise
    try:
        os.close(fd)
    except OSError as exc:  # NFS and friends report a full disk on close
        discard(tmp)
        raise _failed(exc, target) from None
    return tmp


def commit(tmp: Path, target: Path) -> None:
    """Put a staged file in place: readers see the old file or the new one, never a mix."""
    target = Path(target)
    try:
        os.replace(tmp, target)
    except OSError as exc:
        discard(tmp)
        raise _failed(exc, target) from None
    fsync_dir(target.parent)


def discard(tmp: Path) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def write_atomic(target: Path, data: bytes) -> None:
    commit(stage(target, data), target)


def write_files(writes: list[tuple[Path, bytes]], deletes: list[Path] = ()) -> None:
    """Replace these files, in order, then delete those: all or nothing when something fails
    (a full disk, no permission). Every new file is staged first, so a full disk fails before
    anything is replaced; if replacing or deleting one still fails, the files already replaced
    are put back from aside copies (hard links to the old files: no bytes copied). Not atomic
    across a crash: callers order the files so that a crash between two is harmless."""
    staged: list[tuple[Path, Path]] = []
    asides: dict[Path, Path | None] = {}  # target -> its old file kept aside (None: was absent)
    try:
        for target, data in writes:
            staged.append((stage(target, data), Path(target)))
        steps = [t for _, t in staged] + [Path(p) for p in deletes]
        for target in steps[:-1]:  # the last step has nothing after it that could fail
            asides[target] = _aside(target)
    except OSError:
        for tmp, _ in staged:
            discard(tmp)
        _drop_asides(asides)
        raise
    done: list[Path] = []
    try:
        for tmp, target in staged:
            commit(tmp, target)
            done.append(target)
        for target in deletes:
            try:
                os.unlink(target)
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise _failed(exc, target) from None
            done.append(Path(target))
            fsync_dir(Path(target).parent)
    except OSError:
        for tmp, _ in staged[len(done):]:
            discard(tmp)
        for target in reversed(done):
            _put_back(target, asides.get(target))
        _drop_asides(asides)
        raise
    _drop_asides(asides)


def _aside(target: Path) -> Path | None:
    """Keep the current file at `target` under a temporary name (a hard link, or a copy where
    the file system has none); None when there is no file."""
    if not os.path.lexists(target):
        return None
    aside = temp_path(target)
    try:
        os.link(target, aside)
        return aside
    except OSError:  # no hard links here (or no room for one): a copy, or the reason it fails
        return stage(target, Path(target).read_bytes())


def _put_back(target: Path, aside: Path | None) -> None:
    """Undo one replace or delete of write_files (best effort: it runs after a failure)."""
    try:
        if aside is None:
            os.unlink(target)
        else:
            os.replace(aside, target)
        fsync_dir(target.parent)
    except OSError:
        pass


def _drop_asides(asides: dict[Path, Path | None]) -> None:
    for aside in asides.values():
        if aside is not None:
            discard(aside)


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


def remove_file(target: Path) -> None:
    try:
        os.unlink(target)
    except FileNotFoundError:
        return
    fsync_dir(Path(target).parent)


def is_temp(name: str) -> bool:
    return name.startswith(".") and TMP_MARK in name


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


def file_sig(path: Path, follow_symlinks: bool = True) -> list[int] | None:
    """A stat signature that changes with every atomic replace (new inode) and every write;
    `follow_symlinks=False`: of the entry itself (a link is not followed)."""
    try:
        st = os.stat(path, follow_symlinks=follow_symlinks)
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
