"""The app's figures, each run in a fresh process (benchmarks/run.py starts this file):

    python benchmarks/bench_app.py empty                 # an empty Textual app: the reference
    python benchmarks/bench_app.py list STORE            # first paint, cursor moves, filter keys
    python benchmarks/bench_app.py session STORE         # open the first session, timeline moves,
                                                         # time travel (an event open)

The real app runs headless (App.run_test, keys by Pilot). The process prints `painted` on a
line of its own the moment the list's first rows are drawn (the parent times from the spawn
to that line: interpreter start and imports included, as a person waits for them), then one
JSON line of figures in milliseconds: per key pressed, the time until the screen is drawn
again; the longest event-loop stall seen by a 5 ms ticker while the app ran; peak RSS.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SIZE = (120, 40)
MOVES = 15  # keys pressed per cursor figure


class StallMonitor:
    """The longest gap between ticks of a 5 ms timer on the app's event loop, past its 5 ms."""

    TICK = 0.005

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        while True:
            t0 = time.perf_counter()
            await asyncio.sleep(self.TICK)
            self.longest = max(self.longest, time.perf_counter() - t0 - self.TICK)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> float:
        if self._task:
            self._task.cancel()
        return round(self.longest * 1000, 1)


def reset_peak_rss() -> None:
    """Linux keeps the parent's peak RSS across fork and exec (run.py builds the data: 700 MB):
    start this process's own (`5` to clear_refs resets VmHWM)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def rss_mb() -> float:
    """This process's peak resident memory since reset_peak_rss."""
    try:
        with open("/proc/self/status") as f:
            return round(next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024, 1)
    except (OSError, StopIteration):
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def painted() -> None:
    print("painted", flush=True)


async def settle(pilot, delay: float | None = None) -> None:
    """Until no worker runs and the screen is drawn (two quiet looks in a row)."""
    app, quiet = pilot.app, 0
    while quiet < 2:
        await pilot.pause(delay)
        if any(not w.is_finished for w in app.workers):
            quiet = 0
            await app.workers.wait_for_complete()
        else:
            quiet += 1


KEY_NAMES = {"_": "underscore", "/": "slash"}


async def timed_keys(pilot, keys: list[str], moved, wait_workers: bool = False) -> list[float]:
    """Milliseconds from each key (posted as the terminal driver posts it) until `moved()`
    says the app took it and the screen is drawn again. (Pilot.press waits for the process
    to look idle, twice a key: ~100 ms of its own.)"""
    from textual import events

    out = []
    for key in keys:
        before = moved()
        t0 = time.perf_counter()
        name = KEY_NAMES.get(key, key)
        pilot.app.post_message(events.Key(name, key if len(key) == 1 else None))
        waited = 0
        while moved() == before and waited < 100_000:
            await asyncio.sleep(0)
            waited += 1
        if wait_workers:
            await settle(pilot, 0)
        else:
            await pilot.pause(0)  # the screen's messages handled, then drawn
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 2) if values else 0.0


async def empty() -> dict:
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Empty(App):
        def compose(self):
            yield Header()
            yield Static("hello")
            yield Footer()

    app = Empty()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        painted()
    return {}


def _app(store: str):
    from session_tui.app import AppConfig, build_app

    return build_app(store, config=AppConfig(watch=False, cursor_blink=False))


async def _first_rows(pilot) -> None:
    from session_tui.widgets.session_list import SessionList

    session_list = pilot.app.screen.query_one(SessionList)
    # Looked for every millisecond, then drawn: not `pilot.pause()`, which waits for the whole
    # process to go idle (threads too) and so saw the first rows only once all the work after
    # them was done (the rest sorted, the search index read).
    while session_list.row_count == 0:
        await asyncio.sleep(0.001)
    await pilot.pause(0)  # the screen's messages handled, then drawn
    painted()


@contextlib.asynccontextmanager
async def _listed(store: str):
    """The app on `store`, headless, its list painted (the parent is told) and settled, with a
    stall monitor running: (app, pilot, monitor)."""
    app = _app(store)
    monitor = StallMonitor()
    async with app.run_test(size=SIZE) as pilot:
        monitor.start()
        await _first_rows(pilot)
        await settle(pilot)
        yield app, pilot, monitor


async def listing(store: str) -> dict:
    from session_tui.widgets.session_list import SessionList

    async with _listed(store) as (app, pilot, monitor):
        session_list = app.screen.query_one(SessionList)
        moves = await timed_keys(pilot, ["down"] * MOVES, lambda: session_list.selected_id)
        await pilot.press("slash")
        typed = await timed_keys(pilot, list("bench_app_1"), lambda: session_list.filter,
                                 wait_workers=True)
        figures = {"cursor_move_list_ms": _median(moves),
                   "filter_first_key_ms": round(typed[0], 2),
                   "filter_later_keys_ms": _median(typed[1:]),
                   "filter_key_ms": round(max(typed), 2)}
        figures["rss_mb"] = rss_mb()
        figures["longest_stall_ms"] = monitor.stop()
    return figures


async def session(store: str) -> dict:
    from session_tui.screens.session import SessionScreen
    from session_tui.widgets.timeline import Timeline

    async with _listed(store) as (app, pilot, monitor):
        from textual import events

        # The key posted as the terminal driver posts it (Pilot.press waits for the process to
        # look idle, ~100 ms of its own), the screen looked for every millisecond (as the list's
        # first rows), then drawn: what a person waits for, not the work that follows it.
        t0 = time.perf_counter()
        app.post_message(events.Key("enter", None))

        def shown() -> bool:
            screen = app.screen
            return (isinstance(screen, SessionScreen) and screen.session is not None
                    and screen.query_one(Timeline).line_count > 1)

        while not shown():
            await asyncio.sleep(0.001)
        await pilot.pause(0)  # the screen's messages handled, then drawn
        opened = time.perf_counter() - t0
        await settle(pilot)
        timeline = app.screen.query_one(Timeline)
        assert timeline.line_count > 1
        moves = await timed_keys(pilot, ["down"] * MOVES, lambda: timeline.cursor_line)
        while timeline.cursor_event is None:  # (on an invocation's header line)
            await pilot.press("down")
        await pilot.press("enter")  # open the event: the state follows the cursor from now on
        await settle(pilot)
        assert app.screen.event_index is not None
        travel = await timed_keys(pilot, ["down"] * MOVES, lambda: app.screen.event_index)
        figures = {"open_session_s": round(opened, 3), "cursor_move_timeline_ms": _median(moves),
                   "time_travel_move_ms": _median(travel), "rss_mb": rss_mb(),
                   "longest_stall_ms": monitor.stop()}
    return figures


def main() -> int:
    reset_peak_rss()
    kind = sys.argv[1]
    if kind == "empty":
        figures = asyncio.run(empty())
    elif kind == "list":
        figures = asyncio.run(listing(sys.argv[2]))
    elif kind == "session":
        figures = asyncio.run(session(sys.argv[2]))
    else:
        raise SystemExit(f"unknown figure {kind!r}")
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
