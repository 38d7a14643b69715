"""What an event's searchable text is and where a match is: content, function calls and their
arguments, results, state deltas and errors, case-insensitively (session_tui/search.py)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from session_tui.formats.adk_text import render_call, render_response
from session_tui.formats.reading import read_path
from session_tui.model import Event, EventActions
from session_tui.search import (SessionText, event_hits, event_texts, folded_text, needle_of,
                                session_matches)

ADK_SESSION = Path(__file__).resolve().parents[1] / "fixtures" / "adk" / "session.json"


def found(session, query):
    return [(m.event_index, m.field) for m in session_matches(session, query)]


def test_fields_of_an_adk_session():
    # The real ADK file (google-adk's own JSON): parts kept as ADK wrote them.
    session = read_path(ADK_SESSION)[0]
    assert found(session, "CITY=\"paris") == [(1, "call")]  # a call's argument
    assert found(session, "travel_agent") == [(5, "call")]  # a call's name and argument
    assert found(session, "temp_c") == [(2, "result")]  # a function's response
    assert found(session, "favourite_city") == [(2, "state")]  # a state delta's key
    assert found(session, "\"paris\"]") == [(3, "state")]  # a state delta's value, as JSON
    assert found(session, "東京") == [(4, "content")]
    assert found(session, "  CLEAR ") == [(2, "result"), (3, "content")]  # trimmed, any case
    assert found(session, "no such words") == []
    match = session_matches(session, "PARIS?")[0]
    assert (match.event_id, match.snippet) == (session.events[0].id, "What's the weather in Paris? ☀️")
    assert match.snippet[match.start:match.start + match.length] == "Paris?"


def test_calls_results_and_errors_kept_as_extras():
    """Events written by other tools (the demo, the library): calls and responses as
    `function_calls` / `function_responses` extras, errors as `errorCode` / `errorMessage`."""
    args, response = {"order_id": "A-42550"}, {"status": "Refund-Pending"}
    events = [
        Event("e1", "i1", "agent", render_call("lookup_order", args), EventActions(), 1.0,
              {"function_calls": [{"id": "c1", "name": "lookup_order", "args": args}]}),
        Event("e2", "i1", "agent", render_response("lookup_order", response), EventActions(), 2.0,
              {"function_responses": [{"id": "c1", "name": "lookup_order", "response": response}]}),
        Event("e3", "i1", "agent", None, EventActions(), 3.0,
              {"errorCode": "RATE_LIMIT", "errorMessage": "429 Too Many Requests"}),
    ]
    assert [event_texts(e)[0][0] for e in events] == ["call", "result", "error"]
    session = read_path(ADK_SESSION)[0]
    session.events = events
    assert found(session, "a-42550") == [(0, "call")]
    assert found(session, "refund-pending") == [(1, "result")]
    assert found(session, "too many") == [(2, "error")]
    long = "x" * 500 + " the middle " + "y" * 500
    session.events = [Event("e4", "i2", "user", long, EventActions(), 4.0)]
    (match,) = session_matches(session, "MIDDLE")
    assert match.snippet.startswith("…") and match.snippet.endswith("…") and len(match.snippet) < 120
    assert match.snippet[match.start:match.start + match.length] == "middle"


words = st.text(st.sampled_from("aAbBßSsİi東 \n"), max_size=8)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(words, st.dictionaries(words, words, max_size=2)), max_size=6), words)
def test_prepared_text_finds_what_the_fields_hold(raw, query):
    """The session's folded text (what `/` and the index search) finds exactly the events one
    of whose fields holds the query, whatever the case and wherever the text breaks."""
    events = [Event(f"e{i}", "i", "a", text or None, EventActions(state_delta=delta), float(i))
              for i, (text, delta) in enumerate(raw)]
    needle = needle_of(query)
    expected = [i for i, e in enumerate(events)
                if needle and any(needle in t.casefold() for _, t in event_texts(e))]
    assert SessionText(events).find(query) == expected
    assert event_hits(folded_text(events), needle) == expected  # the index's way, for `search`
