"""Which events an ADK rewind annulled: google-adk keeps them in the log and no longer shows
them to the model. The rule is google-adk's own; `eventinfo` shows the result (callers import
these names from `session_tui.eventinfo`)."""

from __future__ import annotations

from typing import Sequence

from .model import Event

_REWIND_KEYS = ("rewindBeforeInvocationId", "rewind_before_invocation_id")


def rewind_target(event: Event) -> str | None:
    """The invocation an ADK rewind event rewinds to before (`actions.rewindBeforeInvocationId`,
    written by google-adk's `Runner.rewind_async`); None for any other event. As google-adk
    reads it: only a non-empty value makes a rewind."""
    extra = event.actions.extra
    if not extra:
        return None
    value = next((v for v in map(extra.get, _REWIND_KEYS) if v is not None), None)
    return value if isinstance(value, str) and value else None


def annulled_by(events: Sequence[Event]) -> dict[int, int]:
    """Which events a rewind annulled: {index of the event: index of the rewind event}.

    google-adk's own rule (google/adk/events/_rewind_events.py `_apply_rewinds`, the one its
    runner, LLM contents and compaction use): walk back from the last event; a rewind event
    naming invocation X annuls every event from X's FIRST event in the whole log up to itself,
    and the walk goes on before X's first event, so a rewind inside an annulled range (nested)
    has no effect of its own. A rewind whose X has no event before it annuls nothing. The
    events stay in the log; ADK shows the model neither them nor the rewind events."""
    # The rewind events (most events have no action extras: a quick look).
    rewinds = [(i, target) for i, event in enumerate(events)
               if event.actions.extra and (target := rewind_target(event)) is not None]
    if not rewinds:
        return {}
    return annulled_among([event.invocation_id for event in events], rewinds)


def annulled_among(invocation_ids: Sequence[str],
                   rewinds: Sequence[tuple[int, str]]) -> dict[int, int]:
    """`annulled_by` on a log known only by each event's invocation id and its rewind events
    ((index, target invocation), oldest first): what an ADK database's list needs without
    reading whole events."""
    out: dict[int, int] = {}
    first: dict[str, int] = {}
    for index, invocation_id in enumerate(invocation_ids):
        first.setdefault(invocation_id, index)
    walked_to = len(invocation_ids)  # ADK's backward walk has skipped everything from here on
    for i, target in reversed(rewinds):
        if i >= walked_to:
            continue  # inside a range a later rewind annulled: skipped, as ADK's walk does
        start = first.get(target)
        if start is not None and start < i:
            for j in range(start, i):
                out[j] = i
            walked_to = start
    return out


def annulled_count(events: Sequence[Event]) -> int:
    """How many of `events` a rewind annulled (they stay in the log)."""
    return len(annulled_by(events))
