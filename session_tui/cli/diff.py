"""`session-tui diff A [B]`: two sessions, or one session at two points (`--from`, `--to`).

The JSON shape and how events are aligned: session_tui/diff.py. The text form is a unified
listing: `+ /pointer value` (added), `- /pointer value` (removed), `~ /pointer old -> new`
(changed), then the events: a summary line and each event that is not the same on both sides.
"""

from __future__ import annotations

import argparse

from .. import jsonio
from ..diff import diff_points, diff_sessions, one_sided
from ..model import Session
from ..prefixes import resolve
from ..store import Store
from ..text import safe
from .command import Command
from .output import UsageError, print_json
from .reading import at_event


def cmd_diff(store: Store, args) -> int:
    points = args.from_event is not None or args.to_event is not None
    if args.other is not None and points:
        raise UsageError("diff: --from/--to compare two points of one session; "
                         "give one session, or two sessions without them")
    if args.other is None and not points:
        raise UsageError("diff: give a second session, or --from/--to EVENT "
                         "(see --help)")
    a = store.get(args.id)
    events = a.events
    if points:
        keep_a = 0 if args.from_event is None else at_event(a, args.from_event)
        keep_b = len(a.events) if args.to_event is None else at_event(a, args.to_event)
        result = diff_points(a, keep_a, keep_b)
        names = (_point_name(a, keep_a), _point_name(a, keep_b))
    else:
        other = args.other if args.other in store else resolve(args.other, store.ids(), "session id")
        b = store.get(other)
        result = diff_sessions(a, b)
        names = (f"session {a.id}", f"session {b.id}")
        events = a.events + b.events
    if args.json:
        print_json(result)
    else:
        print(safe("\n".join(text_lines(result, *names, described=one_sided(result, events)))))
    return 0


def _point_name(session: Session, keep: int) -> str:
    if keep == 0:
        return f"session {session.id} before its first event"
    return f"session {session.id} after event {keep} ({session.events[keep - 1].id})"


def _value(value) -> str:
    return jsonio.dumps(value).decode()


def text_lines(result: dict, name_a: str, name_b: str,
               described: dict[str, tuple[str, str]] | None = None) -> list[str]:
    """The diff as a person reads it (whole values: a script may copy them); `described`:
    diff.one_sided's author and preview of the events only one side has."""
    lines = [f"--- {name_a}", f"+++ {name_b}"]
    state = result["state"]
    if not state:
        lines.append("state: the same")
    for path, change in state.items():
        if "old" not in change:
            lines.append(f"+ {path} {_value(change['new'])}")
        elif "new" not in change:
            lines.append(f"- {path} {_value(change['old'])}")
        else:
            lines.append(f"~ {path} {_value(change['old'])} -> {_value(change['new'])}")
    events = result["events"]
    lines.append(f"events: {events['same']} the same, {len(events['changed'])} changed, "
                 f"{len(events['only_a'])} only in A, {len(events['only_b'])} only in B")
    for pair in events["changed"]:
        ids = pair["a"] if pair["a"] == pair["b"] else f"{pair['a']} / {pair['b']}"
        lines.append(f"~ event {ids}: {', '.join(pair['fields'])}")
    described = described or {}
    for glyph, side in (("-", "a"), ("+", "b")):
        for event_id in events[f"only_{side}"]:
            author, text = described.get(event_id, ("", ""))
            lines.append(f"{glyph} event {event_id} (only in {side.upper()})"
                         + (f": {author}: {text}" if author or text else ""))
    return lines


def diff_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", metavar="A", help="a session (id or an unambiguous prefix)")
    p.add_argument("other", metavar="B", nargs="?", help="the session to compare it with")
    p.add_argument("--from", dest="from_event", metavar="EVENT",
                   help="A as it was right after this event (an event id or its prefix, or its "
                        "1-based number; default: before the first event)")
    p.add_argument("--to", dest="to_event", metavar="EVENT",
                   help="against A right after this event (default: after the last)")


COMMANDS = (
    Command("diff", "compare two sessions, or one session at two events: state (deep, by JSON "
            "Pointer) and events", cmd_diff, diff_arguments),
)
