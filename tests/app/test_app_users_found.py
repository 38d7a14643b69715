"""What users found in the app (issue "What users found"): unreadable files named whole, ids
told apart, time travel counts that agree while an agent writes."""

from __future__ import annotations

import asyncio

from scenes import make_app, make_demo_store, press, settle
from textual.widgets import Static

from session_tui.model import Event
from session_tui.store import open_store
from session_tui.widgets.event_view import EventView

FIRST = "aa5d0b4b-df3c-49ba-a21e-c3e37a0365db"


def run(main):
    asyncio.run(main())


def test_unreadable_files_are_named_whole(tmp_path):
    store_path = make_demo_store(tmp_path / "store")
    bad = store_path / "sessions" / "a-very-long-name-of-a-br-0123456789abcdef0123456789abcdef.json"
    bad.write_bytes(b"{not json")

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            problems = app.screen.query_one("#problems", Static)
            assert problems.display
            assert bad.name in str(problems.render()).replace("\n", "")
            assert "1 file could not be read" in str(app.screen.query_one("#status", Static).render())

    run(main)


def test_time_travel_counts_agree_while_an_agent_appends(tmp_path):
    store_path = make_demo_store(tmp_path / "store")

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)  # the list is read in a worker
            await press(pilot, "enter", "down", "down", "enter")  # event 2 of 32, opened
            screen = app.screen
            agent = open_store(store_path)
            for n in range(3):
                agent.append_event(FIRST, Event.new("agent-inv", "agent", f"late {n}"))
            screen.action_reload()  # what the store poll does when it sees the change
            await settle(pilot)
            view_title = str(screen.query_one(EventView).query(Static).first().render())
            tree_title = str(screen.query_one("#state-title", Static).render())
            assert "Event 2 of 35" in view_title
            assert "after event 2/35" in tree_title

    run(main)


def test_the_theme_is_remembered_across_starts(tmp_path):
    from session_tui.app import AppConfig, build_app

    store_path = make_demo_store(tmp_path / "store")
    settings = tmp_path / "config" / "settings.json"
    config = AppConfig(watch=False, cursor_blink=False, settings=settings)

    async def first():
        app = build_app(store_path, config=config)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert app.theme != "nord"
            await pilot.press("ctrl+p", *"theme")
            await settle(pilot)
            await pilot.press("enter", *"nord")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert app.theme == "nord"

    async def second():
        app = build_app(store_path, config=config)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert app.theme == "nord"

    run(first)
    assert settings.is_file()
    run(second)


def test_u_after_an_import_undoes_the_import_not_an_older_edit(tmp_path):
    import orjson

    from test_app_import import import_by_keys, session, write_jsonl

    store_path = make_demo_store(tmp_path / "store")
    other = "f52c49ae-5529-4826-857f-c0ab63c166f4"  # another session, edited first
    source = write_jsonl(tmp_path / "clash.jsonl", [session(FIRST, note="a").export(),
                                                    session(FIRST, note="b").export(),
                                                    session("imp-new").export()])

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            # An edit of another session in this run: the older change.
            await press(pilot, "down", "enter", "shift+tab", "down", "e")
            await pilot.press("end", "ctrl+u", *'"edited"')
            await press(pilot, "enter", "escape")
            edited = orjson.dumps(open_store(store_path).get(other).export())
            await import_by_keys(pilot, str(source), "tab", "down", "down")  # keep both
            assert {f"{FIRST}~2", f"{FIRST}~3", "imp-new"} <= set(open_store(store_path).ids())
            message = app.notices[-1].message
            assert f"kept both for {FIRST} (as {FIRST}~2), {FIRST} (as {FIRST}~3)" in message
            assert message.startswith("Imported 3 new sessions")
            await press(pilot, "u")
            ids = set(open_store(store_path).ids())
            assert not ({f"{FIRST}~2", f"{FIRST}~3", "imp-new"} & ids) and FIRST in ids
            assert orjson.dumps(open_store(store_path).get(other).export()) == edited  # untouched
            assert "Undid the import: removed 3 new sessions" in app.notices[-1].message
            await press(pilot, "u")  # now the edit, the older change
            assert orjson.dumps(open_store(store_path).get(other).export()) != edited

    run(main)


def test_help_names_palette_commands_that_exist(tmp_path):
    from session_tui.dialogs.help import HelpScreen

    store_path = make_demo_store(tmp_path / "store")

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            commands = {c.title for c in app.get_system_commands(app.screen)}
            await press(pilot, "question_mark")
            assert isinstance(app.screen, HelpScreen)
            rows = [text for _, items in app.help_sections() for _, text in items]
            quoted = [text.split('"')[1] for text in rows if '"' in text]  # commands it names
            assert quoted and all(name in commands for name in quoted), (quoted, commands)

    run(main)
