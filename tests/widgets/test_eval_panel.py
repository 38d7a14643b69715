"""The eval panel (widgets/eval_panel.py) given sessions directly: hidden for a session that is
no eval case; a case of one invocation has no line repeating the case's metrics; a case of a
conversation scenario says so; an invocation without an expected side
says there is none; a call the actual run did not make is counted."""

from __future__ import annotations

import asyncio
import json

from textual.app import App, ComposeResult

import evalkit
from session_tui.formats import adk_eval
from session_tui.model import Session
from session_tui.widgets.eval_panel import EvalPanel


class Harness(App):
    def compose(self) -> ComposeResult:
        yield EvalPanel()


def test_what_the_panel_says_of_odd_cases():
    result = evalkit.small_result()
    per = result["eval_case_results"][1]["eval_metric_result_per_invocation"]
    per[0]["expected_invocation"] = None
    per[1]["actual_invocation"]["intermediate_data"] = {"invocation_events": []}
    lamp, oven = adk_eval.read_eval_bytes(json.dumps(result).encode(), "r").sessions
    cases = evalkit.small_set()
    cases["eval_cases"][0].pop("conversation")
    cases["eval_cases"][0]["conversation_scenario"] = {"starting_prompt": "Hi", "conversation_plan": "x"}
    scenario = adk_eval.read_eval_bytes(json.dumps(cases).encode(), "s").sessions[0]

    async def main():
        app = Harness()
        async with app.run_test(size=(100, 20)) as pilot:
            panel = app.query_one(EvalPanel)

            def shown(part: str) -> str:
                return str(panel.query_one(f"#eval-{part}").render())

            panel.show_session(Session.new("app", "user"))
            await pilot.pause()
            assert not panel.display
            panel.show_session(lamp)  # one invocation scored as the case: no line repeating it
            await pilot.pause()
            assert shown("case").startswith("Eval lamp_on PASSED")
            assert not panel.query_one("#eval-invocation").display
            panel.show_session(oven, "a-oven-1")
            await pilot.pause()
            assert panel.display and shown("expected") == "Expected\n(none in the file)"
            panel.show_invocation("a-oven-2")
            await pilot.pause()
            assert "≠ 1 expected call(s) not made" in shown("actual")
            panel.show_invocation("not-an-invocation")  # (an edit's): the one shown stays
            assert shown("invocation").startswith("Invocation 2 of 2")
            panel.show_session(scenario)
            await pilot.pause()
            assert shown("invocation") == ("A conversation scenario (a simulated user), no fixed "
                                           "conversation: it starts “Hi”")
            assert not panel.query_one("#eval-expected").display

    asyncio.run(main())
