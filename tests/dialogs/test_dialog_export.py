from __future__ import annotations

from pathlib import Path

from dialog_harness import Host, keys, paste, run, screen_text
from session_tui.dialogs import ConfirmDialog, ExportDialog, ExportRequest


def export(path, count=1):
    return lambda: ExportDialog(str(path), count)


def test_new_file_in_the_default_format(tmp_path):
    target = tmp_path / "booking-7f3a1c2e.json"
    app = run(export(target), keys("enter"))
    assert app.results == [ExportRequest(target, "session", overwrite=False)]


def test_choosing_the_adk_format_by_keys(tmp_path):
    target = tmp_path / "s.json"
    app = run(export(target), keys("tab", "down", "enter"))
    assert app.results == [ExportRequest(target, "adk", overwrite=False)]
    # and back up again, exporting with ctrl+s from the format list
    app = run(export(target), keys("tab", "down", "up", "ctrl+s"))
    assert app.results == [ExportRequest(target, "session", overwrite=False)]


def test_typed_path(tmp_path):
    async def script(pilot, app):
        await pilot.press("ctrl+u")
        await paste(pilot, str(tmp_path / "other.jsonl"))
        await pilot.press("enter")

    app = run(export(tmp_path / "x.json", count=3), script)
    assert app.results == [ExportRequest(tmp_path / "other.jsonl", "session", overwrite=False)]


def test_existing_file_asks_before_overwriting(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = Path("exists.json")
    target.write_text("{}")

    async def script(pilot, app):
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "exists.json exists. Overwrite?" in screen_text(app)
        await pilot.press("n")  # no: back to the export dialog, nothing returned
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        assert app.results == []
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")

    app = run(export(target), script)
    assert app.results == [ExportRequest(target, "session", overwrite=True)]
    assert target.read_text() == "{}"  # the dialog itself writes nothing


def test_missing_folder_is_refused_in_place(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = run(export("nope/s.json"), keys("enter"))
    assert app.results == []
    assert isinstance(app.last_screen, ExportDialog)
    assert "the folder nope does not exist" in app.text


def test_empty_path_is_refused_in_place(tmp_path):
    app = run(export(tmp_path / "s.json"), keys("ctrl+u", "enter"))
    assert app.results == []
    assert "enter a path to export to" in app.text


def test_a_folder_is_refused_for_one_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    app = run(export("out"), keys("enter"))
    assert app.results == []
    assert "is a folder: give a file name" in app.text


def test_adk_with_several_sessions_accepts_an_existing_folder(tmp_path):
    app = run(export(tmp_path, count=3), keys("tab", "down", "enter"))
    assert app.results == [ExportRequest(tmp_path, "adk", overwrite=False)]


def test_adk_with_several_sessions_refuses_a_file(tmp_path):
    target = tmp_path / "f.json"
    target.write_text("{}")
    app = run(export(target, count=3), keys("tab", "down", "enter"))
    assert app.results == []
    assert "needs a folder" in app.text


def test_escape_cancels(tmp_path):
    assert run(export(tmp_path / "s.json"), keys("escape")).results == [None]


def test_snapshot_export(snap_compare):
    app = Host(lambda: ExportDialog("./booking-agent-7f3a1c2e.json", 1))
    assert snap_compare(app, terminal_size=(80, 24))
