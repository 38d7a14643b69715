"""The core (model, store, formats) never imports Textual: it is a library agents write into."""

import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+ (3.10 has no TOML reader)

# The one list of core modules: the import-linter contract in pyproject.toml.
CORE = next(c for c in tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
            ["tool"]["importlinter"]["contracts"] if c["id"] == "core-is-textual-free")["source_modules"]


def test_core_imports_no_textual():
    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'rich')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
