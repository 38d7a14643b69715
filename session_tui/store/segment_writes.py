"""Writing the events files of layout 2 (segments.py): appends at committed lengths, new
segments, cuts that leave the removed events in place for an undo, and taking them back."""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import replace
from pathlib import Path

from .. import jsonio
from ..files import fsync_dir
from .errors import CorruptFile
from .paths import kind_of
from .segments import EVENTS_FOLDER, RECENT, Folder, Layout, Segment, TailPart, line_ends


# -- writing -------------------------------------------------------------------------------
class FileChanges:
    """The events-file writes of one change, undone when the change fails before its commit
    (a full disk): files it made are removed, files it appended to cut back."""

    def __init__(self, folder: Folder):
        self.folder = folder
        self.created: list[Path] = []
        self.extended: list[tuple[Path, int]] = []
        self.made: list[Path] = []  # folders it made

    def _ensure_folder(self) -> None:
        base = self.folder.root / EVENTS_FOLDER
        for path in (base, self.folder.path):
            kind = kind_of(path)
            if kind is None:
                path.mkdir()
                self.made.append(path)
            elif kind != "folder":
                raise CorruptFile(f"{path}: {kind}, not a folder; run `session-tui check` to "
                                  "move it aside")

    def create(self, name: str, data: bytes) -> None:
        path = self.folder.path / name
        with _naming(path):
            self._ensure_folder()
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) \
                | getattr(os, "O_CLOEXEC", 0)
            fd = os.open(path, flags, 0o666)
            self.created.append(path)
            _write_all(fd, data, None)

    def append(self, name: str, offset: int, data: bytes) -> None:
        path = self.folder.file(name)
        with _naming(path):
            fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_CLOEXEC", 0))
            st = os.fstat(fd)
            size = st.st_size
            if st.st_nlink != 1:  # a hard link: the same file is somewhere else too
                os.close(fd)
                raise CorruptFile(f"{path}: has other hard links (the same file is elsewhere "
                                  "too), so it is never written in place; copy it to break "
                                  "the link")
            if size < offset:
                os.close(fd)
                raise CorruptFile(f"{path}: {size} bytes, its session's head counts {offset}")
            self.extended.append((path, offset))
            _write_all(fd, data, offset)

    def synced(self) -> None:
        """The new files' names on disk too (and the folder's, when it is new)."""
        if self.created:
            fsync_dir(self.folder.path)
        for made in self.made:
            fsync_dir(made.parent)

    def rollback(self) -> None:
        for path in self.created:
            with contextlib.suppress(OSError):
                os.unlink(path)
        for path, size in self.extended:
            with contextlib.suppress(OSError):
                os.truncate(path, size)
        if self.folder.path in self.made:
            with contextlib.suppress(OSError):
                self.folder.path.rmdir()


@contextlib.contextmanager
def _naming(path: Path):
    """An OSError names the file it was about."""
    try:
        yield
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None


def _write_all(fd: int, data: bytes, offset: int | None) -> None:
    try:
        if offset is not None:
            os.ftruncate(fd, offset)  # what a crashed append left past the committed length
            os.lseek(fd, offset, os.SEEK_SET)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def new_name(start: int) -> str:
    return f"{start:012d}-{secrets.token_hex(4)}.jsonl"


def cut(folder: Folder, layout: Layout, keep: int) -> tuple[Layout, list[TailPart]]:
    """The layout of the first `keep` events, and the parts holding the events after them. A
    segment cut inside is closed to appends (its bytes past the cut stay for an undo)."""
    kept: list[Segment] = []
    removed: list[TailPart] = []
    start = 0
    for segment in layout.segments:
        end = start + segment.count
        if end <= keep:
            kept.append(replace(segment))
        elif start >= keep:
            removed.append(TailPart(segment.name, segment.start, segment.length, segment.count))
        else:
            ends = line_ends(folder.read(segment.name, segment.start, segment.length))
            at = segment.start + ends[keep - start - 1]
            kept.append(Segment(segment.name, keep - start, at, False, segment.start))
            removed.append(TailPart(segment.name, at, segment.length, end - keep))
        start = end
    return Layout(kept, layout.invocations, layout.last_invocation, layout.annulled,
                  layout.listed), removed


def adopt(layout: Layout, parts: list[TailPart]) -> None:
    """Take back removed events where they are (an undo): each part a segment again, joined
    to the one before when it continues it in the same file. Closed to appends."""
    for part in parts:
        last = layout.segments[-1] if layout.segments else None
        if last is not None and last.name == part.name and last.length == part.start:
            last.count += part.count
            last.length = part.end
            last.open = False
        else:
            if last is not None:
                last.open = False
            layout.segments.append(Segment(part.name, part.count, part.end, False, part.start))


def append_lines(changes: FileChanges, layout: Layout, lines: list[bytes], limit: int) -> None:
    """Add `lines` (events, each ending in a newline) to `layout`, in place: the open last
    segment takes what it has room for, new segments the rest."""
    start = layout.event_count
    if not layout.resolved:
        layout.total += len(lines)
    segments = layout.segments
    i = 0
    if segments and segments[-1].open and segments[-1].count < limit and lines:
        last = segments[-1]
        take = lines[: limit - last.count]
        data = b"".join(take)
        changes.append(last.name, last.length, data)
        last.count += len(take)
        last.length += len(data)
        i = len(take)
    start += i
    while i < len(lines):
        take = lines[i:i + limit]
        data = b"".join(take)
        name = new_name(start)
        changes.create(name, data)
        if segments:
            segments[-1].open = False
        segments.append(Segment(name, len(take), len(data), True))
        i += len(take)
        start += len(take)


def append_invocations(changes: FileChanges, layout: Layout, new_ids: list[str],
                       rewrite: list[str] | None) -> None:
    """Record the invocation ids first seen: appended to the file, or (`rewrite`) a new file
    with these (a change that did not only add events)."""
    if rewrite is not None:
        if not rewrite:
            layout.invocations = None
            return
        data = b"".join(jsonio.dumps(i) + b"\n" for i in rewrite)
        name = "inv-" + secrets.token_hex(4) + ".jsonl"
        changes.create(name, data)
        layout.invocations = Segment(name, len(rewrite), len(data), True)
        return
    if not new_ids:
        return
    data = b"".join(jsonio.dumps(i) + b"\n" for i in new_ids)
    inv = layout.invocations
    if inv is None:
        name = "inv-" + secrets.token_hex(4) + ".jsonl"
        changes.create(name, data)
        layout.invocations = Segment(name, len(new_ids), len(data), True)
    else:
        changes.append(inv.name, inv.length, data)
        layout.invocations = Segment(inv.name, inv.count + len(new_ids), inv.length + len(data), True)


def settle_list(changes: FileChanges, old: Layout | None, layout: Layout,
                appended_only: bool = False) -> None:
    """Keep `layout.listed` true to `layout.segments` (the list file's entries must be its
    first ones, unchanged), and move entries past RECENT from the head into the list file.
    `appended_only`: nothing but appends since `old`, so its listed entries still hold."""
    listed = layout.listed
    if listed is not None and not appended_only:
        prefix = old.segments[:listed.count] if old is not None else []
        same = 0
        while (same < len(prefix) and same < len(layout.segments)
               and _entry(prefix[same]) == _entry(layout.segments[same])):
            same += 1
        if same < listed.count:  # a cut inside the listed ones: they end earlier now
            ends = line_ends(changes.folder.read(listed.name, 0, listed.length))
            # Closed: its bytes past the cut are entries of the head still on disk (a change
            # that fails, or a crash, leaves that head), so they are never written over.
            listed = Segment(listed.name, same, ends[same - 1] if same else 0, False)
    # (A layout not resolved holds only the head's entries.)
    offset = listed.count if listed is not None and layout.resolved else 0
    recent = layout.segments[offset:]
    if len(recent) > RECENT:
        data = b"".join(jsonio.dumps(s.to_json()) + b"\n"
                        for s in recent[:-1])  # all closed: only the last one is open
        if listed is None or not listed.open:
            # A new list file (with the kept entries of a closed one first).
            kept = changes.folder.read(listed.name, 0, listed.length) if listed else b""
            name = "list-" + secrets.token_hex(4) + ".jsonl"
            changes.create(name, kept + data)
            listed = Segment(name, listed.count if listed else 0, len(kept), True)
        else:
            changes.append(listed.name, listed.length, data)
        listed = Segment(listed.name, listed.count + len(recent) - 1,
                         listed.length + len(data), True)
        if not layout.resolved:
            layout.segments = recent[-1:]
    layout.listed = listed if listed is None or listed.count else None


def _entry(segment: Segment) -> tuple:
    return (segment.name, segment.count, segment.length, segment.start)
