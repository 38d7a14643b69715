"""Bad input through the CLI: exit 2, one line on stderr naming the file, nothing changed."""

from __future__ import annotations

import orjson
import pytest

from clikit import one_line_error, tree_hashes
from session_tui.model import Session


def test_a_store_file_that_is_not_json(cli, tmp_path):
    path = tmp_path / "broken.json"
    path.write_bytes(b'{"_default": {"1": {"id": "x"')
    for args in (["list"], ["show", "x"], ["set", "x", "/a", "1"], ["check"]):
        one_line_error(cli("--store", path, *args), 2, "broken.json")
    assert path.read_bytes() == b'{"_default": {"1": {"id": "x"'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.json"]


def test_a_tinydb_file_of_non_sessions(cli, tmp_path):
    path = tmp_path / "people.json"
    content = orjson.dumps({"_default": {"1": {"name": "Ada"}, "2": {"name": "Bob"}}})
    path.write_bytes(content)
    for args in (["list"], ["import", path]):
        one_line_error(cli("--store", path, *args), 2, "people.json")
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["people.json"]


def _good(n: int) -> dict:
    s = Session.new("app", "u", f"good-{n}")
    s.created_at = s.updated_at = "2026-05-01T10:00:00Z"
    return s.export()


@pytest.mark.parametrize("shape", ["jsonl", "array"])
def test_an_import_with_one_bad_session_among_good_ones(cli, store, tmp_path, shape):
    bad = _good(1)
    bad["events"] = [{"id": "e", "invocation_id": "i", "author": "a", "timestamp": "abc"}]
    docs = [_good(0), bad, _good(2)]
    source = tmp_path / f"mixed.{shape}"
    if shape == "jsonl":
        source.write_bytes(b"\n".join(orjson.dumps(d) for d in docs))
    else:
        source.write_bytes(orjson.dumps(docs))
    before = tree_hashes(store.path)
    err = one_line_error(cli("--store", store.path, "import", source), 2, source.name, "timestamp")
    assert ("line 2" in err) if shape == "jsonl" else ("[1]" in err)
    assert tree_hashes(store.path) == before
    # Into a store that does not exist yet: not even the folder appears.
    fresh = tmp_path / "fresh-store"
    one_line_error(cli("--store", fresh, "import", source), 2, source.name)
    assert not fresh.exists()


def test_an_import_of_something_else(cli, store, tmp_path):
    before = tree_hashes(store.path)
    text = tmp_path / "notes.txt"
    text.write_bytes(b"just some notes\n")
    one_line_error(cli("--store", store.path, "import", text), 2, "notes.txt")
    one_line_error(cli("--store", store.path, "import", tmp_path / "missing.json"), 1, "missing.json")
    assert tree_hashes(store.path) == before


def test_tinydb_file_store_through_the_cli(cli, tmp_path):
    """A plain TinyDB file works as a store: edits land in it, the rest is untouched."""
    from tinydb import TinyDB

    path = tmp_path / "sessions.json"
    db = TinyDB(path)
    db.insert(_good(0))
    db.table("notes").insert({"note": "keep me"})
    db.close()
    assert cli("--store", path, "set", "good-0", "/k", '"v"').returncode == 0
    rows = cli.json("--store", path, "list", "--json")
    assert [(r["id"], r["event_count"]) for r in rows] == [("good-0", 1)]
    tables = orjson.loads(path.read_bytes())
    assert tables["notes"] == {"1": {"note": "keep me"}}
    assert tables["_default"]["1"]["state"] == {"k": "v"}


def test_a_file_to_import_given_as_the_store_says_so_and_how(cli, tmp_path):
    # An ADK session JSON export (adk web's Export button) is not a store: said, with the way in.
    path = tmp_path / "exported.session.json"
    content = orjson.dumps({"id": "s1", "appName": "app", "userId": "u", "state": {}, "events": [],
                            "lastUpdateTime": 1764000000.0})
    path.write_bytes(content)
    err = one_line_error(cli("--store", path, "list"), 2, "exported.session.json",
                         "an ADK session JSON export to import, not a store")
    assert f"session-tui import {path}" in err
    assert path.read_bytes() == content and sorted(p.name for p in tmp_path.iterdir()) == [path.name]
