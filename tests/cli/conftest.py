import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # clikit, whatever the import mode

from clikit import CLI, make_store  # noqa: E402


@pytest.fixture
def cli(tmp_path):
    """Runs `python -m session_tui ARGS...` with $SESSION_TUI_STORE inside tmp_path."""
    return CLI(tmp_path)


@pytest.fixture
def store(tmp_path):
    """A store folder with sessions `trip` and `chat` (see clikit.make_store)."""
    return make_store(tmp_path / "store")
