"""Events a rewind annulled (issue 9, point 6): `eventinfo.annulled_by` follows google-adk's own
rule, checked against google-adk itself:

- for any log of events (random invocations, rewinds naming earlier, later, unknown or their own
  invocations, nested in each other), the events google-adk's `_apply_rewinds` keeps (the one
  function its runner, LLM contents and compaction use to drop rewound events) are exactly the
  events that are neither annulled nor rewind events;
- on real rewinds made by google-adk's `Runner.rewind_async` (a model-free agent, nested rewinds
  included), read back from its SQLite database and from its session JSON: the same, and time
  travel (`state_after`) at each point gives the state google-adk's `get_session` gave then.

Skipped where google-adk is not installed.
"""

from __future__ import annotations

import asyncio
import json
import warnings

import pytest
from hypothesis import given, settings, strategies as st
from budget import examples

from session_tui.eventinfo import annulled_by, annulled_count, rewind_target
from session_tui.model import Event, EventActions, Session, state_after
from session_tui.store import DirectoryStore
from session_tui.store.summaries import summary_of

pytest.importorskip("google.adk")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from google.adk.agents import BaseAgent
    from google.adk.events import Event as AdkEvent, EventActions as AdkActions
    from google.adk.runners import Runner
    from google.adk.sessions import Session as AdkSession
    from google.adk.sessions.sqlite_session_service import SqliteSessionService
    from google.genai import types
    try:
        from google.adk.events._rewind_events import _apply_rewinds
    except ImportError:  # pragma: no cover - a google-adk without rewinds
        pytest.skip("google-adk without Runner.rewind_async", allow_module_level=True)

from session_tui.formats import adk_json, reading  # noqa: E402


def ev(i: int, inv: str, rewind: str | None = None, delta: dict | None = None,
       spelling: str = "rewindBeforeInvocationId") -> Event:
    actions = EventActions(state_delta=delta or {})
    if rewind is not None:
        actions.extra[spelling] = rewind
    return Event(f"e{i}", inv, "agent", None, actions, 1_764_000_000 + i)


def log(*specs) -> list[Event]:
    """`"a"`: an event of invocation a; `("r", "a")`: a rewind event (invocation r) before a."""
    return [ev(i, s) if isinstance(s, str) else ev(i, s[0], s[1]) for i, s in enumerate(specs)]


# ------------------------------------------------------------------------- the rule by hand

def test_a_rewind_annuls_from_the_first_event_of_its_invocation_up_to_itself():
    events = log("a", "b", "b", "c", ("r1", "b"), "d")
    assert annulled_by(events) == {1: 4, 2: 4, 3: 4}
    assert annulled_count(events) == 3
    assert rewind_target(events[4]) == "b" and rewind_target(events[0]) is None


def test_a_rewind_inside_an_annulled_range_has_no_effect_of_its_own():
    # r1 (before b) is itself annulled by r2 (before a): its range is r2's, as in ADK's walk.
    events = log("a", "b", ("r1", "b"), "c", ("r2", "a"), "d")
    assert annulled_by(events) == {0: 4, 1: 4, 2: 4, 3: 4}
    # An annulled rewind naming an invocation before the outer range annuls nothing more:
    # ADK's walk jumps over it.
    events = log("a", "b", "c", ("r1", "a"), ("r2", "c"), "d")
    assert annulled_by(events) == {2: 4, 3: 4}
    # Two rewinds one after the other: each its own range.
    events = log("a", "b", ("r1", "b"), "c", ("r2", "c"))
    assert annulled_by(events) == {1: 2, 3: 4}


def test_rewinds_that_annul_nothing():
    # Unknown invocation; an invocation whose first event comes later; its own invocation.
    assert annulled_by(log("a", ("r", "zz"), "b")) == {}
    assert annulled_by(log("a", ("r", "b"), "b")) == {}
    assert annulled_by(log("a", ("r", "r"))) == {}
    # An empty id is no rewind (ADK: a falsy rewind_before_invocation_id).
    assert rewind_target(ev(0, "a", "")) is None
    assert annulled_by([ev(0, "a"), ev(1, "b", "")]) == {}


def test_both_spellings_of_the_action_are_read():
    events = [ev(0, "a"), ev(1, "r", "a", spelling="rewind_before_invocation_id")]
    assert annulled_by(events) == {0: 1}


def test_counts_in_the_summary():
    session = Session("s", "app", "u", {}, "2025-11-24T16:00:00Z", "2025-11-24T16:00:00Z",
                      log("a", "b", ("r1", "b"), "c"))
    row = summary_of(session)
    assert row["annulled_count"] == 1 and row["event_count"] == 4


# ------------------------------------------------------------------ against google-adk's rule

INVOCATIONS = ("a", "b", "c", "d")


@st.composite
def adk_logs(draw) -> list[AdkEvent]:
    """Random logs: events of a few invocations, some of them rewinds naming any invocation
    (known, unknown, later, their own)."""
    out = []
    for i in range(draw(st.integers(0, 14))):
        inv = draw(st.sampled_from(INVOCATIONS))
        target = draw(st.one_of(st.none(), st.none(), st.sampled_from(INVOCATIONS + ("zz",))))
        out.append(AdkEvent(id=f"e{i}", invocation_id=inv, author="agent", timestamp=1_764_000_000 + i,
                            actions=AdkActions(rewind_before_invocation_id=target)))
    return out


def model_events(adk_events: list[AdkEvent]) -> list[Event]:
    """google-adk's events as session-tui reads them (its JSON, as `adk web` exports it)."""
    return [adk_json.event_from_adk(json.loads(e.model_dump_json(by_alias=True, exclude_none=True)))
            for e in adk_events]


def live_indices(events: list[Event]) -> list[int]:
    """What session-tui says google-adk keeps: neither annulled nor a rewind event."""
    annulled = annulled_by(events)
    return [i for i, e in enumerate(events) if i not in annulled and rewind_target(e) is None]


@settings(max_examples=examples(60), deadline=None)
@given(adk_logs())
def test_annulled_events_are_the_ones_google_adk_drops(adk_events):
    events = model_events(adk_events)
    kept = [int(e.id[1:]) for e in _apply_rewinds(adk_events)]
    assert live_indices(events) == kept
    # Every annulled event points at a rewind event after it.
    for index, rewind in annulled_by(events).items():
        assert index < rewind and rewind_target(events[rewind]) is not None


# -------------------------------------------------------- real rewinds by google-adk's Runner

class DeltaAgent(BaseAgent):
    """A model-free agent: the user's message is a JSON list of state deltas; it answers with
    one event per delta."""

    async def _run_async_impl(self, ctx):
        for delta in json.loads(ctx.user_content.parts[0].text):
            yield AdkEvent(invocation_id=ctx.invocation_id, author=self.name,
                           content=types.Content(role="model", parts=[types.Part(text=f"set {sorted(delta)}")]),
                           actions=AdkActions(state_delta=delta))


async def _agent_with_rewinds(path) -> tuple[list[tuple[int, dict]], str]:
    """A session built by google-adk: invocations A, B (two events), rewind before B, C, rewind
    before B again (nested: it annuls the first rewind), D, rewind before D, E. Returns google-
    adk's state after each step (events so far, state) and its session JSON at the end."""
    service = SqliteSessionService(str(path))
    try:
        session = await service.create_session(app_name="app", user_id="u", session_id="s",
                                               state={"kept": "at creation"})
        runner = Runner(app_name="app", agent=DeltaAgent(name="writer"), session_service=service)
        seen: list[tuple[int, dict]] = []
        invocations: dict[str, str] = {}

        async def look() -> None:
            got = await service.get_session(app_name="app", user_id="u", session_id="s")
            seen.append((len(got.events), dict(got.state)))

        async def say(name: str, deltas: list[dict]) -> None:
            message = types.Content(role="user", parts=[types.Part(text=json.dumps(deltas))])
            async for event in runner.run_async(user_id="u", session_id=session.id, new_message=message):
                invocations[name] = event.invocation_id
            await look()

        async def rewind(name: str) -> None:
            await runner.rewind_async(user_id="u", session_id=session.id,
                                      rewind_before_invocation_id=invocations[name])
            await look()

        await say("A", [{"a": 1}])
        await say("B", [{"a": 2, "b": 1}, {"c": 3}])
        await rewind("B")
        await say("C", [{"d": 4}])
        await rewind("B")
        await say("D", [{"e": 5, "a": 9}])
        await rewind("D")
        await say("E", [{"f": 6}])
        final = await service.get_session(app_name="app", user_id="u", session_id="s")
        return seen, final.model_dump_json(by_alias=True, exclude_none=True)
    finally:
        await service.close()


def _without_nulls(state: dict) -> dict:
    """google-adk keeps a null a rewind writes as a value; session-tui's time travel removes
    the key (SPEC section 1: null means removed). The same state, read either way."""
    return {k: v for k, v in state.items() if v is not None}


@pytest.fixture(scope="module")
def agent_session(tmp_path_factory):
    path = tmp_path_factory.mktemp("annulled") / "session.db"
    seen, exported = asyncio.run(_agent_with_rewinds(path))
    return path, seen, exported


def test_real_rewinds_read_from_sqlite_and_json(agent_session):
    path, seen, exported = agent_session
    [from_db] = reading.read_path(path)
    [from_json] = adk_json.read_adk_json(exported.encode())
    adk_events = AdkSession.model_validate_json(exported).events  # google-adk's own, as it has them
    for session in (from_db, from_json):
        events = session.events
        assert [e.id for e in events] == [e.id for e in from_db.events]
        assert live_indices(events) == _indices(from_db, _apply_rewinds(adk_events))
        # Every rewind is kept as ADK wrote it, and written back so (JSON out, ADK in).
        rewinds = [i for i, e in enumerate(events) if rewind_target(e) is not None]
        assert len(rewinds) == 3
        assert [adk_events[i].actions.rewind_before_invocation_id for i in rewinds] == [
            rewind_target(events[i]) for i in rewinds]
        written = AdkSession.model_validate_json(adk_json.dumps_adk(session))
        assert [e.id for e in _apply_rewinds(written.events)] == [e.id for e in _apply_rewinds(adk_events)]
        annulled = annulled_by(events)
        first, second, third = rewinds
        assert set(annulled.values()) == {second, third}  # the first is annulled by the second
        assert annulled[first] == second
        assert annulled_count(events) == len(annulled) == sum(
            1 for i in range(len(events)) if i not in live_indices(events) and i not in (second, third))


def _indices(session: Session, kept: list[AdkEvent]) -> list[int]:
    ids = [e.id for e in session.events]
    return [ids.index(e.id) for e in kept]


def test_time_travel_shows_the_state_google_adk_had_at_each_point(agent_session):
    path, seen, exported = agent_session
    for session in (reading.read_path(path)[0], adk_json.read_adk_json(exported.encode())[0]):
        for count, state in seen:
            after = state_after(session, count)
            # Keys no event had written yet are absent then; but for a key only given at
            # creation that a later rewind nulled (google/adk-python issue 4933): an ADK
            # session keeps no creation state, so its value then is not recorded (time travel
            # says so).
            assert [k for k in after.unrecorded if k in state] in ([], ["kept"]), count
            expected = {k: v for k, v in state.items() if k not in after.unrecorded}
            assert _without_nulls(after.state) == _without_nulls(expected), count
        # At an annulled event: the state as it was then (B had written a=2, b=1).
        annulled = annulled_by(session.events)
        b_first = min(annulled)
        b_second = b_first + 2  # user message, then the two events of B
        assert state_after(session, b_second + 1).state["b"] == 1
        assert state_after(session, b_second + 1).state["a"] == 2


def test_the_store_lists_the_annulled_count(agent_session, tmp_path):
    path, _, _ = agent_session
    [session] = reading.read_path(path)
    store = DirectoryStore(tmp_path / "store", create=True)
    store.import_sessions([session])
    [row] = store.list()
    assert row["annulled_count"] == len(annulled_by(session.events)) > 0
    store.close()
    reopened = DirectoryStore(tmp_path / "store")  # from the index, not the session file
    [row] = reopened.list()
    assert row["annulled_count"] == len(annulled_by(session.events))
    reopened.close()
