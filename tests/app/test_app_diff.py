"""The diff in the app (sync tests that run their own event loop): `m` marks a session (or an event), `=` on another opens the diff screen;
`c` copies the line under the cursor as JSON; escape returns. A snapshot of the screen."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from scenes import make_app, press, settle
from textual.widgets import Static

from session_tui.diff import diff_points, diff_sessions
from session_tui.eventinfo import preview
from session_tui.model import Event, EventActions, Session
from session_tui.screens.diff import DiffScreen
from session_tui.screens.session import SessionScreen
from session_tui.screens.sessions import SessionsScreen
from session_tui.store import DirectoryStore
from session_tui.widgets.session_list import SessionList
from session_tui.widgets.diff_view import DiffView
from session_tui.widgets.timeline import Timeline

T0 = 1_790_000_000


def _run(session_id: str, contents: list[str], deltas: list[dict], state: dict, updated: str) -> Session:
    events = [Event(f"{session_id}-e{n}", f"{session_id}-inv", author, text,
                    EventActions(state_delta=delta), T0 + n)
              for n, (author, text, delta) in enumerate(zip(["user", "planner", "planner"],
                                                             contents, deltas), 1)]
    return Session(session_id, "travel", "ada", state, "2026-09-21T10:00:00.000000Z", updated, events)


@pytest.fixture(scope="module")
def diff_store(tmp_path_factory):
    return make_diff_store(tmp_path_factory.mktemp("diff") / "store")


def make_diff_store(path):
    """`run-a` and `run-b`: two runs of one agent (their own event ids), run-b the newer (first
    in the list). Fixed ids and times: the snapshot is the same each run."""
    a = _run("run-a", ["to Rome", "Rome it is", "booked H1"],
             [{}, {"city": "Rome"}, {"booking": {"hotel": "H1", "nights": [1, 2, 3]}}],
             {"city": "Rome", "booking": {"hotel": "H1", "nights": [1, 2, 3]}, "user_name": "Ada"},
             "2026-09-21T10:05:00.000000Z")
    b = _run("run-b", ["to Rome", "Rome it is", "booked H2"],
             [{}, {"city": "Rome"}, {"booking": {"hotel": "H2", "nights": [1, 2]}}],
             {"city": "Rome", "booking": {"hotel": "H2", "nights": [1, 2]}, "budget": 900},
             "2026-09-21T11:05:00.000000Z")
    store = DirectoryStore(path, create=True)
    store.import_sessions([a, b])
    store.close()
    return path


def _said(app) -> list[str]:
    said: list[str] = []
    show = app.notify

    def notify(message, **kwargs):
        said.append(str(message))
        return show(message, **kwargs)

    app.notify = notify
    return said


def _marked(widget, y: int) -> tuple[str, bool]:
    """Line `y`'s text, and whether all of its text is in the mark's colour."""
    colour = widget.get_component_rich_style("cursor-list--marked", partial=True).color
    segments = list(widget.render_line(y))
    return ("".join(s.text for s in segments),
            all(s.style.color == colour for s in segments if s.text.strip()))


def test_mark_and_diff_sessions_in_the_list_and_events_in_a_session(diff_store):
    # (One app for both: starting one costs more than the keys.)
    asyncio.run(_marked_and_diffed(diff_store))


async def _marked_and_diffed(diff_store):
    app = make_app(diff_store)
    said = _said(app)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        store = app.store
        sessions = app.screen.query_one(SessionList)
        await press(pilot, "equals_sign")  # nothing marked yet: says how
        assert isinstance(app.screen, SessionsScreen) and "Mark a session first" in said[-1]
        await press(pilot, "m")
        assert sessions.marked == "run-b"
        text, marked = _marked(sessions, 1)  # (line 0: the titles)
        assert text.startswith("travel") and marked  # the whole row, its text whole
        assert not _marked(sessions, 2)[1]
        await press(pilot, "down", "equals_sign")
        screen = app.screen
        assert isinstance(screen, DiffScreen)
        assert screen.diff == diff_sessions(store.get("run-b"), store.get("run-a"))
        assert "/booking/nights/2" in screen.diff["state"]  # (an array that grew: by index)
        names = screen.query_one("#diff-names", Static)
        assert str(names.render()) == "A: run-b   B: run-a"
        await pilot.resize_terminal(20, 30)  # too narrow for both: B on a line of its own
        await pilot.pause()
        assert str(names.render()) == "A: run-b\nB: run-a"
        await pilot.resize_terminal(120, 30)
        await press(pilot, "down", "c")  # the first state line
        first = next(iter(screen.diff["state"].items()))
        assert orjson.loads(app.clipboard) == {first[0]: first[1]}
        assert said[-1] == f"Copied the change at {first[0]} as JSON"
        await press(pilot, "escape")
        assert isinstance(app.screen, SessionsScreen) and sessions.marked == "run-b"

        # In a session: events. The timeline's cursor starts on the invocation's header.
        await press(pilot, "up", "enter", "m")
        assert isinstance(app.screen, SessionScreen)
        timeline = app.screen.query_one(Timeline)
        assert timeline.marked is None and "to an event" in said[-1]
        await press(pilot, "down", "m", "down", "down")
        assert timeline.marked == "run-b-e1"
        text, marked = _marked(timeline, 1)  # (line 0: the invocation's header)
        assert text.startswith("◆ ") and marked  # a blank first cell takes the ◆ too
        await press(pilot, "home", "equals_sign")  # on a header: the mark is kept, and said so
        assert isinstance(app.screen, SessionScreen) and "compare it with the marked one" in said[-1]
        await press(pilot, "down", "down", "down", "equals_sign")
        screen = app.screen
        assert isinstance(screen, DiffScreen)
        assert screen.diff == diff_points(store.get("run-b"), 1, 3)
        assert screen.diff["events"]["only_b"] == ["run-b-e2", "run-b-e3"]
        view = screen.query_one(DiffView)
        one_sided = [view.line(i) for i in range(view.item_count) if view.line(i).kind == "only_b"]
        for line, event in zip(one_sided, store.get("run-b").events[1:3], strict=True):
            # what the event was, not only its id
            assert line.what == f"only in B: {event.author}"
            assert line.b == f"{preview(event)[0]}  ({event.id})" and preview(event)[0]
        await press(pilot, "c")  # the heading: the whole state part
        assert orjson.loads(app.clipboard) == {"state": screen.diff["state"]}
        await press(pilot, "escape")
        assert isinstance(app.screen, SessionScreen)


def test_snapshot_of_the_diff_of_two_sessions(diff_store, snap_compare):
    async def mark_and_diff(pilot):
        await settle(pilot)
        await press(pilot, "m", "down", "equals_sign", "down", "down")
        pilot.app.clear_notifications()  # (a toast's timeout is wall-clock time)

    assert snap_compare(make_app(diff_store), run_before=mark_and_diff, terminal_size=(110, 24))
