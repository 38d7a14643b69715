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

Also here, as plain functions that import nothing of the store (cli/quick.py answers `list`
with them alone): when an index can be used as it is (`fresh`), whether a document can be
believed (`trusted_doc`, `sound`), and the list's order (`sort_key`, `merged`).
"""

from __future__ import annotations

import bisect
import math
import os
import zlib
from pathlib import Path
from typing import Any, Iterable

from .. import jsonio
from ..times import to_unix
from .naming import file_name, is_session_file

# How long after the last change of sessions/ the index must have been written to be trusted:
# beyond a tick of the clock that stamps files (a change in the same tick keeps the time).
# Linux stamps with its coarse clock (a tick of 1 to 10 ms); a file system that keeps whole
# seconds (FAT: two) shows no fraction, and gets a window of seconds.
LOG_NAME = "index.jsonl"  # the journal beside index.json
RACY_NS = 50 * 10**6
RACY_WHOLE_SECONDS_NS = 3 * 10**9
SUMMARY_KEYS = ("id", "app_name", "user_id", "created_at", "updated_at", "event_count",
                "invocation_count")
_SUMMARY_TYPES = {"app_name": str, "user_id": str, "created_at": str, "updated_at": str,
                  "event_count": int, "invocation_count": int}
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
    # One text a line, as the documents: parsed a block at a time (`parse_documents`).
    text = (b"{\n" + b",\n".join(jsonio.dumps(name) + b":" + jsonio.dumps(value)
                                 for name, value in texts.items()) + b"\n}") if texts else b"{}"
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


BLOCK = 1 << 20  # bytes of documents parsed in one call


def parse_documents(body: memoryview | bytes) -> Any:
    """`split`'s documents object (or its texts), parsed a block of lines at a time: one orjson call holds the
    interpreter for as long as it runs (60 MB, 100,000 sessions: a 240 ms stall of the app's UI
    thread while its worker opened the store); between blocks the UI thread runs. The same
    value as one call (a key given twice: the last, as orjson keeps it)."""
    data = bytes(body)
    if len(data) <= BLOCK or not data.startswith(b"{\n") or not data.endswith(b"\n}"):
        return jsonio.loads(data)
    out: dict[str, Any] = {}
    start, end = 2, len(data) - 2  # the lines between `{\n` and `\n}`: `"n":{...},` each
    while start < end:
        cut = data.find(b"\n", min(start + BLOCK, end))
        cut = end if cut < 0 else cut
        block = jsonio.loads(b"{" + data[start:cut].rstrip(b",") + b"}")
        if not isinstance(block, dict):
            raise ValueError("not an object")
        out.update(block)
        start = cut + 1
    return out


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
    # (the meta line is outside the checksum: `read_head` compares `count`)
    if any(type(meta.get(key)) is not int for key in ("count", "crc", "texts")):
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


def folder_mark(folder: Path | None) -> int | None:
    """The stat of a folder that moves with every entry added, removed or renamed into it:
    its change time (set by the system, never by a program: a copy of the store, or the same
    folder after any change, has another one)."""
    if folder is None:
        return None
    try:
        return os.stat(folder, follow_symlinks=False).st_ctime_ns
    except OSError:
        return None


def window(*times: int) -> int:
    """RACY_NS, or for times of whole seconds (a file system that keeps no fraction), more."""
    return RACY_WHOLE_SECONDS_NS if all(t % 10**9 == 0 for t in times) else RACY_NS


def written_at(index_path: Path) -> int | None:
    """When the index was last written (ns): its journal's time, else index.json's; None
    when neither is there. Taken before the index is read: a change made meanwhile makes it
    look older, never newer."""
    for path in (index_path.with_name(LOG_NAME), index_path):
        try:
            return os.stat(path, follow_symlinks=False).st_mtime_ns
        except FileNotFoundError:
            continue
    return None


def fresh(written: int | None, now: int | None) -> bool:
    """True when the index is known to describe every file in `sessions/` now: it was last
    written (at `written`, by a writer that knew every file, under the lock) more than a tick
    of the file system's clock after the folder last changed (at `now`: a change in the same
    tick could leave its time as it was)."""
    return written is not None and now is not None and written - now > window(written, now)


def journal_true(sessions_dir: Path, changed: dict[str, dict[str, Any] | None]) -> bool:
    """Whether the session files the journal's last lines name are as they say (a document:
    the file with its signature; None, a `gone` line: no file). The journal has no checksum:
    an index trusted without a stat of each file still looks at these few, so that lines
    edited by hand never hide a session that is there nor show one that is not."""
    for name, doc in changed.items():
        if not isinstance(name, str) or not is_session_file(name):
            return False
        try:
            st = os.stat(sessions_dir / name, follow_symlinks=False)
        except FileNotFoundError:
            if doc is not None:
                return False
            continue
        except OSError:
            return False
        if doc is None or doc.get("sig") != [st.st_ino, st.st_size, st.st_mtime_ns]:
            return False
    return True


def merged(head: list[dict[str, Any]], tail: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`head` (newest first already, as index.json keeps it) with `tail` (any order) put in
    their places: sort keys are computed for the tail and the few head documents bisection
    looks at, never for every document."""
    if not tail:
        return head
    out: list[dict[str, Any]] = []
    start = 0
    for doc in sorted(tail, key=sort_key):
        at = bisect.bisect_right(head, sort_key(doc), lo=start, key=sort_key)
        out += head[start:at]
        out.append(doc)
        start = at
    out += head[start:]
    return out


def sound(docs: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """The documents by file name, if each is shaped as session-tui writes them (a cheap look,
    not `_trusted_doc`: the checksum says they were checked when written); else None."""
    try:
        index = {doc["file"]: doc for doc in docs.values()}
    except (TypeError, KeyError):
        return None
    for name, doc in index.items():
        if "error" in doc:
            if not trusted_doc(doc, name):
                return None
        elif type(name) is not str or type(doc.get("id")) is not str or \
                type(doc.get("updated_at")) is not str:
            return None
    return index


def trusted_doc(doc: dict[str, Any], name: str) -> bool:
    """An index document is used without reading its session file only when it is whole and
    names the file its id gives (a lying index is read past, not believed)."""
    if not isinstance(name, str) or not is_session_file(name):
        return False
    if "error" in doc:
        return isinstance(doc["error"], str)
    if type(doc.get("t", 0.0)) not in (float, type(None)):
        return False
    session_id = doc.get("id")
    return (isinstance(session_id, str) and file_name(session_id) == name
            and all(type(doc.get(k)) is t for k, t in _SUMMARY_TYPES.items())
            and type(doc.get("annulled_count", 0)) is int
            # (index.json's documents keep no state text: it is in a table of its own)
            and type(doc.get("search_text", "")) is str
            # An index written before the tokens were counted: its sessions are read once more.
            and "total_tokens" in doc and type(doc["total_tokens"]) in (int, type(None)))
