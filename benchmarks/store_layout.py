"""What the store folder's own operations cost (issue 12, item 1), on the tree it is run from:

    PYTHONPATH=$PWD python benchmarks/store_layout.py            # S3 = 1 x 100,000, S2 = 10,000 x 100
    PYTHONPATH=$PWD python benchmarks/store_layout.py --quick    # 1 x 5,000 and 500 x 20

Prints one JSON object: an append of one event to the big session (ms, bytes written), a state
edit on one session of the many persisted (ms, bytes), a rewind of the big session to its middle
invocation and the undo of it (ms, bytes each), and opening the store folder of many sessions and
listing it in a fresh process (s). Bytes written are what the process handed write() (Linux's
/proc/self/io, bench_ops.written_bytes), not timed. The data is built with the project's API in a
temporary folder (imports of 1,000 sessions at a time). Run it from two trees (before/after) on
the same machine, one after the other, for ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# `--tree PATH`: measure another checkout's store (the code before a change), same script.
REPO = Path(sys.argv[sys.argv.index("--tree") + 1] if "--tree" in sys.argv
            else Path(__file__).resolve().parents[1]).resolve()
sys.path.insert(0, str(REPO))

from session_tui.model import Event, Session  # noqa: E402
from session_tui.store import DirectoryStore  # noqa: E402
from bench_ops import written_bytes  # noqa: E402  (after session_tui: --tree's is kept)

TEXT = ("The agent looked the question up, weighed three sources and answered in a paragraph "
        "of about this length, as agents do when they explain what they found. ") * 2


def event(n: int, per_invocation: int) -> Event:
    return Event(id=f"e{n:08d}", invocation_id=f"inv-{n // per_invocation:07d}",
                 author="agent" if n % 2 else "user", content=TEXT,
                 timestamp=1790000000.0 + n,
                 actions=Event.new("x", "x", state_delta={"turn": n, "topic": f"t{n % 7}"}).actions)


def session(sid: str, events: int, per_invocation: int = 10) -> Session:
    s = Session.new("bench", f"user-{sid[-1]}", sid)
    s.state = {"topic": "benchmarks", "notes": "x" * 200}
    s.events = [event(n, per_invocation) for n in range(events)]
    s.state.update(turn=events - 1)
    return s


def build(path: Path, sessions: int, events: int, prefix: str) -> DirectoryStore:
    store = DirectoryStore(path, create=True)
    batch: list[Session] = []
    for n in range(sessions):
        batch.append(session(f"{prefix}{n:06d}", events))
        if len(batch) == 1000:
            store.import_sessions(batch, "replace")
            batch = []
    if batch:
        store.import_sessions(batch, "replace")
    return store


def measured(action) -> tuple[float, int]:
    """Milliseconds and bytes written (bench_ops.written_bytes: what the process gave write())."""
    before = written_bytes()
    start = time.perf_counter()
    action()
    ms = (time.perf_counter() - start) * 1000
    return ms, written_bytes() - before


def open_in_fresh_process(path: Path, runs: int) -> float:
    code = ("import sys, time\nt = time.perf_counter()\nfrom session_tui.store import open_store\n"
            "s = open_store(sys.argv[1]); s.list()\nprint(time.perf_counter() - t)")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    times = [float(subprocess.run([sys.executable, "-c", code, str(path)], env=env, check=True,
                                  capture_output=True, text=True).stdout) for _ in range(runs)]
    return statistics.median(times)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--tree", help="the checkout whose store is measured (default: this one)")
    parser.add_argument("--big", type=int, default=100_000, help="events of the big session")
    parser.add_argument("--many", type=int, default=10_000, help="sessions of the many")
    parser.add_argument("--each", type=int, default=100, help="events of each of the many")
    args = parser.parse_args(argv)
    if args.quick:
        args.big, args.many, args.each = 5_000, 500, 20
    out: dict = {"tree": str(REPO), "big_events": args.big, "many_sessions": args.many,
                 "many_events": args.each}
    with tempfile.TemporaryDirectory(prefix="store-layout-") as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        big = build(tmp / "s3", 1, args.big, "big")
        out["build_big_s"] = round(time.perf_counter() - start, 2)
        sid = big.ids()[0]
        append = getattr(big, "append", None) or (lambda *a: big.append_event(*a))
        ms, n = measured(lambda: append(sid, event(args.big, 10)))
        ms2, n2 = measured(lambda: append(sid, event(args.big + 1, 10)))
        out.update(append_big_ms=round(min(ms, ms2), 1), append_big_bytes=min(n, n2))
        middle = f"inv-{args.big // 20:07d}"
        ms, n = measured(lambda: big.rewind(sid, middle))
        out.update(rewind_big_ms=round(ms, 1), rewind_big_bytes=n)
        ms, n = measured(lambda: big.undo(sid))
        out.update(undo_rewind_big_ms=round(ms, 1), undo_rewind_big_bytes=n)
        assert len(big.get(sid).events) == args.big + 2
        start = time.perf_counter()
        many = build(tmp / "s2", args.many, args.each, "s")
        out["build_many_s"] = round(time.perf_counter() - start, 2)
        target = many.ids()[args.many // 2]
        edits = [measured(lambda k=k: many.set_value(target, "/edited", k)) for k in range(5)]
        out.update(edit_many_ms=round(statistics.median(e[0] for e in edits), 1),
                   edit_many_bytes=int(statistics.median(e[1] for e in edits)))
        out["open_many_s"] = round(open_in_fresh_process(tmp / "s2", 3), 3)
        out["files_many"] = sum(len(f) for _, _, f in os.walk(tmp / "s2"))
        out["bytes_many"] = sum((Path(d) / x).stat().st_size for d, _, f in os.walk(tmp / "s2")
                                for x in f)
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
