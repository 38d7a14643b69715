"""Search the text of events: inside one session (the app's `/`, `search --session`) and
across a store through `search_index.SearchIndex` (the list's filter, `session-tui search`).

What an event's searchable text is (`event_texts`), field by field:

- `content`: its text parts (an ADK event's content, a text answer);
- `call`: each function call as `name(key="value", ...)` (formats/adk_text.py renders it);
- `result`: each function response as `name -> {...}`;
- `state`: each state_delta key as `key: value` (the value as JSON);
- `error`: an error event's code and message.

Matching is a case-insensitive substring (`str.casefold` on both sides). The index keeps, per
session, the case-folded UTF-8 text of its events in one `bytes` (events split by a record
separator), so a keystroke is one C-speed `bytes.find` per session; see `SearchIndex`.
Textual-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from . import jsonio
from .eventinfo import adk_parts, error_of
from .formats.adk_json import default_content
from .formats.adk_text import render_call, render_part, render_response
from .model import Event, Session

FIELDS = ("content", "call", "result", "state", "error")
SNIPPET_BEFORE, SNIPPET_AFTER = 30, 60
_EVENT, _FIELD = "\x1e", "\x1f"  # separators in a session's folded text (never in a needle)
_SEPARATORS = str.maketrans({_EVENT: " ", _FIELD: " "})
_NEEDLE_DROP = str.maketrans({c: None for c in map(chr, range(32))})
_STATE_VALUE_CHARS = 100_000  # of one state value's JSON: a 10 MB value is searched in its start


def needle_of(query: str) -> str:
    """What a query searches for: trimmed, case-folded, without control characters."""
    return query.translate(_NEEDLE_DROP).strip().casefold()


# ------------------------------------------------------------------------ one event's text

def _calls_and_results(event: Event) -> list[dict] | None:
    """The event's ADK parts: those kept with it, else those its text and its function call
    extras make (the one rule formats/adk_json.py writes ADK content by)."""
    parts = adk_parts(event)
    if parts:
        return parts
    content = default_content(event)
    return content.get("parts") if isinstance(content, dict) else None


def event_texts(event: Event) -> list[tuple[str, str]]:
    """Every searchable text of an event with its field (see the module docstring)."""
    out: list[tuple[str, str]] = []
    if event.content:
        parts = _calls_and_results(event) if event.extra else None
        if parts is None:
            out.append(("content", event.content))
        else:
            for part in parts:
                out.append(_part_text(part))
    for key, value in event.actions.state_delta.items():
        shown = value if isinstance(value, str) else _json(value)
        out.append(("state", f"{key}: {shown}"))
    if event.extra:
        error = error_of(event)
        if error is not None:
            out.append(("error", " ".join(p for p in (error.code, error.message) if p)))
    return [(name, text) for name, text in out if text]


def _part_text(part: dict) -> tuple[str, str]:
    for keys, name in ((("functionCall", "function_call"), "call"),
                       (("functionResponse", "function_response"), "result")):
        value = next((part[k] for k in keys if isinstance(part.get(k), dict)), None)
        if value is not None:
            fn = value.get("name") if isinstance(value.get("name"), str) else "?"
            if name == "call":
                return name, render_call(fn, value.get("args"))
            return name, render_response(fn, value.get("response"))
    return "content", render_part(part) or ""


def _json(value: Any) -> str:
    try:
        text = jsonio.dumps(value).decode("utf-8", "replace")
    except (TypeError, ValueError):
        text = str(value)
    return text[:_STATE_VALUE_CHARS]


@dataclass(frozen=True)
class Match:
    """One field of one event that holds the needle: a snippet of it, and where the match is
    in the snippet (`start`, `length`) for highlighting."""

    event_index: int
    event_id: str
    field: str
    snippet: str
    start: int
    length: int


def snippet(text: str, at: int, length: int) -> tuple[str, int]:
    """About `SNIPPET_BEFORE` characters before a match and `SNIPPET_AFTER` after, on one line
    (`…` where cut); and where the match starts in it."""
    lo, hi = max(0, at - SNIPPET_BEFORE), min(len(text), at + length + SNIPPET_AFTER)
    head = "…" if lo else ""
    piece = text[lo:hi].replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return head + piece + ("…" if hi < len(text) else ""), len(head) + at - lo


def event_matches(event: Event, index: int, needle: str) -> list[Match]:
    """The fields of `event` (at `index`) that hold `needle` (from `needle_of`): one Match per
    text, at its first occurrence."""
    out = []
    if not needle:
        return out
    for name, text in event_texts(event):
        folded = text.casefold()
        at = folded.find(needle)
        if at < 0:
            continue
        # Case folding can change lengths (ß -> ss): then the snippet is of the folded text.
        source = text if len(folded) == len(text) else folded
        shown, start = snippet(source, at, len(needle))
        out.append(Match(index, event.id, name, shown, start, len(needle)))
    return out


def session_matches(session: Session, query: str,
                    indices: Iterable[int] | None = None) -> list[Match]:
    """Every match of `query` in the session's events (only those at `indices`, when given)."""
    needle = needle_of(query)
    events = session.events
    out: list[Match] = []
    for i in (range(len(events)) if indices is None else indices):
        out.extend(event_matches(events[i], i, needle))
    return out


# ---------------------------------------------------------------- one session's folded text

def folded_event(event: Event) -> bytes:
    """The case-folded text of one event as UTF-8, its fields joined by a unit separator (so a
    match never spans two fields)."""
    texts = [t for _, t in event_texts(event)]
    joined = _FIELD.join(texts)
    if _EVENT in joined or joined.count(_FIELD) != len(texts) - 1:
        joined = _FIELD.join(t.translate(_SEPARATORS) for t in texts)
    return joined.casefold().encode("utf-8", "replace")


def folded_text(events: Sequence[Event]) -> bytes:
    """The folded text of these events (`folded_event`), each led by a record separator (so a
    match never spans two events)."""
    return b"".join([b"\x1e" + folded_event(event) for event in events])


def event_hits(text: bytes, needle: str) -> list[int]:
    """The indices of the events whose folded text (`folded_text`) holds `needle`, in order."""
    if not needle:
        return []
    want = needle.encode("utf-8")
    sep = _EVENT.encode()
    out: list[int] = []
    index, counted = -1, 0  # event index at byte `counted`
    pos = text.find(want)
    while pos >= 0:
        index += text.count(sep, counted, pos + 1)
        counted = pos + 1
        out.append(index)
        nxt = text.find(sep, pos)  # on to the next event
        if nxt < 0:
            break
        index += 1
        counted = nxt + 1
        pos = text.find(want, counted)
    return out


class SessionText:
    """One session's events prepared for searching as you type (built in a worker: it reads
    every event once). A search is then one C-speed `in` per event: ~10 ms for 100,000."""

    def __init__(self, events: Sequence[Event]):
        self.texts = [folded_event(event) for event in events]

    def find(self, query: str) -> list[int]:
        """The indices of the events holding `query`, in order."""
        needle = needle_of(query)
        if not needle:
            return []
        want = needle.encode("utf-8")
        return [i for i, text in enumerate(self.texts) if want in text]


__all__ = ["FIELDS", "Match", "SessionText", "event_hits", "event_matches", "event_texts",
           "folded_event", "folded_text", "needle_of", "session_matches", "snippet"]
