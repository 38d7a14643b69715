"""ADK's eval files read as sessions (formats/adk_eval.py), judged by google-adk's own models
(EvalSetResult, EvalSet) on the same bytes: the cases, their status and metrics, the expected
and actual sides of each invocation, and the events of the run. The real files of
../shared/real-sessions when they are here; a small result built in the test (evalkit) always."""

from __future__ import annotations

import json

import pytest

import evalkit
from session_tui.formats import adk_eval, adk_json, reading
from session_tui.model import SessionFormatError

adk_result = pytest.importorskip("google.adk.evaluation.eval_result")
adk_set = pytest.importorskip("google.adk.evaluation.eval_set")
adk_case = pytest.importorskip("google.adk.evaluation.eval_case")
real_files = pytest.mark.skipif(not evalkit.REAL.is_dir(), reason=f"{evalkit.REAL} is not here")


def _drop_removed_fields(value):
    """google-adk 2.x dropped EvalMetric.judge_model_options (files of ADK 1.x have it, null)
    and forbids unknown fields: left out so its models read the file."""
    if isinstance(value, dict):
        return {k: _drop_removed_fields(v) for k, v in value.items()
                if not (k == "judge_model_options" and v is None)}
    if isinstance(value, list):
        return [_drop_removed_fields(v) for v in value]
    return value


def adk_reads_result(data: bytes):
    value = json.loads(data)
    if isinstance(value, str):  # older ADK: a JSON string of the JSON (ADK reads it so too)
        value = json.loads(value)
    return adk_result.EvalSetResult.model_validate(_drop_removed_fields(value))


def _text(content) -> str | None:
    if content is None:
        return None
    return "\n".join(p.text for p in content.parts or [] if p.text is not None)


def _calls(intermediate) -> list[tuple]:
    return [(c.name, c.args) for c in adk_case.get_all_tool_calls(intermediate)]


def _side_matches(ours: dict | None, theirs) -> None:
    if theirs is None:
        assert ours is None
        return
    assert ours["response"] == _text(theirs.final_response)
    assert [(c["name"], c["args"]) for c in ours["tool_calls"]] == _calls(theirs.intermediate_data)


def _metrics(metrics) -> list[tuple]:
    return [(m.metric_name, m.score, m.threshold, m.eval_status.name) for m in metrics]


def _ours(metrics: list[dict]) -> list[tuple]:
    return [(m["name"], m["score"], m["threshold"], m["status"]) for m in metrics]


def assert_same_result(ours: adk_eval.EvalFile, theirs) -> None:
    assert ours.kind == "result" and ours.id == theirs.eval_set_result_id
    assert [s.id for s in ours.sessions] == [c.eval_id for c in theirs.eval_case_results]
    for session, case in zip(ours.sessions, theirs.eval_case_results):
        info = adk_eval.eval_of(session)
        assert info["status"] == case.final_eval_status.name
        assert _ours(info["metrics"]) == _metrics(case.overall_eval_metric_results)
        per = case.eval_metric_result_per_invocation
        assert len(info["invocations"]) == len(per)
        for inv, item in zip(info["invocations"], per):
            assert inv["invocation_id"] == item.actual_invocation.invocation_id
            assert inv["user"] == _text(item.actual_invocation.user_content)
            assert _ours(inv["metrics"]) == _metrics(item.eval_metric_results)
            _side_matches(inv["actual"], item.actual_invocation)
            _side_matches(inv["expected"], item.expected_invocation)
        if case.session_details is not None:  # the run as ADK recorded it
            assert [(e.id, e.invocation_id, e.author, e.timestamp) for e in session.events] == [
                (e.id, e.invocation_id, e.author, e.timestamp) for e in case.session_details.events]
            assert session.state == case.session_details.state
        else:  # made from the actual invocations: user, each step, final, in ADK's order
            expected = []
            for item in per:
                inv = item.actual_invocation
                steps = inv.intermediate_data.invocation_events
                expected += ([("user", _text(inv.user_content))]
                             + [(s.author, s.content.parts[0].function_call or
                                 s.content.parts[0].function_response) for s in steps]
                             + [(steps[-1].author, _text(inv.final_response))])
            got = [(e.author, e.content) for e in session.events]
            assert [a for a, _ in got] == [a for a, _ in expected]
            assert got[0][1] == expected[0][1] and got[-1][1] == expected[-1][1]


@real_files
def test_the_real_eval_result_reads_as_google_adk_reads_it():
    data = evalkit.REAL_RESULT.read_bytes()
    ours = adk_eval.read_eval_bytes(data, str(evalkit.REAL_RESULT))
    assert_same_result(ours, adk_reads_result(data))
    assert reading.detect(data) == "adk-eval-result"


@real_files
def test_the_real_eval_set_reads_as_google_adk_reads_it():
    from google.adk.evaluation.local_eval_sets_manager import load_eval_set_from_file

    theirs = load_eval_set_from_file(str(evalkit.REAL_SET), "home_automation_tests")
    ours = adk_eval.read_eval_path(evalkit.REAL_SET)
    _assert_same_set(ours, theirs)


def _assert_same_set(ours, theirs) -> None:
    assert ours.kind == "set" and ours.id == theirs.eval_set_id
    assert [s.id for s in ours.sessions] == [c.eval_id for c in theirs.eval_cases]
    for session, case in zip(ours.sessions, theirs.eval_cases):
        info = adk_eval.eval_of(session)
        assert info["status"] is None and info["metrics"] == []
        assert len(info["invocations"]) == len(case.conversation)
        for inv, expected in zip(info["invocations"], case.conversation):
            assert inv["actual"] is None
            _side_matches(inv["expected"], expected)
        assert session.app_name == case.session_input.app_name
        assert session.state == case.session_input.state
        assert len({e.invocation_id for e in session.events}) == len(case.conversation)


@pytest.mark.parametrize("spelling", ["names", "aliases", "legacy-string"])
def test_a_small_result_reads_as_google_adk_reads_it(spelling, tmp_path):
    theirs = adk_result.EvalSetResult.model_validate(evalkit.small_result())
    if spelling == "aliases":  # camelCase, as a by_alias dump writes it (ADK reads both)
        value = json.loads(theirs.model_dump_json(by_alias=True))
    else:
        value = json.loads(theirs.model_dump_json())  # what ADK writes
    path = evalkit.write(tmp_path / "x.evalset_result.json", value, legacy=spelling == "legacy-string")
    ours = adk_eval.read_eval_path(path)
    assert_same_result(ours, adk_reads_result(path.read_bytes()))
    # Import reads them too (reading.read_path), the same sessions.
    assert [s.export() for s in reading.read_path(path)] == [s.export() for s in ours.sessions]
    assert ours.notes() == ["ADK eval result of eval set home_tests: 2 cases, 1 passed, 1 failed: "
                            "oven_off"]


def test_a_small_set_reads_as_google_adk_reads_it(tmp_path):
    theirs = adk_set.EvalSet.model_validate(evalkit.small_set())
    path = evalkit.write(tmp_path / "x.evalset.json", json.loads(theirs.model_dump_json()))
    _assert_same_set(adk_eval.read_eval_path(path), theirs)


def test_eval_sessions_export_as_sessions_google_adk_loads():
    from google.adk.sessions import Session as AdkSession

    value = evalkit.small_result()
    for evals in (adk_eval.read_eval_bytes(json.dumps(value).encode(), "r"),
                  adk_eval.read_eval_bytes(json.dumps(evalkit.small_set()).encode(), "s")):
        for session in evals.sessions:
            out = adk_json.to_adk_json(session)
            assert "eval" not in out  # session-tui's own extra: not ADK's
            loaded = AdkSession.model_validate_json(json.dumps(out))
            assert [e.id for e in loaded.events] == [e.id for e in session.events]


def test_a_case_run_more_than_once_is_a_session_per_run():
    value = evalkit.small_result()
    value["eval_case_results"].append(json.loads(json.dumps(value["eval_case_results"][1])))
    ids = [s.id for s in adk_eval.read_eval_bytes(json.dumps(value).encode(), "r").sessions]
    assert ids == ["lamp_on", "oven_off", "oven_off#2"]


def _broken(change):
    value = evalkit.small_result()
    change(value)
    return json.dumps(value).encode()


def _case(value, n=0):
    return value["eval_case_results"][n]


BROKEN = {
    "not JSON": (b'{"eval_set_result_id": ', "not valid JSON"),
    "an array": (b"[1, 2]", "expected an ADK eval result or eval set object, got an array"),
    "cases not an array": (_broken(lambda v: v.update(eval_case_results={})),
                           "eval_case_results: expected an array"),
    "status out of range": (_broken(lambda v: _case(v).update(final_eval_status=7)),
                            "eval_case_results[0].final_eval_status: expected an eval status"),
    "status an object": (_broken(lambda v: _case(v).update(final_eval_status={"a": 1})),
                         "eval_case_results[0].final_eval_status: expected an eval status"),
    "score not a number": (_broken(lambda v: _case(v)["overall_eval_metric_results"][1].update(
        score="high")), "eval_case_results[0].overall_eval_metric_results[1].score: expected a number"),
    "no user content": (_broken(lambda v: _case(v, 1)["eval_metric_result_per_invocation"][1][
        "actual_invocation"].pop("user_content")),
        "eval_case_results[1].eval_metric_result_per_invocation[1].actual_invocation.user_content: missing"),
    "event without time": (_broken(lambda v: _case(v)["session_details"]["events"][2].pop("timestamp")),
                           "eval_case_results[0].session_details.events[2].timestamp: missing"),
    "parts not objects": (_broken(lambda v: _case(v, 1)["eval_metric_result_per_invocation"][0][
        "expected_invocation"]["final_response"].update(parts=["x"])), "final_response.parts: "
        "expected an array of objects"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_malformed_eval_file_is_one_line_naming_the_file_and_the_place(name, tmp_path):
    data, said = BROKEN[name]
    path = tmp_path / "run.evalset_result.json"
    path.write_bytes(data)
    with pytest.raises(SessionFormatError) as caught:
        adk_eval.read_eval_path(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert said in message, message


def test_older_intermediate_data_and_a_missing_expected_side_read_as_adk_reads_them():
    """IntermediateData (tool_uses, tool_responses, intermediate_responses) of older files: a
    call, then its response, then what sub-agents said; a case of a conversation scenario has
    no expected invocation."""
    value = evalkit.small_result()
    item = value["eval_case_results"][1]["eval_metric_result_per_invocation"][0]
    item["expected_invocation"] = None
    item["actual_invocation"]["intermediate_data"] = {
        "tool_uses": [{"id": "t1", "name": "find", "args": {"q": "oven"}},
                      {"id": "t2", "name": "set_device", "args": {"device": "oven"}}],
        "tool_responses": [{"id": "t2", "name": "set_device", "response": {"ok": True}},
                           {"id": "t1", "name": "find", "response": {"found": 1}}],
        "intermediate_responses": [["helper", [{"text": "found it"}]]]}
    theirs = adk_result.EvalSetResult.model_validate(value)
    ours = adk_eval.read_eval_bytes(json.dumps(value).encode(), "r")
    assert_same_result_sides(ours, theirs)
    session = ours.sessions[1]
    assert [(e.author, e.content) for e in session.events[:6]] == [
        ("user", "Turn off the oven"), ("agent", 'find(q="oven")'), ("agent", 'find -> {"found": 1}'),
        ("agent", 'set_device(device="oven")'), ("agent", 'set_device -> {"ok": true}'),
        ("helper", "found it")]
    assert session.events[6].content == "Done."


def assert_same_result_sides(ours, theirs) -> None:
    for session, case in zip(ours.sessions, theirs.eval_case_results):
        for inv, item in zip(adk_eval.eval_of(session)["invocations"],
                             case.eval_metric_result_per_invocation):
            _side_matches(inv["actual"], item.actual_invocation)
            _side_matches(inv["expected"], item.expected_invocation)


def test_a_conversation_scenario_case_reads_with_no_events_and_its_scenario_kept():
    value = evalkit.small_set()
    scenario = {"starting_prompt": "Hi, the oven is on", "conversation_plan": "Ask to turn it off"}
    value["eval_cases"][1].pop("conversation")
    value["eval_cases"][1]["conversation_scenario"] = scenario
    theirs = adk_set.EvalSet.model_validate(value)
    ours = adk_eval.read_eval_bytes(json.dumps(value).encode(), "s")
    session = ours.sessions[1]
    assert session.id == theirs.eval_cases[1].eval_id and session.events == []
    assert adk_eval.eval_of(session)["scenario"] == theirs.eval_cases[1].conversation_scenario.model_dump(
        exclude_none=True)


@pytest.mark.parametrize("odd", [{"source": "result", "metrics": [], "invocations": [1]},
                                 {"source": "result", "metrics": ["x"], "invocations": []},
                                 {"source": "set", "metrics": [], "invocations": [{"actual": {"tool_calls": [3]}}]},
                                 {"source": "other", "metrics": [], "invocations": []}, "eval"])
def test_a_session_with_an_eval_extra_of_another_shape_is_no_eval_case(odd):
    from session_tui.model import Session

    session = Session.new("app", "user")
    session.extra["eval"] = odd
    assert adk_eval.eval_of(session) is None
