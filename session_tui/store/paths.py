"""A store's own files are not trusted: a store may come from someone else, or be damaged.

Every path read from a store's files (the journal's moves and deletes, staging entries) is a
relative path checked here before use: no absolute path, no `..`, no NUL, nothing that is not a
plain name, and no symbolic link on the way (a link could lead out of the store). And every file
the store reads is opened without following a final symbolic link and without blocking (a FIFO
opens at once), then checked to be a regular file.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from .errors import CorruptFile

# One path component: a plain name, no leading dot (so neither `.` nor `..`), no separator.
_COMPONENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


class UnsafePath(CorruptFile):
    """A path read from a store's own files that does not stay inside the store."""


def kind_of(path: Path) -> str | None:
    """What is at `path` without following a symbolic link: None when nothing is there."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    return _kind_of_mode(mode)


def _kind_of_mode(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device file"


def _described(kind: str) -> str:
    return {"file": "a regular file", "folder": "a folder"}.get(kind, kind)


def odd_entry(path: Path, want: str) -> str | None:
    """One line when something other than `want` ("file" or "folder") is at `path`; None when
    it is what it should be or absent."""
    kind = kind_of(path)
    if kind is None or kind == want:
        return None
    return f"{path}: {_described(kind)}, not {_described(want)}"


def relative_parts(rel: object) -> tuple[str, ...]:
    """The components of a relative path read from a store file, or UnsafePath saying why not."""
    if not isinstance(rel, str):
        raise UnsafePath(f"{rel!r} is not a path")
    if "\x00" in rel:
        raise UnsafePath(f"{rel!r} holds a NUL character")
    if rel.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", rel) or os.path.isabs(rel):
        raise UnsafePath(f"{rel!r} is an absolute path")
    parts = tuple(rel.split("/"))
    for part in parts:
        if part in ("..", "."):
            raise UnsafePath(f"{rel!r} leads out of its folder ({part!r})")
        if not _COMPONENT.fullmatch(part):
            raise UnsafePath(f"{rel!r} is not a plain relative path ({part!r})")
    return parts


def inside(root: Path, rel: object) -> Path:
    """`root/rel` once proven to stay inside `root`: a plain relative path whose folders are
    real folders (no symbolic link, which could lead anywhere) and whose last part, if present,
    is a regular file. Raises UnsafePath naming the path and the reason."""
    parts = relative_parts(rel)
    path = Path(root)
    for n, part in enumerate(parts):
        path = path / part
        want = "file" if n == len(parts) - 1 else "folder"
        problem = odd_entry(path, want)
        if problem:
            raise UnsafePath(f"{rel!r}: {problem.split(': ', 1)[1]}")
    return path


def read_regular(path: Path, follow_symlinks: bool = False) -> bytes:
    """The bytes of a regular file. A symbolic link (unless followed), a folder, a FIFO, a
    socket or a device is CorruptFile naming the path; the open never blocks."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR, errno.ENOTDIR):
            kind = kind_of(path)
            if kind is None:
                raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path)) from None
            raise CorruptFile(f"{path}: {_described(kind)}, not a regular file") from None
        raise
    try:
        mode = os.fstat(fd).st_mode
    except BaseException:
        os.close(fd)
        raise
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise CorruptFile(f"{path}: {_described(_kind_of_mode(mode))}, not a regular file")
    with open(fd, "rb") as fh:  # closes fd
        return fh.read()

