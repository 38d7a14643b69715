"""`session-tui list|show|export --store FILE` on ADK's eval files (in process: cli.main), and
`import FILE` of one into a store folder; a change of an eval file refused in one line (exit 2)."""

from __future__ import annotations

import json

import pytest

import evalkit
from filetree import tree_hashes
from session_tui import cli
from session_tui.formats import adk_eval
from session_tui.store import open_store


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def result_file(tmp_path):
    return evalkit.write(tmp_path / "home.evalset_result.json", evalkit.small_result())


def test_list_names_every_case_and_says_how_many_failed(result_file, capsys):
    code, out, err = run(capsys, "--store", result_file, "list", "--json")
    assert code == 0
    assert sorted(r["id"] for r in json.loads(out)) == ["lamp_on", "oven_off"]
    assert err == ("session-tui: note: ADK eval result of eval set home_tests: 2 cases, 1 passed, "
                   "1 failed: oven_off\n")


def test_show_gives_the_run_the_metrics_and_the_expected_side(result_file, capsys):
    code, out, _ = run(capsys, "--store", result_file, "show", "oven")  # (an id prefix)
    assert code == 0
    assert "eval     oven_off  FAILED" in out
    assert "metric   tool_trajectory_avg_score 0.50 / 1.00 FAIL" in out
    assert '  expected  tool set_device(device="oven", room="kitchen", status="OFF")' in out
    assert '  actual    tool set_device(device="oven", room="garage", status="OFF")' in out
    assert "  actual    I could not find an oven in the garage." in out
    code, out, _ = run(capsys, "--store", result_file, "show", "oven_off", "--json")
    shown = json.loads(out)
    assert shown["eval"]["status"] == "FAILED" and len(shown["events"]) == 8


def test_export_as_adk_json_leaves_the_eval_out(result_file, capsys):
    code, out, _ = run(capsys, "--store", result_file, "export", "lamp_on", "--format", "adk")
    assert code == 0
    exported = json.loads(out)
    assert "eval" not in exported and [e["id"] for e in exported["events"]] == [
        "ev-1", "ev-2", "ev-3", "ev-4"]


@pytest.mark.skipif(not evalkit.REAL.is_dir(), reason="no ../shared/real-sessions")
@pytest.mark.parametrize("path", [evalkit.REAL_RESULT, evalkit.REAL_SET], ids=["result", "set"])
def test_the_real_eval_files_list_and_show(path, capsys):
    code, out, _ = run(capsys, "--store", path, "list")
    assert code == 0 and "basic_device_control" in out
    code, out, _ = run(capsys, "--store", path, "show", "basic_device_control")
    assert code == 0 and "  expected  The desk lamp in the office is now on." in out


def test_a_change_is_refused_in_one_line(result_file, tmp_path, capsys):
    before = tree_hashes(tmp_path)
    for argv in (["set", "lamp_on", "/lamp", '"OFF"'], ["rewind", "lamp_on", "a-lamp-1"],
                 ["undo", "lamp_on"], ["import", result_file]):
        code, _, err = run(capsys, "--store", result_file, *argv)
        assert code == 2, argv
        assert err == (f"session-tui: {result_file}: an ADK eval result, a session per eval case: "
                       "nothing can be changed\n")
    assert tree_hashes(tmp_path) == before


def test_an_eval_result_imports_into_a_store_with_its_eval(result_file, tmp_path, capsys):
    code, _, err = run(capsys, "--store", tmp_path / "store", "import", result_file)
    assert code == 0, err
    session = open_store(tmp_path / "store").get("oven_off")
    assert adk_eval.eval_of(session)["status"] == "FAILED"
    code, out, _ = run(capsys, "--store", tmp_path / "store", "show", "oven_off")
    assert "eval     oven_off  FAILED" in out


def test_a_malformed_eval_file_is_one_line_exit_2(tmp_path, capsys):
    path = tmp_path / "bad.evalset.json"
    path.write_text('{"eval_set_id": "s", "eval_cases": [{"eval_id": 3}]}')
    code, _, err = run(capsys, "--store", path, "list")
    assert code == 2
    assert err == f"session-tui: {path}: eval_cases[0].eval_id: expected a string, got a number 3\n"
