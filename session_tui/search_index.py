"""The cross-session search index: every session's case-folded event text (search.folded_text)
and its list row's text, kept up to date by each session's revision.

- `refresh(rows, read)` takes the store's summaries (`store.list()`, or the rows a poll brought):
  a session whose key (`row_key`: the summary's revision where the backend gives one, its
  `updated_at`, event and invocation counts) changed or that is new is read again, a session
  gone is dropped. Every change a store makes moves `updated_at` or a count (an undo puts back
  the old version exactly: its old key, with its old text), so edits, rewinds, imports, deletes,
  undo and other processes' changes are all seen by the next refresh.
- `matching_ids(query)` is what a keystroke costs: one `bytes.find` per session over its
  folded text (C speed; no per-event Python work), narrowed to the last answer when the query
  extends the previous one (typing on). Safe to call from the UI thread while a worker
  refreshes: a refresh publishes a new snapshot, it never changes the one being searched.
- `save` / `load` keep it between runs in the user's cache folder (`cache_file`: never inside a
  store), keyed by the store's identity; every entry is checked against the store's rows on the
  next refresh, so a stale cache costs only re-reads.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import orjson

from .model import Session
from .search import Match, folded_text, needle_of, session_matches
from .store.errors import CorruptFile
from .store.paths import read_regular

MAGIC = b"session-tui search index 1\n"
PUBLISH_EVERY = 500  # sessions read between two snapshots the UI can search
MEMO_SIZE = 32  # answers kept (a backspace, or typing on, starts from one)
# Seconds the list's filter searches per turn of the app's event loop: a key typed on most
# often narrows what is searched, and a whole search of 10,000 sessions' text (35 MB) fits.
SLICE = 0.025
CHUNK = 1 << 20  # bytes of one session's text searched between two looks at the clock
BLOCK = 64  # sessions searched between two looks at the clock


def row_key(row: dict[str, Any]) -> str:
    """What changes when a session changes, from its summary alone."""
    return "|".join(str(row.get(k)) for k in ("revision", "updated_at", "event_count",
                                               "invocation_count", "annulled_count"))


def row_text(row: dict[str, Any]) -> bytes:
    """The list row's own text the filter matches: app, user, id and the state text."""
    parts = [row.get("app_name"), row.get("user_id"), row.get("id"), row.get("search_text")]
    return "\0".join(p if isinstance(p, str) else ("" if p is None else str(p))
                     for p in parts).casefold().encode("utf-8", "replace")


@dataclass(frozen=True)
class Entry:
    key: str
    row: bytes  # row_text
    events: bytes  # search.folded_text; b"" until read
    read: bool  # whether `events` is this key's text


class SearchIndex:
    def __init__(self) -> None:
        # A snapshot: its entries and the ids of those too big to search in one go; replaced
        # as a whole (by `_entries = ...`), never changed in place.
        self._snap: tuple[dict[str, Entry], frozenset[str]] = ({}, frozenset())
        # Answers on the snapshot `_memo_of` (needle -> ids), and the search under way.
        self._memo_of: Any = None
        self._memo: dict[str, list[str]] = {}
        self._job: _Job | None = None
        self.changed = False  # since load/save: worth saving

    @property
    def _entries(self) -> dict[str, Entry]:
        return self._snap[0]

    @_entries.setter
    def _entries(self, entries: dict[str, Entry]) -> None:
        self._snap = (entries, frozenset(i for i, e in entries.items() if len(e.events) > CHUNK))

    # -- state ------------------------------------------------------------------------------
    @property
    def size(self) -> int:
        return len(self._entries)

    @property
    def unread(self) -> int:
        """Sessions whose event text is not (yet) in the index."""
        return sum(1 for e in self._entries.values() if not e.read)

    @property
    def ready(self) -> bool:
        return bool(self._entries) and self.unread == 0

    def memory(self) -> int:
        """Bytes of text the index holds (its size in memory, give or take the entries)."""
        return sum(len(e.row) + len(e.events) for e in self._entries.values())

    # -- keeping it up to date --------------------------------------------------------------
    def show_rows(self, rows: Iterable[dict[str, Any]]) -> None:
        """Make the rows' own text searchable now, before any session is read."""
        entries = {}
        for row in rows:
            if isinstance(row.get("id"), str):
                entries[row["id"]] = Entry("", row_text(row), b"", False)
        self._entries = entries

    def refresh(self, rows: Iterable[dict[str, Any]], read: Callable[[str], Session | None],
                progress: Callable[[int, int], None] | None = None,
                kept: "SearchIndex | None" = None) -> int:
        """Bring the index up to the store's summaries `rows`; `read(id)` gives a session afresh
        (None: gone or unreadable, its row text stays searchable). `kept`: an index saved
        earlier, whose entries are used where their key is still the row's. Returns how many
        sessions were read. The rows' text is searchable at once; event text as it is read."""
        old = self._entries
        earlier = kept._entries if kept is not None else {}
        entries: dict[str, Entry] = {}
        stale: list[str] = []
        for row in rows:
            session_id = row.get("id")
            if not isinstance(session_id, str):
                continue
            key = row_key(row)
            entry = old.get(session_id)
            if (entry is None or entry.key != key) and session_id in earlier:
                entry = earlier[session_id]
            if entry is None or entry.key != key:
                entry = Entry(key, row_text(row), b"", False)
                stale.append(session_id)
            elif not entry.read:
                stale.append(session_id)
            entries[session_id] = entry
        if entries.keys() != old.keys() or stale:
            self.changed = True
        self._entries = dict(entries)
        if progress is not None and stale:
            progress(0, len(stale))
        for done, session_id in enumerate(stale, start=1):
            session = read(session_id)
            if session is not None:
                entry = entries[session_id]
                entries[session_id] = Entry(entry.key, entry.row, folded_text(session.events), True)
            if done % PUBLISH_EVERY == 0:
                self._entries = dict(entries)
                if progress is not None:
                    progress(done, len(stale))
        self._entries = entries
        if progress is not None and stale:
            progress(len(stale), len(stale))
        return len(stale)

    def refresh_from(self, store: Any, rows: Iterable[dict[str, Any]] | None = None,
                     progress: Callable[[int, int], None] | None = None,
                     kept: "SearchIndex | None" = None) -> int:
        """`refresh` from a store (its `list()` unless `rows` are given)."""
        def read(session_id: str) -> Session | None:
            try:
                return store.get(session_id)
            except Exception:  # noqa: BLE001
                # Deleted since the list, a file `check` names, or worse: said where the
                # session is opened, not by a search index in the background.
                return None

        return self.refresh(store.list() if rows is None else rows, read, progress, kept)

    # -- searching --------------------------------------------------------------------------
    def matching_ids(self, query: str) -> list[str] | None:
        """The ids of the sessions whose row or event text holds `query`, in the rows' order
        (None: no query). All of them: the search runs to its end."""
        return self.match(query)[0]

    def match(self, query: str, budget: float | None = None) -> tuple[list[str] | None, bool]:
        """`matching_ids` within about `budget` seconds: (the ids found so far, whether that is
        all). Asked again for the same query, it goes on where it stopped. Typing on narrows an
        earlier answer (a query holding an earlier one matches only where that one did)."""
        needle = needle_of(query)
        if not needle:
            return None, True
        snap = self._snap
        entries = snap[0]
        if self._memo_of is not entries:
            self._memo_of, self._memo, self._job = entries, {}, None
        if needle in self._memo:
            return self._memo[needle], True
        job = self._job
        if job is None or job.needle != needle:
            narrower = [ids for old, ids in self._memo.items() if old in needle]
            job = self._job = _Job(needle, min(narrower, key=len) if narrower else list(entries))
        if job.run(snap, budget):
            self._job = None
            if len(self._memo) >= MEMO_SIZE:
                self._memo.pop(next(iter(self._memo)))
            self._memo[needle] = job.found
            return job.found, True
        return list(job.found), False

    def event_hits(self, session_id: str, query: str) -> list[int]:
        from .search import event_hits

        entry = self._entries.get(session_id)
        return [] if entry is None else event_hits(entry.events, needle_of(query))

    # -- between runs -----------------------------------------------------------------------
    def save(self, path: Path, identity: str) -> None:
        """Write the index to `path` atomically (a temporary file beside it, then renamed)."""
        entries = self._entries
        head = orjson.dumps({"identity": identity, "sessions": [
            [i, e.key, len(e.row), len(e.events), e.read] for i, e in entries.items()]})
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(MAGIC + struct.pack("<Q", len(head)) + head)
                for e in entries.values():
                    f.write(e.row)
                    f.write(e.events)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self.changed = False

    @classmethod
    def load(cls, path: Path, identity: str) -> "SearchIndex":
        """The index saved at `path` for this store; an empty one when there is none, or it is
        for another store, or it cannot be read (it is only a cache)."""
        index = cls()
        try:
            data = read_regular(path)  # a FIFO put there would block the worker forever
            if not data.startswith(MAGIC):
                return index
            at = len(MAGIC) + 8
            (size,) = struct.unpack("<Q", data[len(MAGIC):at])
            head = orjson.loads(data[at:at + size])
            if not isinstance(head, dict) or head.get("identity") != identity:
                return index
            at += size
            entries = {}
            for session_id, key, row_len, events_len, read in head["sessions"]:
                # Only what save writes (a crafted or damaged file is not half-believed).
                if not (isinstance(session_id, str) and isinstance(key, str)
                        and type(row_len) is int and type(events_len) is int
                        and row_len >= 0 and events_len >= 0 and type(read) is bool):
                    return index
                row, events = data[at:at + row_len], data[at + row_len:at + row_len + events_len]
                at += row_len + events_len
                entries[session_id] = Entry(key, row, events, bool(read))
            if at != len(data):
                return index
        except (OSError, ValueError, TypeError, KeyError, struct.error, CorruptFile):
            return index
        index._entries = entries
        return index


class _Job:
    """A search through the candidates' texts that can stop when its time is up and go on."""

    def __init__(self, needle: str, candidates: list[str]):
        self.needle = needle
        self.want = needle.encode("utf-8")
        self.candidates = candidates
        self.next = 0  # candidates[next] is searched next,
        self.offset = 0  # from this byte of its event text
        self.found: list[str] = []

    def run(self, snap: tuple[dict[str, Entry], frozenset[str]], budget: float | None) -> bool:
        """Search on until done (True) or `budget` seconds are spent (False): blocks of
        sessions, a big one a chunk at a time."""
        deadline = None if budget is None else time.perf_counter() + budget
        entries, big = snap
        want, found, candidates = self.want, self.found, self.candidates
        while self.next < len(candidates):
            if candidates[self.next] in big:
                if self._big_one(entries[candidates[self.next]], deadline):
                    self.next, self.offset = self.next + 1, 0
            else:
                stop = min(len(candidates), self.next + BLOCK)
                block = candidates[self.next:stop]
                if big and not big.isdisjoint(block):
                    block = block[:next(n for n, i in enumerate(block) if i in big)]
                get = entries.__getitem__
                found.extend([i for i in block if want in get(i).row or want in get(i).events])
                self.next += len(block)
            if deadline is not None and time.perf_counter() > deadline:
                return self.next >= len(candidates)
        return True

    def _big_one(self, entry: Entry, deadline: float | None) -> bool:
        """Search one big session's text from `offset` a chunk at a time; True when done with
        it (found, or searched to its end), False when the time is up first."""
        want, text = self.want, entry.events
        if self.offset == 0 and want in entry.row:
            self.found.append(self.candidates[self.next])
            return True
        while True:
            end = min(len(text), self.offset + CHUNK + len(want) - 1)
            if text.find(want, self.offset, end) >= 0:
                self.found.append(self.candidates[self.next])
                return True
            if end >= len(text):
                return True
            self.offset += CHUNK
            if deadline is not None and time.perf_counter() > deadline:
                return False


def cache_file(store: Any) -> tuple[Path, str]:
    """Where the index of `store` is kept between runs, and the store's identity: under
    `$SESSION_TUI_CACHE`, else the user's cache folder (platformdirs), never inside a store."""
    # Hashed: a database URL could hold a password, and the cache says nothing of it.
    where = f"{getattr(store, 'kind', '?')}:{_where(store)}"
    identity = hashlib.sha256(where.encode("utf-8", "replace")).hexdigest()
    root = os.environ.get("SESSION_TUI_CACHE")
    if not root:
        import platformdirs

        root = platformdirs.user_cache_dir("session-tui", appauthor=False)
    return Path(root) / "search" / f"{identity[:32]}.index", identity


def _where(store: Any) -> str:
    path = getattr(store, "path", None)
    try:
        return str(Path(path).resolve()) if path is not None else repr(store)
    except (OSError, RuntimeError, TypeError):
        return str(path)


def open_index(store: Any, persist: bool = True) -> SearchIndex:
    """The index of `store` as last saved (persist), else empty; call `refresh_from` next."""
    if not persist:
        return SearchIndex()
    path, identity = cache_file(store)
    return SearchIndex.load(path, identity)


def save_index(index: SearchIndex, store: Any) -> bool:
    """Save it when it changed; False when the cache folder cannot be written (it is only a
    cache: searching goes on)."""
    if not index.changed:
        return True
    path, identity = cache_file(store)
    try:
        index.save(path, identity)
        return True
    except OSError:
        return False


@dataclass(frozen=True)
class StoreMatch:
    session_id: str
    match: Match

    def to_json(self) -> dict[str, str]:
        return {"session_id": self.session_id, "event_id": self.match.event_id,
                "field": self.match.field, "snippet": self.match.snippet}


def search_store(store: Any, query: str, session_id: str | None = None,
                 persist: bool = True) -> Iterator[StoreMatch]:
    """Every match of `query` in the store's events (in one session's, with `session_id`), in
    list order: sessions found through the index, their matches read from the sessions."""
    if session_id is not None:
        session = store.get(session_id)
        for match in session_matches(session, query):
            yield StoreMatch(session.id, match)
        return
    index = open_index(store, persist)
    index.refresh_from(store)
    if persist:
        save_index(index, store)
    from .store import StoreError

    for found in index.matching_ids(query) or []:
        hits = index.event_hits(found, query)
        if not hits:
            continue  # the row's own text matched (app, user, id, state): no event to show
        try:
            session = store.get(found)
        except StoreError:
            continue  # gone since the index was refreshed
        if hits[-1] >= len(session.events):
            hits = None  # it changed since: all of it
        for match in session_matches(session, query, hits):
            yield StoreMatch(found, match)

