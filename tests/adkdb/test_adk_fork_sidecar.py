"""The fork origin's sidecar folder is the store's own: never written or read through a link."""

from __future__ import annotations

import pytest

from adkkit import tables
from session_tui.opening import open_any
from session_tui.store import StoreError


def test_a_forks_folder_that_is_a_link_is_never_written_through(adk_db, tmp_path):
    path = adk_db("database")
    sidecar = path.parent / (path.name + ".session-tui")
    sidecar.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (sidecar / "forks").symlink_to(outside)
    before = tables(path)
    with pytest.raises(StoreError, match="forks"):
        open_any(path).fork("s1", "inv-2")
    assert list(outside.iterdir()) == []
    assert tables(path) == before  # nothing changed
