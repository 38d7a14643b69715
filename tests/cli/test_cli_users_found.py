"""What users found in the CLI (issue "What users found"): cut ids, prefixes, `show --at`,
mistyped commands and usage errors of one line."""

from __future__ import annotations

import orjson
import pytest

from clikit import one_line_error, tree_hashes
from session_tui.model import Event, state_after

LONG_ID = "evolution-of-the-agent-run-" + "x" * 60 + "-final"
LONG_APP = "a_very_long_application_name_that_used_to_be_cut"
LONG_INV = "invocation-" + "9" * 40


@pytest.fixture
def long_store(store):
    store.create(LONG_APP, "ada", session_id=LONG_ID)
    store.create(LONG_APP, "ada", session_id=LONG_ID[:30] + "-twin")
    store.append_event(LONG_ID, Event.new(LONG_INV, "agent", "hello", timestamp=1790000000))
    return store


def test_list_and_show_print_whole_ids(cli, long_store):
    out = cli("--store", long_store.path, "list").stdout.decode()
    assert LONG_ID in out and LONG_APP in out and LONG_ID[:30] + "-twin" in out
    lines = out.splitlines()
    # Columns line up: every id starts in the same column as the header's ID.
    col = lines[0].index("ID")
    assert all(line[col:].split()[0] in (LONG_ID, LONG_ID[:30] + "-twin", "trip", "chat")
               for line in lines[1:])
    shown = cli("--store", long_store.path, "show", LONG_ID).stdout.decode()
    assert LONG_INV in shown


def test_ids_and_invocations_by_unambiguous_prefix(cli, store):
    assert cli.json("--store", store.path, "--json", "show", "tr")["id"] == "trip"
    result = cli.json("--store", store.path, "--json", "rewind", "tr", "inv-2", "--dry-run")
    assert result["removed_events"] == 1
    # An invocation prefix shared by inv-1, inv-2, inv-3: ambiguous, exit 2, the candidates named.
    before = tree_hashes(store.path)
    err = one_line_error(cli("--store", store.path, "rewind", "trip", "inv-"), 2,
                         "ambiguous", "inv-1", "inv-2", "inv-3")
    assert "3 match" in err
    assert tree_hashes(store.path) == before


def test_an_ambiguous_session_prefix_lists_the_candidates(cli, long_store):
    before = tree_hashes(long_store.path)
    one_line_error(cli("--store", long_store.path, "set", "evolution", "/a", "1"), 2,
                   "ambiguous", LONG_ID, LONG_ID[:30] + "-twin")
    assert tree_hashes(long_store.path) == before
    # An exact id wins over being a prefix of another one.
    long_store.create("app", "u", session_id="tri")
    assert cli.json("--store", long_store.path, "--json", "show", "tri")["id"] == "tri"
    one_line_error(cli("--store", long_store.path, "show", "zzz"), 1, "zzz")


def test_show_at_an_event_is_the_state_right_after_it(cli, store):
    session = store.get("trip")
    for at, keep in (("1", 1), ("2", 2), (session.events[0].id, 1), (session.events[2].id[:-2], 3)):
        shown = cli.json("--store", store.path, "--json", "show", "trip", "--at", at)
        assert shown["state"] == state_after(session, keep).state
        assert [e["id"] for e in shown["events"]] == [e.id for e in session.events[:keep]]
    # The shared key app:theme is written by the last event only: not there after event 2.
    assert "app:theme" not in cli.json("--store", store.path, "--json", "show", "trip", "--at", "2")["state"]
    one_line_error(cli("--store", store.path, "show", "trip", "--at", "9"), 1, "no event 9")
    one_line_error(cli("--store", store.path, "show", "trip", "--at", "nope"), 1, "nope")


def test_rewind_says_which_shared_keys_stay(cli, store):
    result = cli("--store", store.path, "rewind", "trip", "inv-2")
    assert result.returncode == 0
    assert "shared keys stay as they are" in result.stderr.decode()
    assert "app:theme" in result.stderr.decode()
    assert store.get("trip").state["app:theme"] == "dark"


@pytest.mark.parametrize("args, needle", [
    (["bogus"], "unknown command 'bogus'"),
    (["export", "--format", "xml", "trip"], "invalid choice: 'xml'"),
    (["import"], "FILE"),
    (["rewind", "trip"], "invocation"),
    (["show", "--nope", "trip"], "--nope"),
])
def test_usage_errors_are_one_line_exit_2(cli, store, args, needle):
    before = tree_hashes(store.path)
    one_line_error(cli("--store", store.path, *args), 2, needle)
    assert tree_hashes(store.path) == before


def test_a_mistyped_command_without_store_is_a_usage_error(cli, tmp_path):
    one_line_error(cli("lsit"), 2, "unknown command 'lsit'")
    one_line_error(cli(tmp_path / "no-such-store"), 1, "no-such-store")


def test_adk_export_of_one_session_to_a_file_name_writes_that_file(cli, store, tmp_path):
    target = tmp_path / "one.session.json"
    result = cli("--store", store.path, "export", "trip", "--format", "adk", "-o", target)
    assert result.returncode == 0, result.stderr
    assert target.is_file() and orjson.loads(target.read_bytes())["id"] == "trip"
    folder = tmp_path / "many"
    assert cli("--store", store.path, "export", "trip", "chat", "--format", "adk", "-o", folder).returncode == 0
    assert sorted(p.name for p in folder.iterdir()) == ["chat.session.json", "trip.session.json"]
    # One session into an existing folder: a file in it.
    assert cli("--store", store.path, "export", "chat", "--format", "adk", "-o", folder, "--force").returncode == 0
    one_line_error(cli("--store", store.path, "export", "trip", "--format", "adk", "-o", target), 2,
                   "already exists", "--force")


def test_list_names_each_file_it_cannot_read(cli, store):
    bad = store.path / "sessions" / "broken-0123456789abcdef0123456789abcdef.json"
    bad.write_bytes(b'{"session": {"1": ')
    for args in (["list"], ["--json", "list"]):
        result = cli("--store", store.path, *args)
        assert result.returncode == 0
        err = result.stderr.decode()
        assert err.count("\n") == 1 and bad.name in err and "cannot read" in err
    rows = cli.json("--store", store.path, "--json", "list")
    assert sorted(r["id"] for r in rows) == ["chat", "trip"]
