"""What the files of a store folder hold: a session file is itself a TinyDB file (the session in
table `session`, its generation token in `_meta`); the index's table; the folders and the
shared-state file a store folder has.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import jsonio
from ..model import Session, SessionFormatError
from .errors import CorruptFile
from .naming import file_name

INDEX_TABLE = "sessions"
SESSION_TABLE = "session"
META_TABLE = "_meta"
FORMAT = "session-tui/1"
FOLDERS = ("sessions", "history", "staging", "quarantine", "events")
SHARED_FILE = "shared-state.json"  # ADK's app: and user: state (store/shared.py)


def encode_session_file(session: Session, generation: int) -> bytes:
    """A session file is itself a TinyDB file: the session in table `session`, and the
    generation token (bumped by every write) in `_meta`."""
    return jsonio.dumps({
        SESSION_TABLE: {"1": session.export(share=True)},
        META_TABLE: {"1": {"format": FORMAT, "generation": generation}},
    })


def decode_session_file(path: Path, value: Any, check_name: bool = True) -> Session:
    try:
        doc = value[SESSION_TABLE]["1"]
        generation = value[META_TABLE]["1"]["generation"]
    except (KeyError, TypeError):
        raise CorruptFile(f"{path}: not a session-tui session file (no session document)") from None
    try:
        session = Session.from_json(doc, share=True)
    except SessionFormatError as exc:
        raise CorruptFile(f"{path}: {exc}") from None
    if check_name and file_name(session.id) != path.name:
        raise CorruptFile(f"{path}: holds session {session.id!r}, whose file name is {file_name(session.id)}")
    session.revision = str(generation)
    return session
