"""The index of a store folder: `index.json` (a TinyDB file, one small document per session)
and `index.jsonl`, the documents changed since, one a line, appended by each change (a line
`{"file": name, "gone": true}` for a session that went). Reading replays the lines over the
file; the file is rewritten whole (compacted, the lines dropped) only when the lines grow to half
its size, on `check`, or when it is missing or broken. A change so appends about one document,
never the whole index.

Both are a cache: each document carries the stat signature of its session file, and a document
whose signature no longer matches is read again from the file (so a torn last line, left by a
crash, costs a re-read, nothing else).
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from typing import Any, Callable

from .. import jsonio
from ..files import file_sig, fsync_dir, remove_file
from .atomic import AtomicOrjsonStorage
from .errors import CorruptFile
from .naming import file_name, is_session_file
from .paths import kind_of, odd_entry, read_regular
from .session_files import INDEX_TABLE

LOG_NAME = "index.jsonl"
COMPACT_FLOOR = 256 * 1024  # bytes of lines always allowed before a compaction
_SUMMARY_TYPES = {"app_name": str, "user_id": str, "created_at": str, "updated_at": str,
                  "event_count": int, "invocation_count": int, "search_text": str}
Progress = Callable[[int, int], None]


class IndexMixin:
    """The index of `DirectoryStore`: kept up to date with the session files (`_refresh`),
    read and written here."""

    path: Path
    index_path: Path
    sessions_dir: Path
    _index: dict[str, dict[str, Any]]
    _broken: dict[str, str]

    @property
    def index_log(self) -> Path:
        return self.path / LOG_NAME

    def _read_index(self) -> dict[str, dict[str, Any]] | None:
        """Documents by file name: the file's, with the lines replayed over them; None when
        the file is missing or broken (the index is then rebuilt)."""
        try:
            tables = AtomicOrjsonStorage(self.index_path, create=False).read()
        except CorruptFile:
            return None
        if tables is None:
            return None
        docs = tables.get(INDEX_TABLE)
        if not isinstance(docs, dict):
            return None
        index = {}
        for doc in docs.values():
            if isinstance(doc, dict) and isinstance(doc.get("file"), str):
                index[doc["file"]] = doc
        for doc in self._log_lines():
            if doc.get("gone") is True:
                index.pop(doc["file"], None)
            else:
                index[doc["file"]] = doc
        return index

    def _log_lines(self) -> list[dict[str, Any]]:
        try:
            data = read_regular(self.index_log)
        except (FileNotFoundError, CorruptFile):
            return []
        out = []
        for line in data.split(b"\n"):
            try:
                doc = jsonio.loads(line) if line else None
            except (ValueError, jsonio.JSONLimitError):
                continue  # torn by a crash: the signatures find what it was about
            if isinstance(doc, dict) and isinstance(doc.get("file"), str):
                out.append(doc)
        return out

    def _refresh(self, rebuild: bool, progress: Progress | None = None) -> bool:
        """Bring the in-memory index up to date with the files: read only the session files
        whose stat signature differs from the index's. Returns True if anything changed.
        `progress(done, total)` hears about the files that had to be read."""
        read = self._read_index()
        dirty = read is None or rebuild
        by_file = {} if rebuild else (read or {})
        fresh: dict[str, dict[str, Any]] = {}
        broken: dict[str, str] = {}
        to_read = self._files_to_read(by_file, fresh, broken)
        dirty = dirty or bool(to_read)
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
            fresh[name] = doc
        if progress is not None and to_read:
            progress(len(to_read), len(to_read))
        if set(fresh) | set(broken) != set(by_file):
            dirty = True
        index = {doc["id"]: doc for doc in fresh.values()}
        # Another writer keeps the index up to date itself, so compare the documents (an edit
        # changes a session's counts and updated_at, not how many sessions there are).
        changed = dirty or broken != self._broken or index != self._index
        self._index = index
        self._broken = broken
        if dirty and not self.read_only:
            with self.lock():
                now = {d["file"]: d for d in self._all_docs()}
                diff: dict[str, Any] = {n: d for n, d in now.items() if (read or {}).get(n) != d}
                diff.update((n, None) for n in (read or {}) if n not in now)
                if read is None or (rebuild and diff):
                    self._write_index()  # afresh
                elif diff:
                    self._write_index(diff)
                else:
                    self._seen = self._stat_marks()
        else:
            self._seen = self._stat_marks()
        return changed

    def _files_to_read(self, by_file: dict[str, dict[str, Any]], fresh: dict[str, dict[str, Any]],
                       broken: dict[str, str]) -> list[tuple[str, list[int]]]:
        """The session files whose stat signature differs from the index's (name, signature);
        those the index still describes go into `fresh` (or `broken`) as it has them."""
        to_read: list[tuple[str, list[int]]] = []
        # A `sessions` that is not a real folder (a link out of the store...) is never read;
        # a read-only store may have none yet (it is empty).
        sessions_dir = self.sessions_dir if "sessions" not in self._survey() else None
        if sessions_dir is not None and not sessions_dir.is_dir():
            sessions_dir = None
        with contextlib.ExitStack() as stack:
            entries = stack.enter_context(os.scandir(sessions_dir)) if sessions_dir else ()
            for entry in entries:
                if not is_session_file(entry.name):
                    continue
                st = entry.stat(follow_symlinks=False)
                sig = [st.st_ino, st.st_size, st.st_mtime_ns]
                doc = by_file.get(entry.name)
                if doc is not None and doc.get("sig") == sig and _trusted_doc(doc, entry.name):
                    if "error" in doc:
                        broken[entry.name] = doc["error"]
                    else:
                        fresh[entry.name] = doc
                    continue
                to_read.append((entry.name, sig))
        return to_read

    def _all_docs(self) -> list[dict[str, Any]]:
        return sorted(list(self._index.values()) + [
            {"file": name, "error": err,
             "sig": file_sig(self.sessions_dir / name, follow_symlinks=False)}
            for name, err in self._broken.items()], key=lambda d: d["file"])

    def _write_index(self, changed: dict[str, dict[str, Any] | None] | None = None) -> None:
        """Record these documents (by file name; None: the session went), or (None) write the
        whole index afresh. Never through something that is not a regular file."""
        if "index.json" in self._survey() or odd_entry(self.index_log, "file"):
            return  # never written over: `check` moves it aside first
        try:
            if changed is None or kind_of(self.index_path) is None or self._log_due():
                self._compact()
            elif changed:
                lines = b"".join(jsonio.dumps({"file": name, "gone": True} if doc is None
                                              else doc) + b"\n" for name, doc in changed.items())
                _append(self.index_log, lines)
        except OSError:
            return  # only a cache (a full disk): the next look finds it stale and retries
        self._seen = self._stat_marks()

    def _log_due(self) -> bool:
        log, base = file_sig(self.index_log, False), file_sig(self.index_path, False)
        return log is not None and log[1] > max(COMPACT_FLOOR, (base[1] if base else 0) // 2)

    def _compact(self) -> None:
        docs = {str(n): doc for n, doc in enumerate(self._all_docs(), start=1)}
        AtomicOrjsonStorage(self.index_path).write({INDEX_TABLE: docs})
        if kind_of(self.index_log) == "file":
            remove_file(self.index_log)

    def _stat_marks(self) -> tuple[Any, Any, Any]:
        return (file_sig(self.index_path), file_sig(self.index_log, follow_symlinks=False),
                file_sig(self.sessions_dir))


def _append(path: Path, data: bytes) -> None:
    """Append `data` to `path` and fsync; a failure cuts it back to where it was."""
    flags = (os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
             | getattr(os, "O_CLOEXEC", 0))
    created = kind_of(path) is None
    fd = os.open(path, flags, 0o666)
    try:
        st = os.fstat(fd)
        if st.st_nlink != 1:  # a hard link: the same file is somewhere else too
            raise OSError(errno.EMLINK, "has other hard links, never appended to", str(path))
        size = st.st_size
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


def _trusted_doc(doc: dict[str, Any], name: str) -> bool:
    """An index document is used without reading its session file only when it is whole and
    names the file its id gives (a lying index is read past, not believed)."""
    if "error" in doc:
        return isinstance(doc["error"], str)
    session_id = doc.get("id")
    return (isinstance(session_id, str) and file_name(session_id) == name
            and all(type(doc.get(k)) is t for k, t in _SUMMARY_TYPES.items())
            and type(doc.get("annulled_count", 0)) is int
            # An index written before the tokens were counted: its sessions are read once more.
            and "total_tokens" in doc and type(doc["total_tokens"]) in (int, type(None)))
