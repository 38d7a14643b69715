"""The app's screens and dialogs as a person reaches them by keys, from the demo store (fixed
seed). Shared by the snapshot tests and `scripts/screenshots.py`, so the README's pictures are
exactly what the tests check."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from session_tui.app import AppConfig, SessionTuiApp, build_app
from session_tui.demo import demo_sessions
from session_tui.model import Event, format_time, from_unix
from session_tui.store import DirectoryStore, open_store

# The demo session the scenes open: the newest (first in the list), a support chat with a
# transfer, function calls and 8 invocations.
DEMO_SEED = 7


def make_demo_store(path: Path) -> Path:
    DirectoryStore(path, create=True).import_sessions(demo_sessions(seed=DEMO_SEED))
    return path


def store_ids(store_path: Path) -> set[str]:
    """The session ids a fresh look at the store finds."""
    store = open_store(store_path)
    try:
        return set(store.ids())
    finally:
        store.close()


def store_files(store_path: Path) -> dict[str, bytes]:
    """Every file of the store (bytes), the lock file aside: to prove nothing changed."""
    return {str(p.relative_to(store_path)): p.read_bytes()
            for p in sorted(store_path.rglob("*")) if p.is_file() and p.name != ".lock"}


def make_app(store_path: Path, export_dir: Path | None = None,
             clock: Callable[[], float] = time.time) -> SessionTuiApp:
    """No blink, no polling. The export dialog proposes `export_dir/<name>` (default: a bare
    name, i.e. the current folder, so that snapshots do not depend on a temporary path)."""
    config = AppConfig(watch=False, cursor_blink=False, export_dir=export_dir, clock=clock)
    return build_app(store_path, config=config)


def an_hour_later() -> float:
    """A clock an hour ahead: every change looks old to the app, so an edit does not first ask
    whether an agent is running (for tests of other things that change a session just before;
    the question itself: test_app_running_agent.py)."""
    return time.time() + 3600


async def settle(pilot) -> None:
    """Let store workers finish and the screen catch up (they run in threads). A worker may
    start only once a new screen mounts, a pause later: wait until two looks in a row find
    none running (a bounded number of looks)."""
    app = pilot.app
    idle = 0
    for _ in range(50):
        await pilot.pause()
        if any(not w.is_finished for w in app.workers):
            idle = 0
            await app.workers.wait_for_complete()
        else:
            idle += 1
            if idle == 2:
                return


# Keys that only move a cursor or the focus: pressed in a row, with one wait for the app after.
MOVES = {"up", "down", "left", "right", "home", "end", "pageup", "pagedown", "shift+up",
         "shift+down", "tab", "shift+tab"}


async def press(pilot, *keys: str) -> None:
    """Press `keys` as a user would; after each key that may start store work (and after a run
    of moves), wait for the app's workers and the screen to settle."""
    run: list[str] = []
    for key in keys:
        if key in MOVES:
            run.append(key)
            continue
        if run:
            await pilot.press(*run)
            run = []
        await pilot.press(key)
        await settle(pilot)
    if run:
        await pilot.press(*run)
        await settle(pilot)


# The newest demo session (first in the list): what the session scenes open.
DEMO_FIRST = "aa5d0b4b-df3c-49ba-a21e-c3e37a0365db"


def agent_appends(store_path: Path) -> None:
    """Another writer (an agent) adds an invocation of three events to the newest session, at
    fixed times a minute after its last event, so that what the app shows is the same each run.
    (Written as an import that replaces the session: the store stamps appends with the clock.)"""
    store = open_store(store_path)
    try:
        session = store.get(DEMO_FIRST)
        last = max(event.timestamp for event in session.events)
        texts = ["Checking the refund status again…", "lookup_refund -> pending",
                 "Your refund is on its way."]
        for n, text in enumerate(texts):
            event = Event.new("e-agent-live-0001", "support_triage", text,
                              state_delta={"refund_checked": True} if n == 1 else None,
                              timestamp=last + 60 + n)
            session.events.append(event)
            session.apply_delta(event.actions.state_delta)
        session.updated_at = format_time(from_unix(last + 62))
        store.import_sessions([session], "replace")
    finally:
        store.close()


@dataclass
class Scene:
    name: str
    keys: list[str] = field(default_factory=list)
    size: tuple[int, int] = (120, 36)
    screenshot: bool = True  # also in the README's screenshots/
    # Another writer's change once the keys are pressed, seen by the app's poll (it writes:
    # such a scene needs a store of its own).
    agent: Callable[[Path], None] | None = None

    async def play(self, pilot) -> None:
        await settle(pilot)
        await press(pilot, *self.keys)
        if self.agent is not None:
            self.agent(pilot.app.store.path)
            pilot.app.check_for_changes()  # what the poll timer does
            for _ in range(3):  # poll -> StoreChanged -> reload -> shown
                await settle(pilot)


# Timeline keys: the cursor starts on the first invocation header.
SCENES = [
    Scene("session-list"),
    Scene("session-list-filtered", ["slash", *"refund"], screenshot=False),
    Scene("session", ["enter", "shift+tab", "down", "down", "down", "right"]),
    Scene("time-travel", ["enter", "down", "down", "down", "enter"]),
    Scene("rewind-preview", ["enter", "shift+down", "shift+down", "w"]),
    Scene("export-dialog", ["enter", "x"]),
    Scene("help", ["enter", "question_mark"]),
    Scene("edit-value-dialog", ["enter", "shift+tab", "e"], screenshot=False),
    Scene("delete-session-dialog", ["d"], screenshot=False),
    Scene("session-list-80x24", size=(80, 24), screenshot=False),
    Scene("session-80x24", ["enter"], size=(80, 24), screenshot=False),
    # Search in a session: the matches marked, the cursor on the second, "2/N".
    Scene("session-search", ["enter", "slash", *"refund", "enter", "n"], screenshot=False),
    # Changes from elsewhere, shown quietly: new rows marked, `● live` in the title, no toast.
    Scene("session-live-changes", ["enter"], size=(120, 50), screenshot=False, agent=agent_appends),
    Scene("session-list-live-changes", size=(120, 36), screenshot=False, agent=agent_appends),
    Scene("session-live-changes-80x24", ["enter"], size=(80, 24), screenshot=False,
          agent=agent_appends),
]


def footer_keys(app) -> list[str]:
    """The descriptions of the keys the footer of the app's screen shows."""
    from session_tui.widgets.footer import Footer

    return [key.description for key in app.screen.query_one(Footer).query("FooterKey")]
