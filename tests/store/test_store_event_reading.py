"""How a store folder reads a session's events (event_build, gc_paused(keep=True)): a crafted
segment line still gives one line naming the file and the event's place, in a read and in the
removed events an undo reads back; a read session goes to the oldest generation of the
collector without being walked, and nothing another part of the program froze is thawed."""

from __future__ import annotations

import gc

import orjson
import pytest

from session_tui.files import thaw
from session_tui.model import Event
from session_tui.store import CorruptFile, DirectoryStore
from session_tui.store.naming import file_name


def ev(n: int) -> Event:
    return Event(id=f"e{n}", invocation_id=f"inv-{n}", author="agent",
                 content=f"a long enough reply to leave room for a crafted line {n:04}",
                 timestamp=1790000000.0 + n)


def store_of(tmp_path, events: int = 6) -> DirectoryStore:
    store = DirectoryStore(tmp_path / "s", segment_events=2)
    store.create("app", "u", session_id="s")
    for n in range(events):
        store.append("s", ev(n))
    return store


def craft(store: DirectoryStore, index: int, change) -> None:
    """Event `index` of the session's segments changed in place, padded to its length (the
    head counts bytes: only the event itself is wrong)."""
    folder = store.path / "events" / file_name("s")[:-5]
    seen = 0
    for path in sorted(folder.glob("[0-9]*.jsonl"), key=lambda p: int(p.name.split("-")[0])):
        lines = path.read_bytes().split(b"\n")[:-1]
        if seen + len(lines) > index:
            value = orjson.loads(lines[index - seen])
            change(value)
            line = orjson.dumps(value)
            assert len(line) <= len(lines[index - seen])
            lines[index - seen] = line.ljust(len(lines[index - seen]))
            path.write_bytes(b"\n".join(lines) + b"\n")
            return
        seen += len(lines)
    raise AssertionError("no such event")


BAD = {
    "a timestamp text": (lambda v: v.update(timestamp="soon"),
                         'timestamp: expected a number, got "soon"'),
    "an id missing": (lambda v: v.pop("id"), "id: missing"),
    "escalate a number": (lambda v: v["actions"].update(escalate=0),
                          "actions.escalate: expected a boolean, got a number 0"),
    "a time out of range": (lambda v: v.update(timestamp=1e300),
                            "timestamp: time out of range, got 1e+300"),
}


@pytest.mark.parametrize("bad", BAD)
def test_a_crafted_event_is_one_line_naming_its_folder_and_place(tmp_path, bad):
    change, said = BAD[bad]
    store = store_of(tmp_path)
    craft(store, 3, change)
    with pytest.raises(CorruptFile) as caught:
        DirectoryStore(tmp_path / "s").get("s")
    folder = store.path / "events" / file_name("s")[:-5]
    assert str(caught.value) == f"{folder}: events[3].{said}"


@pytest.mark.parametrize("bad", ["a timestamp text", "escalate a number"])
def test_a_crafted_removed_event_is_named_when_an_undo_reads_it_back(tmp_path, bad):
    change, said = BAD[bad]
    store = store_of(tmp_path)
    store.rewind("s", "inv-1")  # events 2-5 removed, kept where they were for the undo
    craft(store, 3, change)  # the second removed one
    with pytest.raises(CorruptFile) as caught:
        DirectoryStore(tmp_path / "s").undo("s")
    folder = store.path / "events" / file_name("s")[:-5]
    assert str(caught.value) == f"{folder}: removed events[1].{said}"


def test_a_read_session_goes_to_the_oldest_generation_unwalked(tmp_path):
    store = store_of(tmp_path)
    thaw()  # (what the app's tests froze in this process)
    gc.unfreeze()
    gc.collect()
    walks = []

    def walked(phase, info):
        if phase == "start":
            walks.append(info["generation"])

    gc.callbacks.append(walked)
    try:
        session = store.get("s")
        oldest = gc.get_objects(generation=2)
        assert any(obj is session.events[0] for obj in oldest)
        assert any(obj is session.events[-1].actions for obj in oldest)
        assert walks == []  # (no collection met them on the way)
    finally:
        gc.callbacks.remove(walked)


def test_a_read_never_thaws_what_was_frozen(tmp_path):
    store = store_of(tmp_path)
    kept = {"frozen": [1]}
    thaw()
    gc.freeze()  # by someone else than the app: reads must ask the collector itself
    try:
        frozen = gc.get_freeze_count()
        session = store.get("s")
        assert gc.get_freeze_count() == frozen
        assert not any(obj is kept for obj in gc.get_objects())  # still frozen
        assert [e.id for e in session.events] == [f"e{n}" for n in range(6)]
    finally:
        gc.unfreeze()


def test_a_read_does_not_count_what_the_app_froze(tmp_path, monkeypatch):
    """gc.get_freeze_count walks every frozen object (29 ms a call once the app has frozen what
    it shows; 7 s over one test of the suite): never asked while the app's freeze holds."""
    import session_tui.files as files

    store = store_of(tmp_path)
    asked = []
    count = gc.get_freeze_count
    monkeypatch.setattr(files.gc, "get_freeze_count", lambda: asked.append(1) or count())
    files.freeze()
    try:
        store.get("s")
        assert asked == []
    finally:
        files.thaw()
    store.get("s")
    assert asked == [1]  # (nothing frozen by the app: the collector is asked, an O(1) answer)
