"""Several processes on one store, and writers killed with SIGKILL (SPEC section 3: "a store opened
by two processes at once loses nothing"; every write atomic; imports all or nothing, even across a
crash). Run with -s to see the figures."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from session_tui.model import Session
from session_tui.store import DirectoryStore
from session_tui.files import is_temp
from budget import examples
from storekit import BACKENDS, REPO, Backend, python_env

EDITS = examples(40)  # per process: enough to interleave four writers many times over

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork-free spawning")


def spawn(code: str, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], env=python_env(),
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def temp_files(root: Path) -> list[str]:
    return [name for _, _, files in os.walk(root) for name in files if is_temp(name)]


# -------------------------------------------------------------------------------- concurrency

EDITOR = r"""
import sys, time
from pathlib import Path
from session_tui.store import open_store
path, n, count, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
store = open_store(path)
print("ready", flush=True)
while not go.exists():
    time.sleep(0.002)
for i in range(count):
    store.edit_state("shared", lambda s: s.__setitem__(f"p{n}-{i}", i))
print("done", flush=True)
"""


@pytest.mark.parametrize("kind", BACKENDS)
def test_four_processes_lose_nothing(kind, tmp_path):
    backend = Backend(kind, tmp_path)
    backend.open().create("app", "u", session_id="shared")
    go = tmp_path / "go"
    procs = [spawn(EDITOR, backend.path, n, EDITS, go) for n in range(4)]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    start = time.perf_counter()
    go.touch()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    elapsed = time.perf_counter() - start
    print(f"\n[concurrency] {kind}: 4 processes x {EDITS} edits in {elapsed:.2f} s")

    store = backend.open()
    session = store.get("shared")
    expected = {f"p{n}-{i}": i for n in range(4) for i in range(EDITS)}
    assert session.state == expected
    assert len(session.events) == 4 * EDITS
    assert all(e.invocation_id.startswith("edit-") and e.author == "session-tui"
               for e in session.events)
    assert len({e.invocation_id for e in session.events}) == 4 * EDITS
    # Every event carries exactly one of the keys, each key once.
    written = [k for e in session.events for k in e.actions.state_delta]
    assert sorted(written) == sorted(expected)
    # Each process's own edits are in its order.
    for n in range(4):
        mine = [int(k.split("-")[1]) for k in written if k.startswith(f"p{n}-")]
        assert mine == list(range(EDITS))
    row = {r["id"]: r for r in store.list()}["shared"]
    assert row["event_count"] == 4 * EDITS and row["invocation_count"] == 4 * EDITS
    assert temp_files(tmp_path) == []


# -------------------------------------------------------------------------------- crash: edits

WRITER = r"""
import sys
from session_tui.store import open_store
path, start, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
store = open_store(path)
print("ready", flush=True)
for i in range(start, start + count):
    store.edit_state("s", lambda st: st.__setitem__(f"k{i:04d}", i))
    print(i + 1, flush=True)
print("finished", flush=True)
"""


def killed_run(code: str, delay: float, *args) -> tuple[list[str], bool]:
    """Start `code`, wait for its "ready", let it run `delay` seconds, SIGKILL it. Returns the
    lines it printed and whether the kill came before it finished.

    Every line is read through the one text reader of the pipe (`proc.stdout`): `communicate()`
    reads the raw pipe and would lose what `readline()` had already buffered."""
    proc = spawn(code, *args)
    try:
        first = proc.stdout.readline().strip()
        assert first == "ready", proc.stderr.read()
        time.sleep(delay)  # the random moment of the kill (not a wait for anything)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        lines = proc.stdout.read().split()  # the child is gone: the pipe ends
        err = proc.stderr.read()
    finally:
        proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    killed = proc.returncode == -signal.SIGKILL and "finished" not in lines
    if not killed:
        assert proc.returncode in (0, -signal.SIGKILL), err
    return lines, killed


@pytest.mark.parametrize("kind", BACKENDS)
def test_writer_killed_at_random_points(kind, tmp_path):
    rng = random.Random(f"crash-{kind}")
    backend = Backend(kind, tmp_path)
    backend.open().create("app", "u", session_id="s")
    # How long do 50 edits take here? Kill within that span.
    probe = backend.open()
    t = time.perf_counter()
    for i in range(10):
        probe.set_value("s", "/probe", i)
    per_edit = (time.perf_counter() - t) / 10
    for _ in range(10):
        probe.undo("s")
    assert probe.get("s").state == {} and len(probe.get("s").events) == 0

    rounds, old, new, finished = examples(6), 0, 0, 0
    keys = 0
    start = time.perf_counter()
    for _ in range(rounds):
        delay = rng.uniform(0, per_edit * 45)  # 50 edits take about per_edit * 50
        lines, killed = killed_run(WRITER, delay, backend.path, keys, 50)
        acked = max([keys] + [int(x) for x in lines if x.isdigit()])
        finished += not killed

        store = backend.open()  # a store that opens
        assert store.ids() == ["s"]  # no temporary file taken for a session
        if kind == "directory":
            assert store.problems == []
        session = store.get("s")
        n = len(session.state)
        assert n in (acked, acked + 1), (n, acked)
        assert session.state == {f"k{i:04d}": i for i in range(n)}
        assert len(session.events) == n  # one edit event per key: events agree with state
        assert [e.actions.state_delta for e in session.events] == [{f"k{i:04d}": i} for i in range(n)]
        row = store.list()[0]
        assert row["event_count"] == n  # the index agrees
        if n == acked:
            old += 1
        else:
            new += 1
        keys = n
    elapsed = time.perf_counter() - start
    leftovers = len(temp_files(tmp_path))  # never taken for data (checked above)
    print(f"\n[crash] {kind}: {rounds} runs, {rounds - finished} killed mid-way, "
          f"old version {old} times, new version {new} times, {keys} edits landed, "
          f"{leftovers} temporary files left behind, {elapsed / rounds:.2f} s per run "
          f"({per_edit * 1000:.1f} ms per edit)")
    # At least some kills land mid-way, or the test tests little (how many depends on the
    # machine's load, so no fixed share is demanded).
    assert rounds - finished >= 1

    # Undo still works after all that: an undo record whose change never landed is skipped.
    store = backend.open()
    store.undo("s")
    assert store.get("s").state == {f"k{i:04d}": i for i in range(keys - 1)}
    report = store.check()  # clears what the killed writers left
    assert report.sound
    assert temp_files(tmp_path) == []
    assert (leftovers == 0) == (not any("temporary" in line for line in report.repaired))


# -------------------------------------------------------------------------------- crash: imports

IMPORTER = r"""
import sys
from session_tui.model import Session
from session_tui.store import open_store
path, first = sys.argv[1], int(sys.argv[2])
store = open_store(path)
print("ready", flush=True)
for b in range(first, first + 200):
    batch = []
    for j in range(20):
        s = Session.new("app", "u", f"b{b:05d}-{j:02d}")
        s.state = {"batch": b, "j": j, "pad": "x" * 200}
        batch.append(s)
    store.import_sessions(batch)
    print(b, flush=True)
print("finished", flush=True)
"""


@pytest.mark.parametrize("kind", BACKENDS)
def test_import_killed_at_random_points_is_all_or_nothing(kind, tmp_path):
    rng = random.Random(f"import-{kind}")
    backend = Backend(kind, tmp_path)
    rounds, complete_inflight, absent_inflight = 8, 0, 0
    start = time.perf_counter()
    for r in range(rounds):
        first = r * 1000
        lines, killed = killed_run(IMPORTER, rng.uniform(0.01, 0.4), backend.path, first)
        acked = [int(x) for x in lines if x.isdigit()]
        store = backend.open()  # completes or rolls back what the kill interrupted
        if kind == "directory":
            assert not (backend.path / "journal.json").exists()
            staging = backend.path / "staging"
            assert not staging.exists() or list(staging.iterdir()) == []
            assert store.problems == []
        ids = store.ids()
        batches: dict[int, int] = {}
        for session_id in ids:
            batches[int(session_id[1:6])] = batches.get(int(session_id[1:6]), 0) + 1
        assert set(batches.values()) <= {20}, "a batch was half imported"
        mine = sorted(b for b in batches if first <= b < first + 1000)
        assert mine[: len(acked)] == acked
        assert len(mine) in (len(acked), len(acked) + 1)
        if killed:
            if len(mine) > len(acked):
                complete_inflight += 1
            else:
                absent_inflight += 1
        # The index agrees with the files.
        if kind == "directory":
            on_disk = sorted(DirectoryStore(backend.path, create=False).ids())
            assert sorted(ids) == on_disk
            assert len(list((backend.path / "sessions").iterdir())) == len(ids)
        for session_id in (ids[0], ids[-1]):
            session = store.get(session_id)
            assert session.state["j"] == int(session_id[-2:])
    print(f"\n[crash] {kind} import of 20-session batches: {rounds} kills; the batch in flight "
          f"was complete after reopening {complete_inflight} times, absent {absent_inflight} "
          f"times; {(time.perf_counter() - start) / rounds:.2f} s per run")


def _sessions(prefix: str, n: int) -> list[Session]:
    out = []
    for j in range(n):
        s = Session.new("app", "u", f"{prefix}{j}")
        s.state = {"j": j}
        out.append(s)
    return out


class Crash(BaseException):
    """Stands for the process dying at that point."""


def test_journal_committed_but_not_applied_is_completed_on_open(tmp_path, monkeypatch):
    store = DirectoryStore(tmp_path / "store", create=True)
    store.create("app", "u", session_id="before")
    original = DirectoryStore._apply_journal

    def half_then_die(self, journal):
        moves = journal["moves"]
        for staged, final in moves[: len(moves) // 2]:
            os.replace(self.path / staged, self.path / final)
        raise Crash()

    monkeypatch.setattr(DirectoryStore, "_apply_journal", half_then_die)
    with pytest.raises(Crash):
        store.import_sessions(_sessions("n", 6))
    assert (store.path / "journal.json").exists()
    monkeypatch.setattr(DirectoryStore, "_apply_journal", original)

    fresh = DirectoryStore(store.path, create=False)
    assert sorted(fresh.ids()) == ["before"] + [f"n{j}" for j in range(6)]
    assert all(fresh.get(f"n{j}").state == {"j": j} for j in range(6))
    assert not (store.path / "journal.json").exists()
    assert not (store.path / "staging").exists() or not list((store.path / "staging").iterdir())


def test_journal_never_committed_is_rolled_back_on_open(tmp_path, monkeypatch):
    from session_tui.store import journal  # where the journal writes its commit point

    store = DirectoryStore(tmp_path / "store", create=True)
    store.create("app", "u", session_id="before")
    real = journal.write_atomic

    def die_at_commit(target, data):
        if Path(target).name == "journal.json":
            raise Crash()
        return real(target, data)

    monkeypatch.setattr(journal, "write_atomic", die_at_commit)
    with pytest.raises(Crash):
        store.import_sessions(_sessions("n", 6))
    monkeypatch.setattr(journal, "write_atomic", real)
    assert list((store.path / "staging").iterdir())  # staged files were left behind

    fresh = DirectoryStore(store.path, create=False)
    assert fresh.ids() == ["before"]
    assert not (store.path / "staging").exists() or not list((store.path / "staging").iterdir())
    for j in range(6):
        assert f"n{j}" not in fresh
    assert sorted(p.name for p in (store.path / "sessions").iterdir()) == [
        p.name for p in (store.path / "sessions").iterdir() if "before" in p.name]


def test_check_completes_an_interrupted_import_too(tmp_path, monkeypatch):
    store = DirectoryStore(tmp_path / "store", create=True)
    monkeypatch.setattr(DirectoryStore, "_apply_journal", lambda self, journal: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        store.import_sessions(_sessions("m", 3))
    monkeypatch.undo()
    report = store.check()
    assert report.sound
    assert any("interrupted" in line for line in report.repaired)
    assert sorted(store.ids()) == ["m0", "m1", "m2"]
