from __future__ import annotations

from rich.text import Text

from dialog_harness import Host, answer, keys, run
from session_tui.dialogs import ConfirmDialog


def make(**kwargs):
    return lambda: ConfirmDialog("Delete session", "Delete session abc? It can be undone.",
                                 **kwargs)


def test_keys_answer():
    async def script(pilot, app):
        for key, expected in [("y", True), ("enter", True), ("n", False), ("escape", False)]:
            assert await answer(pilot, app, make()(), key) is expected, key

    run(None, script)


def test_other_keys_do_nothing():
    app = run(make(), keys("x", "tab", "space"))
    assert app.results == []
    assert isinstance(app.last_screen, ConfirmDialog)


def test_buttons_answer_to_the_mouse():
    async def script(pilot, app):
        await pilot.click("#confirm-no")

    assert run(make(), script).results == [False]

    async def yes(pilot, app):
        await pilot.click("#confirm-yes")

    assert run(make(confirm_label="Delete", danger=True), yes).results == [True]


def test_labels_and_key_hints_are_shown():
    app = run(make(confirm_label="Delete", danger=True), keys())
    text = app.text
    assert "Delete session abc? It can be undone." in text
    assert "y/enter delete" in text and "n/esc no" in text
    assert app.last_screen.has_class("-danger")


def test_message_is_never_markup_nor_control_codes():
    message = "remove [bold]x[/bold] \x1b]0;pwned\x07 now"

    app = run(lambda: ConfirmDialog("[red]t[/red]", message), keys())
    text = app.text
    assert "[bold]x[/bold]" in text
    assert "[red]t[/red]" in text
    assert "\x1b" not in text and "\x07" not in text
    assert "␛]0;pwned␇" in text


def test_rich_text_message_keeps_its_style_when_safe():
    styled = Text.assemble(("bold part", "bold"), " plain")
    dialog = ConfirmDialog("t", styled)
    assert dialog.message is styled
    unsafe = ConfirmDialog("t", Text("a\x1bb"))
    assert unsafe.message.plain == "a␛b"


def test_snapshot_confirm(snap_compare):
    app = Host(lambda: ConfirmDialog(
        "Delete session", "Delete session 7f3a1c2e (booking-agent, 12 events)?\n"
        "You can undo it with u.", confirm_label="Delete", danger=True))
    assert snap_compare(app, terminal_size=(80, 24))
