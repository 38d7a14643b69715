"""Adversarial checks of the index's fast paths (store/index_file.py, `first_rows`): a
hand-edited index.json never makes them raise; they give None and the whole load decides."""

from __future__ import annotations

import re

import pytest

from session_tui.store import DirectoryStore
from session_tui.store import index as index_module


@pytest.fixture
def compacted(tmp_path, monkeypatch):
    """A store of three sessions whose index.json holds them all (no journal)."""
    with monkeypatch.context() as patch:
        patch.setattr(index_module, "COMPACT_FLOOR", 0)
        store = DirectoryStore(tmp_path / "s")
        for k in range(3):
            store.create("app", f"u{k}", session_id=f"s{k}")
        store = DirectoryStore(tmp_path / "s")  # (its journal folded into index.json)
    assert not store.index_log.exists()
    return store


@pytest.mark.parametrize("count", [b'"3"', b"null", b"[3]", b"{}", b"true"])
def test_first_rows_of_an_index_whose_meta_count_is_not_a_number(compacted, count):
    """The meta line is outside the checksum's reach (first_rows reads only the head): an
    edited `count` once raised TypeError in the list screen's worker (the list stayed empty)."""
    data = compacted.index_path.read_bytes()
    edited = re.sub(rb'"count":\d+', b'"count":' + count, data, count=1)
    assert edited != data
    compacted.index_path.write_bytes(edited)
    store = DirectoryStore(compacted.path, load=False)
    assert store.first_rows(2) is None
    assert sorted(r["id"] for r in DirectoryStore(compacted.path).list()) == ["s0", "s1", "s2"]
