"""`session-tui search TEXT [--session ID]`: where a text occurs in the events of the store's
sessions (content, function calls and their arguments, results, state deltas, errors),
case-insensitively.

`--json` prints `[{"session_id", "event_id", "field", "snippet"}]`; the text form prints one
line per match (`SESSION EVENT FIELD: SNIPPET`). No match is not an error: exit 0, `[]` (JSON)
or "no matches" on stderr (text), so a script tells "none" from a failure by the exit code.

Across the store it goes through the search index kept in the user's cache folder (see
search_index.py: only sessions changed since the last search are read again); `--no-cache`
reads every session instead and keeps nothing.
"""

from __future__ import annotations

import argparse

from ..store import Store
from ..text import one_line
from .command import Command
from .output import UsageError, print_json, say


def cmd_search(store: Store, args) -> int:
    if not args.text.strip():
        raise UsageError("session-tui search: TEXT is empty (see --help)")
    from ..search_index import search_store  # (here: the other commands never need it)

    found = search_store(store, args.text, session_id=args.id, persist=not args.no_cache)
    if args.json:
        print_json([m.to_json() for m in found])
        return 0
    count = 0
    for m in found:
        count += 1
        print(f"{m.session_id} {m.match.event_id} {m.match.field}: {one_line(m.match.snippet)}")
    if not count:
        say("no matches")
    return 0


def search_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("text", metavar="TEXT", help="what to look for (case-insensitive)")
    p.add_argument("--session", dest="id", metavar="ID", help="only in this session")
    p.add_argument("--no-cache", action="store_true",
                   help="read every session; neither use nor write the index in the cache folder")


COMMANDS = (
    Command("search", "find a text in the events of every session (or one)", cmd_search,
            search_arguments),
)
