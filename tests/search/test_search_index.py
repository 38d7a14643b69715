"""The cross-session index stays right as sessions change: edits, rewinds, imports, deletes and
undo, another process's writes, a copy kept between runs; on every backend
(session_tui/search_index.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from session_tui.model import Event, Session
from session_tui.opening import open_any
from session_tui.search import needle_of, session_matches
from session_tui.search_index import SearchIndex, open_index, row_text, save_index
from session_tui.store import DirectoryStore, open_store

REPO = Path(__file__).resolve().parents[2]
WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "paris")


def truth(store, word):
    """The sessions a search for `word` must find: read afresh, every one."""
    want = needle_of(word).encode()
    return {row["id"] for row in store.list()
            if want in row_text(row) or session_matches(store.get(row["id"]), word)}


def assert_right(index, store):
    index.refresh_from(store)
    for word in WORDS:
        assert set(index.matching_ids(word)) == truth(store, word), word


def event(inv, text, ts, delta=None):
    return Event.new(inv, "agent", text, state_delta=delta, timestamp=ts)


def make(kind, tmp_path):
    if kind == "directory":
        return DirectoryStore(tmp_path / "store", create=True)
    path = tmp_path / "sessions.json"
    path.write_bytes(b'{"_default": {}}')
    return open_store(path)


@pytest.mark.parametrize("kind", ["directory", "tinyfile"])
def test_index_follows_every_change(kind, tmp_path):
    store = make(kind, tmp_path)
    store.create("app", "u", session_id="a")
    store.append_event("a", event("i1", "the alpha text", 1.0))
    store.create("app", "u", session_id="b")
    store.append_event("b", event("i1", "hello", 2.0))
    store.append_event("b", event("i2", "call beta()", 3.0, {"k": "beta value"}))
    index = SearchIndex()
    assert_right(index, store)
    assert index.refresh_from(store) == 0  # nothing changed: nothing read

    store.set_value("a", "/note", "gamma")  # an edit: its state delta holds the word
    assert index.refresh_from(store) == 1  # only the changed session is read again
    assert index.matching_ids("gamma") == ["a"]
    assert_right(index, store)
    store.rewind("b", "i2", before=True)  # beta's invocation goes
    assert_right(index, store)
    c = Session.new("app", "v", "c")
    c.events.append(event("i1", "Delta arrives", 4.0))
    store.import_sessions([c])
    assert_right(index, store)
    store.delete("c")
    assert_right(index, store)
    assert "c" not in (index.matching_ids("app") or [])
    for undone in ("c", "b", "a"):  # the delete, the rewind, the edit
        store.undo(undone)
        assert_right(index, store)
    assert index.matching_ids("beta") == ["b"] and index.matching_ids("gamma") == []


def test_kept_between_runs_and_checked_against_the_store(tmp_path):
    store = DirectoryStore(tmp_path / "store", create=True)
    for n in range(3):
        store.create("app", "u", session_id=f"s{n}")
        store.append_event(f"s{n}", event("i", f"alpha {n}", float(n)))
    index = open_index(store)
    assert index.refresh_from(store) == 3
    assert save_index(index, store)
    again = open_index(store)  # a new run: what was kept, not yet checked
    assert again.size == 3
    assert again.refresh_from(store) == 0
    store.append_event("s1", event("i2", "epsilon", 9.0))  # changed since it was kept
    stale = open_index(store)
    assert stale.refresh_from(store) == 1
    assert stale.matching_ids("epsilon") == ["s1"]
    other = DirectoryStore(tmp_path / "other", create=True)
    assert open_index(other).size == 0  # another store's index is never used


def test_another_process_writes_then_the_index_follows(tmp_path):
    store = DirectoryStore(tmp_path / "store", create=True)
    store.create("app", "u", session_id="a")
    store.create("app", "u", session_id="b")
    store.append_event("b", event("i", "alpha", 1.0))
    index = SearchIndex()
    assert_right(index, store)
    code = ("import sys; from session_tui.store import open_store; from session_tui.model import Event\n"
            "s = open_store(sys.argv[1])\n"
            "s.append_event('a', Event.new('i', 'agent', 'Epsilon from elsewhere', timestamp=5.0))\n"
            "s.delete('b')\n")
    subprocess.run([sys.executable, "-c", code, str(store.path)], check=True, timeout=60,
                   env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert store.poll()  # what the app's poll does; its rows then refresh the index
    index.refresh_from(store, store.list())
    assert index.matching_ids("epsilon") == ["a"] and index.matching_ids("alpha") == []
    assert_right(index, store)


def test_an_adk_database_opened_in_place(tmp_path):
    path = tmp_path / "session.db"
    shutil.copy(REPO / "tests" / "fixtures" / "adk" / "sqlite.db", path)
    store = open_any(path)
    index = SearchIndex()
    assert_right(index, store)
    session_id = store.ids()[0]
    store.set_value(session_id, "/note", "gamma")  # an edit: an event ADK's way
    assert index.refresh_from(store) == 1
    assert index.matching_ids("gamma") == [session_id]
    assert_right(index, store)


def test_a_search_in_slices_finds_what_a_whole_one_does(tmp_path, monkeypatch):
    """The list's filter searches a slice of time per turn of the event loop, a big session a
    chunk at a time, then goes on: the answer is the same as in one go."""
    from session_tui import search_index

    monkeypatch.setattr(search_index, "CHUNK", 16)
    monkeypatch.setattr(search_index, "BLOCK", 2)
    store = DirectoryStore(tmp_path / "store", create=True)
    for n in range(7):
        store.create("app", "u", session_id=f"s{n}")
        for k in range(n):  # s5, s6: a match only far into a text bigger than CHUNK
            text = "word " * 10 + ("the alpha end" if k == n - 1 and n % 2 else "")
            store.append_event(f"s{n}", event(f"i{k}", text, float(k)))
    index = SearchIndex()
    index.refresh_from(store)
    for word in ("alpha", "word", "nowhere", "s3"):
        steps, (ids, complete) = 1, index.match(word, 0.0)
        while not complete:
            steps, (ids, complete) = steps + 1, index.match(word, 0.0)
        assert steps > 1  # it did stop and go on
        assert set(ids) == truth(store, word), word
