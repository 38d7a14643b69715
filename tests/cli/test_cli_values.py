"""The CLI and odd values: ids that start with `-`, values beyond the limits (too deep, huge
integers, duplicate keys, times out of range), hostile characters in plain `show`."""

from __future__ import annotations

import json

import orjson
import pytest

from clikit import one_line_error, tree_hashes
from session_tui.jsonio import MAX_DEPTH
from session_tui.model import Session
from session_tui.store import DirectoryStore

DASH_SESSION = {
    "id": "-abc", "app_name": "a", "user_id": "u", "state": {"k": 1},
    "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
    "events": [{"id": "e1", "invocation_id": "-inv", "author": "agent", "content": "hi",
                "actions": {"state_delta": {"k": 1}}, "timestamp": 1790000000.0}],
}


@pytest.fixture
def dash_store(tmp_path):
    path = tmp_path / "store"
    DirectoryStore(path, create=True).import_sessions(
        [Session.from_json(DASH_SESSION)])
    return path


def test_ids_that_start_with_a_dash_work_after_double_dash_for_every_command(cli, dash_store, tmp_path):
    s = ("--store", dash_store)
    shown = cli(*s, "show", "--", "-abc")
    assert shown.returncode == 0 and b"session  -abc" in shown.stdout
    assert cli.json(*s, "show", "--json", "--", "-abc")["id"] == "-abc"
    assert cli.json(*s, "--json", "set", "--", "-abc", "/k", "-3")["state"] == {"k": -3}
    assert cli.json(*s, "--json", "unset", "--", "-abc", "/k")["state"] == {}
    assert cli.json(*s, "--json", "rewind", "--dry-run", "--", "-abc", "-inv")["removed_events"] == 2
    assert cli.json(*s, "--json", "rewind", "--before", "--", "-abc", "-inv")["removed_events"] == 3
    assert cli.json(*s, "--json", "undo", "--", "-abc")["undone"] == "rewind"
    assert cli.json(*s, "export", "--", "-abc")["id"] == "-abc"
    assert cli.json(*s, "export", "--format", "adk", "--", "-abc")["id"] == "-abc"
    (tmp_path / "-in.json").write_bytes(orjson.dumps(dict(DASH_SESSION, id="-other")))
    assert cli.json(*s, "--json", "import", "--", "-in.json")["added"] == ["-other"]
    # Without `--` the id reads as an option: a usage error, nothing changed.
    before = tree_hashes(dash_store)
    assert cli(*s, "show", "-abc").returncode == 2
    assert tree_hashes(dash_store) == before


def test_an_app_path_that_starts_with_a_dash_comes_after_double_dash(cli, tmp_path):
    one_line_error(cli("--", "-no-such-store"), 1, "-no-such-store")


def _deep(levels: int):
    value: object = 1
    for _ in range(levels + 1):  # nested `levels` levels within the outermost object
        value = {"d": value}
    return value


def _session_file(path, levels: int) -> None:
    """A session whose state value `deep` nests `levels` levels (written as text: deeper than
    the standard library writes)."""
    head = json.dumps({"id": "deep", "app_name": "a", "user_id": "u",
                       "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"})
    deep = '{"d":' * (levels + 1) + "1" + "}" * (levels + 1)
    path.write_text(head[:-1] + ', "state": {"deep": ' + deep + "}}")


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 1_000, 20_000])
def test_an_import_nested_too_deep_is_refused_with_one_line(cli, store, tmp_path, levels):
    _session_file(tmp_path / "deep.json", levels)
    before = tree_hashes(store.path)
    err = one_line_error(cli("--store", store.path, "import", tmp_path / "deep.json"), 2,
                         "deep.json", f"nested deeper than {MAX_DEPTH} levels")
    assert "Recursion" not in err
    assert tree_hashes(store.path) == before


def test_a_session_at_the_depth_limit_is_imported_shown_exported_rewound_and_undone(cli, store, tmp_path):
    deep = _deep(MAX_DEPTH)
    _session_file(tmp_path / "deep.json", MAX_DEPTH)
    s = ("--store", store.path)
    assert cli(*s, "import", tmp_path / "deep.json").returncode == 0
    assert cli(*s, "show", "deep").returncode == 0
    assert cli.json(*s, "show", "--json", "deep")["state"]["deep"] == deep
    assert cli.json(*s, "export", "deep")["state"]["deep"] == deep
    assert cli.json(*s, "export", "--format", "adk", "deep")["state"]["deep"] == deep
    assert cli(*s, "set", "deep", "/other", "1").returncode == 0
    assert cli(*s, "undo", "deep").returncode == 0
    assert cli.json(*s, "show", "--json", "deep")["state"] == {"deep": deep}


@pytest.mark.parametrize("value, problem", [
    ("123456789012345678901234", "beyond 64 bits"),
    ("-9223372036854775809", "beyond 64 bits"),
    ('{"a": 1, "a": 2}', 'duplicate key "a"'),
    ("[" * 600 + "]" * 600, f"nested deeper than {MAX_DEPTH} levels"),
], ids=["huge", "huge-negative", "duplicate-key", "600-deep"])
def test_set_refuses_values_it_cannot_keep_exactly(cli, store, value, problem):
    before = tree_hashes(store.path)
    one_line_error(cli("--store", store.path, "set", "trip", "/x", value), 2, problem)
    assert tree_hashes(store.path) == before


def test_set_keeps_64_bit_integers_exactly(cli, store):
    s = ("--store", store.path)
    for number in (2**64 - 1, -(2**63)):
        assert cli.json(*s, "--json", "set", "trip", "/n", str(number))["state"]["n"] == number


def test_set_refuses_a_value_that_makes_the_state_too_deep(cli, store):
    """The value alone is within the limit; where it goes makes the state value too deep."""
    before = tree_hashes(store.path)
    pointer = "/booking" + "/x" * 10
    value = "[" * (MAX_DEPTH - 5) + "]" * (MAX_DEPTH - 5)
    one_line_error(cli("--store", store.path, "set", "trip", pointer, value), 2,
                   "trip", 'state["booking"]', "nested deeper")
    assert tree_hashes(store.path) == before


@pytest.mark.parametrize("name, data, problem", [
    ("ts.json", {"timestamp": 1e12}, "events[0].timestamp: time out of range"),
    ("dup.json", None, 'duplicate key "k"'),
    ("big.json", None, "beyond 64 bits"),
])
def test_imports_refuse_bad_times_duplicate_keys_and_huge_integers(cli, store, tmp_path, name, data, problem):
    base = {"id": "x", "app_name": "a", "user_id": "u", "state": {},
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
    if data:
        base["events"] = [{"id": "e", "invocation_id": "i", "author": "a", **data}]
        text = json.dumps(base)
    elif name == "dup.json":
        text = json.dumps(base).replace('"state": {}', '"state": {"k": 1, "k": 2}')
    else:
        text = json.dumps(base).replace('"state": {}', '"state": {"n": 18446744073709551616}')
    (tmp_path / name).write_text(text)
    before = tree_hashes(store.path)
    one_line_error(cli("--store", store.path, "import", tmp_path / name), 2, name, problem)
    assert tree_hashes(store.path) == before


HOSTILE = "c1\x9b31m bidi\u202eevil tag\U000e0041 zw\u200b\ufeff esc\x1b[2J"


def test_plain_show_makes_hostile_characters_visible_and_show_json_keeps_them(cli, tmp_path):
    path = tmp_path / "store"
    session = dict(DASH_SESSION, id="h", state={HOSTILE: HOSTILE})
    session["events"] = [dict(DASH_SESSION["events"][0], content=HOSTILE, author=HOSTILE)]
    DirectoryStore(path, create=True).import_sessions(
        [Session.from_json(session)])
    plain = cli("--store", path, "show", "h")
    assert plain.returncode == 0
    out = plain.stdout.decode()
    for char in "\x9b\u202e\U000e0041\u200b\ufeff\x1b":
        assert char not in out
    for shown in ("\\u009b", "\\u202e", "\\U000e0041", "\\u200b", "\\ufeff", "␛"):
        assert shown in out
    exact = cli.json("--store", path, "show", "--json", "h")
    assert exact["state"] == {HOSTILE: HOSTILE} and exact["events"][0]["content"] == HOSTILE
