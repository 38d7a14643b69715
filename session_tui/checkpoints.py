"""Time travel from checkpoints: the state after any event of a big session in O(every) work.

`model.state_after(session, keep)` walks every event (about 0.1-0.25 s on a 100,000-event
session), which time travel paid at each cursor move. `Checkpoints(session)` walks them once
(in a worker) and keeps, every `every` events, what the state after an event depends on:

- the last value each key was given by the events before the checkpoint (`None`: removed), and
- the keys some event from the checkpoint on writes (only those differ from the live state).

`state_after(keep)` then looks at the events between the nearest checkpoints only. The result
is `model.state_after(session, keep).state`, same keys in the same order; like it, values
are shared with the session (for reading: do not change them in place).
"""

from __future__ import annotations

import math
from typing import Any

from .model import Session

MIN_EVERY = 256
BUDGET = 2_000_000
"""Keys kept over all checkpoints at most: a session writing many different keys gets its
checkpoints further apart rather than using gigabytes."""


class Checkpoints:
    """The states after the events of one session (as it was when built: a changed session
    needs new checkpoints)."""

    def __init__(self, session: Session, every: int | None = None):
        self.session = session
        events = session.events
        self._deltas = deltas = [event.actions.state_delta for event in events]
        n = len(deltas)
        changing = [i for i, delta in enumerate(deltas) if delta]  # (most events write none)
        if every is None:
            keys = len(set().union(*(deltas[i] for i in changing)))
            every = max(MIN_EVERY, math.ceil((n + 1) * keys / BUDGET))
        self.every = every
        # _last[i]: key -> last value written by events[:i*every]
        # _later[i]: the keys written by events[i*every:]  (i*every capped at n)
        self._last: list[dict[str, Any]] = []
        last: dict[str, Any] = {}
        k = 0
        for start in range(0, n + 1, every):
            while k < len(changing) and changing[k] < start:
                last.update(deltas[changing[k]])
                k += 1
            self._last.append(dict(last))
        self._later: list[frozenset[str]] = [frozenset()] * (n // every + 2)
        later: set[str] = set()
        k = len(changing) - 1
        for i in range(n // every + 1, -1, -1):
            start = min(i * every, n)
            while k >= 0 and changing[k] >= start:
                later.update(deltas[changing[k]])
                k -= 1
            self._later[i] = frozenset(later)

    def state_after(self, keep: int) -> dict[str, Any]:
        """The state right after event keep-1 (`keep` events kept): as model.state_after."""
        deltas, every, session = self._deltas, self.every, self.session
        keep = max(0, min(keep, len(deltas)))
        below = keep // every
        recent: dict[str, Any] = {}  # the last writes of the events since that checkpoint
        for delta in deltas[below * every:keep]:
            recent.update(delta)
        above = -(-keep // every)  # the checkpoint at or after keep
        later = set(self._later[above])
        for delta in deltas[keep:min(above * every, len(deltas))]:
            later.update(delta)
        state = dict(session.state)
        if not later:
            return state
        last, initial = self._last[below], session.initial_state
        for key in sorted(later):
            if key in recent:
                value = recent[key]
                present = value is not None
            elif key in last:
                value = last[key]
                present = value is not None
            elif initial is not None:  # (an initial value may be null, and is kept so)
                present, value = key in initial, initial.get(key)
            else:
                present, value = False, None
            if not present:
                state.pop(key, None)
            elif key not in state or state[key] is not value:
                state[key] = value
        return state

