"""The one place that turns a PATH or a URL into a store (`open_any`): the CLI, the app
(`build_app`) and the Python API (`session_tui.open_store`) all call it.

What it takes:

- a session-tui store folder, or a plain TinyDB file of sessions (`store.open_store`);
- an ADK SQLite file of either layout (recognised by its header, opened in place: `AdkStore`);
- an agent folder holding `.adk/session.db` (what `adk web` / `adk run` write). Where that
  file is a symbolic link (to a database elsewhere), it is followed, as ADK's own service
  follows it: session-tui shows and edits the database the agent uses. The undo records go
  beside the link (`.adk/session.db.session-tui/`, a real folder: never a link), never beside
  the database it leads to;
- database URLs as ADK users write them in `--session_service_uri`: `sqlite:///rel.db`,
  `sqlite:////abs.db`, `sqlite+aiosqlite:///...` (as SQLAlchemy reads them: three slashes then a
  relative path, four for an absolute one); `postgresql://`, `postgresql+asyncpg://`,
  `postgresql+psycopg://` (the driver part normalised; opened by `adkdb.postgres`);
- ADK's eval files, an eval result (`*.evalset_result.json`) or an eval set (`*.evalset.json`),
  by name or, named otherwise, by content: one session per eval case, read-only, in memory
  (`open_eval_file`).

A missing path is NotFound unless `create` (then a new store folder, as before). Every error is
one line (a StoreError).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

from .store import NotAStore, NotFound, Store, StoreError, open_store

SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_SCHEMES = ("sqlite", "sqlite+aiosqlite", "sqlite+pysqlite")
POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg", "postgresql+psycopg",
                    "postgresql+psycopg2", "postgresql+pg8000")
AGENT_DB = Path(".adk") / "session.db"
# What SQLAlchemy's pysqlite / aiosqlite dialects take from a URL's query for the driver (so
# does ADK): nothing that matters here, ignored. `mode=ro` opens read-only. Any other SQLite
# URI parameter is refused: some (nolock, vfs=unix-none, immutable) switch off SQLite's locks,
# and an edit would then write at the same time as a running agent.
DRIVER_PARAMETERS = ("timeout", "check_same_thread", "isolation_level", "detect_types",
                     "cached_statements", "uri", "factory")
# A URL as SQLAlchemy's make_url splits it (the database part runs to the first `?`).
_URL = re.compile(r"(?P<scheme>[\w+.-]+)://(?P<authority>[^/?]*)(?:/(?P<database>[^?]*))?"
                  r"(?:\?(?P<query>.*))?", re.DOTALL)
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
        read_only = read_only or _read_only_asked(text, query)
        return open_adk_file(path, read_only=read_only)
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
    if path.is_file() and _named_eval_file(path):
        return open_eval_file(path)
    if path.suffix.lower() in SQLITE_SUFFIXES and _neither_sqlite_nor_json(path):
        # Named as ADK names its databases: the TinyDB reader's JSON error would miss the point.
        raise NotAStore(f"{path}: not a SQLite database (it does not begin with SQLite's header) "
                        "nor a TinyDB file (JSON)")
    try:
        return open_store(path, create=create, load=load, read_only=read_only)
    except NotAStore as exc:
        if path.is_file() and _eval_by_content(path):
            return open_eval_file(path)
        if not path.is_dir():
            raise
        # Most likely an agent folder that no `adk web` / `adk run` has written sessions in yet.
        raise NotAStore(f"{exc}, nor an agent folder holding {AGENT_DB.as_posix()} (ADK writes "
                        "it on the agent's first run)") from None


def url_scheme(text: str) -> str | None:
    """`sqlite+aiosqlite` of `sqlite+aiosqlite:///x.db`; None for a path (`C:\\x` included)."""
    if "://" not in text and not text.startswith(("sqlite:", "postgresql:", "postgres:")):
        return None
    if "://" not in text and os.path.lexists(text):
        return None  # a file or folder named like a URL (`sqlite:agent`) is what it names
    scheme = text.split(":", 1)[0].lower()
    if len(scheme) <= 1 or not all(c.isalnum() or c in "+-." for c in scheme):
        return None
    return scheme


def sqlite_url_path(url: str) -> tuple[Path, str]:
    """The file of a SQLite URL, as SQLAlchemy (and ADK's SqliteSessionService) read it:
    `sqlite:///rel.db` is relative to the working folder, `sqlite:////abs.db` absolute,
    percent escapes decoded, the database part running to the first `?`. Returns the path and
    the query string (checked by `_read_only_asked`)."""
    shown = redact(url)
    parts = _URL.fullmatch(url)
    if parts is None:
        raise StoreError(f"{shown}: not a SQLite URL (sqlite:///relative.db or "
                         "sqlite:////absolute.db)")
    if parts["authority"]:
        raise StoreError(f"{shown}: a SQLite URL has no host (sqlite:///relative.db or "
                         "sqlite:////absolute.db)")
    raw = unquote(parts["database"] or "")
    if raw in ("", ":memory:"):
        raise StoreError(f"{shown}: an in-memory database holds no sessions to open")
    return Path(raw).expanduser(), parts["query"] or ""


def _read_only_asked(url: str, query: str) -> bool:
    """Whether the query says `mode=ro`; StoreError for a parameter session-tui does not take
    (see DRIVER_PARAMETERS)."""
    read_only = False
    for item in (p for p in query.split("&") if p):
        name, _, value = item.partition("=")
        if name == "mode" and value in ("ro", "rw", "rwc"):
            read_only = read_only or value == "ro"
        elif name not in DRIVER_PARAMETERS:
            raise StoreError(f"{redact(url)}: the URL parameter {name!r} is not taken (only "
                             "mode=ro, and the driver's own: "
                             f"{', '.join(DRIVER_PARAMETERS)}); nothing opened")
    return read_only


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


def _named_eval_file(path: Path) -> bool:
    from .formats.adk_eval import kind_of_name

    return kind_of_name(path) is not None


def _eval_by_content(path: Path) -> bool:
    """A file that is not a store and holds an ADK eval result or eval set (read only once
    the store opener refused it: a big TinyDB file is never read twice)."""
    from .formats.reading import EVAL_KINDS, detect

    try:
        return detect(path.read_bytes()) in EVAL_KINDS
    except OSError:
        return False


def open_eval_file(path: Path) -> Store:
    """An ADK eval result or eval set as a read-only store of one session per eval case.
    A malformed file: NotAStore, one line naming the file and the place."""
    from .formats import adk_eval
    from .model import SessionFormatError
    from .store.read_only_memory import ReadOnlyMemoryStore

    def load(file: Path):
        evals = adk_eval.read_eval_path(file)
        return evals.sessions, evals.notes()

    try:
        first = adk_eval.read_eval_path(path)
    except SessionFormatError as exc:
        raise NotAStore(str(exc)) from None
    what = {"result": "an ADK eval result", "set": "an ADK eval set"}[first.kind]
    return ReadOnlyMemoryStore(path, load, kind="adk-eval", first=(first.sessions, first.notes()),
                               reason=f"{what}, a session per eval case")


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
    # The sidecar and its history folder must be real folders beside the file (never a link).
    return AdkStore(db, path=path, history_folder=sidecar_of(path) / "history",
                    read_only=read_only, history_root=path.parent)


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
    """A URL without its password (for messages and record folders). Also for a URL that
    does not parse (`[::1` without its bracket): everything between `user:` and the last `@`
    goes, which holds the password however a parser would split it."""
    try:
        parsed = urlparse(url)
        password = parsed.password
    except ValueError:
        password = ...
    if password is None:
        return url
    if isinstance(password, str) and url.count(f":{password}@") == 1:
        netloc = parsed.netloc.replace(f":{password}@", ":***@", 1)
        return parsed._replace(netloc=netloc).geturl()
    head, sep, rest = url.partition("://")
    user = re.match(r"[^:/@]*:", rest)
    if not sep or user is None or "@" not in rest:
        return url
    return f"{head}://{user.group(0)}***@{rest[rest.rfind('@') + 1:]}"
