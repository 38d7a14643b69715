"""The index of a store folder: `index.json` (a TinyDB file, one small document per session,
laid out by index_file.py: newest first, one a line, with a checksum, the state texts apart)
and `index.jsonl`, the documents changed since, one a line, appended by each change (a line
`{"file": name, "gone": true}` for a session that went). Reading replays the lines over the
file; the file is rewritten whole (compacted, the lines dropped) only when the lines grow to a
sixteenth of its size, on `check`, or when it is missing, broken, of version 1 or holds a torn
line. A change so appends about one document, never the whole index.

Both are a cache of the session files. Each document carries the stat signature of its session
file, and opening reads again the files whose signature no longer matches (so a torn last line,
left by a crash, costs a re-read, nothing else). Every writer of ours writes the index under the
lock after its change, knowing every session file (it looked before it changed anything), so an
index written after the last change of `sessions/` is right; `trust_index` (`session-tui list`)
and `first_rows` (the app's first screen) then use it without a stat of each file (`_fresh`:
its time against the folder's change time, which a file added, removed or replaced by a rename
moves, a crash between a session's write and its index line included; a file rewritten in place
by hand does not, and is seen by the next open that checks, or `check`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from pathlib import Path
from typing import Any, Callable

from .. import jsonio
from ..files import file_sig, fsync_dir, gc_paused, remove_file, write_atomic
from . import index_file
from .errors import CorruptFile
from .index_file import keyed
from .index_rows import IndexRows, _row
from .naming import is_session_file
from .paths import kind_of, odd_entry, read_regular
from .session_files import INDEX_TABLE

LOG_NAME = index_file.LOG_NAME
COMPACT_FLOOR = 256 * 1024  # bytes of lines always allowed before a compaction
COMPACT_SHARE = 16  # ... and up to this share of index.json's size
Progress = Callable[[int, int], None]


class IndexMixin(IndexRows):
    """The index of `DirectoryStore`: kept up to date with the session files (`_refresh`),
    read and written here."""

    path: Path
    index_path: Path
    sessions_dir: Path
    journal_path: Path
    _index: dict[str, dict[str, Any]]
    _broken: dict[str, str]
    # What the last `_read_index` found besides the documents: when the index was last
    # written (None: it cannot be trusted as it is), and whether it must be rewritten
    # (version 1, edited, a torn line).
    _index_mark: int | None = None
    _index_stale_form: bool = False
    _log_files: set[str] = set()  # files whose documents the last read took from the journal
    _log_unknown: bool = False  # the journal is not a regular file (`_log_lines`)
    # Whether opening may use an index written after the last change of sessions/ as it is,
    # without a stat of each session file. Off: a session file rewritten in place (by hand,
    # not by a rename) moves no folder time, and only that stat sees it (`first_rows` trusts
    # it, for a first screen before the load that follows).
    trust_index: bool = False

    @property
    def index_log(self) -> Path:
        return self.path / LOG_NAME

    def _read_index(self) -> dict[str, dict[str, Any]] | None:
        """Documents by file name: the file's, with the lines replayed over them; None when
        the file is missing or broken (the index is then rebuilt). Only documents that are
        whole and name the file their id gives are returned (a lying index is read past)."""
        self._index_mark, self._index_stale_form = None, False
        self._texts_raw, self._texts_base, self._texts_new = None, None, {}
        # When the index was last written (taken before it is read: a change made meanwhile
        # makes it look older, never newer).
        written = index_file.written_at(self.index_path)
        try:
            data = read_regular(self.index_path)
        except (FileNotFoundError, CorruptFile):
            return None
        parts = index_file.split(data)
        try:
            with gc_paused():
                if parts is not None:  # the documents alone (the texts: when asked for)
                    docs = index_file.parse_documents(parts[0])
                    self._texts_raw = bytes(parts[1])
                else:
                    tables = None if not data or data.isspace() else jsonio.loads(data)
                    docs = tables.get(INDEX_TABLE) if isinstance(tables, dict) else None
        except (ValueError, jsonio.JSONLimitError):
            return None
        if not isinstance(docs, dict):
            return None
        index: dict[str, dict[str, Any]] = {}
        untrusted = False
        if parts is not None:  # written by session-tui as it is: its documents were checked
            index = index_file.sound(docs)
        if index is None:  # (a checksum that matches a file it did not come from)
            parts, index = None, {}
        if parts is None:
            self._index_stale_form = True
            for doc in docs.values():
                if isinstance(doc, dict) and isinstance(doc.get("file"), str):
                    if index_file.trusted_doc(doc, doc["file"]):
                        index[doc["file"]] = self._lean(doc)
                    else:
                        untrusted = True
        self._log_files = set()
        for doc in self._log_lines():
            self._log_files.add(doc["file"])
            if doc.get("gone") is True:
                index.pop(doc["file"], None)
                untrusted = untrusted or doc["file"] == ""  # a torn line: rewritten
            elif index_file.trusted_doc(doc, doc["file"]):
                index[doc["file"]] = self._lean(doc)
            else:
                index.pop(doc["file"], None)
                untrusted = True
        self._index_mark = None if untrusted or parts is None or self._log_unknown else written
        self._index_stale_form = self._index_stale_form or untrusted
        return index

    def _log_lines(self) -> list[dict[str, Any]]:
        """The journal's lines (documents and `gone` lines), in order; a torn line as a `gone`
        line of no file (`_read_index` then trusts the index no more). `_log_unknown`: the
        journal is there but not a regular file (its lines unknown: never trusted as it is)."""
        self._log_unknown = False
        try:
            data = read_regular(self.index_log)
        except FileNotFoundError:
            return []
        except CorruptFile:  # (a link, a folder...: never read) its lines are unknown
            self._log_unknown = True
            return []
        out: list[dict[str, Any]] = []
        with gc_paused():
            for line in data.split(b"\n"):
                try:
                    doc = jsonio.loads(line) if line else None
                except (ValueError, jsonio.JSONLimitError):
                    # torn by a crash: the signatures find what it was about
                    out.append({"file": "", "gone": True})
                    continue
                if doc == {"file": "", "gone": True}:
                    continue  # a sweep's line: it only moved the journal's time
                if isinstance(doc, dict) and isinstance(doc.get("file"), str):
                    out.append(doc)
        return out

    _fresh = staticmethod(index_file.fresh)

    def _refresh(self, rebuild: bool, progress: Progress | None = None) -> bool:
        """Bring the in-memory index up to date with the files: when it was written after the
        folder's last change (`_fresh`), as it is; else read only the session files whose stat
        signature differs from the index's. Returns True if anything changed.
        `progress(done, total)` hears about the files that had to be read."""
        # Both taken before the index is read: a change made meanwhile makes the index look
        # stale (read again), and the next poll notices it.
        seen, now = self._stat_marks(), index_file.folder_mark(self.sessions_dir)
        read = self._read_index()
        dirty = read is None or rebuild or self._index_stale_form
        by_file = {} if rebuild else (read or {})
        fresh: dict[str, dict[str, Any]] = {}
        broken: dict[str, str] = {}
        sessions_dir = self._sessions_folder()
        trusted = sessions_dir is not None and self.trust_index and not rebuild \
            and self._fresh(self._index_mark, now) \
            and index_file.journal_true(sessions_dir, {f: by_file.get(f) for f in self._log_files})
        swept = rebuild or not trusted or not self.trust_index
        if not swept:  # the index as it is (one pass: 100,000 documents)
            index = {}
            for name, doc in by_file.items():
                if "error" in doc:
                    broken[name] = doc["error"]
                else:
                    index[doc["id"]] = doc
            # index.json's documents are newest first: only the journal's need placing.
            tail: set[str] | None = {by_file[f]["id"] for f in self._log_files
                                     if f in by_file and f not in broken}
        else:
            tail = None
            to_read = self._files_to_read(sessions_dir, by_file, fresh, broken)
            dirty = dirty or bool(to_read)
            self._read_files(to_read, fresh, broken, progress)
            if set(fresh) | set(broken) != set(by_file):
                dirty = True
            index = {doc["id"]: doc for doc in fresh.values()}
        # Another writer keeps the index up to date itself, so compare the documents (an edit
        # changes a session's counts and updated_at, not how many sessions there are).
        changed = dirty or broken != self._broken or index != self._index
        self._index = index
        self._tail = tail
        self._broken = broken
        # Asked to trust the index, swept because it could not be: a line that says it is
        # right now, so that the next such open trusts it (by `load`, which holds the lock;
        # never by a poll, which does not wait for it; never when not asked: opening for a
        # change that then fails must leave every byte as it was).
        mark_due = (self.trust_index and swept and not trusted and now is not None
                    and self._file_lock.is_locked and time.time_ns() - now > index_file.window(now, now))
        if (dirty or mark_due) and not self.read_only:
            with self.lock():
                now_docs = {d["file"]: d for d in self._all_docs()}
                diff: dict[str, Any] = {n: d for n, d in now_docs.items()
                                        if (read or {}).get(n) != d}
                diff.update((n, None) for n in (read or {}) if n not in now_docs)
                if read is None or self._index_stale_form or (rebuild and diff):
                    self._write_index()  # afresh
                elif diff or mark_due:
                    self._write_index(diff)
                else:
                    self._seen = seen
        else:
            self._seen = seen
        return changed

    def _sessions_folder(self) -> Path | None:
        # A `sessions` that is not a real folder (a link out of the store...) is never read;
        # a read-only store may have none yet (it is empty).
        if "sessions" in self._survey() or not self.sessions_dir.is_dir():
            return None
        return self.sessions_dir

    def _read_files(self, to_read: list[tuple[str, list[int]]], fresh: dict[str, dict[str, Any]],
                    broken: dict[str, str], progress: Progress | None) -> None:
        for done, (name, sig) in enumerate(to_read):
            if progress is not None and done % 100 == 0:
                progress(done, len(to_read))
            try:
                doc = self._read_summary(self.sessions_dir / name)
            except CorruptFile as exc:
                broken[name] = str(exc)
                continue
            except FileNotFoundError:
                continue  # removed since the folder was listed
            except OSError as exc:
                broken[name] = f"{self.sessions_dir / name}: cannot read it: {exc.strerror}"
                continue
            doc.update(file=name, sig=sig)
            fresh[name] = self._lean(doc)
        if progress is not None and to_read:
            progress(len(to_read), len(to_read))

    def _files_to_read(self, sessions_dir: Path | None, by_file: dict[str, dict[str, Any]],
                       fresh: dict[str, dict[str, Any]],
                       broken: dict[str, str]) -> list[tuple[str, list[int]]]:
        """The session files whose stat signature differs from the index's (name, signature);
        those the index still describes go into `fresh` (or `broken`) as it has them."""
        to_read: list[tuple[str, list[int]]] = []
        known = by_file.get  # (its names are session file names: only others are checked)
        with contextlib.ExitStack() as stack:
            entries = stack.enter_context(os.scandir(sessions_dir)) if sessions_dir else ()
            for entry in entries:
                name = entry.name
                doc = known(name)
                if doc is None and not is_session_file(name):
                    continue
                st = entry.stat(follow_symlinks=False)
                sig = [st.st_ino, st.st_size, st.st_mtime_ns]
                if doc is not None and doc.get("sig") == sig:  # (only whole documents are read)
                    if "error" in doc:
                        broken[name] = doc["error"]
                    else:
                        fresh[name] = doc
                    continue
                to_read.append((name, sig))
        return to_read

    def _all_docs(self) -> list[dict[str, Any]]:
        return sorted(list(self._index.values()) + [
            {"file": name, "error": err,
             "sig": file_sig(self.sessions_dir / name, follow_symlinks=False)}
            for name, err in self._broken.items()], key=lambda d: d["file"])

    def _write_index(self, changed: dict[str, dict[str, Any] | None] | None = None) -> None:
        """Record these documents (by file name; None: the session went), or (None) write the
        whole index afresh (the caller holds the lock and knows every file in `sessions/`:
        the time of this write says so, see `_fresh`). Never through something that is not a
        regular file."""
        if "index.json" in self._survey() or odd_entry(self.index_log, "file"):
            return  # never written over: `check` moves it aside first
        try:
            if changed is None or kind_of(self.index_path) is None or self._log_due():
                self._compact()
            else:
                _append(self.index_log, self._log_lines_of(changed))
        except OSError:
            return  # only a cache (a full disk): the next look finds it stale and retries
        self._seen = self._stat_marks()

    def _log_due(self) -> bool:
        log, base = file_sig(self.index_log, False), file_sig(self.index_path, False)
        return log is not None and log[1] > max(COMPACT_FLOOR, (base[1] if base else 0) // COMPACT_SHARE)

    def _log_lines_of(self, changed: dict[str, dict[str, Any] | None]) -> bytes:
        """A change's journal lines: whole documents, their text included (without `t`: it
        is read back from `updated_at`); a change of no document (a sweep that found the
        index right): a line that names no file, which only moves the journal's time past
        the folder's (see `_fresh`)."""
        lines = []
        for name, doc in changed.items():
            if doc is None:
                lines.append({"file": name, "gone": True})
                continue
            line = {k: v for k, v in doc.items() if k != "t"}
            text = self._text_of(name)
            if text is not None:
                line["search_text"] = text
            lines.append(line)
        return b"".join(jsonio.dumps(line) + b"\n" for line in lines or [{"file": "", "gone": True}])

    def _compact(self) -> None:
        docs = self._all_docs()
        texts = {}
        for doc in docs:
            text = self._text_of(doc["file"]) if "error" not in doc else None
            if text is not None:
                texts[doc["file"]] = text
        data = index_file.encode(docs, texts)
        write_atomic(self.index_path, data)
        if kind_of(self.index_log) == "file":
            remove_file(self.index_log)

    def _stat_marks(self) -> tuple[Any, Any, Any]:
        return (file_sig(self.index_path), file_sig(self.index_log, follow_symlinks=False),
                file_sig(self.sessions_dir))

    def first_rows(self, count: int) -> list[dict[str, Any]] | None:
        """The `count` newest sessions' summaries (as `list` gives them, newest first, but
        with no `search_text`: None) read from the first lines of the index and its journal
        only, before (or without) `load`;
        None when the index cannot be trusted for them without the whole load (it is stale,
        a change was interrupted, ...): then `load` and `list`."""
        if kind_of(self.journal_path) is not None or kind_of(self.path / "layout.json") != "file":
            return None
        sessions_dir = self._sessions_folder()
        if sessions_dir is None:
            return None
        now = index_file.folder_mark(sessions_dir)
        written = index_file.written_at(self.index_path)
        log = self._log_lines()
        head = index_file.read_head(self.index_path, count + len(log))
        if head is None:
            return None
        meta, docs, _ = head
        changed: dict[str, dict[str, Any] | None] = {}
        for doc in log:
            changed[doc["file"]] = None if doc.get("gone") is True else doc
        if "" in changed or self._log_unknown or not self._fresh(written, now) \
                or not index_file.journal_true(sessions_dir, changed):
            return None
        rows = [d for d in docs if d.get("file") not in changed]
        rows += [d for d in changed.values() if d is not None]
        if not all(index_file.trusted_doc(d, d.get("file")) for d in rows):
            return None
        rows = [keyed(d) if "t" not in d else d for d in rows if "error" not in d]
        return [_row(d, None) for d in sorted(rows, key=index_file.sort_key)[:count]]


def _append(path: Path, data: bytes) -> None:
    """Append `data` to `path` and fsync; a failure cuts it back to where it was."""
    flags = (os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
             | getattr(os, "O_CLOEXEC", 0))
    created = kind_of(path) is None
    fd = os.open(path, flags, 0o666)
    try:
        st = os.fstat(fd)
        if st.st_nlink != 1:  # a hard link: the same file is somewhere else too
            raise OSError(errno.EMLINK, "has other hard links, never appended to", str(path))
        size = st.st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data  # after a line a crash cut short: never glued to it
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            raise
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)
