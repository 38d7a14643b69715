"""Every CLI command through the real entry point (`python -m session_tui`), SPEC sections 6-7."""

from __future__ import annotations

import orjson
import pytest

from clikit import make_store, one_line_error, tree_hashes
from session_tui.model import Session
from session_tui.store import DirectoryStore, open_store

SUMMARY_KEYS = {"id", "app_name", "user_id", "created_at", "updated_at", "event_count",
                "invocation_count"}


def exported(store, session_id):
    return open_store(store.path).get(session_id).export()


# ------------------------------------------------------------------------------------ list/show


def test_list_text_and_json(cli, store):
    text = cli("--store", store.path, "list")
    assert text.returncode == 0, text.stderr
    out = text.stdout.decode()
    assert "trip" in out and "chat" in out and "travel" in out and "support" in out

    rows = cli.json("--store", store.path, "list", "--json")
    assert isinstance(rows, list) and len(rows) == 2
    for row in rows:
        assert set(row) == SUMMARY_KEYS
    by_id = {r["id"]: r for r in rows}
    assert by_id["trip"] == {
        "id": "trip", "app_name": "travel", "user_id": "ada",
        "created_at": store.get("trip").created_at, "updated_at": store.get("trip").updated_at,
        "event_count": 3, "invocation_count": 3}
    assert by_id["chat"]["event_count"] == 2 and by_id["chat"]["invocation_count"] == 1
    # --json before the command too.
    assert cli.json("--json", "--store", store.path, "list") == rows


def test_show(cli, store):
    shown = cli.json("--store", store.path, "show", "trip", "--json")
    assert shown == exported(store, "trip")
    assert Session.from_json(shown).export() == shown  # the export shape, importable
    assert shown["initial_state"] == {"user_name": "Ada", "booking": {"seat": "12A"}}
    text = cli("--store", store.path, "show", "chat")
    assert text.returncode == 0
    assert "chat" in text.stdout.decode() and "hello 1" in text.stdout.decode()


def test_unknown_session_is_exit_1(cli, store):
    before = tree_hashes(store.path)
    one_line_error(cli("--store", store.path, "show", "nope"), 1, "nope")
    one_line_error(cli("--store", store.path, "rewind", "nope", "inv-1"), 1, "nope")
    assert tree_hashes(store.path) == before


def test_unknown_store_path_is_exit_1(cli, tmp_path):
    missing = tmp_path / "no" / "such" / "store"
    one_line_error(cli("--store", missing, "list"), 1, str(missing))
    assert not (tmp_path / "no").exists()


def test_store_from_environment_and_flag(cli, store, tmp_path):
    rows = cli.json("list", "--json", store_env=store.path)
    assert sorted(r["id"] for r in rows) == ["chat", "trip"]
    other = make_store(tmp_path / "other")
    other.delete("chat")
    # --store (before the command) wins over the environment.
    rows = cli.json("--store", other.path, "list", "--json", store_env=store.path)
    assert [r["id"] for r in rows] == ["trip"]


# ------------------------------------------------------------------------------------ set/unset


def test_set(cli, store):
    assert cli("--store", store.path, "set", "trip", "/booking/seat", '"14C"').returncode == 0
    assert cli("--store", store.path, "set", "trip", "/prefs/meal/kind", '{"veg": true, "n": 2}').returncode == 0
    assert cli("--store", store.path, "set", "trip", "/list", "[1, 2]").returncode == 0
    assert cli("--store", store.path, "set", "trip", "/list/-", "3").returncode == 0
    session = open_store(store.path).get("trip")
    assert session.state["booking"] == {"seat": "14C"}
    assert session.state["prefs"] == {"meal": {"kind": {"veg": True, "n": 2}}}
    assert session.state["list"] == [1, 2, 3]
    edits = session.events[3:]
    assert len(edits) == 4 and all(e.author == "session-tui" and e.invocation_id.startswith("edit-")
                                   for e in edits)
    assert edits[0].actions.state_delta == {"booking": {"seat": "14C"}}


@pytest.mark.parametrize("args", [
    ("/x", "not json"),            # a string must be written '"text"'
    ("/x", "{'a': 1}"),
    ("/user_name/first", "1"),     # through a scalar
    ("/list/5", "1"),              # past the end (list has 1 element)
    ("", "{}"),                    # the whole state
])
def test_bad_set_is_exit_2_and_changes_nothing(cli, store, args):
    store.set_value("trip", "/list", [0])
    before = tree_hashes(store.path)
    one_line_error(cli("--store", store.path, "set", "trip", *args), 2)
    assert tree_hashes(store.path) == before


def test_unset(cli, store):
    assert cli("--store", store.path, "unset", "trip", "/booking/seat").returncode == 0
    assert open_store(store.path).get("trip").state["booking"] == {}
    before = tree_hashes(store.path)
    one_line_error(cli("--store", store.path, "unset", "trip", "/no/such/key"), 1)
    assert tree_hashes(store.path) == before


# ------------------------------------------------------------------------------------ export


def test_export_to_stdout(cli, store):
    one = cli("--store", store.path, "export", "trip")
    assert one.returncode == 0
    assert orjson.loads(one.stdout) == exported(store, "trip")
    many = cli("--store", store.path, "export", "trip", "chat")
    assert many.returncode == 0
    lines = many.stdout.decode().splitlines()
    assert len(lines) == 2
    assert [orjson.loads(line) for line in lines] == [exported(store, "trip"), exported(store, "chat")]


def test_export_to_a_file(cli, store, tmp_path):
    target = tmp_path / "out.json"
    assert cli("--store", store.path, "export", "trip", "-o", target).returncode == 0
    assert orjson.loads(target.read_bytes()) == exported(store, "trip")
    written = target.read_bytes()
    one_line_error(cli("--store", store.path, "export", "chat", "-o", target), 2, "out.json")
    assert target.read_bytes() == written
    assert cli("--store", store.path, "export", "chat", "-o", target, "--force").returncode == 0
    assert orjson.loads(target.read_bytes()) == exported(store, "chat")
    one_line_error(cli("--store", store.path, "export", "nope", "-o", tmp_path / "x.json"), 1, "nope")
    assert not (tmp_path / "x.json").exists()


# ------------------------------------------------------------------------------------ import


def sessions_for_import() -> list[dict]:
    out = []
    for n in range(3):
        s = Session.new("imported", "eve", f"imp-{n}")
        s.state = {"n": n}
        s.created_at = s.updated_at = "2026-05-01T10:00:00Z"
        s.extra["branch"] = "root"
        out.append(s.export())
    return out


@pytest.mark.parametrize("shape", ["object", "array", "jsonl"])
def test_import_shapes(cli, tmp_path, shape):
    docs = sessions_for_import()
    source = tmp_path / f"in.{shape}"
    if shape == "object":
        docs = docs[:1]
        source.write_bytes(orjson.dumps(docs[0]))
    elif shape == "array":
        source.write_bytes(orjson.dumps(docs))
    else:
        source.write_bytes(b"\n".join(orjson.dumps(d) for d in docs) + b"\n")
    target = tmp_path / "new-store"  # import creates the store folder
    result = cli("--store", target, "import", source)
    assert result.returncode == 0, result.stderr
    store = open_store(target)
    assert sorted(store.ids()) == [d["id"] for d in docs]
    for d in docs:
        assert store.get(d["id"]).export() == d  # unknown fields kept


def test_import_conflicts(cli, store, tmp_path):
    incoming = exported(store, "chat")
    incoming["app_name"] = "changed"
    incoming.pop("initial_state", None)
    source = tmp_path / "chat.json"
    source.write_bytes(orjson.dumps(incoming))
    original = exported(store, "chat")

    skipped = cli("--store", store.path, "import", source)  # default: skip, and say so
    assert skipped.returncode == 0 and "chat" in skipped.stderr.decode()
    assert "skip" in skipped.stderr.decode()
    assert exported(store, "chat") == original

    assert cli("--store", store.path, "import", "--on-conflict", "keep-both", source).returncode == 0
    both = exported(store, "chat~2")
    assert both["app_name"] == "changed" and both["original_id"] == "chat"
    assert exported(store, "chat") == original

    assert cli("--store", store.path, "import", "--on-conflict", "replace", source).returncode == 0
    assert exported(store, "chat") == incoming
    assert sorted(open_store(store.path).ids()) == ["chat", "chat~2", "trip"]
    undo = cli.json("--store", store.path, "undo", "chat", "--json")
    assert undo["undone"] == "import"
    assert exported(store, "chat") == original


# ------------------------------------------------------------------------------------ rewind/undo


def test_rewind_json_and_undo_json(cli, store):
    original = exported(store, "trip")
    plan = cli.json("--store", store.path, "rewind", "trip", "inv-2", "--json")
    assert plan == {"removed_events": 1, "state_changes": {"hotel": {"old": "H2", "new": "H"}}}
    after = exported(store, "trip")
    assert len(after["events"]) == 2
    assert after["state"]["app:theme"] == "dark"  # shared keys are not rolled back

    undo = cli.json("--store", store.path, "undo", "trip", "--json")
    assert undo == {"undone": "rewind", "restored_events": 1, "removed_events": 0,
                    "state_changes": {"hotel": {"old": "H", "new": "H2"}}}
    assert exported(store, "trip") == original  # exactly, updated_at included
    one_line_error(cli("--store", store.path, "undo", "trip"), 1, "trip")
    assert exported(store, "trip") == original


def test_rewind_before_and_absent_sides(cli, store):
    plan = cli.json("--store", store.path, "rewind", "trip", "inv-1", "--before", "--json")
    # city was first written by a removed event; trip has an initial_state without it: removed.
    assert plan == {"removed_events": 3, "state_changes": {"city": {"old": "Rome"},
                                                           "hotel": {"old": "H2"}}}
    state = exported(store, "trip")["state"]
    assert state == {"user_name": "Ada", "booking": {"seat": "12A"}, "app:theme": "dark"}
    assert exported(store, "trip")["events"] == []


def test_rewind_dry_run_and_unknown_invocation(cli, store):
    before = tree_hashes(store.path)
    dry = cli.json("--store", store.path, "rewind", "trip", "inv-1", "--dry-run", "--json")
    assert dry == {"removed_events": 2, "state_changes": {"city": {"old": "Rome", "new": "Paris"},
                                                          "hotel": {"old": "H2"}}}
    assert tree_hashes(store.path) == before
    one_line_error(cli("--store", store.path, "rewind", "trip", "inv-404"), 1, "inv-404")
    assert tree_hashes(store.path) == before
    # The dry run said exactly what the rewind then does.
    assert cli.json("--store", store.path, "rewind", "trip", "inv-1", "--json") == dry


def test_undo_of_an_edit_and_a_delete(cli, store):
    original = exported(store, "chat")
    assert cli("--store", store.path, "set", "chat", "/a", "1").returncode == 0
    undo = cli.json("--store", store.path, "--json", "undo", "chat")
    assert undo == {"undone": "edit", "restored_events": 0, "removed_events": 1,
                    "state_changes": {"a": {"old": 1}}}
    assert exported(store, "chat") == original
    store.delete("chat")
    undo = cli.json("--store", store.path, "undo", "chat", "--json")
    assert undo["undone"] == "delete" and undo["restored_events"] == 2
    assert exported(store, "chat") == original


# ------------------------------------------------------------------------------------ check/demo


def test_check(cli, store):
    before = tree_hashes(store.path)
    sound = cli("--store", store.path, "check")
    assert sound.returncode == 0, sound.stderr
    assert tree_hashes(store.path) == before

    broken = next(p for p in (store.path / "sessions").iterdir() if p.name.startswith("chat"))
    broken.write_bytes(b"{ this is not json")
    listed = cli.json("--store", store.path, "list", "--json")  # the others still list
    assert [r["id"] for r in listed] == ["trip"]
    one_line_error(cli("--store", store.path, "show", "chat"), 2, broken.name)
    repaired = cli("--store", store.path, "check")
    assert repaired.returncode == 0, repaired.stderr
    assert "quarantine" in repaired.stderr.decode() and broken.name in repaired.stderr.decode()
    quarantined = list((store.path / "quarantine").iterdir())
    # (with, beside it, the folder of its events: layout 2)
    assert [q.read_bytes() for q in quarantined if q.is_file()] == [b"{ this is not json"]
    assert not broken.exists()
    assert cli("--store", store.path, "check").returncode == 0
    assert DirectoryStore(store.path, create=False).problems == []


def test_demo(cli, tmp_path):
    target = tmp_path / "demo-store"
    result = cli("--store", target, "demo")
    assert result.returncode == 0, result.stderr
    store = open_store(target)
    rows = store.list()
    assert len(rows) >= 10
    assert len({r["app_name"] for r in rows}) >= 2
    assert sum(r["event_count"] for r in rows) > len(rows)
    for session in store.iter_sessions():
        assert Session.from_json(session.export()).export() == session.export()
    # Running it again adds nothing twice.
    again = cli("--store", target, "demo")
    assert again.returncode == 0
    assert len(open_store(target).list()) == len(rows)
