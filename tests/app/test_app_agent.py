"""The app and an agent at once (issue 7, suite item 3): with the app open on a session, an agent
in another process appends events through its own store object. The app shows the new data; an
edit the user started before the agent's append is refused with a message, never written over
it; and when both write at once, no write of either side is lost. Both backends.

The agent is driven by lines on its stdin ("append N" and it answers with its total), and the
app's store poll is run by the test (`poll_now`): every wait is for an event, never for time."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from scenes import an_hour_later, make_demo_store, press, settle
from textual.widgets import Input

from session_tui.app import AppConfig, build_app
from session_tui.dialogs.edit_value import EditValueDialog
from session_tui.demo import demo_sessions
from session_tui.screens.session import SessionScreen
from session_tui.store import open_store
from session_tui.widgets.state_tree import StateTree
from session_tui.widgets.timeline import Timeline

SIZE = (120, 36)
REPO = Path(__file__).resolve().parents[2]
HANG_GUARD = 60.0  # seconds: only a hung agent or app gets near it
REFUSED = "changed by someone else"
STALE = "The session changed meanwhile"  # the edit dialog, back with what was typed

AGENT = r"""
import sys
from session_tui.model import Event
from session_tui.store import open_store
store = open_store(sys.argv[1])
session_id = sys.argv[2]
total = 0
print("ready", flush=True)
for line in sys.stdin:
    for _ in range(int(line)):
        store.append_event(session_id, Event.new(f"agent-{total}", "agent", f"agent says {total}",
                                                 state_delta={f"agent_{total}": total}))
        total += 1
    print(total, flush=True)
"""


class Agent:
    """An agent process appending events to one session through its own store object."""

    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc = proc
        self.total = 0

    @classmethod
    async def start(cls, store_path: Path, session_id: str) -> "Agent":
        env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", AGENT, str(store_path), session_id, cwd=REPO, env=env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        agent = cls(proc)
        assert await agent._line() == "ready"
        return agent

    async def _line(self) -> str:
        line = await asyncio.wait_for(self.proc.stdout.readline(), HANG_GUARD)
        assert line, "the agent died"
        return line.decode().strip()

    def begin(self, count: int) -> None:
        """Tell the agent to append `count` events; it works on while the test goes on."""
        self.proc.stdin.write(f"{count}\n".encode())

    async def finished(self) -> int:
        """Wait for the agent to report the appends asked for; its total so far."""
        self.total = int(await self._line())
        return self.total

    async def append(self, count: int) -> int:
        self.begin(count)
        await self.proc.stdin.drain()
        return await self.finished()

    async def stop(self) -> None:
        self.proc.stdin.close()
        await asyncio.wait_for(self.proc.wait(), HANG_GUARD)
        assert self.proc.returncode == 0


def make_store(kind: str, tmp_path: Path) -> Path:
    if kind == "directory":
        return make_demo_store(tmp_path / "store")
    path = tmp_path / "sessions.json"
    path.write_bytes(b'{"_default": {}}')
    open_store(path).import_sessions(demo_sessions(seed=7))
    return path


async def poll_now(pilot) -> None:
    """The app's store poll, now, and what follows from it (StoreChanged, the reload)."""
    pilot.app.check_for_changes()
    for _ in range(3):
        await settle(pilot)


async def edit_value(pilot, tree: StateTree, value: int) -> str | None:
    """Edit the value under the tree's cursor as a user does; the error the app showed, if any
    (refused as stale, the dialog comes back with the value typed: dropped here, with esc)."""
    app = pilot.app
    shown = len(app.notices)
    await press(pilot, "e")
    assert isinstance(app.focused, Input)
    await pilot.press("end", "ctrl+u", *str(value))
    await press(pilot, "enter")
    if isinstance(app.screen, EditValueDialog):
        assert app.screen.value_text == str(value)
        await press(pilot, "escape")
        return STALE
    errors = [n.message for n in app.notices[shown:] if n.severity == "error"]
    return errors[-1] if errors else None


def agent_events_in_order(session, total: int) -> None:
    """Every append of the agent is there, once, in its order, with its state."""
    mine = [e for e in session.events if e.author == "agent" and e.invocation_id.startswith("agent-")]
    assert [e.invocation_id for e in mine] == [f"agent-{n}" for n in range(total)]
    assert all(session.state[f"agent_{n}"] == n for n in range(total))


@pytest.mark.parametrize("kind", ["directory", "tinyfile"])
def test_the_app_and_an_agent_at_once_lose_nothing(kind, tmp_path):
    store_path = make_store(kind, tmp_path)
    config = AppConfig(watch=False, cursor_blink=False, export_dir=tmp_path, clock=an_hour_later)

    async def main():
        app = build_app(store_path, config=config)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "enter", "shift+tab")
            screen = app.screen
            assert isinstance(screen, SessionScreen)
            session_id = screen.session_id
            tree, timeline = screen.query_one(StateTree), screen.query_one(Timeline)
            key = tree.cursor_path
            assert app.focused is tree and len(key) == 1
            events_before = len(timeline.session.events)
            agent = await Agent.start(store_path, session_id)
            try:
                # 1. The app shows what the agent appended.
                assert await agent.append(3) == 3
                await poll_now(pilot)
                assert len(timeline.session.events) == events_before + 3
                assert tree.state["agent_2"] == 2
                assert timeline.new_count == 3  # marked quietly, no toast
                assert not any("changed elsewhere" in n.message for n in app.notices)

                # 2. An edit started before the agent's append is refused, and the app shows
                # the agent's write; the user's value is not written (the dialog offers it
                # again on the fresh version: dropped here).
                await press(pilot, "e")
                assert isinstance(app.focused, Input)
                await agent.append(1)
                await pilot.press("end", "ctrl+u", *"999")
                await press(pilot, "enter")
                assert isinstance(app.screen, EditValueDialog)
                assert app.screen.value_text == "999"
                await press(pilot, "escape")
                assert app.screen is screen
                stored = open_store(store_path).get(session_id)
                assert stored.state[key[0]] != 999 and stored.state["agent_3"] == 3
                assert len(timeline.session.events) == events_before + 4  # reloaded
                # Done again on what is shown now, it is saved.
                assert await edit_value(pilot, tree, 1000) is None
                assert open_store(store_path).get(session_id).state[key[0]] == 1000

                # 3. Both at once: the agent appends 30 events while the user makes 3 edits.
                # Each edit is saved or refused with the message; every write that was not
                # refused is in the store, and so is every append.
                agent.begin(30)
                await agent.proc.stdin.drain()
                saved, refused = [1000], []
                for value in range(1001, 1004):
                    await poll_now(pilot)  # what a user sees before deciding to edit
                    assert tree.cursor_path == key
                    error = await edit_value(pilot, tree, value)
                    if error is None:
                        saved.append(value)
                    else:
                        assert error == STALE, error
                        refused.append(value)
                total = await agent.finished()
                assert total == 34
                await poll_now(pilot)
            finally:
                await agent.stop()

            stored = open_store(store_path).get(session_id)
            agent_events_in_order(stored, total)
            edits = [e.actions.state_delta[key[0]] for e in stored.events
                     if e.author == "session-tui" and key[0] in e.actions.state_delta]
            assert edits == saved  # each saved edit once, in order; no refused one
            assert stored.state[key[0]] == saved[-1]
            assert len(stored.events) == events_before + total + len(saved)
            # The app shows the store as it is.
            assert len(timeline.session.events) == len(stored.events)
            assert tree.state == stored.state
            print(f"\n[app+agent] {kind}: {total} appends, {len(saved)} edits saved, "
                  f"{len(refused) + 1} refused as stale")

    asyncio.run(main())
