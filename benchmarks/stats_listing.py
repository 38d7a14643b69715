"""What the session list's token column costs on a big ADK SQLite database opened in place: the
list of 10,000 sessions (adk_in_place.py's database, every model event given google-adk's
`usage_metadata`) with the tokens summed in SQL, against the same list without them.

    python benchmarks/stats_listing.py                 # 10,000 sessions, both ADK layouts
    python benchmarks/stats_listing.py --sessions 500  # a quick run

Each figure is the median of --repeat runs, in milliseconds (a fresh store each run: the
first list of a database, the one the user waits for).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import adk_in_place  # noqa: E402


def add_usage(path: Path) -> int:
    """Give every event not by the user usage metadata as Gemini reports it; how many."""
    with sqlite3.connect(path) as db:
        return db.execute(
            "UPDATE events SET event_data = json_set(event_data, '$.usage_metadata', "
            "json_object('prompt_token_count', 900 + length(id), 'candidates_token_count', 40, "
            "'thoughts_token_count', 12, 'total_token_count', 952 + length(id))) "
            "WHERE json_extract(event_data, '$.author') != 'user'").rowcount


def measure(layout: str, sessions: int, repeat: int, tmp: Path) -> dict:
    from session_tui.adkdb import layouts
    from session_tui.opening import open_any

    path = tmp / f"{layout}.db"
    adk_in_place.say(f"{layout}: writing {sessions:,} sessions ...")
    adk_in_place.build(layout, path, sessions)
    with_usage = add_usage(path)

    def listing():
        store = open_any(path)
        rows = store.list()
        store.close()
        return rows

    rows = listing()
    assert all(isinstance(r["total_tokens"], int) for r in rows)
    with_tokens = adk_in_place.median_ms(listing, repeat)
    original = layouts.Layout.tokens_sql
    layouts.Layout.tokens_sql = lambda self: "NULL"  # the list as it was before the column
    try:
        without = adk_in_place.median_ms(listing, repeat)
    finally:
        layouts.Layout.tokens_sql = original
    return {"sessions": sessions, "events_with_usage": with_usage,
            "list_with_tokens_ms": with_tokens, "list_without_tokens_ms": without,
            "tokens_cost_ms": round(with_tokens - without, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--layout", choices=("sqlite", "database", "both"), default="both")
    args = parser.parse_args()
    chosen = ("sqlite", "database") if args.layout == "both" else (args.layout,)
    with tempfile.TemporaryDirectory(prefix="stats-listing-") as tmp:
        results = {layout: measure(layout, args.sessions, args.repeat, Path(tmp))
                   for layout in chosen}
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
