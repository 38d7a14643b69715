"""Every flow of the app driven by keys, as a user would, from the demo store; each test checks
what is on screen and what the store holds afterwards (opened again, independently).

Sync tests that run their own event loop (no pytest-asyncio); a fresh demo store per test."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import orjson
import pytest
from scenes import an_hour_later, make_app, make_demo_store, press, settle, store_files, store_ids
from textual.widgets import Input, Static

from session_tui.dialogs.confirm import ConfirmDialog
from session_tui.dialogs.edit_value import EditValueDialog
from session_tui.dialogs.export import ExportDialog
from session_tui.dialogs.help import HelpScreen
from session_tui.dialogs.rename_key import RenameKeyDialog
from session_tui.dialogs.rewind import RewindDialog
from session_tui.model import Session, state_after
from session_tui.screens.session import SessionScreen
from session_tui.screens.sessions import SessionsScreen
from session_tui.store import open_store
from session_tui.store.base import plan_rewind
from session_tui.widgets.event_view import EventView
from session_tui.widgets.session_list import SessionList
from session_tui.widgets.state_tree import StateTree
from session_tui.widgets.timeline import Timeline

SIZE = (120, 36)

# The demo session the app lists first (newest): support_desk, 32 events, 8 invocations. Its
# top-level state keys, in order: channel, customer_tier, sentiment, customer, shipment, ...
FIRST = "aa5d0b4b-df3c-49ba-a21e-c3e37a0365db"


# -- helpers ---------------------------------------------------------------------------------


def fresh(tmp_path: Path) -> Path:
    return make_demo_store(tmp_path / "store")


def load(store_path: Path, session_id: str) -> Session:
    """The session as the store holds it now, read through a second, independent store."""
    store = open_store(store_path)
    try:
        return store.get(session_id)
    finally:
        store.close()


def exported(store_path: Path, session_id: str) -> bytes:
    return orjson.dumps(load(store_path, session_id).export())



def messages(app) -> list[str]:
    return [n.message for n in app.notices]


def assert_edit_event(session: Session, delta: dict) -> None:
    event = session.events[-1]
    assert event.author == "session-tui"
    assert event.invocation_id.startswith("edit-")
    assert event.content is None
    assert event.actions.state_delta == delta


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)
    await settle(pilot)


async def replace_text(pilot, text: str) -> None:
    """Clear the focused input (end, ctrl+u) and type `text`."""
    await pilot.press("end", "ctrl+u", *text)
    await settle(pilot)


async def paste(pilot, text: str) -> None:
    """Replace the focused input's text with `text`, pasted (as a terminal's bracketed paste)."""
    from textual import events

    await pilot.press("end", "ctrl+u")
    pilot.app.focused.post_message(events.Paste(text))
    await settle(pilot)


async def open_first(pilot) -> SessionScreen:
    await settle(pilot)
    assert pilot.app.screen.query_one(SessionList).selected_id == FIRST
    await press(pilot, "enter")
    screen = pilot.app.screen
    assert isinstance(screen, SessionScreen) and screen.session is not None
    return screen


async def to_tree(pilot) -> StateTree:
    await press(pilot, "shift+tab")
    tree = pilot.app.screen.query_one(StateTree)
    assert pilot.app.focused is tree
    return tree


def run(main) -> None:
    asyncio.run(main())


# -- 1. the session list: filter, sort --------------------------------------------------------
def test_filter_as_you_type_by_app_user_id_and_state_text_then_escape_clears(tmp_path):
    store_path = fresh(tmp_path)
    store = open_store(store_path)
    rows = store.list()
    sessions = {s.id: s for s in store.iter_sessions()}
    store.close()
    other = sorted(rows, key=lambda r: r["updated_at"])[3]  # an older session, not the first

    def expected(needle: str) -> set[str]:
        needle = needle.casefold()
        return {r["id"] for r in rows
                if needle in r["app_name"].casefold() or needle in r["user_id"].casefold()
                or needle in r["id"].casefold()
                or needle in json.dumps(sessions[r["id"]].state, ensure_ascii=False).casefold()}

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            session_list = screen.query_one(SessionList)
            assert session_list.row_count == 30
            for needle in ("travel", other["user_id"][:5], other["id"][:6], "leipz"):
                await press(pilot, "slash")
                assert app.focused is screen.query_one("#filter", Input)
                await replace_text(pilot, needle)
                want = expected(needle)
                assert 0 < len(want) < 30, needle
                assert set(session_list.shown_ids()) == want, needle
                assert session_list.row_count == len(want)
                status = str(screen.query_one("#status", Static).render())
                assert f"{len(want)} of 30 sessions" in status
                if needle == other["id"][:6]:
                    assert session_list.selected_id == other["id"]
                await press(pilot, "escape")
                assert session_list.filter == ""
                assert screen.query_one("#filter", Input).value == ""
                assert session_list.row_count == 30
                assert app.focused is session_list
            # Typing text no session holds shows none; escape shows all again.
            await press(pilot, "slash")
            await type_text(pilot, "zqzq")
            assert session_list.row_count == 0 and session_list.selected_id is None
            await press(pilot, "down")  # down leaves the filter for the list
            assert app.focused is session_list
            await press(pilot, "escape")
            assert session_list.row_count == 30

    run(main)


def test_sort_cycles_columns_with_s_and_reverses_with_shift_s(tmp_path):
    store_path = fresh(tmp_path)
    store = open_store(store_path)
    by_id = {r["id"]: r for r in store.list()}
    store.close()

    def column(ids, field):
        values = [by_id[i][field] for i in ids]
        return [v.casefold() if isinstance(v, str) else v for v in values]

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            session_list = app.screen.query_one(SessionList)
            # The default: newest first.
            updated = column(session_list.shown_ids(), "updated_at")
            assert updated == sorted(updated, reverse=True)
            await press(pilot, "down", "down")
            selected = session_list.selected_id
            await press(pilot, "s")
            assert session_list.sort_column == "app"
            apps = column(session_list.shown_ids(), "app_name")
            assert apps == sorted(apps) and len(set(apps)) > 1
            assert session_list.selected_id == selected  # the cursor stays on its session
            assert "sorted by app" in messages(app)
            await press(pilot, "S")
            apps = column(session_list.shown_ids(), "app_name")
            assert apps == sorted(apps, reverse=True)
            assert session_list.sort_reverse
            await press(pilot, "s")
            assert session_list.sort_column == "user"
            users = column(session_list.shown_ids(), "user_id")
            assert users == sorted(users)
            await press(pilot, "s", "s")
            assert session_list.sort_column == "events"
            counts = column(session_list.shown_ids(), "event_count")
            assert counts == sorted(counts, reverse=True)  # numbers: largest first
            await press(pilot, "S")
            counts = column(session_list.shown_ids(), "event_count")
            assert counts == sorted(counts)

    run(main)


# -- 2. editing the state ---------------------------------------------------------------------
def test_edit_values_number_string_object_and_nested_each_saved_as_an_edit_event(tmp_path):
    store_path = fresh(tmp_path)
    before = load(store_path, FIRST)
    assert list(before.state)[:4] == ["channel", "customer_tier", "sentiment", "customer"]

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot)
            timeline = screen.query_one(Timeline)
            tree = await to_tree(pilot)
            assert tree.cursor_path == ("channel",)
            count = len(before.events)

            async def edit(text: str) -> None:
                await press(pilot, "e")
                assert isinstance(app.screen, EditValueDialog)
                await replace_text(pilot, text)
                await press(pilot, "enter")
                assert app.screen is screen

            # A number.
            await edit("42")
            stored = load(store_path, FIRST)
            assert stored.state["channel"] == 42
            assert_edit_event(stored, {"channel": 42})
            count += 1
            assert len(stored.events) == count == len(timeline.session.events)
            assert tree.state["channel"] == 42 and tree.cursor_path == ("channel",)
            assert "Saved /channel" in messages(app)
            # A plain string (not JSON): saved as a string.
            await press(pilot, "down")
            assert tree.cursor_path == ("customer_tier",)
            await edit("vip 2")
            stored = load(store_path, FIRST)
            assert stored.state["customer_tier"] == "vip 2"
            assert_edit_event(stored, {"customer_tier": "vip 2"})
            count += 1
            assert len(stored.events) == count == len(timeline.session.events)
            # Text that is a JSON number but typed as a JSON string stays a string.
            await press(pilot, "down")
            await edit('"7"')
            stored = load(store_path, FIRST)
            assert stored.state["sentiment"] == "7"
            count += 1
            # A JSON object.
            await edit('{"a": [1, true]}')
            stored = load(store_path, FIRST)
            assert stored.state["sentiment"] == {"a": [1, True]}
            assert_edit_event(stored, {"sentiment": {"a": [1, True]}})
            count += 1
            assert len(stored.events) == count == len(timeline.session.events)
            # A nested value: expand "customer", down to its first child.
            await press(pilot, "down")
            assert tree.cursor_path == ("customer",)
            await press(pilot, "right")
            assert tree.find_node(("customer",)).is_expanded
            await press(pilot, "right")  # on an expanded node: to its first child
            assert tree.cursor_path == ("customer", "name")
            await edit("Sami")
            stored = load(store_path, FIRST)
            new_customer = dict(before.state["customer"], name="Sami")
            assert stored.state["customer"] == new_customer
            assert_edit_event(stored, {"customer": new_customer})  # the whole top-level key
            count += 1
            assert len(stored.events) == count == len(timeline.session.events)
            assert tree.cursor_path == ("customer", "name")  # the cursor stayed
            # Nothing else in the state changed.
            untouched = {k: v for k, v in stored.state.items()
                         if k not in ("channel", "customer_tier", "sentiment", "customer")}
            assert untouched == {k: v for k, v in before.state.items() if k in untouched}
            assert stored.events[:len(before.events)] == before.events

    run(main)


def test_invalid_json_is_refused_in_the_dialog_with_the_reason_and_nothing_is_saved(tmp_path):
    store_path = fresh(tmp_path)
    files = store_files(store_path)

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot)
            await to_tree(pilot)
            await press(pilot, "e")
            dialog = app.screen
            assert isinstance(dialog, EditValueDialog)
            await replace_text(pilot, '{"a": 1')
            await press(pilot, "enter")
            assert app.screen is dialog  # still open
            error = dialog.query_one("#edit-error", Static)
            assert error.display
            reason = str(error.render())
            assert "invalid JSON" in reason and "end of input" in reason
            assert "invalid JSON" in str(dialog.query_one("#edit-hint", Static).render())
            # Fixing the text clears the reason.
            await type_text(pilot, "}")
            assert not error.display
            await press(pilot, "escape")
            assert app.screen is screen
            assert len(screen.session.events) == 32

    run(main)
    assert store_files(store_path) == files


def test_add_a_key_an_existing_name_is_refused(tmp_path):
    store_path = fresh(tmp_path)
    before = load(store_path, FIRST)

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot)
            tree = await to_tree(pilot)
            await press(pilot, "a")  # on a top-level scalar: a key beside it, at the top
            dialog = app.screen
            assert isinstance(dialog, EditValueDialog) and dialog.is_new_key
            assert app.focused is dialog.query_one("#edit-key", Input)
            await type_text(pilot, "channel")
            await press(pilot, "enter")
            assert app.screen is dialog
            key_error = dialog.query_one("#edit-key-error", Static)
            assert key_error.display and "already exists" in str(key_error.render())
            await replace_text(pilot, "note")
            await press(pilot, "enter")  # to the value
            assert app.focused is dialog.query_one("#edit-value", Input)
            await type_text(pilot, "call Mon")
            await press(pilot, "enter")
            assert app.screen is screen
            stored = load(store_path, FIRST)
            assert stored.state["note"] == "call Mon"
            assert list(stored.state)[:-1] == list(before.state)
            assert_edit_event(stored, {"note": "call Mon"})
            assert len(screen.query_one(Timeline).session.events) == len(before.events) + 1
            assert tree.state["note"] == "call Mon"
            # Inside an object: a key of that object.
            await press(pilot, "down", "down", "down")
            assert tree.cursor_path == ("customer",)
            await press(pilot, "a")
            await type_text(pilot, "vip")
            await press(pilot, "enter")
            await type_text(pilot, "true")
            await press(pilot, "enter")
            stored = load(store_path, FIRST)
            assert stored.state["customer"] == dict(before.state["customer"], vip=True)
            assert_edit_event(stored, {"customer": dict(before.state["customer"], vip=True)})
            # Back on the list, the session's row counts the two edit events.
            await press(pilot, "escape")
            session_list = app.screen.query_one(SessionList)
            assert session_list.selected_id == FIRST
            row = session_list.selected_row
            assert row["event_count"] == len(before.events) + 2
            assert row["invocation_count"] == len(before.invocation_ids()) + 2
            assert row["updated_at"] == stored.updated_at

    run(main)


def test_rename_a_key_keeps_its_value_and_place(tmp_path):
    store_path = fresh(tmp_path)
    before = load(store_path, FIRST)

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot)
            tree = await to_tree(pilot)
            await press(pilot, "down")
            assert tree.cursor_path == ("customer_tier",)
            await press(pilot, "r")
            dialog = app.screen
            assert isinstance(dialog, RenameKeyDialog)
            # A name already taken is refused in place.
            await replace_text(pilot, "channel")
            await press(pilot, "enter")
            assert app.screen is dialog
            assert "already exists" in str(dialog.query_one("#rename-error", Static).render())
            await replace_text(pilot, "tier")
            await press(pilot, "enter")
            assert app.screen is screen
            stored = load(store_path, FIRST)
            keys = list(before.state)
            keys[1] = "tier"
            assert list(stored.state) == keys
            assert stored.state["tier"] == before.state["customer_tier"]
            assert_edit_event(stored, {"customer_tier": None, "tier": before.state["customer_tier"]})
            assert len(screen.query_one(Timeline).session.events) == len(before.events) + 1
            assert "tier" in tree.state and "customer_tier" not in tree.state

    run(main)


def test_delete_a_key_cancel_with_n_then_confirm_with_y(tmp_path):
    store_path = fresh(tmp_path)
    before = load(store_path, FIRST)
    files = store_files(store_path)

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot)
            tree = await to_tree(pilot)
            await press(pilot, "down", "down")
            assert tree.cursor_path == ("sentiment",)
            await press(pilot, "d")
            assert isinstance(app.screen, ConfirmDialog)
            await press(pilot, "n")
            assert app.screen is screen
            assert store_files(store_path) == files
            assert "sentiment" in tree.state
            await press(pilot, "d")
            assert isinstance(app.screen, ConfirmDialog)
            await press(pilot, "y")
            assert app.screen is screen
            stored = load(store_path, FIRST)
            assert "sentiment" not in stored.state
            assert_edit_event(stored, {"sentiment": None})
            assert len(screen.query_one(Timeline).session.events) == len(before.events) + 1
            assert "sentiment" not in tree.state
            # A nested key: only it goes; the event carries its whole top-level key.
            await press(pilot, "down")  # sentiment is gone: the cursor is on its neighbour
            while tree.cursor_path != ("customer",):
                await press(pilot, "down")
            await press(pilot, "right", "right", "down")
            assert tree.cursor_path == ("customer", "email_verified")
            await press(pilot, "d", "y")
            stored = load(store_path, FIRST)
            assert stored.state["customer"] == {"name": before.state["customer"]["name"]}
            assert_edit_event(stored, {"customer": {"name": before.state["customer"]["name"]}})

    run(main)


# -- 3. the timeline and time travel ----------------------------------------------------------
def test_timeline_moves_and_an_opened_event_shows_the_state_right_after_it(tmp_path):
    store_path = fresh(tmp_path)
    session = load(store_path, FIRST)
    invocations = session.invocation_ids()

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot)
            timeline = screen.query_one(Timeline)
            tree = screen.query_one(StateTree)
            view = screen.query_one(EventView)
            assert app.focused is timeline
            await press(pilot, "tab")  # tab switches panes, both ways round
            assert app.focused is tree
            await press(pilot, "tab")
            assert app.focused is timeline
            assert timeline.cursor_line == 0 and timeline.cursor_event is None
            assert timeline.current_invocation == invocations[0]
            await press(pilot, "down")
            assert timeline.cursor_event == 0
            await press(pilot, "pagedown")
            line = timeline.cursor_line
            assert line > 2
            assert timeline.current_invocation == (
                session.events[timeline.cursor_event].invocation_id
                if timeline.cursor_event is not None else timeline.current_invocation)
            await press(pilot, "pageup")
            assert timeline.cursor_line < line
            await press(pilot, "home", "shift+down")
            assert timeline.current_invocation == invocations[1] and timeline.cursor_event is None
            await press(pilot, "shift+down", "shift+up")
            assert timeline.current_invocation == invocations[1]
            # Event 6 (second invocation, its third event) writes "shipment"; event 2 (the
            # first invocation's third) writes three keys; the last event writes four.
            for index, keys in ((6, ["home", "shift+down", "down", "down", "down"]),
                                (2, ["home", "down", "down", "down"]), (31, ["end"])):
                await press(pilot, *keys)
                assert timeline.cursor_event == index
                await press(pilot, "enter")
                event = session.events[index]
                assert view.display and view.event == event
                assert screen.event_index == index
                expected = state_after(session, index + 1).state
                assert tree.state == expected
                # The keys the event changed (that are there to see: not those it removed).
                delta = event.actions.state_delta
                assert tree.highlight_keys == frozenset(k for k in delta if k in expected)
                assert tree.highlight_keys  # these events change the state
                title = str(screen.query_one("#state-title", Static).render()).lower()
                assert f"after event {index + 1}/32" in title
            # Before the refund, the refund was not in the state.
            await press(pilot, "home", "down", "down", "down")
            await press(pilot, "enter")
            assert "refund" not in tree.state
            assert "refund" in session.state
            # Shared keys too: user:language is written ("de") by event 23 only, temp: keys
            # by later events; at event 3 none of those values may show.
            assert session.state["user:language"] == "de"
            assert "user:language" not in tree.state
            replay = dict(session.initial_state or {})
            for event in session.events[:3]:
                for key, value in event.actions.state_delta.items():
                    replay.pop(key, None) if value is None else replay.__setitem__(key, value)
            shared = ("app:", "user:", "temp:")
            assert {k: v for k, v in tree.state.items() if k.startswith(shared)} == {
                k: v for k, v in replay.items() if k.startswith(shared)}
            # Escape: back to the live state, on the same screen.
            await press(pilot, "escape")
            assert app.screen is screen
            assert screen.event_index is None and not view.display
            assert tree.state == session.state and tree.highlight_keys == frozenset()
            assert "live" in str(screen.query_one("#state-title", Static).render())
            await press(pilot, "escape")
            assert isinstance(app.screen, SessionsScreen)

    run(main)


def test_the_past_cannot_be_edited_from_the_tree(tmp_path):
    store_path = fresh(tmp_path)
    files = store_files(store_path)

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot)
            await press(pilot, "down", "down", "down", "enter")
            assert screen.event_index == 2
            await to_tree(pilot)
            await press(pilot, "e")
            assert app.screen is screen  # no dialog
            await press(pilot, "d")
            assert app.screen is screen

    run(main)
    assert store_files(store_path) == files


# -- 4. rewind and undo -----------------------------------------------------------------------
def test_rewind_to_an_invocation_preview_cancel_confirm_and_undo(tmp_path):
    store_path = fresh(tmp_path)
    original = load(store_path, FIRST)
    original_bytes = orjson.dumps(original.export())
    files = store_files(store_path)
    target = original.invocation_ids()[2]
    plan = plan_rewind(original, target, before=False)
    assert plan.removed_events > 0 and plan.state_changes

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot)
            timeline = screen.query_one(Timeline)
            await press(pilot, "shift+down", "shift+down")
            assert timeline.current_invocation == target
            await press(pilot, "w")
            dialog = app.screen
            assert isinstance(dialog, RewindDialog)
            assert not dialog.plan.before and dialog.plan.invocation_id == target
            assert dialog.plan.removed_events == plan.removed_events
            assert dialog.plan.state_changes == plan.state_changes
            summary = str(dialog.query_one("#rewind-summary", Static).render())
            assert f"{plan.removed_events} events will be removed" in summary
            await press(pilot, "n")
            assert app.screen is screen
            assert store_files(store_path) == files
            await press(pilot, "w")
            assert isinstance(app.screen, RewindDialog)
            await press(pilot, "y")
            assert app.screen is screen
            stored = load(store_path, FIRST)
            assert stored.events == original.events[:plan.keep]
            assert len(stored.events) == len(original.events) - plan.removed_events
            assert stored.events[-1].invocation_id == target
            assert stored.state == plan.new_state
            assert len(timeline.session.events) == plan.keep
            assert screen.query_one(StateTree).state == plan.new_state
            # u: back exactly as it was.
            await press(pilot, "u")
            assert exported(store_path, FIRST) == original_bytes
            assert len(timeline.session.events) == len(original.events)
            assert screen.query_one(StateTree).state == original.state

    run(main)


def test_rewind_before_an_invocation_and_undo_with_ctrl_z(tmp_path):
    store_path = fresh(tmp_path)
    original = load(store_path, FIRST)
    original_bytes = orjson.dumps(original.export())
    target = original.invocation_ids()[3]
    plan = plan_rewind(original, target, before=True)
    first_of_target = next(i for i, e in enumerate(original.events) if e.invocation_id == target)
    assert plan.keep == first_of_target

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot)
            timeline = screen.query_one(Timeline)
            await press(pilot, "shift+down", "shift+down", "shift+down", "down", "down")
            assert timeline.current_invocation == target and timeline.cursor_event is not None
            await press(pilot, "b")
            dialog = app.screen
            assert isinstance(dialog, RewindDialog) and dialog.plan.before
            assert dialog.plan.state_changes == plan.state_changes
            await press(pilot, "y")
            stored = load(store_path, FIRST)
            assert stored.events == original.events[:first_of_target]
            assert target not in stored.invocation_ids()
            assert stored.state == plan.new_state
            assert len(timeline.session.events) == first_of_target
            await press(pilot, "ctrl+z")
            assert exported(store_path, FIRST) == original_bytes
            assert len(timeline.session.events) == len(original.events)

    run(main)


def test_undo_of_edits_newest_first(tmp_path):
    store_path = fresh(tmp_path)
    original_bytes = exported(store_path, FIRST)

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot)
            tree = await to_tree(pilot)
            await press(pilot, "e")
            await replace_text(pilot, "1")
            await press(pilot, "enter")
            after_first = exported(store_path, FIRST)
            await press(pilot, "e")
            await replace_text(pilot, "2")
            await press(pilot, "enter")
            assert load(store_path, FIRST).state["channel"] == 2
            await press(pilot, "u")
            assert exported(store_path, FIRST) == after_first
            assert tree.state["channel"] == 1
            await press(pilot, "u")
            assert exported(store_path, FIRST) == original_bytes
            assert tree.state["channel"] == "web_chat"
            await press(pilot, "u")  # nothing left: said so, nothing changes
            assert exported(store_path, FIRST) == original_bytes
            assert any("nothing to undo" in m for m in messages(app))
            assert app.screen is screen

    run(main)


# -- 5. export ----------------------------------------------------------------------------------
def test_export_writes_a_new_file_in_the_export_shape(tmp_path):
    store_path = fresh(tmp_path)
    out = tmp_path / "out"
    out.mkdir()

    async def main():
        app = make_app(store_path, export_dir=out)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot)
            await press(pilot, "x")
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            assert dialog.query_one("#export-path", Input).value.startswith(str(out))
            await press(pilot, "enter")
            assert app.screen is screen
            assert any(m.startswith("Exported 1 session") for m in messages(app))

    run(main)
    written = list(out.iterdir())
    assert len(written) == 1 and written[0].suffix == ".json"
    data = json.loads(written[0].read_bytes())
    assert Session.from_json(data) == load(store_path, FIRST)
    assert data["id"] == FIRST and isinstance(data["events"], list) and len(data["events"]) == 32


def test_export_over_an_existing_file_asks_and_no_leaves_it_alone(tmp_path):
    store_path = fresh(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    sentinel = b"someone else's file\n"

    async def main():
        app = make_app(store_path, export_dir=out)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "x")  # from the list: the session under the cursor
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            target = Path(dialog.query_one("#export-path", Input).value)
            target.write_bytes(sentinel)
            await press(pilot, "enter")
            assert isinstance(app.screen, ConfirmDialog)
            await press(pilot, "n")
            assert app.screen is dialog  # back in the dialog, nothing written
            assert target.read_bytes() == sentinel
            await press(pilot, "escape")
            assert isinstance(app.screen, SessionsScreen)
            assert target.read_bytes() == sentinel
            assert list(out.iterdir()) == [target]
            # Again, and yes: overwritten with the session.
            await press(pilot, "x", "enter")
            assert isinstance(app.screen, ConfirmDialog)
            await press(pilot, "y")
            assert isinstance(app.screen, SessionsScreen)
            assert json.loads(target.read_bytes())["id"] == FIRST

    run(main)


def test_export_in_adk_format(tmp_path):
    from session_tui.formats import exporting

    if not hasattr(exporting, "encode_adk"):
        pytest.skip("formats.exporting.encode_adk is not written yet")
    from session_tui.formats.adk_json import read_adk_json

    store_path = fresh(tmp_path)
    out = tmp_path / "out"
    out.mkdir()

    async def main():
        app = make_app(store_path, export_dir=out)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot)
            await press(pilot, "x")
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            await paste(pilot, str(out / "adk.session.json"))
            await press(pilot, "tab", "down")
            assert dialog.format == "adk"
            await press(pilot, "enter")
            assert app.screen is screen

    run(main)
    data = json.loads((out / "adk.session.json").read_bytes())
    assert data["appName"] == "support_desk" and data["id"] == FIRST
    assert all("invocationId" in e for e in data["events"])
    back = read_adk_json((out / "adk.session.json").read_bytes())
    assert len(back) == 1 and back[0].id == FIRST
    assert back[0].state == load(store_path, FIRST).state
    assert len(back[0].events) == 32


# -- 6. deleting sessions -----------------------------------------------------------------------
def test_delete_a_session_from_the_list_and_undo_it(tmp_path):
    store_path = fresh(tmp_path)

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            session_list = app.screen.query_one(SessionList)
            await press(pilot, "down", "down")
            victim = session_list.selected_id
            before = exported(store_path, victim)
            await press(pilot, "d")
            assert isinstance(app.screen, ConfirmDialog)
            await press(pilot, "n")
            assert victim in store_ids(store_path) and session_list.row_count == 30
            await press(pilot, "d", "y")
            assert isinstance(app.screen, SessionsScreen)
            assert victim not in session_list.shown_ids() and session_list.row_count == 29
            assert victim not in store_ids(store_path)
            await press(pilot, "u")
            assert victim in session_list.shown_ids() and session_list.row_count == 30
            assert session_list.selected_id == victim
            assert exported(store_path, victim) == before

    run(main)


def test_delete_the_open_session_with_shift_d_then_undo_on_the_list(tmp_path):
    store_path = fresh(tmp_path)
    before = exported(store_path, FIRST)

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot)
            await press(pilot, "D")
            assert isinstance(app.screen, ConfirmDialog)
            await press(pilot, "n")
            assert app.screen is screen and FIRST in store_ids(store_path)
            await press(pilot, "D", "y")
            assert isinstance(app.screen, SessionsScreen)
            assert FIRST not in store_ids(store_path)
            session_list = app.screen.query_one(SessionList)
            assert FIRST not in session_list.shown_ids() and session_list.row_count == 29
            await press(pilot, "u")
            assert exported(store_path, FIRST) == before
            assert session_list.selected_id == FIRST and session_list.row_count == 30

    run(main)


# -- 7. the command palette and help ------------------------------------------------------------
def test_command_palette_runs_export_and_rewind(tmp_path):
    from textual.command import CommandPalette

    store_path = fresh(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    original = load(store_path, FIRST)

    async def main():
        app = make_app(store_path, export_dir=out)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot)
            await press(pilot, "ctrl+p")
            assert isinstance(app.screen, CommandPalette)
            await type_text(pilot, "Export")
            await press(pilot, "enter")
            assert isinstance(app.screen, ExportDialog)
            await press(pilot, "enter")
            assert app.screen is screen
            assert len(list(out.iterdir())) == 1
            # Rewind to the invocation under the timeline cursor.
            await press(pilot, "shift+down", "shift+down")
            target = screen.query_one(Timeline).current_invocation
            await press(pilot, "ctrl+p")
            await type_text(pilot, "Rewind to")
            await press(pilot, "enter")
            assert isinstance(app.screen, RewindDialog)
            assert app.screen.plan.invocation_id == target and not app.screen.plan.before
            await press(pilot, "y")
            stored = load(store_path, FIRST)
            assert stored.events == original.events[:plan_rewind(original, target).keep]

    run(main)


def test_help_lists_the_keys_of_the_screen_and_escape_closes_it(tmp_path):
    store_path = fresh(tmp_path)

    def texts(screen) -> str:
        return "\n".join(str(s.render()) for s in screen.query(Static))

    async def main():
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "question_mark")
            assert isinstance(app.screen, HelpScreen)
            shown = texts(app.screen)
            for words in ("Filter", "Sort", "Delete", "Undo", "Export", "ctrl+p"):
                assert words in shown, words
            await press(pilot, "escape")
            assert isinstance(app.screen, SessionsScreen)
            await press(pilot, "enter", "question_mark")
            assert isinstance(app.screen, HelpScreen)
            shown = texts(app.screen)
            for words in ("Rewind to", "Rewind before", "Edit", "Add key", "Rename",
                          "Delete session", "previous / next invocation"):
                assert words in shown, words
            await press(pilot, "escape")
            assert isinstance(app.screen, SessionScreen)

    run(main)


def test_u_on_the_list_never_undoes_a_change_already_undone_in_the_session(tmp_path):
    store_path = fresh(tmp_path)
    other = open_store(store_path)
    other.set_value(FIRST, "/earlier", "made before this run")  # undo history of its own
    other.close()
    earlier = exported(store_path, FIRST)

    async def main():
        app = make_app(store_path, clock=an_hour_later)  # the change just before: no question
        async with app.run_test(size=SIZE) as pilot:
            await open_first(pilot)
            await to_tree(pilot)
            await press(pilot, "e")
            await replace_text(pilot, "1")
            await press(pilot, "enter")
            assert load(store_path, FIRST).state["channel"] == 1
            await press(pilot, "u")  # undone in the session
            assert exported(store_path, FIRST) == earlier
            await press(pilot, "escape")
            assert isinstance(app.screen, SessionsScreen)
            await press(pilot, "u")  # nothing left that this run changed
            assert exported(store_path, FIRST) == earlier
            assert any("Nothing to undo in this run" in m for m in messages(app))

    run(main)
