"""A crafted or damaged search cache (the right store's identity, anything in it) is ignored:
an empty index, never an exception in the app's worker, never half-believed."""

from __future__ import annotations

import struct

import orjson
import pytest

from session_tui.search_index import MAGIC, cache_file, open_index
from session_tui.store import DirectoryStore

HEADS = ["[]", "null", '"identity"', {"sessions": [[1, "k", 0, 0, True]]},
         {"sessions": [["s", "k", -3, 3, True]]}, {"sessions": [["s", ["k"], 0, 0, True]]},
         {"sessions": [["s", "k", 0, 0, "yes"]]}]


@pytest.mark.parametrize("head", HEADS, ids=range(len(HEADS)))
def test_a_crafted_cache_is_an_empty_index(tmp_path, monkeypatch, head):
    monkeypatch.setenv("SESSION_TUI_CACHE", str(tmp_path / "cache"))
    store = DirectoryStore(tmp_path / "store", create=True)
    path, identity = cache_file(store)
    if isinstance(head, dict):
        head = orjson.dumps({"identity": identity, **head}).decode()
    data = head.encode()
    path.parent.mkdir(parents=True)
    path.write_bytes(MAGIC + struct.pack("<Q", len(data)) + data)
    assert open_index(store).size == 0


@pytest.mark.parametrize("kind", ["fifo", "folder", "link"])
def test_a_cache_that_is_not_a_regular_file_is_never_waited_on(tmp_path, monkeypatch, kind):
    """A FIFO where the cache goes would block the filter's worker on its open forever."""
    import os

    monkeypatch.setenv("SESSION_TUI_CACHE", str(tmp_path / "cache"))
    store = DirectoryStore(tmp_path / "store", create=True)
    path, _ = cache_file(store)
    path.parent.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        (tmp_path / "elsewhere").write_bytes(b"x")
        path.symlink_to(tmp_path / "elsewhere")
    assert open_index(store).size == 0
