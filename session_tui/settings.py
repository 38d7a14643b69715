"""Provides the user's settings that outlive a run (the theme), in a small JSON file under the
user's config folder (`$SESSION_TUI_CONFIG` overrides where). A missing or broken file is
no settings; a file that cannot be written is no reason to stop the app."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import jsonio


def default_settings_path() -> Path:
    env = os.environ.get("SESSION_TUI_CONFIG")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("session-tui", appauthor=False)) / "settings.json"


def load_settings(path: Path) -> dict[str, Any]:
    try:
        value = jsonio.loads(Path(path).read_bytes())
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def save_setting(path: Path, key: str, value: Any) -> bool:
    """Set one setting, keeping the others; False when the file could not be written."""
    from .files import write_atomic

    values = load_settings(path)
    values[key] = value
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(Path(path), jsonio.dumps(values, jsonio.INDENT))
    except OSError:
        return False
    return True
