"""A fork in an ADK database opened in place, judged by google-adk itself: its own `get_session`
reads the fork (the original's first events, the restored state), a model-free agent run by its
Runner continues it, the original's rows stay as they were, undo takes the fork's rows away
(every table as before, byte for byte), and the origin is kept in the sidecar, never in ADK's
tables."""

from __future__ import annotations

import pytest

import adkkit
from adkkit import APP, adk_dump, adk_get, run_agent, tables
from session_tui.opening import open_any
from session_tui.store import ReadOnlyStore, StoreError


def without(rows: dict[str, list[tuple]], sid: str) -> dict[str, list[tuple]]:
    """The tables without the rows of session `sid` (sessions: id third; events: session fourth)."""
    return {"sessions": [r for r in rows["sessions"] if r[2] != sid],
            "events": [r for r in rows["events"] if r[3] != sid],
            **{k: v for k, v in rows.items() if k not in ("sessions", "events")}}


@pytest.mark.parametrize("layout", adkkit.LAYOUTS)
def test_google_adk_reads_the_fork_and_its_runner_continues_it(adk_db, layout):
    path = adk_db(layout)
    before = tables(path)
    original = adk_dump(adk_get(layout, path))
    store = open_any(path)
    result = store.fork("s1", "inv-2")
    assert result.to_json() == {"id": "s1-fork", "events": 4}

    theirs = adk_get(layout, path, sid="s1-fork")
    kept = original["events"][:4]
    assert [adk_dump(e) for e in theirs.events] == kept  # the same events, ids and times
    # The state a rewind to inv-2 restores: inv-3's "a" back to 2; app:/user: keys shared.
    assert theirs.state == {"a": 2, "b": [1, 2], "c": {"x": 1}, "d": None,
                            "app:flag": 2, "user:name": "bob"}
    assert store.get("s1-fork").extra["forked_from"] == {
        "session_id": "s1", "invocation_id": "inv-2", "event_id": kept[-1]["id"]}
    assert without(tables(path), "s1-fork") == before  # the original's rows as they were

    replies = run_agent(layout, path, sid="s1-fork")
    assert [e.content.parts[0].text for e in replies] == ["run 1"]
    continued = adk_get(layout, path, sid="s1-fork")
    assert [e.invocation_id for e in continued.events][:4] == [e["invocation_id"] for e in kept]
    assert len(continued.events) == 6 and continued.state["runs"] == 1
    assert adk_dump(adk_get(layout, path)) == original  # the agent's run did not touch s1


def test_undo_takes_the_fork_away_exactly_and_its_origin_is_not_reread(adk_db, tmp_path):
    path = adk_db("database")
    before = tables(path)
    store = open_any(path)
    assert store.fork("s1", "inv-1", before=True, new_id="blank").to_json() == {
        "id": "blank", "events": 0}
    assert adk_get("database", path, sid="blank").state == {"app:flag": 2, "user:name": "bob"}
    undone = open_any(path).undo("blank")
    assert (undone.undone, undone.restored_events, undone.removed_events) == ("fork", 0, 0)
    assert tables(path) == before
    # ADK makes a session of that id itself later: not a fork, whatever the sidecar holds.
    adkkit.run(_create(path, "blank"))
    assert "forked_from" not in open_any(path).get("blank").extra
    assert (path.parent / (path.name + ".session-tui") / "forks").is_dir()


def test_a_session_named_app_user_id_forks_under_its_own_adk_id(adk_db):
    path = adk_db("database")
    adkkit.run(_create(path, "s1", user="u2"))  # "s1" twice: each named app/user/id
    store = open_any(path)
    assert store.fork(f"{APP}/u1/s1", "inv-1").id == "s1-fork"
    assert len(adk_get("database", path, sid="s1-fork").events) == 2


async def _create(path, sid, user="u1"):
    svc = adkkit.service("database", path)
    try:
        await svc.create_session(app_name=APP, user_id=user, session_id=sid)
    finally:
        await svc.close()


def test_undo_is_refused_once_an_agent_wrote_to_the_fork(adk_db):
    path = adk_db("sqlite")
    store = open_any(path)
    store.fork("s1", "inv-1")
    run_agent("sqlite", path, sid="s1-fork")
    before = tables(path)
    with pytest.raises(StoreError, match="changed since"):
        store.undo("s1-fork")
    assert tables(path) == before


def test_ids_in_use_by_any_app_or_user_are_refused_and_read_only_is_refused_up_front(adk_db):
    path = adk_db("sqlite")
    store = open_any(path)
    before = tables(path)
    with pytest.raises(StoreError, match="'lonely' already exists"):  # another app's session
        store.fork("s1", "inv-1", new_id="lonely")
    with pytest.raises(ReadOnlyStore):
        open_any(path, read_only=True).fork("s1", "inv-1")
    assert tables(path) == before
    assert not (path.parent / (path.name + ".session-tui")).exists()


def test_a_fork_whose_events_changed_since_the_preview_is_refused_and_writes_nothing(adk_db):
    path = adk_db("sqlite")
    store = open_any(path)
    plan = store.preview_fork("s1", "inv-1")
    before = tables(path)
    with pytest.raises(StoreError, match="changed since the preview"):
        store.fork("s1", "inv-1", expected_events=(plan.keep + 1, plan.event_id))
    assert tables(path) == before
    assert store.fork("s1", "inv-1", expected_events=(plan.keep, plan.event_id)).events == plan.keep
