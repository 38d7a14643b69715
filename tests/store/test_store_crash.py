"""Crash during writes (issue 7, suite item 1): a child process edits, appends, rewinds, undoes,
deletes and imports on a store of either backend and is SIGKILLed (a) at a random moment and
(b) at the N-th filesystem call it makes (replace, rename, unlink, rmdir, mkdir, fsync, open), so
that every crash point of a change can be hit on purpose. After each kill the store opens, `check`
passes with only the repairs a crash may need, the whole store is exactly as it was before the
change in flight or exactly as that change makes it, and undo still works.

How the old and new versions are known: before each change the child rehearses it on a copy of
the store and reports the result (`new`); after it, it checks that the real store agrees. So
the test needs no model of what a change does (undo's rules may change; this test does not).

The normal run does TRIALS kills per backend and mode; `benchmarks/faults.py` runs many more
(`run_trials`). Run with -s to see the figures."""

from __future__ import annotations

import builtins
import io
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import traceback
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from session_tui.model import Event, Session
from session_tui.store import NothingToUndo, StoreError, open_store
from storekit import BACKENDS, LOCK_NAMES, Backend

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

TRIALS = 10  # per backend and mode in the normal run: 20 kills per backend
RANDOM_CHANGES = 8  # changes a random-moment writer makes (it is killed within one of them)
HANG_GUARD = 120  # seconds: a child that hangs this long is a failure, not a wait

# The changes the fixed sequence makes, in order (N-th call mode): each kind at least once,
# undo after each kind of change it can undo.
FIXED_SEQUENCE = ["edit", "append", "import", "rewind", "undo", "delete", "undo", "import",
                  "edit", "undo", "append", "undo"]
RANDOM_KINDS = ["edit"] * 4 + ["append"] * 4 + ["rewind"] * 2 + ["undo"] * 3 + ["import"] * 2 + ["delete"]
# What `check` may repair after a crash: what a killed writer leaves, nothing else.
EXPECTED_REPAIRS = ("removed a leftover temporary file", "completed an interrupted change",
                    "rolled back an uncommitted change", "rebuilt index.json")


# ------------------------------------------------------------------------------ the stores
def seed_store(backend: Backend) -> None:
    """Three sessions: two invocations of an agent, one edited, one empty."""
    store = backend.open()
    store.create("app", "u", session_id="s0", state={"start": 0})
    for n in range(2):
        store.append_event("s0", fixed_event(f"inv-{n}", {"turn": n}, f"seed-{n}"))
    store.create("app", "u", session_id="s1")
    store.set_value("s1", "/edited", True)
    store.create("app", "u", session_id="s2")
    store.close()


def fixed_event(invocation_id: str, delta: dict, event_id: str) -> Event:
    """An agent's event with nothing random in it (id and time fixed), so that a rehearsal and
    the real change write the same."""
    return Event(id=event_id, invocation_id=invocation_id, author="agent",
                 content=f"reply in {invocation_id}", timestamp=1795000000.0,
                 actions=Event.new("x", "x", state_delta=delta).actions)


def normal_form(session: Session) -> dict:
    """A session as data, without what a change stamps at random (event ids and times of edit
    events, updated_at): the rehearsal and the real change agree on everything else."""
    value = session.export()
    value.pop("updated_at", None)
    for event in value["events"]:
        if event["author"] == "session-tui":
            event.pop("id"), event.pop("timestamp")
            event["invocation_id"] = "edit"
    return value


def view(store) -> dict[str, dict]:
    return {sid: normal_form(store.get(sid)) for sid in sorted(store.ids())}


def copy_store(path: Path, into: Path) -> Path:
    """A copy of the store (session files, index, history; no lock) under `into`."""
    ignore = shutil.ignore_patterns(*LOCK_NAMES)
    if path.is_dir():
        shutil.copytree(path, into / path.name, ignore=ignore)
    else:
        shutil.copy2(path, into / path.name)
        side = path.with_name(path.name + ".session-tui")
        if side.is_dir():
            shutil.copytree(side, into / side.name, ignore=ignore)
    return into / path.name


# ------------------------------------------------------------------------------ the child
class CallCounter:
    """Counts the filesystem calls made while armed; SIGKILLs its own process at call `kill_at`
    (before the call happens), so that call N of a change is where it dies."""

    CALLS = [(os, "replace"), (os, "rename"), (os, "unlink"), (os, "remove"), (os, "rmdir"),
             (os, "mkdir"), (os, "fsync"), (os, "open"), (io, "open"), (builtins, "open")]

    def __init__(self, kill_at: int):
        self.kill_at = kill_at
        self.count = 0
        self.armed = False

    def install(self) -> None:
        wrapped = {}
        for module, name in self.CALLS:
            real = getattr(module, name)
            if id(real) not in wrapped:  # io.open is builtins.open: one wrapper for both
                wrapped[id(real)] = self._wrap(real)
            setattr(module, name, wrapped[id(real)])

    def _wrap(self, real):
        def call(*args, **kwargs):
            if self.armed:
                self.count += 1
                if self.count == self.kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)

        return call


def choose_change(rng: random.Random, n: int, kind: str, store) -> dict:
    """Change number `n` of kind `kind`, its arguments drawn from the store as it is."""
    ids = sorted(store.ids())
    with_events = [sid for sid in ids if store.get(sid).events]
    if kind == "rewind" and not with_events:
        kind = "append"
    if not ids:
        kind = "import"
    if kind == "edit":
        sid = rng.choice(ids)
        state = store.get(sid).state
        if state and rng.random() < 0.3:
            return {"kind": "unset", "id": sid, "pointer": "/" + rng.choice(sorted(state))}
        return {"kind": "edit", "id": sid, "pointer": f"/k{n}", "value": {"n": n, "list": [n] * 3}}
    if kind == "append":
        # Every other one through `append` (a store folder's own way: the event's line and a
        # new head, nothing else), the others through `append_event`.
        return {"kind": "append", "id": rng.choice(ids), "invocation": f"agent-{n}",
                "delta": {f"a{n % 3}": n}, "fast": n % 2 == 1}
    if kind == "rewind":
        sid = rng.choice(with_events)
        return {"kind": "rewind", "id": sid, "before": rng.random() < 0.5,
                "invocation": rng.choice(store.get(sid).invocation_ids())}
    if kind in ("undo", "delete"):
        return {"kind": kind, "id": rng.choice(ids)}
    clash = rng.choice(ids) if ids else None
    return {"kind": "import", "on_conflict": rng.choice(["skip", "replace", "keep-both"]),
            "new": [f"imp{n}-{j}" for j in range(3)], "clash": clash}


def perform(store, change: dict) -> str:
    """Make the change; its outcome: "ok" or the StoreError's class name."""
    kind, sid = change["kind"], change.get("id")
    try:
        if kind == "edit":
            store.set_value(sid, change["pointer"], change["value"])
        elif kind == "unset":
            store.unset_value(sid, change["pointer"])
        elif kind == "append":
            append = store.append if change.get("fast") else store.append_event
            append(sid, fixed_event(change["invocation"], change["delta"],
                                    f"ev-{change['invocation']}"))
        elif kind == "rewind":
            store.rewind(sid, change["invocation"], before=change["before"])
        elif kind == "undo":
            store.undo(sid)
        elif kind == "delete":
            store.delete(sid)
        else:
            sessions = []
            for new_id in change["new"] + ([change["clash"]] if change["clash"] else []):
                session = Session.new("imported", "u", new_id)
                session.created_at = session.updated_at = "2026-11-20T10:00:00Z"
                session.state = {"imported": new_id, "pad": "x" * 100}
                session.events = [fixed_event(f"imp-{new_id}", {"imported": new_id}, f"ev-imp-{new_id}")]
                sessions.append(session)
            store.import_sessions(sessions, on_conflict=change["on_conflict"])
    except StoreError as exc:
        return type(exc).__name__
    return "ok"


def rehearse(path: Path, change: dict) -> tuple[dict, str]:
    """The change made on a copy of the store: the store's new version, and the outcome. (Only
    in the child: a copy needs no fsync, and skipping it makes a rehearsal ten times faster.)"""
    fsync, os.fsync = os.fsync, lambda fd: None
    try:
        with tempfile.TemporaryDirectory(prefix="rehearsal-") as scratch:
            store = open_store(copy_store(path, Path(scratch)))
            try:
                outcome = perform(store, change)
                return view(store), outcome
            finally:
                store.close()
    finally:
        os.fsync = fsync


_OUT = 1  # the child's pipe to the parent (set by fork_child)


def emit(**fields) -> None:
    os.write(_OUT, (json.dumps(fields) + "\n").encode())


def child_main(path: str, seed: str, mode: str, kill_at: int, count: int,
               script: list[dict] | None = None) -> None:
    """The writer that gets killed. Prints one JSON line per step: ready (with the store's view),
    begin (the change and the store's view after it), done (calls so far, seconds taken).
    `script`: the begin steps of an earlier run of the same seeded sequence from the same store
    (changes and their rehearsed results), so that they need not be rehearsed again."""
    counter = CallCounter(kill_at)
    counter.install()
    rng = random.Random(seed)
    store = open_store(path)
    emit(ready=True, view=view(store))
    for n in range(count):
        if script is not None:
            change, predicted, outcome = script[n]["change"], script[n]["new"], script[n]["outcome"]
        else:
            kind = FIXED_SEQUENCE[n % len(FIXED_SEQUENCE)] if mode == "nth" else rng.choice(RANDOM_KINDS)
            change = choose_change(rng, n, kind, store)
            predicted, outcome = rehearse(Path(path), change)
        emit(begin=n, change=change, new=predicted, outcome=outcome)
        counter.armed = True
        start = time.perf_counter()
        got = perform(store, change)
        seconds = time.perf_counter() - start
        counter.armed = False
        if got != outcome or view(store) != predicted:
            emit(mismatch=n, outcome=got, expected=outcome, view=view(store))
            sys.exit(3)
        emit(done=n, calls=counter.count, seconds=seconds)
    emit(finished=True)


def fork_child(*args) -> tuple[int, io.TextIOWrapper]:
    """child_main(*args) in a forked process (no interpreter start: a trial costs milliseconds,
    not the half second an import of everything takes). Returns its pid and its output. The
    child writes only to its own pipe and never returns into the parent's code."""
    global _OUT
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 4
        try:
            os.close(read_end)
            _OUT = write_end
            child_main(*args)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 4
        except BaseException:  # noqa: BLE001 - told to the parent, which fails the trial
            emit(error=traceback.format_exc())
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, io.open(read_end, "r", encoding="utf-8")


# ------------------------------------------------------------------------------ the parent
@dataclass
class Run:
    """What the child said before it died."""

    old: dict  # the store's view after the last change it finished
    new: dict | None = None  # the view the change in flight makes (None: none in flight)
    change: dict | None = None
    finished: bool = False
    calls: int = 0  # filesystem calls of the finished changes
    script: list[dict] = field(default_factory=list)  # every begin step
    seconds: list[float] = field(default_factory=list)
    error: str = ""


def read_step(line: str) -> dict | None:
    try:
        return json.loads(line)
    except ValueError:
        return None  # the last line, cut by the kill


def follow(run: Run, step: dict) -> None:
    if "ready" in step:
        run.old = step["view"]
    elif "begin" in step:
        run.new, run.change = step["new"], step["change"]
        run.script.append(step)
    elif "done" in step:
        run.old, run.new, run.change = run.new, None, None
        run.calls = step["calls"]
        run.seconds.append(step["seconds"])
    elif "finished" in step:
        run.finished = True
    elif "error" in step:
        run.error = step["error"]
    elif "mismatch" in step:
        raise AssertionError(f"the change did not do what its rehearsal did: {step}")


def run_child(backend: Backend, seed: str, mode: str, kill_at: int, count: int,
              kill_after_begin: int | None = None, rng: random.Random | None = None,
              script: list[dict] | None = None) -> Run:
    """Run the writer; in random mode SIGKILL it at a random moment within change number
    `kill_after_begin` (once it has said it began it). Every line goes through one reader."""
    pid, output = fork_child(str(backend.path), seed, mode, kill_at, count, script)
    run = Run(old={})
    watchdog = threading.Timer(HANG_GUARD, os.kill, (pid, signal.SIGKILL))  # a hang fails
    watchdog.start()
    try:
        if kill_after_begin is not None:
            for line in output:  # until the child begins the chosen change
                step = read_step(line) or {}
                follow(run, step)
                if step.get("begin") == kill_after_begin or "finished" in step:
                    break
            # A random moment within that change: it takes about as long as the last one.
            typical = max(run.seconds[-3:], default=0.005)
            time.sleep(rng.uniform(0, 1.5 * typical))
            os.kill(pid, signal.SIGKILL)
        for line in output:  # to the end of the pipe: the child is gone
            step = read_step(line)
            if step is not None:
                follow(run, step)
        _, status = os.waitpid(pid, 0)
    finally:
        watchdog.cancel()
        output.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, -signal.SIGKILL) or run.error:
        raise AssertionError(f"the writer failed ({code}): {run.error}")
    return run


def after_the_crash(backend: Backend, run: Run) -> str:
    """Everything that must hold after a kill. Returns "old", "new" or "finished"."""
    store = backend.open()  # it opens (and completes or rolls back a journaled change)
    report = store.check()
    assert report.sound, report.damaged
    unexpected = [line for line in report.repaired if not line.startswith(EXPECTED_REPAIRS)]
    assert not unexpected, unexpected
    store.close()
    store = backend.open()
    assert getattr(store, "problems", []) == []
    now = view(store)
    if now == run.old:
        verdict = "finished" if run.finished else "old"
    elif run.new is not None and now == run.new:
        verdict = "new"
    else:
        raise AssertionError(f"neither the old nor the new version after a kill in {run.change}: "
                             f"{diff(run.old, now)}")
    # Undo still works: on the session the change in flight touched (else any), it undoes a
    # change, or says there is none, or refuses with its reason changing nothing; and leaves a
    # sound store and a session that reads.
    touched = sorted(sid for sid in set(run.old) | set(run.new or {})
                     if (run.old.get(sid) != (run.new or run.old).get(sid)))
    target = next((sid for sid in touched if sid in now), None) or next(iter(now), None)
    if target is not None:
        before = backend.snapshot()
        try:
            store.undo(target)
        except NothingToUndo:
            pass
        except StoreError as exc:  # refused, with its reason (it cannot be done exactly)
            assert "\n" not in str(exc) and backend.snapshot() == before, exc
        if target in store:
            store.get(target)
        store.close()
        store = backend.open()
        report = store.check()
        assert report.sound and report.repaired == [], report
        view(store)  # every session reads
    store.close()
    return verdict


def diff(old: dict, now: dict) -> str:
    lines = [f"{sid}: {'absent' if sid not in now else 'changed' if sid in old else 'added'}"
             for sid in sorted(set(old) | set(now)) if old.get(sid) != now.get(sid)]
    return "; ".join(lines)


@dataclass
class Figures:
    kind: str
    mode: str
    trials: int = 0
    failures: list[str] = field(default_factory=list)
    verdicts: dict[str, int] = field(default_factory=dict)
    crash_points: int = 0  # filesystem calls of the whole fixed sequence (N-th call mode)
    crash_points_hit: set[int] = field(default_factory=set)
    seconds: float = 0.0

    def to_json(self) -> dict:
        out = {"backend": self.kind, "mode": self.mode, "trials": self.trials,
               "failures": len(self.failures), "first_failures": self.failures[:3],
               "old": self.verdicts.get("old", 0), "new": self.verdicts.get("new", 0),
               "finished": self.verdicts.get("finished", 0), "seconds": round(self.seconds, 2)}
        if self.mode == "nth":
            out.update(crash_points=self.crash_points, crash_points_hit=len(self.crash_points_hit))
        return out


def fresh_copy(seeded: Backend, root: Path) -> Backend:
    """A Backend at `root` holding a copy of the seeded store (cheaper than seeding again)."""
    root.mkdir(parents=True)
    backend = Backend(seeded.kind, root)
    if backend.path.is_dir():
        shutil.rmtree(backend.path)
    copy_store(seeded.path, root)
    return backend


def count_calls(seeded: Backend, root: Path, seed: str) -> Run:
    """The fixed sequence run from (a copy of) the seeded store, not killed: how many
    filesystem calls it makes (`calls`), and its changes with their results (`script`)."""
    run = run_child(fresh_copy(seeded, root), seed, "nth", 0, len(FIXED_SEQUENCE))
    assert run.finished, run.error
    return run


def kill_points(total: int, trials: int, rng: random.Random) -> list[int]:
    """`trials` call numbers spread over 1..total (every one of them when trials >= total)."""
    if trials >= total:
        return list(range(1, total + 1))
    return [1 + (t * total) // trials + rng.randrange(max(1, total // trials)) for t in range(trials)]


def run_trials(kind: str, mode: str, trials: int, root: Path, seed: str = "crash",
               keep_going: bool = False) -> Figures:
    """`trials` kills of the writer on fresh stores of `kind`; every check of after_the_crash
    after each. keep_going: collect failures instead of stopping at the first."""
    rng = random.Random(f"{seed}-{kind}-{mode}")
    figures = Figures(kind, mode)
    start = time.perf_counter()
    (root / "seed").mkdir(parents=True)
    seeded = Backend(kind, root / "seed")
    seed_store(seeded)
    if mode == "nth":
        counted = count_calls(seeded, root / "count", seed)
        figures.crash_points = counted.calls
        points = kill_points(counted.calls, trials, rng)
    for trial in range(trials):
        backend = fresh_copy(seeded, root / f"t{trial}")
        try:
            if mode == "nth":
                run = run_child(backend, seed, "nth", points[trial], len(FIXED_SEQUENCE),
                                script=counted.script)
                figures.crash_points_hit.add(points[trial])
            else:
                count = RANDOM_CHANGES
                run = run_child(backend, f"{seed}-{trial}", "random", 0, count,
                                kill_after_begin=rng.randrange(count), rng=rng)
            verdict = after_the_crash(backend, run)
            figures.verdicts[verdict] = figures.verdicts.get(verdict, 0) + 1
        except AssertionError as exc:
            if not keep_going:
                raise
            figures.failures.append(f"trial {trial}: {' '.join(str(exc).split())[:300]}")
        finally:
            figures.trials += 1
            shutil.rmtree(backend.root, ignore_errors=True)
    figures.seconds = time.perf_counter() - start
    return figures


# ------------------------------------------------------------------------------ the tests
@pytest.mark.parametrize("mode", ["nth", "random"])
@pytest.mark.parametrize("kind", BACKENDS)
def test_a_writer_killed_anywhere_leaves_old_or_new_and_undo_works(kind, mode, tmp_path):
    figures = run_trials(kind, mode, TRIALS, tmp_path)
    print(f"\n[crash] {json.dumps(figures.to_json())}")
    assert figures.trials == TRIALS and not figures.failures
    # The kills landed inside changes, not only between them.
    assert figures.verdicts.get("old", 0) + figures.verdicts.get("new", 0) >= TRIALS // 2


def test_the_call_counter_kills_at_the_nth_call_and_only_then(tmp_path):
    """The child dies at exactly call N of the fixed sequence: before call 1 nothing happened;
    past the last call it finishes, having made exactly that many calls."""
    (tmp_path / "seed").mkdir()
    seeded = Backend("directory", tmp_path / "seed")
    seed_store(seeded)
    counted = count_calls(seeded, tmp_path / "count", "crash")
    assert counted.calls > len(FIXED_SEQUENCE)  # every change makes calls
    run = run_child(fresh_copy(seeded, tmp_path / "a"), "crash", "nth", counted.calls + 1,
                    len(FIXED_SEQUENCE), script=counted.script)
    assert run.finished and run.calls == counted.calls
    backend = fresh_copy(seeded, tmp_path / "b")
    run = run_child(backend, "crash", "nth", 1, len(FIXED_SEQUENCE), script=counted.script)
    assert not run.finished and run.change == counted.script[0]["change"]
    assert after_the_crash(backend, run) == "old"  # died before its first call
