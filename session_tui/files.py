"""Writing files so that a reader (or a crash) sees the old file or the new one, never a mix:
every write goes to a temporary file in the same folder, is fsynced, replaces the target with
os.replace, and the folder is fsynced (which the maintained atomic-write libraries do not do).
Nothing here knows about stores or formats: both write through it.
"""

from __future__ import annotations

import contextlib
import gc
import os
import secrets
from pathlib import Path

TMP_MARK = ".tmp-"


_frozen = False  # objects were frozen through `freeze` (by the app) and not thawed since


def freeze() -> None:
    """gc.freeze, remembered here: gc.get_freeze_count walks every frozen object (29 ms a call
    with an app's worth frozen), too dear to ask before each read."""
    global _frozen
    gc.freeze()
    _frozen = True


def thaw() -> bool:
    """gc.unfreeze, if `freeze` froze anything since the last thaw: whether it did."""
    global _frozen
    if not _frozen:
        return False
    gc.unfreeze()
    _frozen = False
    return True


@contextlib.contextmanager
def gc_paused(keep: bool = False):
    """Pause the cyclic garbage collector while a big session is parsed or built: 100k events
    are ~1M new objects, and collections triggered by them made loading 3-4x slower.
    `keep`: what was made is kept (a session read), so it goes straight to the oldest
    generation instead of being walked by the next young collection (70 ms for 100k events);
    cycles made meanwhile go at the next full collection. Not where objects are frozen (the
    app freezes what it shows): gc.unfreeze would thaw them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if keep and not _frozen and gc.get_freeze_count() == 0:  # (O(1) when none is)
                gc.freeze()  # (young and old alike into the permanent generation, no walk)
                gc.unfreeze()  # (all of it back into the oldest one, no walk)
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


def remove_file(target: Path) -> None:
    try:
        os.unlink(target)
    except FileNotFoundError:
        return
    fsync_dir(Path(target).parent)


def is_temp(name: str) -> bool:
    return name.startswith(".") and TMP_MARK in name


def file_sig(path: Path, follow_symlinks: bool = True) -> list[int] | None:
    """A stat signature that changes with every atomic replace (new inode) and every write;
    `follow_symlinks=False`: of the entry itself (a link is not followed)."""
    try:
        st = os.stat(path, follow_symlinks=follow_symlinks)
    except FileNotFoundError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns]
