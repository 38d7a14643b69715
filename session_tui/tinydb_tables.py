"""The sessions in a TinyDB file's tables: what a plain file holds, read by the store that opens
it in place (store/tinyfile.py) and by an import of it (formats/reading.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from . import jsonio
from .errors import NotAStore
from .model import Session, SessionFormatError

SHARED_TABLE = "_shared_state"  # ADK's app: and user: state (store/shared.py), one document
SKIPPED_TABLES = ("_meta", SHARED_TABLE)  # a session file's own bookkeeping; the shared state


def revision_of(doc: Any) -> str:
    """A content hash: the plain file has no room for a generation token of ours."""
    return hashlib.blake2b(jsonio.dumps(doc, jsonio.SORT_KEYS), digest_size=12).hexdigest()


def scan_tables(path: Path, tables: Any) -> tuple[dict[str, tuple[str, str, Session]], list[str]]:
    """Sessions in a TinyDB file's tables by id -> (table, doc id, session); and one line per
    document that is not a session."""
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise NotAStore(f"{path}: not a TinyDB file (expected {{table: {{id: document}}}})")
    found: dict[str, tuple[str, str, Session]] = {}
    bad: list[str] = []
    for table, docs in tables.items():
        if table in SKIPPED_TABLES:
            continue
        for doc_id, doc in docs.items():
            try:
                session = Session.from_json(doc, share=True)
            except SessionFormatError as exc:
                bad.append(f"{path}: table {table!r} document {doc_id}: not a session: {exc}")
                continue
            if session.id in found:
                bad.append(f"{path}: table {table!r} document {doc_id}: a second session {session.id!r}")
                continue
            session.revision = revision_of(doc)
            found[session.id] = (table, doc_id, session)
    return found, bad


