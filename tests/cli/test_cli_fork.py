"""`session-tui fork ID INVOCATION [--before] [--id NEW]` (issue 11): ids and invocations by
unambiguous prefix, `--json` prints `{"id": NEW, "events": N}`, plain text says what was made,
`undo NEW` removes it; errors are one line with the exit codes of SPEC section 6, and change
nothing. Run in-process (`cli.main`): the same code as the command line, without a Python
start per call."""

from __future__ import annotations

import json

import pytest

from session_tui import cli
from session_tui.store import open_store
from clikit import make_store, tree_hashes


@pytest.fixture
def run(tmp_path, capsys):
    make_store(tmp_path / "store")

    def call(*args: str) -> tuple[int, str, str]:
        code = cli.main(["--store", str(tmp_path / "store"), *args])
        out, err = capsys.readouterr()
        return code, out, err
    return call


def test_fork_by_prefixes_json_then_undo(run, tmp_path):
    before = tree_hashes(tmp_path / "store" / "sessions")
    code, out, err = run("fork", "tr", "inv-2", "--json")
    assert (code, json.loads(out), err) == (0, {"id": "trip-fork", "events": 2}, "")
    fork = open_store(tmp_path / "store").get("trip-fork")
    assert fork.state == {"user_name": "Ada", "booking": {"seat": "12A"}, "city": "Rome",
                          "hotel": "H", "app:theme": "dark"}
    assert fork.extra["forked_from"]["invocation_id"] == "inv-2"
    after = tree_hashes(tmp_path / "store" / "sessions")
    assert {k: v for k, v in after.items() if k in before} == before  # the original's file
    code, out, err = run("undo", "trip-fork", "--json")
    assert code == 0 and json.loads(out)["undone"] == "fork"
    assert "trip-fork" not in open_store(tmp_path / "store")
    assert json.loads(run("fork", "ch", "c", "--json")[1]) == {"id": "chat-fork", "events": 2}


def test_plain_text_says_what_was_made(run):
    code, out, err = run("fork", "trip", "inv-3", "--before", "--id", "mine")
    assert (code, out) == (0, "")
    assert err == ("forked trip before invocation inv-3 as mine: 2 events; state keys restored: "
                   "hotel (undo mine removes it)\n")


@pytest.mark.parametrize("args, code, needle", [
    (("fork", "nobody", "inv-1"), 1, "no session 'nobody'"),
    (("fork", "trip", "inv-9"), 1, "no invocation 'inv-9'"),
    (("fork", "trip", "inv-"), 2, "invocation id prefix 'inv-' is ambiguous"),
    (("fork", "trip", "inv-1", "--id", "chat"), 2, "'chat' already exists"),
    (("fork", "trip", "inv-1", "--id", ""), 2, "must not be empty"),
    (("fork", "trip"), 2, "required: invocation"),
    (("--read-only", "fork", "trip", "inv-1"), 2, "nothing can be changed"),
])
def test_errors_are_one_line_and_change_nothing(run, tmp_path, args, code, needle):
    before = tree_hashes(tmp_path / "store")
    got, out, err = run(*args)
    assert (got, out) == (code, "") and err.count("\n") == 1 and needle in err, err
    assert tree_hashes(tmp_path / "store") == before
