"""Helpers for the CLI tests: run `python -m session_tui` for real, in a subprocess, with
$SESSION_TUI_STORE pointing into the test's tmp folder (never the user's default store)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson

from session_tui.model import Event
from session_tui.store import DirectoryStore
from filetree import tree_hashes  # noqa: F401  (shared; re-exported for the tests here)

REPO = Path(__file__).resolve().parents[2]


class CLI:
    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.default_store = tmp_path / "default-store"  # $SESSION_TUI_STORE unless told otherwise
        self.calls = 0

    def env(self, store_env: str | os.PathLike | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env["SESSION_TUI_STORE"] = str(store_env if store_env is not None else self.default_store)
        env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env.pop("NO_COLOR", None)
        return env

    def __call__(self, *args, store_env=None, cwd=None) -> subprocess.CompletedProcess:
        self.calls += 1
        return subprocess.run([sys.executable, "-m", "session_tui", *map(str, args)],
                              env=self.env(store_env), cwd=cwd or self.tmp, capture_output=True,
                              timeout=60)

    def json(self, *args, **kw):
        result = self(*args, **kw)
        assert result.returncode == 0, result.stderr.decode()
        return orjson.loads(result.stdout)


def one_line_error(result: subprocess.CompletedProcess, code: int, *needles: str) -> str:
    """Assert exit `code` with exactly one line on stderr that mentions every needle."""
    err = result.stderr.decode()
    assert result.returncode == code, (result.returncode, err)
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


def make_store(path: Path) -> DirectoryStore:
    """`trip`: created with a state, three agent invocations; `chat`: two events."""
    store = DirectoryStore(path, create=True)
    store.create("travel", "ada", state={"user_name": "Ada", "booking": {"seat": "12A"}},
                 session_id="trip")
    for ts, (inv, delta) in enumerate([("inv-1", {"city": "Paris"}),
                                       ("inv-2", {"city": "Rome", "hotel": "H"}),
                                       ("inv-3", {"app:theme": "dark", "hotel": "H2"})]):
        store.append_event("trip", Event.new(inv, "planner", f"turn {ts}", state_delta=delta,
                                             timestamp=1790000000 + ts))
    store.create("support", "bob", session_id="chat")
    for n in range(2):
        store.append_event("chat", Event.new("c-1", "helpdesk", f"hello {n}",
                                             timestamp=1790000100 + n))
    return store
