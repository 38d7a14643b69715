"""Regressions found by an adversarial review of the issue 7 and 8 work (each failed before its
fix): import renames, undo of an import after changes undone, undo of a deleted id, escaped
duplicate keys, ADK fields with free-form keys, `show --at` with non-ASCII digits. The numbers
match the review report in the issue notes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "store"))

from session_tui import jsonio  # noqa: E402
from session_tui.model import Event, Session  # noqa: E402
from session_tui.store import StoreError  # noqa: E402
from storekit import BACKENDS, Backend  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    return Backend(request.param, tmp_path)


def sample(session_id: str, app: str = "app", user: str = "u", tag: str = "") -> Session:
    s = Session.new(app, user, session_id)
    s.state = {"tag": tag or app}
    for n in range(2):
        s.events.append(Event(f"{session_id}-{app}-{tag}-e{n}", f"inv{n}", "agent", f"text {n}",
                              timestamp=1767323045 + n))
    return s


def cli(store: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "session_tui", "--store", str(store), *args],
                          env=env, capture_output=True, text=True, timeout=60)


# 1 (high): an import whose input holds an id equal to a name an earlier session of the same
# import was renamed to (`x~2`): with replace the renamed session of app B is silently dropped
# (the report still says x -> x~2); with skip the input's own `x~2` is dropped as a "duplicate".
@pytest.mark.parametrize("policy", ["replace", "skip"])
def test_f1_import_renamed_id_collides_with_incoming_id(backend, policy):
    store = backend.open()
    incoming = [sample("x", "A"), sample("x", "B"), sample("x~2", "A")]
    report = store.import_sessions(incoming, on_conflict=policy)
    kept = {e.id for sid in store.ids() for e in store.get(sid).events}
    for s in incoming:  # every session given is in the store (none was there before)
        assert {e.id for e in s.events} <= kept, (s.id, s.app_name, report.to_json())
    assert not report.duplicates, report.to_json()


# 2 (high): `undo ID` of a deleted session resolves ID as a prefix of another session
# (`x~2`) and undoes that one's change instead; the deleted `x` can never be restored by id.
def test_f2_undo_of_deleted_session_undoes_prefix_match(tmp_path):
    from session_tui.store import open_store

    path = tmp_path / "st"
    store = open_store(path, create=True)
    store.create("app", "u", state={"a": 1}, session_id="x")
    store.create("app", "u", state={"a": 1}, session_id="x~2")
    store.set_value("x~2", "/a", 2)
    store.delete("x")
    result = cli(path, "undo", "x")
    assert result.returncode == 0, result.stderr
    after = open_store(path)
    assert after.get("x~2").state == {"a": 2}, "undo x changed x~2"
    assert "x" in after, "the deleted x was not brought back"


# 3 (medium): DirectoryStore: a new session of an import, edited and the edit undone (or
# deleted and the delete undone: what `u` on the list does), blocks undo_import forever
# ("changed since it was imported (undo those changes first)"): the revision is a new
# generation although the content is the imported one. The TinyDB file backend (content
# hash) undoes the import.
@pytest.mark.parametrize("how", ["edit", "delete"])
def test_f3_undo_import_after_change_and_its_undo(backend, how):
    store = backend.open()
    report = store.import_sessions([sample("B")])
    if how == "edit":
        store.set_value("B", "/x", 1)
    else:
        store.delete("B")
    store.undo("B")
    assert store.undo_import(report) == {"removed": 1, "restored": 0}
    assert "B" not in store


# 4 (medium): a session the import replaced, undone on its own (`u` on the session screen;
# undo_log.forget says "undoing the rest of it is still one change"), makes undo_import refuse
# for good: the new session C it created can no longer be removed by `u` on the list.
def test_f4_undo_import_rest_after_replaced_one_undone(backend):
    store = backend.open()
    store.import_sessions([sample("A", tag="old")])
    report = store.import_sessions([sample("A", tag="new"), sample("C")], on_conflict="replace")
    store.undo("A")
    try:
        store.undo_import(report)
    except StoreError as exc:
        pytest.fail(f"undo_import refused: {exc}")
    assert "C" not in store and store.get("A").state == {"tag": "old"}


# 5 (low): duplicate keys are let in when the later value carries escaped colons (`\u003a`):
# parse counts ':' in the input against orjson's re-encoding, which writes them unescaped.
@pytest.mark.parametrize("text", [r'{"a":1,"a":"\u003a"}', r'{"k":{"b":1},"k":"\u003a\u003a"}'])
def test_f5_duplicate_key_with_escaped_colons(text):
    with pytest.raises(jsonio.JSONLimitError, match="duplicate"):
        jsonio.parse(text)


# 6 (medium): ADK SQLite import camelCases user/agent data that google-adk keeps as is:
# EventActions.agent_state (dict[str, Any]), set_model_response (Any), Event.output (Any).
def test_f6camel_event_keeps_free_fields():
    from session_tui.formats.adk_sqlite import camel_event

    out = camel_event({"output": {"final_answer": 1},
                        "actions": {"agent_state": {"times_looped": 1},
                                    "set_model_response": {"user_name": "x"}}})
    assert out["output"] == {"final_answer": 1}
    assert out["actions"]["agentState"] == {"times_looped": 1}
    assert out["actions"]["setModelResponse"] == {"user_name": "x"}


# 7 (low): `show --at ²` (str.isdigit() is true for superscripts, int() refuses them): a
# traceback and exit 1 instead of one line.
def test_f7_show_at_superscript_digit(tmp_path):
    from session_tui.store import open_store

    path = tmp_path / "st"
    store = open_store(path, create=True)
    store.create("app", "u", state={"k": 1}, session_id="s")
    store.set_value("s", "/k", 2)
    result = cli(path, "show", "s", "--at", "²")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (1, 2) and len(result.stderr.strip().splitlines()) == 1
