"""`session-tui [--store PATH] [--json] [--read-only] list --json` on a store folder whose
index can be used as it is (index.py `_fresh`: written after the last change of `sessions/`),
answered from the index alone, without importing the store, the parser or the commands: what
the whole way (open, load trusting the index, cmd_list) prints for such a store, byte for byte.
Anything else (another command or form, another kind of store, a journal or staging left by a
crash, an index that must be checked, rewritten or swept, a file that cannot be read) returns
None and goes the whole way."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Any, Sequence

from .. import jsonio
from ..store import index_file

# What the store folder may hold for this to answer (store/session_files.py FOLDERS).
_FOLDERS = ("sessions", "history", "staging", "quarantine", "events")


def quick_list(argv: Sequence[str]) -> int | None:
    """The exit code, when answered here; None: not answered (nothing printed)."""
    path = _store_of(list(argv))
    if path is None:
        return None
    rows = _rows(path)
    if rows is None:
        return None
    try:
        sys.stdout.buffer.write(jsonio.dumps(rows, jsonio.INDENT) + b"\n")
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _store_of(argv: list[str]) -> Path | None:
    """PATH of `--store PATH [--json] [--read-only] list` with `--json` before or after
    `list`; None for anything else."""
    if argv.count("list") != 1:
        return None
    at = argv.index("list")
    before, after = argv[:at], argv[at + 1:]
    if after not in ([], ["--json"]) or (after != ["--json"] and "--json" not in before):
        return None
    store = None
    i = 0
    seen = set()
    while i < len(before):
        word = before[i]
        if word in seen:
            return None
        seen.add(word)
        if word == "--store" and i + 1 < len(before) and not before[i + 1].startswith("-") \
                and before[i + 1] != "list":
            store = before[i + 1]
            i += 2
        elif word in ("--json", "--read-only"):
            i += 1
        else:
            return None
    if not store or "://" in store:
        return None
    return Path(store).expanduser()


def _kind(path: Path) -> str | None:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError:
        return "other"
    return "folder" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


def _rows(path: Path) -> list[dict[str, Any]] | None:
    from ..store.errors import CorruptFile
    from ..store.naming import is_session_file
    from ..store.paths import read_regular

    if _kind(path) != "folder" or _kind(path / "index.json") != "file" \
            or _kind(path / "layout.json") != "file" or _kind(path / "sessions") != "folder" \
            or _kind(path / ".lock") not in (None, "file") \
            or _kind(path / "journal.json") is not None or _kind(path / "staging") is not None \
            or any(_kind(path / name) not in (None, "folder") for name in _FOLDERS):
        return None
    log_path = path / index_file.LOG_NAME
    if _kind(log_path) not in (None, "file"):
        return None
    # Both before anything is read (as index.py's _refresh takes them).
    now = index_file.folder_mark(path / "sessions")
    written = index_file.written_at(path / "index.json")
    try:
        data = read_regular(path / "index.json")
        log = read_regular(log_path) if written is not None and _kind(log_path) == "file" else b""
    except (OSError, CorruptFile):
        return None
    if not index_file.fresh(written, now):
        return None
    parts = index_file.split(data)
    if parts is None:
        return None
    try:
        docs = index_file.sound(jsonio.loads(parts[0]))
    except (ValueError, jsonio.JSONLimitError):
        return None
    if docs is None:
        return None
    changed: dict[str, dict[str, Any] | None] = {}
    for line in log.split(b"\n"):
        if not line:
            continue
        try:
            doc = jsonio.loads(line)
        except (ValueError, jsonio.JSONLimitError):
            return None  # a torn line: the whole way sweeps and rewrites
        if doc == {"file": "", "gone": True}:
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("file"), str):
            continue
        if doc.get("gone") is True:
            changed[doc["file"]] = None
        elif index_file.trusted_doc(doc, doc["file"]) and "error" not in doc:
            changed[doc["file"]] = index_file.keyed(doc) if "t" not in doc else doc
        else:
            return None
    if not index_file.journal_true(path / "sessions", changed):
        return None
    head = []
    for name, doc in docs.items():
        if "error" in doc or not is_session_file(name):
            return None  # a problem line to print: the whole way says it
        if name not in changed:
            head.append(doc)
    tail = [doc for doc in changed.values() if doc is not None]
    keys = index_file.SUMMARY_KEYS
    return [{k: doc.get(k) for k in keys} for doc in index_file.merged(head, tail)]
