"""The lines of a timeline: events in log order, a header before every contiguous run of
events of one invocation. No Textual here: the widget (timeline.py) draws these lines.

Invocations are contiguous in practice; when one is interleaved with another, each of its runs
gets its own header, marked `part k/m`, so the order on screen is always the order in the log.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import count, islice
from operator import attrgetter
from typing import NamedTuple, Sequence

from rich.cells import cell_len

from ..eventinfo import annulled_by, error_of, is_edit
from ..model import Event
from ..stats import total_tokens
from ..text import one_line

__all__ = ["Run", "RunStats", "TimelineLines"]


class Run(NamedTuple):
    """A contiguous run of events of one invocation."""

    start: int  # first event index
    end: int  # one past the last event index
    invocation_id: str
    part: int  # this run is part `part` of `parts` of its invocation
    parts: int


@dataclass
class RunStats:
    authors: list[str]
    first: float
    last: float
    changed_keys: int  # distinct state keys the run's deltas write
    edit: bool
    errors: int  # error events (rate limits, failed tools)
    annulled: int  # events of the run a rewind annulled
    annulled_by: int | None  # the rewind event (index) that annulled the run's first annulled one
    tokens: int | None = None  # total tokens its events' usage metadata recorded (stats.py)


class TimelineLines:
    """Line k is either an event (`event_at(k)`: its index in the events) or the header of a
    run (`run_at(k)`: the run's number). Runs are kept as parallel lists, no object a run:
    100,000 events load without garbage-collector churn."""

    def __init__(self, events: Sequence[Event] = ()) -> None:
        self.events = events
        # (Made from lists at C speed where it can be: 100,000 events are read in a worker,
        # and every millisecond here is one the session waits for to be shown.)
        ids = list(map(attrgetter("invocation_id"), events))
        self._starts: list[int] = [i for i, a, b in zip(count(1), ids, islice(ids, 1, None))
                                   if a != b]  # each run's first event
        if ids:
            self._starts.insert(0, 0)
        self._invocations: list[str] = [ids[i] for i in self._starts]  # each run's invocation
        self._parts: list[int] = []  # k: this run is the k-th of its invocation
        self._runs_of: dict[str, int] = {}  # how many runs each invocation has
        for invocation in self._invocations:
            self._runs_of[invocation] = runs = self._runs_of.get(invocation, 0) + 1
            self._parts.append(runs)
        # Line k is run r's header when k == _headers[r], else the event k - r - 1 of run r
        # (r the last header at or before k): no list of lines (125,000 numbers) is kept.
        self._headers: list[int] = [start + number for number, start in enumerate(self._starts)]
        self._count = len(events) + len(self._starts)
        self._stats: dict[int, RunStats] = {}
        # Events an ADK rewind annulled (index -> the rewind event's index; they stay in the
        # log) and how many each rewind event annulled.
        self.annulled: dict[int, int] = annulled_by(events)
        self.rewound: dict[int, int] = {}
        for rewind in self.annulled.values():
            self.rewound[rewind] = self.rewound.get(rewind, 0) + 1
        authors = set(map(attrgetter("author"), events))
        longest = max((cell_len(one_line(a)) for a in authors), default=6)
        self.author_width = max(6, min(18, longest))  # cells of the author column

    def __len__(self) -> int:
        return self._count

    @property
    def invocation_count(self) -> int:
        """How many distinct invocations the events hold."""
        return len(self._runs_of)

    def _locate(self, line: int) -> tuple[int, int, bool]:
        """(`line` itself, the run it belongs to, whether it is the run's header); a negative
        line counts from the end, as a list's index does."""
        if line < 0:
            line += self._count
        if not 0 <= line < self._count:
            raise IndexError("timeline line out of range")
        run = bisect_right(self._headers, line) - 1
        return line, run, self._headers[run] == line

    def event_at(self, line: int) -> int | None:
        """The event (index in the events) on `line`; None on a header."""
        line, run, header = self._locate(line)
        return None if header else line - run - 1

    def run_at(self, line: int) -> int | None:
        """The run whose header is on `line`; None on an event."""
        _, run, header = self._locate(line)
        return run if header else None

    def run_of(self, line: int) -> int:
        """The run `line` belongs to, header or event."""
        return self._locate(line)[1]

    def invocation_at(self, line: int) -> str:
        event = self.event_at(line)
        if event is not None:
            return self.events[event].invocation_id
        return self._invocations[self.run_of(line)]

    def line_of_event(self, index: int) -> int:
        """The line an event (by index in the events) is drawn on."""
        return index + bisect_right(self._starts, index)

    def header_line(self, number: int) -> int | None:
        """The line of run `number`'s header; None when there is no such run."""
        return self._starts[number] + number if 0 <= number < len(self._starts) else None

    def header_line_of(self, invocation_id: str) -> int | None:
        """The line of the (first) header of this invocation."""
        try:
            return self.header_line(self._invocations.index(invocation_id))
        except ValueError:
            return None

    def run(self, number: int) -> Run:
        starts = self._starts
        end = starts[number + 1] if number + 1 < len(starts) else len(self.events)
        invocation = self._invocations[number]
        return Run(starts[number], end, invocation, self._parts[number], self._runs_of[invocation])

    def stats(self, number: int) -> RunStats:
        """What the run's header says (worked out when it is first drawn)."""
        stats = self._stats.get(number)
        if stats is None:
            run = self.run(number)
            authors: dict[str, None] = {}
            keys: set[str] = set()
            first = last = None
            errors = 0
            annulled = [self.annulled[i] for i in range(run.start, run.end) if i in self.annulled]
            tokens = total_tokens(self.events[run.start:run.end])
            for event in self.events[run.start:run.end]:
                authors.setdefault(event.author, None)
                errors += error_of(event) is not None
                keys.update(event.actions.state_delta)
                ts = event.timestamp
                if first is None or ts < first:
                    first = ts
                if last is None or ts > last:
                    last = ts
            stats = RunStats(list(authors), first or 0, last or 0, len(keys),
                             is_edit(self.events[run.start]), errors, len(annulled),
                             annulled[0] if annulled else None, tokens)
            self._stats[number] = stats
        return stats
