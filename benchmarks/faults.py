"""The long versions of the fault suite (issue 7): what the normal test run does a few times,
done many times, with the figures the README's reliability section quotes.

    python benchmarks/faults.py --json      # the long run: one JSON object on stdout
    python benchmarks/faults.py --quick     # a smoke run of every part (seconds, not minutes)

Parts:
- crash: a writer (edits, appends, rewinds, undos, deletes, imports) SIGKILLed at every N-th
  filesystem call of a fixed sequence (every crash point, when there are at least as many trials)
  and at random moments, on both backends (tests/store/test_store_crash.py does the checks).
- segments: the crash trials of a store folder with segments of two events, and random changes
  checked step by step against a plain TinyDB file doing the same (store layout 2, issue 12).
- concurrent: 4 writers x 100 edits on one session and on four, through the API and the CLI, with
  an agent, an importer and an undoer (tests/store/concurrency.py, when it is on this branch).
- hostile_content: how long the app takes from a key press to the updated screen on a 10 MB
  string, 100,000 keys and a value nested 400 deep (the normal run only asserts that it answers).
- hostile_imports: the hypothesis fuzz of every importer with many examples
  (tests/formats/test_fuzz_imports.py, when it is on this branch).

A part whose helper is missing is reported as skipped, with the reason.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests" / "store"), str(REPO / "tests" / "app")]

ANSWER_BUDGET_MS = 100  # issue 7: the app answers within 100 ms


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------ crash
def crash(quick: bool) -> dict:
    import test_store_crash as crashkit
    from storekit import BACKENDS

    runs = []
    with tempfile.TemporaryDirectory(prefix="faults-crash-") as tmp:
        for kind in BACKENDS:
            for mode in ("nth", "random"):
                if mode == "nth":
                    # At least 100 trials; every crash point of the sequence when there are more.
                    trials = 5 if quick else max(100, _crash_points(crashkit, kind, Path(tmp)))
                else:
                    trials = 5 if quick else 100
                say(f"crash: {kind}, {mode}, {trials} trials ...")
                figures = crashkit.run_trials(kind, mode, trials, Path(tmp) / f"{kind}-{mode}",
                                              keep_going=True)
                runs.append(figures.to_json())
                say(f"  {json.dumps(runs[-1])}")
    return {"runs": runs, "trials": sum(r["trials"] for r in runs),
            "failures": sum(r["failures"] for r in runs)}


def _crash_points(crashkit, kind: str, root: Path) -> int:
    from storekit import Backend

    (root / f"seed-{kind}").mkdir(parents=True)
    seeded = Backend(kind, root / f"seed-{kind}")
    crashkit.seed_store(seeded)
    return crashkit.count_calls(seeded, root / f"count-{kind}", "crash").calls


# ------------------------------------------------------------------------------ segments
def segments(quick: bool) -> dict:
    """Layout 2 of a store folder with tiny segments (two events each): the crash trials of a
    store folder, and random appends, rewinds, edits, undo and deletes checked step by step
    against a plain TinyDB file (tests/store/test_store_layout2.py runs a few of each)."""
    import random

    import test_store_crash as crashkit
    import test_store_layout2 as layoutkit

    os.environ["SESSION_TUI_SEGMENT_EVENTS"] = "2"
    runs, mismatches, steps = [], [], 0
    try:
        with tempfile.TemporaryDirectory(prefix="faults-segments-") as tmp:
            for mode in ("nth", "random"):
                trials = 5 if quick else 100
                say(f"segments: crash, {mode}, {trials} trials ...")
                figures = crashkit.run_trials("directory", mode, trials,
                                              Path(tmp) / f"crash-{mode}", seed="segments",
                                              keep_going=True)
                runs.append(figures.to_json())
                say(f"  {json.dumps(runs[-1])}")
            seeds = 3 if quick else 60
            say(f"segments: {seeds} random sequences against a TinyDB file ...")
            for seed in range(seeds):
                root = Path(tmp) / f"random-{seed}"
                root.mkdir()
                try:
                    steps += _against_tinydb(layoutkit, random.Random(seed), root, 80)
                except AssertionError as exc:
                    mismatches.append(f"seed {seed}: {' '.join(str(exc).split())[:300]}")
    finally:
        os.environ.pop("SESSION_TUI_SEGMENT_EVENTS", None)
    return {"runs": runs, "trials": sum(r["trials"] for r in runs),
            "failures": sum(r["failures"] for r in runs) + len(mismatches),
            "random_steps": steps, "mismatches": mismatches[:3]}


def _against_tinydb(kit, rng, root: Path, changes: int) -> int:
    from session_tui.store import DirectoryStore, TinyFileStore

    (root / "t.json").write_bytes(b'{"_default": {}}')
    reference, store = TinyFileStore(root / "t.json"), DirectoryStore(root / "s", segment_events=2)
    for each in (reference, store):
        each.create("app", "u", session_id="s", state={"a": 0})
        for n in range(5):
            each.append_event("s", kit.ev(n))
    for n in range(5, 5 + changes):
        change = kit.step(rng, n, store, "s")
        assert kit.apply(store, "s", change) == kit.apply(reference, "s", change), change
        assert kit.normal(store.get("s")) == kit.normal(reference.get("s")), (n, change)
    assert kit.normal(DirectoryStore(root / "s").get("s")) == kit.normal(reference.get("s"))
    report = store.check()
    assert report.sound and report.repaired == [], report
    return changes


# ------------------------------------------------------------------------------ concurrent
def concurrent(quick: bool) -> dict:
    try:
        from concurrency import run_concurrent
    except ImportError as exc:
        return {"skipped": f"tests/store/concurrency.py is not on this branch ({exc})"}
    from storekit import BACKENDS, Backend

    runs = []
    edits = 10 if quick else 100
    with tempfile.TemporaryDirectory(prefix="faults-concurrent-") as tmp:
        for kind in BACKENDS:
            for sessions in (1, 4):
                root = Path(tmp) / f"{kind}-{sessions}"
                root.mkdir()
                backend = Backend(kind, root)
                say(f"concurrent: {kind}, 4 writers x {edits} edits on {sessions} session(s) ...")
                start = time.perf_counter()
                result = run_concurrent(backend.path, writers=4, edits=edits, sessions=sessions)
                result = {"backend": kind, "sessions": sessions, "writers": 4, "edits_per_writer": edits,
                          "seconds": round(time.perf_counter() - start, 2), **result}
                result["problems"] = result.get("problems", [])[:5]
                runs.append(result)
                say(f"  {json.dumps(result)[:400]}")
    return {"runs": runs, "problems": sum(len(r["problems"]) for r in runs)}


# ------------------------------------------------------------------------------ hostile content
def hostile_content(quick: bool) -> dict:
    """Key press to updated screen (the app's workers done, its messages and repaint handled)
    for each step of the hostile-sizes walk the normal test makes; and the same harness on a
    small session, for scale (Pilot's own cost, and the machine's load, are in every figure)."""
    import test_app_safety as safety
    from scenes import press

    from session_tui.widgets.state_tree import StateTree

    steps: dict[str, float] = {}
    baseline: dict[str, float] = {}

    async def main(session, walk, into) -> None:
        app = safety.build_app(store=safety._OneSession(REPO, session), config=safety.config())
        async with app.run_test(size=safety.SIZE) as pilot:

            async def timed(name: str, keys: list[str]) -> None:
                start = time.perf_counter()
                await press(pilot, *keys)
                into[name] = round((time.perf_counter() - start) * 1000, 1)

            await walk(pilot, timed)

    say("hostile content: 10 MB string, 100,000 keys, 400 deep ...")
    # The same walk, the same keys, on small sizes: Pilot's own cost differs from key to key
    # (a dialog or an enter waits longer than an arrow), so each step's baseline is that step.
    sizes = {"depth": 6, "keys": 2 * StateTree.PAGE + 10, "text": ("z" * 99 + "\n") * 3}
    small = safety.huge_session(**sizes, delta_keys=3)  # and a small event
    asyncio.run(main(small, lambda pilot, timed: safety.hostile_sizes_walk(pilot, timed, **sizes),
                     baseline))
    asyncio.run(main(safety.huge_session(), safety.hostile_sizes_walk, steps))
    key_ms = baseline.get("tree down (10 MB string)", 0.0)
    net = {k: round(max(0.0, v - baseline.get(k, key_ms)), 1) for k, v in steps.items()}
    slowest = max(net, key=net.get)
    return {"ms_by_step": steps, "small_session_ms": baseline, "harness_key_ms": key_ms,
            "net_ms_by_step": net, "slowest_step": slowest, "slowest_net_ms": net[slowest],
            "steps_over_100ms_net": sorted(k for k, v in net.items() if v > ANSWER_BUDGET_MS),
            "all_within_100ms_net": all(v <= ANSWER_BUDGET_MS for v in net.values()),
            "load_average": round(os.getloadavg()[0], 2)}


# ------------------------------------------------------------------------------ hostile imports
FUZZ = REPO / "tests" / "formats" / "test_fuzz_imports.py"


def hostile_imports(quick: bool) -> dict:
    if not FUZZ.exists():
        return {"skipped": "tests/formats/test_fuzz_imports.py is not on this branch"}
    examples = 20 if quick else 500
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               SESSION_TUI_FUZZ_EXAMPLES=str(examples), SESSION_TUI_FUZZ_REPORT="1")
    say(f"hostile imports: the import fuzz, {examples} examples per test ...")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", str(FUZZ), "-q", "-s", "-p",
                             "no:cacheprovider", "-p", "no:randomly"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=3 * 3600)
    by_test = {}
    for name, count, outcomes in re.findall(r"^(.+?): (\d+) inputs: (\{.*\})$", result.stdout, re.M):
        by_test[name] = {"inputs": int(count), **json.loads(outcomes.replace("'", '"'))}
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-300:]
    failed = sum(int(n) for n in re.findall(r"(\d+) (?:failed|errors?)\b", summary))
    if result.returncode != 0 and not failed:
        failed = 1  # pytest could not run it at all: say so
    return {"examples_per_test": examples, "inputs": sum(t["inputs"] for t in by_test.values()),
            "imported": sum(t.get("imported", 0) for t in by_test.values()),
            "refused": sum(t.get("refused", 0) for t in by_test.values()),
            "failed_tests": failed, "exit_code": result.returncode, "summary": summary,
            "by_test": by_test, "seconds": round(time.perf_counter() - start, 1)}


# ------------------------------------------------------------------------------ main
PARTS = {"crash": crash, "segments": segments, "concurrent": concurrent, "hostile_content": hostile_content,
         "hostile_imports": hostile_imports}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--quick", action="store_true", help="a smoke run of every part")
    parser.add_argument("--only", choices=sorted(PARTS), action="append",
                        help="run only this part (repeatable)")
    args = parser.parse_args(argv)
    report: dict = {"quick": args.quick}
    start = time.perf_counter()
    for name in args.only or PARTS:
        report[name] = PARTS[name](args.quick)
    report["seconds"] = round(time.perf_counter() - start, 1)
    failures = report.get("crash", {}).get("failures", 0) + report.get("segments", {}).get(
        "failures", 0) + report.get("concurrent", {}).get(
        "problems", 0) + report.get("hostile_imports", {}).get("failed_tests", 0)
    report["failures"] = failures
    print(json.dumps(report, indent=None if args.json else 2))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
