"""What a folder holds, to prove that something changed nothing: the sha256 of every file."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

LOCK_NAMES = {".lock", "lock"}  # filelock may create or remove these at will: not data


def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file's bytes under `root` (or of `root`, a file), lock files excluded,
    by relative path."""
    root = Path(root)
    if root.is_file():
        return {root.name: hashlib.sha256(root.read_bytes()).hexdigest()}
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            if name in LOCK_NAMES:
                continue
            path = Path(dirpath) / name
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out
