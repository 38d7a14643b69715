"""Session file names: derived from the id safely and reversibly (the id is kept in the file).

Ids are arbitrary strings (`/`, `..`, spaces, unicode, up to 128+ characters, ids that differ
only in case), so a name is a short sanitised prefix for people plus a hash for uniqueness.
"""

from __future__ import annotations

import hashlib
import re

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def file_name(session_id: str) -> str:
    digest = hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    prefix = _UNSAFE.sub("_", session_id)[:24].strip("_-").lower()
    return f"{prefix}-{digest}.json" if prefix else f"{digest}.json"


def is_session_file(name: str) -> bool:
    """True for names this module makes; temporary files (`.name.tmp...`) never match."""
    return name.endswith(".json") and not name.startswith(".") and re.fullmatch(
        r"(?:[a-z0-9_-]{0,24}-)?[0-9a-f]{32}\.json", name) is not None
