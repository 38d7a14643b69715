"""The command line: `session-tui [--store PATH] COMMAND ...`, or `session-tui [PATH]` for the app.

The command names, `--json` shapes and exit codes are a contract (SPEC section 6): exit 0 on
success, 1 when asked for something that does not exist, 2 on bad input or a store that cannot be
used, always with one line on stderr and nothing changed. Each command lives in a module of this
package (reading.py, changing.py, ...) as a `Command`; parser.py lists them.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Sequence

from .output import UsageError, one_line, say

# Everything else is imported where it is used: `list --json` on a store folder is answered by
# quick.py from the index alone, without the store, the parser or the commands.

def _split_app_path(argv: list[str]) -> tuple[list[str], str | None]:
    """`session-tui [options] PATH` (no command) starts the app on PATH."""
    from .parser import WORDS

    rest = list(argv)
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg == "--store":
            i += 2
            continue
        if arg == "--":  # `session-tui -- -odd-name`: what follows is a command or the path
            after = rest[i + 1:i + 2]
            if after and after[0] not in WORDS:
                return rest[:i] + rest[i + 2:], after[0]
            return rest, None
        if arg.startswith("-"):
            i += 1
            continue
        if arg in WORDS:
            return rest, None
        if "--store" in rest[:i] or not (os.path.lexists(arg) or _looks_like_a_path(arg)):
            # `--store S bogus` or `session-tui lst`: a mistyped command, not a store path.
            raise UsageError(f"session-tui: unknown command {arg!r} (commands: {', '.join(WORDS)})")
        return rest[:i] + rest[i + 1:], arg
    return rest, None


def _looks_like_a_path(arg: str) -> bool:
    """A word that was meant as a path even though nothing is there (so: "no such store")."""
    return any(mark in arg for mark in (os.sep, "/", ".", "~", ":")) or arg.endswith(".json")


def _resolve_ids(store, args) -> None:
    """Session ids (and `rewind`'s invocation, `show --at`'s event) by unambiguous prefix."""
    from ..prefixes import resolve

    def exact(session_id: str) -> bool:
        # A deleted session is still known by its undo history: `undo x` must not become `x~2`.
        return session_id in store or store.history.path(session_id).exists()

    if getattr(args, "id", None) is not None and not exact(args.id):
        args.id = resolve(args.id, store.ids(), "session id")
    if getattr(args, "ids", None):
        known = store.ids()
        args.ids = [i if exact(i) else resolve(i, known, "session id") for i in args.ids]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from .quick import quick_list

    answered = quick_list(argv)
    if answered is not None:
        return answered
    from .. import pointer as jp
    from ..model import SessionFormatError
    from ..prefixes import AmbiguousPrefix
    from ..store import NotFound, StoreError
    from .changing import read_imports
    from .parser import BY_NAME, build_parser

    try:
        argv, app_path = _split_app_path(argv)
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        say(one_line(exc))  # already says where: "session-tui export: ..."
        return 2
    if args.command == "serve":
        return _serve(args)
    if args.command is None:
        # `session-tui --store S FILE`: FILE to import offers S as the store to import into.
        return _run_app(app_path or args.store, args.store if app_path else None, args.read_only)
    try:
        command = BY_NAME[args.command]
        if args.command == "import":
            # Read (and so validate) the input before the store is opened or created: bad
            # input changes nothing, not even by creating an empty store folder.
            args.sessions = read_imports(args.files)
        store = _open_store(args.store, command.creates_store and not args.read_only, args.read_only,
                            load=not command.trusts_index)
        if not getattr(store, "loaded", True):  # a store folder, opened for `list`
            store.trust_index = True
            store.load()
        _resolve_ids(store, args)
        return command.run(store, args)
    except (NotFound, jp.PointerNotFound) as exc:
        say(f"session-tui: {one_line(exc)}")
        return 1
    except (StoreError, SessionFormatError, jp.PointerError, UsageError, AmbiguousPrefix) as exc:
        say(f"session-tui: {one_line(exc)}")
        return 2
    except BrokenPipeError:
        # `session-tui list | head`: the reader left; not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        say(f"session-tui: {exc.filename or ''}: {exc.strerror or exc}")
        return 2


def _open_store(path: str | None, create: bool, read_only: bool, load: bool = True):
    """open_any, and where PATH is a file of sessions to import rather than a store (an ADK
    session JSON export, say), a refusal that says so and what to do with it."""
    from ..opening import open_any
    from ..store import NotAStore

    try:
        return open_any(path, create=create, read_only=read_only, load=load)
    except NotAStore:
        from ..formats.reading import importable_kind

        kind = importable_kind(Path(path)) if path is not None and Path(path).is_file() else None
        if kind is None:
            raise
        what = {"adk-json": "an ADK session JSON export"}.get(kind, "a file of sessions")
        raise NotAStore(f"{path}: {what} to import, not a store: `session-tui import "
                        f"{shlex.quote(path)}` brings it into your store") from None


def _run_app(path: str | None, default_store: str | None = None, read_only: bool = False) -> int:
    from ..app import AppConfig, build_app
    from ..settings import default_settings_path
    from ..store import NotFound, StoreError

    try:
        app = build_app(path, default_store=default_store, read_only=read_only,
                        config=AppConfig(settings=default_settings_path()))
    except StoreError as exc:
        say(f"session-tui: {one_line(exc)}")
        return 1 if isinstance(exc, NotFound) else 2
    app.run()
    return app.return_code or 0


def _serve(args) -> int:
    from textual_serve.server import Server

    from ..opening import url_scheme

    path = args.path or args.store
    command = f"{sys.executable} -m session_tui"
    if path:
        command += f" --store {shlex.quote(path if url_scheme(path) else os.path.abspath(path))}"
    server = Server(command, host="127.0.0.1", port=args.port, title="session-tui")
    server.serve()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
