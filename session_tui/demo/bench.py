"""Many plain sessions, fast, for benchmarks (not for reading)."""

from __future__ import annotations

import random
import uuid
from typing import Iterator

from ..model import Event, EventActions, Session, format_time, from_unix
from .builder import JSON


def generate_sessions(n_sessions: int, events_per_session: int, seed: int = 1,
                      now: float = 1795000000.0) -> Iterator[Session]:
    """`n_sessions` plain sessions of exactly `events_per_session` events each (invocations of a
    user message, a tool call, its response and a reply), deterministic for a seed. Fast: it is
    for benchmarks (10,000 x 100 in a few seconds), not for reading."""
    rng = random.Random(seed)
    getrandbits, random_ = rng.getrandbits, rng.random
    apps = [f"bench_app_{i}" for i in range(5)]
    users = [f"user_{i:03d}" for i in range(50)]
    authors = ("user", "assistant", "assistant", "assistant")
    contents = ("Please look up the latest numbers for me.", 'lookup(key="k")', "lookup -> {\"ok\": true}",
                "Here is what I found.")
    for s in range(n_sessions):
        t = now - 30 * 86400 + random_() * 29 * 86400
        created_at = format_time(from_unix(round(t, 3)))
        state: dict[str, JSON] = {}
        events = []
        inv = ""
        for j in range(events_per_session):
            phase = j % 4
            if phase == 0:
                inv = "e-%032x" % getrandbits(128)
            t += 0.5 + random_() * 5
            delta = {}
            if phase == 2:
                delta = {f"k{j % 7}": {"n": j, "v": round(random_(), 4)}}
                if j % 20 == 2:
                    delta["counter"] = j
                if j % 28 == 6:
                    delta["k0"] = None
                for key, value in delta.items():
                    if value is None:
                        state.pop(key, None)
                    else:
                        state[key] = dict(value) if isinstance(value, dict) else value
            events.append(Event("%032x" % getrandbits(128), inv, authors[phase], contents[phase],
                                EventActions(delta), round(t, 3)))
        yield Session(id=str(uuid.UUID(int=getrandbits(128), version=4)), app_name=apps[s % 5],
                      user_id=users[s % 50], state=state, created_at=created_at,
                      updated_at=format_time(from_unix(events[-1].timestamp)) if events else created_at,
                      events=events)
