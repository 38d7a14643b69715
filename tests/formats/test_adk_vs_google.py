"""The readers against google-adk itself: for each fixture, what session-tui reads is what ADK's
own `get_session` returns, and what session-tui writes as ADK JSON is what ADK loads.

Skipped when google-adk (the `test` extra) is not installed.
"""

from __future__ import annotations

import asyncio
import shutil
import warnings
from pathlib import Path

import orjson
import pytest

pytest.importorskip("google.adk")
pytest.importorskip("sqlalchemy")
pytest.importorskip("aiosqlite")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from google.adk.sessions import DatabaseSessionService, Session as AdkSession
    from google.adk.sessions.sqlite_session_service import SqliteSessionService
    try:
        from google.adk.events._internal_metadata import mark_restored
    except ImportError:  # older google-adk: `adk run --resume` appends the events as they are
        def mark_restored(event):
            return event

from session_tui.formats import adk_json, adk_sqlite, exporting, reading  # noqa: E402
from session_tui.model import format_time, from_unix, json_equal  # noqa: E402

APPS = ("weather_app", "travel_app")


def run(coro):
    return asyncio.run(coro)


async def _adk_sessions(service) -> list[AdkSession]:
    """Every session in the service, whole, as ADK's get_session gives it."""
    out = []
    try:
        for app in APPS:
            listed = await service.list_sessions(app_name=app)
            for s in listed.sessions:
                got = await service.get_session(app_name=app, user_id=s.user_id, session_id=s.id)
                out.append(got)
    finally:
        await service.close()
    return out


def _service(kind: str, path: Path):
    if kind == "database.db":
        return DatabaseSessionService(f"sqlite+aiosqlite:///{path}")
    return SqliteSessionService(str(path))


def _dump(session: AdkSession) -> dict:
    return session.model_dump(mode="json", exclude_none=True, by_alias=True)


@pytest.mark.parametrize("kind", ["database.db", "sqlite.db"])
def test_reader_matches_adk_get_session(adk_fixtures, tmp_path, kind):
    path = tmp_path / kind
    shutil.copy2(adk_fixtures / kind, path)  # ADK's service may touch the file; ours never
    ours = {(s.app_name, s.user_id, s.id): s for s in adk_sqlite.read_sqlite_path(adk_fixtures / kind)}
    theirs = run(_adk_sessions(_service(kind, path)))
    assert sorted(ours) == sorted((s.app_name, s.user_id, s.id) for s in theirs)
    assert len(theirs) == 5
    for adk in theirs:
        s = ours[(adk.app_name, adk.user_id, adk.id)]
        assert json_equal(s.state, adk.state)  # app: and user: merged as ADK merges them
        assert [e.id for e in s.events] == [e.id for e in adk.events]  # same order
        assert [e.invocation_id for e in s.events] == [e.invocation_id for e in adk.events]
        assert [e.author for e in s.events] == [e.author for e in adk.events]
        assert [e.timestamp for e in s.events] == [e.timestamp for e in adk.events]
        assert s.updated_at == format_time(from_unix(adk.last_update_time))
        for ours_event, adk_event in zip(s.events, adk.events):
            assert ours_event.actions.state_delta == adk_event.actions.state_delta
            assert ours_event.actions.transfer_to_agent == adk_event.actions.transfer_to_agent
            assert ours_event.actions.escalate == bool(adk_event.actions.escalate)
            assert ours_event.actions.skip_summarization == bool(adk_event.actions.skip_summarization)
        # The ADK export of what we read is, to ADK, the very session it stores.
        out = adk_json.to_adk_json(s)
        assert out["lastUpdateTime"] == adk.last_update_time
        loaded = AdkSession.model_validate_json(orjson.dumps(out))
        assert _dump(loaded) == _dump(adk)


def test_session_json_fixture_matches_adk(adk_fixtures):
    data = (adk_fixtures / "session.json").read_bytes()
    adk = AdkSession.model_validate_json(data)
    [s] = reading.read_path(adk_fixtures / "session.json")
    assert (s.id, s.app_name, s.user_id) == (adk.id, adk.app_name, adk.user_id)
    assert json_equal(s.state, adk.state)
    assert [e.id for e in s.events] == [e.id for e in adk.events]
    assert s.created_at == format_time(from_unix(adk.events[0].timestamp))
    again = AdkSession.model_validate_json(exporting.encode_adk(s))
    assert _dump(again) == _dump(adk)


def test_export_of_a_demo_like_session_is_valid_adk(demo_session):
    data = exporting.encode_adk(demo_session)
    adk = AdkSession.model_validate_json(data)
    assert (adk.id, adk.app_name, adk.user_id) == ("demo-1", "travel_app", "alice")
    assert adk.state == demo_session.state
    assert adk.last_update_time == 1767229000.0
    events = adk.events
    assert [e.id for e in events] == [e.id for e in demo_session.events]
    assert events[0].content.role == "user" and events[0].content.parts[0].text.startswith("Find me")
    calls = events[1].get_function_calls()
    assert [(c.name, c.args, c.id) for c in calls] == [("search_flights", {"origin": "SFO", "dest": "NRT", "pax": 2},
                                                        "adk-call-1")]
    responses = events[2].get_function_responses()
    assert responses[0].name == "search_flights" and responses[0].response["flights"][0]["no"] == "JL1"
    assert events[2].content.role == "user"
    assert events[3].usage_metadata.total_token_count == 920
    assert events[5].actions.transfer_to_agent == "hotel_agent" and events[5].actions.skip_summarization
    assert events[5].branch == "travel_agent"
    assert events[6].actions.escalate is True
    assert events[7].content is None and events[7].actions.state_delta == {"booking": None}


def test_every_demo_session_is_valid_adk():
    from session_tui.demo import demo_sessions

    for s in demo_sessions():
        adk = AdkSession.model_validate_json(exporting.encode_adk(s))
        assert [e.id for e in adk.events] == [e.id for e in s.events]
        calls = sum(len(e.get_function_calls()) for e in adk.events)
        assert calls == sum(len(e.extra.get("function_calls", [])) for e in s.events)


async def _resume(path: Path, data: bytes) -> AdkSession:
    """What `adk run --resume FILE` does with a saved session (google/adk/cli/cli.py)."""
    service = SqliteSessionService(str(path))
    try:
        loaded = AdkSession.model_validate_json(data)
        session = await service.create_session(app_name=loaded.app_name, user_id=loaded.user_id,
                                                state=loaded.state)
        for event in loaded.events:
            await service.append_event(session, mark_restored(event))
        return await service.get_session(app_name=session.app_name, user_id=session.user_id,
                                         session_id=session.id)
    finally:
        await service.close()


def test_adk_run_resume_loads_the_export(demo_session, tmp_path):
    demo_session.state["temp:scratch"] = 1
    demo_session.events[3].actions.state_delta["temp:x"] = 2
    resumed = run(_resume(tmp_path / "resume.db", exporting.encode_adk(demo_session)))
    assert [e.id for e in resumed.events] == [e.id for e in demo_session.events]
    assert [e.author for e in resumed.events] == [e.author for e in demo_session.events]
    assert resumed.state["booking"] is None and resumed.state["user:home"] == "SFO"
    # ADK honours temp: itself: neither the state nor the stored deltas keep them.
    assert not [k for k in resumed.state if k.startswith("temp:")]
    assert resumed.events[3].actions.state_delta == {"app:searches": 1}


def test_written_files_load_in_adk(adk_fixtures, tmp_path):
    sessions = adk_sqlite.read_sqlite_path(adk_fixtures / "sqlite.db")
    paths = exporting.write_adk(sessions, tmp_path / "out")
    for session, path in zip(sessions, paths):
        adk = AdkSession.model_validate_json(path.read_bytes())
        assert (adk.app_name, adk.user_id, adk.id) == (session.app_name, session.user_id, session.id)


REAL = Path(__file__).resolve().parents[3] / "shared" / "real-sessions"
REAL_SQLITE = sorted(p.name for p in REAL.glob("*.session.db")) + sorted(
    p.name for p in REAL.glob("*.migrated-v1.db")) if REAL.is_dir() else []


def _apps_of(path: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return [r[0] for r in db.execute("SELECT DISTINCT app_name FROM sessions")]


async def _sessions_by_app(service, apps) -> list[AdkSession]:
    out = []
    try:
        for app in apps:
            for s in (await service.list_sessions(app_name=app)).sessions:
                out.append(await service.get_session(app_name=app, user_id=s.user_id, session_id=s.id))
    finally:
        await service.close()
    return out


@pytest.mark.parametrize("name", ["fixture:database.db", "fixture:sqlite.db"] + [f"real:{n}" for n in REAL_SQLITE])
def test_adk_export_of_what_we_read_is_what_adk_writes(adk_fixtures, tmp_path, name):
    """camelCase throughout, content parts and usage metadata included (as google-adk writes)."""
    origin, file = name.split(":", 1)
    source = (adk_fixtures if origin == "fixture" else REAL) / file
    path = tmp_path / file
    shutil.copy2(source, path)  # ADK's service may touch the file; ours never
    layout = "database.db" if adk_sqlite_layout(source) == "database" else "sqlite.db"
    service = DatabaseSessionService(f"sqlite+aiosqlite:///{path}") if layout == "database.db" \
        else SqliteSessionService(str(path))
    theirs = run(_sessions_by_app(service, _apps_of(source)))
    ours = {(s.app_name, s.user_id, s.id): s for s in adk_sqlite.read_sqlite_path(source)}
    assert theirs
    for adk in theirs:
        out = orjson.loads(orjson.dumps(adk_json.to_adk_json(ours[(adk.app_name, adk.user_id, adk.id)])))
        expected = _dump(adk)["events"]
        for mine, theirs_event in zip(out["events"], expected):
            # google-adk 2.x gives events of older files a default `nodeInfo` when it loads them;
            # the file does not hold it, and an export need not invent it.
            if "nodeInfo" not in mine and theirs_event.get("nodeInfo") == {"path": ""}:
                del theirs_event["nodeInfo"]
        assert out["events"] == expected


def adk_sqlite_layout(path: Path) -> str:
    import sqlite3

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return "database" if "adk_internal_metadata" in tables else "sqlite"
