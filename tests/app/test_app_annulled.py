"""Events a rewind annulled, in the app (issue 9, point 6): an imported ADK session in which
google-adk's `Runner.rewind_async` went back before an invocation. The list and the timeline
count the annulled events apart, the timeline dims them and names the rewind, the rewind says
what it annulled, and time travel at an annulled event shows the state as it was then and says
the rewind came later."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from scenes import make_app, press, settle

from session_tui.formats import adk_json
from session_tui.screens.session import SessionScreen
from session_tui.store import DirectoryStore
from session_tui.widgets.session_list import SessionList
from session_tui.widgets.state_tree import StateTree
from session_tui.widgets.timeline import Timeline

SIZE = (120, 36)
T0 = 1_764_000_000  # 2025-11-24T16:00:00Z


def _event(n: int, inv: str, author: str, text: str | None, delta: dict | None = None,
           rewind: str | None = None) -> dict:
    """One event as google-adk's session JSON has it (`model_dump_json(by_alias=True)`)."""
    event = {"id": f"ev-{n:02d}", "invocationId": inv, "author": author, "timestamp": T0 + 10 * n,
             "actions": {"stateDelta": delta or {}, "artifactDelta": {}, "requestedAuthConfigs": {},
                         "requestedToolConfirmations": {}}}
    if text is not None:
        event["content"] = {"role": "user" if author == "user" else "model", "parts": [{"text": text}]}
    if rewind is not None:
        event["actions"]["rewindBeforeInvocationId"] = rewind
    return event


def adk_session_with_a_rewind() -> bytes:
    """A trip booked to Porto (inv-2) and a hotel there (inv-3), then a rewind before inv-2 as
    google-adk writes one (author user, invocation `e-...`, the restoring delta, ADK's nulls),
    then the conversation goes on (inv-4)."""
    events = [
        _event(0, "inv-1", "user", "Book me a flight to Lisbon"),
        _event(1, "inv-1", "travel_agent", "Found TP1351 to Lisbon.", {"dest": "LIS"}),
        _event(2, "inv-2", "user", "Make it Porto instead"),
        _event(3, "inv-2", "travel_agent", "Switched to Porto, 89 EUR.", {"dest": "OPO", "fare": 89}),
        _event(4, "inv-3", "user", "And a hotel"),
        _event(5, "inv-3", "travel_agent", "Booked Hotel Ribeira.", {"hotel": "Ribeira"}),
        _event(6, "e-rewind-0001", "user", None, {"dest": "LIS", "fare": None, "hotel": None}, rewind="inv-2"),
        _event(7, "inv-4", "user", "Lisbon it is; a hotel by the river"),
        _event(8, "inv-4", "travel_agent", "Booked Hotel Tejo.", {"hotel": "Tejo"}),
    ]
    session = {"id": "rewound-trip", "appName": "travel_app", "userId": "ada",
               "state": {"dest": "LIS", "fare": None, "hotel": "Tejo"}, "events": events,
               "lastUpdateTime": T0 + 80}
    return json.dumps(session).encode()


def make_store(path: Path) -> Path:
    store = DirectoryStore(path, create=True)
    store.import_sessions(adk_json.read_adk_json(adk_session_with_a_rewind()))
    store.close()
    return path


def lines_of(timeline: Timeline) -> list[str]:
    return ["".join(s.text for s in timeline.render_line(y)) for y in range(timeline.size.height)]


def test_counts_marks_and_time_travel(tmp_path):
    app = make_app(make_store(tmp_path / "store"))

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            row = "".join(s.text for s in app.screen.query_one(SessionList).render_line(1))
            assert " 9 ↶4 " in row  # 9 events, 4 annulled
            await press(pilot, "enter")
            screen = app.screen
            assert isinstance(screen, SessionScreen)
            title = str(screen.query_one("#timeline-title").render())
            assert "9 events, 4 annulled, 5 invocations" in title
            timeline = screen.query_one(Timeline)
            lines = lines_of(timeline)
            # (The pane is too narrow for the rewind's time and the count: the rewind by its
            # event, the count whole; the widget's tests show the long form.)
            assert lines[3].startswith("↶ inv-2  annulled by event 7  2 events")
            assert lines[6].startswith("↶ inv-3  annulled by event 7  2 events")
            assert lines[4].startswith("↶ 16:00:20") and lines[1].startswith("  16:00:00")
            assert "rewind: annulled 4 events from inv-2 on" in lines[10]

            # Time travel at the annulled answer of inv-2: the state as it was then.
            timeline.select_event(3)
            await press(pilot, "enter")
            tree = screen.query_one(StateTree)
            assert tree.state == {"dest": "OPO", "fare": 89}
            state_title = str(screen.query_one("#state-title").render())
            assert "State after event 4/9 · ↶ annulled by event 7 (a later rewind, 16:01:00)" in state_title
            # At the rewind: the state it restored (ADK keeps its null for fare), no note.
            timeline.select_event(6)
            await settle(pilot)
            assert tree.state == {"dest": "LIS", "fare": None}
            assert "annulled" not in str(screen.query_one("#state-title").render())
            timeline.select_event(8)
            await settle(pilot)
            assert tree.state == {"dest": "LIS", "fare": None, "hotel": "Tejo"}

    asyncio.run(main())


def test_snapshot_of_a_session_with_an_annulled_range(tmp_path, snap_compare):
    app = make_app(make_store(tmp_path / "store"))

    async def play(pilot):
        await settle(pilot)
        # Open the session; on the timeline, the annulled answer of inv-2; time travel there.
        await press(pilot, "enter", "down", "down", "down", "down", "down", "enter")

    assert snap_compare(app, run_before=play, terminal_size=SIZE)
