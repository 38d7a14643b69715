from __future__ import annotations

from pathlib import Path

from dialog_harness import NOTHING, Host, answer, keys, paste, run, screen_text, typed
from session_tui.dialogs import ImportDialog, ImportRequest
from session_tui.dialogs.import_dialog import split_paths


def importing(path="", **kw):
    return lambda: ImportDialog(str(path), **kw)


def test_an_existing_file_with_the_default_choices(tmp_path):
    source = tmp_path / "s.jsonl"
    source.write_text("{}")
    app = run(importing(source), keys("enter"))
    assert app.results == [ImportRequest([source], "skip", "store")]


def test_choosing_the_conflict_policy_by_keys(tmp_path):
    source = tmp_path / "s.jsonl"
    source.write_text("{}")

    async def script(pilot, app):
        dialog = importing(source)
        assert await answer(pilot, app, dialog(), "tab", "down", "enter") == ImportRequest(
            [source], "replace", "store")
        assert await answer(pilot, app, dialog(), "tab", "down", "down", "ctrl+s") == ImportRequest(
            [source], "keep-both", "store")

    run(None, script)


def test_several_files_separated_by_spaces(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a.json", "b c.json"):
        (tmp_path / name).write_text("{}")

    async def script(pilot, app):
        assert await answer(pilot, app, ImportDialog(), typed("a.json 'b c.json' a.json"),
                            "enter") == ImportRequest([Path("a.json"), Path("b c.json")])
        # one name with spaces, unquoted, is that file
        assert await answer(pilot, app, ImportDialog("b c.json"), "enter") == ImportRequest(
            [Path("b c.json")])

    run(None, script)


def test_the_target_choice(tmp_path):
    source = tmp_path / "session.db"
    source.write_text("x")
    app = run(importing(source, target_choices=True, store_label="the store x"),
              keys("tab", "tab", "down", "enter"))
    assert app.results == [ImportRequest([source], "skip", "beside")]
    assert app.results[0].beside_path == tmp_path / "session.db.store"


def test_the_beside_label_follows_the_path(tmp_path):
    async def script(pilot, app):
        await pilot.press("ctrl+u")
        await paste(pilot, str(tmp_path / "other.jsonl"))

    app = run(importing(tmp_path / "first.db", target_choices=True), script)
    assert "a new store beside the file (other.jsonl.store/)" in app.text
    assert app.results == []


def test_a_missing_file_is_refused_in_place(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "here.json").write_text("{}")
    app = run(importing("here.json nope.json"), keys("enter"))
    assert app.results == []
    assert isinstance(app.last_screen, ImportDialog)
    assert "nope.json: no such file" in app.text
    assert app.focused_id == "import-path"


def test_nothing_given_and_a_folder_are_refused_in_place(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dir").mkdir()

    async def script(pilot, app):
        assert await answer(pilot, app, ImportDialog(), "enter") is NOTHING
        assert "enter the file to import" in screen_text(app)
        app.pop_screen()
        assert await answer(pilot, app, ImportDialog("dir"), "enter") is NOTHING
        assert "dir is a folder" in screen_text(app)
        await pilot.press("backspace")  # typing clears the reason
        await pilot.pause()
        assert "is a folder" not in screen_text(app)

    assert run(None, script).results == []


def test_escape_cancels(tmp_path):
    assert run(importing(tmp_path / "s.json"), keys("escape")).results == [None]


def test_split_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert split_paths("  ") == []
    assert split_paths("a b") == ["a", "b"]
    assert split_paths('"a b" c') == ["a b", "c"]
    assert split_paths("it's") == ["it's"]  # an unbalanced quote: plain words
    (tmp_path / "x y").write_text("")
    assert split_paths("x y") == ["x y"]


def test_snapshot_import(snap_compare):
    app = Host(lambda: ImportDialog("./adk-agent/.adk/session.db", target_choices=True,
                                    store_label="the store ~/.local/share/session-tui/store"))
    assert snap_compare(app, terminal_size=(80, 24))
