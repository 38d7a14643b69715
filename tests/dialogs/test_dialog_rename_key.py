from __future__ import annotations

from dialog_harness import Host, keys, run, screen_text, type_text, typed
from session_tui.dialogs import RenameKeyDialog

EXISTING = frozenset({"seat", "meal", "gate"})


def rename(current="seat"):
    return lambda: RenameKeyDialog(current, EXISTING)


def test_new_name_is_returned():
    assert run(rename(), keys(typed("row"), "enter")).results == ["row"]


def test_taken_name_is_refused_in_place():
    app = run(rename(), keys(typed("meal"), "enter"))
    assert app.results == []
    assert isinstance(app.last_screen, RenameKeyDialog)
    assert 'a key named "meal" already exists here' in app.text


def test_empty_name_is_refused_in_place():
    app = run(rename(), keys("backspace", "enter"))
    assert app.results == []
    assert "the key name is empty" in app.text


def test_refused_then_corrected():
    async def script(pilot, app):
        await type_text(pilot, "gate")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RenameKeyDialog)
        await pilot.press("backspace", "enter")

    assert run(rename(), script).results == ["gat"]


def test_escape_and_unchanged_name_give_none():
    assert run(rename(), keys(typed("x"), "escape")).results == [None]
    assert run(rename(), keys("enter")).results == [None]


def test_name_with_control_characters_is_not_put_in_the_editor():
    async def script(pilot, app):
        assert app.screen.query_one("#rename-input").value == ""
        assert "bad␛]0;x␇" in screen_text(app)
        await type_text(pilot, "clean")
        await pilot.press("enter")

    app = run(lambda: RenameKeyDialog("bad\x1b]0;x\x07", frozenset()), script)
    assert app.results == ["clean"]
    assert "\x1b" not in app.text


def test_snapshot_rename_key(snap_compare):
    app = Host(lambda: RenameKeyDialog("seat", EXISTING))
    assert snap_compare(app, press=["backspace", *"meal", "enter"], terminal_size=(80, 24))


def test_typing_replaces_the_preselected_old_name():
    async def script(pilot, app):
        await pilot.press("r", "o", "w", "enter")  # straight away, as a person types

    assert run(rename(), script).results == ["row"]


def test_an_arrow_keeps_the_old_name_to_change_a_part():
    async def script(pilot, app):
        await pilot.press("end", "_", "2", "enter")

    assert run(rename(), script).results == ["seat_2"]
