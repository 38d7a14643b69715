"""Broken stores (issue 7, suite item 5): a store folder damaged, or crafted by someone else.

Each kind of damage is planted in a store of three sessions (s0, s1, s2, each edited once so
each has an undo history), next to files planted OUTSIDE the store (in tmp_path beside it).
Then the store is opened, listed, read, edited and checked, and every time: a precise one-line
message names the damage, the rest of the store opens and can be edited, `check` repairs what it
can and moves the rest into quarantine/, and nothing outside the store changed (the bytes and
existence of every planted outside file and link are compared).

Every API walk is bounded by an alarm, so a regression that blocks (a FIFO opened for reading)
fails instead of hanging the suite; the CLI runs are bounded by their subprocess timeout.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from session_tui.model import Session
from session_tui.store import CorruptFile, DirectoryStore, StoreError, open_store
from session_tui.store.directory import encode_session_file
from session_tui.store.naming import file_name

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from clikit import CLI, one_line_error  # noqa: E402

IDS = ("s0", "s1", "s2")
S1 = file_name("s1")


@contextlib.contextmanager
def bounded(seconds: float = 20):
    """Fail (TimeoutError) instead of hanging when a call blocks: SIGALRM interrupts a blocking
    open() of a FIFO."""

    def expire(signum, frame):
        raise TimeoutError(f"blocked for {seconds}s (a FIFO opened for reading?)")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def outside_state(top: Path, skip: Path) -> dict[str, str]:
    """Every entry under `top` except the store `skip`: a file's sha256, a link's target, a
    folder's mark, a FIFO's mark. Links are never followed."""
    out = {}
    for dirpath, dirnames, files in os.walk(top):
        dirnames[:] = [d for d in dirnames if Path(dirpath, d) != skip]
        for name in dirnames + files:
            path = Path(dirpath, name)
            rel = str(path.relative_to(top))
            if path.is_symlink():
                out[rel] = "link:" + os.readlink(path)
            elif path.is_dir():
                out[rel] = "folder"
            elif path.is_file():
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                out[rel] = "special"
    return out


class Scene:
    """A store of three sessions in tmp_path/store, and bait outside it in tmp_path/outside."""

    template: dict[Path, Path] = {}

    def __init__(self, tmp_path: Path):
        self.top = tmp_path
        self.root = tmp_path / "store"
        self.outside = tmp_path / "outside"
        self.outside.mkdir()
        (self.outside / "victim.txt").write_bytes(b"precious bytes\n")
        (self.outside / "dir" / "sub").mkdir(parents=True)
        (self.outside / "dir" / "inner.txt").write_bytes(b"inner\n")
        (self.outside / "dir" / "sub" / "deep.txt").write_bytes(b"deep\n")
        shutil.copytree(self._template(tmp_path.parent), self.root, symlinks=True)
        opened = DirectoryStore(self.root, create=False)  # the index's signatures fit the copies
        (self.root / ".lock").unlink(missing_ok=True)
        # A valid file of session s1 outside (self-contained, as layout 1 kept one: a TinyDB
        # file that can be imported): a link to it must still not be read.
        (self.outside / "s1-outside.json").write_bytes(encode_session_file(opened.get("s1"), 1))
        self.before = self.state()

    @classmethod
    def _template(cls, base: Path) -> Path:
        """Built once per test process: three sessions, one edit each (so each has a history)."""
        key = base
        if key not in cls.template:
            root = base / "broken-store-template"
            if not root.exists():
                store = DirectoryStore(root, create=True)
                for n, session_id in enumerate(IDS):
                    store.create("app", "ada", state={"n": n}, session_id=session_id)
                    store.set_value(session_id, "/edited", n)
                (root / ".lock").unlink(missing_ok=True)
            cls.template[key] = root
        return cls.template[key]

    def state(self) -> dict[str, str]:
        return outside_state(self.top, self.root)

    def assert_outside_untouched(self) -> None:
        assert self.state() == self.before

    def open(self) -> DirectoryStore:
        return DirectoryStore(self.root, create=False)

    def session_file(self, session_id: str = "s1") -> Path:
        return self.root / "sessions" / file_name(session_id)

    def history_file(self, session_id: str = "s1") -> Path:
        return self.root / "history" / file_name(session_id)

    def quarantined(self) -> list[str]:
        """What check moved aside, but the events folder a quarantined head takes along
        (layout 2): one thing with it."""
        q = self.root / "quarantine"
        return sorted(p.name for p in q.iterdir() if not _events_of_a_head(p)) \
            if q.is_dir() and not q.is_symlink() else []


def _events_of_a_head(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and "-events-" in path.name


def replace_with_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "inside.txt").write_bytes(b"x")


def replace_with_fifo(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


def replace_with_link(path: Path, target: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    path.symlink_to(target)


# ------------------------------------------------------------------------------ the kinds


@dataclass
class Damage:
    """One kind of broken store: how to plant it, and what must follow."""

    plant: Callable[[Scene], None]
    on_open: str | None  # a fragment of the problem line on open (None: nothing to report)
    listed: tuple[str, ...] = ("s0", "s2")  # listed and readable on open
    editable: tuple[str, ...] = ("s0", "s2")  # can be changed before check
    on_check: str = ""  # a fragment of check's report
    after_check: tuple[str, ...] = ("s0", "s2")  # listed after check
    quarantined: int = 1  # things check moved aside
    repairable: bool = True


def _lying_index(scene: Scene) -> None:
    index = scene.root / "index.json"
    value = orjson.loads(index.read_bytes())
    for doc in value["sessions"].values():
        if doc.get("id") == "s1":
            doc["id"] = "ghost"  # names a session its file does not hold
        elif doc.get("id") == "s2":
            doc["event_count"] = "many"
    value["sessions"]["99"] = {"file": "../outside/victim.txt", "id": "evil", "sig": [1, 2, 3]}
    index.write_bytes(orjson.dumps(value))


def _leftover_temps(scene: Scene) -> None:
    for folder in (scene.root, scene.root / "sessions", scene.root / "history"):
        (folder / f".{S1}.tmp-1234-abcd").write_bytes(b'{"half": ')
    (scene.root / "sessions" / f".{file_name('s9')}.tmp-1-ffff").symlink_to(scene.outside / "victim.txt")


def _history_of_another(scene: Scene) -> None:
    shutil.copy(scene.history_file("s0"), scene.history_file("s1"))


def _sessions_link_out(scene: Scene) -> None:
    shutil.copytree(scene.root / "sessions", scene.outside / "sessions-copy")
    scene.before = scene.state()
    replace_with_link(scene.root / "sessions", scene.outside / "sessions-copy")


def _history_link_out(scene: Scene) -> None:
    replace_with_link(scene.root / "history", scene.outside / "dir")


def _staging_link_out(scene: Scene) -> None:
    replace_with_link(scene.root / "staging", scene.outside / "dir")


def _staging_entry_link_out(scene: Scene) -> None:
    (scene.root / "staging").mkdir()
    (scene.root / "staging" / "123-456").symlink_to(scene.outside / "dir")


def _staging_stray_file(scene: Scene) -> None:
    (scene.root / "staging").mkdir()
    (scene.root / "staging" / "stray").write_bytes(b"left over")


def _journal_link_out(scene: Scene) -> None:
    evil = scene.outside / "evil-journal.json"
    evil.write_bytes(orjson.dumps({"txn": "t", "moves": [],
                                   "deletes": [str(scene.outside / "victim.txt")]}))
    scene.before = scene.state()
    (scene.root / "journal.json").symlink_to(evil)


def _journal_folder(scene: Scene) -> None:
    (scene.root / "journal.json").mkdir()


DAMAGES: dict[str, Damage] = {
    # -- a session file's bytes
    "truncated JSON": Damage(
        lambda s: s.session_file().write_bytes(s.session_file().read_bytes()[:40]),
        "not valid JSON"),
    "NUL bytes": Damage(
        lambda s: s.session_file().write_bytes(b"\x00" * 8 + s.session_file().read_bytes()),
        "not valid JSON"),
    "JSON that is not TinyDB": Damage(
        lambda s: s.session_file().write_bytes(b"[1, 2, 3]"), "not a session-tui session file"),
    "TinyDB that holds no session": Damage(
        lambda s: s.session_file().write_bytes(b'{"_default": {"1": {"a": 1}}}'),
        "not a session-tui session file"),
    "id disagrees with its file name": Damage(
        lambda s: shutil.copy(s.session_file("s0"), s.session_file("s1")), "holds session 's0'"),
    # -- something else where a session file should be
    "folder as a session file": Damage(
        lambda s: replace_with_folder(s.session_file()), "a folder, not a regular file"),
    "dangling symlink as a session file": Damage(
        lambda s: replace_with_link(s.session_file(), s.outside / "nothing-here"),
        "a symbolic link, not a regular file"),
    "symlink out of the store as a session file": Damage(
        lambda s: replace_with_link(s.session_file(), s.outside / "s1-outside.json"),
        "a symbolic link, not a regular file"),
    "FIFO as a session file": Damage(
        lambda s: replace_with_fifo(s.session_file()), "a FIFO, not a regular file"),
    # -- the index
    "missing index": Damage(
        lambda s: (s.root / "index.json").unlink(), None, listed=IDS, editable=IDS,
        after_check=IDS, quarantined=0),
    "lying index": Damage(
        _lying_index, None, listed=IDS, editable=IDS, after_check=IDS, quarantined=0),
    "folder as index.json": Damage(
        lambda s: replace_with_folder(s.root / "index.json"), "index.json: a folder",
        listed=IDS, editable=IDS, after_check=IDS),
    "FIFO as index.json": Damage(
        lambda s: replace_with_fifo(s.root / "index.json"), "index.json: a FIFO",
        listed=IDS, editable=IDS, after_check=IDS),
    "symlink out of the store as index.json": Damage(
        lambda s: replace_with_link(s.root / "index.json", s.outside / "victim.txt"),
        "index.json: a symbolic link", listed=IDS, editable=IDS, after_check=IDS),
    # -- leftovers
    "leftover temporary files": Damage(
        _leftover_temps, None, listed=IDS, editable=IDS, after_check=IDS, quarantined=0,
        on_check="removed a leftover temporary file"),
    # -- undo histories
    "history file of another session": Damage(
        _history_of_another, None, listed=IDS, on_check="holds the undo history of session 's0'",
        after_check=IDS),
    "FIFO as a history file": Damage(
        lambda s: replace_with_fifo(s.history_file()), None, listed=IDS, on_check="a FIFO",
        after_check=IDS),
    "symlink out of the store as a history file": Damage(
        lambda s: replace_with_link(s.history_file(), s.outside / "victim.txt"), None,
        listed=IDS, on_check="a symbolic link", after_check=IDS),
    "folder as a history file": Damage(
        lambda s: replace_with_folder(s.history_file()), None, listed=IDS,
        on_check="a folder", after_check=IDS),
    # -- store folders that lead out of the store
    "sessions/ a symlink out of the store": Damage(
        _sessions_link_out, "sessions: a symbolic link, not a folder", listed=(), editable=(),
        after_check=()),
    "history/ a symlink out of the store": Damage(
        _history_link_out, "history: a symbolic link, not a folder", listed=IDS, editable=(),
        after_check=IDS),
    "staging/ a symlink out of the store": Damage(
        _staging_link_out, "staging: a symbolic link, not a folder", listed=IDS, editable=IDS,
        after_check=IDS),
    "staging entry a symlink out of the store": Damage(
        _staging_entry_link_out, None, listed=IDS, editable=IDS, after_check=IDS,
        quarantined=0),
    "stray file in staging/": Damage(
        _staging_stray_file, None, listed=IDS, editable=IDS, after_check=IDS, quarantined=0),
    "quarantine/ a symlink out of the store": Damage(
        lambda s: (replace_with_link(s.root / "quarantine", s.outside / "dir"),
                   s.session_file().write_bytes(b"{cut")),
        "not valid JSON", on_check="quarantine: a symbolic link", quarantined=0,
        after_check=("s0", "s2"), repairable=False),
    # -- the journal as a thing
    "unreadable journal": Damage(
        lambda s: (s.root / "journal.json").write_bytes(b'{"txn": '), "journal.json",
        listed=IDS, editable=IDS, after_check=IDS),
    "FIFO as journal.json": Damage(
        lambda s: replace_with_fifo(s.root / "journal.json"), "journal.json: a FIFO",
        listed=IDS, editable=IDS, after_check=IDS),
    "folder as journal.json": Damage(
        _journal_folder, "journal.json: a folder", listed=IDS, editable=IDS, after_check=IDS),
    "symlink out of the store as journal.json": Damage(
        _journal_link_out, "journal.json: a symbolic link", listed=IDS, editable=IDS,
        after_check=IDS),
}


def walk_api(scene: Scene, damage: Damage) -> None:
    """Open, list, read, edit, check, edit again: the rules every kind must keep."""
    with bounded():
        store = scene.open()
        problems = store.problems
        assert all("\n" not in line for line in problems), problems
        if damage.on_open:
            assert any(damage.on_open in line for line in problems), problems
        assert sorted(store.ids()) == sorted(damage.listed)
        for session_id in damage.listed:
            assert store.get(session_id).state["edited"] == IDS.index(session_id)
        for session_id in IDS:
            if session_id in damage.editable:
                store.set_value(session_id, "/touched", 1)
                assert scene.open().get(session_id).state["touched"] == 1
            else:
                with pytest.raises(StoreError) as err:
                    store.set_value(session_id, "/touched", 1)
                assert "\n" not in str(err.value)
        scene.assert_outside_untouched()

        report = store.check()
        lines = report.repaired + report.damaged
        assert all("\n" not in line for line in lines), lines
        if damage.on_check:
            assert any(damage.on_check in line for line in lines), lines
        assert len(scene.quarantined()) == damage.quarantined, scene.quarantined()
        scene.assert_outside_untouched()
        fresh = scene.open()
        assert sorted(fresh.ids()) == sorted(damage.after_check)
        if damage.repairable:
            assert report.sound, report
            assert fresh.problems == []
            second = fresh.check()
            assert second.sound and second.repaired == [], second
        else:
            assert not report.sound and fresh.problems
        for session_id in damage.after_check:
            fresh.set_value(session_id, "/after_check", 2)
            assert fresh.get(session_id).state["after_check"] == 2
        fresh.import_sessions([Session.new("app", "u", "new1"), Session.new("app", "u", "new2")])
        assert {"new1", "new2"} <= set(scene.open().ids())
    scene.assert_outside_untouched()


@pytest.mark.parametrize("kind", list(DAMAGES))
def test_a_broken_store_opens_is_repaired_and_touches_nothing_outside(tmp_path, kind):
    scene = Scene(tmp_path)
    damage = DAMAGES[kind]
    damage.plant(scene)
    walk_api(scene, damage)


# ------------------------------------------------------------------------- crafted journals

# Placeholders: {out} the outside folder (absolute); {S} a valid session file name.
CRAFTED_JOURNALS = {
    "absolute txn and delete (the issue's example)":
        {"txn": "{out}/dir", "moves": [], "deletes": ["{out}/victim.txt"]},
    "delete with ..": {"txn": "t", "moves": [], "deletes": ["../outside/victim.txt"]},
    "delete with .. inside sessions/": {"txn": "t", "moves": [],
                                        "deletes": ["sessions/../../outside/victim.txt"]},
    "delete of a folder": {"txn": "t", "moves": [], "deletes": ["sessions"]},
    "delete outside sessions/": {"txn": "t", "moves": [], "deletes": ["history/{S}"]},
    "delete with a NUL": {"txn": "t", "moves": [], "deletes": ["sessions/{S}\u0000"]},
    "txn with ..": {"txn": "../outside/dir", "moves": [], "deletes": []},
    "txn that is absolute": {"txn": "{out}/dir/sub", "moves": [], "deletes": []},
    "move to an absolute path": {"txn": "t", "moves": [["staging/t/s0.json", "{out}/planted.json"]],
                                 "deletes": []},
    "move to .. ": {"txn": "t", "moves": [["staging/t/s0.json", "../outside/planted.json"]],
                    "deletes": []},
    "move to a name session-tui never gives": {
        "txn": "t", "moves": [["staging/t/s0.json", "sessions/planted.json"]], "deletes": []},
    "move over index.json": {"txn": "t", "moves": [["staging/t/s0.json", "index.json"]],
                             "deletes": []},
    "move from outside": {"txn": "t", "moves": [["{out}/victim.txt", "sessions/{S}"]],
                          "deletes": []},
    "move from another txn": {"txn": "t", "moves": [["staging/u/s0.json", "sessions/{S}"]],
                              "deletes": []},
    "move from a symlinked staging folder": {
        "txn": "lnk", "moves": [["staging/lnk/s1-outside.json", "sessions/{S}"]], "deletes": []},
    "move into a symlinked history folder": {
        "txn": "t", "moves": [["staging/t/s0.json", "history/{S}"]], "deletes": [],
        "_history_link": True},
    "moves not a list": {"txn": "t", "moves": "staging/t/s0.json", "deletes": []},
    "move not a pair": {"txn": "t", "moves": [["staging/t/s0.json"]], "deletes": []},
    "txn not a string": {"txn": 5, "moves": [], "deletes": []},
    "not an object": ["{out}/victim.txt"],
}


def plant_journal(scene: Scene, journal) -> bytes:
    """Write a crafted journal (and the staging it may name) into the store; its bytes."""
    text = orjson.dumps(journal).decode()
    text = text.replace("{out}", str(scene.outside)).replace("{S}", S1)
    value = orjson.loads(text)
    staged = scene.root / "staging" / "t"
    staged.mkdir(parents=True)
    shutil.copy(scene.session_file("s0"), staged / "s0.json")
    (scene.root / "staging" / "lnk").symlink_to(scene.outside)
    if isinstance(value, dict) and value.pop("_history_link", False):
        shutil.rmtree(scene.root / "history")
        (scene.root / "history").symlink_to(scene.outside / "dir")
    data = orjson.dumps(value)
    (scene.root / "journal.json").write_bytes(data)
    return data


def assert_journal_left_alone(scene: Scene, data: bytes) -> None:
    store = scene.open()
    lines = [line for line in store.problems if "journal.json" in line]
    assert len(lines) == 1 and "not applied" in lines[0] and "\n" not in lines[0], store.problems
    assert (scene.root / "journal.json").read_bytes() == data
    assert (scene.root / "staging" / "t" / "s0.json").exists()  # what it names: left too
    assert sorted(store.ids()) == sorted(IDS)
    history_ok = not (scene.root / "history").is_symlink()
    if history_ok:
        store.set_value("s0", "/touched", 1)  # a one-file change needs no journal
        assert scene.open().get("s0").state["touched"] == 1
    # One that needs the journal is refused (or needs the history folder, when that is a link).
    with pytest.raises(CorruptFile, match="journal.json" if history_ok else "history: a symbolic"):
        store.import_sessions([Session.new("a", "u", "n1"), Session.new("a", "u", "n2")])
    assert (scene.root / "journal.json").read_bytes() == data
    scene.assert_outside_untouched()

    report = store.check()
    assert report.sound, report
    assert any("journal.json" in line and "quarantine/" in line for line in report.repaired)
    assert not (scene.root / "journal.json").exists()
    assert data in [p.read_bytes() for p in (scene.root / "quarantine").iterdir() if p.is_file()]
    fresh = scene.open()
    assert fresh.problems == [] and sorted(fresh.ids()) == sorted(IDS)
    fresh.import_sessions([Session.new("a", "u", "n1"), Session.new("a", "u", "n2")])
    assert {"n1", "n2"} <= set(scene.open().ids())
    scene.assert_outside_untouched()


@pytest.mark.parametrize("kind", list(CRAFTED_JOURNALS))
def test_a_crafted_journal_is_never_applied(tmp_path, kind):
    scene = Scene(tmp_path)
    (scene.outside / "dir" / "s1-outside.json").write_bytes(b"{}")
    scene.before = scene.state()
    data = plant_journal(scene, CRAFTED_JOURNALS[kind])
    with bounded():
        assert_journal_left_alone(scene, data)


PATH_PARTS = st.sampled_from(["..", ".", "", "staging", "sessions", "history", "quarantine",
                              "t", "lnk", "s0.json", S1, "index.json", "journal.json",
                              "outside", "victim.txt", "dir", "\x00", "~", "C:", "\\.."])


@st.composite
def store_paths(draw):
    parts = draw(st.lists(PATH_PARTS, min_size=1, max_size=5))
    text = "/".join(parts)
    return ("{out}/" + text) if draw(st.booleans()) and draw(st.booleans()) else text


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(txn=st.one_of(store_paths(), st.just("t")),
       moves=st.lists(st.tuples(store_paths(), store_paths()).map(list), max_size=3),
       deletes=st.lists(store_paths(), max_size=3))
def test_random_journals_never_reach_outside_the_store(tmp_path_factory, txn, moves, deletes):
    """Whatever a journal names: opening, editing and checking the store leave everything
    outside it as it was; the journal is applied only when every path in it is one of ours."""
    scene = Scene(tmp_path_factory.mktemp("journal"))
    data = plant_journal(scene, {"txn": txn, "moves": moves, "deletes": deletes})
    with bounded():
        store = scene.open()
        applied = not (scene.root / "journal.json").exists()
        if not applied:
            assert (scene.root / "journal.json").read_bytes() == data
            assert any("journal.json" in line for line in store.problems)
        scene.assert_outside_untouched()
        assert set(store.ids()) <= set(IDS)
        report = store.check()
        assert report.sound, report
        scene.assert_outside_untouched()
        scene.open().import_sessions([Session.new("a", "u", "n1"), Session.new("a", "u", "n2")])
    scene.assert_outside_untouched()


# --------------------------------------------------------------------- odd but our own files


def test_a_valid_journal_is_still_completed(tmp_path):
    """The checks refuse only what is not ours: a real interrupted change still completes."""
    scene = Scene(tmp_path)
    older = scene.open().get("s1")
    scene.open().set_value("s1", "/later", True)
    staged = scene.root / "staging" / "123-456"
    staged.mkdir(parents=True)
    (staged / "s0.json").write_bytes(encode_session_file(older, 1))
    (scene.root / "journal.json").write_bytes(orjson.dumps({
        "txn": "123-456", "moves": [["staging/123-456/s0.json", f"sessions/{S1}"]],
        "deletes": [f"sessions/{file_name('s2')}"]}))
    store = scene.open()
    assert store.problems == []
    assert not (scene.root / "journal.json").exists() and not staged.exists()
    assert sorted(store.ids()) == ["s0", "s1"] and "later" not in store.get("s1").state
    scene.assert_outside_untouched()


def test_quarantine_never_overwrites_within_the_same_second(tmp_path, monkeypatch):
    from session_tui.store import directory

    monkeypatch.setattr(directory.time, "strftime", lambda fmt, *a: "20260101T000000")
    scene = Scene(tmp_path)
    contents = []
    for n in range(3):
        data = b"{broken %d" % n
        contents.append(data)
        scene.session_file().write_bytes(data)
        assert scene.open().check().sound
    q = scene.root / "quarantine"
    assert sorted(p.read_bytes() for p in q.iterdir() if not _events_of_a_head(p)) == sorted(contents)


def test_a_symlinked_lock_file_is_never_opened(tmp_path):
    scene = Scene(tmp_path)
    (scene.root / ".lock").symlink_to(scene.outside / "victim.txt")
    with pytest.raises(StoreError, match=r"\.lock: a symbolic link") as err:
        scene.open()
    assert "\n" not in str(err.value)
    scene.assert_outside_untouched()


# ------------------------------------------------------------------ a plain TinyDB file's side


TINY_SIDES = {
    "side folder a symlink out": lambda side, out: side.symlink_to(out / "dir"),
    "side folder a regular file": lambda side, out: side.write_bytes(b"not a folder"),
    "side history a symlink out": lambda side, out: (side.mkdir(), (side / "history").symlink_to(out / "dir")),
    "side lock a symlink out": lambda side, out: (side.mkdir(), (side / "lock").symlink_to(out / "victim.txt")),
}


@pytest.mark.parametrize("kind", list(TINY_SIDES))
def test_a_tinydb_files_side_folder_is_never_followed(tmp_path, kind):
    out = tmp_path / "outside"
    (out / "dir").mkdir(parents=True)
    (out / "victim.txt").write_bytes(b"precious\n")
    path = tmp_path / "sessions.json"
    session = Session.new("app", "u", "only")
    path.write_bytes(orjson.dumps({"_default": {"1": session.export()}}))
    side = tmp_path / "sessions.json.session-tui"
    TINY_SIDES[kind](side, out)
    before = outside_state(out, tmp_path / "none")
    file_bytes = path.read_bytes()

    with bounded():
        store = open_store(path)
        assert store.ids() == ["only"]  # reading needs no side folder
        assert len(store.problems) == 1 and "session-tui" in store.problems[0], store.problems
        with pytest.raises(StoreError, match="never follows it") as err:
            store.set_value("only", "/x", 1)
        assert "\n" not in str(err.value)
        report = store.check()
        assert not report.sound and "never follows it" in report.damaged[0]
    assert path.read_bytes() == file_bytes
    assert outside_state(out, tmp_path / "none") == before


# --------------------------------------------------------------------------------- the CLI


CLI_KINDS = ["FIFO as a session file", "symlink out of the store as a session file",
             "dangling symlink as a session file", "FIFO as journal.json",
             "staging/ a symlink out of the store"]


@pytest.mark.parametrize("kind", CLI_KINDS)
def test_the_cli_on_a_broken_store(tmp_path, kind):
    """`list`, `show` and `check` through `python -m session_tui`, each bounded by its
    subprocess timeout: a one-line warning, the rest listed, check repairs, nothing outside."""
    scene = Scene(tmp_path)
    damage = DAMAGES[kind]
    damage.plant(scene)
    cli = CLI(tmp_path)
    listed = cli("--store", scene.root, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert sorted(r["id"] for r in orjson.loads(listed.stdout)) == sorted(damage.listed)
    if damage.on_open:
        err = listed.stderr.decode()
        assert err.count("\n") == 1 and damage.on_open in err, err
    shown = cli("--store", scene.root, "show", "s0", "--json")
    assert shown.returncode == 0 and orjson.loads(shown.stdout)["id"] == "s0"
    if "s1" not in damage.listed:  # the damaged one: exit 2, one line naming its file
        one_line_error(cli("--store", scene.root, "show", "s1"), 2, S1, damage.on_open)
    checked = cli("--store", scene.root, "check")
    assert checked.returncode == 0, checked.stderr
    assert "store is sound" in checked.stderr.decode()
    again = cli("--store", scene.root, "list")
    assert again.returncode == 0 and again.stderr == b""
    scene.assert_outside_untouched()


def test_the_cli_on_the_issues_journal(tmp_path):
    """The issue's attack: `session-tui --store S list` on a store whose journal names a file
    and a folder outside it."""
    scene = Scene(tmp_path)
    data = plant_journal(scene, CRAFTED_JOURNALS["absolute txn and delete (the issue's example)"])
    cli = CLI(tmp_path)
    listed = cli("--store", scene.root, "list")
    assert listed.returncode == 0
    err = listed.stderr.decode()
    assert err.count("\n") == 1 and "journal.json: txn" in err and "not applied" in err, err
    assert (scene.root / "journal.json").read_bytes() == data
    scene.assert_outside_untouched()
    imported = cli("--store", scene.root, "import", scene.outside / "s1-outside.json",
                   "--on-conflict", "keep-both")
    assert imported.returncode == 0  # one new session: no journal needed
    checked = cli("--store", scene.root, "check")
    assert checked.returncode == 0 and "quarantine/" in checked.stderr.decode()
    assert cli("--store", scene.root, "list").stderr == b""
    scene.assert_outside_untouched()


def test_a_journal_planted_while_the_store_is_open_is_never_applied_nor_overwritten(tmp_path):
    scene = Scene(tmp_path)
    store = scene.open()
    data = plant_journal(scene, CRAFTED_JOURNALS["delete with .."])
    store.set_value("s0", "/touched", 1)  # one file: allowed, and the journal is noted
    assert any("journal.json" in line for line in store.problems)
    with pytest.raises(CorruptFile, match="journal.json"):
        store.import_sessions([Session.new("a", "u", "n1"), Session.new("a", "u", "n2")])
    assert (scene.root / "journal.json").read_bytes() == data
    scene.assert_outside_untouched()


def test_a_crashed_writers_journal_is_completed_before_a_long_lived_store_writes(tmp_path, monkeypatch):
    scene = Scene(tmp_path)
    long_lived = scene.open()
    crashing = scene.open()

    class Crash(BaseException):
        pass

    def crash(self, journal):
        raise Crash()

    with monkeypatch.context() as patch:
        patch.setattr(DirectoryStore, "_apply_journal", crash)
        with pytest.raises(Crash):
            crashing.import_sessions([Session.new("a", "u", "n1"), Session.new("a", "u", "n2")],
                                     on_conflict="replace")
    assert (scene.root / "journal.json").exists()
    long_lived.set_value("s0", "/touched", 1)
    assert not (scene.root / "journal.json").exists()
    assert {"n1", "n2"} <= set(long_lived.ids()) and long_lived.problems == []
    assert scene.open().get("s0").state["touched"] == 1


def test_a_bad_journal_moved_aside_by_another_check_no_longer_blocks(tmp_path):
    scene = Scene(tmp_path)
    plant_journal(scene, CRAFTED_JOURNALS["delete with .."])
    long_lived = scene.open()
    assert any("journal.json" in line for line in long_lived.problems)
    assert scene.open().check().sound  # another process's check
    long_lived.import_sessions([Session.new("a", "u", "n1"), Session.new("a", "u", "n2")])
    assert {"n1", "n2"} <= set(scene.open().ids())
    scene.assert_outside_untouched()
