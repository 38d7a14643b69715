"""ADK eval files opened as stores (opening.open_any -> store/read_only_memory.py): found by
name or by content, listed and read like any store, every change refused up front in one line
with nothing written anywhere, and a file changed on disk read again by poll()."""

from __future__ import annotations

import json
import os

import pytest

import evalkit
from filetree import tree_hashes
from session_tui.model import Event
from session_tui.opening import open_any
from session_tui.store import NotAStore, NotFound, ReadOnlyStore


@pytest.fixture
def result_file(tmp_path):
    return evalkit.write(tmp_path / "home.evalset_result.json", evalkit.small_result())


@pytest.mark.parametrize("name", ["home.evalset_result.json", "renamed.json", "legacy"])
def test_an_eval_result_opens_by_name_or_by_content(name, tmp_path):
    path = evalkit.write(tmp_path / name, evalkit.small_result(), legacy=name == "legacy")
    store = open_any(path)
    assert store.read_only and not store.can_create and not store.can_import
    assert store.read_only_reason == f"{path}: an ADK eval result, a session per eval case"
    assert sorted(store.ids()) == ["lamp_on", "oven_off"]
    assert store.notes == ["ADK eval result of eval set home_tests: 2 cases, 1 passed, 1 failed: oven_off"]
    rows = {r["id"]: r for r in store.list()}
    assert rows["oven_off"]["event_count"] == 8 and rows["oven_off"]["invocation_count"] == 2
    session = store.get("oven_off")
    session.events.clear()  # the caller's own copy
    assert len(store.get("oven_off").events) == 8
    with pytest.raises(NotFound):
        store.get("nope")


def test_an_eval_set_opens_as_its_expected_conversations(tmp_path):
    path = evalkit.write(tmp_path / "home.evalset.json", evalkit.small_set())
    store = open_any(path)
    assert store.read_only_reason.endswith("an ADK eval set, a session per eval case")
    assert store.get("lamp_on").state == {"house": "demo"}


def test_a_malformed_eval_file_does_not_open(tmp_path):
    path = tmp_path / "bad.evalset_result.json"
    value = evalkit.small_result()
    value["eval_case_results"][0]["final_eval_status"] = "great"
    path.write_text(json.dumps(value))
    with pytest.raises(NotAStore) as caught:
        open_any(path)
    assert str(caught.value).startswith(f"{path}: eval_case_results[0].final_eval_status: ")
    assert "\n" not in str(caught.value)


def test_every_change_is_refused_up_front_and_nothing_is_written(result_file, tmp_path):
    store = open_any(result_file)
    before = tree_hashes(tmp_path)
    refused = f"{result_file}: an ADK eval result, a session per eval case: nothing can be changed"
    revision = store.get("lamp_on").revision
    changes = [
        lambda: store.set_value("lamp_on", "/lamp", "OFF"),
        lambda: store.unset_value("lamp_on", "/lamp"),
        lambda: store.rename_key("lamp_on", "/lamp", "light"),
        lambda: store.append_event("lamp_on", Event.new("x", "agent", "hi")),
        lambda: store.rewind("lamp_on", "a-lamp-1"),
        lambda: store.delete("lamp_on", revision),
        lambda: store.undo("lamp_on"),
        lambda: store.create("home_agent", "user", {"a": 1}),
        lambda: store.import_sessions([store.get("lamp_on")], "replace"),
    ]
    for change in changes:
        with pytest.raises(ReadOnlyStore) as caught:
            change()
        assert str(caught.value) == refused
    assert tree_hashes(tmp_path) == before
    assert not store.history_of("lamp_on") and not store.history.path("lamp_on").exists()
    assert store.check().sound


def test_a_changed_file_is_read_again_and_a_broken_one_keeps_what_was_read(result_file):
    store = open_any(result_file)
    assert not store.poll()
    value = evalkit.small_result()
    del value["eval_case_results"][1]
    evalkit.write(result_file, value)
    os.utime(result_file, ns=(1, 1))  # (a rewrite within the clock's tick is still seen)
    assert store.poll()
    assert store.ids() == ["lamp_on"] and not store.problems
    result_file.write_text("{")
    assert store.poll()
    assert store.ids() == ["lamp_on"]
    (problem,) = store.problems
    assert problem.startswith(f"{result_file}: not valid JSON: ")
    assert problem.endswith("(the sessions shown are those read before)")
    assert not store.check().sound
