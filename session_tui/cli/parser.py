"""The argument parser, built from every command module's `COMMANDS`."""

from __future__ import annotations

import argparse

from .. import __version__
from ..store import default_store_path
from . import changing, diff, fork, reading, search, stats
from .command import Command
from .output import Parser

# A new command: a module with COMMANDS, added here.
ALL: tuple[Command, ...] = (
    *reading.COMMANDS,
    *changing.COMMANDS,
    *fork.COMMANDS,
    *diff.COMMANDS,
    *stats.COMMANDS,
    *search.COMMANDS,
)
BY_NAME = {c.name: c for c in ALL}
WORDS = (*BY_NAME, "serve")  # every command word (`serve` opens no store here)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
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
    for command in ALL:
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        p.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help="machine-readable output")
        command.arguments(p)
    p = sub.add_parser("serve", help="run the app in a browser (textual-serve on 127.0.0.1)",
                       description="run the app in a browser (textual-serve on 127.0.0.1)")
    p.add_argument("path", nargs="?", help="store to open (default: --store)")
    p.add_argument("--port", type=int, default=8000)
    return parser
