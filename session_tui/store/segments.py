"""Layout version 2 of a session in a store folder: a small head file and segments of events.

`sessions/<name>.json` (the head, a TinyDB file, replaced atomically by every change) holds the
session without its events (table `head`), its generation (`_meta`) and its layout (table
`layout`): the segment files of its events in order, each with how many events it holds and how
many of its bytes count (its committed length), and the same for the file of its invocation ids
in order of first appearance. The events live in `events/<name>/` as JSON Lines files of at most
`segment_events()` events. An append writes the new event's line at the committed length of the
last segment (after cutting off whatever a crashed append left past it), fsyncs, and then
replaces the head: a crash between leaves bytes past the committed length, which count for
nothing. Bytes below a committed length are never written again, so an undo record can point at
the events a rewind removed (`TailPart`) instead of copying them, and a reader that saw an old
head reads what that head says (it re-checks the head afterwards, see DirectoryStore._load).

Names read from a head are checked (`SEGMENT_NAME`, ...) and opened through paths.inside, like
every path a store's own files name. Writing them: segment_writes.py.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .. import jsonio
from ..model import Session, SessionFormatError
from .errors import CorruptFile
from .paths import UnsafePath, inside, kind_of, read_regular

FORMAT2 = "session-tui/2"
HEAD_TABLE = "head"
LAYOUT_TABLE = "layout"
EVENTS_FOLDER = "events"
SEGMENT_NAME = re.compile(r"[0-9]{1,12}-[0-9a-f]{8}\.jsonl")
INVOCATIONS_NAME = re.compile(r"inv-[0-9a-f]{8}\.jsonl")
LIST_NAME = re.compile(r"list-[0-9a-f]{8}\.jsonl")
RECENT = 16  # segment entries a head holds before they go into the list file
DEFAULT_SEGMENT_EVENTS = 1000


def segment_events() -> int:
    """Events per segment: `$SESSION_TUI_SEGMENT_EVENTS` (tests use a handful), else 1,000."""
    try:
        return max(1, int(os.environ.get("SESSION_TUI_SEGMENT_EVENTS", DEFAULT_SEGMENT_EVENTS)))
    except ValueError:
        return DEFAULT_SEGMENT_EVENTS


def is_event_file(name: str) -> bool:
    return bool(SEGMENT_NAME.fullmatch(name) or INVOCATIONS_NAME.fullmatch(name)
                or LIST_NAME.fullmatch(name))


@dataclass
class Segment:
    name: str
    count: int  # lines (events, or invocation ids) that count
    length: int  # where they end (bytes): the committed length
    open: bool = False  # appends may go at `length` (never after a cut: see TailPart)
    start: int = 0  # where they begin (a segment an undo took back from a cut one)

    def to_json(self) -> list:
        return [self.name, self.count, self.length, self.open, self.start]

    @classmethod
    def from_json(cls, value: Any, where: str, pattern: re.Pattern) -> "Segment":
        if not (isinstance(value, list) and len(value) == 5 and isinstance(value[0], str)
                and all(type(v) is int and v >= 0 for v in value[1:3] + value[4:])
                and isinstance(value[3], bool) and value[4] <= value[2]):
            raise CorruptFile(f"{where}: not a segment entry: {str(value)[:80]}")
        if not pattern.fullmatch(value[0]):
            raise UnsafePath(f"{where}: {value[0]!r} is not a name session-tui gives an events file")
        return cls(*value)


@dataclass
class Layout:
    """The segments of a session in order. The head lists the last few (at most RECENT past
    the list file); the others, which never change, are lines of the list file (`listed`: its
    name, how many entries count and their length), so that a head stays small however long
    the session grows. A layout read from a head has only the head's part until `resolve`."""

    segments: list[Segment] = field(default_factory=list)
    invocations: Segment | None = None
    last_invocation: str | None = None
    annulled: int = 0
    listed: Segment | None = None
    total: int = 0  # events, as the head says (known before `resolve`)
    resolved: bool = True

    @property
    def event_count(self) -> int:
        return sum(s.count for s in self.segments) if self.resolved else self.total

    @property
    def invocation_count(self) -> int:
        return self.invocations.count if self.invocations else 0

    def names(self) -> set[str]:
        return {s.name for s in self.segments} | {
            s.name for s in (self.invocations, self.listed) if s is not None}

    def to_json(self) -> dict[str, Any]:
        recent = self.segments[self.listed.count:] if self.listed and self.resolved \
            else self.segments
        return {"segments": [s.to_json() for s in recent],
                "listed": self.listed.to_json() if self.listed else None,
                "event_count": self.event_count,
                "invocations": self.invocations.to_json() if self.invocations else None,
                "last_invocation": self.last_invocation, "annulled": self.annulled}

    @classmethod
    def from_json(cls, value: Any, where: str) -> "Layout":
        if not isinstance(value, dict) or not isinstance(value.get("segments"), list):
            raise CorruptFile(f"{where}: no segment list in its layout")
        inv, listed = value.get("invocations"), value.get("listed")
        last = value.get("last_invocation")
        annulled, total = value.get("annulled", 0), value.get("event_count")
        if not (last is None or isinstance(last, str)) or type(annulled) is not int \
                or type(total) is not int:
            raise CorruptFile(f"{where}: its layout is not one session-tui writes")
        layout = cls([Segment.from_json(s, where, SEGMENT_NAME) for s in value["segments"]],
                     None if inv is None else Segment.from_json(inv, where, INVOCATIONS_NAME),
                     last, annulled,
                     None if listed is None else Segment.from_json(listed, where, LIST_NAME),
                     total, listed is None)
        if layout.resolved and layout.event_count != total:
            raise CorruptFile(f"{where}: its segments hold {layout.event_count} events, "
                              f"its head counts {total}")
        return layout

    def resolve(self, folder: "Folder") -> "Layout":
        """The whole segment list: the list file's entries, then the head's."""
        if not self.resolved:
            where = str(folder.path / self.listed.name)
            listed = [Segment.from_json(v, where, SEGMENT_NAME) for v in folder.lines(self.listed)]
            self.segments = listed + self.segments
            self.resolved = True
            if self.event_count != self.total:
                raise CorruptFile(f"{where}: its segments hold {self.event_count} events, its "
                                  f"session's head counts {self.total}")
        return self


@dataclass
class TailPart:
    """Events an undo record points at: lines [start, end) (bytes) of a segment file no head
    lists any more past `start`, so they are never written again."""

    name: str
    start: int
    end: int
    count: int

    def to_json(self) -> list:
        return [self.name, self.start, self.end, self.count]

    @classmethod
    def from_json(cls, value: Any, where: str) -> "TailPart":
        if not (isinstance(value, list) and len(value) == 4 and isinstance(value[0], str)
                and all(type(v) is int and v >= 0 for v in value[1:])):
            raise CorruptFile(f"{where}: not a part of removed events: {str(value)[:80]}")
        if not SEGMENT_NAME.fullmatch(value[0]):
            raise UnsafePath(f"{where}: {value[0]!r} is not a name session-tui gives a segment")
        return cls(*value)


def ids_digest(ids: Iterable[str]) -> str:
    """A short fingerprint of a run of event ids (an undo record keeps it, not the ids)."""
    h = hashlib.blake2b(digest_size=16)
    for event_id in ids:
        h.update(event_id.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


# -- the head file -------------------------------------------------------------------------
def encode_head(session: Session, layout: Layout, generation: int) -> bytes:
    events, session.events = session.events, []
    try:
        doc = session.export(share=True)
    finally:
        session.events = events
    del doc["events"]
    return jsonio.dumps({HEAD_TABLE: {"1": doc}, LAYOUT_TABLE: {"1": layout.to_json()},
                         "_meta": {"1": {"format": FORMAT2, "generation": generation}}})


def is_head(value: Any) -> bool:
    return isinstance(value, dict) and HEAD_TABLE in value


def decode_head(path: Path, value: Any) -> tuple[Session, Layout, int]:
    """The session without its events, its layout and generation; CorruptFile naming `path`."""
    try:
        doc = value[HEAD_TABLE]["1"]
        layout_doc = value[LAYOUT_TABLE]["1"]
        generation = value["_meta"]["1"]["generation"]
    except (KeyError, TypeError):
        raise CorruptFile(f"{path}: not a session-tui session file (no head document)") from None
    if type(generation) is not int or not isinstance(doc, dict) or "events" in doc:
        raise CorruptFile(f"{path}: not a session-tui session head")
    try:
        session = Session.from_json(doc, share=True)
    except SessionFormatError as exc:
        raise CorruptFile(f"{path}: {exc}") from None
    session.revision = str(generation)
    return session, Layout.from_json(layout_doc, str(path)), generation


# -- reading -------------------------------------------------------------------------------
class Folder:
    """The events folder of one session: `events/<stem>/` under the store's root."""

    def __init__(self, root: Path, stem: str):
        self.root = root
        self.stem = stem
        self.rel = f"{EVENTS_FOLDER}/{stem}"
        self.path = root / EVENTS_FOLDER / stem

    def file(self, name: str) -> Path:
        """A file the head or an undo record names, proven to stay inside the store."""
        return inside(self.root, f"{self.rel}/{name}")

    def read(self, name: str, start: int, end: int) -> bytes:
        path = self.file(name)
        try:
            data = read_regular(path)
        except FileNotFoundError:  # the session's file is there: this is no "no session"
            raise CorruptFile(f"{path}: missing, its session's head names it") from None
        if len(data) < end:
            raise CorruptFile(f"{path}: {len(data)} bytes, its session's head counts {end}")
        return data[start:end]

    def lines(self, part: Segment | TailPart) -> list[Any]:
        end = part.end if isinstance(part, TailPart) else part.length
        return parse_lines(self.path / part.name, self.read(part.name, part.start, end), part.count)

    def events(self, layout: Layout) -> list[Any]:
        out: list[Any] = []
        for segment in layout.resolve(self).segments:
            out.extend(self.lines(segment))
        return out

    def invocations(self, layout: Layout) -> list[str]:
        return self.lines(layout.invocations) if layout.invocations else []

    def listing(self) -> list[str]:
        """Names in the folder that session-tui gives events files (none when it is absent)."""
        if kind_of(self.path) != "folder" or kind_of(self.root / EVENTS_FOLDER) != "folder":
            return []
        return sorted(n for n in os.listdir(self.path) if is_event_file(n))


def parse_lines(path: Path, data: bytes, count: int) -> list[Any]:
    """`count` JSON values, one a line (compact JSON never holds a raw newline)."""
    if not data:
        values: list[Any] = []
    elif not data.endswith(b"\n"):
        raise CorruptFile(f"{path}: its last counted line is not whole")
    else:
        try:
            values = jsonio.loads(b"[" + data[:-1].replace(b"\n", b",") + b"]")
        except (ValueError, jsonio.JSONLimitError) as exc:
            raise CorruptFile(f"{path}: not JSON Lines of events: {exc}") from None
    if len(values) != count:
        raise CorruptFile(f"{path}: {len(values)} lines where its session's head counts {count}")
    return values


def line_ends(data: bytes) -> list[int]:
    """Offsets just past each line of `data`."""
    ends, at = [], data.find(b"\n")
    while at != -1:
        ends.append(at + 1)
        at = data.find(b"\n", at + 1)
    return ends
