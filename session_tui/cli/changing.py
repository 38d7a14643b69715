"""Commands that change a store: set, unset, rewind, undo, import, export, demo."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import orjson

from .. import jsonio
from ..prefixes import resolve
from ..store import CONFLICT_POLICIES, NotFound, Store
from ..text import plural
from .command import Command
from .output import UsageError, print_json, say, short


def _parse_value(text: str) -> Any:
    try:
        return jsonio.parse(text)
    except jsonio.JSONLimitError as exc:
        raise UsageError(f"value {short(text)}: {exc}") from None
    except orjson.JSONDecodeError as exc:
        raise UsageError(f"value {short(text)} is not JSON ({exc}); write a string as '\"text\"'") from None


def _edited(session, args, done: str) -> int:
    if args.json:
        print_json({"id": session.id, "updated_at": session.updated_at, "state": session.state})
    else:
        say(f"{done} in session {session.id}")
    return 0


def cmd_set(store: Store, args) -> int:
    value = _parse_value(args.value)
    return _edited(store.set_value(args.id, args.pointer, value), args, f"set {args.pointer}")


def cmd_unset(store: Store, args) -> int:
    return _edited(store.unset_value(args.id, args.pointer), args, f"removed {args.pointer}")


def cmd_export(store: Store, args) -> int:
    from ..formats import exporting

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
    say(f"exported {plural(len(sessions), 'session')} to {', '.join(str(p) for p in written)}")
    return 0


def read_imports(files: list[str]) -> list:
    from ..formats import reading

    sessions = []
    for name in files:
        sessions.extend(reading.read_path(Path(name)))
    return sessions


def cmd_import(store: Store, args) -> int:
    sessions = args.sessions if hasattr(args, "sessions") else read_imports(args.files)
    report = store.import_sessions(sessions, on_conflict=args.on_conflict)
    if args.json:
        print_json(report.to_json())
        return 0
    say(import_text(report))
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
        print_json(plan.to_json())
        return 0
    verb = {"removed": "would remove", "annulled": "would annul"}[plan.fate] if args.dry_run \
        else plan.fate
    say(f"{verb} {plural(plan.removed_events, 'event')}; state keys changed: "
         f"{', '.join(plan.state_changes) or 'none'}")
    if plan.unrecorded:
        say(f"earlier value not recorded (removed): {', '.join(plan.unrecorded)}")
    if plan.staying:
        say(f"shared keys stay as they are (app:/user:/temp: are not this session's to roll "
             f"back): {', '.join(plan.staying)}")
    return 0


def cmd_undo(store: Store, args) -> int:
    result = store.undo(args.id)
    if args.json:
        print_json(result.to_json())
    else:
        say(f"undid {result.undone}: {plural(result.restored_events, 'event')} back, "
             f"{result.removed_events} removed")
    return 0


def cmd_demo(store: Store, args) -> int:
    from ..demo import demo_sessions

    report = store.import_sessions(demo_sessions(seed=args.seed), on_conflict="skip")
    if args.json:
        print_json({"added": report.added, "skipped": report.skipped})
    else:
        say(f"added {len(report.added)} demo sessions to {store.path}"
             + (f" ({len(report.skipped)} were there already)" if report.skipped else ""))
    return 0


def edit_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument("pointer")


def set_arguments(p: argparse.ArgumentParser) -> None:
    edit_arguments(p)
    p.add_argument("value", metavar="JSON")


def export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--all", action="store_true", help="every session in the store")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: standard output)")
    p.add_argument("--format", choices=("session", "adk"), default="session")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")


def import_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--on-conflict", choices=CONFLICT_POLICIES, default="skip",
                   help="what to do with a session whose id is already in the store")


def rewind_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument("invocation")
    p.add_argument("--before", action="store_true", help="remove the invocation too")
    p.add_argument("--dry-run", action="store_true", help="only show what would change")


def id_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")


def demo_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=7)


COMMANDS = (
    Command("set", "set a state value: POINTER is a JSON Pointer, JSON the value", cmd_set,
            set_arguments),
    Command("unset", "remove a state value", cmd_unset, edit_arguments),
    Command("export", "export sessions (one: a JSON object; many: JSON Lines)", cmd_export,
            export_arguments),
    Command("import", "import sessions from files (all or nothing)", cmd_import, import_arguments,
            creates_store=True),
    Command("rewind", "rewind a session to (or before) an invocation; undoable", cmd_rewind,
            rewind_arguments),
    Command("undo", "undo the last change of a session", cmd_undo, id_argument),
    Command("demo", "fill the store with realistic demo sessions", cmd_demo, demo_arguments,
            creates_store=True),
)
