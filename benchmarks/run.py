"""session-tui's performance figures (issue 12), in one JSON object.

    python benchmarks/run.py --json               # every figure, full sizes (an hour or so)
    python benchmarks/run.py --quick --json       # a smoke run on tiny data (CI runs it)
    python benchmarks/run.py --sizes S2,S3 --json # only what these data sets give

It builds its data with the project's API in a temporary folder (bench_data.py: S1 = 1,000
sessions x 50 events, S2 = 10,000 x 100, S3 = one session of 100,000 events, S4 = 100,000 x
20; an ADK database of 10,000 sessions opened in place), then measures each figure in fresh
processes (bench_app.py: the real app headless; bench_ops.py: the store, google-adk) --repeat
times and reports the median. Each ratio is taken against its reference in the same run: an
empty Textual app's first paint, `python -c pass`, google-adk's DatabaseSessionService on the
same data. A figure whose data set was not built is null.
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

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO), str(HERE)]

from bench_data import build_all, say  # noqa: E402

KEYS = ("empty_app_paint_s", "first_paint_s2_s", "paint_ratio", "first_paint_s4_s", "paint_ratio_s4",
        "open_session_s3_s", "append_s3_ms", "append_s3_bytes", "edit_persist_s2_ms", "rewind_s3_ms",
        "undo_rewind_s3_ms", "cursor_move_list_ms", "cursor_move_timeline_ms",
        "time_travel_move_s3_ms", "filter_key_s2_ms", "longest_stall_ms", "rss_s2_mb", "rss_s3_mb",
        "cli_list_ratio", "peer_adk_list_get_s", "ours_list_get_s", "peer_ratio",
        "peer_get_100k_ratio")
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}


def _child(argv: list[str], timeout: float = 1800,
           output: bool = True) -> tuple[float | None, dict, float]:
    """Run a child to its end: (seconds from the spawn to its `painted` line or None, its JSON
    figures, seconds from the spawn to its exit). `output=False`: its output is thrown away."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *argv], stderr=subprocess.PIPE, text=True, env=ENV,
                            cwd=REPO, stdout=subprocess.PIPE if output else subprocess.DEVNULL)
    painted, last = None, ""
    for line in proc.stdout or ():
        if line.strip() == "painted" and painted is None:
            painted = time.perf_counter() - t0
        elif line.strip():
            last = line
    err = proc.stderr.read()
    code = proc.wait(timeout)
    ended = time.perf_counter() - t0
    if code != 0:
        raise RuntimeError(f"{' '.join(argv[:2])} failed ({code}):\n{err[-3000:]}")
    return painted, json.loads(last) if last else {}, ended


def _median(values: list) -> float:
    return statistics.median(values)


def repeated(argv: list[str], repeat: int, output: bool = True) -> dict:
    """The child `repeat` times: the median of each figure (`paint_s` the time to `painted`,
    `wall_s` the time to its exit)."""
    runs = []
    for _ in range(repeat):
        painted, figures, ended = _child(argv, output=output)
        figures["wall_s"] = ended
        if painted is not None:
            figures["paint_s"] = painted
        runs.append(figures)
    return {key: _median([r[key] for r in runs]) for key in runs[0]
            if isinstance(runs[0][key], (int, float))}


def app(kind: str, *args: str, repeat: int) -> dict:
    return repeated([str(HERE / "bench_app.py"), kind, *args], repeat)


def ops(kind: str, repeat: int, **args) -> dict:
    return repeated([str(HERE / "bench_ops.py"), kind, json.dumps(args)], repeat)


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def measure(data: dict, repeat: int, root: Path) -> dict:
    out: dict = {key: None for key in KEYS}
    sizes = data["sizes"]
    stalls, extra = [], {}
    say("measuring: an empty Textual app ...")
    empty = app("empty", repeat=repeat)["paint_s"]
    out["empty_app_paint_s"] = _r(empty)
    if "S2" in sizes:
        say("measuring: the app on S2 (first paint, cursor, filter) ...")
        s2 = app("list", sizes["S2"]["path"], repeat=repeat)
        out.update(first_paint_s2_s=_r(s2["paint_s"]), paint_ratio=_r(s2["paint_s"] / empty, 2),
                   cursor_move_list_ms=_r(s2["cursor_move_list_ms"], 2),
                   filter_key_s2_ms=_r(s2["filter_key_ms"], 1), rss_s2_mb=s2["rss_mb"])
        extra.update(filter_first_key_s2_ms=_r(s2["filter_first_key_ms"], 1),
                     filter_later_keys_s2_ms=_r(s2["filter_later_keys_ms"], 1))
        stalls.append(s2["longest_stall_ms"])
        say("measuring: the store on S2 (an edit) ...")
        out["edit_persist_s2_ms"] = _r(ops("edit", repeat, path=sizes["S2"]["path"])["edit_ms"], 1)
        say("measuring: session-tui list --json on S2, and python -c pass ...")
        cli = repeated(["-m", "session_tui", "--store", sizes["S2"]["path"], "list", "--json"], repeat,
                       output=False)
        bare = repeated(["-c", "pass"], repeat, output=False)
        out["cli_list_ratio"] = _r(cli["wall_s"] / bare["wall_s"], 2)
        extra.update(cli_list_s2_s=_r(cli["wall_s"]), python_pass_s=_r(bare["wall_s"]))
    if "S4" in sizes:
        say("measuring: the app on S4 (first paint) ...")
        s4 = app("list", sizes["S4"]["path"], repeat=repeat)
        out.update(first_paint_s4_s=_r(s4["paint_s"]), paint_ratio_s4=_r(s4["paint_s"] / empty, 2))
        extra.update(filter_key_s4_ms=_r(s4["filter_key_ms"], 1), rss_s4_mb=s4["rss_mb"])
        stalls.append(s4["longest_stall_ms"])
    if "S3" in sizes:
        s3 = sizes["S3"]
        say("measuring: the app on S3 (open, timeline, time travel) ...")
        shown = app("session", s3["path"], repeat=repeat)
        out.update(open_session_s3_s=_r(shown["open_session_s"]),
                   cursor_move_timeline_ms=_r(shown["cursor_move_timeline_ms"], 2),
                   time_travel_move_s3_ms=_r(shown["time_travel_move_ms"], 2), rss_s3_mb=shown["rss_mb"])
        stalls.append(shown["longest_stall_ms"])
        say("measuring: the store on S3 (append, rewind, undo) ...")
        appended = ops("append", repeat, path=s3["path"])
        out.update(append_s3_ms=_r(appended["append_ms"], 2), append_s3_bytes=int(appended["append_bytes"]))
        rewound = ops("rewind", repeat, path=s3["path"])
        out.update(rewind_s3_ms=_r(rewound["rewind_ms"], 1), undo_rewind_s3_ms=_r(rewound["undo_ms"], 1))
    if "S3" in sizes and "adk_db" in sizes["S3"]:
        s3 = sizes["S3"]
        say("measuring: get of the S3 session, ours and google-adk's ...")
        ours_get = ops("get", repeat, path=s3["path"])["s"]
        adk_get = ops("get", repeat, path=s3["adk_db"], adk_key=s3["adk_keys"][0])["s"]
        out["peer_get_100k_ratio"] = _r(adk_get / ours_get, 2)
        extra.update(ours_get_s3_s=_r(ours_get), adk_get_s3_s=_r(adk_get))
    if "S1" in sizes and "adk_db" in sizes["S1"]:
        s1 = sizes["S1"]
        say("measuring: list + get 100 on S1, ours and google-adk's ...")
        keys_file = root / "S1-keys.json"
        keys_file.write_text(json.dumps(s1["adk_keys"]))
        ours = ops("ours", repeat, path=s1["path"])["s"]
        peer = ops("adk", repeat, path=s1["adk_db"], keys_file=str(keys_file))["s"]
        out.update(peer_adk_list_get_s=_r(peer), ours_list_get_s=_r(ours), peer_ratio=_r(peer / ours, 2))
    if "adk_in_place" in data:
        extra.update(_in_place(data["adk_in_place"], empty, repeat, root, stalls))
    out["longest_stall_ms"] = max(stalls) if stalls else None
    out.update(extra)
    return out


def _in_place(adk: dict, empty: float, repeat: int, root: Path, stalls: list) -> dict:
    """Item 5: an ADK database of 10,000 sessions opened in place."""
    say("measuring: the app on an ADK database in place (first paint, open) ...")
    listed = app("list", adk["path"], repeat=repeat)
    shown = app("session", adk["path"], repeat=repeat)
    stalls += [listed["longest_stall_ms"], shown["longest_stall_ms"]]
    keys_file = root / "adk-keys.json"
    keys_file.write_text(json.dumps(adk["keys"]))
    api = ops("in_place", repeat, path=adk["path"], keys_file=str(keys_file))
    return {"adk_sessions": adk["sessions"], "first_paint_adk_s": _r(listed["paint_s"]),
            "paint_ratio_adk": _r(listed["paint_s"] / empty, 2),
            "open_session_adk_s": _r(shown["open_session_s"]),
            "adk_in_place_list_s": _r(api["ours_list_s"], 4), "adk_in_place_get_s": _r(api["ours_get_s"], 4),
            "google_adk_list_s": _r(api["adk_list_s"], 4), "google_adk_get_s": _r(api["adk_get_s"], 4),
            "in_place_list_ratio": _r(api["adk_list_s"] / api["ours_list_s"], 2),
            "in_place_get_ratio": _r(api["adk_get_s"] / api["ours_get_s"], 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    parser.add_argument("--quick", action="store_true", help="tiny data, one run each (a smoke run)")
    parser.add_argument("--sizes", default="S1,S2,S3,S4", help="data sets to build (default: all)")
    parser.add_argument("--repeat", type=int, help="runs per figure (default 5, --quick 1)")
    parser.add_argument("--out", type=Path, help="also write the JSON object to this file")
    args = parser.parse_args()
    sizes = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    unknown = set(sizes) - {"S1", "S2", "S3", "S4"}
    if unknown:
        parser.error(f"unknown sizes: {', '.join(sorted(unknown))} (S1, S2, S3, S4)")
    repeat = args.repeat or (1 if args.quick else 5)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="session-tui-bench-") as tmp:
        data = build_all(Path(tmp), sizes, args.quick)
        figures = measure(data, repeat, Path(tmp))
    figures["run"] = {"quick": args.quick, "sizes": sizes, "repeat": repeat, "cpus": os.cpu_count(),
                      "python": sys.version.split()[0], "build_s": data["build_s"],
                      "total_s": round(time.perf_counter() - started, 1)}
    text = json.dumps(figures, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    if args.json:
        print(text)
    else:
        for key, value in figures.items():
            if key != "run":
                print(f"{key:28} {value}")
        print(f"(sizes {', '.join(sizes)}, {repeat} runs each, {figures['run']['total_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
