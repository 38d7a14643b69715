"""Tokens and time per step (session_tui/stats.py): the rules on small sessions, and on the real
ADK files in ../shared/real-sessions the same sums as their usage metadata added up here, straight
from the raw JSON and SQL rows (skipped where that folder is absent)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from session_tui.formats.reading import read_path
from session_tui.model import Event
from session_tui.opening import open_any
from session_tui.stats import (KINDS, event_duration, event_tokens, figures_text, session_stats,
                               short_duration, short_tokens, stats_json, total_tokens)
from session_tui.store import DirectoryStore

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-sessions"
DATABASES = sorted(p for p in REAL.glob("*.db")) if REAL.is_dir() else []
EXPORTS = sorted(p for p in REAL.glob("*.json") if ".evalset" not in p.name) if REAL.is_dir() else []

# The spellings of each count in the raw files (google-adk's field name, its JSON alias).
RAW = {"prompt": "prompt_token_count", "candidates": "candidates_token_count",
       "thoughts": "thoughts_token_count", "cached": "cached_content_token_count",
       "total": "total_token_count"}


def ev(i: int, inv: str, ts: float, usage: dict | None = None, key: str = "usageMetadata") -> Event:
    return Event(f"e{i}", inv, "agent", "hi", timestamp=ts, extra={key: usage} if usage else {})


# ------------------------------------------------------------------------------------- rules

def test_tokens_in_either_spelling_with_the_total_from_the_parts_where_it_is_missing():
    camel = ev(0, "a", 0, {"promptTokenCount": 100, "candidatesTokenCount": 20,
                           "thoughtsTokenCount": 5, "cachedContentTokenCount": 60,
                           "totalTokenCount": 130})
    snake = ev(1, "a", 1, {"prompt_token_count": 7, "candidates_token_count": 3,
                           "tool_use_prompt_token_count": 2}, key="usage_metadata")
    odd = ev(2, "a", 2, {"promptTokenCount": True, "totalTokenCount": "9"})
    assert event_tokens(camel) == {"prompt": 100, "candidates": 20, "thoughts": 5, "cached": 60,
                                   "total": 130}
    assert event_tokens(snake) == {"prompt": 7, "candidates": 3, "thoughts": 0, "cached": 0,
                                   "total": 12}  # no total: prompt + output + tool-use prompt
    assert event_tokens(odd) == dict.fromkeys(KINDS, 0)  # not numbers: not counted
    assert event_tokens(ev(3, "a", 3)) is None
    assert total_tokens([ev(3, "a", 3)]) is None  # unknown, not 0
    assert total_tokens([camel, snake, ev(3, "a", 3)]) == 142


def test_durations_per_event_add_up_to_their_invocation():
    events = [ev(0, "a", 100.0), ev(1, "a", 101.5), ev(2, "a", 104.0),  # a: 4 s
              ev(3, "b", 200.0), ev(4, "b", 203.25),  # b: 3.25 s (the gap before it is not b's)
              ev(5, "c", 300.0)]  # c: one event, no time
    durations = [event_duration(events, i) for i in range(len(events))]
    assert durations == [None, 1.5, 2.5, None, 3.25, None]
    stats = session_stats(events)
    assert [(i.id, i.events, i.duration_s) for i in stats.invocations] == [
        ("a", 3, 4.0), ("b", 2, 3.25), ("c", 1, 0.0)]
    assert stats.duration_s == 7.25 and stats.total_tokens is None
    out = stats_json(stats)
    assert set(out) == {"invocations", "totals"}
    assert out["totals"] == {"events": 6, "invocations": 3, "tokens": dict.fromkeys(KINDS, 0),
                             "duration_s": 7.25}


def test_an_interleaved_invocation_spans_its_first_to_its_last_event():
    events = [ev(0, "a", 10.0, {"totalTokenCount": 5}), ev(1, "b", 11.0),
              ev(2, "a", 14.0, {"totalTokenCount": 6})]
    stats = {i.id: i for i in session_stats(events).invocations}
    assert stats["a"].duration_s == 4.0 and stats["a"].tokens["total"] == 11
    assert event_duration(events, 2) is None  # the event before is b's


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10**13), st.floats(0, 10**8, allow_nan=False), st.integers(20, 200))
def test_short_figures_fit_their_cells(tokens, seconds, width):
    assert 1 <= len(short_tokens(tokens)) <= 5 and 1 <= len(short_duration(seconds)) <= 5
    assert len(figures_text(tokens, seconds, width)) == (11 if width >= 64 else 5)


# --------------------------------------------------------------------- a store keeps the total

def test_the_store_folder_lists_total_tokens_and_reads_an_older_index_again(tmp_path):
    store = DirectoryStore(tmp_path / "s", create=True)
    store.create("app", "u", session_id="s1")
    store.append_event("s1", ev(0, "a", 1_790_000_000, {"totalTokenCount": 40}))
    store.create("app", "u", session_id="s2")
    assert {r["id"]: r["total_tokens"] for r in store.list()} == {"s1": 40, "s2": None}
    # An index written before the tokens were counted: its documents lack them.
    index = json.loads(store.index_path.read_bytes())
    for docs in index.values():
        for doc in docs.values():
            doc.pop("total_tokens", None)
    store.index_path.write_text(json.dumps(index))
    assert {r["id"]: r["total_tokens"] for r in DirectoryStore(tmp_path / "s").list()} == {
        "s1": 40, "s2": None}


# ------------------------------------------------------------------ the real ADK sessions

def _add(sums: dict, usage: dict | None) -> None:
    """Usage metadata as stored (snake_case in databases, camelCase in exports) added up."""
    if not isinstance(usage, dict):
        return
    for kind, snake in RAW.items():
        camel = snake.split("_")[0] + "".join(w.title() for w in snake.split("_")[1:])
        sums[kind] += usage.get(snake, usage.get(camel, 0)) or 0
    sums["with_usage"] += 1


def _raw_database(path: Path) -> dict:
    """{(app, user, session): {invocation: {kind: sum, "times": [...]}}} from the SQL rows."""
    out: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        columns = {r[1] for r in db.execute("PRAGMA table_info(events)")}
        data = "event_data" if "event_data" in columns else "usage_metadata"
        if data not in columns:
            return {}
        for app, user, sid, inv, ts, raw in db.execute(
                f"SELECT app_name, user_id, session_id, invocation_id, timestamp, {data} FROM events"):
            value = json.loads(raw) if raw else {}
            sums = out[(app, user, sid)][inv]
            if data == "event_data":
                _add(sums, value.get("usage_metadata"))
                sums.setdefault("times", []).append(value.get("timestamp", ts))
            else:  # schema 0: a column of its own (times: naive local, not compared)
                _add(sums, value)
    return out


def _check(ours, raw_invocations: dict, with_times: bool) -> None:
    stats = {i.id: i for i in session_stats(ours.events).invocations}
    for inv, sums in raw_invocations.items():
        assert {k: stats[inv].tokens[k] for k in KINDS} == {k: sums[k] for k in KINDS}, inv
        if with_times:
            assert stats[inv].duration_s == pytest.approx(max(sums["times"]) - min(sums["times"]))
    with_usage = sum(s["with_usage"] for s in raw_invocations.values())
    expected_total = sum(s["total"] for s in raw_invocations.values()) if with_usage else None
    assert total_tokens(ours.events) == expected_total


@pytest.mark.skipif(not DATABASES, reason="no ../shared/real-sessions/*.db here")
@pytest.mark.parametrize("source", DATABASES, ids=lambda p: p.name)
def test_stats_of_a_real_database_are_the_sums_of_its_usage_metadata(source, tmp_path):
    path = tmp_path / source.name
    shutil.copy(source, path)
    path.chmod(0o644)
    raw = _raw_database(path)
    store = open_any(path)
    try:
        rows = store.list()
        assert rows and not store.problems
        for row in rows:
            key = store.resolve(row["id"])
            session = store.get(row["id"])
            _check(session, raw.get(key, {}), with_times=".session.db" in source.name
                   or "migrated" in source.name)
            # The list's column, summed in SQL, says the same.
            assert row["total_tokens"] == total_tokens(session.events)
    finally:
        store.close()


@pytest.mark.skipif(not EXPORTS, reason="no ../shared/real-sessions/*.json here")
@pytest.mark.parametrize("source", EXPORTS, ids=lambda p: p.name)
def test_stats_of_a_real_export_are_the_sums_of_its_usage_metadata(source):
    value = json.loads(source.read_bytes())
    raw: dict = defaultdict(lambda: defaultdict(int))
    for event in value["events"]:
        sums = raw[event["invocationId"]]
        _add(sums, event.get("usageMetadata"))
        sums.setdefault("times", []).append(event["timestamp"])
    [session] = read_path(source)
    _check(session, raw, with_times=True)
