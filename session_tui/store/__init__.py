"""The session store: a store folder or a plain TinyDB file, behind one interface."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import (
    CorruptFile,
    NotAStore,
    NotFound,
    NothingToUndo,
    ReadOnlyStore,
    StaleError,
    StoreBusy,
    StoreError,
)

if TYPE_CHECKING:
    from .base import CONFLICT_POLICIES, CheckReport, ImportReport, RewindPlan, Store, UndoResult
    from .base import plan_rewind
    from .directory import DirectoryStore
    from .tinyfile import TinyFileStore

# Imported when first asked for: `session-tui list` on a store folder answers from the index
# (cli/quick.py, store/index_file.py) without importing the store's classes.
_LAZY = {"CONFLICT_POLICIES": "base", "CheckReport": "base", "ImportReport": "base",
         "RewindPlan": "base", "Store": "base", "UndoResult": "base", "plan_rewind": "base",
         "DirectoryStore": "directory", "TinyFileStore": "tinyfile"}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "CONFLICT_POLICIES", "CheckReport", "CorruptFile", "DirectoryStore", "ImportReport",
    "NotAStore", "NotFound", "NothingToUndo", "ReadOnlyStore", "RewindPlan", "StaleError", "Store", "StoreBusy", "StoreError",
    "TinyFileStore", "UndoResult", "default_store_path", "open_store", "plan_rewind",
]


def default_store_path() -> Path:
    """`$SESSION_TUI_STORE`, else a per-user data folder."""
    env = os.environ.get("SESSION_TUI_STORE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("session-tui", appauthor=False)) / "store"


def open_store(path: str | os.PathLike | None = None, create: bool = False,
               load: bool = True, read_only: bool = False) -> "Store":
    """Open a store folder or a TinyDB file of sessions. A missing path is NotFound unless
    `create` (then a new store folder); the default store is always created. `load=False`
    leaves bringing a store folder's index up to date to `store.load(progress)` (the app does
    it in a worker). A store that cannot be written opens read-only (`store.read_only`, with
    `store.read_only_reason`); `read_only=True` opens a writable one so, and never creates."""
    from .directory import DirectoryStore
    from .tinyfile import TinyFileStore

    if path is None:
        return DirectoryStore(default_store_path(), create=not read_only, load=load,
                              read_only=read_only)
    path = Path(path).expanduser()
    if path.is_dir():
        return DirectoryStore(path, create=False, load=load, read_only=read_only)
    if path.is_file():
        return TinyFileStore(path, read_only=read_only)
    if path.exists():
        raise NotAStore(f"{path}: neither a folder nor a file")
    if not create or read_only:
        raise NotFound(f"{path}: no such store")
    return DirectoryStore(path, create=True, load=load)
