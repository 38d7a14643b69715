"""`session-tui fork ID INVOCATION [--before] [--id NEW]`: a new session holding the events up to
(or before) the invocation, with the state a rewind there restores; the original untouched.
`--json` prints `{"id": NEW, "events": N}`. `undo NEW` removes the fork again."""

from __future__ import annotations

import argparse

from ..prefixes import resolve
from ..store import NotFound, Store
from ..text import plural
from .command import Command
from .output import print_json, say


def cmd_fork(store: Store, args) -> int:
    def fork(invocation: str):
        return store.fork(args.id, invocation, before=args.before, new_id=args.new_id)

    try:
        result = fork(args.invocation)
    except NotFound:
        # A prefix of an invocation id? (The session is read again only then, as rewind does.)
        invocation = resolve(args.invocation, store.get(args.id).invocation_ids(), "invocation id")
        if invocation == args.invocation:
            raise
        result = fork(invocation)
    if args.json:
        print_json(result.to_json())
        return 0
    plan = result.plan
    where = f"{'before' if args.before else 'up to'} invocation {plan.invocation_id}"
    say(f"forked {args.id} {where} as {result.id}: {plural(result.events, 'event')}; state keys "
        f"restored: {', '.join(plan.state_changes) or 'none'} (undo {result.id} removes it)")
    return 0


def fork_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument("invocation")
    p.add_argument("--before", action="store_true",
                   help="hold the events before the invocation (without it)")
    p.add_argument("--id", dest="new_id", metavar="NEW",
                   help="the fork's id (default: ID-fork, ID-fork-2, ...)")


COMMANDS = (
    Command("fork", "a new session from a session's events up to (or before) an invocation, "
            "with the state a rewind there restores; the original untouched; undoable",
            cmd_fork, fork_arguments),
)
