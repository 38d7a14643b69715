"""The bytes of `index.json`, version 2: still a TinyDB file (tables `index_meta` and
`sessions`), laid out so that it can be read in part and trusted without checking each document.

    {"index_meta":{"1":{"version":2,"count":N,"crc":C,"folder":[...],"at":T}},
    "sessions":{
    "1":{...newest session...},
    "2":{...},
    ...
    }}

- One document a line, newest first (by `sort_key`): the first screen of the list is the first
  lines of the file (`read_head`), the rest is never parsed for it.
- `crc`: the CRC-32 of the document lines as written. A file whose lines still have it was
  written by session-tui from documents it had checked, so its documents are used without
  checking each again; any other (edited by hand, an older layout) is checked document by
  document, as before.
- `folder` / `at`: the stat mark of `sessions/` when the index was known to describe every file
  in it, and when that was (see index.py `fresh_mark`).

A file without `index_meta` (version 1: documents in any order, all on one line) is still read.
"""

from __future__ import annotations

import math
import os
import zlib
from pathlib import Path
from typing import Any, Iterable

from .. import jsonio
from ..times import to_unix

VERSION = 2
META_TABLE = "index_meta"
_HEAD = b'{"' + META_TABLE.encode() + b'":'
_SESSIONS = b'"sessions":{\n'
_END = b"\n}}\n"
_HEAD_READ = 64 * 1024  # bytes read at a time by `read_head`


def time_key(doc: dict[str, Any]) -> float | None:
    """The session's `updated_at` as a number (what the list sorts on); None (sorted last):
    a time that cannot be read."""
    try:
        t = to_unix(doc["updated_at"])
    except (KeyError, ValueError, TypeError):
        return None
    return t if math.isfinite(t) else None


def keyed(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with its sort time `t` (kept in the index: sorting never parses times)."""
    if "error" not in doc:
        doc["t"] = time_key(doc)
    return doc


def sort_key(doc: dict[str, Any]) -> tuple[float, str]:
    """Newest first; equal times by file name. A document without a number `t` (a broken
    file's, or one not yet keyed) sorts last."""
    t = doc.get("t")
    return (-t if type(t) is float and math.isfinite(t) else math.inf, doc.get("file") or "")


def encode(docs: Iterable[dict[str, Any]], mark: dict[str, Any]) -> bytes:
    """The whole file: these documents (sorted here) and the folder mark."""
    ordered = sorted(docs, key=sort_key)
    body = b",\n".join(b'"%d":' % n + jsonio.dumps(doc) for n, doc in enumerate(ordered, start=1))
    meta = {"version": VERSION, "count": len(ordered), "crc": zlib.crc32(body)} | mark
    return _HEAD + jsonio.dumps({"1": meta}) + b",\n" + _SESSIONS + body + _END


def split(data: bytes) -> tuple[dict[str, Any] | None, bytes | None]:
    """The meta of a version-2 file and its document lines as written (None, None otherwise)."""
    if not data.startswith(_HEAD) or not data.endswith(_END):
        return None, None
    first = data.find(b"\n")
    meta = _meta_of(data[:first + 1])
    start = first + 1 + len(_SESSIONS)
    if meta is None or data[first + 1:start] != _SESSIONS:
        return None, None
    body = data[start:len(data) - len(_END)]
    if zlib.crc32(body) != meta.get("crc"):
        return None, None
    return meta, body


def _meta_of(line: bytes) -> dict[str, Any] | None:
    if not line.startswith(_HEAD) or not line.endswith(b",\n"):
        return None
    try:
        table = jsonio.loads(line[len(_HEAD):-2])
    except (ValueError, jsonio.JSONLimitError):
        return None
    meta = table.get("1") if isinstance(table, dict) else None
    if not isinstance(meta, dict) or meta.get("version") != VERSION:
        return None
    return meta


def read_head(fd_path: Path, count: int) -> tuple[dict[str, Any], list[dict[str, Any]], bool] | None:
    """The meta and the first `count` documents of a version-2 file, reading only as far as
    they go; the flag says whether these are all its documents. None: not version 2 (or not a
    regular file). The documents are not checked here."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(fd_path, flags)
    except OSError:
        return None
    try:
        import stat

        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = b""
        while data.count(b"\n") < count + 2:
            chunk = os.read(fd, _HEAD_READ)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    lines = data.split(b"\n")
    meta = _meta_of(lines[0] + b"\n") if len(lines) > 1 else None
    if meta is None or len(lines) < 2 or lines[1] + b"\n" != _SESSIONS:
        return None
    docs = []
    for line in lines[2:2 + count]:
        if line.startswith(b"}}"):
            return meta, docs, True
        if not line:
            continue  # (no documents: an empty line before the end)
        colon = line.find(b":")
        try:
            doc = jsonio.loads(line[colon + 1:].removesuffix(b","))
        except (ValueError, jsonio.JSONLimitError):
            return None  # cut short (the file is being replaced): the whole read decides
        if not isinstance(doc, dict):
            return None
        docs.append(doc)
    whole = len(docs) >= meta.get("count", -1)
    return meta, docs, whole
