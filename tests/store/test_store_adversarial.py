"""Adversarial checks of store layout 2, forks, the search cache and eval files (review pass):
each test here failed before the fix beside it."""

from __future__ import annotations

import errno

import orjson
import pytest

from session_tui.model import Event, Session
from session_tui.store import CorruptFile, DirectoryStore, StoreError
from session_tui.store import directory as directory_module
from session_tui.store.naming import file_name
from session_tui.store.session_files import encode_session_file


def ev(n: int, tag: str = "e") -> Event:
    return Event(id=f"{tag}{n}", invocation_id=f"inv-{n}", author="agent", content=f"reply {n}",
                 timestamp=1790000000.0 + n)


def _full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_replace_of_a_long_session_leaves_its_list_file(tmp_path, monkeypatch):
    """A change that cuts inside the list file's entries and adds more than a head holds
    must not write over the list file's committed bytes: the head on disk still names them
    until the change's own head replaces it (here the head's write fails)."""
    store = DirectoryStore(tmp_path / "s", segment_events=1)
    store.create("app", "u", session_id="s")
    for n in range(20):  # 20 one-event segments: most of them in the list file
        store.append("s", ev(n))
    before = store.get("s").export()
    new = store.get("s")
    new.events = [ev(n, "x") for n in range(20)]
    monkeypatch.setattr(directory_module, "write_files", _full_disk)
    with pytest.raises(StoreError):
        store.import_sessions([new], on_conflict="replace")
    monkeypatch.undo()
    assert DirectoryStore(tmp_path / "s", segment_events=1).get("s").export() == before
    # And done for real: read back, then undone to the version before.
    store = DirectoryStore(tmp_path / "s", segment_events=1)
    store.import_sessions([new], on_conflict="replace")
    fresh = DirectoryStore(tmp_path / "s", segment_events=1)
    assert [e.id for e in fresh.get("s").events] == [f"x{n}" for n in range(20)]
    fresh.undo("s")
    assert DirectoryStore(tmp_path / "s", segment_events=1).get("s").export() == before


@pytest.mark.parametrize("change", ["delete", "rewind"])
def test_check_keeps_the_events_a_broken_undo_history_pointed_at(tmp_path, change):
    """Layout 2's undo records point at removed events instead of copying them: when `check`
    moves a torn history aside, the events it pointed at (the only copy of a deleted session,
    or of rewound events) go aside with it, never deleted as an uncommitted change's."""
    store = DirectoryStore(tmp_path / "s", segment_events=2)
    store.create("app", "u", session_id="s")
    for n in range(6):
        store.append("s", ev(n))
    if change == "delete":
        store.delete("s")
    else:
        store.rewind("s", "inv-1", before=True)
    history = store.path / "history" / file_name("s")
    history.write_bytes(history.read_bytes()[:-5])  # torn
    DirectoryStore(tmp_path / "s", segment_events=2).check()
    kept = b"".join(p.read_bytes() for p in sorted((store.path / "quarantine").rglob("*.jsonl")))
    kept += b"".join(p.read_bytes() for p in (store.path / "events").rglob("*.jsonl"))
    assert all(f'"id":"e{n}"'.encode() in kept for n in range(6))


def test_an_append_never_writes_into_a_segment_linked_from_elsewhere(tmp_path):
    """A segment that is a hard link (a crafted store: the same file as one outside it) is
    never written in place, which would cut and change that other file."""
    store = DirectoryStore(tmp_path / "s", segment_events=3)
    store.create("app", "u", session_id="s")
    store.append("s", ev(0))
    segment = next(folder_of_s(store).glob("0*.jsonl"))
    outside = tmp_path / "outside.txt"
    outside.write_bytes(segment.read_bytes() + b"someone else's text\n")
    before = outside.read_bytes()
    segment.unlink()
    segment.hardlink_to(outside)
    with pytest.raises(StoreError, match="link"):
        store.append("s", ev(1))
    assert outside.read_bytes() == before


def folder_of_s(store: DirectoryStore):
    return store.path / "events" / file_name("s")[:-5]


def test_the_index_journal_is_never_appended_to_through_a_hard_link(tmp_path):
    store = DirectoryStore(tmp_path / "s", segment_events=3)
    store.create("app", "u", session_id="s")
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"someone else's text\n")
    (store.path / "index.jsonl").unlink(missing_ok=True)
    (store.path / "index.jsonl").hardlink_to(outside)
    store.append("s", ev(0))
    assert outside.read_bytes() == b"someone else's text\n"
    assert [e.id for e in DirectoryStore(tmp_path / "s").get("s").events] == ["e0"]


def test_a_missing_segment_is_a_broken_session_not_no_session_and_check_sets_it_aside(tmp_path):
    store = DirectoryStore(tmp_path / "s", segment_events=2)
    store.create("app", "u", session_id="s")
    for n in range(5):
        store.append("s", ev(n))
    first = sorted(folder_of_s(store).glob("0*.jsonl"))[0]
    first.unlink()
    with pytest.raises(CorruptFile, match=f"{first.name}: missing"):
        DirectoryStore(tmp_path / "s").get("s")
    report = DirectoryStore(tmp_path / "s").check()
    assert any("missing" in line for line in report.repaired)
    assert DirectoryStore(tmp_path / "s").ids() == []


def _tree(root):
    return {p: p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".lock"}


CRAFTED = {"keep negative": ("keep", -1), "keep a string": ("keep", "2"),
           "keep past after_count": ("keep", 99), "after_count a string": ("after_count", "x"),
           "before a string": ("before", "x"), "before no session": ("before", {"id": "s"}),
           "kind unknown": ("kind", "bogus")}


@pytest.mark.parametrize("name", CRAFTED)
def test_undo_of_a_crafted_record_is_one_line_and_changes_nothing(tmp_path, name):
    """A record that is not as session-tui writes it (a negative keep dropped the session's
    last events on undo; others raised TypeError or SessionFormatError) is refused."""
    field, value = CRAFTED[name]
    store = DirectoryStore(tmp_path / "s", segment_events=2)
    store.create("app", "u", session_id="s")
    for n in range(5):
        store.append("s", ev(n))
    store.rewind("s", "inv-3")
    history = store.path / "history" / file_name("s")
    doc = orjson.loads(history.read_bytes())
    doc["records"][-1][field] = value
    history.write_bytes(orjson.dumps(doc))
    before = _tree(store.path)
    with pytest.raises(StoreError) as caught:
        DirectoryStore(tmp_path / "s", segment_events=2).undo("s")
    assert str(caught.value).startswith(str(history)) and "\n" not in str(caught.value)
    assert _tree(store.path) == before


@pytest.mark.parametrize("where", ["events", "its events folder"])
def test_a_layout1_store_with_a_linked_events_folder_opens_and_check_clears_it(tmp_path, where):
    """Migration never writes through a link; the store still opens (in layout 1, not
    migrated) instead of refusing even `check`, which then moves the link aside."""
    root, outside = tmp_path / "s", tmp_path / "outside"
    (root / "sessions").mkdir(parents=True)
    outside.mkdir()
    session = Session.new("app", "u", "s")
    session.events = [ev(n) for n in range(3)]
    (root / "sessions" / file_name("s")).write_bytes(encode_session_file(session, 7))
    if where == "events":
        (root / "events").symlink_to(outside)
    else:
        (root / "events").mkdir()
        (root / "events" / file_name("s")[:-5]).symlink_to(outside)
    assert [e.id for e in DirectoryStore(root, segment_events=2).get("s").events] == \
        ["e0", "e1", "e2"]
    assert list(outside.iterdir()) == []
    assert DirectoryStore(root, segment_events=2).check().sound
    store = DirectoryStore(root, segment_events=2)  # migrated now
    assert (root / "layout.json").is_file() and len(store.get("s").events) == 3
    assert list(outside.iterdir()) == []
