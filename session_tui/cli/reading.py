"""Commands that read: list, show, check."""

from __future__ import annotations

import argparse

from .. import jsonio
from ..eventinfo import annulled_by, rewind_target
from ..model import format_time, from_unix, state_after
from ..prefixes import resolve
from ..store import NotFound, Store
from ..store.summaries import SUMMARY_KEYS
from ..text import cell_width, one_line as line_of, safe
from .command import Command
from .output import one_line, pad, print_json, say


def cmd_list(store: Store, args) -> int:
    if args.json:
        rows = store.listing(SUMMARY_KEYS)
        annulled = []
    else:
        rows = store.listing(SUMMARY_KEYS + ("annulled_count",))
        annulled = [r.pop("annulled_count") or 0 for r in rows]
    for problem in store.problems:  # never left out silently: one line each
        say(f"session-tui: warning: cannot read {one_line(problem)}")
    for note in getattr(store, "notes", []):
        say(f"session-tui: note: {one_line(note)}")
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("no sessions")
        return 0
    # Nothing is cut: a script (or a person) must be able to use every id it sees.
    # Events a rewind annulled (kept in the log) counted apart, as the app's list shows them.
    table = [("APP", "USER", "ID", "EVENTS", "INV", "UPDATED")] + [
        (line_of(r["app_name"]), line_of(r["user_id"]), line_of(r["id"]),
         f"{r['event_count']}" + (f" ↶{n}" if n else ""), str(r["invocation_count"]),
         r["updated_at"]) for r, n in zip(rows, annulled)]
    widths = [max(cell_width(row[c]) for row in table) for c in range(5)]
    for row in table:
        cells = [pad(row[c], widths[c], right=c in (3, 4)) for c in range(5)]
        print(f"{cells[0]}  {cells[1]}  {cells[2]}  {cells[3]}  {cells[4]}  {row[5]}")
    return 0


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


at_event = _at_event  # (public: `diff --from/--to` takes an event the same way)


def cmd_show(store: Store, args) -> int:
    session = store.get(args.id)
    if args.at is not None:
        keep = _at_event(session, args.at)
        session.state = state_after(session, keep).state
        del session.events[keep:]
    if args.json:
        print_json(session.export())
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
    from ..formats import adk_eval_text  # (here: `list` never needs it)

    for line in adk_eval_text.summary_lines(session):  # an eval case: metrics, expected vs actual
        print(safe(line))
    return 0


def cmd_check(store: Store, args) -> int:
    report = store.check()
    if args.json:
        print_json({"sound": report.sound, "repaired": report.repaired, "damaged": report.damaged})
    else:
        for line in report.repaired:
            say(f"repaired: {line}")
        for line in report.damaged:
            say(f"damaged: {line}")
        if report.sound:
            say(f"store is sound ({len(store.list())} sessions)")
    return 0 if report.sound else 2


def show_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument("--at", metavar="EVENT", help="as it was right after this event (an event id, "
                   "or its 1-based number)")


COMMANDS = (
    Command("list", "list the sessions", cmd_list, trusts_index=True),
    Command("show", "show one session", cmd_show, show_arguments),
    Command("check", "verify every file of the store and rebuild its index", cmd_check),
)
