"""A tiny host App for driving one dialog with the Pilot, as a user would, and reading what
the screen shows. Tests are sync functions that call `run(...)` (asyncio.run inside)."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

MakeDialog = Callable[[], Screen[Any]]
Script = Callable[[Pilot[Any], "Host"], Awaitable[None]]


class Host(App[None]):
    """Pushes the dialog on mount; every result it is dismissed with lands in `results`."""

    cursor_blink = False  # dialogs follow this (session_tui.dialogs.base.blink)

    def __init__(self, make_dialog: MakeDialog | None) -> None:
        super().__init__()
        self.make_dialog = make_dialog
        self.results: list[Any] = []
        self.text = ""
        self.last_screen: Screen[Any] | None = None
        self.focused_id: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("the main screen")

    def on_mount(self) -> None:
        if self.make_dialog is not None:
            self.open(self.make_dialog())

    def open(self, dialog: Screen[Any]) -> None:
        """Push another dialog (tests that try several inputs in one App run)."""
        self.push_screen(dialog, self.results.append)


def screen_text(app: App[Any]) -> str:
    """What the current screen shows, as plain text (one line per row)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def run(make_dialog: MakeDialog | None, script: Script, size: tuple[int, int] = (80, 24)) -> Host:
    """Run the host App headless, push the dialog, run `script(pilot, app)`, return the app
    with what the screen showed at the end: `app.text`, `app.last_screen`, `app.focused_id`."""

    async def main() -> Host:
        app = Host(make_dialog)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await script(pilot, app)
            await pilot.pause()
            app.text = screen_text(app)
            app.last_screen = app.screen
            focused = app.screen.focused
            app.focused_id = focused.id if focused is not None else None
        return app

    return asyncio.run(main())


async def answer(pilot: Pilot[Any], app: Host, dialog: Screen[Any], *presses: str) -> Any:
    """Open `dialog`, press the keys (`typed(...)` for text), return what it was dismissed
    with (`NOTHING` when it is still open)."""
    before = len(app.results)
    app.open(dialog)
    await pilot.pause()
    await keys(*presses)(pilot, app)
    if len(app.results) == before:
        return NOTHING
    return app.results[-1]


NOTHING = object()


async def paste(pilot: Pilot[Any], text: str) -> None:
    """Paste `text` into the focused widget (as a terminal's bracketed paste does)."""
    from textual import events

    focused = pilot.app.screen.focused
    assert focused is not None
    focused.post_message(events.Paste(text))
    await pilot.pause()


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type `text` key by key, as `pilot.press(*text)` does, without waiting for the App to
    go idle after every key (the keys queue up in order, as a fast typist's do)."""
    from textual import events
    from textual.keys import _character_to_key

    app = pilot.app
    assert app._driver is not None
    for char in text:
        key = char if char.isalnum() else _character_to_key(char)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)
    await pilot.pause()


class typed(str):
    """Text to type character by character (in `keys(...)`), as opposed to a key name."""


def keys(*presses: str) -> Script:
    """A script pressing these keys in order: key names (`"enter"`, `"ctrl+s"`, `"y"`) and
    `typed("text")` for text typed character by character."""

    async def script(pilot: Pilot[Any], app: Host) -> None:
        for press in presses:
            if isinstance(press, typed):
                await type_text(pilot, press)
            else:
                await pilot.press(press)
        await pilot.pause()

    return script
