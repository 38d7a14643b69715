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
import os
from pathlib import Path
from typing import Any

from .. import jsonio
from .atomic import AtomicOrjsonStorage, file_sig, fsync_dir, remove_file
from .errors import CorruptFile
from .paths import kind_of, odd_entry, read_regular
from .session_files import INDEX_TABLE

LOG_NAME = "index.jsonl"
COMPACT_FLOOR = 256 * 1024  # bytes of lines always allowed before a compaction


class IndexMixin:
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
        size = os.fstat(fd).st_size
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
