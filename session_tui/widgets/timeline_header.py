"""What an invocation header keeps when the pane is narrow: the least useful parts go first,
whole, so what stays reads (`4 events`, never `4 even`).

The order they go in: the time span (each event line shows its own time), then the authors
(cut down to a few names first, then left out), then the rewind that annulled the run says
only its event (`annulled by event 7`); the invocation, the event count, state changes and
errors stay. Only what is left beyond the room is cut at
the end, as any line is.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style

from ..text import one_line

Piece = tuple[str, Style]

AUTHORS_AT_MOST = 40  # cells, however wide the pane
AUTHORS_AT_LEAST = 12  # cells: fewer than this and the authors go altogether


@dataclass
class HeaderParts:
    """The header's parts, each a list of pieces (text, style), in the order they are drawn."""

    head: list[Piece]  # marker, invocation id, (part i/n)
    annulled: list[Piece]  # "annulled by rewind at 10:42:07 (event 7)", or nothing
    annulled_short: list[Piece]  # "annulled by event 7"
    authors: str
    author_style: Style
    gap_style: Style
    count: str  # "4 events"
    span: str  # the first and last event's time
    span_style: Style
    muted: Style
    badges: list[Piece]  # Δn, ✗ errors: each with its leading gap


def fit_header(parts: HeaderParts, room: int) -> list[Piece]:
    """The pieces of the header in at most `room` cells where they can be made to fit."""
    fixed = _width(parts.head) + _width(parts.annulled) + _width(parts.badges)
    head = parts.head + parts.annulled
    count_only = [(f"  {parts.count}", parts.muted)]
    with_span = [(" · ", parts.muted), (parts.span, parts.span_style)]
    authors = one_line(parts.authors, AUTHORS_AT_MOST)
    full = _authored(parts, authors) + with_span
    if fixed + _width(full) <= room:
        return head + full + parts.badges
    without_span = _authored(parts, authors)
    if fixed + _width(without_span) <= room:
        return head + without_span + parts.badges
    spare = room - fixed - _width(_authored(parts, ""))
    if spare >= AUTHORS_AT_LEAST:
        return head + _authored(parts, one_line(parts.authors, spare)) + parts.badges
    if fixed + _width(count_only) <= room:
        return head + count_only + parts.badges
    return parts.head + parts.annulled_short + count_only + parts.badges


def _authored(parts: HeaderParts, authors: str) -> list[Piece]:
    return [("  ", parts.gap_style), (authors, parts.author_style), (f" · {parts.count}", parts.muted)]


def _width(pieces: list[Piece]) -> int:
    return sum(cell_len(text) for text, _ in pieces)
