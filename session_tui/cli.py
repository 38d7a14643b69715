"""The command line: `session-tui [--store PATH] COMMAND ...`, or `session-tui [PATH]` for the app.

The command names, `--json` shapes and exit codes are a contract (SPEC section 6): exit 0 on
success, 1 when asked for something that does not exist, 2 on bad input or a store that cannot be
used, always with one line on stderr and nothing changed.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import Any, Sequence

import orjson

from . import __version__, jsonio
from . import pointer as jp
from .eventinfo import annulled_by, rewind_target
from .model import SessionFormatError, format_time, from_unix, state_after, to_unix
from .store.base import SUMMARY_KEYS
from .store import (
    CONFLICT_POLICIES,
    NotFound,
    Store,
    StoreError,
    default_store_path,
)
from .opening import open_any, url_scheme
from .prefixes import AmbiguousPrefix, resolve
from .text import cell_width, one_line, plural, safe

class UsageError(Exception):
    """Bad input from the command line (exit 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (argparse prints the whole usage, then the error)."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _print_json(value: Any) -> None:
    sys.stdout.buffer.write(jsonio.dumps(value, jsonio.INDENT) + b"\n")
    sys.stdout.flush()


def _say(text: str) -> None:
    print(safe(text), file=sys.stderr)


# ------------------------------------------------------------------------------- commands


def cmd_list(store: Store, args) -> int:
    rows = sorted(store.list(), key=lambda r: to_unix(r["updated_at"]), reverse=True)
    annulled = [r.get("annulled_count") or 0 for r in rows]
    rows = [{k: r[k] for k in SUMMARY_KEYS} for r in rows]
    for problem in store.problems:  # never left out silently: one line each
        _say(f"session-tui: warning: cannot read {_one_line(problem)}")
    for note in getattr(store, "notes", []):
        _say(f"session-tui: note: {_one_line(note)}")
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("no sessions")
        return 0
    # Nothing is cut: a script (or a person) must be able to use every id it sees.
    # Events a rewind annulled (kept in the log) counted apart, as the app's list shows them.
    table = [("APP", "USER", "ID", "EVENTS", "INV", "UPDATED")] + [
        (one_line(r["app_name"]), one_line(r["user_id"]), one_line(r["id"]),
         f"{r['event_count']}" + (f" ↶{n}" if n else ""), str(r["invocation_count"]),
         r["updated_at"]) for r, n in zip(rows, annulled)]
    widths = [max(cell_width(row[c]) for row in table) for c in range(5)]
    for row in table:
        cells = [_pad(row[c], widths[c], right=c in (3, 4)) for c in range(5)]
        print(f"{cells[0]}  {cells[1]}  {cells[2]}  {cells[3]}  {cells[4]}  {row[5]}")
    return 0


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * (width - cell_width(text))
    return gap + text if right else text + gap


def _at_event(session, at: str) -> int:
    """How many events `--at EVENT` keeps: a 1-based index, or an event id (or its prefix)."""
    ids = [e.id for e in session.events]
    if at.isascii() and at.isdigit() and at not in ids:
        n = int(at)
        if not 1 <= n <= len(ids):
            raise NotFound(f"session {session.id!r} has no event {n} (it has {len(ids)})")
        return n
    event_id = resolve(at, ids, "event id")
    if event_id not in ids:
        raise NotFound(f"session {session.id!r}: no event {at!r}")
    return ids.index(event_id) + 1


def cmd_show(store: Store, args) -> int:
    session = store.get(args.id)
    if args.at is not None:
        keep = _at_event(session, args.at)
        session.state = state_after(session, keep).state
        del session.events[keep:]
    if args.json:
        _print_json(session.export())
        return 0
    print(safe(f"session  {session.id}\napp      {session.app_name}\nuser     {session.user_id}\n"
               f"created  {session.created_at}\nupdated  {session.updated_at}"))
    print("state")
    print(safe(jsonio.dumps(session.state, jsonio.INDENT).decode()))
    annulled = annulled_by(session.events)
    print(f"events   {len(session.events)}" + (f" ({len(annulled)} annulled by a rewind: ↶)"
                                                 if annulled else ""))
    for i, e in enumerate(session.events):
        content = "" if e.content is None else e.content.replace("\n", " ")[:80]
        if (target := rewind_target(e)) is not None:
            content = f"rewind before {target}"
        delta = f"  Δ {', '.join(e.actions.state_delta)}" if e.actions.state_delta else ""
        mark = "↶ " if i in annulled else "  "
        print(safe(f"{mark}{format_time(from_unix(e.timestamp))}  {e.invocation_id}  "
                   f"{e.author}  {content}{delta}"))
    return 0


def _parse_value(text: str) -> Any:
    try:
        return jsonio.parse(text)
    except jsonio.JSONLimitError as exc:
        raise UsageError(f"value {_short(text)}: {exc}") from None
    except orjson.JSONDecodeError as exc:
        raise UsageError(f"value {_short(text)} is not JSON ({exc}); write a string as '\"text\"'") from None


def _short(text: str) -> str:
    return repr(text) if len(text) <= 60 else repr(text[:57] + "...")


def _edited(session, args, done: str) -> int:
    if args.json:
        _print_json({"id": session.id, "updated_at": session.updated_at, "state": session.state})
    else:
        _say(f"{done} in session {session.id}")
    return 0


def cmd_set(store: Store, args) -> int:
    value = _parse_value(args.value)
    return _edited(store.set_value(args.id, args.pointer, value), args, f"set {args.pointer}")


def cmd_unset(store: Store, args) -> int:
    return _edited(store.unset_value(args.id, args.pointer), args, f"removed {args.pointer}")


def cmd_export(store: Store, args) -> int:
    from .formats import exporting

    ids = store.ids() if args.all else args.ids
    if not ids:
        raise UsageError("name the sessions to export, or --all")
    sessions = [store.get(i) for i in ids]
    if not args.output or args.output == "-":
        if args.format == "adk" and len(sessions) != 1:
            raise UsageError("--format adk with several sessions writes one file each: give -o FOLDER")
        data = exporting.encode_adk(sessions[0]) if args.format == "adk" else exporting.encode_sessions(sessions)
        sys.stdout.buffer.write(data)
        return 0
    written = exporting.export(sessions, Path(args.output), args.format, overwrite=args.force)
    _say(f"exported {plural(len(sessions), 'session')} to {', '.join(str(p) for p in written)}")
    return 0


def read_imports(files: list[str]) -> list:
    from .formats import reading

    sessions = []
    for name in files:
        sessions.extend(reading.read_path(Path(name)))
    return sessions


def cmd_import(store: Store, args) -> int:
    sessions = args.sessions if hasattr(args, "sessions") else read_imports(args.files)
    report = store.import_sessions(sessions, on_conflict=args.on_conflict)
    if args.json:
        _print_json(report.to_json())
        return 0
    _say(import_text(report))
    return 0


def import_text(report) -> str:
    """Every session of the import accounted for, in one line."""
    parts = [f"imported {len(report.new_ids)} new"]
    if report.replaced:
        parts.append(f"replaced {len(report.replaced)} (undo ID restores each)")
    if report.renamed:
        parts.append("kept both for " + ", ".join(f"{a} (as {b})" for a, b in report.renamed))
    if report.skipped:
        parts.append(f"skipped {len(report.skipped)} already in the store: {', '.join(report.skipped)}"
                     " (use --on-conflict replace or keep-both)")
    if report.duplicates:
        parts.append(f"{plural(len(report.duplicates), 'session')} came twice in the input: "
                     f"{', '.join(report.duplicates)} (the later one met the earlier as a conflict)")
    return "; ".join(parts)


def cmd_rewind(store: Store, args) -> int:
    rewind = store.preview_rewind if args.dry_run else store.rewind
    try:
        plan = rewind(args.id, args.invocation, before=args.before)
    except NotFound:
        # Not a whole invocation id: a prefix of one? (The session is read a second time only
        # then: a big session is not read twice for every rewind.)
        invocation = resolve(args.invocation, store.get(args.id).invocation_ids(), "invocation id")
        if invocation == args.invocation:
            raise
        plan = rewind(args.id, invocation, before=args.before)
    if args.json:
        _print_json(plan.to_json())
        return 0
    verb = {"removed": "would remove", "annulled": "would annul"}[plan.fate] if args.dry_run \
        else plan.fate
    _say(f"{verb} {plural(plan.removed_events, 'event')}; state keys changed: "
         f"{', '.join(plan.state_changes) or 'none'}")
    if plan.unrecorded:
        _say(f"earlier value not recorded (removed): {', '.join(plan.unrecorded)}")
    if plan.staying:
        _say(f"shared keys stay as they are (app:/user:/temp: are not this session's to roll "
             f"back): {', '.join(plan.staying)}")
    return 0


def cmd_undo(store: Store, args) -> int:
    result = store.undo(args.id)
    if args.json:
        _print_json(result.to_json())
    else:
        _say(f"undid {result.undone}: {plural(result.restored_events, 'event')} back, "
             f"{result.removed_events} removed")
    return 0


def cmd_check(store: Store, args) -> int:
    report = store.check()
    if args.json:
        _print_json({"sound": report.sound, "repaired": report.repaired, "damaged": report.damaged})
    else:
        for line in report.repaired:
            _say(f"repaired: {line}")
        for line in report.damaged:
            _say(f"damaged: {line}")
        if report.sound:
            _say(f"store is sound ({len(store.list())} sessions)")
    return 0 if report.sound else 2


def cmd_demo(store: Store, args) -> int:
    from .demo import demo_sessions

    report = store.import_sessions(demo_sessions(seed=args.seed), on_conflict="skip")
    if args.json:
        _print_json({"added": report.added, "skipped": report.skipped})
    else:
        _say(f"added {len(report.added)} demo sessions to {store.path}"
             + (f" ({len(report.skipped)} were there already)" if report.skipped else ""))
    return 0


# ------------------------------------------------------------------------------- parsing


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="session-tui",
        description="Browse, edit, rewind and export AI agent sessions (ADK family). "
                    "With no command, starts the app on PATH (or the store).")
    parser.add_argument("--store", metavar="PATH",
                        help="store folder, TinyDB file, ADK session database (a SQLite file, "
                             "an agent folder holding .adk/session.db, or a URL: sqlite:///x.db, "
                             "postgresql://...), opened in place (default: $SESSION_TUI_STORE, "
                             f"else {default_store_path()})")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--read-only", action="store_true",
                        help="open the store read-only: reading works, every change is refused "
                             "(a store that cannot be written opens so by itself)")
    parser.add_argument("--version", action="version", version=f"session-tui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help="machine-readable output")
        return p

    command("list", "list the sessions")
    p = command("show", "show one session")
    p.add_argument("id")
    p.add_argument("--at", metavar="EVENT", help="as it was right after this event (an event id, "
                   "or its 1-based number)")
    p = command("set", "set a state value: POINTER is a JSON Pointer, JSON the value")
    p.add_argument("id")
    p.add_argument("pointer")
    p.add_argument("value", metavar="JSON")
    p = command("unset", "remove a state value")
    p.add_argument("id")
    p.add_argument("pointer")
    p = command("export", "export sessions (one: a JSON object; many: JSON Lines)")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--all", action="store_true", help="every session in the store")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: standard output)")
    p.add_argument("--format", choices=("session", "adk"), default="session")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p = command("import", "import sessions from files (all or nothing)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--on-conflict", choices=CONFLICT_POLICIES, default="skip",
                   help="what to do with a session whose id is already in the store")
    p = command("rewind", "rewind a session to (or before) an invocation; undoable")
    p.add_argument("id")
    p.add_argument("invocation")
    p.add_argument("--before", action="store_true", help="remove the invocation too")
    p.add_argument("--dry-run", action="store_true", help="only show what would change")
    p = command("undo", "undo the last change of a session")
    p.add_argument("id")
    command("check", "verify every file of the store and rebuild its index")
    p = command("demo", "fill the store with realistic demo sessions")
    p.add_argument("--seed", type=int, default=7)
    p = command("serve", "run the app in a browser (textual-serve on 127.0.0.1)")
    p.add_argument("path", nargs="?", help="store to open (default: --store)")
    p.add_argument("--port", type=int, default=8000)
    return parser


HANDLERS = {"list": cmd_list, "show": cmd_show, "set": cmd_set, "unset": cmd_unset,
            "export": cmd_export, "import": cmd_import, "rewind": cmd_rewind, "undo": cmd_undo,
            "check": cmd_check, "demo": cmd_demo}
COMMANDS = (*HANDLERS, "serve")  # every command word (`serve` opens no store here)


def _split_app_path(argv: list[str]) -> tuple[list[str], str | None]:
    """`session-tui [options] PATH` (no command) starts the app on PATH."""
    rest = list(argv)
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg == "--store":
            i += 2
            continue
        if arg == "--":  # `session-tui -- -odd-name`: what follows is a command or the path
            after = rest[i + 1:i + 2]
            if after and after[0] not in COMMANDS:
                return rest[:i] + rest[i + 2:], after[0]
            return rest, None
        if arg.startswith("-"):
            i += 1
            continue
        if arg in COMMANDS:
            return rest, None
        if "--store" in rest[:i] or not (os.path.lexists(arg) or _looks_like_a_path(arg)):
            # `--store S bogus` or `session-tui lst`: a mistyped command, not a store path.
            raise UsageError(f"session-tui: unknown command {arg!r} (commands: {', '.join(COMMANDS)})")
        return rest[:i] + rest[i + 1:], arg
    return rest, None


def _looks_like_a_path(arg: str) -> bool:
    """A word that was meant as a path even though nothing is there (so: "no such store")."""
    return any(mark in arg for mark in (os.sep, "/", ".", "~", ":")) or arg.endswith(".json")


def _resolve_ids(store: Store, args) -> None:
    """Session ids (and `rewind`'s invocation, `show --at`'s event) by unambiguous prefix."""
    def exact(session_id: str) -> bool:
        # A deleted session is still known by its undo history: `undo x` must not become `x~2`.
        return session_id in store or store.history.path(session_id).exists()

    if getattr(args, "id", None) is not None and not exact(args.id):
        args.id = resolve(args.id, store.ids(), "session id")
    if getattr(args, "ids", None):
        known = store.ids()
        args.ids = [i if exact(i) else resolve(i, known, "session id") for i in args.ids]


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or exc.__class__.__name__


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        argv, app_path = _split_app_path(argv)
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        _say(_one_line(exc))  # already says where: "session-tui export: ..."
        return 2
    if args.command == "serve":
        return _serve(args)
    if args.command is None:
        # `session-tui --store S FILE`: FILE to import offers S as the store to import into.
        return _run_app(app_path or args.store, args.store if app_path else None, args.read_only)
    try:
        creating = args.command in ("demo", "import")
        if args.command == "import":
            # Read (and so validate) the input before the store is opened or created: bad
            # input changes nothing, not even by creating an empty store folder.
            args.sessions = read_imports(args.files)
        store = open_any(args.store, create=creating and not args.read_only,
                         read_only=args.read_only)
        _resolve_ids(store, args)
        return HANDLERS[args.command](store, args)
    except (NotFound, jp.PointerNotFound) as exc:
        _say(f"session-tui: {_one_line(exc)}")
        return 1
    except (StoreError, SessionFormatError, jp.PointerError, UsageError, AmbiguousPrefix) as exc:
        _say(f"session-tui: {_one_line(exc)}")
        return 2
    except BrokenPipeError:
        # `session-tui list | head`: the reader left; not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        _say(f"session-tui: {exc.filename or ''}: {exc.strerror or exc}")
        return 2


def _run_app(path: str | None, default_store: str | None = None, read_only: bool = False) -> int:
    from .app import AppConfig, build_app
    from .settings import default_settings_path
    from .store import StoreError

    try:
        app = build_app(path, default_store=default_store, read_only=read_only,
                        config=AppConfig(settings=default_settings_path()))
    except StoreError as exc:
        _say(f"session-tui: {_one_line(exc)}")
        return 1 if isinstance(exc, NotFound) else 2
    app.run()
    return app.return_code or 0


def _serve(args) -> int:
    from textual_serve.server import Server

    path = args.path or args.store
    command = f"{sys.executable} -m session_tui"
    if path:
        command += f" --store {shlex.quote(path if url_scheme(path) else os.path.abspath(path))}"
    server = Server(command, host="127.0.0.1", port=args.port, title="session-tui")
    server.serve()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
