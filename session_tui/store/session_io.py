"""Reading and writing the session files of a store folder, layout 2 (see segments.py), and
reading layout 1 (one self-contained TinyDB file per session) until it is migrated.

A change writes only what changed: the events after the longest run it kept of the events it
read (found by identity: `_stored`, set when a session is read), a head, and for an undo record
the places of the removed events instead of copies of them.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any, Callable

from .. import jsonio
from ..event_build import events_from_json
from ..eventinfo import annulled_count, rewind_target
from ..model import Event, Session, SessionFormatError, check_event, now_iso
from ..files import file_sig, gc_paused, write_atomic
from .atomic import cannot_write, read_json
from .errors import CorruptFile, NotFound, StaleError
from .history import MAX_RECORDS, UndoRecord
from .naming import file_name, is_session_file
from .paths import kind_of
from .segment_writes import (
    FileChanges,
    adopt,
    append_invocations,
    append_lines,
    cut,
    settle_list,
)
from .segments import (
    EVENTS_FOLDER,
    FORMAT2,
    Folder,
    Layout,
    TailPart,
    decode_head,
    encode_head,
    ids_digest,
    is_head,
)
from .session_files import decode_session_file

MARKER = "layout.json"  # {"format": "session-tui/2"}: every session file is a head
_READ_TRIES = 20


def head_summary(session: Session, layout: Layout) -> dict[str, Any]:
    """The index document of a session read as its head only (no events)."""
    from .summaries import summary_of

    doc = summary_of(session)
    doc.update(event_count=layout.event_count, invocation_count=layout.invocation_count,
               annulled_count=layout.annulled)
    return doc


class SessionIO:
    """The session files of `DirectoryStore`."""

    path: Path
    sessions_dir: Path
    segment_limit: int
    # Removed events an undo read (by session id): their objects and where they are.
    _adoptable: dict[str, tuple[list[Event], list[TailPart]]]

    # -- reading ----------------------------------------------------------------------------
    def _folder(self, name: str) -> Folder:
        return Folder(self.path, name[: -len(".json")])

    def _read_file(self, path: Path) -> Session:
        """The whole session in `path` (layout 1 or 2). A head replaced while its events were
        read (by a writer: readers take no lock) is read again."""
        for attempt in range(_READ_TRIES):
            before = file_sig(path, follow_symlinks=False)
            try:
                session = self._read_once(path)
            except (CorruptFile, FileNotFoundError):
                if file_sig(path, follow_symlinks=False) != before and attempt + 1 < _READ_TRIES:
                    continue
                raise
            if file_sig(path, follow_symlinks=False) == before:
                return session
        raise CorruptFile(f"{path}: changed while it was read, {_READ_TRIES} times")

    def _read_once(self, path: Path) -> Session:
        value = read_json(path)
        with gc_paused(keep=True):
            if not is_head(value):
                session = decode_session_file(path, value)
                session._stored = (session.revision, list(session.events), None)
                return session
            session, layout, _ = decode_head(path, value)
            _check_name(path, session)
            folder = self._folder(path.name)
            where = folder.path
            try:
                session.events = events_from_json(folder.events(layout), f"{where}: events",
                                                  share=True)
            except SessionFormatError as exc:
                raise CorruptFile(str(exc)) from None
        session._stored = (session.revision, list(session.events), layout)
        return session

    def _read_summary(self, path: Path) -> dict[str, Any]:
        """What the index keeps of a session file: a head is enough, layout 1 is read whole."""
        from .summaries import summary_of

        value = read_json(path)
        if not is_head(value):
            with gc_paused():
                return summary_of(decode_session_file(path, value))
        session, layout, _ = decode_head(path, value)
        _check_name(path, session)
        return head_summary(session, layout)

    def _head_of(self, name: str) -> tuple[Layout | None, int | None]:
        """The layout and generation of a session file as it is now (None, None when absent;
        a layout-1 file: no layout)."""
        path = self.sessions_dir / name
        try:
            value = read_json(path)
        except FileNotFoundError:
            return None, None
        if not is_head(value):
            return None, _generation_v1(value)
        _, layout, generation = decode_head(path, value)
        return layout.resolve(self._folder(name)), generation

    # -- writing ----------------------------------------------------------------------------
    def _plan_session(self, session: Session, history: dict[str, list[UndoRecord]]) -> tuple[
            FileChanges, Layout, bool]:
        """Write the events a change added to `session` (not yet its head); point its undo
        record at the events it removed. Returns the file changes (undone if the change
        fails), the new layout, and whether files may have fallen out of use."""
        name = file_name(session.id)
        folder = self._folder(name)
        changes = FileChanges(folder)
        old, generation = self._head_of(name)
        stored = getattr(session, "_stored", None)
        keep = 0
        if old is not None and stored is not None and stored[0] == str(generation) \
                and len(stored[1]) == old.event_count:
            kept, events = stored[1], session.events
            limit = min(len(kept), len(events))
            while keep < limit and kept[keep] is events[keep]:
                keep += 1
        layout, removed = (Layout(), []) if old is None else cut(folder, old, keep)
        write_from = keep
        tail, parts = self._adoptable.pop(session.id, ((), ()))
        if old is not None and tail and _same_objects(session.events, keep, tail):
            adopt(layout, list(parts))
            write_from = keep + len(tail)
        try:
            lines = [jsonio.dumps(e.export(share=True)) + b"\n"
                     for e in session.events[write_from:]]
            append_lines(changes, layout, lines, self.segment_limit)
            settle_list(changes, old, layout)
            if old is not None and keep == old.event_count:
                seen = {e.invocation_id for e in session.events[:keep]}
                new_ids = list(dict.fromkeys(e.invocation_id for e in session.events[keep:]
                                             if e.invocation_id not in seen))
                append_invocations(changes, layout, new_ids, None)
            else:
                append_invocations(changes, layout, [], session.invocation_ids())
            changes.synced()
        except BaseException:
            changes.rollback()
            raise
        layout.last_invocation = session.events[-1].invocation_id if session.events else None
        layout.annulled = annulled_count(session.events)
        if old is not None:
            _point_at(history.get(session.id), str(generation), keep, removed)
        return changes, layout, bool(removed) or old is None or keep < old.event_count

    def _plan_delete(self, session_id: str, history: dict[str, list[UndoRecord]]) -> None:
        """A delete's undo record points at the session's segments, which stay."""
        old, generation = self._head_of(file_name(session_id))
        if old is not None:
            removed = [TailPart(s.name, s.start, s.length, s.count) for s in old.segments]
            _point_at(history.get(session_id), str(generation), 0, removed)

    def _collect(self, session_id: str, layout: Layout | None,
                 history: dict[str, list[UndoRecord]]) -> None:
        """Remove the events files of a session that neither its head nor an undo record
        names (after the change that left them is in place)."""
        folder = self._folder(file_name(session_id))
        keep = layout.names() if layout is not None else set()
        try:
            records = (history[session_id] if session_id in history
                       else self.history.load(session_id))
        except CorruptFile:
            return  # what its records point at is unknown: nothing is removed
        for record in records[-MAX_RECORDS:]:
            if record.tail_ref is not None:
                keep |= {p[0] for p in record.tail_ref["parts"] if isinstance(p, list) and p}
        for name in folder.listing():
            if name not in keep:
                with contextlib.suppress(OSError):
                    os.unlink(folder.path / name)
        if not keep:
            with contextlib.suppress(OSError):
                folder.path.rmdir()

    def _resolve_tail(self, session_id: str, record: UndoRecord) -> None:
        if record.tail_ref is None:
            return
        folder = self._folder(file_name(session_id))
        where = self.history.path(session_id)
        parts = [TailPart.from_json(p, f"{where}: tail_ref part {n}")
                 for n, p in enumerate(record.tail_ref["parts"])]
        with gc_paused(keep=True):
            raw: list[Any] = []
            for part in parts:
                raw.extend(folder.lines(part))
            try:
                tail = events_from_json(raw, f"{folder.path}: removed events", share=True)
            except SessionFormatError as exc:
                raise CorruptFile(str(exc)) from None
            del raw  # (freed while the collector sleeps: it never walks the parsed lines)
        if len(tail) != record.tail_count or ids_digest(e.id for e in tail) != record.tail_ref["digest"]:
            raise CorruptFile(f"{folder.path}: the removed events are not those the undo record "
                              f"of session {session_id!r} counts")
        record.tail = tail
        # Written back where they are (session_io._plan_session), not copied, if the restored
        # version holds these very objects.
        self._adoptable[session_id] = (tail, parts)

    # -- appending --------------------------------------------------------------------------
    def append(self, session_id: str, event: Event, expected_revision: str | None = None,
               head: Callable[[Session], None] | None = None) -> str:
        """Append an agent's event writing only its line, a few bytes of bookkeeping and the
        session's head (never its other events); the new revision. `head`: as Store.append."""
        from .base import Store, _later, _refused

        with _refused(session_id):
            check_event(event)
        if not self.loaded:
            self.load()
        with self.lock():
            name = file_name(session_id)
            self._prepare_write([name], journaled=False)
            path = self.sessions_dir / name
            try:
                value = read_json(path)
            except FileNotFoundError:
                raise NotFound(f"no session {session_id!r}") from None
            if not is_head(value) or rewind_target(event) is not None:
                # Layout 1 (migrated by this write), or a rewind event (it changes what counts
                # as annulled): the general way.
                return Store.append(self, session_id, event, expected_revision, head)
            session, layout, generation = decode_head(path, value)
            _check_name(path, session)
            if expected_revision is not None and str(generation) != expected_revision:
                raise StaleError(f"session {session_id!r} was changed by someone else since it "
                                 "was read; reload it and try again")
            if head is None:
                session.apply_delta(event.actions.state_delta)
                session.updated_at = _later(now_iso(), session.updated_at)
            else:
                head(session)  # (a head: its events are not read)
            folder = self._folder(name)
            new_ids = []
            if event.invocation_id != layout.last_invocation and \
                    event.invocation_id not in set(folder.invocations(layout)):
                new_ids = [event.invocation_id]
            changes = FileChanges(folder)
            try:
                append_lines(changes, layout, [jsonio.dumps(event.export(share=True)) + b"\n"],
                             self.segment_limit)
                settle_list(changes, None, layout, appended_only=True)
                append_invocations(changes, layout, new_ids, None)
                changes.synced()
                layout.last_invocation = event.invocation_id
                generation = max(time.time_ns(), generation + 1)
                write_atomic(path, encode_head(session, layout, generation))
            except OSError as exc:
                changes.rollback()
                raise cannot_write(exc) from None
            except BaseException:
                changes.rollback()
                raise
            session.revision = str(generation)
            self._indexed(session.id, head_summary(session, layout))
            return session.revision

    # -- migration from layout 1 ------------------------------------------------------------
    def _migrate(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Turn every layout-1 session file into a head and segments, one session at a time:
        its segments are written beside, then the head replaces the old file in one rename,
        so a crash leaves each session whole (old or new) and the next open goes on. The
        marker says that no layout-1 file is left. Returns how many were migrated."""
        if kind_of(self.path / MARKER) == "file" or kind_of(self.sessions_dir) != "folder" \
                or kind_of(self.path / EVENTS_FOLDER) not in (None, "folder"):
            return 0  # (an odd `events`: layout 1 stays readable until `check` moves it aside)
        names = sorted(n for n in os.listdir(self.sessions_dir) if is_session_file(n))
        done = 0
        left = False  # a session left in layout 1: no marker yet
        for n, name in enumerate(names):
            if progress is not None and n % 100 == 0:
                progress(n, len(names))
            path = self.sessions_dir / name
            try:
                value = read_json(path)
                if is_head(value) or kind_of(path) != "file":
                    continue
                session = decode_session_file(path, value)
            except (CorruptFile, OSError):
                continue  # left as it is: `check` deals with it
            generation = int(session.revision) if (session.revision or "").isdigit() else 1
            folder = self._folder(name).path
            if kind_of(folder) not in (None, "folder"):
                left = True  # never written through; `check` moves it aside
                continue
            self._collect(session.id, None, {})  # what a migration killed here before left
            changes, layout, _ = self._plan_session(session, {})
            try:
                write_atomic(path, encode_head(session, layout, generation))
            except BaseException:
                changes.rollback()
                raise
            done += 1
        if progress is not None and names:
            progress(len(names), len(names))
        if not left:
            write_atomic(self.path / MARKER, jsonio.dumps({"format": FORMAT2}))
        return done


def _same_objects(events: list[Event], at: int, run: list[Event]) -> bool:
    return len(events) >= at + len(run) and all(a is b for a, b in zip(events[at:], run))


def _check_name(path: Path, session: Session) -> None:
    if file_name(session.id) != path.name:
        raise CorruptFile(f"{path}: holds session {session.id!r}, whose file name is "
                          f"{file_name(session.id)}")


def _generation_v1(value: Any) -> int | None:
    try:
        generation = value["_meta"]["1"]["generation"]
    except (KeyError, TypeError):
        return None
    return generation if type(generation) is int else None


def _point_at(records: list[UndoRecord] | None, revision: str, keep: int,
              removed: list[TailPart]) -> None:
    """Make the change's undo record (the last one) point at the removed events in place of
    copying them, when it is the record of this very change: made from the version now on
    disk (its revision), keeping the same events."""
    if not records:
        return
    record = records[-1]
    count = sum(p.count for p in removed)
    if (record.tail_ref is not None or record.before_revision != revision or record.keep != keep
            or len(record.tail) != count or not all(isinstance(e, Event) for e in record.tail)):
        return
    record.tail_ref = {"parts": [p.to_json() for p in removed], "count": count,
                       "digest": ids_digest(e.id for e in record.tail)}
