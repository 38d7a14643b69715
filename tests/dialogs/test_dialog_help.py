from __future__ import annotations

from dialog_harness import Host, answer, keys, run, screen_text
from session_tui.dialogs import HelpScreen

SECTIONS = [
    ("Everywhere", [("ctrl+p", "command palette: every action"), ("?", "this help"),
                    ("ctrl+q", "quit"), ("u", "undo the last destructive change")]),
    ("Session list", [("/", "filter as you type"), ("s", "sort by the next column"),
                      ("enter", "open the session"), ("d", "delete the session (undoable)"),
                      ("x", "export the session, the selection or the whole store")]),
    ("State tree", [("e / enter", "edit the value as JSON"), ("a", "add a key"),
                    ("r", "rename the key"), ("delete", "delete the key"),
                    ("v", "view the whole value")]),
    ("Timeline", [("R", "rewind to the invocation"), ("B", "rewind before the invocation")]),
]


def test_closes():
    async def script(pilot, app):
        for key in ("escape", "question_mark", "q"):
            assert await answer(pilot, app, HelpScreen(SECTIONS), key) is None

    run(None, script)


def test_sections_and_aligned_keys():
    app = run(lambda: HelpScreen(SECTIONS), keys(), size=(100, 40))
    lines = app.text.splitlines()
    assert any("Session list" in line for line in lines)
    descriptions = {line.index(d) for d in ("command palette", "edit the value", "rewind to the")
                    for line in lines if d in line}
    keys_at = {line.index(k) for k, d in [("ctrl+p", "command palette"),
                                          ("e / enter", "edit the value"),
                                          ("R ", "rewind to the")]
               for line in lines if d in line}
    assert len(descriptions) == 1 and len(keys_at) == 1  # two aligned columns, all sections


def test_scrolls_when_longer_than_the_screen():
    async def script(pilot, app):
        assert "Timeline" not in screen_text(app)
        await pilot.press("end")
        await pilot.pause()
        assert "rewind before the invocation" in screen_text(app)

    run(lambda: HelpScreen(SECTIONS), script)


def test_keys_are_not_markup():
    app = run(lambda: HelpScreen([("[b]S[/b]", [("[", "open [link=x]y[/link]")])]), keys())
    assert "[b]S[/b]" in app.text and "open [link=x]y[/link]" in app.text


def test_snapshot_help(snap_compare):
    assert snap_compare(Host(lambda: HelpScreen(SECTIONS)), terminal_size=(80, 24))
