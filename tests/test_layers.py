"""The layering is declared in pyproject.toml ([tool.importlinter]) and checked here: the core
never imports Textual, and each layer imports only the layers below it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT = shutil.which("lint-imports")
pytestmark = pytest.mark.skipif(LINT is None, reason="import-linter (the test extra) is not installed")


def lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT, "--no-cache"], cwd=root, capture_output=True, text=True,
                          env={"PATH": str(Path(sys.executable).parent), "PYTHONPATH": str(root)},
                          timeout=120)


def test_the_declared_layers_hold():
    result = lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_core_module_importing_textual_breaks_the_contract(tmp_path):
    """The check can fail: a copy of the package whose model imports Textual."""
    shutil.copytree(REPO / "session_tui", tmp_path / "session_tui")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    model = tmp_path / "session_tui" / "model.py"
    model.write_text(model.read_text() + "\nfrom textual.widget import Widget  # noqa\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "session_tui.model is not allowed to import textual" in result.stdout
