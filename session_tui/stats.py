"""Provides tokens and time per step: what each event, each invocation and the whole session cost,
from ADK's `usageMetadata` and the event timestamps. Textual-free (the timeline, the chart, the
session list and `session-tui stats` show what these functions return).

Tokens. An event's `usageMetadata` (ADK JSON; `usage_metadata` as ADK's databases and the demo
spell it; the counts camelCase or snake_case) gives five counts: `prompt`, `candidates`,
`thoughts`, `cached` (the part of the prompt served from cache) and `total`. `total` is the
model's own `totalTokenCount`; where it is missing, the sum of prompt, candidates, thoughts
and tool-use prompt tokens (what Gemini's total counts). An event without usage metadata has
no tokens (None): a user's message, a tool's answer. Events a rewind annulled count too: their
tokens were spent.

Time. An event's duration is the time since the event before it in the log when that event is of
the same invocation (how long this step took); the first event of an invocation has none (the
gap before it is the user's, not the agent's). An invocation's duration is its last event's
time minus its first's (max - min), so for an invocation whose events come in time order its
events' durations add up to it. The session's duration is the sum of its invocations' (the
agent's time, not the wall time between the first and the last event).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from .model import JSON, Event

USAGE_KEYS = ("usageMetadata", "usage_metadata")
KINDS = ("prompt", "candidates", "thoughts", "cached", "total")
_SPELLINGS = {
    "prompt": ("promptTokenCount", "prompt_token_count"),
    "candidates": ("candidatesTokenCount", "candidates_token_count"),
    "thoughts": ("thoughtsTokenCount", "thoughts_token_count"),
    "cached": ("cachedContentTokenCount", "cached_content_token_count"),
    "total": ("totalTokenCount", "total_token_count"),
}
_TOOL_USE = ("toolUsePromptTokenCount", "tool_use_prompt_token_count")

__all__ = ["KINDS", "USAGE_KEYS", "InvocationStats", "SessionStats", "event_duration",
           "event_tokens", "session_stats", "short_duration", "short_tokens", "stats_json",
           "total_tokens", "usage_of"]


def usage_of(event: Event) -> dict | None:
    """The event's usage metadata object as stored, or None."""
    for key in USAGE_KEYS:
        value = event.extra.get(key)
        if isinstance(value, dict):
            return value
    return None


def _count(usage: dict, spellings: tuple[str, ...]) -> int | None:
    for key in spellings:
        value = usage.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def event_tokens(event: Event) -> dict[str, int] | None:
    """The event's five token counts (absent counts 0), or None without usage metadata."""
    usage = usage_of(event)
    if usage is None:
        return None
    out = {kind: _count(usage, _SPELLINGS[kind]) or 0 for kind in KINDS}
    total = _count(usage, _SPELLINGS["total"])
    if total is None:
        out["total"] = (out["prompt"] + out["candidates"] + out["thoughts"]
                        + (_count(usage, _TOOL_USE) or 0))
    return out


def total_tokens(events: Iterable[Event]) -> int | None:
    """The session's total tokens (what the list shows), None when no event recorded usage."""
    total = None
    for event in events:
        tokens = event_tokens(event) if event.extra else None
        if tokens is not None:
            total = (total or 0) + tokens["total"]
    return total


def _seconds(event: Event) -> float | None:
    ts = event.timestamp
    return float(ts) if isinstance(ts, (int, float)) and not isinstance(ts, bool) else None


def event_duration(events: Sequence[Event], index: int) -> float | None:
    """Seconds since the event before, when it is of the same invocation; else None."""
    if index <= 0 or events[index - 1].invocation_id != events[index].invocation_id:
        return None
    now, before = _seconds(events[index]), _seconds(events[index - 1])
    return None if now is None or before is None else now - before


def _zero() -> dict[str, int]:
    return dict.fromkeys(KINDS, 0)


@dataclass
class InvocationStats:
    id: str
    events: int = 0
    tokens: dict[str, int] = field(default_factory=_zero)
    with_usage: int = 0  # events that recorded usage metadata
    first: float | None = None  # its earliest and latest event times
    last: float | None = None

    @property
    def duration_s(self) -> float:
        return 0.0 if self.first is None or self.last is None else self.last - self.first


@dataclass
class SessionStats:
    invocations: list[InvocationStats]

    @property
    def events(self) -> int:
        return sum(i.events for i in self.invocations)

    @property
    def tokens(self) -> dict[str, int]:
        out = _zero()
        for invocation in self.invocations:
            for kind in KINDS:
                out[kind] += invocation.tokens[kind]
        return out

    @property
    def total_tokens(self) -> int | None:
        """None when no event recorded usage (unknown, not 0)."""
        if not any(i.with_usage for i in self.invocations):
            return None
        return self.tokens["total"]

    @property
    def duration_s(self) -> float:
        return sum(i.duration_s for i in self.invocations)


def session_stats(events: Sequence[Event]) -> SessionStats:
    """Tokens and duration of each invocation (in order of first appearance)."""
    by_id: dict[str, InvocationStats] = {}
    for event in events:
        stats = by_id.get(event.invocation_id)
        if stats is None:
            stats = by_id[event.invocation_id] = InvocationStats(event.invocation_id)
        stats.events += 1
        tokens = event_tokens(event) if event.extra else None
        if tokens is not None:
            stats.with_usage += 1
            for kind in KINDS:
                stats.tokens[kind] += tokens[kind]
        ts = _seconds(event)
        if ts is not None:
            stats.first = ts if stats.first is None else min(stats.first, ts)
            stats.last = ts if stats.last is None else max(stats.last, ts)
    return SessionStats(list(by_id.values()))


def stats_json(stats: SessionStats) -> dict[str, JSON]:
    """`session-tui stats --json`: {"invocations": [{"id", "events", "tokens", "duration_s"}],
    "totals": {"events", "invocations", "tokens", "duration_s"}} (seconds to the microsecond)."""
    return {
        "invocations": [{"id": i.id, "events": i.events, "tokens": dict(i.tokens),
                         "duration_s": round(i.duration_s, 6)} for i in stats.invocations],
        "totals": {"events": stats.events, "invocations": len(stats.invocations),
                   "tokens": stats.tokens, "duration_s": round(stats.duration_s, 6)},
    }


# ------------------------------------------------------------------------------ short text

def short_tokens(value: Any) -> str:
    """`980`, `1.2k`, `12k`, `3.4M`: at most 5 cells (a sign takes one of them); "" for no
    figure."""
    if not isinstance(value, int) or isinstance(value, bool):
        return ""
    n = abs(value)
    sign = "-" if value < 0 else ""
    if n < 1000:
        return f"{sign}{n}"
    for scale, unit in ((10**3, "k"), (10**6, "M"), (10**9, "G"), (10**12, "T")):
        scaled = n / scale
        text = f"{scaled:.1f}" if scaled < 9.95 else f"{round(scaled)}"
        if len(text) <= 3:  # 1000k is 1.0M
            return f"{sign}{text}{unit}"
    return f"{sign}>999T"[-5:]


def short_duration(seconds: float | None) -> str:
    """`0.4s`, `12s`, `3m05`, `2h10`: at most 5 cells; "" for no figure."""
    if seconds is None:
        return ""
    if seconds < 0:
        return "<0s"  # clocks that went back: said, not hidden
    if seconds < 9.95:
        return f"{seconds:.1f}s"
    if seconds < 59.5:
        return f"{round(seconds)}s"
    minutes = int(round(seconds) // 60)
    if minutes < 60:
        return f"{minutes}m{int(round(seconds)) % 60:02d}"
    hours = minutes // 60
    if hours < 100:
        return f"{hours}h{minutes % 60:02d}"
    days = hours // 24
    return f"{days}d" if days < 1000 else f"{days // 365}y"  # (event times end in year 9999)


FIGURES_BOTH_FROM = 64
"""A timeline this wide (cells) ends each line with both figures; narrower, with one."""


def figures_text(tokens: int | None, seconds: float | None, width: int) -> str:
    """What a timeline line ends with, right-aligned: `12.3k  3.4s` (11 cells) at
    FIGURES_BOTH_FROM cells and wider; narrower, one figure in 5 cells (the tokens where there
    are some, else the time); "" when there is neither."""
    tok, dur = short_tokens(tokens), short_duration(seconds)
    if not tok and not dur:
        return ""
    if width >= FIGURES_BOTH_FROM:
        return f"{tok:>5} {dur:>5}"
    return f"{tok or dur:>5}"
