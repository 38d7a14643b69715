"""An ADK eval result in the app: the cases listed under a read-only banner that says how many
failed; a case opens with its metrics (score, threshold, PASS/FAIL) above the panes and the
expected response and tool calls beside the actual ones, for the invocation under the timeline's
cursor (a call that differs marked ≠); changes refused. Snapshots at 120 and 80 columns."""

from __future__ import annotations

import asyncio

import pytest
from scenes import press, settle

import evalkit
from filetree import tree_hashes
from session_tui.app import AppConfig, build_app
from session_tui.screens.session import SessionScreen
from session_tui.widgets.eval_panel import EvalPanel
from session_tui.widgets.read_only_banner import ReadOnlyBanner


@pytest.fixture(scope="module")
def result_file(tmp_path_factory):
    return evalkit.write(tmp_path_factory.mktemp("evals") / "home.evalset_result.json",
                         evalkit.small_result())


def make_app(path):
    return build_app(path, config=AppConfig(watch=False, cursor_blink=False))


def text(panel: EvalPanel, part: str) -> str:
    return str(panel.query_one(f"#eval-{part}").render())


def test_an_eval_case_shows_its_metrics_and_both_sides_by_invocation(result_file):
    asyncio.run(_an_eval_case(result_file))


async def _an_eval_case(result_file):
    before = tree_hashes(result_file.parent)
    app = make_app(result_file)
    seen: list[str] = []
    notify = app.notify
    app.notify = lambda message, **kw: (seen.append(str(message)), notify(message, **kw))[1]
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert "1 failed: oven_off" in str(app.screen.query_one(ReadOnlyBanner).render())
        await press(pilot, "enter")  # the newest case: oven_off
        assert isinstance(app.screen, SessionScreen) and app.screen.session_id == "oven_off"
        panel = app.screen.query_one(EvalPanel)
        assert panel.display
        assert text(panel, "case").startswith("Eval oven_off FAILED · tool_trajectory_avg_score "
                                              "0.50 / 1.00 FAIL · response_match_score 0.40 / 0.70 FAIL")
        assert text(panel, "invocation").startswith("Invocation 1 of 2 · tool_trajectory_avg_score "
                                                    "1.00 / 1.00 PASS")
        assert "⚙ set_device(device=\"oven\", room=\"kitchen\"" in text(panel, "actual")
        await press(pilot, "shift+down")  # the next invocation: the panel follows the cursor
        assert text(panel, "invocation").startswith("Invocation 2 of 2")
        assert "≠ set_device(device=\"oven\", room=\"garage\"" in text(panel, "actual")
        assert "⚙ set_device(device=\"oven\", room=\"kitchen\"" in text(panel, "expected")
        assert text(panel, "actual").endswith("→ I could not find an oven in the garage.")
        seen.clear()
        await press(pilot, "w")  # rewind: refused, nothing asked
        assert seen == [f"{result_file}: an ADK eval result, a session per eval case: nothing can "
                        "be changed"]
        assert isinstance(app.screen, SessionScreen)
    assert tree_hashes(result_file.parent) == before


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
def test_snapshot_of_a_failing_eval_case(size, result_file, snap_compare):
    async def play(pilot):
        await settle(pilot)
        await press(pilot, "enter", "shift+down", "shift+down")

    assert snap_compare(make_app(result_file), run_before=play, terminal_size=size)
