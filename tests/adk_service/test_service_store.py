"""The service and the rest of session-tui on one store: a change made in session-tui makes an
agent's session object stale as another ADK writer's would; sessions session-tui made are
served; ADK's (app, user, id) keys on a store keyed by id."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("google.adk")

from google.adk.errors._stale_session_error import StaleSessionError  # noqa: E402
from google.adk.events.event import Event  # noqa: E402
from google.adk.events.event_actions import EventActions  # noqa: E402
from google.adk.sessions.sqlite_session_service import SqliteSessionService  # noqa: E402

from session_tui.adk import SessionTuiSessionService  # noqa: E402
from session_tui.model import to_unix  # noqa: E402
from session_tui.store import open_store  # noqa: E402


def event(delta: dict | None = None) -> Event:
    return Event(invocation_id="inv", author="agent", actions=EventActions(state_delta=delta or {}))


def test_an_edit_in_session_tui_makes_the_agents_session_stale(tmp_path):
    service = SessionTuiSessionService(tmp_path / "store")

    async def main():
        held = await service.create_session(app_name="app", user_id="u", session_id="s")
        await service.append_event(held, event({"n": 1}))
        open_store(tmp_path / "store").set_value("s", "/n", 2)  # the user, in the app or CLI
        with pytest.raises(StaleSessionError, match="Please check if it is a stale session"):
            await service.append_event(held, event({"n": 3}))
        fresh = await service.get_session(app_name="app", user_id="u", session_id="s")
        assert fresh.state == {"n": 2}
        await service.append_event(fresh, event({"n": 3}))  # reloaded: goes through
        return await service.get_session(app_name="app", user_id="u", session_id="s")

    final = asyncio.run(main())
    assert final.state == {"n": 3}
    assert [e.author for e in final.events] == ["agent", "session-tui", "agent"]


def test_a_session_session_tui_made_is_served(tmp_path):
    store = open_store(tmp_path / "store", create=True)
    made = store.create("app", "u", {"k": 1, "app:shared": "mine"}, session_id="x")
    service = SessionTuiSessionService(store)

    async def main():
        got = await service.get_session(app_name="app", user_id="u", session_id="x")
        assert got.state == {"k": 1, "app:shared": "mine"}
        assert got.last_update_time == to_unix(made.updated_at)
        await service.append_event(got, event({"k": 2}))
        return await service.list_sessions(app_name="app", user_id="u")

    (listed,) = asyncio.run(main()).sessions
    assert (listed.id, listed.state) == ("x", {"k": 2, "app:shared": "mine"})
    assert open_store(tmp_path / "store").get("x").state == {"k": 2, "app:shared": "mine"}


async def same_id_twice(service):
    """One id for two users and two apps, as ADK allows (it keys by app, user and id)."""
    for app, user in (("app", "ann"), ("app", "bob"), ("other", "ann")):
        session = await service.create_session(app_name=app, user_id=user, session_id="s",
                                               state={"who": f"{app}/{user}"})
        await service.append_event(session, event({"user:seen": user}))
    got = [await service.get_session(app_name=a, user_id=u, session_id="s")
           for a, u in (("app", "ann"), ("app", "bob"), ("other", "ann"), ("other", "bob"))]
    await service.delete_session(app_name="app", user_id="bob", session_id="s")
    listed = await service.list_sessions(app_name="app")
    return [g and g.state for g in got], [(s.user_id, s.id) for s in listed.sessions]


def test_one_id_for_several_apps_and_users_as_adk_allows(tmp_path):
    ours = asyncio.run(same_id_twice(SessionTuiSessionService(tmp_path / "store")))
    theirs = asyncio.run(same_id_twice(SqliteSessionService(str(tmp_path / "adk.db"))))
    assert ours == theirs
    assert ours[0][:3] == [{"who": "app/ann", "user:seen": "ann"},
                           {"who": "app/bob", "user:seen": "bob"},
                           {"who": "other/ann", "user:seen": "ann"}] and ours[0][3] is None
    # In the store (keyed by id alone): the later ones under a new id, their ADK id kept.
    store = open_store(tmp_path / "store")
    kept = {s["id"]: (s["app_name"], s["user_id"]) for s in store.list()}
    assert kept == {"s": ("app", "ann"), "s~3": ("other", "ann")}
    assert store.get("s~3").extra["original_id"] == "s"
    assert store.undo("s~2").undone == "delete"  # ADK's delete is undoable in session-tui


@pytest.mark.parametrize("kind", ["folder", "tinyfile"])
def test_an_agents_next_appends_read_none_of_its_events(tmp_path, kind):
    """An agent appending to its session: after the first append, none of the session's events
    are read again (a 100,000-event session appends as fast as a short one) while no one else
    writes it; a duplicate id and a stale session are still refused as ADK refuses them."""
    import sqlite3

    path = tmp_path / ("store" if kind == "folder" else "store.json")
    store = open_store(path, create=True)
    service = SessionTuiSessionService(store)
    reads = []
    real_load = store._load

    def counting_load(session_id):
        reads.append(session_id)
        return real_load(session_id)

    store._load = counting_load  # every full read of a session goes through it

    async def main():
        held = await service.create_session(app_name="app", user_id="u", session_id="s")
        await service.append_event(held, event({"n": 0}))
        reads.clear()
        for n in range(1, 6):
            await service.append_event(held, event({"n": n, "temp:t": n}))
        if kind == "folder":
            assert reads == []
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE constraint failed"):
            await service.append_event(held, held.events[-1])
        served = await service.get_session(app_name="app", user_id="u", session_id="s")
        assert served.state == {"n": 5} and served.last_update_time == held.last_update_time
        assert [e.id for e in served.events] == [e.id for e in held.events]
        open_store(path).set_value("s", "/n", 99)  # someone else: the next append reads afresh
        with pytest.raises(StaleSessionError, match="Please check if it is a stale session"):
            await service.append_event(held, event({"n": 7}))
        fresh = await service.get_session(app_name="app", user_id="u", session_id="s")
        await service.append_event(fresh, event({"n": 8}))
        return await service.get_session(app_name="app", user_id="u", session_id="s")

    final = asyncio.run(main())
    assert final.state == {"n": 8}
    assert [e.author for e in final.events] == ["agent"] * 6 + ["session-tui", "agent"]
