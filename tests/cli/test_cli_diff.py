"""`session-tui diff A B` and `diff A --from EVENT --to EVENT`: the JSON shape, the text form,
ids by prefix, and the errors (exit 1: not found, 2: bad input), one line each."""

from __future__ import annotations

import orjson
import pytest

from session_tui import cli
from session_tui.store import DirectoryStore

SHAPE_KEYS = {"state", "events"}
EVENT_KEYS = {"only_a", "only_b", "changed", "same"}


@pytest.fixture
def pair(store):
    """`trip` and `trip-2`: its copy with one event edited and one state value changed deep."""
    copy = store.get("trip")
    copy.id = "trip-2"
    copy.events[1].content = "turn 1, again"
    copy.state["booking"]["seat"] = "14D"
    store.import_sessions([copy])
    return store


def run(capsys, store: DirectoryStore, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--store", str(store.path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_two_sessions_json_shape(capsys, pair):
    ids = [e.id for e in pair.get("trip").events]
    code, out, _ = run(capsys, pair, "diff", "trip", "trip-", "--json")  # B by its prefix
    assert code == 0
    diff = orjson.loads(out)
    assert set(diff) == SHAPE_KEYS and set(diff["events"]) == EVENT_KEYS
    assert diff == {"state": {"/booking/seat": {"old": "12A", "new": "14D"}},
                    "events": {"only_a": [], "only_b": [], "same": 2,
                               "changed": [{"a": ids[1], "b": ids[1], "fields": ["content"]}]}}


def test_two_points_json_and_text_and_two_sessions_in_text(capsys, store):
    ids = [e.id for e in store.get("trip").events]
    # --from by 1-based number, --to by an event id's prefix (as `show --at`), A by its prefix.
    code, out, _ = run(capsys, store, "diff", "tr", "--from", "1", "--to", ids[2][:12], "--json")
    assert code == 0
    assert orjson.loads(out) == {
        "state": {"/city": {"old": "Paris", "new": "Rome"}, "/hotel": {"new": "H2"},
                  "/app:theme": {"new": "dark"}},
        "events": {"only_a": [], "only_b": ids[1:], "changed": [], "same": 1}}
    code, out, _ = run(capsys, store, "diff", "trip", "--from", "3", "--to", "1")
    assert code == 0
    assert out.splitlines() == [
        f"--- session trip after event 3 ({ids[2]})",
        f"+++ session trip after event 1 ({ids[0]})",
        '~ /city "Rome" -> "Paris"', '- /hotel "H2"', '- /app:theme "dark"',
        "events: 1 the same, 0 changed, 2 only in A, 0 only in B",
        # what each was, not only its id
        f"- event {ids[1]} (only in A): planner: turn 1", f"- event {ids[2]} (only in A): planner: turn 2"]
    # Two sessions in text: what B added, and the events on one side only.
    code, out, _ = run(capsys, store, "diff", "chat", "trip")
    assert code == 0
    lines = out.splitlines()
    assert lines[:3] == ["--- session chat", "+++ session trip", '+ /user_name "Ada"']
    assert '+ /booking {"seat":"12A"}' in lines
    assert "events: 0 the same, 0 changed, 2 only in A, 3 only in B" in lines


ERRORS = [
    (["diff", "trip", "nope"], 1, ["no session 'nope'"]),
    (["diff", "nope", "trip"], 1, ["nope"]),
    (["diff", "trip", "--from", "9"], 1, ["trip", "no event 9", "it has 3"]),
    (["diff", "trip", "--to", "zz"], 1, ["trip", "no event 'zz'"]),
    (["diff", "trip"], 2, ["second session", "--from/--to"]),
    (["diff", "trip", "chat", "--to", "1"], 2, ["--from/--to", "one session"]),
    (["diff", "t", "chat"], 2, ["prefix 't' is ambiguous", "trip", "trip-2"]),
    (["diff", "trip", "t"], 2, ["prefix 't' is ambiguous"]),
]


def test_errors_are_one_line_with_their_exit_code(capsys, pair):
    # (One store for every case: building one costs more than the eight commands.)
    for args, code, needles in ERRORS:
        result, out, err = run(capsys, pair, *args)
        assert (result, out) == (code, ""), (args, err)
        assert err.count("\n") == 1 and "Traceback" not in err, (args, err)
        for needle in needles:
            assert needle in err, (args, needle, err)
