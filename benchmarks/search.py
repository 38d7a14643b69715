"""Cross-session search at size: build, keep, load and query the index (session_tui/search_index.py),
and print figures (never asserted anywhere: the machines are shared and noisy).

    python3 benchmarks/search.py                       # 10,000 sessions x 100 events (S2)
    python3 benchmarks/search.py --sessions 1000 --events 50 --store /tmp/s1
    python3 benchmarks/search.py --json

The store is built with the project's API (bench_data.build_store, as benchmarks/run.py builds
S2) in a temporary folder unless `--store` names one (built there when missing). Figures: a cold
build (every session read), the index's bytes and the process's RSS growth, saving and loading
the cache, a refresh that finds nothing changed and one after an edit, each keystroke of typing
queries (first key and later keys; one that matches nothing anywhere: the worst case, a scan of
all text), the same with a trigram index built on a sample (memory per session, extrapolated),
and `session-tui search` as a whole process, with the cache and without. """

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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import build_store  # noqa: E402
from session_tui.search_index import SLICE, SearchIndex, cache_file  # noqa: E402
from session_tui.store import open_store  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def ms(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 2)


def typing(index: SearchIndex, word: str, budget: float | None,
           clock=time.perf_counter) -> list[float]:
    """Each keystroke of typing `word` into a fresh filter, in ms (first key first): with a
    budget, the longest slice the UI thread spends (the app's list: SLICE); without, the
    whole answer. `clock=time.thread_time`: the CPU time, what the figure is on an idle
    machine (this one is shared: wall times include waiting for a core)."""
    index._memo_of = None  # a fresh filter: nothing to narrow from
    out = []
    for n in range(1, len(word) + 1):
        longest = 0.0
        while True:
            start = clock()
            _, complete = index.match(word[:n], budget)
            longest = max(longest, clock() - start)
            if complete:
                break
        out.append(round(longest * 1000, 2))
    return out


def trigram_figures(store, sample: int) -> dict[str, float]:
    """An inverted index of trigrams -> session numbers (sets) over `sample` sessions: its
    memory per session, and a lookup (candidates only: a match must still be checked)."""
    import tracemalloc

    from session_tui.search import folded_text

    ids = store.ids()[:sample]
    texts = [folded_text(store.get(i).events).decode() for i in ids]
    tracemalloc.start()
    grams: dict[str, set[int]] = {}
    for n, text in enumerate(texts):
        for gram in {text[i:i + 3] for i in range(len(text) - 2)}:
            grams.setdefault(gram, set()).add(n)
    used = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    text_bytes = sum(len(t.encode()) for t in texts)

    def lookup() -> None:
        needle = "zzz not there"
        sets = [grams.get(needle[i:i + 3], set()) for i in range(len(needle) - 2)]
        set.intersection(*sets)

    return {"trigram_sample_sessions": len(ids), "trigram_distinct": len(grams),
            "trigram_bytes_per_session": round(used / len(ids)),
            "text_bytes_per_session": round(text_bytes / len(ids)),
            "trigram_lookup_ms": ms(lookup)}


def cli_search(store: Path, query: str, cache: Path, repeat: int = 3) -> float:
    env = dict(os.environ, SESSION_TUI_CACHE=str(cache), PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "session_tui", "--store", str(store), "search", query, "--json"]
    return ms(lambda: subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL),
              repeat) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--store", type=Path, help="a store folder to use (filled when missing)")
    parser.add_argument("--trigram-sample", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="search-bench-")
    path = args.store or Path(tmp.name) / "store"
    if not (path / "index.json").exists():
        build_store(path, args.sessions, args.events, seed=7)  # as benchmarks/run.py builds S2
    cache = Path(tmp.name) / "cache"
    os.environ["SESSION_TUI_CACHE"] = str(cache)
    out: dict[str, float | list[float] | int] = {}
    store = open_store(path)
    rows = store.list()
    out["sessions"] = len(rows)
    out["events"] = sum(r["event_count"] for r in rows)

    index = SearchIndex()
    before = rss_mb()
    start = time.perf_counter()
    index.refresh_from(store, rows)
    out["build_cold_s"] = round(time.perf_counter() - start, 2)
    out["index_text_mb"] = round(index.memory() / 1e6, 1)
    out["rss_growth_mb"] = round(rss_mb() - before, 1)

    file, identity = cache_file(store)
    out["save_ms"] = ms(lambda: index.save(file, identity), 3)
    out["cache_file_mb"] = round(file.stat().st_size / 1e6, 1)
    out["load_ms"] = ms(lambda: SearchIndex.load(file, identity), 3)
    loaded = SearchIndex.load(file, identity)
    out["refresh_nothing_changed_ms"] = ms(lambda: loaded.refresh_from(store, rows), 3)
    victim = rows[len(rows) // 2]["id"]
    store.set_value(victim, "/searched", "needle-after-edit")
    out["refresh_after_edit_ms"] = ms(lambda: loaded.refresh_from(store), 1)
    assert loaded.matching_ids("needle-after-edit") == [victim]

    # Typing into the list's filter: each key's cost, first key first.
    for name, word in (("common", "lookup"), ("rare", "needle-after-edit"),
                       ("nowhere", "zqxj"), ("state", "counter")):
        out[f"keys_{name}_ms"] = typing(loaded, word, None)
        out[f"keys_{name}_cpu_ms"] = typing(loaded, word, None, time.thread_time)
        out[f"keys_{name}_ui_slice_ms"] = typing(loaded, word, SLICE)
    out["key_worst_ms"] = ms(lambda: (setattr(loaded, "_memo_of", None), loaded.matching_ids("zqxj")))
    start = time.thread_time()
    for _ in range(5):
        loaded._memo_of = None
        loaded.matching_ids("zqxj")
    out["key_worst_cpu_ms"] = round((time.thread_time() - start) / 5 * 1000, 2)
    out.update(trigram_figures(store, args.trigram_sample))
    out["cli_search_warm_s"] = cli_search(path, "needle-after-edit", cache)
    cold = Path(tmp.name) / "cold-cache"
    out["cli_search_cold_s"] = cli_search(path, "needle-after-edit", cold, repeat=1)
    out["cli_search_common_warm_s"] = cli_search(path, "counter", cache, repeat=1)
    if args.json:
        print(json.dumps(out))
    else:
        for key, value in out.items():
            print(f"{key:32} {value}")
    tmp.cleanup()


if __name__ == "__main__":
    main()
