"""The demo sessions: deterministic, realistic, consistent, and covering what the app must show."""

from __future__ import annotations

import copy
import itertools
import re

import orjson
import pytest

from session_tui.demo import demo_sessions, generate_sessions
from session_tui.formats.adk_text import render_call, render_response
from session_tui.formats.session_json import dumps_sessions_jsonl, read_sessions
from session_tui.model import Session, apply_delta, format_time, from_unix, parse_time

NOW = 1795000000.0


@pytest.fixture(scope="module")
def demo() -> list[Session]:
    return demo_sessions()


def _replay(session: Session) -> dict:
    state = copy.deepcopy(session.initial_state) if session.initial_state is not None else {}
    for event in session.events:
        apply_delta(state, event.actions.state_delta)
    return state


def _all_events(sessions):
    return [e for s in sessions for e in s.events]


def test_deterministic(demo):
    again = demo_sessions()
    assert again == demo
    assert dumps_sessions_jsonl(again) == dumps_sessions_jsonl(demo)
    other = demo_sessions(seed=8)
    assert [s.id for s in other] != [s.id for s in demo]
    assert demo_sessions(now=NOW + 86400)[0].created_at != demo[0].created_at


def test_counts(demo):
    assert len(demo) == 30
    assert len({s.app_name for s in demo}) >= 3
    assert len({s.user_id for s in demo}) >= 4
    assert len({s.id for s in demo}) == 30
    assert len({e.id for e in _all_events(demo)}) == len(_all_events(demo))
    empty = [s for s in demo if not s.events]
    assert len(empty) == 1
    for s in demo:
        if s.events:
            assert 3 <= len(s.invocation_ids()) <= 10, s.id


def test_state_is_the_replay_of_initial_state_and_deltas(demo):
    for s in demo:
        assert s.state == _replay(s), s.id
    assert sum(s.initial_state is not None for s in demo) >= 3


def test_initial_state_is_overwritten_somewhere(demo):
    """So that a rewind has creation-time values to restore."""
    assert any(k in s.initial_state and s.state.get(k) != s.initial_state[k]
               for s in demo if s.initial_state for k in s.initial_state)


def test_empty_session(demo):
    (empty,) = [s for s in demo if not s.events]
    assert empty.state == {} and empty.created_at == empty.updated_at and "initial_state" not in empty.extra


def test_times(demo):
    start, end = from_unix(NOW - 22 * 86400), from_unix(NOW)
    for s in demo:
        created, updated = parse_time(s.created_at), parse_time(s.updated_at)
        assert start <= created <= updated <= end
        stamps = [e.timestamp for e in s.events]
        assert all(isinstance(t, float) for t in stamps)
        assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
        if s.events:
            assert created < from_unix(stamps[0])
            assert s.updated_at == format_time(from_unix(stamps[-1]))
    stamps = [e.timestamp for e in _all_events(demo)]
    assert any(t != int(t) for t in stamps) and any(t == int(t) for t in stamps)
    days = {parse_time(s.created_at).date() for s in demo}
    assert len(days) >= 10  # spread over the weeks, not one afternoon


def test_agents_transfers_and_escalation(demo):
    events = _all_events(demo)
    authors = {e.author for e in events}
    assert "user" in authors and len(authors - {"user", "session-tui"}) >= 6
    transfers = [e for e in events if e.actions.transfer_to_agent]
    assert transfers and all(e.content.startswith("transfer_to_agent") for e in transfers)
    assert any(e.actions.escalate for e in events)


def test_tool_calls_and_responses(demo):
    events = _all_events(demo)
    calls = [e for e in events if "function_calls" in e.extra]
    responses = [e for e in events if "function_responses" in e.extra]
    assert len(calls) >= 30 and len(responses) == len(calls)
    for e in calls:
        (call,) = e.extra["function_calls"]
        assert e.content == render_call(call["name"], call["args"])
        assert re.fullmatch(r"\w+\(.*\)", e.content, re.S)
    for e in responses:
        (resp,) = e.extra["function_responses"]
        assert e.content == render_response(resp["name"], resp["response"])
        assert e.content.startswith(resp["name"] + " -> ")
    call_ids = [e.extra["function_calls"][0]["id"] for e in calls]
    assert call_ids == [e.extra["function_responses"][0]["id"] for e in responses]
    assert render_call("search_flights", {"origin": "SFO", "dest": "NRT"}) == 'search_flights(origin="SFO", dest="NRT")'


def test_edit_events_as_session_tui_records_them(demo):
    edits = [e for e in _all_events(demo) if e.invocation_id.startswith("edit-")]
    assert len(edits) >= 2
    for e in edits:
        assert re.fullmatch(r"edit-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", e.invocation_id)
        assert e.author == "session-tui" and e.content is None
        assert len(e.actions.state_delta) == 1 and not e.extra
        assert not e.actions.escalate and e.actions.transfer_to_agent is None
    assert any(v is None for e in edits for v in e.actions.state_delta.values())  # a deleted key


def test_deltas_cover_json_kinds_prefixes_and_removals(demo):
    kinds = set()

    def walk(v):
        kinds.add(type(v).__name__)
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    deltas = [e.actions.state_delta for e in _all_events(demo)]
    for d in deltas:
        walk(d)
    assert {"dict", "list", "str", "int", "float", "bool", "NoneType"} <= kinds
    keys = {k for d in deltas for k in d}
    for prefix in ("app:", "user:", "temp:"):
        assert any(k.startswith(prefix) for k in keys), prefix
    assert any(v is None for d in deltas for v in d.values())  # key removals


def test_unicode(demo):
    text = dumps_sessions_jsonl(demo).decode("utf-8")
    for needle in ("東京", "São Paulo", "Zürich", "Köln", "🎉", "zoë.müller", "chloé.martin"):
        assert needle in text, needle


def test_one_session_has_text_a_terminal_must_not_interpret(demo):
    hostile = [s for s in demo if any("\x1b]0;pwned\x07" in (e.content or "") for e in s.events)]
    assert len(hostile) == 1
    contents = "".join(e.content or "" for e in hostile[0].events)
    for needle in ("[bold red]not markup[/]", "[link=https://example.com]x[/link]", "\x1b[31m", "\x1b]0;pwned\x07"):
        assert needle in contents
    assert read_sessions(dumps_sessions_jsonl(hostile)) == hostile


def test_every_session_round_trips(demo):
    for s in demo:
        exported = s.export()
        again = Session.from_json(orjson.loads(orjson.dumps(exported)))
        assert again == s
        assert orjson.dumps(again.export()) == orjson.dumps(exported)
    assert read_sessions(dumps_sessions_jsonl(demo)) == demo


def test_content_is_realistic_english(demo):
    users = [e.content for e in _all_events(demo) if e.author == "user"]
    assert len(set(users)) >= 40
    assert all(c and c[0].isupper() or c.isdigit() for c in users)


# ------------------------------------------------------------------------------ benchmarks


def test_generate_sessions_shape_and_determinism():
    sessions = list(generate_sessions(40, 25, seed=3))
    assert len(sessions) == 40 and all(len(s.events) == 25 for s in sessions)
    assert list(generate_sessions(40, 25, seed=3)) == sessions
    assert list(generate_sessions(5, 25, seed=4)) != sessions[:5]
    assert len({s.id for s in sessions}) == 40
    for s in sessions:
        assert s.state == _replay(s)
        stamps = [e.timestamp for e in s.events]
        assert stamps == sorted(stamps)
        assert parse_time(s.updated_at) == from_unix(stamps[-1])
        assert Session.from_json(s.export()) == s
    assert len({s.app_name for s in sessions}) > 1 and len({s.user_id for s in sessions}) > 1
    assert list(itertools.islice(generate_sessions(10**9, 4), 2))  # lazy


def test_generate_sessions_edge_sizes():
    assert list(generate_sessions(0, 10)) == []
    (s,) = generate_sessions(1, 0)
    assert s.events == [] and s.created_at == s.updated_at and s.state == {}
