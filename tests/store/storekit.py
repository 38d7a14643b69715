"""Helpers for the store tests (imported by the test modules of tests/store)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson

from session_tui.model import Event, Session
from session_tui.store import DirectoryStore, open_store
from filetree import LOCK_NAMES, tree_hashes  # noqa: F401  (shared; re-exported for the tests here)

REPO = Path(__file__).resolve().parents[2]
BACKENDS = ("directory", "tinyfile")


class Backend:
    """One store location of a given kind; `open()` gives a new store object on it, as a second
    process (or a restart) would."""

    def __init__(self, kind: str, root: Path):
        self.kind = kind
        self.root = Path(root)
        if kind == "directory":
            self.path = self.root / "store"
            DirectoryStore(self.path, create=True)
        elif kind == "tinyfile":
            self.path = self.root / "sessions.json"
            self.path.write_bytes(b'{"_default": {}}')
        else:  # pragma: no cover
            raise ValueError(kind)

    def open(self):
        return open_store(self.path)

    def snapshot(self) -> dict[str, str]:
        return tree_hashes(self.root)

    def __repr__(self) -> str:
        return f"Backend({self.kind}, {self.path})"


def export_bytes(session: Session) -> bytes:
    return orjson.dumps(session.export())


def add_event(store, session_id: str, invocation_id: str, delta: dict | None = None,
              author: str = "agent", content: str | None = "hello", timestamp: float | None = None):
    return store.append_event(session_id, Event.new(invocation_id, author, content,
                                                    state_delta=delta or {}, timestamp=timestamp))


def python_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra)
    return env


def run_python(code: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], env=python_env(),
                          cwd=REPO, capture_output=True, text=True, timeout=timeout)
