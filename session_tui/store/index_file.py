"""The bytes of `index.json`, version 2: still a TinyDB file (tables `index_meta`, `sessions`
and `search_text`), laid out so that it can be read in part and trusted without checking each
document.

    {"index_meta":{"1":{"version":2,"count":N,"crc":C,"texts":B}},
    "sessions":{
    "1":{...newest session...},
    "2":{...},
    ...
    },
    "search_text":{"1":{"by_file":{"<file>":"<text>",...}}}}

- One document a line, newest first (by `sort_key`): the first screen of the list is the first
  lines of the file (`read_head`), the rest is never parsed for it.
- The documents are lean: the list's fields, the file and its signature. Each session's state
  text (what the list's filter matches, up to 2,000 characters) is apart, at the end (B bytes
  of JSON), parsed only when asked for (`list`, not `listing`).
- `crc`: the CRC-32 of the documents and the texts as written. A file that still has it was
  written by session-tui from documents it had checked, so its documents are used without
  checking each again; any other (edited by hand, an older layout) is checked document by
  document, as before.

A file without `index_meta` (version 1: whole documents, search_text included, in any order,
all on one line) is still read.
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
_MID = b'\n},\n"search_text":{"1":{"by_file":'
_END = b"}}}\n"
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


def encode(docs: Iterable[dict[str, Any]], texts: dict[str, str]) -> bytes:
    """The whole file: these (lean) documents, sorted here, and the texts by file name."""
    ordered = sorted(docs, key=sort_key)
    body = b",\n".join(b'"%d":' % n + jsonio.dumps(doc) for n, doc in enumerate(ordered, start=1))
    text = jsonio.dumps(texts)
    meta = {"version": VERSION, "count": len(ordered), "crc": zlib.crc32(text, zlib.crc32(body)),
            "texts": len(text)}
    return _HEAD + jsonio.dumps({"1": meta}) + b",\n" + _SESSIONS + body + _MID + text + _END


def split(data: bytes) -> tuple[memoryview, memoryview] | None:
    """A version-2 file's documents (as one JSON object) and its texts (a JSON object of
    file name -> text), neither parsed nor copied; None when it is not one, or not whole."""
    if not data.startswith(_HEAD) or not data.endswith(_END):
        return None
    first = data.find(b"\n")
    meta = _meta_of(data[:first + 1])
    start = first + 1 + len(_SESSIONS)
    if meta is None or data[first + 1:start] != _SESSIONS or type(meta.get("texts")) is not int:
        return None
    text_at = len(data) - len(_END) - meta["texts"]
    view = memoryview(data)
    if text_at - len(_MID) < start or view[text_at - len(_MID):text_at] != _MID:
        return None
    body, text = view[start:text_at - len(_MID)], view[text_at:len(data) - len(_END)]
    if zlib.crc32(text, zlib.crc32(body)) != meta.get("crc"):
        return None
    # `{` + the lines + `\n}`: the object the lines are in, as it stands in the file.
    return view[start - 2:text_at - len(_MID) + 2], text


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
        if line.startswith(b"}"):
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
