"""A model-free agent run by google-adk's Runner through session-tui's session service: the
session it writes is one session-tui's CLI shows; and with the app open on the store while the
agent writes (from another thread), the new events appear in the app."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest

pytest.importorskip("google.adk")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from google.adk.agents import BaseAgent
    from google.adk.events.event import Event
    from google.adk.events.event_actions import EventActions
    from google.adk.runners import Runner
    from google.genai import types

from session_tui.adk import SessionTuiSessionService  # noqa: E402
from session_tui.app import AppConfig, build_app  # noqa: E402
from session_tui.screens.session import SessionScreen  # noqa: E402
from session_tui.widgets.session_list import SessionList  # noqa: E402
from session_tui.widgets.state_tree import StateTree  # noqa: E402
from session_tui.widgets.timeline import Timeline  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
HANG_GUARD = 60.0  # seconds: only a hung agent or app gets near it (the tests wait for events)


class Counter(BaseAgent):
    """No model: each run says which turn it is and records it in the state, its own and the
    user's (shared across the user's sessions) and a temp: key (never stored)."""

    async def _run_async_impl(self, ctx):
        turn = ctx.session.state.get("turns", 0) + 1
        yield Event(invocation_id=ctx.invocation_id, author=self.name, branch=ctx.branch,
                    content=types.Content(role="model", parts=[types.Part(text=f"turn {turn}")]),
                    actions=EventActions(state_delta={"turns": turn, "user:seen": turn,
                                                      "temp:scratch": "gone"}))


def make_runner(store_path: Path) -> Runner:
    return Runner(app_name="counter", agent=Counter(name="counter"),
                  session_service=SessionTuiSessionService(store_path))


async def run_turns(runner: Runner, session_id: str, turns: int) -> None:
    for n in range(turns):
        message = types.Content(role="user", parts=[types.Part(text=f"go {n}")])
        async for _ in runner.run_async(user_id="ann", session_id=session_id,
                                        new_message=message):
            pass


def test_an_agent_run_by_the_runner_writes_a_session_the_cli_shows(tmp_path):
    store_path = tmp_path / "store"
    runner = make_runner(store_path)

    async def main():
        await runner.session_service.create_session(app_name="counter", user_id="ann",
                                                    session_id="chat", state={"topic": "x"})
        await run_turns(runner, "chat", 3)
        return await runner.session_service.get_session(app_name="counter", user_id="ann",
                                                        session_id="chat")

    session = asyncio.run(main())
    assert session.state == {"topic": "x", "turns": 3, "user:seen": 3}
    shown = subprocess.run([sys.executable, "-m", "session_tui", "--store", str(store_path),
                            "show", "chat", "--json"], cwd=REPO, capture_output=True,
                           text=True, timeout=120, env={"PYTHONPATH": str(REPO),
                                                        "PATH": "/usr/bin:/bin"})
    assert shown.returncode == 0, shown.stderr
    exported = json.loads(shown.stdout)
    assert exported["state"] == session.state
    assert [e["content"] for e in exported["events"]] == [
        "go 0", "turn 1", "go 1", "turn 2", "go 2", "turn 3"]
    assert [e["author"] for e in exported["events"]] == ["user", "counter"] * 3
    # The same events google-adk hands back, in its order.
    assert [e["id"] for e in exported["events"]] == [e.id for e in session.events]


def test_the_app_shows_an_agents_events_as_it_writes_them(tmp_path):
    """The app open on the store; the agent writes through the service from another thread,
    one turn at a time on the test's word; each turn shows in the open session."""
    store_path = tmp_path / "store"
    runner = make_runner(store_path)
    asyncio.run(runner.session_service.create_session(app_name="counter", user_id="ann",
                                                      session_id="live"))
    go = threading.Semaphore(0)
    done = threading.Semaphore(0)
    failure: list[BaseException] = []

    def agent() -> None:
        async def turns():
            for _ in range(2):
                go.acquire()
                await run_turns(runner, "live", 1)
                done.release()
        try:
            asyncio.run(turns())
        except BaseException as exc:  # reported by the test, not lost in the thread
            failure.append(exc)
            done.release()

    async def agent_turn() -> None:
        go.release()
        await asyncio.wait_for(asyncio.to_thread(done.acquire), HANG_GUARD)
        assert not failure, failure

    async def shown(pilot) -> None:
        """Run the app's store poll now and wait for what follows: the poll worker, the
        StoreChanged it posts, the reload it starts."""
        for _ in range(3):
            pilot.app.check_for_changes()
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    thread = threading.Thread(target=agent, daemon=True)
    thread.start()

    async def main():
        app = build_app(store_path, config=AppConfig(watch=False, cursor_blink=False))
        async with app.run_test(size=(120, 36)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.screen.query_one(SessionList).shown_ids() == ["live"]
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SessionScreen)
            timeline = screen.query_one(Timeline)
            assert len(timeline.session.events) == 0
            for turn in (1, 2):
                await agent_turn()
                await shown(pilot)
                assert len(timeline.session.events) == 2 * turn
                assert timeline.session.events[-1].content == f"turn {turn}"
                assert screen.query_one(StateTree).state == {"turns": turn, "user:seen": turn}

    asyncio.run(main())
    thread.join(HANG_GUARD)
    assert not thread.is_alive() and not failure
