"""Layout 2 of a store folder (issue 12, item 1): a head per session and segments of events.

Small segments (a few events) so that every test crosses segment boundaries: appends, rewinds,
undo and deletes against a plain TinyDB file doing the same (the reference), an append's bytes
staying bounded as the session grows (bytes counted, never time), a torn append, a reader racing
a writer, the index journal, migration of a layout-1 store (also one killed mid-way), and
writers killed at random points with two events a segment (the crash suite's own checks)."""

from __future__ import annotations

import os
import random
import signal
import sys

import orjson
import pytest

from session_tui.model import Event, Session
from session_tui.store import DirectoryStore, NothingToUndo, StoreError, TinyFileStore
from session_tui.store import index as index_module
from session_tui.store.summaries import summary_of
from session_tui.store.history import History, UndoRecord
from session_tui.store.naming import file_name
from session_tui.store.segments import Folder
from session_tui.store.session_files import encode_session_file
from storekit import run_python

N = 3  # events a segment
TRIALS = 3  # kills per mode in the normal run (benchmarks/faults.py --segments runs many more)


def ev(n: int, invocation: str | None = None, **delta) -> Event:
    return Event(id=f"e{n}", invocation_id=invocation or f"inv-{n // 2}", author="agent",
                 content=f"reply {n}", timestamp=1790000000.0 + n,
                 actions=Event.new("x", "x", state_delta=delta or {"n": n}).actions)


def normal(session: Session) -> dict:
    """A session as data, without what edits stamp at random (their ids, times, updated_at)."""
    value = session.export()
    value.pop("updated_at"), value.pop("created_at")
    for event in value["events"]:
        if event["author"] == "session-tui":
            event.pop("id"), event.pop("timestamp")
            event["invocation_id"] = "edit"
    return value


def folder_of(store: DirectoryStore, sid: str):
    return store.path / "events" / file_name(sid)[:-5]


class Written:
    def __init__(self):
        self.bytes = 0

    def __enter__(self):
        self._real = os.write

        def counting(fd, data):
            n = self._real(fd, data)
            self.bytes += n
            return n
        os.write = counting
        return self

    def __exit__(self, *exc):
        os.write = self._real


# ------------------------------------------------------------------------- appends, bytes
def test_appends_cross_segments_and_read_back(tmp_path):
    store = DirectoryStore(tmp_path / "s", segment_events=N)
    store.create("app", "u", session_id="s", state={"start": 1})
    for n in range(10):
        (store.append if n % 2 else store.append_event)("s", ev(n))
    fresh = DirectoryStore(tmp_path / "s", segment_events=N)
    session = fresh.get("s")
    assert [e.id for e in session.events] == [f"e{n}" for n in range(10)]
    assert session.state == {"start": 1, "n": 9}
    [summary] = fresh.list()
    assert (summary["event_count"], summary["invocation_count"]) == (10, 5)
    files = sorted(folder_of(store, "s").glob("0*.jsonl"))
    assert [len(f.read_bytes().splitlines()) for f in files] == [3, 3, 3, 1]


def test_an_append_writes_the_event_and_a_bounded_rest(tmp_path):
    """What an append writes does not grow with the session: the event's line, its
    invocation id, the head and the index line, at 7 events as at 250 (84 segments, most of
    them listed in the list file, not the head)."""
    store = DirectoryStore(tmp_path / "s", segment_events=N)
    written = {}
    for size in (7, 250):
        session = Session.new("app", "u", "s")
        session.events = [ev(n) for n in range(size)]  # the last segment has room for two
        store.import_sessions([session], "replace")
        with Written() as w:
            store.append("s", ev(size + 1, "inv-new"))  # a new invocation: its id is written too
        written[size] = w.bytes
    line = len(orjson.dumps(ev(251, "inv-new").export()))
    assert written[250] <= written[7] + 40, written  # (a few more digits, nothing else)
    assert written[250] < 2 * line + 2000, written
    assert len(store.get("s").events) == 251
    assert len(orjson.loads((tmp_path / "s" / "sessions" / file_name("s")).read_bytes())[
        "layout"]["1"]["segments"]) <= 17


# ----------------------------------------------------- against a plain TinyDB file, at random
def step(rng: random.Random, n: int, store, sid: str) -> tuple:
    """One change (the same on both stores): its kind and arguments."""
    session = store.get(sid)
    kind = rng.choice(["append"] * 4 + ["fast"] * 3 + ["edit"] * 2 + ["rewind"] * 2
                      + ["undo"] * 3 + ["delete"])
    agents = [i for i in session.invocation_ids() if not i.startswith("edit-")]  # (edit ids are random)
    if kind == "rewind" and agents:
        return ("rewind", rng.choice(agents), rng.random() < 0.5)
    if kind in ("append", "fast", "rewind"):
        invocation = rng.choice([f"inv-{n}", session.events[-1].invocation_id]
                                if session.events else [f"inv-{n}"])
        return ("append", ev(n, invocation), kind == "fast")
    if kind == "edit":
        return ("edit", f"/k{n % 4}", n)
    return (kind,)


def apply(store, sid: str, change: tuple) -> str:
    try:
        if change[0] == "append":
            (store.append if change[2] else store.append_event)(sid, change[1])
        elif change[0] == "edit":
            store.set_value(sid, change[1], change[2])
        elif change[0] == "rewind":
            store.rewind(sid, change[1], before=change[2])
        elif change[0] == "undo":
            store.undo(sid)
        else:
            store.delete(sid)
            store.undo(sid)  # put back: the sequence goes on with it
    except (NothingToUndo, StoreError) as exc:
        return type(exc).__name__
    return "ok"


@pytest.mark.parametrize("seed", [0])  # benchmarks/faults.py runs many more
def test_appends_rewinds_and_undo_match_a_tinydb_file(tmp_path, seed):
    rng = random.Random(seed)
    (tmp_path / "t.json").write_bytes(b'{"_default": {}}')
    reference = TinyFileStore(tmp_path / "t.json")
    store = DirectoryStore(tmp_path / "s", segment_events=N)
    for each in (reference, store):
        each.create("app", "u", session_id="s", state={"a": 0})
        for n in range(5):
            each.append_event("s", ev(n))
    for n in range(5, 30):
        change = step(rng, n, store, "s")
        assert apply(store, "s", change) == apply(reference, "s", change), change
        assert normal(store.get("s")) == normal(reference.get("s")), (n, change)
    reopened = DirectoryStore(tmp_path / "s", segment_events=N)
    session = reopened.get("s")
    assert normal(session) == normal(reference.get("s"))
    [summary] = reopened.list()
    expected = summary_of(session)
    assert {k: summary[k] for k in ("event_count", "invocation_count", "annulled_count")} == {
        k: expected[k] for k in ("event_count", "invocation_count", "annulled_count")}
    report = reopened.check()
    assert report.sound and report.repaired == [], report


def test_a_rewind_record_points_at_the_removed_segments(tmp_path):
    """The undo record of a rewind holds where the removed events are, not copies; undo takes
    those very files back; the files no head or record names are gone afterwards."""
    store = DirectoryStore(tmp_path / "s", segment_events=N)
    session = Session.new("app", "u", "s")
    session.events = [ev(n) for n in range(40)]
    store.import_sessions([session])
    files_before = sorted(p.name for p in folder_of(store, "s").iterdir())
    store.rewind("s", "inv-5")  # keeps e0..e11: four whole segments
    history = store.history.path("s").read_bytes()
    assert b"reply 30" not in history and len(history) < 1500
    assert len(store.get("s").events) == 12
    with Written() as w:
        store.undo("s")
    assert w.bytes < 1500  # a head, an invocation list and a history: no event re-written
    assert [e.id for e in store.get("s").events] == [f"e{n}" for n in range(40)]
    assert sorted(p.name for p in folder_of(store, "s").iterdir() if p.name[0] == "0") == [
        n for n in files_before if n[0] == "0"]
    store.rewind("s", "inv-6", before=True)  # cuts a segment inside
    store.append("s", ev(99, "inv-new"))
    assert store.undo("s").restored_events == 28
    assert [e.id for e in store.get("s").events] == [f"e{n}" for n in range(40)] + ["e99"]
    store.delete("s")
    store.undo("s")
    assert len(store.get("s").events) == 41
    assert store.check().repaired == []


def test_a_torn_append_counts_for_nothing(tmp_path):
    store = DirectoryStore(tmp_path / "s", segment_events=N)
    store.create("app", "u", session_id="s")
    for n in range(4):
        store.append("s", ev(n))
    last = sorted(folder_of(store, "s").glob("0*.jsonl"))[-1]
    with open(last, "ab") as fh:
        fh.write(b'{"id": "half an eve')  # a writer killed mid-append
    fresh = DirectoryStore(tmp_path / "s", segment_events=N)
    assert [e.id for e in fresh.get("s").events] == ["e0", "e1", "e2", "e3"]
    fresh.append("s", ev(4))
    assert b"half" not in last.read_bytes()
    assert [e.id for e in fresh.get("s").events][-2:] == ["e3", "e4"]
    assert fresh.check().repaired == []


def test_a_reader_racing_a_writer_sees_one_whole_version(tmp_path, monkeypatch):
    """A reader takes no lock: when a writer replaces the head between the reader's look at it
    and its read of the events, the reader reads again (never half of each)."""
    store = DirectoryStore(tmp_path / "s", segment_events=N)
    store.create("app", "u", session_id="s")
    for n in range(8):
        store.append("s", ev(n))
    writer = DirectoryStore(tmp_path / "s", segment_events=N)
    real = Folder.events
    calls = []

    def racing(self, layout):
        if calls == ["writing"]:
            return real(self, layout)  # the writer's own reads
        calls.append("reading")
        if len(calls) == 1:  # between the head and the events: a rewind and an append
            calls[0] = "writing"
            writer.rewind("s", "inv-1")
            writer.append("s", ev(50, "inv-x"))
            calls[0] = "reading"
        return real(self, layout)

    monkeypatch.setattr(Folder, "events", racing)
    session = DirectoryStore(tmp_path / "s", segment_events=N, read_only=True).get("s")
    assert len(calls) == 2
    assert [e.id for e in session.events] == ["e0", "e1", "e2", "e3", "e50"]


# --------------------------------------------------------------------------------- the index
def test_a_change_appends_to_the_index_journal_only(tmp_path, monkeypatch):
    store = DirectoryStore(tmp_path / "s")
    for sid in ("a", "b", "c"):
        store.create("app", "u", session_id=sid)
    store = DirectoryStore(tmp_path / "s")  # opening compacts nothing this small
    index = (tmp_path / "s" / "index.json").read_bytes()
    log = tmp_path / "s" / "index.jsonl"
    lines = log.read_bytes().count(b"\n") if log.exists() else 0
    store.set_value("b", "/x", 1)
    assert (tmp_path / "s" / "index.json").read_bytes() == index
    assert log.read_bytes().count(b"\n") == lines + 1
    assert {s["id"]: s["event_count"] for s in DirectoryStore(tmp_path / "s").list()} == {
        "a": 0, "b": 1, "c": 0}
    monkeypatch.setattr(index_module, "COMPACT_FLOOR", 0)
    store.set_value("c", "/y", 2)  # the journal outgrew its allowance: written into index.json
    assert not log.exists()
    assert {s["id"]: s["event_count"] for s in DirectoryStore(tmp_path / "s").list()} == {
        "a": 0, "b": 1, "c": 1}


# ------------------------------------------------------------------------------- migration
def layout1_store(path, sessions: int = 4) -> dict[str, dict]:
    """A store folder as layout 1 wrote it: one whole TinyDB file per session, an undo
    history with the events a rewind removed copied into it; no index (it is rebuilt)."""
    (path / "sessions").mkdir(parents=True)
    expected = {}
    for k in range(sessions):
        session = Session.new("app", "u", f"s{k}")
        session.events = [ev(n) for n in range(3 * k + 2)]
        session.state = {"k": k}
        (path / "sessions" / file_name(session.id)).write_bytes(
            encode_session_file(session, 1000 + k))
        expected[session.id] = session.export()
    before = Session.from_json(expected["s1"])
    before.revision = "999"
    record = UndoRecord.between("rewind", before, before.events[:2])
    History(path / "history").save("s1", [record])
    return expected


def test_a_layout1_store_is_migrated_on_open(tmp_path):
    expected = layout1_store(tmp_path / "s")
    store = DirectoryStore(tmp_path / "s", segment_events=N)
    assert (tmp_path / "s" / "layout.json").is_file()
    for sid, value in expected.items():
        assert store.get(sid).export() == value
        assert b'"head"' in (tmp_path / "s" / "sessions" / file_name(sid)).read_bytes()
    assert store.get("s3").revision == "1003"  # the same version: a reader's revision holds
    # The layout-1 undo record (events copied into it) still undoes.
    assert store.undo("s1").restored_events == 3
    assert store.check().sound


def test_a_migration_killed_mid_way_leaves_every_session_readable(tmp_path):
    expected = layout1_store(tmp_path / "s", sessions=6)
    code = """
import os, signal, sys
from session_tui.store import DirectoryStore
real, seen = os.replace, []
def replace(*args, **kwargs):
    seen.append(1)
    if len(seen) == 3:  # two sessions migrated, the third's head not yet in place
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)
os.replace = replace
DirectoryStore(sys.argv[1], segment_events=3)
"""
    result = run_python(code, tmp_path / "s")
    assert result.returncode == -signal.SIGKILL, result.stderr
    heads = [sid for sid in expected
             if b'"head"' in (tmp_path / "s" / "sessions" / file_name(sid)).read_bytes()]
    assert len(heads) == 2 and not (tmp_path / "s" / "layout.json").exists()
    # Usable as it is (read-only: nothing migrated), every session whole.
    half = DirectoryStore(tmp_path / "s", read_only=True)
    assert {sid: half.get(sid).export() for sid in expected} == expected
    store = DirectoryStore(tmp_path / "s", segment_events=N)  # goes on
    assert {sid: store.get(sid).export() for sid in expected} == expected
    assert (tmp_path / "s" / "layout.json").is_file()
    report = store.check()
    assert report.sound, report
    # At most the temporary file of the head being written when it was killed.
    assert all(line.startswith("removed a leftover temporary file .") for line in report.repaired), report


def test_check_and_changes_know_a_layout1_file_in_a_layout2_store(tmp_path):
    store = DirectoryStore(tmp_path / "s", segment_events=N)
    session = Session.new("app", "u", "old")
    session.events = [ev(n) for n in range(5)]
    path = tmp_path / "s" / "sessions" / file_name("old")
    path.write_bytes(encode_session_file(session, 7))
    store = DirectoryStore(tmp_path / "s", segment_events=N)  # the marker says: no migration
    assert store.get("old").export() == session.export()
    report = store.check()
    assert report.sound and report.repaired == []
    store.append("old", ev(5))
    assert b'"head"' in path.read_bytes()
    assert [e.id for e in store.get("old").events] == [f"e{n}" for n in range(6)]


# ---------------------------------------------------------------------------- crashes
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("mode", ["nth", "random"])
def test_writers_killed_anywhere_with_two_events_a_segment(tmp_path, monkeypatch, mode):
    """The crash suite's trials (test_store_crash.py) with segments of two events, so that
    kills land in changes that seal, cut, drop and take back segments."""
    from test_store_crash import run_trials

    monkeypatch.setenv("SESSION_TUI_SEGMENT_EVENTS", "2")
    figures = run_trials("directory", mode, TRIALS, tmp_path, seed="segments")
    assert figures.trials == TRIALS and not figures.failures
