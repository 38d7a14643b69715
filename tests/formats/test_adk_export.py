"""`encode_adk` / `write_adk`: one `<id>.session.json` per session, safe names, atomic, no silent
overwrite; and that the format modules import neither textual nor google-adk."""

from __future__ import annotations

import copy
import subprocess
import sys

import orjson
import pytest

from session_tui.formats import adk_json, exporting, reading
from session_tui.store.errors import StoreError


def test_encode_adk(demo_session):
    data = exporting.encode_adk(demo_session)
    assert data.startswith(b'{\n  "id": "demo-1",') and data.endswith(b"}\n")
    assert orjson.loads(data) == adk_json.to_adk_json(demo_session)


def _renamed(session, new_id, app=None):
    s = copy.deepcopy(session)
    s.id = new_id
    if app:
        s.app_name = app
    return s


NASTY = ["../../etc/passwd", "..", ".", "", "a/b", "/abs", "CON", "x" * 300, "trip/2026 ✈ #1",
         ".hidden", "a\\b", "nul.txt", "new\nline"]


def test_file_names_stay_in_the_folder(demo_session, tmp_path):
    sessions = [_renamed(demo_session, i) for i in NASTY]
    folder = tmp_path / "out"
    paths = exporting.write_adk(sessions, folder)
    assert len(set(paths)) == len(NASTY)
    for path, session in zip(paths, sessions):
        assert path.parent == folder and path.resolve().parent == folder.resolve()
        assert path.name.endswith(".session.json") and not path.name.startswith(".")
        assert "/" not in path.name and "\\" not in path.name and "\n" not in path.name
        assert len(path.name.encode()) < 200
        [back] = reading.read_path(path)
        assert back.id == session.id  # the id is kept inside the file
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in paths)
    assert exporting.adk_file_name("demo-1") == "demo-1.session.json"
    assert exporting.adk_file_name("v1.2_x") == "v1.2_x.session.json"


def test_same_ids_and_ids_differing_in_case_get_distinct_files(demo_session, tmp_path):
    sessions = [_renamed(demo_session, "s1", "app_a"), _renamed(demo_session, "s1", "app_b"),
                _renamed(demo_session, "Abc"), _renamed(demo_session, "abc"),
                _renamed(demo_session, "s2"), _renamed(demo_session, "s2")]
    paths = exporting.write_adk(sessions, tmp_path)
    assert len({p.name.lower() for p in paths}) == len(sessions)
    assert paths[4].name != "s2.session.json" or paths[5].name != "s2.session.json"
    for path, session in zip(paths, sessions):
        [back] = reading.read_path(path)
        assert (back.app_name, back.id) == (session.app_name, session.id)


def test_refuses_to_overwrite_and_writes_nothing(demo_session, tmp_path):
    sessions = [_renamed(demo_session, "one"), _renamed(demo_session, "two")]
    (tmp_path / "two.session.json").write_text("mine")
    with pytest.raises(StoreError) as info:
        exporting.write_adk(sessions, tmp_path)
    assert str(info.value) == f"{tmp_path / 'two.session.json'}: already exists (use --force to overwrite)"
    assert not (tmp_path / "one.session.json").exists()
    assert (tmp_path / "two.session.json").read_text() == "mine"
    paths = exporting.write_adk(sessions, tmp_path, overwrite=True)
    assert [p.name for p in paths] == ["one.session.json", "two.session.json"]
    assert orjson.loads(paths[1].read_bytes())["id"] == "two"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_folder_is_made_and_a_file_is_not_a_folder(demo_session, tmp_path):
    paths = exporting.write_adk([demo_session], tmp_path / "new" / "deeper")
    assert paths == [tmp_path / "new" / "deeper" / "demo-1.session.json"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="not a folder"):
        exporting.write_adk([demo_session], tmp_path / "file")


def test_write_adk_round_trip_of_adk_sessions(adk_fixtures, tmp_path):
    sessions = reading.read_path(adk_fixtures / "database.db")
    paths = exporting.write_adk(sessions, tmp_path)
    for path, session in zip(paths, sessions):
        [back] = reading.read_path(path)
        assert [e.export() for e in back.events] == [e.export() for e in session.events]
        assert (back.state, back.updated_at) == (session.state, session.updated_at)
        assert exporting.encode_adk(back) == path.read_bytes()
    raw = (adk_fixtures / "session.json").read_bytes()
    [s] = reading.read_bytes(raw, "session.json")
    [path] = exporting.write_adk([s], tmp_path / "json")
    assert orjson.loads(path.read_bytes()) == orjson.loads(raw)


def test_format_modules_import_neither_textual_nor_google():
    code = ("import session_tui.formats.adk_sqlite, session_tui.formats.adk_json, "
            "session_tui.formats.exporting, session_tui.formats.reading, sys; "
            "bad = [m for m in sys.modules if m.startswith(('textual', 'google'))]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
