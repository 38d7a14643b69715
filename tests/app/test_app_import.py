"""Importing in the app, by keys: `i` on the list, and `session-tui FILE` for a file that is not
a store. Each test checks what the screen shows and what the store holds afterwards (opened
again, independently). $SESSION_TUI_STORE points into the test's tmp folder in every test, so
the user's default store is never touched.

Sync tests that run their own event loop (no pytest-asyncio)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest
from scenes import make_app, make_demo_store, press, settle, store_files, store_ids
from textual import events
from textual.widgets import Input, RadioSet, Static

from session_tui.app import AppConfig, build_app
from session_tui.cli import _run_app
from session_tui.dialogs.import_dialog import ImportDialog
from session_tui.model import Session
from session_tui.screens.sessions import SessionsScreen
from session_tui.store import NotAStore, StoreError, open_store
from session_tui.widgets.session_list import SessionList

SIZE = (100, 30)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "adk"
# The demo store's newest session (first in the list).
FIRST = "aa5d0b4b-df3c-49ba-a21e-c3e37a0365db"


@pytest.fixture(autouse=True)
def default_store(tmp_path, monkeypatch) -> Path:
    """The default store of every test: a folder in its tmp folder."""
    path = tmp_path / "default-store"
    monkeypatch.setenv("SESSION_TUI_STORE", str(path))
    return path


# -- helpers ---------------------------------------------------------------------------------
def session(session_id: str, **state) -> Session:
    s = Session.new("imported_app", "ida", session_id)
    s.created_at = s.updated_at = "2026-05-01T10:00:00Z"
    s.state = dict(state)
    return s


def write_jsonl(path: Path, docs: list[dict]) -> Path:
    path.write_bytes(b"\n".join(orjson.dumps(d) for d in docs) + b"\n")
    return path


def three_sessions(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "three.jsonl",
                       [session(f"imp-{n}", n=n).export() for n in (1, 2, 3)])



def notes(app) -> list[tuple[str, str, str]]:
    return [(n.title, n.message, n.severity) for n in app.notices]


def config() -> AppConfig:
    return AppConfig(watch=False, cursor_blink=False)


async def paste(pilot, text: str) -> None:
    """Into the focused input, as a terminal's bracketed paste does."""
    focused = pilot.app.screen.focused
    assert isinstance(focused, Input)
    focused.post_message(events.Paste(text))
    await pilot.pause()


async def import_by_keys(pilot, text: str, *choice_keys: str) -> None:
    """`i`, the path(s), the keys that choose (from the path field), enter; wait for it."""
    await press(pilot, "i")
    assert isinstance(pilot.app.screen, ImportDialog)
    await paste(pilot, text)
    await press(pilot, *choice_keys, "enter")
    await settle(pilot)


def listed(app) -> SessionList:
    assert isinstance(app.screen, SessionsScreen)
    return app.screen.query_one(SessionList)


# -- `i` on the list -------------------------------------------------------------------------
def test_import_three_sessions_from_json_lines(tmp_path):
    store_path = make_demo_store(tmp_path / "store")
    source = three_sessions(tmp_path)
    seen_during_import: list[str] = []

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert listed(app).total_count == 30
            real_import = app.store.import_sessions

            def spy(sessions, on_conflict="skip"):
                # The status line says what is going on while the store writes.
                seen_during_import.append(str(app.screen.query_one("#status", Static).content))
                return real_import(sessions, on_conflict)

            app.store.import_sessions = spy
            await import_by_keys(pilot, str(source))
            assert listed(app).total_count == 33
            assert listed(app).selected_id == "imp-1"  # the first imported session
            assert notes(app)[-1][1] == "Imported 3 new sessions (u undoes the import)"
            assert "33 of 33 sessions" in str(app.screen.query_one("#status", Static).content)

    asyncio.run(main())
    assert seen_during_import == ["Import: writing 3 sessions into store…"]
    assert {"imp-1", "imp-2", "imp-3"} <= store_ids(store_path)
    assert open_store(store_path).get("imp-2").state == {"n": 2}


def test_one_bad_session_imports_nothing(tmp_path):
    store_path = make_demo_store(tmp_path / "store")
    bad = session("imp-2").export()
    bad["events"] = [{"id": "e", "invocation_id": "i", "author": "a", "timestamp": "abc"}]
    source = write_jsonl(tmp_path / "mixed.jsonl",
                         [session("imp-1").export(), bad, session("imp-3").export()])
    before = store_files(store_path)

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await import_by_keys(pilot, str(source))
            title, message, severity = notes(app)[-1]
            assert (title, severity) == ("Nothing imported", "error")
            assert "mixed.jsonl: line 2: events[0].timestamp" in message
            assert "\n" not in message
            assert listed(app).total_count == 30
            assert "30 of 30 sessions" in str(app.screen.query_one("#status", Static).content)

    asyncio.run(main())
    assert store_files(store_path) == before


def test_a_missing_file_is_refused_in_place(tmp_path):
    store_path = make_demo_store(tmp_path / "store")
    before = store_files(store_path)
    good = three_sessions(tmp_path)

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await import_by_keys(pilot, f"{good} {tmp_path / 'nope.jsonl'}")
            assert isinstance(app.screen, ImportDialog)  # still open, with the reason
            error = app.screen.query_one("#import-error", Static)
            assert "nope.jsonl: no such file" in str(error.content)
            await press(pilot, "escape")
            assert listed(app).total_count == 30

    asyncio.run(main())
    assert store_files(store_path) == before


@pytest.mark.parametrize("policy,keys", [("skip", []), ("replace", ["tab", "down"]),
                                         ("keep-both", ["tab", "down", "down"])])
def test_an_id_already_in_the_store(tmp_path, policy, keys):
    store_path = make_demo_store(tmp_path / "store")
    original = open_store(store_path).get(FIRST)
    newcomer = session(FIRST, note="from the file")
    source = write_jsonl(tmp_path / "clash.jsonl", [newcomer.export(), session("imp-new").export()])

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await import_by_keys(pilot, str(source), *keys)
            message = notes(app)[-1][1]
            # Every session accounted for: a kept-both copy is a new session too.
            new = 2 if policy == "keep-both" else 1
            assert message.startswith(f"Imported {new} new session{'s' if new > 1 else ''} (u undoes the import)")
            if policy == "skip":
                assert f"skipped 1 already in the store: {FIRST}" in message
                assert listed(app).total_count == 31
                assert listed(app).selected_id == "imp-new"
            elif policy == "replace":
                assert f"replaced 1: {FIRST}" in message
                assert listed(app).total_count == 31
                assert listed(app).selected_id == FIRST
                assert len(app.undo_log) == 1  # the import, as one change
            else:
                assert f"kept both for {FIRST} (as {FIRST}~2)" in message
                assert listed(app).total_count == 32
                assert listed(app).selected_id == f"{FIRST}~2"

    asyncio.run(main())
    store = open_store(store_path)
    kept = store.get(FIRST)
    if policy == "replace":
        assert kept.state == {"note": "from the file"}
        assert store.undo(FIRST).undone == "import"
        assert orjson.dumps(store.get(FIRST).export()) == orjson.dumps(original.export())
    else:
        assert orjson.dumps(kept.export()) == orjson.dumps(original.export())
    if policy == "keep-both":
        both = store.get(f"{FIRST}~2")
        assert both.state == {"note": "from the file"}
        assert both.extra["original_id"] == FIRST


# -- `session-tui FILE`: a file to import, not a store -----------------------------------------
def _offered(app, path: Path) -> ImportDialog:
    dialog = app.screen
    assert isinstance(dialog, ImportDialog)
    assert dialog.query_one("#import-path", Input).value == str(path)
    assert dialog.query_one("#import-target", RadioSet)  # into which store: offered
    return dialog


def test_opening_a_session_json_file_offers_to_import_it(tmp_path, default_store):
    source = tmp_path / "one.json"
    source.write_bytes(orjson.dumps(session("solo", a=1).export()))
    before = source.read_bytes()

    async def main():
        app = build_app(source, config=config())
        assert app.store.path == default_store
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            _offered(app, source)
            await press(pilot, "enter")
            await settle(pilot)
            assert listed(app).shown_ids() == ["solo"]
            assert listed(app).selected_id == "solo"

    asyncio.run(main())
    assert store_ids(default_store) == {"solo"}
    assert source.read_bytes() == before  # the file itself is only read


@pytest.mark.parametrize("name", ["sqlite.db", "database.db"])
def test_opening_an_adk_sqlite_file_opens_it_in_place(tmp_path, name):
    """Issue 9: an ADK database is opened where it is (no import offered, no copy made)."""
    from session_tui.adkdb.store import AdkStore

    fixture = FIXTURES / name
    if not fixture.exists():
        pytest.skip(f"no ADK fixture {fixture.name}")
    source = tmp_path / "session.db"
    source.write_bytes(fixture.read_bytes())
    before = source.read_bytes()
    other = make_demo_store(tmp_path / "other")
    other_files = store_files(other)

    async def main():
        app = build_app(source, config=config(), default_store=other)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.store, AdkStore)
            assert not isinstance(app.screen, ImportDialog)
            return sorted(listed(app).shown_ids())

    shown = asyncio.run(main())
    # The fixture holds weather-alice-1 twice (two apps: ADK keys sessions by app, user, id):
    # each is named app/user/id.
    assert "trip/2026 ✈ #1" in shown and "empty-session" in shown
    assert sum(1 for i in shown if i.endswith("/weather-alice-1")) == 2
    assert source.read_bytes() == before  # only read
    assert store_files(other) == other_files  # nothing imported


def test_importing_into_a_new_store_beside_the_file(tmp_path, default_store):
    source = three_sessions(tmp_path)
    beside = tmp_path / "three.jsonl.store"

    async def main():
        app = build_app(source, config=config())
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            dialog = _offered(app, source)
            assert "a new store beside the file (three.jsonl.store/)" in str(
                dialog.query_one("#target-beside").label)
            await press(pilot, "tab", "tab", "down", "enter")
            await settle(pilot)
            assert app.store.path == beside
            assert app.sub_title == "three.jsonl.store"
            assert listed(app).shown_ids()[:1] == ["imp-1"] and listed(app).total_count == 3
            assert notes(app)[-1][0] == "Imported into three.jsonl.store"

    asyncio.run(main())
    assert store_ids(beside) == {"imp-1", "imp-2", "imp-3"}
    assert store_ids(default_store) == set()


def test_a_store_file_stays_a_store_and_other_files_stay_errors(tmp_path, capsys):
    from tinydb import TinyDB

    tiny = tmp_path / "sessions.json"
    db = TinyDB(tiny)
    db.insert(session("in-place").export())
    db.close()
    app = build_app(tiny, config=config())
    assert app.store.path == tiny and app.config.pending_import is None

    notes_file = tmp_path / "notes.txt"
    notes_file.write_text("just some notes\n")
    people = tmp_path / "people.json"  # a TinyDB file, but not of sessions
    people.write_bytes(orjson.dumps({"_default": {"1": {"name": "Ada"}}}))
    other_json = tmp_path / "config.json"
    other_json.write_bytes(b'{"theme": "dark"}')
    truncated = tmp_path / "broken.json"
    truncated.write_bytes(b'{"_default": {"1": {"id": "x"')
    for path in (notes_file, people, other_json, truncated):
        with pytest.raises(StoreError):
            build_app(path, config=config())
        assert _run_app(str(path)) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and path.name in err
    with pytest.raises(NotAStore):
        build_app(people)
    assert not (tmp_path / "default-store").exists()  # an error creates nothing


def test_several_files_at_once_with_progress_per_file(tmp_path, monkeypatch):
    from session_tui.formats import reading

    store_path = make_demo_store(tmp_path / "store")
    first = write_jsonl(tmp_path / "a.jsonl", [session("a-1").export(), session("a-2").export()])
    second = tmp_path / "b.json"
    second.write_bytes(orjson.dumps([session("b-1").export()]))
    seen: list[str] = []

    async def main():
        app = make_app(store_path)
        real_read = reading.read_path

        def spy(path):
            seen.append(str(app.screen.query_one("#status", Static).content))
            return real_read(path)

        monkeypatch.setattr(reading, "read_path", spy)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await import_by_keys(pilot, f"{first} {second}")
            assert listed(app).total_count == 33
            assert listed(app).selected_id == "a-1"

    asyncio.run(main())
    assert seen == ["Import: reading a.jsonl (file 1 of 2)…",
                    "Import: reading b.json (file 2 of 2)…"]
    assert {"a-1", "a-2", "b-1"} <= store_ids(store_path)


def test_the_summary_says_what_the_store_report_leaves_out(tmp_path):
    """ADK keys sessions by (app, user, id): one file may hold an id twice."""
    from session_tui.formats import reading
    from session_tui.screens.list_import import import_summary

    fixture = FIXTURES / "sqlite.db"
    if not fixture.exists():
        pytest.skip("no ADK fixture sqlite.db")
    sessions = reading.read_path(fixture)
    assert len(sessions) == 5
    # weather-alice-1 is in two apps: two sessions, both kept whatever the policy.
    expected = ("Imported 5 new sessions (u undoes the import); kept both for weather-alice-1 "
                "(as weather-alice-1~2)")
    for policy in ("skip", "replace", "keep-both"):
        store = open_store(tmp_path / policy, create=True)
        report = store.import_sessions(sessions, policy)
        assert import_summary(report, len(sessions), policy) == (expected, "information")
    empty = open_store(tmp_path / "empty", create=True).import_sessions([], "skip")
    assert import_summary(empty, 0) == ("Nothing to import: no sessions in the file(s)", "warning")
