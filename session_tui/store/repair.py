"""`check` of a store folder: every file verified, unusable ones (and anything that is not a
regular file where one should be, or not a folder where one should be) moved aside into
quarantine/, a journal completed or set aside, the index rebuilt. Nothing outside the store is
ever touched.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Callable

from ..files import fsync_dir, is_temp
from .atomic import read_json
from .errors import CorruptFile, StoreError
from .history import History, UndoRecord
from .naming import file_name, is_session_file
from .paths import kind_of, odd_entry
from .reports import CheckReport
from .segments import EVENTS_FOLDER, decode_head, is_event_file, is_head
from .session_files import decode_session_file


class RepairMixin:
    """Check and repair of `DirectoryStore` (uses its lock, journal recovery, index and files)."""

    path: Path
    quarantine_dir: Path
    sessions_dir: Path
    index_path: Path
    journal_path: Path
    history: History

    def _quarantine(self, path: Path, name: str) -> Path:
        """Move `path` (whatever it is: a link is moved as a link) into quarantine/ under a
        name no earlier quarantined thing has."""
        problem = odd_entry(self.quarantine_dir, "folder")
        if problem:
            raise StoreError(f"{problem}, so nothing can be moved aside into it")
        self.quarantine_dir.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S")
        target = self.quarantine_dir / f"{stamp}-{name}"
        n = 1
        while os.path.lexists(target):  # under the lock: no other check is moving things
            n += 1
            target = self.quarantine_dir / f"{stamp}-{n}-{name}"
        os.replace(path, target)
        fsync_dir(path.parent)
        return target

    def _move_aside(self, path: Path, name: str, reason: str) -> str:
        """Quarantine `path`; the report line says where to, or raises StoreError saying why
        it could not be moved."""
        try:
            target = self._quarantine(path, name)
        except OSError as err:
            raise StoreError(f"{reason} (could not move it aside: {err.strerror})") from None
        except StoreError as err:
            raise StoreError(f"{reason} (could not move it aside: {err})") from None
        rel = path.relative_to(self.path)
        return f"moved {rel} to quarantine/{target.name}: {reason}"

    def _rename_to_its_id(self, path: Path) -> str | None:
        """A valid session file under another name (renamed by hand, an older naming): give
        it the name its id derives, if that is free."""
        try:
            value = read_json(path)
            if is_head(value):
                session = decode_head(path, value)[0]
            else:
                session = decode_session_file(path, value, check_name=False)
        except CorruptFile:
            return None
        target = self._file(session.id)
        if os.path.lexists(target):
            return None
        # Its events folder goes with it (layout 2), unless the name is taken there too.
        events = self.path / EVENTS_FOLDER
        old_events, new_events = events / path.name[:-5], events / target.name[:-5]
        if kind_of(old_events) == "folder":
            if os.path.lexists(new_events):
                return None
            os.replace(old_events, new_events)
            fsync_dir(events)
        os.replace(path, target)
        fsync_dir(self.sessions_dir)
        return f"renamed {path.name} to {target.name} (the name its id {session.id!r} gives)"

    def _history_problem(self, path: Path) -> str | None:
        """Why history/<name> is not the undo history its name says, or None."""
        if not is_session_file(path.name):
            return f"{path}: not a name session-tui gives an undo history"
        try:
            value = read_json(path)
        except CorruptFile as exc:
            return str(exc)
        session_id = value.get("id") if isinstance(value, dict) else None
        if not isinstance(session_id, str):
            return f"{path}: not an undo history (no session id)"
        if file_name(session_id) != path.name:
            return (f"{path}: holds the undo history of session {session_id!r}, whose file "
                    f"name is {file_name(session_id)}")
        try:
            [UndoRecord.from_json(r) for r in value["records"]]
        except (KeyError, TypeError, AttributeError) as exc:
            return f"{path}: not an undo history ({exc.__class__.__name__}: {exc})"
        return None

    def _clear_odd_entries(self, report: CheckReport, aside: Callable[[Path, str, str], None],
                           sessions_ok: bool, history_ok: bool) -> None:
        """Odd things under a session file's name set aside; leftover temporary files removed
        (a folder under such a name set aside)."""
        for folder, prefix, ok in ((self.sessions_dir, "", sessions_ok),
                                   (self.history.folder, "history-", history_ok)):
            for entry in sorted(folder.iterdir()) if ok else ():
                problem = odd_entry(entry, "file")
                if problem and not is_temp(entry.name):
                    aside(entry, prefix + entry.name, problem)
        for folder, ok in ((self.path, True), (self.sessions_dir, sessions_ok),
                           (self.history.folder, history_ok)):
            for entry in sorted(folder.iterdir()) if ok else ():
                if not is_temp(entry.name):
                    continue
                if kind_of(entry) == "folder":
                    aside(entry, entry.name.lstrip("."), "a folder under a temporary file's name")
                else:
                    entry.unlink()  # a link goes, never what it points to
                    report.repaired.append(f"removed a leftover temporary file {entry.name}")

    def _check_events(self, report: CheckReport, aside: Callable[[Path, str, str], None],
                      histories_aside: frozenset[str] = frozenset()) -> None:
        """The events folders (layout 2): files neither a head nor an undo record names are
        what a change that never committed left, and go; a folder no session or record
        names at all is moved aside (it may hold events someone wants). So are the files of
        a session whose undo history was moved aside (`histories_aside`, by file name): its
        records pointed at them, the only copy of a deleted session or of rewound events."""
        events = self.path / EVENTS_FOLDER
        if kind_of(events) != "folder":
            return
        for entry in sorted(events.iterdir()):
            name = entry.name + ".json"
            if kind_of(entry) != "folder" or not is_session_file(name):
                aside(entry, "events-" + entry.name, odd_entry(entry, "folder")
                      or f"{entry}: not a name session-tui gives an events folder")
                continue
            try:
                layout = self._head_of(name)[0] if kind_of(self.sessions_dir / name) == "file" \
                    else None
            except CorruptFile:
                continue  # reported with its session file
            keep = layout.names() if layout is not None else set()
            try:
                session_id = self._session_id_of(name)
                records = self.history.load(session_id) if session_id else []
            except CorruptFile:
                continue  # what its records point at is unknown: left as it is
            for record in records:
                if record.tail_ref is not None:
                    keep |= {p[0] for p in record.tail_ref["parts"] if isinstance(p, list) and p}
            unread = name in histories_aside  # what its records named is unknown
            if not keep:
                files = list(entry.iterdir())
                if unread and files:
                    aside(entry, "events-" + entry.name, "the events its undo history "
                          "(moved aside) may point at")
                elif all(kind_of(f) == "file" and is_event_file(f.name) for f in files):
                    for f in files:  # written for a session whose head never came
                        f.unlink()
                    entry.rmdir()
                    report.repaired.append(f"rolled back an uncommitted change (events/"
                                           f"{entry.name}: no session or undo record names it)")
                else:
                    aside(entry, "events-" + entry.name, f"{entry}: no session or undo record "
                          "names it, and it holds what session-tui does not write")
                continue
            for leftover in sorted(entry.iterdir()):
                if leftover.name not in keep:
                    if kind_of(leftover) == "folder" or unread:
                        aside(leftover, f"events-{entry.name}-{leftover.name}",
                              "a folder among events files" if not unread else
                              "events its undo history (moved aside) may point at")
                        continue
                    leftover.unlink()
                    report.repaired.append(f"removed a leftover temporary file events/"
                                           f"{entry.name}/{leftover.name} (never committed)")

    def _session_id_of(self, name: str) -> str | None:
        """The id of the session whose files are named `name`: from its head, else from its
        undo history."""
        for path in (self.sessions_dir / name, self.history.path_of_name(name)):
            try:
                value = read_json(path)
            except (FileNotFoundError, CorruptFile):
                continue
            if is_head(value):
                return decode_head(path, value)[0].id
            session_id = value.get("id") if isinstance(value, dict) else None
            if isinstance(session_id, str):
                return session_id
            with contextlib.suppress(CorruptFile):
                return decode_session_file(path, value, check_name=False).id
        return None

    def check(self) -> CheckReport:
        """Verify every file, move unusable ones (and anything that is not a regular file where
        one should be, or not a folder where one should be) to quarantine/, complete or set
        aside a journal, rebuild the index. Nothing outside the store is ever touched."""
        report = CheckReport()

        def aside(path: Path, name: str, reason: str) -> None:
            try:
                report.repaired.append(self._move_aside(path, name, reason))
            except StoreError as exc:
                report.damaged.append(str(exc))

        with self.lock():
            problem = odd_entry(self.quarantine_dir, "folder")
            if problem:
                report.damaged.append(f"{problem}, so nothing can be moved aside into it")
            # A journal is judged as found: one refused on open is never applied by a repair.
            try:
                report.repaired.extend(self._recover(repair=True))
            except StoreError as exc:
                report.damaged.append(str(exc))
            for name in ("sessions", "history", "staging", EVENTS_FOLDER):
                problem = odd_entry(self.path / name, "folder")
                if problem:
                    aside(self.path / name, name, problem)
            for path in (self.index_path, self.journal_path):
                problem = odd_entry(path, "file")
                if problem:
                    aside(path, path.name, problem)
            if kind_of(self.sessions_dir) is None:
                self.sessions_dir.mkdir()
            history_ok = kind_of(self.history.folder) == "folder"
            sessions_ok = kind_of(self.sessions_dir) == "folder"
            self._clear_odd_entries(report, aside, sessions_ok, history_ok)
            for entry in sorted(self.sessions_dir.iterdir()) if sessions_ok else ():
                if not is_session_file(entry.name):
                    continue
                try:
                    self._read_file(entry)
                except CorruptFile as exc:
                    renamed = self._rename_to_its_id(entry)
                    if renamed:
                        report.repaired.append(renamed)
                        continue
                    aside(entry, entry.name, str(exc))
                    events = self.path / EVENTS_FOLDER / entry.name[:-5]
                    if kind_of(events) is not None:  # its events go with it
                        aside(events, "events-" + events.name, f"the events of {entry.name}")
            histories_aside = set()
            for entry in sorted(self.history.folder.iterdir()) if history_ok else ():
                problem = self._history_problem(entry)
                if problem:
                    aside(entry, "history-" + entry.name, problem)
                    histories_aside.add(entry.name)
            self._check_events(report, aside, frozenset(histories_aside))
            old = self._read_index()
            self._refresh(rebuild=True)
            if old is None or {d.get("id") for d in old.values() if "error" not in d} != set(self._index):
                report.repaired.append(f"rebuilt index.json ({len(self._index)} sessions)")
            if not report.damaged:  # never "sound" while something is left unused
                report.damaged.extend(self.problems)
        return report

