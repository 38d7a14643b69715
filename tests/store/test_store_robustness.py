"""Damage and odd input: a missing or stale index, a broken session file, check() and quarantine,
hostile session ids (SPEC sections 3 and 7)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson
import pytest

from session_tui.model import Session
from session_tui.store import CorruptFile, DirectoryStore, NotAStore, NotFound, StoreError, open_store
from session_tui.store.naming import file_name
from storekit import add_event, export_bytes, tree_hashes


def make_store(tmp_path: Path, n: int = 3) -> DirectoryStore:
    store = DirectoryStore(tmp_path / "store", create=True)
    for i in range(n):
        store.create("app", f"user{i}", state={"i": i}, session_id=f"s{i}")
        add_event(store, f"s{i}", "inv", {"e": i})
    return store


def summaries(store) -> dict[str, dict]:
    keys = ("id", "app_name", "user_id", "created_at", "updated_at", "event_count", "invocation_count")
    return {r["id"]: {k: r[k] for k in keys} for r in store.list()}


def session_file(store: DirectoryStore, session_id: str) -> Path:
    return store.path / "sessions" / file_name(session_id)


# ------------------------------------------------------------------------------------ index


def test_missing_index_is_rebuilt_on_open(tmp_path):
    store = make_store(tmp_path)
    expected = summaries(store)
    (store.path / "index.json").unlink()
    fresh = DirectoryStore(store.path, create=False)
    assert summaries(fresh) == expected
    assert (store.path / "index.json").exists()
    assert summaries(DirectoryStore(store.path, create=False)) == expected
    assert open_store(store.path).problems == []


def test_broken_index_is_rebuilt_on_open(tmp_path):
    store = make_store(tmp_path)
    expected = summaries(store)
    (store.path / "index.json").write_bytes(b"{not json")
    assert summaries(DirectoryStore(store.path, create=False)) == expected
    orjson.loads((store.path / "index.json").read_bytes())  # valid again


def test_stale_index_notices_a_replaced_file(tmp_path):
    store = make_store(tmp_path)
    path = session_file(store, "s1")
    older = path.read_bytes()
    store.set_value("s1", "/x", 1)
    store.set_value("s1", "/y", 2)
    assert summaries(store)["s1"]["event_count"] == 3
    # Behind the store's back, put the older (valid) version back in place.
    tmp = path.with_name("elsewhere")
    tmp.write_bytes(older)
    os.replace(tmp, path)
    fresh = DirectoryStore(store.path, create=False)
    assert summaries(fresh)["s1"]["event_count"] == 1
    assert fresh.get("s1").state == {"i": 1, "e": 1}


def test_stale_index_notices_a_file_rewritten_in_place(tmp_path):
    store = make_store(tmp_path)
    path = session_file(store, "s2")
    value = orjson.loads(path.read_bytes())
    value["head"]["1"]["app_name"] = "renamed-app-with-a-longer-name"  # layout 2: the head
    with open(path, "wb") as fh:  # same inode
        fh.write(orjson.dumps(value))
    fresh = DirectoryStore(store.path, create=False)
    assert summaries(fresh)["s2"]["app_name"] == "renamed-app-with-a-longer-name"


def test_stale_index_notices_deleted_and_added_files(tmp_path):
    store = make_store(tmp_path)
    other = DirectoryStore(tmp_path / "other", create=True)
    other.create("elsewhere", "u", session_id="newcomer")
    session_file(store, "s0").unlink()
    shutil.copy(session_file(other, "newcomer"), store.path / "sessions")
    fresh = DirectoryStore(store.path, create=False)
    assert sorted(fresh.ids()) == ["newcomer", "s1", "s2"]
    with pytest.raises(NotFound):
        fresh.get("s0")
    # The store that was open all along notices too, on its next look.
    assert store.poll() is True
    assert sorted(store.ids()) == ["newcomer", "s1", "s2"]


# ------------------------------------------------------------------------------------ damage


def test_a_broken_session_file(tmp_path):
    store = make_store(tmp_path)
    broken = session_file(store, "s1")
    broken.write_bytes(b'{"session": {"1": {"id": "s1", "app_')  # cut short
    junk = broken.read_bytes()

    fresh = DirectoryStore(store.path, create=False)
    assert sorted(fresh.ids()) == ["s0", "s2"]  # the others still list
    assert len(fresh.problems) == 1 and broken.name in fresh.problems[0]
    with pytest.raises(CorruptFile, match=broken.name):
        fresh.get("s1")
    assert fresh.get("s0").state == {"i": 0, "e": 0}

    before = tree_hashes(store.path)
    with pytest.raises(CorruptFile):
        fresh.set_value("s1", "/a", 1)
    with pytest.raises(CorruptFile):
        fresh.delete("s1")
    with pytest.raises(CorruptFile):
        fresh.rewind("s1", "inv")
    with pytest.raises(StoreError):
        fresh.create("app", "u", session_id="s1")
    s1 = Session.new("app", "u", "s1")
    for policy in ("skip", "replace", "keep-both"):
        try:
            report = fresh.import_sessions([s1], on_conflict=policy)
        except StoreError:
            continue
        # Accepting it is only fine when it goes somewhere else.
        assert "s1" not in report.added and "s1" not in report.replaced
    assert broken.read_bytes() == junk
    # (keep-both may have added s1~2; everything else is as it was)
    after = tree_hashes(store.path)
    assert after[f"sessions/{broken.name}"] == before[f"sessions/{broken.name}"]
    kept_both = f"sessions/{file_name('s1~2')}"
    index = ("index.json", "index.jsonl")  # a cache: it may change
    assert {k: v for k, v in after.items()
            if k not in (kept_both,) + index and not k.startswith(f"events/{kept_both[9:-5]}/")} \
        == {k: v for k, v in before.items() if k not in index}

    # Other sessions can still be changed.
    fresh.set_value("s0", "/ok", True)
    assert fresh.get("s0").state["ok"] is True

    report = fresh.check()
    assert report.sound
    text = "\n".join(report.repaired)
    assert broken.name in text and "quarantine" in text
    assert not broken.exists()
    quarantined = list((store.path / "quarantine").iterdir())
    # The broken head, and (layout 2) the folder of its events beside it.
    heads = [q for q in quarantined if q.is_file()]
    assert len(heads) == 1 and heads[0].read_bytes() == junk
    assert [q.name.split("-", 1)[1] for q in quarantined if q.is_dir()] in (
        [], ["events-" + broken.name[:-5]])
    assert fresh.problems == []
    assert "s1" not in fresh.ids()
    assert DirectoryStore(store.path, create=False).problems == []
    # Now the id is free again.
    fresh.create("app", "u", session_id="s1")
    assert "s1" in fresh.ids()


@pytest.mark.parametrize("content", [b"[1, 2, 3]", b'{"session": {}}', b'{"_default": {"1": {"a": 1}}}',
                                     b"\x00\xff garbage"])
def test_session_files_that_are_not_sessions(tmp_path, content):
    store = make_store(tmp_path, 2)
    session_file(store, "s0").write_bytes(content)
    fresh = DirectoryStore(store.path, create=False)
    assert fresh.ids() == ["s1"]
    assert len(fresh.problems) == 1 and file_name("s0") in fresh.problems[0]
    with pytest.raises(CorruptFile):
        fresh.get("s0")
    assert fresh.check().sound
    assert fresh.ids() == ["s1"] and fresh.problems == []


def test_a_file_holding_another_id_is_not_taken_for_it(tmp_path):
    store = make_store(tmp_path, 2)
    shutil.copy(session_file(store, "s0"), session_file(store, "s1"))
    fresh = DirectoryStore(store.path, create=False)
    assert fresh.ids() == ["s0"]
    assert file_name("s1") in fresh.problems[0]


def test_check_on_a_sound_store(tmp_path):
    store = make_store(tmp_path)
    before = tree_hashes(store.path)
    report = store.check()
    assert report.sound and report.repaired == []
    assert tree_hashes(store.path) == before


def test_check_removes_temporary_leftovers_and_ignores_them_before(tmp_path):
    store = make_store(tmp_path, 1)
    leftover = store.path / "sessions" / f".{file_name('ghost')}.tmp-123-abcd"
    leftover.write_bytes(export_bytes(Session.new("app", "u", "ghost")))
    fresh = DirectoryStore(store.path, create=False)
    assert fresh.ids() == ["s0"] and fresh.problems == []
    report = fresh.check()
    assert any("temporary" in line for line in report.repaired)
    assert not leftover.exists()


def test_not_a_store(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "notes.txt").write_text("hello")
    with pytest.raises(NotAStore):
        DirectoryStore(folder, create=False)
    with pytest.raises(NotAStore):
        open_store(folder)
    assert sorted(os.listdir(folder)) == ["notes.txt"]


def test_tinydb_files_that_are_not_stores(tmp_path):
    for name, content, error in [
        ("bad.json", b"{not json", CorruptFile),
        ("list.json", b"[1, 2]", StoreError),
        ("others.json", b'{"_default": {"1": {"name": "not a session"}}}', NotAStore),
    ]:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(error, match=name):
            open_store(path)
        assert path.read_bytes() == content
        assert not (tmp_path / f"{name}.session-tui").exists()


# ------------------------------------------------------------------------------------ ids

ODD_IDS = ["a/b", "../../escape", "..", ".", "/abs/path", "with space", "ünïcødé 会话 🚀",
           "x" * 200, "Case", "case", "CASE", "tab\there", "new\nline", "nul\x00byte",
           "-", "~", "a~2", "", " "]


def with_id(session_id: str) -> Session:
    session = Session.new("app", "u")
    session.id = session_id
    return session


def test_odd_ids_round_trip_in_a_directory_store(tmp_path):
    parent = tmp_path / "outer"
    parent.mkdir()
    root = parent / "store"
    store = DirectoryStore(root, create=True)
    outside_before = sorted(p.name for p in tmp_path.rglob("*") if root not in p.parents and p != root)
    for n, session_id in enumerate(ODD_IDS):
        if session_id:
            store.create("app", "u", state={"n": n}, session_id=session_id)
        else:
            store.import_sessions([with_id("")])  # create() would make up an id for ""
        store.set_value(session_id, "/edited", n)
    files = list((root / "sessions").iterdir())
    assert len(files) == len(ODD_IDS)
    assert len({f.name.lower() for f in files}) == len(ODD_IDS)  # distinct even ignoring case
    for f in files:
        assert f.parent == root / "sessions" and len(f.name) < 100 and f.name.isascii()
    histories = list((root / "history").iterdir())
    assert len(histories) == len(ODD_IDS)
    outside_after = sorted(p.name for p in tmp_path.rglob("*") if root not in p.parents and p != root)
    assert outside_after == outside_before
    fresh = DirectoryStore(root, create=False)
    assert sorted(fresh.ids()) == sorted(ODD_IDS)
    for n, session_id in enumerate(ODD_IDS):
        session = fresh.get(session_id)
        assert session.id == session_id and session.state["edited"] == n
        fresh.undo(session_id)
        assert "edited" not in fresh.get(session_id).state
    fresh.delete("..")
    assert ".." not in DirectoryStore(root, create=False).ids()
    assert fresh.undo("..").undone == "delete"


def test_odd_ids_round_trip_in_a_tinydb_file(tmp_path):
    path = tmp_path / "sessions.json"
    path.write_bytes(b'{"_default": {}}')
    store = open_store(path)
    for session_id in ODD_IDS:
        store.import_sessions([with_id(session_id)])
        store.set_value(session_id, "/k", session_id)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sessions.json", "sessions.json.session-tui"]
    fresh = open_store(path)
    assert sorted(fresh.ids()) == sorted(ODD_IDS)
    for session_id in ODD_IDS:
        assert fresh.get(session_id).state["k"] == session_id
        fresh.undo(session_id)
        assert fresh.get(session_id).state == {}


def test_check_renames_a_valid_file_under_the_wrong_name(tmp_path):
    from session_tui.store import DirectoryStore

    store = DirectoryStore(tmp_path / "s", create=True)
    session = store.create("app", "u", session_id="renamed-by-hand")
    path = store.sessions_dir / store._file(session.id).name
    wrong = path.with_name("0" * 32 + ".json")
    path.rename(wrong)
    store = DirectoryStore(tmp_path / "s")
    assert store.problems and store.ids() == []
    report = store.check()
    assert any("renamed" in line for line in report.repaired), report.repaired
    assert store.ids() == ["renamed-by-hand"] and report.sound
