"""Adversarial review of issue 9 (ADK databases in place): what a hostile or unlucky user can
do to the undo sidecar, the opening of paths and URLs, and the rows of an ADK database."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adkkit import LAYOUTS, tables

from session_tui.opening import open_any
from session_tui.store import StoreError


def _history(path: Path) -> Path:
    return path.with_name(path.name + ".session-tui") / "history"


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*"))


# -- the sidecar folder: never followed out of the database's folder -------------------------

@pytest.mark.parametrize("where", ["sidecar", "history"])
def test_a_symlinked_sidecar_folder_is_never_written_through(adk_db, tmp_path, where):
    path = adk_db("sqlite")
    outside = tmp_path / "outside"
    outside.mkdir()
    sidecar = path.with_name(path.name + ".session-tui")
    if where == "sidecar":
        os.symlink(outside, sidecar)
    else:
        sidecar.mkdir()
        os.symlink(outside, sidecar / "history")
    before = tables(path)
    store = open_any(path)
    with pytest.raises(StoreError) as caught:
        store.set_value("s1", "/a", 99)
    assert "\n" not in str(caught.value) and "symbolic link" in str(caught.value)
    with pytest.raises(StoreError):
        store.undo("s1")
    store.close()
    assert _files_under(outside) == []
    assert tables(path) == before



# -- undo records: a damaged or crafted record is refused in one line, nothing changed -------

def _with_records(adk_db, layout):
    """A database with an edit and a rewind of s1 and a delete of s2 made by session-tui, and
    its history files as JSON (name -> value)."""
    path = adk_db(layout)
    store = open_any(path)
    store.set_value("s1", "/a", 99)
    store.rewind("s1", "inv-2", before=True)
    store.set_value("s2", "/z", False)
    store.delete("s2")
    store.close()
    return path, {p.name: json.loads(p.read_text()) for p in _history(path).iterdir()}


def _undo_refused(path: Path, session_id: str) -> None:
    before = tables(path)
    store = open_any(path)
    try:
        with pytest.raises(StoreError) as caught:
            store.undo(session_id)
    finally:
        store.close()
    assert "\n" not in str(caught.value)
    assert tables(path) == before


MUTATIONS = {
    "no session row": lambda r: r["before"].pop("session"),
    "a session row of text": lambda r: r["before"].__setitem__("session", "abc"),
    "a short session row": lambda r: r["before"].__setitem__("session", [1]),
    "a short app row": lambda r: r["before"].__setitem__("app", [1]),
    "a state that is not JSON": lambda r: r["before"]["session"].__setitem__(0, "{nope"),
    "a state that is not an object": lambda r: r["before"]["session"].__setitem__(0, "[1]"),
    "bytes that decode to nothing": lambda r: r["before"]["session"].__setitem__(
        0, {"$bytes": "!!"}),
    "an unknown kind": lambda r: r.__setitem__("kind", "zzz"),
    "event rows of the wrong shape": lambda r: r["before"].__setitem__("events", [[1, 2]]),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_a_damaged_undo_record_is_refused_in_one_line(adk_db, layout, mutation):
    path, files = _with_records(adk_db, layout)
    name = next(n for n, v in files.items() if v["id"] == "s1")
    value = files[name]
    MUTATIONS[mutation](value["records"][-1])
    (_history(path) / name).write_text(json.dumps(value))
    _undo_refused(path, "s1")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_record_of_another_session_is_refused(adk_db, layout):
    """s2's own (valid) edit record filed as s1's: undo of s1 must not change s2."""
    path = adk_db(layout)
    store = open_any(path)
    store.set_value("s1", "/a", 99)
    store.set_value("s2", "/z", "edited")
    store.close()
    files = {json.loads(p.read_text())["id"]: p for p in _history(path).iterdir()}
    s1, s2 = json.loads(files["s1"].read_text()), json.loads(files["s2"].read_text())
    s1["records"].append(s2["records"][-1])
    files["s1"].write_text(json.dumps(s1))
    _undo_refused(path, "s1")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_delete_record_cannot_bring_back_rows_of_another_session(adk_db, layout):
    """A delete record whose event rows name another session (the columns app_name, user_id,
    session_id are kept in the record) is refused, not written into that session."""
    path, files = _with_records(adk_db, layout)
    name = next(n for n, v in files.items() if v["id"] == "s2")
    value = files[name]
    record = value["records"][-1]
    assert record["kind"] == "delete"
    for row in record["before"]["events"]:
        row[3] = "s1"
    (_history(path) / name).write_text(json.dumps(value))
    _undo_refused(path, "s2")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_an_edit_record_cannot_remove_an_event_it_did_not_add(adk_db, layout):
    """The record's `added` names one of the agent's events instead of the edit's own: undo
    would delete the agent's event and keep the edit's. Refused."""
    import sqlite3

    path = adk_db(layout)
    store = open_any(path)
    store.set_value("s1", "/a", 99)
    store.close()
    with sqlite3.connect(path) as db:
        older = db.execute("SELECT id FROM events WHERE session_id = 's1' AND "
                           "invocation_id = 'inv-1'").fetchone()[0]
    file = next(_history(path).iterdir())
    value = json.loads(file.read_text())
    value["records"][-1]["added"] = [older]
    file.write_text(json.dumps(value))
    _undo_refused(path, "s1")


def _json_values():
    return st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                        lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                        max_leaves=6)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


@pytest.fixture(scope="module")
def _record_base(tmp_path_factory):
    import adkkit

    folder = tmp_path_factory.mktemp("records")
    path = adkkit.build("sqlite", folder / "base.db")
    store = open_any(path)
    store.set_value("s1", "/a", 99)
    store.rewind("s1", "inv-2", before=True)
    store.delete("s2")
    store.close()
    return path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_undo_of_any_altered_record_is_one_line_or_exact(_record_base, tmp_path, data):
    """Any one value of a record replaced by any JSON: undo either refuses in one line with
    nothing changed, or puts back rows of that session only (the others untouched)."""
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    path = work / "base.db"
    shutil.copy(_record_base, path)
    shutil.copytree(_history(_record_base), _history(path))
    session_id = data.draw(st.sampled_from(["s1", "s2"]))
    file = next(p for p in _history(path).iterdir() if json.loads(p.read_text())["id"] == session_id)
    value = json.loads(file.read_text())
    spot = data.draw(st.sampled_from([p for p in _paths(value["records"]) if p]))
    target = value["records"]
    for step in spot[:-1]:
        target = target[step]
    target[spot[-1]] = data.draw(_json_values())
    file.write_text(json.dumps(value))
    before = tables(path)
    store = open_any(path)
    try:
        store.undo(session_id)
    except StoreError as exc:
        assert "\n" not in str(exc)
        assert tables(path) == before
    finally:
        store.close()
    other = "s2" if session_id == "s1" else "s1"
    after = tables(path)
    for table in ("sessions", "events"):
        column = 2 if table == "sessions" else 3
        assert [r for r in after[table] if r[column] == other] == \
            [r for r in before[table] if r[column] == other]


# -- crash safety: an undo that stops between its record file and its commit ----------------

class _Crash(BaseException):
    """The process dies here (the open transaction is rolled back, as SQLite does on the
    next open after a crash)."""


class _DiesAtCommit:
    """The sqlite3 connection of a store, dying where the transaction would commit."""

    def __init__(self, real):
        self.real = real

    def execute(self, sql, *args):
        if sql == "COMMIT":
            raise _Crash
        return self.real.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", ["edit", "delete"])
def test_an_undo_that_dies_before_its_commit_keeps_the_change_undoable(adk_db, layout, kind):
    """Every file the undo writes is written, then it dies before the commit: the change is
    still there, so its record must be too (the undo is made again after a restart)."""
    path = adk_db(layout)
    original = tables(path)
    store = open_any(path)
    if kind == "edit":
        store.set_value("s1", "/a", 99)
    else:
        store.delete("s1")
    changed = tables(path)
    real = store.db._db
    store.db._db = _DiesAtCommit(real)
    with pytest.raises(_Crash):
        store.undo("s1")
    store.db._db = real
    store.close()
    assert tables(path) == changed  # the undo never committed
    store = open_any(path)
    assert store.undo("s1").undone == kind
    store.close()
    assert tables(path) == original


# -- live: a database another program holds locked -----------------------------------------

_HOLD_LOCK = r"""
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
db.execute("UPDATE sessions SET update_time = update_time + 1 WHERE id = 's2'")
print("locked", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
print("committed", flush=True)
"""


def test_poll_of_a_locked_database_is_no_news_not_an_error(adk_db):
    """The app polls every second: an agent holding the write lock (a long transaction) must
    not turn each poll into a 5 s wait and a "Not done: locked" notification. The change shows
    on the first poll after the commit."""
    import subprocess
    import sys

    path = adk_db("sqlite")
    store = open_any(path)
    store.list()
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(path)], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert store.poll() is False
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "committed"
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert store.poll() is True
    store.close()


# -- read-only places ------------------------------------------------------------------------

_LIST_IN_PLACE = r"""
import sys
from session_tui.opening import open_any
from session_tui.store import StoreError
try:
    store = open_any(sys.argv[1])
    print(len(store.list()), store.read_only, store.read_only_reason)
    store.set_value("s1", "/a", 5)
except StoreError as exc:
    print("refused", " ".join(str(exc).split()))
"""


@pytest.mark.parametrize("left_wal", [False, True])
def test_a_wal_database_in_a_read_only_folder_lists(adk_db, tmp_path, left_wal):
    """A WAL-mode database on a read-only mount or folder: SQLite cannot create its -shm
    file, so a plain read-only open fails. It lists, read-only with the reason; where a -wal
    file holds commits not yet in the database, reading without them would show stale
    sessions: refused in one line instead."""
    import sqlite3
    import subprocess
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
    from test_store_read_only import unprivileged

    prefix = unprivileged(tmp_path)
    folder = tmp_path / "ro"
    folder.mkdir()
    path = adk_db("sqlite", name="ro/session.db")
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    if left_wal:  # a writer that died: its commits are in the -wal file only
        db.execute("PRAGMA wal_autocheckpoint = 0")
        db.execute("UPDATE sessions SET update_time = update_time + 1")
        db.commit()
        shutil.copy(str(path) + "-wal", tmp_path / "kept-wal")
    db.close()
    if left_wal:
        shutil.copy(tmp_path / "kept-wal", str(path) + "-wal")
    before = sorted(p.name for p in folder.iterdir())
    folder.chmod(0o555)
    try:
        out = subprocess.run(prefix + [sys.executable, "-c", _LIST_IN_PLACE, str(path)],
                             capture_output=True, text=True, timeout=60,
                             env=dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2])))
    finally:
        folder.chmod(0o755)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    lines = out.stdout.splitlines()
    if left_wal:
        assert len(lines) == 1 and lines[0].startswith("refused") and "-wal" in lines[0], lines
    else:
        assert lines[0].startswith("3 True") and "read-only" in lines[0], lines
        assert lines[1].startswith("refused") and "read-only" in lines[1], lines
    assert sorted(p.name for p in folder.iterdir()) == before


# -- opening paths and URLs -------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "sqlite://ann:s3cr3t-pw@host/x.db",
    "sqlite+aiosqlite://ann:s3cr3t-pw@/x.db",
    "postgresql://ann:s3cr3t-pw@[::1/db",
    "postgresql+asyncpg://ann:s3cr3t-pw@[bad/db?sslmode=require",
    "mysql://ann:s3cr3t-pw@host/db",
    "mysql://ann:s3cr3t-pw@[::1/db",
])
def test_a_password_in_a_url_is_never_echoed(url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError) as caught:
        open_any(url)
    assert "s3cr3t" not in str(caught.value) and "\n" not in str(caught.value)


def test_a_sqlite_url_names_the_file_sqlalchemy_names(adk_db, tmp_path, monkeypatch):
    """`sqlite:///x.db#1` is the file `x.db#1` for SQLAlchemy (and so for ADK): no fragment
    is cut off (that would open, or fail on, another file)."""
    adk_db("sqlite", name="x.db#1")
    monkeypatch.chdir(tmp_path)
    store = open_any("sqlite:///x.db#1")
    assert len(store.list()) == 3
    store.close()


@pytest.mark.parametrize("parameter", ["nolock=1", "vfs=unix-none", "immutable=0&nolock=1"])
def test_a_sqlite_url_cannot_switch_off_locking(adk_db, tmp_path, monkeypatch, parameter):
    """SQLite URI parameters that switch off its locks would let an edit and a running agent
    write at once (a damaged database): refused in one line, never passed on."""
    path = adk_db("sqlite")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError) as caught:
        open_any(f"sqlite:///{path.name}?{parameter}")
    assert "\n" not in str(caught.value)


def test_a_folder_named_like_a_url_is_a_folder(adk_db, tmp_path, monkeypatch):
    agent = tmp_path / "sqlite:agent"
    (agent / ".adk").mkdir(parents=True)
    shutil.copy(adk_db("sqlite"), agent / ".adk" / "session.db")
    monkeypatch.chdir(tmp_path)
    store = open_any("sqlite:agent")
    assert len(store.list()) == 3
    store.close()


def test_an_agent_folder_whose_database_is_a_link_opens_what_adk_opens(adk_db, tmp_path):
    """Decided (opening.py): `.adk/session.db` linking out of the agent folder is followed, as
    google-adk follows it; the undo records stay beside the link, nothing is written beside
    the database it leads to."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "real.db"
    shutil.copy(adk_db("sqlite"), target)
    agent = tmp_path / "agent"
    (agent / ".adk").mkdir(parents=True)
    os.symlink(target, agent / ".adk" / "session.db")
    store = open_any(agent)
    assert len(store.list()) == 3
    store.set_value("s1", "/a", 7)
    assert store.undo("s1").undone == "edit"
    store.close()
    assert sorted(p.name for p in elsewhere.iterdir()) == ["real.db"]
    assert (agent / ".adk" / "session.db.session-tui" / "history").is_dir()


# -- the database file replaced by another (a copy moved over it, a backup put back) ----------

@pytest.mark.parametrize("new_layout", LAYOUTS)
def test_a_database_replaced_under_an_open_store_is_followed(adk_db, tmp_path, new_layout):
    """The kept connection holds the old file open: without following the path, the list
    stays the old file's forever and an edit fails ("read-only") or is lost with it."""
    import sqlite3

    path = adk_db("sqlite")
    other = adk_db(new_layout, name="other.db")
    with sqlite3.connect(other) as db:
        db.execute("DELETE FROM sessions WHERE id = 's2'")
    store = open_any(path)
    assert len(store.list()) == 3
    os.replace(other, path)
    assert store.poll() is True
    assert sorted(r["id"] for r in store.list()) == ["lonely", "s1"]
    store.set_value("s1", "/a", 1234)
    assert store.read_only is False
    store.close()
    import adkkit

    assert adkkit.adk_get(new_layout, path).state["a"] == 1234  # google-adk reads it back


# -- hostile rows ----------------------------------------------------------------------------

@pytest.mark.parametrize("layout", LAYOUTS)
def test_check_names_events_whose_session_row_is_missing(adk_db, layout):
    """Events left without their session (foreign keys off, a half-copied database): ADK
    never shows them; `check` says so, naming the session, the rest still listed."""
    import sqlite3

    path = adk_db(layout)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("INSERT INTO events (id, app_name, user_id, session_id, invocation_id, "
                   "timestamp, event_data) SELECT id || '-orphan', app_name, user_id, "
                   "'gone\x1b[2J', invocation_id, timestamp, event_data FROM events "
                   "WHERE session_id = 's1'")
    store = open_any(path)
    assert len(store.list()) == 3
    damaged = store.check().damaged
    store.close()
    lines = [line for line in damaged if "gone" in line]
    assert len(lines) == 1 and "5 events" in lines[0] and "\x1b" not in lines[0], damaged


@pytest.mark.parametrize("column", ["create_time", "update_time"])
def test_a_time_out_of_range_is_named_with_its_column(adk_db, column):
    import sqlite3

    path = adk_db("sqlite")
    with sqlite3.connect(path) as db:
        db.execute(f"UPDATE sessions SET {column} = 1e20 WHERE id = 's2'")
    store = open_any(path)
    assert sorted(r["id"] for r in store.list()) == ["lonely", "s1"]
    [problem] = store.problems
    store.close()
    assert "'s2'" in problem and column in problem and "out of range" in problem, problem


@pytest.mark.parametrize("how", ["replaced", "sidecar copied"])
def test_undo_records_of_another_database_are_refused(adk_db, tmp_path, how):
    """Records only ever apply to the rows they recorded: after the database was replaced by
    another with the same session ids (a fresh `adk web` run), or beside a database whose
    sidecar was copied from another, undo refuses in one line and changes nothing."""
    import adkkit

    path = adk_db("sqlite")
    store = open_any(path)
    store.set_value("s1", "/a", 1)
    store.close()
    another = adkkit.build("sqlite", tmp_path / "another.db")  # the same ids, other rows
    if how == "replaced":
        os.replace(another, path)
    else:
        shutil.copytree(_history(path).parent, another.with_name("another.db.session-tui"))
        path = another
    _undo_refused(path, "s1")


def test_a_database_replaced_by_something_else_is_news_once_then_followed_back(adk_db, tmp_path):
    """The app polls every second: a file that is no longer a database is one change (the
    reload names the problem), not an error each second; a database put back is followed
    (even where the new file got the old one's inode number)."""
    path = adk_db("sqlite")
    store = open_any(path)
    assert len(store.list()) == 3
    junk = tmp_path / "junk"
    junk.write_text("not a database " * 100)
    os.replace(junk, path)
    assert store.poll() is True
    with pytest.raises(StoreError) as caught:
        store.list()
    assert "\n" not in str(caught.value)
    assert store.poll() is False
    os.replace(adk_db("database", name="back.db"), path)
    assert store.poll() is True
    assert len(store.list()) == 3 and store.layout.name == "database-v1"
    store.close()


# -- session names: every name the list shows opens that session and no other ---------------

def _add_sessions(path: Path, keys) -> None:
    import sqlite3

    with sqlite3.connect(path) as db:
        for app_name, user_id, adk_id in keys:
            db.execute("INSERT OR IGNORE INTO sessions VALUES (?, ?, ?, '{}', 1.0e9, 1.0e9)",
                       (app_name, user_id, adk_id))


def _names_open_their_own_sessions(path: Path) -> None:
    store = open_any(path)
    try:
        rows = store.list()
        names = [r["id"] for r in rows]
        assert len(names) == len(set(names)), names
        for row in rows:
            session = store.get(row["id"])
            assert (session.app_name, session.user_id) == (row["app_name"], row["user_id"]), row
    finally:
        store.close()


def test_a_bare_id_that_reads_as_another_sessions_qualified_name(adk_db):
    """("y", "u9", "x/u1/s1") was listed as `x/u1/s1`, and so was ("x", "u1", "s1") (its id
    being in two apps): an edit of the second landed on the first."""
    path = adk_db("sqlite")
    _add_sessions(path, [("y", "u9", "x/u1/s1"), ("x", "u1", "s1"), ("z", "u1", "s1")])
    _names_open_their_own_sessions(path)


# Parts that make names collide when joined with slashes ("a/b" + "c" vs "a" + "b/c").
_APPS = st.sampled_from(["a", "a/b", "a%2Fb"])
_USERS = st.sampled_from(["b/c", "c"])
_IDS = st.sampled_from(["s", "c/s", "a/b/c/s", "s1"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keys=st.lists(st.tuples(_APPS, _USERS, _IDS), min_size=1, max_size=6))
def test_every_listed_name_opens_its_own_session(adk_db, keys):
    """Names with slashes in app, user and id (ADK allows them): the list's names are unique
    and each one opens the session of its row."""
    path = adk_db("sqlite", name=f"names-{abs(hash(tuple(keys)))}.db")
    _add_sessions(path, keys)
    _names_open_their_own_sessions(path)
