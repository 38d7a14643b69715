"""Shared bits for the format tests: the real ADK fixtures (made by scripts/make_adk_fixtures.py
with google-adk's own session services) and sessions built by hand with the model classes."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from session_tui.model import Event, EventActions, Session

ADK_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "adk"


@pytest.fixture
def adk_fixtures() -> Path:
    return ADK_FIXTURES


def demo_like_session() -> Session:
    """A session as session-tui's own demo and store make them: text content, function calls as
    `function_calls` / `function_responses` extras, usage metadata, a transfer, an escalation,
    an edit event with no content, app:/user: keys, an initial_state extra, unicode."""
    inv1, inv2, edit = "e-inv-1", "e-inv-2", "edit-0b9d"
    call = {"id": "adk-call-1", "name": "search_flights", "args": {"origin": "SFO", "dest": "NRT", "pax": 2}}
    resp = {"id": "adk-call-1", "name": "search_flights",
            "response": {"flights": [{"no": "JL1", "price": 812.5}], "note": None}}
    events = [
        Event("ev-1", inv1, "user", "Find me flights to Tokyo 🗼 next week", EventActions(), 1767225600.25),
        Event("ev-2", inv1, "travel_agent", 'search_flights(origin="SFO", dest="NRT", pax=2)',
              EventActions(), 1767225601.5, {"function_calls": [call]}),
        Event("ev-3", inv1, "travel_agent",
              'search_flights -> {"flights": [{"no": "JL1", "price": 812.5}], "note": null}',
              EventActions(state_delta={"flight_options": [{"no": "JL1"}], "user:home": "SFO"}),
              1767225602.0, {"function_responses": [resp]}),
        Event("ev-4", inv1, "travel_agent", "JL1 leaves at 11:05. Shall I book it?\nIt is 812.50 $.",
              EventActions(state_delta={"app:searches": 1}), 1767225605,
              {"usage_metadata": {"prompt_token_count": 900, "candidates_token_count": 20,
                                  "total_token_count": 920}}),
        Event("ev-5", inv2, "user", "Yes, and ask the hotel agent", EventActions(), 1767225700.125),
        Event("ev-6", inv2, "travel_agent", "Transferring you.",
              EventActions(transfer_to_agent="hotel_agent", skip_summarization=True), 1767225701.0,
              {"branch": "travel_agent"}),
        Event("ev-7", inv2, "hotel_agent", "I cannot do that; escalating.",
              EventActions(escalate=True, state_delta={"booking": {"status": "pending"}}), 1767225702.75),
        Event("ev-8", edit, "session-tui", None, EventActions(state_delta={"booking": None}), 1767229000.0),
    ]
    state = {"flight_options": [{"no": "JL1"}], "user:home": "SFO", "app:searches": 1, "lang": "日本語"}
    return Session("demo-1", "travel_app", "alice", state, "2026-01-01T00:00:00Z",
                   "2026-01-01T00:56:40Z", events, {"initial_state": {"lang": "日本語"}})


@pytest.fixture
def demo_session() -> Session:
    return demo_like_session()


@pytest.fixture
def strip_keys():
    return _strip_keys


def _strip_keys(value, keys=("adk_raw",)):
    """A copy of a JSON value without the given keys at any depth."""
    if isinstance(value, dict):
        return {k: _strip_keys(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [_strip_keys(v, keys) for v in value]
    return copy.deepcopy(value)
