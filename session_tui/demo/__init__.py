"""Realistic, deterministic demo sessions (for the `demo` command, screenshots and tests), and a
fast generator of many plain sessions for benchmarks (`generate_sessions`, bench.py).

Everything comes from `random.Random(seed)` and the `now` given: no global random, no clock.
Every session's `state` is its `initial_state` (or `{}`) with each event's `state_delta` applied
in order, as a store would have built it. Each app's story is a module of its own (travel.py,
support.py, analyst.py), written with builder.py.
"""

from __future__ import annotations

import copy
import random

from ..model import Session, format_time, from_unix
from .analyst import analyst
from .bench import generate_sessions
from .builder import JSON, Builder
from .support import support
from .travel import travel

__all__ = ["APPS", "USERS", "demo_sessions", "generate_sessions"]

APPS = ("travel_concierge", "support_desk", "data_analyst")
USERS = ("aiko.tanaka", "joao.silva", "chloé.martin", "sam.okafor", "zoë.müller")


_INITIAL_STATES: dict[str, dict[str, JSON]] = {
    "travel_concierge": {"currency": "USD", "budget_usd": 2000, "stage": "new",
                         "user:home_airport": "SFO", "loyalty": {"programme": "Star Alliance", "tier": None}},
    "support_desk": {"channel": "web_chat", "customer_tier": "silver", "sentiment": "neutral"},
    "data_analyst": {"dataset": {"table": "sales", "rows": None}, "row_limit": 1000, "locale": "pt-PT"},
}

_SCRIPTS = {"travel_concierge": travel, "support_desk": support, "data_analyst": analyst}


def demo_sessions(seed: int = 7, now: float = 1795000000.0) -> list[Session]:
    """30 realistic sessions of three agent apps and five users over the three weeks before
    `now`, oldest first. Deterministic for a given seed and `now`.

    Among them: agent transfers, an escalation, user edits (one deleting a key), sessions with an
    `initial_state`, an empty session, unicode everywhere, and one session whose tool output holds
    rich markup and terminal escape sequences that must be shown literally."""
    rng = random.Random(seed)
    plans = []
    for i in range(30):
        app = APPS[i % len(APPS)]
        user = USERS[i % len(USERS)]
        flags: set[str] = set()
        if i == 0:
            flags.add("edit")  # travel: a user edit of the budget
        if i == 3:
            flags.add("edit_delete")  # travel: a user edit deleting a key
        if i in (1, 4):
            flags.add("escalate")  # support
        if i == 2:
            flags.add("hostile")  # data analyst
        plans.append((app, user, flags, i == 29, i % 4 == 1))
    sessions = []
    for app, user, flags, empty, with_initial in plans:
        start = now - 21 * 86400 + rng.uniform(0, 20.5 * 86400)
        created = round(start, 6)
        initial = copy.deepcopy(_INITIAL_STATES[app]) if with_initial and not empty else None
        b = Builder(rng, created, initial)
        session_id = b.uid()
        if not empty:
            n = rng.randint(3, 9 if flags & {"edit", "edit_delete"} else 10)
            if app == "support_desk" and n >= 9:
                n = 8  # its survey turn is two invocations
            _SCRIPTS[app](b, n, rng, flags)
        created_at = format_time(from_unix(created))
        updated_at = format_time(from_unix(b.events[-1].timestamp)) if b.events else created_at
        extra = {"initial_state": copy.deepcopy(initial)} if initial is not None else {}
        sessions.append((created, Session(id=session_id, app_name=app, user_id=user, state=b.state,
                                created_at=created_at, updated_at=updated_at, events=b.events, extra=extra)))
    sessions.sort(key=lambda pair: pair[0])
    return [session for _, session in sessions]
