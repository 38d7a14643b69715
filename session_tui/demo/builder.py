"""What the demo's stories are written with: `Builder` appends events to one session, keeping
its state and its clock; `run_turns` plays a story's opener and some of its turns."""

from __future__ import annotations

import copy
import random
import uuid
from typing import Any, Callable

from ..formats.adk_text import render_call, render_response  # (as ADK content reads as text)
from ..model import Event, EventActions, apply_delta

JSON = Any


class Builder:
    """Appends events to one session, keeping the state and the clock."""

    def __init__(self, rng: random.Random, start: float, initial_state: dict[str, JSON] | None):
        self.rng = rng
        self.t = start
        self.events: list[Event] = []
        self.state: dict[str, JSON] = copy.deepcopy(initial_state) if initial_state else {}
        self.inv = ""

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def new_invocation(self, gap: tuple[float, float] = (40.0, 900.0)) -> str:
        self.t += self.rng.uniform(*gap)
        self.inv = "e-" + self.uid()
        return self.inv

    def _tick(self, lo: float, hi: float) -> float:
        self.t += self.rng.uniform(lo, hi)
        return round(self.t, 3)

    def _add(self, author: str, content: str | None, delta: dict[str, JSON] | None, ts: float,
             invocation_id: str | None = None, extra: dict[str, JSON] | None = None,
             **actions: JSON) -> Event:
        event = Event(id=self.uid(), invocation_id=invocation_id or self.inv, author=author,
                      content=content,
                      actions=EventActions(state_delta=copy.deepcopy(delta or {}), **actions),
                      timestamp=ts, extra=extra or {})
        apply_delta(self.state, event.actions.state_delta)
        self.events.append(event)
        return event

    # -- kinds of event -------------------------------------------------------------------
    def user(self, text: str, delta: dict[str, JSON] | None = None) -> Event:
        return self._add("user", text, delta, self._tick(0.2, 0.6))

    def reply(self, agent: str, text: str, delta: dict[str, JSON] | None = None, **actions: JSON) -> Event:
        words = len(text.split())
        usage = {"prompt_token_count": self.rng.randint(800, 6000),
                 "candidates_token_count": int(words * 1.3) + self.rng.randint(0, 20),
                 "total_token_count": 0}
        usage["total_token_count"] = usage["prompt_token_count"] + usage["candidates_token_count"]
        return self._add(agent, text, delta, self._tick(1.2, 9.0),
                         extra={"usage_metadata": usage}, **actions)

    def call(self, agent: str, name: str, args: dict[str, JSON], response: JSON,
             delta: dict[str, JSON] | None = None, **actions: JSON) -> tuple[Event, Event]:
        """A function call event (the model asks) and its response event (the tool answers)."""
        call_id = "adk-" + self.uid()
        asked = self._add(agent, render_call(name, args), None, self._tick(0.8, 4.0),
                          extra={"function_calls": [{"id": call_id, "name": name, "args": args}]})
        if not isinstance(response, dict):
            response = {"result": response}
        answered = self._add(
            agent, render_response(name, response), delta, self._tick(0.05, 2.5),
            extra={"function_responses": [{"id": call_id, "name": name, "response": response}]},
            **actions)
        return asked, answered

    def transfer(self, agent: str, to: str) -> None:
        self.call(agent, "transfer_to_agent", {"agent_name": to}, {"result": None},
                  transfer_to_agent=to)

    def edit(self, key: str, value: JSON) -> Event:
        """A state edit exactly as session-tui records one, some hours after the conversation."""
        self.t = float(int(self.t + self.rng.uniform(3600.0, 30000.0)))
        return self._add("session-tui", None, {key: value}, self.t, invocation_id="edit-" + self.uid())


def run_turns(b: Builder, n: int, rng: random.Random, opener: Callable[[], None],
         turns: list[Callable[[], None]], flags: set[str], forced: list[Callable[[], None]] = ()) -> None:
    """Run the opener and then n-1 of the turns in their story order (forced ones always),
    topping up with short follow-ups when n-1 is more than there are turns."""
    opener()
    k = min(n - 1, len(turns))
    chosen = {turns.index(t) for t in forced}
    rest = [i for i in range(len(turns)) if i not in chosen]
    chosen.update(rng.sample(rest, max(0, k - len(chosen))))
    for i in sorted(chosen):
        turns[i]()
    for _ in range(n - 1 - len(chosen)):
        b.new_invocation()
        b.user(rng.choice(["Thanks, that's helpful.", "Great, thank you!", "Perfect. 🙏",
                           "OK, I'll think about it and come back later."]))
        agent = next(e.author for e in reversed(b.events) if e.author not in ("user", "session-tui"))
        b.reply(agent, rng.choice(["You're welcome! Anything else I can help with?",
                                   "Happy to help. Let me know if anything changes.",
                                   "Anytime! I'll be here if you need me."]))
