"""Text from agents is data (SPEC section 5): markup is shown literally, escape sequences and
control characters never reach the terminal. Huge and deeply nested sessions open without
freezing. A store the app cannot use gives a one-line error, not a traceback."""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scenes import make_demo_store, press, settle, store_files, store_ids
from textual import events

from session_tui.app import AppConfig, build_app
from session_tui.dialogs.confirm import ConfirmDialog
from session_tui.dialogs.edit_value import EditValueDialog
from session_tui.dialogs.help import HelpScreen
from session_tui.dialogs.rename_key import RenameKeyDialog
from session_tui.dialogs.rewind import RewindDialog
from session_tui.dialogs.value_view import ValueDialog
from session_tui.model import Event, EventActions, Session
from session_tui.screens.session import SessionScreen
from session_tui.screens.sessions import SessionsScreen
from session_tui.store import DirectoryStore, NotFound, open_store
from session_tui.store.base import Store
from session_tui.widgets.event_view import EventView
from session_tui.widgets.session_list import SessionList
from session_tui.widgets.state_tree import StateTree
from session_tui.widgets.timeline import Timeline

SIZE = (120, 36)
REPO = Path(__file__).resolve().parents[2]

MARKUP = "[bold red]not markup[/]"
LINK = "[link=https://example.com]x[/link]"
ANSI = "\x1b[31mred"
OSC = "\x1b]0;pwned\x07"
C1 = "\x9b"
BIDI = "\u202e"
DCS = "\x1bP1$qm\x1b\\"  # a device control string (DECRQSS: asks the terminal to answer)
C1_MORE = "c1:\x90\x9d\x85"  # C1 DCS, OSC and NEL
BIDI_MORE = "bidi:\u2066\u2069\u200f\u061c"  # isolates, RLM, Arabic letter mark
TAGS = "tags:\U000e0049\U000e0047\U000e004e"  # invisible text ("IGN") a reader cannot see
NUL = "nul:\x00"
ACTION = "[@click=app.quit]click me[/]"  # markup that would run an action when clicked
STRAY_CLOSE = "[/] stray close tag"  # an error if it were parsed as markup
HOSTILE = [MARKUP, LINK, ANSI, OSC, C1, BIDI, DCS, C1_MORE, BIDI_MORE, TAGS, NUL, ACTION,
           STRAY_CLOSE]
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\u202e", "\x00", "\x90", "\x9d", "\x85", "\u2066",
             "\u2069", "\u200f", "\u061c", "\U000e0049", "\U000e0047", "\U000e004e")
ZERO_WIDTH = "\u200b\u200d\ufeff"  # zero-width space, joiner, no-break space (BOM)

HOSTILE_ID = "[b]id[/b]\x1b[2J\u202e"




async def walk_to_the_bottom(pilot, tree: StateTree, depth: int) -> None:
    """Five levels down by keys (right: expand, right: first child), then the rest at once."""
    await pilot.press(*["right"] * 10)
    await settle(pilot)
    assert tree.cursor_path == ("deep",) + ("level",) * 5
    node = tree.expand_path(("deep",) + ("level",) * depth)
    await settle(pilot)  # the tree lays out its new lines
    tree.move_cursor(node)
    await settle(pilot)
    assert tree.cursor_path == ("deep",) + ("level",) * depth


def config() -> AppConfig:
    return AppConfig(watch=False, cursor_blink=False)


def hostile_session() -> Session:
    return Session.from_json({
        "id": HOSTILE_ID,
        "app_name": f"{MARKUP}{OSC}",
        "user_id": f"user{BIDI}{C1}",
        "state": {
            MARKUP: LINK,
            ANSI: f"{OSC} tail",
            f"c1{C1}": f"bidi{BIDI}evil",
            "nested": {LINK: [ANSI, MARKUP], f"k{OSC}": {"deeper": C1}},
            "more": {DCS: C1_MORE, BIDI_MORE: 1, TAGS: 2, NUL: ACTION, STRAY_CLOSE: 3,
                     f"zw{ZERO_WIDTH}key": f"{MARKUP}{ZERO_WIDTH}"},
        },
        "created_at": "2026-11-20T10:00:00Z",
        "updated_at": "2026-11-20T10:05:00Z",
        "events": [
            {"id": f"ev{ANSI}", "invocation_id": f"inv-{MARKUP}{ANSI}",
             "author": f"{MARKUP}{OSC}", "content": "\n".join(HOSTILE) + "\nlast line",
             "actions": {"state_delta": {MARKUP: LINK, ANSI: f"{OSC} tail"},
                         "transfer_to_agent": f"{LINK}{ANSI}", "escalate": True},
             "timestamp": 1795000000.5, f"extra{OSC}": f"{MARKUP}{C1}"},
            {"id": "ev2", "invocation_id": "inv-2", "author": "user",
             "content": f"plain {BIDI} question", "timestamp": 1795000100.0},
        ],
    })


def screen_lines(app) -> list[str]:
    """The text of the screen as an SVG screenshot holds it, line by line; asserts that no
    escape, BEL, C1 or bidi override character is anywhere in it."""
    svg = app.export_screenshot()
    for char in FORBIDDEN:
        assert char not in svg, f"{char!r} reached the screen ({type(app.screen).__name__})"
    lines: dict[int, list[str]] = {}
    for number, text in re.findall(r'<text[^>]*clip-path="url\(#[^)]*-line-(\d+)\)"[^>]*>(.*?)</text>',
                                   svg, re.S):
        lines.setdefault(int(number), []).append(text)
    assert lines, "no text found in the screenshot"
    out = [html.unescape("".join(parts)).replace("\xa0", " ") for _, parts in sorted(lines.items())]
    for line in out:
        for char in FORBIDDEN:
            assert char not in line, f"{char!r} reached the screen in {line!r}"
    return out


def shows(lines: list[str], text: str) -> bool:
    return any(text in line for line in lines)


def test_agent_text_is_shown_literally_and_never_reaches_the_terminal_as_control(tmp_path):
    store_path = tmp_path / "store"
    DirectoryStore(store_path, create=True).import_sessions([hostile_session()])

    async def main():
        app = build_app(store_path, config=config())
        async with app.run_test(size=SIZE, notifications=True) as pilot:  # toasts shown too
            await settle(pilot)
            session_list = app.screen.query_one(SessionList)
            assert session_list.selected_id == HOSTILE_ID
            lines = screen_lines(app)
            assert shows(lines, MARKUP)  # the app name, literally
            # The list's delete question names the session.
            await press(pilot, "d")
            assert isinstance(app.screen, ConfirmDialog)
            lines = screen_lines(app)
            assert shows(lines, MARKUP)
            await press(pilot, "n")
            # The session: title, tree, timeline.
            await press(pilot, "enter")
            screen = app.screen
            assert isinstance(screen, SessionScreen)
            lines = screen_lines(app)
            assert shows(lines, MARKUP)  # a state key and the title
            assert shows(lines, "␛")  # ESC made visible
            # Every node of the tree, expanded.
            await press(pilot, "shift+tab")
            tree = screen.query_one(StateTree)
            node = tree.expand_path(("nested", f"k{OSC}", "deeper"))
            assert node is not None
            tree.expand_path(("nested", LINK, 1))
            await settle(pilot)
            lines = screen_lines(app)
            assert shows(lines, LINK)  # a nested key
            tree.expand_path(("more", DCS))
            await settle(pilot)
            lines = screen_lines(app)
            for text in ("␛P1$qm␛\\", "c1:\\u0090\\u009d\\u0085", "bidi:\\u2066\\u2069\\u200f\\u061c",
                         "tags:\\U000e0049\\U000e0047\\U000e004e", f'nul:␀: "{ACTION}"', STRAY_CLOSE):
                assert shows(lines, text), text  # literally, or made visible
            # Each dialog on a hostile key or value.
            await press(pilot, "home", "e")
            assert isinstance(app.screen, EditValueDialog)
            lines = screen_lines(app)
            assert shows(lines, LINK)  # the value being edited, literally
            await press(pilot, "escape", "r")
            assert isinstance(app.screen, RenameKeyDialog)
            lines = screen_lines(app)
            assert shows(lines, MARKUP)
            await press(pilot, "escape", "down", "d")
            assert isinstance(app.screen, ConfirmDialog)
            screen_lines(app)
            await press(pilot, "n", "v")
            assert isinstance(app.screen, ValueDialog)
            lines = screen_lines(app)
            assert shows(lines, "␛]0;pwned")  # the value in full: ESC made visible
            await press(pilot, "escape")
            assert app.screen is screen
            # The timeline: the event opened in full.
            await press(pilot, "tab")
            assert app.focused is screen.query_one(Timeline)
            await press(pilot, "down", "enter")
            view = screen.query_one(EventView)
            assert view.display and view.event.content.startswith(MARKUP)
            lines = screen_lines(app)
            assert shows(lines, MARKUP) and shows(lines, LINK)  # content lines, literally
            assert shows(lines, "\\u009b") and shows(lines, "\\u202e")  # made visible
            # The rewind preview, with its hostile keys and values.
            await press(pilot, "home", "b")
            assert isinstance(app.screen, RewindDialog)
            lines = screen_lines(app)
            assert shows(lines, MARKUP)
            await press(pilot, "n")
            # A notification that names the session: deleted, then undone.
            await press(pilot, "D", "y")
            assert isinstance(app.screen, SessionsScreen)
            assert any(n.message.startswith("Deleted [b]id[/b]") for n in app.notices)
            lines = screen_lines(app)
            assert shows(lines, "Deleted [b]id[/b]")  # the toast, made safe
            await press(pilot, "u")
            lines = screen_lines(app)
            assert shows(lines, "Undid delete")
            assert HOSTILE_ID in open_store(store_path).ids()

    asyncio.run(main())


# -- size -------------------------------------------------------------------------------------
def deep_value(depth: int, leaf=True) -> object:
    value: object = leaf
    for _ in range(depth):
        value = {"level": value}
    return value


def test_a_5mb_message_and_a_deep_state_from_a_store_open_without_freezing(tmp_path):
    store_path = tmp_path / "store"
    big = ("x" * 99 + "\n") * 50_000  # 5 MB
    depth = 200  # about what the store's JSON (orjson) can write at most
    session = Session.from_json({
        "id": "big", "app_name": "big_app", "user_id": "u", "state": {"deep": deep_value(depth),
                                                                      "text": big},
        "created_at": "2026-11-20T10:00:00Z", "updated_at": "2026-11-20T10:05:00Z",
        "events": [{"id": "e1", "invocation_id": "i1", "author": "agent", "content": big,
                    "actions": {"state_delta": {"text": big}}, "timestamp": 1795000000.0}]})
    DirectoryStore(store_path, create=True).import_sessions([session])
    times = {}

    async def main():
        app = build_app(store_path, config=config())
        async with app.run_test(size=SIZE) as pilot:
            start = time.perf_counter()
            await settle(pilot)
            await press(pilot, "enter")
            screen = app.screen
            assert isinstance(screen, SessionScreen)
            assert len(screen.query_one(Timeline).session.events) == 1
            times["open"] = time.perf_counter() - start
            start = time.perf_counter()
            await press(pilot, "down", "enter")  # the 5 MB event, and the state after it
            view = screen.query_one(EventView)
            assert view.event.content == big
            lines = screen_lines(app)
            assert shows(lines, "x" * 20)
            times["event"] = time.perf_counter() - start
            start = time.perf_counter()
            await press(pilot, "escape", "shift+tab")
            tree = screen.query_one(StateTree)
            await walk_to_the_bottom(pilot, tree, depth)
            screen_lines(app)
            times["deep"] = time.perf_counter() - start

    asyncio.run(main())
    print("5 MB event / 200-deep state:", {k: f"{v:.2f}s" for k, v in times.items()})


class _OneSession(Store):
    """A store holding one session in memory: what the store's JSON cannot write (a state
    nested 400 deep) can still reach the app from another backend."""

    def __init__(self, path: Path, session: Session):
        self.path = path
        self._session = session

    def lock(self):
        return contextlib.nullcontext()

    def list(self):
        s = self._session
        return [{"id": s.id, "app_name": s.app_name, "user_id": s.user_id,
                 "created_at": s.created_at, "updated_at": s.updated_at,
                 "event_count": len(s.events), "invocation_count": len(s.invocation_ids())}]

    def _load(self, session_id):
        if session_id != self._session.id:
            raise NotFound(session_id)
        return self._session

    def _exists(self, session_id):
        return session_id == self._session.id

    def poll(self):
        return False


APP_DEPTH = 400  # deep values in the app: below the depth limit imports get (about 500)
TEN_MB = ("z" * 99 + "\n") * 100_000
MANY_KEYS = 100_000


def huge_session(depth: int = APP_DEPTH, keys: int = MANY_KEYS, text: str = TEN_MB,
                 delta_keys: int | None = None) -> Session:
    """10 MB of text (a state value and an event), 100,000 keys in one object, a value nested
    400 deep: what the store's JSON (orjson) cannot all write still reaches the app from another
    backend, so the app must cope with it. (Smaller sizes: the same walk, for scale.)"""
    many = {f"k{n:06d}": n for n in range(keys)}
    delta = many if delta_keys is None else {k: many[k] for k in list(many)[:delta_keys]}
    event = Event("e1", "i1", "agent", text, EventActions(state_delta={"many": delta}),
                  1795000000.0)
    return Session("huge", "app", "user", {"deep": deep_value(depth), "big": text, "many": many},
                   "2026-11-20T10:00:00Z", "2026-11-20T10:00:00Z", [event])


async def answers(pilot) -> None:
    """The app handles a key press: ? opens the help over whatever is shown, escape closes it."""
    app = pilot.app
    below = app.screen
    await press(pilot, "question_mark")
    assert isinstance(app.screen, HelpScreen)
    await press(pilot, "escape")
    assert app.screen is below


async def hostile_sizes_walk(pilot, timed=None, depth: int = APP_DEPTH, keys: int = MANY_KEYS,
                            text: str = TEN_MB) -> None:
    """Open the huge session (of these sizes) and visit each of its hostile sizes by keys; after
    each, the app answers. `timed(name, keys)`: how a benchmark presses the keys it measures."""
    app = pilot.app
    timed = timed or (lambda name, keys: press(pilot, *keys))
    await settle(pilot)
    await timed("open session", ["enter", "shift+tab"])
    screen = app.screen
    assert isinstance(screen, SessionScreen)
    tree = screen.query_one(StateTree)
    assert tree.cursor_path == ("deep",)
    await walk_to_the_bottom(pilot, tree, depth)
    await timed("view 400-deep value", ["v"])
    assert isinstance(app.screen, ValueDialog)
    screen_lines(app)
    await press(pilot, "escape")
    assert app.screen is screen
    await timed("tree home, fold 400 levels", ["home", "left"])
    assert tree.cursor_path == ("deep",)
    await timed("tree down (10 MB string)", ["down"])
    assert tree.cursor_path == ("big",)
    await timed("view 10 MB value", ["v"])
    assert isinstance(app.screen, ValueDialog)
    assert shows(screen_lines(app), "z" * 20)
    await timed("close 10 MB value", ["escape"])  # the dialog answers its key
    assert app.screen is screen
    await timed("tree down (100k keys)", ["down"])
    assert tree.cursor_path == ("many",)
    await timed("expand 100k keys", ["right"])
    await timed("first of 100k keys", ["right"])
    assert tree.cursor_path == ("many", "k000000")
    await timed("end of the shown keys", ["end"])  # a page of them, then `… N more`
    shown = StateTree.PAGE
    assert shows(screen_lines(app), f"… {keys - shown:,} more")
    await timed("the next page of 100k keys", ["enter", "end"])
    assert shows(screen_lines(app), f"… {keys - 2 * shown:,} more")
    await press(pilot, "up")
    assert tree.cursor_path == ("many", f"k{2 * shown - 1:06d}")
    await press(pilot, "tab")
    assert app.focused is screen.query_one(Timeline)
    await timed("open 10 MB event", ["down", "enter"])
    view = screen.query_one(EventView)
    assert view.display and view.event.content == text
    assert shows(screen_lines(app), "z" * 20)
    await answers(pilot)
    await press(pilot, "escape")
    assert not view.display


def test_10mb_text_100k_keys_and_400_deep_values_are_shown_and_the_app_answers(tmp_path):
    async def main():
        app = build_app(store=_OneSession(tmp_path, huge_session()), config=config())
        async with app.run_test(size=SIZE) as pilot:
            await hostile_sizes_walk(pilot)

    asyncio.run(main())


def zero_width_session() -> Session:
    return Session.from_json({
        "id": "zw", "app_name": f"app{ZERO_WIDTH}{MARKUP}", "user_id": f"u{ZERO_WIDTH}",
        "state": {f"zw{ZERO_WIDTH}key": f"{MARKUP}{ZERO_WIDTH}{LINK}"},
        "created_at": "2026-11-20T10:00:00Z", "updated_at": "2026-11-20T10:05:00Z",
        "events": [{"id": "e1", "invocation_id": "i1", "author": f"a{ZERO_WIDTH}",
                    "content": f"{ZERO_WIDTH}{MARKUP}\n{LINK}{ZERO_WIDTH}",
                    "timestamp": 1795000000.0}]})


async def zero_width_screens(store_path: Path) -> list[list[str]]:
    """The list, the session (tree and timeline) and the open event, as screen lines."""
    screens = []
    app = build_app(store_path, config=config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screens.append(screen_lines(app))
        await press(pilot, "enter")
        screens.append(screen_lines(app))
        await press(pilot, "down", "enter")
        assert app.screen.query_one(EventView).display
        screens.append(screen_lines(app))
        await answers(pilot)
    return screens


def test_zero_width_characters_carry_no_markup_and_nothing_is_interpreted(tmp_path):
    store_path = tmp_path / "store"
    DirectoryStore(store_path, create=True).import_sessions([zero_width_session()])
    screens = asyncio.run(zero_width_screens(store_path))
    for lines in screens:  # markup beside zero-width characters is shown as typed
        assert shows(lines, "[bold red]")
    assert shows(screens[2], MARKUP) and shows(screens[2], LINK)  # the event, in full


def test_zero_width_characters_are_made_visible(tmp_path):
    """U+200B, U+200D and U+FEFF shift the layout unseen: like other invisible characters,
    they reach the screen only as a visible stand-in (issue 7, hole 8)."""
    store_path = tmp_path / "store"
    DirectoryStore(store_path, create=True).import_sessions([zero_width_session()])
    for lines in asyncio.run(zero_width_screens(store_path)):
        for char in ZERO_WIDTH:
            assert not any(char in line for line in lines), f"{char!r} reached the screen raw"
        assert not shows(lines, "zwkey") and not shows(lines, "appkey")


def test_a_pasted_value_nested_300_deep_is_saved_and_the_app_stays_up(tmp_path):
    """Deeper than orjson writes (255): saved all the same (the standard library takes over)."""
    store_path = make_demo_store(tmp_path / "store")
    nested = '{"a": ' * 300 + "1" + "}" * 300

    async def main():
        app = build_app(store_path, config=config())
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "enter", "shift+tab", "e")
            assert isinstance(app.screen, EditValueDialog)
            await pilot.press("end", "ctrl+u")
            app.focused.post_message(events.Paste(nested))  # pasted: too long to type
            await settle(pilot)
            await press(pilot, "enter")
            assert isinstance(app.screen, SessionScreen)  # the app is still there
            assert not [n.message for n in app.notices if n.severity == "error"]
            return app.screen.session_id, app.screen.query_one(StateTree).cursor_path

    session_id, path = asyncio.run(main())
    value = open_store(store_path).get(session_id).state
    for key in path:
        value = value[key]
    depth = 0
    while isinstance(value, dict):
        value, depth = value["a"], depth + 1
    assert (depth, value) == (300, 1)


# -- a store the app cannot use -----------------------------------------------------------------
def run_app_process(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "session_tui", *args], cwd=REPO, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)


def assert_one_line_error(result: subprocess.CompletedProcess, code: int) -> None:
    assert result.returncode == code, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("session-tui: "), result.stderr
    assert result.stdout == ""


def test_a_missing_store_path_is_a_one_line_error(tmp_path):
    missing = tmp_path / "nonexistent" / "path"
    result = run_app_process(str(missing))
    assert_one_line_error(result, 1)
    assert str(missing) in result.stderr
    assert not missing.exists()


def test_a_file_that_is_not_a_store_is_a_one_line_error_and_left_alone(tmp_path):
    # (An empty file is an empty TinyDB database: that one opens.)
    for name, data in (("notes.txt", b"just some notes\n"), ("list.json", b"[1, 2, 3]"),
                       ("tables.json", b'{"_default": {"1": {"not": "a session"}}}')):
        path = tmp_path / name
        path.write_bytes(data)
        result = run_app_process(str(path))
        assert_one_line_error(result, 2)
        assert name in result.stderr
        assert path.read_bytes() == data


def test_a_store_file_nested_400_deep_opens_and_shows(tmp_path):
    """Deeper than orjson writes (255): the store falls back to the standard library."""
    state = deep_value(APP_DEPTH)
    path = tmp_path / "deep.json"
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)
    try:
        data = json.dumps({"_default": {"1": {
            "id": "deep", "app_name": "a", "user_id": "u", "state": {"deep": state},
            "created_at": "2026-11-20T10:00:00Z", "updated_at": "2026-11-20T10:00:00Z"}}})
    finally:
        sys.setrecursionlimit(limit)
    path.write_text(data)

    async def main():
        app = build_app(path, config=config())
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "enter")
            assert isinstance(app.screen, SessionScreen)
            assert app.screen.query_one(StateTree).state["deep"] == state

    asyncio.run(main())
    assert path.read_text() == data  # opening changed nothing


def test_notifications_never_parse_markup_even_from_screens(tmp_path):
    """Widget.notify passes markup=True by default; a session id quoted in a toast stays text."""
    store_path = make_demo_store(tmp_path / "store")

    async def main():
        app = build_app(store_path, config=config())
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            app.screen.notify("Deleted [bold red]x[/] \x1b]0;t\x07", timeout=600)
            await settle(pilot)
            (message,) = [n.message for n in app.notices if "Deleted" in n.message]
            assert "[bold red]x[/]" in message and "\x1b" not in message
            assert shows(screen_lines(app), "Deleted [bold red]x[/] ␛]0;t␇")  # the toast

    asyncio.run(main())


def test_a_session_nested_500_deep_is_imported_and_shown_or_refused_in_one_line(tmp_path):
    """Around the depth limit (about 500 levels, landing with fix-values): an import either
    keeps the session whole and the app shows it, or refuses it with one line (exit 2) and
    leaves the store as it was. Never a traceback, never half of it."""
    store_path = make_demo_store(tmp_path / "store")
    before = store_files(store_path)
    source = tmp_path / "deep.json"
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)
    try:
        source.write_text(json.dumps({"id": "deep500", "app_name": "a", "user_id": "u",
                                      "state": {"deep": deep_value(500)},
                                      "created_at": "2026-11-20T10:00:00Z",
                                      "updated_at": "2026-11-20T10:00:00Z", "events": []}))
    finally:
        sys.setrecursionlimit(limit)
    result = run_app_process("--store", str(store_path), "import", str(source))
    if result.returncode != 0:
        assert_one_line_error(result, 2)
        assert store_files(store_path) == before
        return
    assert "Traceback" not in result.stderr
    assert "deep500" in store_ids(store_path)

    async def main():
        app = build_app(store_path, config=config())
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "slash", *"deep500", "enter", "enter")
            assert isinstance(app.screen, SessionScreen) and app.screen.session_id == "deep500"
            tree = app.screen.query_one(StateTree)
            assert tree.state == {"deep": deep_value(500)}
            await answers(pilot)

    asyncio.run(main())
