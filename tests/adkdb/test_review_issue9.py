"""Adversarial review of issue 9 (ADK databases in place): what a hostile or unlucky user can
do to the undo sidecar, the opening of paths and URLs, and the rows of an ADK database."""

from __future__ import annotations

import json
import os
import shutil
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

