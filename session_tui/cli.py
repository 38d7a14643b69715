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

from . import jsonio
from . import pointer as jp
from .model import SessionFormatError, format_time, from_unix, to_unix
from .store.base import SUMMARY_KEYS
from .store import (
    CONFLICT_POLICIES,
    NotFound,
    Store,
    StoreError,
    default_store_path,
    open_store,
)
from .text import safe

COMMANDS = ("list", "show", "set", "unset", "export", "import", "rewind", "undo", "check", "demo",
            "serve")


class UsageError(Exception):
    """Bad input from the command line (exit 2)."""


def _print_json(value: Any) -> None:
    sys.stdout.buffer.write(jsonio.dumps(value, jsonio.INDENT) + b"\n")
    sys.stdout.flush()


def _say(text: str) -> None:
    print(safe(text), file=sys.stderr)


# ------------------------------------------------------------------------------- commands


def cmd_list(store: Store, args) -> int:
    rows = sorted(store.list(), key=lambda r: to_unix(r["updated_at"]), reverse=True)
    rows = [{k: r[k] for k in SUMMARY_KEYS} for r in rows]
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("no sessions")
        return 0
    header = f"{'APP':<20} {'USER':<14} {'ID':<36} {'EVENTS':>6} {'INV':>4}  UPDATED"
    print(header)
    for r in rows:
        print(safe(f"{r['app_name'][:20]:<20} {r['user_id'][:14]:<14} {r['id'][:36]:<36} "
                   f"{r['event_count']:>6} {r['invocation_count']:>4}  {r['updated_at']}"))
    return 0


def cmd_show(store: Store, args) -> int:
    session = store.get(args.id)
    if args.json:
        _print_json(session.export())
        return 0
    print(safe(f"session  {session.id}\napp      {session.app_name}\nuser     {session.user_id}\n"
               f"created  {session.created_at}\nupdated  {session.updated_at}"))
    print("state")
    print(safe(jsonio.dumps(session.state, jsonio.INDENT).decode()))
    print(f"events   {len(session.events)}")
    for e in session.events:
        content = "" if e.content is None else e.content.replace("\n", " ")[:80]
        delta = f"  Δ {', '.join(e.actions.state_delta)}" if e.actions.state_delta else ""
        print(safe(f"  {format_time(from_unix(e.timestamp))}  {e.invocation_id[:12]:<12} "
                   f"{e.author[:16]:<16} {content}{delta}"))
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
    if args.format == "adk":
        if not args.output:
            if len(sessions) != 1:
                raise UsageError("--format adk with several sessions writes one file each: give -o FOLDER")
            sys.stdout.buffer.write(exporting.encode_adk(sessions[0]))
            return 0
        written = exporting.write_adk(sessions, Path(args.output), overwrite=args.force)
    else:
        data = exporting.encode_sessions(sessions)
        if not args.output or args.output == "-":
            sys.stdout.buffer.write(data)
            return 0
        written = [exporting.write_file(Path(args.output), data, overwrite=args.force)]
    _say(f"exported {len(sessions)} session(s) to {', '.join(str(p) for p in written)}")
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
        _print_json({"added": report.added, "replaced": report.replaced,
                     "renamed": report.renamed, "skipped": report.skipped})
        return 0
    parts = [f"imported {len(report.added)}"]
    if report.replaced:
        parts.append(f"replaced {len(report.replaced)}")
    if report.renamed:
        parts.append("kept both for " + ", ".join(f"{a} (as {b})" for a, b in report.renamed.items()))
    if report.skipped:
        parts.append(f"skipped {len(report.skipped)} already in the store: {', '.join(report.skipped)}"
                     " (use --on-conflict replace or keep-both)")
    _say("; ".join(parts))
    return 0


def cmd_rewind(store: Store, args) -> int:
    if args.dry_run:
        plan = store.preview_rewind(args.id, args.invocation, before=args.before)
    else:
        plan = store.rewind(args.id, args.invocation, before=args.before)
    if args.json:
        _print_json(plan.to_json())
        return 0
    verb = "would remove" if args.dry_run else "removed"
    _say(f"{verb} {plan.removed_events} event(s); state keys changed: "
         f"{', '.join(plan.state_changes) or 'none'}")
    if plan.unrecorded:
        _say(f"earlier value not recorded (removed): {', '.join(plan.unrecorded)}")
    return 0


def cmd_undo(store: Store, args) -> int:
    result = store.undo(args.id)
    if args.json:
        _print_json(result.to_json())
    else:
        _say(f"undid {result.undone}: {result.restored_events} event(s) back, "
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
    parser = argparse.ArgumentParser(
        prog="session-tui",
        description="Browse, edit, rewind and export AI agent sessions (ADK family). "
                    "With no command, starts the app on PATH (or the store).")
    parser.add_argument("--store", metavar="PATH",
                        help="store folder or TinyDB file (default: $SESSION_TUI_STORE, else "
                             f"{default_store_path()})")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--version", action="version", version="session-tui 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help="machine-readable output")
        return p

    command("list", "list the sessions")
    p = command("show", "show one session")
    p.add_argument("id")
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
        return rest[:i] + rest[i + 1:], arg
    return rest, None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or exc.__class__.__name__


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    argv, app_path = _split_app_path(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command is None:
        # `session-tui --store S FILE`: FILE to import offers S as the store to import into.
        return _run_app(app_path or args.store, args.store if app_path else None)
    try:
        creating = args.command in ("demo", "import")
        if args.command == "import":
            # Read (and so validate) the input before the store is opened or created: bad
            # input changes nothing, not even by creating an empty store folder.
            args.sessions = read_imports(args.files)
        store = open_store(args.store, create=creating)
        return HANDLERS[args.command](store, args)
    except (NotFound, jp.PointerNotFound) as exc:
        _say(f"session-tui: {_one_line(exc)}")
        return 1
    except (StoreError, SessionFormatError, jp.PointerError, UsageError) as exc:
        _say(f"session-tui: {_one_line(exc)}")
        return 2
    except BrokenPipeError:
        # `session-tui list | head`: the reader left; not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        _say(f"session-tui: {exc.filename or ''}: {exc.strerror or exc}")
        return 2


def _run_app(path: str | None, default_store: str | None = None) -> int:
    from .app import build_app
    from .store import StoreError

    try:
        app = build_app(path, default_store=default_store)
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
        command += f" --store {shlex.quote(os.path.abspath(path))}"
    server = Server(command, host="127.0.0.1", port=args.port, title="session-tui")
    server.serve()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
