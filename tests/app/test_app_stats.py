"""Tokens and time in the app: `t` opens the chart of the open session and enter on a bar goes
to its invocation; `c` copies what is under the cursor as JSON. From the demo store (its agent
replies carry usage metadata); neither key writes, so one store serves every test."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from scenes import DEMO_FIRST, make_app, make_demo_store, press, settle
from textual.app import App
from textual.widgets import Static

from session_tui import pointer as jp
from session_tui.screens.step_chart import StepChartDialog
from session_tui.stats import session_stats
from session_tui.store import open_store
from session_tui.widgets.state_tree import StateTree
from session_tui.widgets.step_chart import StepChart
from session_tui.widgets.timeline import Timeline


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    return make_demo_store(tmp_path_factory.mktemp("stats") / "demo-store")


def stored(store_path):
    store = open_store(store_path)
    try:
        return store.get(DEMO_FIRST)
    finally:
        store.close()


def run(store_path, test, size=(100, 30)):
    async def main():
        app = make_app(store_path)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await press(pilot, "enter")  # the newest session
            await test(app, pilot)

    asyncio.run(main())


def test_t_charts_the_invocations_and_c_copies_what_is_under_the_cursor(demo_store):
    session = stored(demo_store)
    invocations = session.invocation_ids()

    async def keys(pilot, *names):  # none of them starts store work: no settling needed
        await pilot.press(*names)
        await pilot.pause()

    async def test(app, pilot):
        timeline = app.screen.query_one(Timeline)
        # t: the chart, its cursor on the timeline's invocation; enter goes to another.
        await keys(pilot, "shift+down", "t")  # from the second invocation's header
        assert isinstance(app.screen, StepChartDialog)
        chart = app.screen.query_one(StepChart)
        assert chart.item_count == len(invocations) and chart.current_invocation == invocations[1]
        expected = session_stats(session.events)
        assert app.screen.stats == expected and expected.total_tokens  # the demo has usage
        await keys(pilot, "down", "down", "enter")
        assert not isinstance(app.screen, StepChartDialog)
        assert timeline.current_invocation == invocations[3] and timeline.cursor_event is None
        assert timeline.has_focus
        await keys(pilot, "t", "escape")
        assert not isinstance(app.screen, StepChartDialog)
        # c: the event under the cursor as it exports, an invocation's events, a state value.
        await keys(pilot, "home", "down", "down", "c")  # the second event
        assert orjson.loads(app.clipboard) == session.events[1].export()
        assert app.notices[-1].message.startswith("Copied event 2 as JSON")
        await keys(pilot, "shift+up", "c")  # on the header: the invocation's events
        assert orjson.loads(app.clipboard) == [e.export() for e in session.events
                                               if e.invocation_id == invocations[0]]
        await keys(pilot, "shift+tab", "down", "down", "c")  # the state tree's third key
        path = app.screen.query_one(StateTree).cursor_path
        assert path and orjson.loads(app.clipboard) == jp.get(session.state, jp.build(list(path)))
        assert f"the value at {jp.build(list(path))}" in app.notices[-1].message

    run(demo_store, test)


def test_snapshot_of_the_chart(demo_store, snap_compare):
    async def play(pilot):
        await settle(pilot)
        await press(pilot, "enter", "shift+down", "shift+down", "t")

    assert snap_compare(make_app(demo_store), run_before=play, terminal_size=(80, 24))


def test_a_session_without_events_says_there_is_nothing_to_chart():
    class Harness(App):
        def on_mount(self) -> None:
            self.push_screen(StepChartDialog(session_stats([])))

    async def main():
        app = Harness()
        async with app.run_test(size=(80, 20)) as pilot:
            await pilot.pause()
            assert not app.screen.query("StepChart")
            assert "nothing to chart" in str(app.screen.query_one("#chart-empty", Static).content)
            await pilot.press("escape")
            assert not isinstance(app.screen, StepChartDialog)

    asyncio.run(main())
