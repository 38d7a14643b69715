"""Measure the store and the app at size, and print figures and ratios (never asserted in tests:
these machines are shared and noisy).

    python3 scripts/benchmark.py                    # demo store + 10,000 sessions x 100 events
    python3 scripts/benchmark.py --sessions 1000    # smaller
    python3 scripts/benchmark.py --big-session 100000   # also one session of 100k events

Figures: time to fill; `session-tui --store S list --json` (a whole process, median of N runs);
in-process open + list; load one session; persist an edit; peak memory of a process that opens
the store and lists it; app: open a store into the session list, open the big session.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from session_tui.demo import demo_sessions, generate_sessions  # noqa: E402
from session_tui.store import DirectoryStore, open_store  # noqa: E402


def timed(fn, repeat: int = 1):
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def cli_list(store: Path, repeat: int) -> float:
    def run():
        subprocess.run([sys.executable, "-m", "session_tui", "--store", str(store), "list", "--json"],
                       check=True, stdout=subprocess.DEVNULL)
    return timed(run, repeat)[0]


def python_startup(repeat: int) -> float:
    return timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), repeat)[0]


def peak_rss_mb(store: Path) -> float:
    # VmHWM, not getrusage: ru_maxrss survives exec, so a child forked from this (big)
    # process would report the parent's peak.
    code = ("from session_tui.store import open_store; "
            f"s = open_store({str(store)!r}); s.list(); "
            "print(next(int(l.split()[1]) for l in open('/proc/self/status') "
            "if l.startswith('VmHWM')) / 1024)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout)


def fill(store_path: Path, sessions: int, events: int) -> float:
    store = DirectoryStore(store_path, create=True)
    start = time.perf_counter()
    batch = []
    for session in generate_sessions(sessions, events):
        batch.append(session)
        if len(batch) == 1000:
            store.import_sessions(batch)
            batch = []
    if batch:
        store.import_sessions(batch)
    return time.perf_counter() - start


async def app_figures(store_path: Path, big_id: str | None) -> dict[str, float]:
    from session_tui.app import AppConfig, build_app
    from session_tui.widgets.session_list import SessionList
    from session_tui.widgets.timeline import Timeline

    figures = {}
    start = time.perf_counter()
    app = build_app(store_path, config=AppConfig(watch=False, cursor_blink=False))
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        figures["app: open store to a drawn session list"] = time.perf_counter() - start
        rows = app.screen.query_one(SessionList).total_count
        figures["app: rows in the list"] = rows
        if big_id:
            start = time.perf_counter()
            app.screen.query_one(SessionList).select(big_id)
            await pilot.press("enter")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            figures["app: open the big session (load + timeline + tree)"] = time.perf_counter() - start
            figures["app: timeline events"] = len(app.screen.query_one(Timeline).session.events)
            start = time.perf_counter()
            for _ in range(20):
                await pilot.press("pagedown")
            await pilot.pause()
            figures["app: 20 page-downs in the timeline"] = time.perf_counter() - start
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--big-session", type=int, default=100_000,
                        help="events in one extra session (0: none)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []

    def show(name: str, value: float, unit: str = "s") -> None:
        text = f"{value * 1000:.1f} ms" if unit == "s" and value < 1 else (
            f"{value:.2f} s" if unit == "s" else f"{value:,.0f} {unit}".strip())
        rows.append((name, text))
        print(f"{name:<58} {text}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        startup = python_startup(args.repeat)
        show("python3 -c pass (process start, for reference)", startup)

        demo = tmp / "demo"
        DirectoryStore(demo, create=True).import_sessions(demo_sessions())
        demo_list = cli_list(demo, args.repeat)
        show("demo store (30 sessions): session-tui list --json", demo_list)

        big = tmp / "big"
        show(f"fill {args.sessions:,} sessions x {args.events} events", fill(big, args.sessions, args.events))
        big_list = cli_list(big, args.repeat)
        show(f"{args.sessions:,} sessions: session-tui list --json", big_list)
        show("  ratio to the demo store", big_list / demo_list, "x")

        open_time, store = timed(lambda: open_store(big), args.repeat)
        show("in-process open (index fresh, stat of every file)", open_time)
        list_time, listed = timed(store.list, args.repeat)
        show("in-process list", list_time)
        some_id = listed[len(listed) // 2]["id"]
        show("load one session (100 events)", timed(lambda: store.get(some_id), args.repeat)[0])
        counter = iter(range(10**9))
        show("persist an edit (set_value, index updated)",
             timed(lambda: store.set_value(some_id, "/bench/n", next(counter)), args.repeat)[0])
        show("peak memory: open + list", peak_rss_mb(big), "MB")

        big_id = None
        if args.big_session:
            (session,) = list(generate_sessions(1, args.big_session, seed=99))
            big_id = session.id
            store.import_sessions([session])
            show(f"load one session of {args.big_session:,} events", timed(lambda: store.get(big_id), 3)[0])
            show(f"persist an edit to it",
                 timed(lambda: store.set_value(big_id, "/bench/n", next(counter)), 3)[0])

        for name, value in asyncio.run(app_figures(big, big_id)).items():
            show(name, value, "s" if "app: open" in name or "page" in name else "")


if __name__ == "__main__":
    main()
