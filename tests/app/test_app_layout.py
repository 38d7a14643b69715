"""The layout uses the width it has (issue "What users found", point 16): the footer keeps Quit
and Help at 80 columns, and the state tree's values show more on a wider terminal."""

from __future__ import annotations

import asyncio
import re

from scenes import make_app, make_demo_store, press, settle
from test_app_safety import screen_lines

from session_tui.screens.session import SessionScreen
from session_tui.store import open_store
from session_tui.widgets.state_tree import StateTree

FIRST = "aa5d0b4b-df3c-49ba-a21e-c3e37a0365db"
LONG = " ".join(f"word{i}" for i in range(80))  # 549 characters


def footer(app) -> str:
    return screen_lines(app)[-1]


def test_the_footer_keeps_quit_and_help_at_80_columns(tmp_path):
    store_path = make_demo_store(tmp_path / "store")

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            line = footer(app)
            assert "Quit" in line and "Help" in line, line  # the list
            await press(pilot, "enter")
            assert isinstance(app.screen, SessionScreen)
            line = footer(app)
            assert "Quit" in line and "Help" in line, line  # the session, timeline focused
            await press(pilot, "shift+tab")
            assert isinstance(app.focused, StateTree)
            line = footer(app)
            assert "Quit" in line and "Help" in line, line  # the tree's many keys too

    asyncio.run(main())


def test_quit_and_help_are_listed_once_in_help_and_the_palette(tmp_path):
    store_path = make_demo_store(tmp_path / "store")

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await press(pilot, "enter")
            rows = [row for _, section in app.help_sections() for row in section]
            assert sum(description == "Help" for _, description in rows) == 1
            assert sum(row == (app.keys_of(app.BINDINGS[0]), "Quit") for row in rows) == 1
            commands = [c.title for c in app.get_system_commands(app.screen)]
            assert commands.count("Help") <= 1 and "Rewind before" in commands

    asyncio.run(main())


def shown_value(lines: list[str], key: str) -> tuple[str, bool]:
    """(the value's preview on the key's tree line, whether its type is shown beside it)."""
    (line,) = [line for line in lines if f"{key}: " in line]
    tree_part = line.split("▏")[0]  # the pane's border: the timeline is right of it
    value = tree_part.split(f"{key}: ", 1)[1]
    typed = re.search(r"string \(549 chars\)$", value.rstrip())
    return (value[:typed.start()] if typed else value).rstrip(), bool(typed)


def test_a_long_tree_value_shows_more_at_200_columns_than_at_120(tmp_path):
    store_path = make_demo_store(tmp_path / "store")
    store = open_store(store_path)
    store.set_value(FIRST, "/long_note", LONG)
    store.close()

    async def shown_at(size) -> tuple[str, bool]:
        app = make_app(store_path)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await press(pilot, "enter")
            return shown_value(screen_lines(app), "long_note")

    narrow, _ = asyncio.run(shown_at((120, 36)))
    wide, typed = asyncio.run(shown_at((200, 50)))
    assert narrow.startswith('"word0 word1') and wide.startswith('"word0 word1')
    assert len(wide) > len(narrow) + 20, (narrow, wide)
    assert len(wide) > 61, wide  # more than the fixed 60 cells a preview used to get
    assert typed  # and the type beside it, not cut off at the pane's edge
    assert LONG.startswith(wide.strip('"…'))
