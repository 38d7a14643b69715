"""Measure `session-tui import` on large files of every format it reads, and print figures (never
asserted in tests: these machines are shared and noisy).

    python3 scripts/benchmark_imports.py            # full size (several minutes)
    python3 scripts/benchmark_imports.py --quick    # everything 10x smaller: a smoke run
    python3 scripts/benchmark_imports.py --profile  # also cProfile each in-process read

Files, built in a temporary folder:

- session-tui JSON Lines: 10,000 sessions x 100 events (`demo.generate_sessions`,
  `exporting.encode_sessions`);
- ADK session JSON: one session of 100,000 events (`exporting.encode_adk`), and a folder of
  1,000 `<id>.session.json` files of 100 events (`exporting.write_adk`), imported as
  `import FOLDER/*.json` (the file list is passed);
- ADK SQLite, both layouts (`SqliteSessionService`, `DatabaseSessionService`): 2,000 sessions x
  100 events, the schema copied from tests/fixtures/adk/{sqlite,database}.db (`sqlite_master`,
  and the `adk_internal_metadata` rows), the rows made from the fixture's rows with new ids,
  times and state.

For each: file size, sessions, events, in-process `reading.read_path` time (median), full
`session-tui --store NEW import FILE...` time (a whole process, a fresh store each run,
median), sessions/s and events/s of the full import, and the import process's peak memory
(`/usr/bin/time -v`, else VmHWM printed by a wrapper). Every run's counts are checked: the read
gives the sessions and events that were written, the import says `imported N`.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import os
import pstats
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from session_tui.demo import generate_sessions  # noqa: E402
from session_tui.formats import exporting, reading  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "adk"
TIME_BIN = "/usr/bin/time"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}

# A child that runs the CLI and prints its own peak memory (VmHWM) last on stderr: the fallback
# where /usr/bin/time is missing. (Not getrusage: ru_maxrss survives exec, so a child forked from
# a big parent could report the parent's peak.)
WRAPPER = (
    "import sys\n"
    "from session_tui.cli import main\n"
    "try:\n"
    "    code = main(sys.argv[1:])\n"
    "finally:\n"
    "    hwm = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
    "    print(f'VmHWM-kB {hwm}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


@dataclass
class Case:
    name: str
    files: list[Path]          # what `session-tui import` is given
    sessions: int              # what was written
    events: int
    size: int = 0              # bytes, all files
    read_times: list[float] = field(default_factory=list)
    import_times: list[float] = field(default_factory=list)
    peaks_mb: list[float] = field(default_factory=list)


# ------------------------------------------------------------------------------ measuring

def read_all(files: list[Path]) -> list:
    """What the CLI's `read_imports` does, in this process."""
    sessions = []
    for path in files:
        sessions.extend(reading.read_path(path))
    return sessions


def measure_read(case: Case, repeat: int, profile: bool) -> None:
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        sessions = read_all(case.files)
        case.read_times.append(time.perf_counter() - start)
        got = (len(sessions), sum(len(s.events) for s in sessions))
        del sessions
        if got != (case.sessions, case.events):
            raise SystemExit(f"{case.name}: read {got[0]} sessions / {got[1]} events, "
                             f"wrote {case.sessions} / {case.events}")
    if profile:
        gc.collect()
        prof = cProfile.Profile()
        prof.enable()
        sessions = read_all(case.files)
        prof.disable()
        del sessions
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        stats.sort_stats("tottime").print_stats(12)
        print(f"\n--- cProfile of the in-process read: {case.name} (by own time)", flush=True)
        print("\n".join(line for line in out.getvalue().splitlines()
                        if line.strip() and not line.startswith(("   Ordered", "   List"))), flush=True)
    gc.collect()


def cli_import(store: Path, files: list[Path], tmp: Path) -> tuple[float, str, float | None]:
    """One `session-tui --store STORE import FILES...`: (seconds, stderr, peak MB)."""
    args = ["--store", str(store), "import", *map(str, files)]
    report = tmp / "time-report.txt"
    if os.access(TIME_BIN, os.X_OK):
        cmd = [TIME_BIN, "-v", "-o", str(report), sys.executable, "-m", "session_tui", *args]
    else:
        cmd = [sys.executable, "-c", WRAPPER, *args]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    seconds = time.perf_counter() - start
    err = proc.stderr
    peak = None
    if report.exists():
        text = report.read_text()
        report.unlink()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        peak = int(m.group(1)) / 1024 if m else None
    else:
        m = re.search(r"^VmHWM-kB (\d+)$", err, re.M)
        peak = int(m.group(1)) / 1024 if m else None
        err = re.sub(r"^VmHWM-kB \d+\n?", "", err, flags=re.M)
    if proc.returncode != 0:
        raise SystemExit(f"import failed ({proc.returncode}): {err.strip()}")
    return seconds, err, peak


def measure_import(case: Case, repeat: int, tmp: Path) -> None:
    for i in range(repeat):
        store = tmp / f"store-{i}"
        shutil.rmtree(store, ignore_errors=True)
        seconds, err, peak = cli_import(store, case.files, tmp)
        m = re.search(r"imported (\d+)", err)
        if not m or int(m.group(1)) != case.sessions:
            raise SystemExit(f"{case.name}: expected `imported {case.sessions}`, got {err.strip()!r}")
        case.import_times.append(seconds)
        if peak is not None:
            case.peaks_mb.append(peak)
        shutil.rmtree(store, ignore_errors=True)


# --------------------------------------------------------------------------- session-tui

def build_jsonl(tmp: Path, n: int, e: int) -> Case:
    path = tmp / "sessions.jsonl"
    path.write_bytes(exporting.encode_sessions(list(generate_sessions(n, e, seed=11))))
    return Case(f"session-tui JSON Lines ({n:,} x {e})", [path], n, n * e)


def build_adk_one(tmp: Path, e: int) -> Case:
    (session,) = generate_sessions(1, e, seed=12)
    path = tmp / "big.session.json"
    path.write_bytes(exporting.encode_adk(session))
    return Case(f"ADK JSON, one session ({e:,} events)", [path], 1, e)


def build_adk_folder(tmp: Path, n: int, e: int) -> Case:
    folder = tmp / "adk-folder"
    files = exporting.write_adk(list(generate_sessions(n, e, seed=13)), folder)
    return Case(f"ADK JSON folder ({n:,} files x {e})", sorted(files), n, n * e)


# --------------------------------------------------------------------------- ADK SQLite

CITIES = ["Paris", "Oslo", "Lyon", "Tokyo", "Lima", "Cairo", "Perth", "Quito", "Riga", "Bern"]


class Layout:
    """What one fixture database says about its layout: schema, metadata rows, how times and
    event_data are written, and event templates (the rows of its first session)."""

    def __init__(self, path: Path):
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            # Tables first (as the fixture lists them), then indexes; autoindexes have no SQL.
            self.schema = [sql for (sql,) in db.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
                "ORDER BY type = 'index', rowid")]
            tables = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            self.metadata = (db.execute("SELECT * FROM adk_internal_metadata").fetchall()
                             if "adk_internal_metadata" in tables else [])
            self.app_row = db.execute("SELECT app_name, state, update_time FROM app_states").fetchone()
            self.user_row = db.execute(
                "SELECT app_name, user_id, state, update_time FROM user_states").fetchone()
            first = db.execute("SELECT app_name, user_id, id, state, create_time, update_time "
                               "FROM sessions ORDER BY create_time LIMIT 1").fetchone()
            self.session_row = first
            self.events = db.execute(
                "SELECT id, invocation_id, timestamp, event_data FROM events "
                "WHERE app_name=? AND user_id=? AND session_id=? ORDER BY timestamp, rowid",
                first[:3]).fetchall()
        finally:
            db.close()
        texts = [row[3] for row in self.events]
        self.compact = not any('": ' in t for t in texts)      # SqliteSessionService: compact
        self.ascii = all(t.isascii() for t in texts)           # DatabaseSessionService: \u escapes
        self.time_sample = self.events[0][2]                   # REAL, or naive UTC text
        self.templates = [json.loads(t) for t in texts]
        self.state_template = json.loads(first[3])

    def dumps(self, value) -> str:
        if self.compact:
            return json.dumps(value, separators=(",", ":"), ensure_ascii=self.ascii)
        return json.dumps(value, ensure_ascii=self.ascii)

    @staticmethod
    def time_as(sample, seconds: float):
        if isinstance(sample, (int, float)):
            return seconds
        text = dt.datetime.fromtimestamp(seconds, dt.timezone.utc).replace(tzinfo=None)
        return text.strftime("%Y-%m-%d %H:%M:%S.%f" if "." in sample else "%Y-%m-%d %H:%M:%S")


def _ids_in(value, found: set[str]) -> None:
    """Function call ids (`adk-...`) anywhere in a template."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "id" and isinstance(v, str) and v.startswith("adk-"):
                found.add(v)
            _ids_in(v, found)
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, str) and v.startswith("adk-"):
                found.add(v)
            _ids_in(v, found)


def _swap(value, mapping: dict[str, str]):
    """A copy of `value` with every string in `mapping` replaced."""
    if isinstance(value, dict):
        return {k: _swap(v, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap(v, mapping) for v in value]
    if isinstance(value, str):
        return mapping.get(value, value)
    return value


def _vary(value, rng: random.Random, j: int):
    """A state value like `value` with other content."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return j
    if isinstance(value, float):
        return round(rng.random() * 100, 2)
    if isinstance(value, str):  # a city, another city; anything else as it is ("metric")
        return rng.choice(CITIES) if value in CITIES else value
    if isinstance(value, list):
        return [_vary(value[0], rng, j) for _ in range(1 + j % 3)] if value else []
    if isinstance(value, dict):
        return {k: _vary(v, rng, j) for k, v in value.items()}
    return value


def build_adk_sqlite(tmp: Path, fixture: str, n: int, e: int, seed: int) -> Case:
    """`n` sessions x `e` events in the layout of tests/fixtures/adk/<fixture>: the fixture's
    schema, its first session's events cycled as templates with new ids, times and state."""
    lay = Layout(FIXTURES / fixture)
    rng = random.Random(seed)
    path = tmp / f"adk-{fixture}"
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    for sql in lay.schema:
        db.execute(sql)
    if lay.metadata:
        marks = ",".join("?" * len(lay.metadata[0]))
        db.executemany(f"INSERT INTO adk_internal_metadata VALUES ({marks})", lay.metadata)

    # Templates: the invocation each event belongs to, and the call ids they mention.
    inv_order = list(dict.fromkeys(row[1] for row in lay.events))
    call_ids: set[str] = set()
    for t in lay.templates:
        _ids_in(t, call_ids)
    k = len(lay.templates)
    apps = [f"bench_app_{i}" for i in range(5)]
    users = [f"user_{i:03d}" for i in range(50)]
    app_state: dict[str, dict] = {a: {} for a in apps}
    user_state: dict[tuple[str, str], dict] = {}
    start = 1772355600.0
    session_rows, event_rows = [], []
    for s in range(n):
        app, user = apps[s % len(apps)], users[s % len(users)]
        sid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        t = start + s * 3600.0 + rng.random()
        created = t
        state = _vary(lay.state_template, rng, s)
        mapping: dict[str, str] = {}
        for j in range(e):
            i = j % k
            if i == 0:  # a new cycle of the templates: new invocation and call ids
                mapping = {inv: f"e-{uuid.UUID(int=rng.getrandbits(128), version=4)}" for inv in inv_order}
                mapping.update({c: f"adk-{uuid.UUID(int=rng.getrandbits(128), version=4)}" for c in call_ids})
            t += 0.5 + rng.random() * 3
            ts = round(t, 6)
            eid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            data = _swap(lay.templates[i], mapping)
            data["id"] = eid
            data["timestamp"] = ts
            actions = data.get("actions")
            delta = actions.get("state_delta") if isinstance(actions, dict) else None
            if delta:
                delta = actions["state_delta"] = {key: _vary(v, rng, j) for key, v in delta.items()}
                for key, v in delta.items():  # as ADK applies a delta
                    if key.startswith("app:"):
                        app_state[app][key[4:]] = v
                    elif key.startswith("user:"):
                        user_state.setdefault((app, user), {})[key[5:]] = v
                    elif not key.startswith("temp:"):
                        state[key] = v
            inv = mapping[lay.events[i][1]]
            event_rows.append((eid, app, user, sid, inv, lay.time_as(lay.time_sample, ts), lay.dumps(data)))
        session_rows.append((app, user, sid, lay.dumps(state),
                             lay.time_as(lay.session_row[4], created), lay.time_as(lay.session_row[5], t)))
        if len(event_rows) >= 50_000:
            db.executemany("INSERT INTO events (id, app_name, user_id, session_id, invocation_id, "
                           "timestamp, event_data) VALUES (?,?,?,?,?,?,?)", event_rows)
            event_rows.clear()
    db.executemany("INSERT INTO sessions (app_name, user_id, id, state, create_time, update_time) "
                   "VALUES (?,?,?,?,?,?)", session_rows)
    db.executemany("INSERT INTO events (id, app_name, user_id, session_id, invocation_id, "
                   "timestamp, event_data) VALUES (?,?,?,?,?,?,?)", event_rows)
    now = start + n * 3600.0
    base_app = json.loads(lay.app_row[1])
    db.executemany("INSERT INTO app_states (app_name, state, update_time) VALUES (?,?,?)",
                   [(a, lay.dumps({**base_app, **st}), lay.time_as(lay.app_row[2], now))
                    for a, st in app_state.items()])
    base_user = json.loads(lay.user_row[2])
    db.executemany("INSERT INTO user_states (app_name, user_id, state, update_time) VALUES (?,?,?,?)",
                   [(a, u, lay.dumps({**_vary(base_user, rng, 0), **st}), lay.time_as(lay.user_row[3], now))
                    for (a, u), st in sorted(user_state.items())])
    db.commit()
    db.close()
    kind = "DatabaseSessionService" if lay.metadata else "SqliteSessionService"
    return Case(f"ADK SQLite, {kind} ({n:,} x {e})", [path], n, n * e)


# ----------------------------------------------------------------------------------- main

def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="everything 10x smaller (a smoke run)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure (median)")
    parser.add_argument("--profile", action="store_true", help="cProfile each in-process read")
    parser.add_argument("--only", metavar="WORD", help="only the cases whose name has WORD")
    args = parser.parse_args()
    d = 10 if args.quick else 1

    builders = [
        ("JSON Lines", lambda tmp: build_jsonl(tmp, 10_000 // d, 100)),
        ("one session", lambda tmp: build_adk_one(tmp, 100_000 // d)),
        ("folder", lambda tmp: build_adk_folder(tmp, 1_000 // d, 100)),
        ("SqliteSessionService", lambda tmp: build_adk_sqlite(tmp, "sqlite.db", 2_000 // d, 100, 21)),
        ("DatabaseSessionService", lambda tmp: build_adk_sqlite(tmp, "database.db", 2_000 // d, 100, 22)),
    ]
    if args.only:
        builders = [(k, b) for k, b in builders if args.only.lower() in k.lower()]

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, median of {args.repeat}; "
          f"peak memory from {'/usr/bin/time -v' if os.access(TIME_BIN, os.X_OK) else 'VmHWM'}",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as tmp_name:
        tmp = Path(tmp_name)
        startup = statistics.median(
            _timed_run([sys.executable, "-m", "session_tui", "--version"]) for _ in range(args.repeat))
        print(f"reference: session-tui --version (process start + imports): {fmt_s(startup)}", flush=True)
        cases = []
        for _, build in builders:
            start = time.perf_counter()
            case = build(tmp)
            case.size = sum(p.stat().st_size for p in case.files)
            print(f"built {case.name}: {case.size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s",
                  flush=True)
            measure_read(case, args.repeat, args.profile)
            print(f"  read (in-process) {fmt_s(statistics.median(case.read_times))}", flush=True)
            measure_import(case, args.repeat, tmp)
            print(f"  import (CLI) {fmt_s(statistics.median(case.import_times))}"
                  f" (runs: {', '.join(f'{t:.2f}' for t in case.import_times)} s)", flush=True)
            cases.append(case)
            for path in case.files:  # keep the temp folder small
                path.unlink()

        print()
        header = (f"{'file':<48} {'MB':>7} {'sessions':>9} {'events':>10} {'read':>9} {'import':>9}"
                  f" {'sessions/s':>11} {'events/s':>10} {'peak MB':>8}")
        print(header)
        print("-" * len(header))
        for c in cases:
            imp = statistics.median(c.import_times)
            peak = f"{max(c.peaks_mb):,.0f}" if c.peaks_mb else "?"
            print(f"{c.name:<48} {c.size / 1e6:>7.1f} {c.sessions:>9,} {c.events:>10,}"
                  f" {fmt_s(statistics.median(c.read_times)):>9} {fmt_s(imp):>9}"
                  f" {_rate(c.sessions / imp):>11} {_rate(c.events / imp):>10} {peak:>8}")
        print("\nread: in-process reading.read_path of every file; import: the whole "
              "`session-tui --store NEW import FILE...` process; rates from the import; "
              "peak: the import process's maximum RSS (highest of the runs).")


def _rate(per_second: float) -> str:
    return f"{per_second:,.2f}" if per_second < 10 else f"{per_second:,.0f}"


def _timed_run(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
