"""`session-tui stats ID`: tokens and time per invocation of one session, and its totals
(the rules: session_tui/stats.py)."""

from __future__ import annotations

import argparse

from ..stats import KINDS, session_stats, stats_json
from ..store import Store
from ..text import cell_width, one_line
from .command import Command
from .output import pad, print_json

HEAD = ("INVOCATION", "EVENTS", *(k.upper() for k in KINDS), "SECONDS")


def cmd_stats(store: Store, args) -> int:
    stats = session_stats(store.get(args.id).events)
    if args.json:
        print_json(stats_json(stats))
        return 0
    # Nothing is cut (an invocation id is something to paste); numbers right-aligned.
    rows = [HEAD] + [
        (one_line(i.id), str(i.events), *(str(i.tokens[k]) for k in KINDS), f"{i.duration_s:.3f}")
        for i in stats.invocations]
    rows.append(("total", str(stats.events), *(str(stats.tokens[k]) for k in KINDS),
                 f"{stats.duration_s:.3f}"))
    widths = [max(cell_width(row[c]) for row in rows) for c in range(len(HEAD))]
    for row in rows:
        print("  ".join(pad(cell, widths[c], right=c > 0) for c, cell in enumerate(row)).rstrip())
    return 0


def stats_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")


COMMANDS = (
    Command("stats", "tokens (from ADK's usageMetadata) and time per invocation of one session",
            cmd_stats, stats_arguments),
)
