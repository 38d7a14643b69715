"""How long a diff of two 10,000-event sessions takes (issue 11: "well under a second").

    python benchmarks/diff.py            # figures on stdout
    python benchmarks/diff.py --events 100000 --json

Cases (each timed as the best of --repeat runs of `diff.diff_sessions` / `diff_points`, and the
whole `session-tui diff --json` command once, store read included):
- copy: B is A with a few events edited (aligned by id: every field of every pair compared),
  and a state with nested values, some changed.
- runs: two runs of one agent (every id different: aligned by position and author).
- points: one session, after its first event against after its last.
And the app's part: the diff screen's lines built from the largest result (`diff_lines`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from session_tui.diff import diff_points, diff_sessions  # noqa: E402
from session_tui.model import Event, Session, format_time, from_unix  # noqa: E402
from session_tui.store import DirectoryStore  # noqa: E402

AUTHORS = ("user", "planner", "search_agent", "booking_agent")


def make_session(session_id: str, events: int, seed: int, keys: int = 1000) -> Session:
    """A session of `events` events in invocations of 4, a fifth of them writing state, and a
    state of `keys` keys (objects and arrays nested 3 deep)."""
    rng = random.Random(seed)
    session = Session(session_id, "bench", "ada", created_at=format_time(from_unix(1.79e9)),
                      updated_at=format_time(from_unix(1.79e9 + events)))
    for n in range(events):
        delta = {f"k{rng.randrange(keys)}": {"turn": n, "items": [n, str(n)]}} if n % 5 == 0 else {}
        event = Event.new(f"{session_id}-inv-{n // 4}", AUTHORS[n % 4],
                          f"turn {n}: " + "lorem ipsum " * rng.randrange(1, 20),
                          state_delta=delta, timestamp=1.79e9 + n)
        event.extra["usage_metadata"] = {"prompt_token_count": rng.randrange(1000)}
        session.events.append(event)
        session.apply_delta(delta)
    for k in range(keys):
        session.state.setdefault(f"k{k}", {"nested": {"list": [k, k + 1, {"deep": k}]}})
    return session


def edited_copy(a: Session, seed: int) -> Session:
    rng = random.Random(seed)
    b = a.copy()
    b.id = a.id + "-edited"
    for event in rng.sample(b.events, 50):
        event.content = (event.content or "") + " (edited)"
    for key in rng.sample(sorted(b.state), 100):
        b.state[key] = {"nested": {"list": [0]}}
    del b.events[-10:]
    return b


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def cli_seconds(store: Path, *args: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "session_tui", "--store", str(store), "diff", *args,
                    "--json"], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    a = make_session("run-a", args.events, seed=1)
    copy = edited_copy(a, seed=2)
    other_run = make_session("run-b", args.events, seed=3)
    figures: dict[str, object] = {"events": args.events, "state_keys": len(a.state)}
    for name, fn in (("copy", lambda: diff_sessions(a, copy)),
                     ("runs", lambda: diff_sessions(a, other_run)),
                     ("points", lambda: diff_points(a, 1, len(a.events)))):
        seconds, result = best(fn, args.repeat)
        events = result["events"]
        figures[name] = {"seconds": round(seconds, 4), "state_changes": len(result["state"]),
                         "same": events["same"], "changed": len(events["changed"]),
                         "only_a": len(events["only_a"]), "only_b": len(events["only_b"])}
    from session_tui.widgets.diff_view import diff_lines

    largest = diff_sessions(a, other_run)
    seconds, lines = best(lambda: diff_lines(largest), args.repeat)
    figures["view_lines"] = {"seconds": round(seconds, 4), "lines": len(lines)}
    with tempfile.TemporaryDirectory() as tmp:
        store = DirectoryStore(Path(tmp) / "store", create=True)
        store.import_sessions([a, copy])
        figures["cli_seconds"] = {  # a process: Python's start, the store read, the diff, JSON
            "two_sessions": round(cli_seconds(store.path, a.id, copy.id), 3),
            "two_points": round(cli_seconds(store.path, a.id, "--from", "1", "--to",
                                            str(len(a.events))), 3)}
        store.close()
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"diff of two {args.events:,}-event sessions ({figures['state_keys']:,} state keys), "
          f"best of {args.repeat}:")
    for name in ("copy", "runs", "points"):
        f = figures[name]
        print(f"  {name:7} {f['seconds'] * 1000:8.1f} ms   state changes {f['state_changes']:,}, "
              f"events same {f['same']:,}, changed {f['changed']:,}, only A {f['only_a']:,}, "
              f"only B {f['only_b']:,}")
    view = figures["view_lines"]
    print(f"  the diff screen's {view['lines']:,} lines: {view['seconds'] * 1000:.1f} ms")
    cli = figures["cli_seconds"]
    print(f"  `session-tui diff A B --json` (whole process): {cli['two_sessions']:.2f} s; "
          f"`--from 1 --to {args.events}`: {cli['two_points']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
