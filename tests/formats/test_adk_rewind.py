"""A rewind-before on an imported ADK session agrees with google-adk's own `Runner.rewind_async`,
run offline on the same fixture, for every key an event wrote (SPEC section 2).

What google-adk 2.13 does (google/adk/runners.py `Runner.rewind_async`, ~line 1399, which calls
google/adk/sessions/_rewind_utils.py `rewind_session`, line 153):

- It deletes nothing. It finds the FIRST event of the invocation (line 169), computes a state
  delta (`compute_state_delta_for_rewind`, line 48) and APPENDS one "rewind event" through the
  session service (line 199-210): author "user", a fresh `e-<uuid>` invocation id, no content,
  `actions.rewind_before_invocation_id = X`, `actions.state_delta = <that delta>`. Readers that
  need the live conversation drop the rewound events themselves with
  google/adk/events/_rewind_events.py `_apply_rewinds` (used by runners.py, the LLM contents
  builder and compaction).
- The delta: replay every event's state_delta before the rewind point, skipping `app:`, `user:`
  and `temp:` keys (`_NON_SESSION_STATE_PREFIXES`, line 41; a null pops the key, line 58), then
  set each replayed key whose current value differs, and set to None EVERY other non-prefixed
  key of the current state (line 74-78). That last step is google/adk-python issue 4933: keys
  that were only given to `create_session` (never written by an event) are nulled, because the
  replay starts from {} instead of the creation state.
- The services apply a state_delta with `dict.update` semantics (base_session_service.py line
  225-230, SqliteSessionService `_MERGE_STATE_SQL`, DatabaseSessionService
  `storage_session.state.update`): a None is stored as an explicit `key: null`, not removed.
  `get_session` then returns `{"units": None, ...}`.

session-tui removes the events (its undo history keeps them), and restores the state key by key
(model.restore_state); null means removed (SPEC section 1). So the comparison below is:

- events: session-tui keeps exactly the events ADK's `_apply_rewinds` leaves live; ADK has all
  of the old events plus its rewind event.
- keys written by any event (not `app:`/`user:`/`temp:`): equal, with "absent" and "null" taken
  as the same value (ADK stores the null, session-tui removes the key).
- `app:` / `user:` keys: neither side rolls them back (ADK skips them in the delta, session-tui
  never rolls them back): both keep their values; they agree.
- `temp:` keys: ADK never persists them (`_trim_temp_delta_state`, base_session_service.py line
  208; `create_session` drops them too), so no fixture carries one; the test checks that.
- keys only set at creation: session-tui keeps them (SPEC section 2); ADK nulls them (issue
  4933). This is the one intended difference, and it is asserted as such.

Skipped when google-adk (the `test` extra) is not installed. Nothing goes to the network: no
model is called by a rewind, and the test fails if anything opens an internet socket.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import warnings
from pathlib import Path

import pytest

pytest.importorskip("google.adk")
pytest.importorskip("sqlalchemy")
pytest.importorskip("aiosqlite")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from google.adk.agents import BaseAgent
    from google.adk.platform import time as platform_time
    from google.adk.runners import Runner
    from google.adk.sessions import DatabaseSessionService, Session as AdkSession
    from google.adk.sessions.sqlite_session_service import SqliteSessionService
    try:
        from google.adk.events._rewind_events import _apply_rewinds
    except ImportError:  # pragma: no cover - a google-adk without rewinds
        pytest.skip("google-adk without Runner.rewind_async", allow_module_level=True)
    try:
        from google.adk.events._internal_metadata import mark_restored
    except ImportError:  # pragma: no cover - older google-adk
        def mark_restored(event):
            return event

from tinydb import TinyDB  # noqa: E402

from session_tui.formats import reading  # noqa: E402
from session_tui.model import is_shared_key, json_equal  # noqa: E402
from session_tui.store import open_store  # noqa: E402

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "adk"
KINDS = ("database.db", "sqlite.db", "session.json")
PREFIXES = ("app:", "user:", "temp:")


class NeverCalled(BaseAgent):
    """The Runner needs a root agent; a rewind never runs it."""

    async def _run_async_impl(self, ctx):  # pragma: no cover - must not happen
        raise AssertionError("a rewind ran the agent")
        yield


def _cases() -> list:
    """(kind, app, user, session id, invocation): every invocation of every fixture session
    (the empty session has none), read with session-tui's own reader (stdlib only)."""
    out = []
    for kind in KINDS:
        for s in reading.read_path(FIXTURES / kind):
            for i, inv in enumerate(s.invocation_ids()):
                out.append(pytest.param(kind, s.app_name, s.user_id, s.id, inv,
                                        id=f"{kind}-{s.app_name}-{s.user_id}-{s.id}-inv{i + 1}"))
    return out


CASES = _cases()


@pytest.fixture
def no_network(monkeypatch):
    """Fail on any internet connection or name lookup (asyncio's own socketpair still works)."""
    real_connect = socket.socket.connect

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise AssertionError(f"google-adk tried to reach the network: {address!r}")
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        raise AssertionError(f"google-adk tried to resolve {host!r}")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _service(kind: str, path: Path):
    if kind == "database.db":
        return DatabaseSessionService(f"sqlite+aiosqlite:///{path}")
    return SqliteSessionService(str(path))


async def _adk_rewind(kind: str, path: Path, tmp: Path, app: str, user: str, session_id: str,
                      inv: str) -> tuple[AdkSession, AdkSession]:
    """ADK's session before and after `Runner.rewind_async(rewind_before_invocation_id=inv)`."""
    if kind == "session.json":
        # As `adk run --resume FILE` loads a saved session (google/adk/cli/cli.py): create it
        # with the file's state, then append its events; only the id is kept, to compare.
        service = SqliteSessionService(str(tmp / "resume.db"))
        loaded = AdkSession.model_validate_json(path.read_bytes())
        session = await service.create_session(app_name=loaded.app_name, user_id=loaded.user_id,
                                                state=loaded.state, session_id=loaded.id)
        for event in loaded.events:
            await service.append_event(session, mark_restored(event))
    else:
        service = _service(kind, path)
    try:
        before = await service.get_session(app_name=app, user_id=user, session_id=session_id)
        runner = Runner(app_name=app, agent=NeverCalled(name="never_called"),
                        session_service=service)
        await runner.rewind_async(user_id=user, session_id=session_id,
                                  rewind_before_invocation_id=inv)
        after = await service.get_session(app_name=app, user_id=user, session_id=session_id)
        return before, after
    finally:
        await service.close()


def _ours(path: Path, tmp: Path, backend: str, key: tuple[str, str, str], inv: str):
    """session-tui: import the whole fixture file into a new store, rewind before `inv`.
    Returns (session before, preview, plan, session after)."""
    if backend == "folder":
        store = open_store(tmp / "store", create=True)
    else:  # a plain TinyDB file of sessions (SPEC section 3)
        TinyDB(tmp / "sessions.json").close()
        store = open_store(tmp / "sessions.json")
    try:
        # Two fixture sessions share an id in different apps: keep both (the second is renamed).
        store.import_sessions(reading.read_path(path), on_conflict="keep-both")
        [sid] = [s.id for s in store.iter_sessions()
                 if (s.app_name, s.user_id, s.extra.get("original_id", s.id)) == key]
        before = store.get(sid)
        preview = store.preview_rewind(sid, inv, before=True)
        plan = store.rewind(sid, inv, before=True)
        return before, preview, plan, store.get(sid)
    finally:
        store.close()


def _value(state: dict, key: str):
    """A key's value with SPEC's reading of null: absent and null are the same (removed)."""
    return state.get(key)


@pytest.mark.parametrize("kind,app,user,session_id,inv", CASES)
def test_rewind_before_agrees_with_adk(tmp_path, no_network, kind, app, user, session_id, inv):
    path = tmp_path / kind
    shutil.copy2(FIXTURES / kind, path)  # ADK's rewind writes to the database; ours never does
    key = (app, user, session_id)

    # session-tui first (it reads the file read-only), on both backends: they must agree.
    results = {}
    for backend in ("folder", "tinydb"):
        work = tmp_path / backend
        work.mkdir()
        results[backend] = _ours(path, work, backend, key, inv)
    before, preview, plan, after = results["folder"]
    _, _, plan_t, after_t = results["tinydb"]
    assert json_equal(after.state, after_t.state)
    assert [e.export() for e in after.events] == [e.export() for e in after_t.events]
    assert (plan.keep, plan.state_changes, plan.unrecorded) == (
        plan_t.keep, plan_t.state_changes, plan_t.unrecorded)
    assert (preview.keep, preview.state_changes, preview.unrecorded) == (
        plan.keep, plan.state_changes, plan.unrecorded)  # the preview is what happens
    assert before.initial_state is None  # ADK files carry no creation state

    # google-adk, offline, with the clock pinned after the last event (the rewind event is
    # stamped now; ADK orders events by time).
    later = max(e.timestamp for e in before.events) + 1000.0
    platform_time.set_time_provider(lambda: later)
    try:
        adk_before, adk_after = asyncio.run(
            _adk_rewind(kind, path, tmp_path, app, user, session_id, inv))
    finally:
        platform_time.reset_time_provider()
    assert adk_before is not None and adk_after is not None
    assert json_equal(before.state, adk_before.state)  # the same starting point

    # ---- events --------------------------------------------------------------------------
    ids = [e.id for e in before.events]
    keep = next(i for i, e in enumerate(before.events) if e.invocation_id == inv)
    assert [e.id for e in adk_before.events] == ids
    # session-tui removes the invocation's first event and everything after it.
    assert plan.keep == keep and plan.removed_events == len(ids) - keep
    assert [e.id for e in after.events] == ids[:keep]
    # ADK deletes nothing: it appends one rewind event (sessions/_rewind_utils.py line 199)...
    assert len(adk_after.events) == len(ids) + 1
    assert [e.id for e in adk_after.events[:-1]] == ids
    marker = adk_after.events[-1]
    assert marker.author == "user" and marker.content is None
    assert marker.actions.rewind_before_invocation_id == inv
    assert marker.invocation_id.startswith("e-")
    assert marker.invocation_id not in {e.invocation_id for e in before.events}
    adk_delta = marker.actions.state_delta
    # ...and the events it treats as live are exactly the ones session-tui keeps.
    assert [e.id for e in _apply_rewinds(adk_after.events)] == ids[:keep]

    # ---- state ---------------------------------------------------------------------------
    written = {k for e in before.events for k in e.actions.state_delta}
    everything = set(before.state) | set(adk_after.state) | set(after.state) | written
    # ADK never persists temp: keys (append_event trims them, create_session drops them).
    assert not [k for k in everything if k.startswith("temp:")]
    assert not [k for k in adk_delta if k.startswith(PREFIXES)]  # ADK's delta skips them

    # app: and user: keys: neither rolls them back; both keep what they had. They agree.
    for k in sorted(k for k in everything if is_shared_key(k)):
        assert json_equal(after.state.get(k), before.state.get(k)), k
        assert json_equal(adk_after.state.get(k), adk_before.state.get(k)), k
        assert k not in plan.state_changes, k

    # Keys an event wrote: session-tui's value is ADK's, null meaning removed.
    for k in sorted(k for k in written if not is_shared_key(k)):
        assert json_equal(_value(after.state, k), _value(adk_after.state, k)), (
            k, after.state.get(k, "<absent>"), adk_after.state.get(k, "<absent>"))
        if k in adk_delta and adk_delta[k] is None:
            # ADK "removes" by storing an explicit null; session-tui removes the key.
            assert k in adk_after.state and adk_after.state[k] is None, k
            assert k not in after.state, k
    # Written only by removed events, and no creation state to go back to: session-tui says
    # the earlier value is not recorded and removes the key; ADK nulls it (same value).
    for k in plan.unrecorded:
        assert k not in after.state and _value(adk_after.state, k) is None, k

    # Keys only set at creation (in the state, never written by an event).
    creation_only = sorted(k for k in before.state if k not in written and not is_shared_key(k))
    for k in creation_only:
        # session-tui keeps them, as SPEC section 2 says.
        assert json_equal(after.state[k], before.state[k]), k
        assert k not in plan.state_changes, k
        # ADK nulls them (google/adk-python issue 4933). This difference is intended: SPEC
        # section 2 says not to copy that bug.
        assert adk_delta.get(k, "<absent>") is None, k
        assert k in adk_after.state and adk_after.state[k] is None, k

    # Nothing else differs: the only keys where the two disagree (null = absent) are the
    # creation-only keys that had a value.
    differ = {k for k in everything
              if not json_equal(_value(after.state, k), _value(adk_after.state, k))}
    assert differ == {k for k in creation_only if before.state[k] is not None}


def test_the_fixtures_exercise_every_kind_of_key():
    """So that the comparison above is not vacuous: among the cases are a creation-only key
    (issue 4933), a key written then nulled by an event, a key whose creation value was
    overwritten (not recorded in an ADK file), and app:/user: keys written by events, in
    every fixture."""
    for kind in KINDS:
        sessions = {(s.app_name, s.user_id, s.id): s for s in reading.read_path(FIXTURES / kind)}
        alice = sessions[("weather_app", "alice", "weather-alice-1")]
        written = {k for e in alice.events for k in e.actions.state_delta}
        assert "units" in alice.state and "units" not in written  # creation-only
        assert alice.state["last_city"] is None  # ADK keeps the event's null
        assert {"app:lookups", "user:favourite_city"} <= written
        assert len(alice.invocation_ids()) == 2
        if kind != "session.json":
            trip = sessions[("travel_app", "alice", "trip/2026 ✈ #1")]
            # budget was {"max": 900, "spent": 0} at creation, then overwritten by an event.
            assert trip.state["budget"] == {"max": 900, "spent": 39.0}
    assert len(CASES) == 2 * 5 + 2
