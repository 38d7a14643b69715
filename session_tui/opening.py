"""The one place that turns a PATH or a URL into a store (`open_any`): the CLI, the app
(`build_app`) and the Python API (`session_tui.open_store`) all call it.

What it takes:

- a session-tui store folder, or a plain TinyDB file of sessions (`store.open_store`);
- an ADK SQLite file of either layout (recognised by its header, opened in place: `AdkStore`);
- an agent folder holding `.adk/session.db` (what `adk web` / `adk run` write);
- database URLs as ADK users write them in `--session_service_uri`: `sqlite:///rel.db`,
  `sqlite:////abs.db`, `sqlite+aiosqlite:///...` (as SQLAlchemy reads them: three slashes then a
  relative path, four for an absolute one); `postgresql://`, `postgresql+asyncpg://`,
  `postgresql+psycopg://` (the driver part normalised; opened by `adkdb.postgres`).

A missing path is NotFound unless `create` (then a new store folder, as before). Every error is
one line (a StoreError).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from .store import NotAStore, NotFound, Store, StoreError, open_store

SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_SCHEMES = ("sqlite", "sqlite+aiosqlite", "sqlite+pysqlite")
POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg", "postgresql+psycopg",
                    "postgresql+psycopg2", "postgresql+pg8000")
AGENT_DB = Path(".adk") / "session.db"
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def open_any(target: str | os.PathLike | None = None, *, create: bool = False, load: bool = True,
             read_only: bool = False) -> Store:
    """The store at `target` (see the module docstring); None: the default store."""
    if target is None:
        return open_store(None, create=create, load=load, read_only=read_only)
    text = os.fspath(target)
    scheme = url_scheme(text)
    if scheme in SQLITE_SCHEMES:
        path, query = sqlite_url_path(text)
        # `?mode=ro` in the URL: read-only, as SQLite would open it (the mode is ours to set).
        params = [p for p in query.split("&") if p]
        read_only = read_only or "mode=ro" in params
        query = "&".join(p for p in params if not p.startswith("mode="))
        return open_adk_file(path, read_only=read_only, uri_query=query)
    if scheme in POSTGRES_SCHEMES:
        return _open_postgres(text, read_only=read_only)
    if scheme is not None:
        raise StoreError(f"{redact(text)}: not a database URL session-tui knows (sqlite:///..., "
                         "postgresql://...)")
    path = Path(text).expanduser()
    if path.is_dir() and (path / AGENT_DB).is_file() and not _is_store_folder(path):
        return open_adk_file(path / AGENT_DB, read_only=read_only)
    if path.is_file() and is_sqlite_file(path):
        return open_adk_file(path, read_only=read_only)
    if path.suffix.lower() in SQLITE_SUFFIXES and _neither_sqlite_nor_json(path):
        # Named as ADK names its databases: the TinyDB reader's JSON error would miss the point.
        raise NotAStore(f"{path}: not a SQLite database (it does not begin with SQLite's header) "
                        "nor a TinyDB file (JSON)")
    try:
        return open_store(path, create=create, load=load, read_only=read_only)
    except NotAStore as exc:
        if not path.is_dir():
            raise
        # Most likely an agent folder that no `adk web` / `adk run` has written sessions in yet.
        raise NotAStore(f"{exc}, nor an agent folder holding {AGENT_DB.as_posix()} (ADK writes "
                        "it on the agent's first run)") from None


def url_scheme(text: str) -> str | None:
    """`sqlite+aiosqlite` of `sqlite+aiosqlite:///x.db`; None for a path (`C:\\x` included)."""
    if "://" not in text and not text.startswith(("sqlite:", "postgresql:", "postgres:")):
        return None
    scheme = text.split(":", 1)[0].lower()
    if len(scheme) <= 1 or not all(c.isalnum() or c in "+-." for c in scheme):
        return None
    return scheme


def sqlite_url_path(url: str) -> tuple[Path, str]:
    """The file of a SQLite URL, as SQLAlchemy (and ADK's SqliteSessionService) read it:
    `sqlite:///rel.db` is relative to the working folder, `sqlite:////abs.db` absolute. The
    query string (SQLite URI parameters) is passed on."""
    parsed = urlparse(url)
    raw = unquote(parsed.path)
    if parsed.netloc:
        raise StoreError(f"{url}: a SQLite URL has no host (sqlite:///relative.db or "
                         "sqlite:////absolute.db)")
    if raw.startswith("/"):
        raw = raw[1:]
    if raw in ("", ":memory:"):
        raise StoreError(f"{url}: an in-memory database holds no sessions to open")
    return Path(raw).expanduser(), parsed.query


def _neither_sqlite_nor_json(path: Path) -> bool:
    """A non-empty file that starts neither as SQLite nor as a JSON object does."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError:
        return False  # the store opener says what is wrong with it
    return bool(head) and not head.startswith(SQLITE_HEADER) and not head.lstrip()[:1] == b"{"


def is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _is_store_folder(path: Path) -> bool:
    return (path / "index.json").exists() or (path / "sessions").is_dir()


def open_adk_file(path: Path, *, read_only: bool = False, uri_query: str = "") -> Store:
    """An ADK SQLite file, opened in place; undo records in `<file>.session-tui/`."""
    from .adkdb.db import SqliteConnection
    from .adkdb.store import AdkStore
    from .adkdb.undo import sidecar_of

    path = Path(path)
    if not path.exists():
        raise NotFound(f"{path}: no such database")
    if path.is_file() and not is_sqlite_file(path):
        raise NotAStore(f"{path}: not a SQLite database")
    db = SqliteConnection(path, read_only=read_only, uri_query=uri_query)
    return AdkStore(db, path=path, history_folder=sidecar_of(path) / "history",
                    read_only=read_only)


def _open_postgres(url: str, *, read_only: bool) -> Store:
    """`adkdb.postgres.open_url(url, read_only=...)` returns the store: an AdkStore over its
    PostgreSQL Connection (adkdb/db.py), undo records in `adkdb.undo.server_folder(key)`, the
    key being the URL without password or driver (one folder whatever driver it names).
    It says in one line when the `[postgres]` extra is missing."""
    try:
        from .adkdb import postgres  # type: ignore[attr-defined]
    except ImportError:
        raise StoreError(f"{redact(url)}: PostgreSQL databases cannot be opened by this version "
                         "of session-tui yet") from None
    return postgres.open_url(url, read_only=read_only)


def redact(url: str) -> str:
    """A URL without its password (for messages and record folders)."""
    try:
        parsed = urlparse(url)
    except ValueError:
        return url
    if parsed.password is None:
        return url
    netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@", 1)
    return parsed._replace(netloc=netloc).geturl()
