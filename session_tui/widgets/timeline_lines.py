"""The lines of a timeline: events in log order, a header before every contiguous run of
events of one invocation. No Textual here: the widget (timeline.py) draws these lines.

Invocations are contiguous in practice; when one is interleaved with another, each of its runs
gets its own header, marked `part k/m`, so the order on screen is always the order in the log.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
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
        self._starts: list[int] = []  # each run's first event
        self._invocations: list[str] = []  # each run's invocation
        self._parts: list[int] = []  # k: this run is the k-th of its invocation
        self._runs_of: dict[str, int] = {}  # how many runs each invocation has
        previous: str | None = None
        for i, event in enumerate(events):
            invocation = event.invocation_id
            if invocation != previous:
                self._starts.append(i)
                self._invocations.append(invocation)
                self._runs_of[invocation] = self._runs_of.get(invocation, 0) + 1
                self._parts.append(self._runs_of[invocation])
                previous = invocation
        self._lines: list[int] = []  # >= 0: an event index; < 0: -1 - run number (a header)
        ends = self._starts[1:] + [len(events)]
        for number, (start, end) in enumerate(zip(self._starts, ends)):
            self._lines.append(-1 - number)
            self._lines.extend(range(start, end))
        self._stats: dict[int, RunStats] = {}
        # Events an ADK rewind annulled (index -> the rewind event's index; they stay in the
        # log) and how many each rewind event annulled.
        self.annulled: dict[int, int] = annulled_by(events)
        self.rewound: dict[int, int] = {}
        for rewind in self.annulled.values():
            self.rewound[rewind] = self.rewound.get(rewind, 0) + 1
        longest = max((cell_len(one_line(a)) for a in {event.author for event in events}), default=6)
        self.author_width = max(6, min(18, longest))  # cells of the author column

    def __len__(self) -> int:
        return len(self._lines)

    def event_at(self, line: int) -> int | None:
        """The event (index in the events) on `line`; None on a header."""
        value = self._lines[line]
        return value if value >= 0 else None

    def run_at(self, line: int) -> int | None:
        """The run whose header is on `line`; None on an event."""
        value = self._lines[line]
        return -1 - value if value < 0 else None

    def run_of(self, line: int) -> int:
        """The run `line` belongs to, header or event."""
        value = self._lines[line]
        return -1 - value if value < 0 else bisect_right(self._starts, value) - 1

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
