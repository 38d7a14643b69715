"""A small ADK eval result and eval set, written as google-adk writes them (field names, the
tests check them with google-adk's own models): two cases, the second failing (a wrong tool
argument, a low response score, two invocations). Times fixed, so snapshots are the same each
run. Shared by tests/formats, tests/cli and tests/app."""

from __future__ import annotations

import copy
import json
from pathlib import Path

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-sessions"
REAL_RESULT = REAL / "kaggle5_home_automation.evalset_result.json"
REAL_SET = REAL / "kaggle5_home_automation.evalset.json"
T0 = 1_763_028_900.0


def text(role: str, words: str) -> dict:
    return {"role": role, "parts": [{"text": words}]}


def call(name: str, call_id: str, **args) -> dict:
    return {"author": "home_agent", "content": {"role": "model", "parts": [
        {"function_call": {"id": call_id, "name": name, "args": args}}]}}


def reply(name: str, call_id: str, **response) -> dict:
    return {"author": "home_agent", "content": {"role": "user", "parts": [
        {"function_response": {"id": call_id, "name": name, "response": response}}]}}


def invocation(inv_id: str, user: str, final: str, steps: list[dict], at: float) -> dict:
    return {"invocation_id": inv_id, "user_content": text("user", user),
            "final_response": text("model", final),
            "intermediate_data": {"invocation_events": steps}, "creation_timestamp": at}


def metric(name: str, score: float, threshold: float) -> dict:
    return {"metric_name": name, "threshold": threshold, "score": score,
            "eval_status": 1 if score >= threshold else 2, "details": {}}


def _metrics(tool: float, response: float) -> list[dict]:
    return [metric("tool_trajectory_avg_score", tool, 1.0),
            metric("response_match_score", response, 0.7)]


def _lamp(expected: bool) -> dict:
    word = "e" if expected else "a"
    return invocation(f"{word}-lamp-1", "Turn on the desk lamp in the office",
                      "The desk lamp is on." if expected else "I turned on the desk lamp.",
                      [call("set_device", f"{word}c1", device="desk lamp", status="ON"),
                       reply("set_device", f"{word}c1", success=True)], T0 + (0 if expected else 60))


def _oven(n: int, expected: bool) -> dict:
    word = "e" if expected else "a"
    room = "kitchen" if expected or n == 1 else "garage"  # the second run: the wrong room
    final = ("The oven is off." if expected else
             "Done." if n == 1 else "I could not find an oven in the garage.")
    return invocation(f"{word}-oven-{n}", "Turn off the oven" if n == 1 else "And the other one",
                      final, [call("set_device", f"{word}o{n}", device="oven", room=room, status="OFF"),
                              reply("set_device", f"{word}o{n}", success=expected or n == 1)],
                      T0 + 120 + 10 * n + (0 if expected else 60))


def small_result() -> dict:
    """An EvalSetResult as `model_dump(mode="json")` gives it: `lamp_on` passes (with the
    session ADK recorded), `oven_off` fails (no session_details: events from the invocations)."""
    lamp = {"eval_set_file": "home_tests", "eval_set_id": "home_tests", "eval_id": "lamp_on",
            "final_eval_status": 1, "eval_metric_results": None,
            "overall_eval_metric_results": _metrics(1.0, 0.75),
            "eval_metric_result_per_invocation": [
                {"actual_invocation": _lamp(False), "expected_invocation": _lamp(True),
                 "eval_metric_results": _metrics(1.0, 0.75)}],
            "session_id": "___eval___session___lamp", "user_id": "user",
            "session_details": {"id": "___eval___session___lamp", "app_name": "home_agent",
                                "user_id": "user", "state": {"lamp": "ON"},
                                "events": _lamp_events(), "last_update_time": T0 + 61}}
    oven = {"eval_set_file": "home_tests", "eval_set_id": "home_tests", "eval_id": "oven_off",
            "final_eval_status": 2, "eval_metric_results": None,
            "overall_eval_metric_results": _metrics(0.5, 0.4),
            "eval_metric_result_per_invocation": [
                {"actual_invocation": _oven(n, False), "expected_invocation": _oven(n, True),
                 "eval_metric_results": _metrics(1.0 if n == 1 else 0.0, 0.6 if n == 1 else 0.2)}
                for n in (1, 2)],
            "session_id": "___eval___session___oven", "session_details": None, "user_id": "user"}
    return {"eval_set_result_id": "home_agent_home_tests_1763029000.0",
            "eval_set_result_name": "home_agent_home_tests_1763029000.0",
            "eval_set_id": "home_tests", "eval_case_results": [lamp, oven],
            "creation_timestamp": T0 + 200}


def _lamp_events() -> list[dict]:
    inv = _lamp(False)
    steps = inv["intermediate_data"]["invocation_events"]
    base = {"invocation_id": "a-lamp-1", "actions": {"state_delta": {}}}
    events = [{**base, "id": "ev-1", "author": "user", "content": inv["user_content"],
               "timestamp": T0 + 60}]
    for n, step in enumerate(steps, 2):
        events.append({**base, "id": f"ev-{n}", "author": step["author"],
                       "content": step["content"], "timestamp": T0 + 60 + n / 10})
    events.append({**base, "id": "ev-4", "author": "home_agent", "content": inv["final_response"],
                   "timestamp": T0 + 61, "actions": {"state_delta": {"lamp": "ON"}}})
    return events


def small_set() -> dict:
    """An EvalSet: the expected side of small_result's cases."""
    result = small_result()
    cases = []
    for case in result["eval_case_results"]:
        cases.append({"eval_id": case["eval_id"],
                      "conversation": [copy.deepcopy(i["expected_invocation"])
                                       for i in case["eval_metric_result_per_invocation"]],
                      "session_input": {"app_name": "home_agent", "user_id": "user",
                                        "state": {"house": "demo"}},
                      "creation_timestamp": T0})
    return {"eval_set_id": "home_tests", "name": "home_tests", "eval_cases": cases,
            "creation_timestamp": T0}


def write(path: Path, value: dict, legacy: bool = False) -> Path:
    """As ADK writes it (`indent=2`); `legacy`: as older ADK did, a JSON string of the JSON."""
    body = json.dumps(value, indent=2)
    path.write_text(json.dumps(body) if legacy else body, encoding="utf-8")
    return path
