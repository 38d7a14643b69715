"""ADK's eval files as sessions to read: an eval result (`.adk/eval_history/*.evalset_result.json`,
what `adk eval` and adk web's Eval tab write) and an eval set (`*.evalset.json`).

- An eval result gives one session per eval case holding the agent's actual run: the events ADK
  recorded in `session_details` when the file has them (ids, times, token counts, state), else
  events made from the actual invocations (the user's content, each intermediate event or tool
  call and response, the final response), in ADK's event shape (`formats.adk_json` reads them).
- An eval set gives one session per eval case holding its expected conversation.
- Beside the events, `Session.extra["eval"]` (EVAL_KEY) keeps what the app and the CLI show next
  to the run: the case's status and each metric's score, threshold and status, overall and per
  invocation, and per invocation the expected and the actual response text and tool calls
  (`{"name", "args"}`). It is session-tui's own extra: ADK JSON export leaves it out.

Both spellings ADK reads are taken (field names and camelCase aliases), and so is the result
file that older ADK wrote as a JSON string holding the JSON (as ADK's
`parse_eval_set_result_json` takes it). The fields used are checked; anything malformed is one
SessionFormatError naming the file and the place. Only the file is read: an `eval_set_file`
named inside is never opened. Standard library and orjson only (google-adk is an extra).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import orjson

from .. import jsonio
from ..model import JSON, Session, SessionFormatError, got
from .adk_eval_fields import (camel, content_of, get_field, items_of, lean_event, metrics_of,
                              place_in, status_of)
from .adk_eval_text import EVAL_KEY, eval_of  # noqa: F401 (eval_of: read from here too)
from .adk_text import render_content

RESULT_SUFFIX = ".evalset_result.json"
SET_SUFFIX = ".evalset.json"


@dataclass
class EvalFile:
    """What one eval file holds: its kind (`result` or `set`), ids, and a session per case."""

    kind: str
    id: str
    eval_set_id: str
    sessions: list[Session] = field(default_factory=list)

    def notes(self) -> list[str]:
        """One line about the file, for the app's banner and `list`."""
        cases = len(self.sessions)
        if self.kind == "set":
            return [f"ADK eval set {self.id}: {cases} case{'s' * (cases != 1)}, each its "
                    "expected conversation (no run)"]
        statuses = [s.extra[EVAL_KEY]["status"] for s in self.sessions]
        failed = [s.id for s in self.sessions if s.extra[EVAL_KEY]["status"] == "FAILED"]
        line = (f"ADK eval result of eval set {self.eval_set_id}: {cases} "
                f"case{'s' * (cases != 1)}, {statuses.count('PASSED')} passed, {len(failed)} failed")
        return [line + (f": {', '.join(failed)}" if failed else "")]


def kind_of_name(path: Path) -> str | None:
    """`result` or `set` by the name ADK gives these files; None otherwise."""
    name = path.name.lower()
    if name.endswith(RESULT_SUFFIX):
        return "result"
    if name.endswith(SET_SUFFIX):
        return "set"
    return None


def read_eval_path(path: Path) -> EvalFile:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        from ..errors import NotFound

        raise NotFound(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SessionFormatError(str(path), "is a folder, not a file") from None
    return read_eval_bytes(data, str(path))


def read_eval_bytes(data: bytes, source: str) -> EvalFile:
    """An eval result or an eval set, all or nothing."""
    value = _parse(data, source)
    try:
        if not isinstance(value, dict):
            raise SessionFormatError("", f"expected an ADK eval result or eval set object, got "
                                     f"{got(value)}")
        if {"eval_set_result_id", "evalSetResultId", "eval_case_results",
                "evalCaseResults"} & value.keys():
            return _read_result(value)
        if {"eval_cases", "evalCases"} & value.keys():
            return _read_set(value)
        raise SessionFormatError("", "neither an ADK eval result (eval_set_result_id, "
                                 "eval_case_results) nor an eval set (eval_set_id, eval_cases)")
    except SessionFormatError as exc:
        raise exc.in_source(source) from None


def _parse(data: bytes, source: str) -> JSON:
    data = jsonio.strip_bom(bytes(data))
    try:
        value = jsonio.parse(data)
        if isinstance(value, str) and value.lstrip()[:1] == "{":
            value = jsonio.parse(value)  # older ADK: a JSON string holding the JSON
    except jsonio.JSONLimitError as exc:
        raise SessionFormatError(source, str(exc)) from None
    except orjson.JSONDecodeError as exc:
        raise SessionFormatError(source, f"not valid JSON: {exc.msg} at line {exc.lineno} "
                                 f"column {exc.colno}") from None
    return value


# ------------------------------------------------------------------------ invocations

@dataclass
class _Invocation:
    id: str
    user: dict
    final: dict | None
    steps: list[dict]  # ADK events without id, invocation or time: author, content, ...
    created: float


def _invocation(value: dict, where: str, fallback_id: str) -> _Invocation:
    user = content_of(get_field(value, "user_content", where, "object", required=True),
                    place_in(where, "user_content"))
    final = content_of(get_field(value, "final_response", where, "object"), place_in(where, "final_response"))
    steps = _steps(get_field(value, "intermediate_data", where, "object"), place_in(where, "intermediate_data"))
    return _Invocation(get_field(value, "invocation_id", where, "str") or fallback_id, user or {},
                       final, steps, get_field(value, "creation_timestamp", where, "number") or 0.0)


def _steps(data: dict | None, where: str) -> list[dict]:
    """The intermediate events: ADK's InvocationEvents as they are; its older IntermediateData
    (tool_uses, tool_responses, intermediate_responses) as a call event, then its response."""
    if data is None:
        return []
    if "invocation_events" in data or "invocationEvents" in data:
        steps = []
        for place, event in items_of(data, "invocation_events", where):
            step = {"author": get_field(event, "author", place, "str", required=True),
                    "content": content_of(event.get("content"), place_in(place, "content"))}
            for name in ("usage_metadata", "model_version"):
                if event.get(name, event.get(camel(name))) is not None:
                    step[camel(name)] = event.get(name, event.get(camel(name)))
            steps.append(step)
        return steps
    calls = [item for _, item in items_of(data, "tool_uses", where)]
    responses = [item for _, item in items_of(data, "tool_responses", where)]
    steps = []
    for call in calls:
        steps.append({"author": "agent", "content": {"role": "model", "parts": [{"function_call": call}]}})
        match = next((r for r in responses if call.get("id") and r.get("id") == call.get("id")), None)
        if match is None and responses and not call.get("id"):
            match = responses[0]
        if match is not None:
            responses.remove(match)
            steps.append({"author": "agent",
                          "content": {"role": "user", "parts": [{"function_response": match}]}})
    steps += [{"author": "agent", "content": {"role": "user", "parts": [{"function_response": r}]}}
              for r in responses]
    for i, item in enumerate(get_field(data, "intermediate_responses", where, "array") or []):
        place = f"{place_in(where, 'intermediate_responses')}[{i}]"
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                and isinstance(item[1], list)):
            raise SessionFormatError(place, f"expected [author, parts], got {got(item)}")
        steps.append({"author": item[0], "content": {"role": "model", "parts": item[1]}})
    return steps


def _parts(content: dict | None) -> list[dict]:
    parts = (content or {}).get("parts") or []
    return [p for p in parts if isinstance(p, dict)]


def _either(part: dict, snake: str) -> Any:
    value = part.get(snake)
    return part.get(camel(snake)) if value is None else value


def tool_calls(steps: list[dict]) -> list[dict]:
    """`{"name", "args"}` of each function call, in order."""
    return [{"name": call.get("name"), "args": call.get("args") or {}}
            for step in steps for part in _parts(step.get("content"))
            if isinstance(call := _either(part, "function_call"), dict)]


def tool_responses(steps: list[dict]) -> list[dict]:
    return [{"name": resp.get("name"), "response": resp.get("response")}
            for step in steps for part in _parts(step.get("content"))
            if isinstance(resp := _either(part, "function_response"), dict)]


def _side(inv: _Invocation | None) -> dict | None:
    """What the app shows of one side (expected or actual) of an invocation."""
    if inv is None:
        return None
    return {"response": render_content(inv.final), "tool_calls": tool_calls(inv.steps),
            "tool_responses": tool_responses(inv.steps)}


def _events(inv: _Invocation, agent: str, when: float) -> list[dict]:
    """ADK events (camelCase, as ADK exports a session) of one invocation: the user's content, the
    intermediate steps, the final response. Ids made from the invocation's id and the place."""
    ts = inv.created or when
    head = {"invocationId": inv.id, "timestamp": ts}
    events = [{"id": f"{inv.id}/user", "author": "user",
               "content": {"role": "user", **inv.user}, **head}]
    for n, step in enumerate(inv.steps, 1):
        events.append({"id": f"{inv.id}/step-{n}", **head, **step})
    if inv.final is not None:
        author = next((s["author"] for s in reversed(inv.steps) if s["author"] != "user"), agent)
        events.append({"id": f"{inv.id}/final", "author": author,
                       "content": {"role": "model", **inv.final}, **head})
    return events


# ----------------------------------------------------------------------------- results

def _read_result(value: dict) -> EvalFile:
    result_id = get_field(value, "eval_set_result_id", "", "str", required=True)
    set_id = get_field(value, "eval_set_id", "", "str", required=True)
    name = get_field(value, "eval_set_result_name", "", "str") or result_id
    when = get_field(value, "creation_timestamp", "", "number") or 0.0
    # ADK names a result `<app>_<eval set>_<time>`: the app, where no session says it.
    app = re.sub(rf"_{re.escape(set_id)}_[0-9.]+$", "", name) if set_id else name
    out = EvalFile("result", result_id, set_id)
    out.sessions = _sessions_of(value, "eval_case_results", lambda case: _case_result(case, when, app),
                                {"eval_set_result_id": result_id, "eval_set_id": set_id})
    return out


def _sessions_of(value: dict, key: str, read: Callable[[Any], Session],
                 ids_of_file: dict[str, str]) -> list[Session]:
    """A session per item of `value[key]` (`read` it), the file's ids in its eval record, each
    under an id of its own (`_unique`); an error names the item."""
    sessions: list[Session] = []
    taken: set[str] = set()
    for i, (place, case) in enumerate(items_of(value, key, "", required=True)):
        try:
            session = read(case)
        except SessionFormatError as exc:
            raise exc.within(place) from None
        session.extra[EVAL_KEY].update(ids_of_file)
        session.id = _unique(session.id or f"case-{i + 1}", taken)
        sessions.append(session)
    return sessions


def _unique(name: str, taken: set[str]) -> str:
    """An eval case run more than once (`num_runs`) is one session per run: `id`, `id#2`..."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}#{n}"
    taken.add(candidate)
    return candidate


def _case_result(case: dict, when: float, app: str) -> Session:
    eval_id = get_field(case, "eval_id", "", "str") or ""
    status = status_of(case, "final_eval_status", "")
    overall = metrics_of(case, "overall_eval_metric_results", "")
    adk_session_id = get_field(case, "session_id", "", "str", required=True)
    details = get_field(case, "session_details", "", "object")
    invocations = []
    for n, (place, item) in enumerate(items_of(case, "eval_metric_result_per_invocation", "",
                                             required=True), 1):
        actual = _invocation(get_field(item, "actual_invocation", place, "object", required=True),
                             place_in(place, "actual_invocation"), f"invocation-{n}")
        expected_value = get_field(item, "expected_invocation", place, "object")
        expected = None if expected_value is None else _invocation(
            expected_value, place_in(place, "expected_invocation"), f"expected-{n}")
        invocations.append((actual, expected, metrics_of(item, "eval_metric_results", place, False)))
    user_id = get_field(case, "user_id", "", "str") or "user"
    if details is not None and details.get("events"):
        session_value = _from_details(details, eval_id)
    else:
        events = [e for actual, _, _ in invocations for e in _events(actual, app, when)]
        session_value = {"id": eval_id, "appName": app, "userId": user_id, "state": {},
                         "events": events}
    session = _session(session_value, "session_details" if details else "")
    session.extra[EVAL_KEY] = {
        "source": "result", "eval_id": eval_id, "status": status, "metrics": overall,
        "session_id": adk_session_id,
        "invocations": [{"invocation_id": actual.id, "expected_invocation_id": expected and expected.id,
                         "user": render_content(actual.user), "expected": _side(expected),
                         "actual": _side(actual), "metrics": metrics}
                        for actual, expected, metrics in invocations]}
    return session


def _from_details(details: dict, eval_id: str) -> dict:
    """The actual run as ADK recorded it (`session_details`, an ADK Session), under the eval
    case's id (ADK's session id is kept in the eval extra)."""
    keep = {k: v for k, v in details.items()
            if k in ("app_name", "appName", "user_id", "userId", "state",
                     "last_update_time", "lastUpdateTime")}
    events = details["events"]
    if isinstance(events, list):
        events = [lean_event(e, f"session_details.events[{i}]") for i, e in enumerate(events)]
    return {**keep, "events": events, "id": eval_id}


def _session(value: dict, where: str) -> Session:
    from .adk_json import session_from_adk

    try:
        return session_from_adk(value, owned=True)
    except SessionFormatError as exc:
        raise (exc.within(where) if where else exc) from None


# -------------------------------------------------------------------------------- sets

def _read_set(value: dict) -> EvalFile:
    set_id = get_field(value, "eval_set_id", "", "str", required=True)
    when = get_field(value, "creation_timestamp", "", "number") or 0.0
    out = EvalFile("set", set_id, set_id)
    out.sessions = _sessions_of(value, "eval_cases", lambda case: _case(case, when, set_id),
                                {"eval_set_id": set_id})
    return out


def _case(case: dict, when: float, set_id: str) -> Session:
    eval_id = get_field(case, "eval_id", "", "str", required=True)
    when = get_field(case, "creation_timestamp", "", "number") or when
    conversation = [
        _invocation(item, place, f"invocation-{n}")
        for n, (place, item) in enumerate(items_of(case, "conversation", ""), 1)]
    scenario = get_field(case, "conversation_scenario", "", "object")
    if not conversation and scenario is None and "conversation" not in case:
        raise SessionFormatError("conversation", "missing (nor a conversation_scenario)")
    start = get_field(case, "session_input", "", "object") or {}
    app = get_field(start, "app_name", "session_input", "str") or set_id
    user_id = get_field(start, "user_id", "session_input", "str") or "user"
    state = get_field(start, "state", "session_input", "object") or {}
    events = [e for inv in conversation for e in _events(inv, app, when)]
    session = _session({"id": eval_id, "appName": app, "userId": user_id, "state": state,
                        "events": events, "lastUpdateTime": events[-1]["timestamp"] if events
                        else when}, "")
    session.extra[EVAL_KEY] = {
        "source": "set", "eval_id": eval_id, "status": None, "metrics": [],
        "invocations": [{"invocation_id": inv.id, "expected_invocation_id": inv.id,
                         "user": render_content(inv.user), "expected": _side(inv),
                         "actual": None, "metrics": []} for inv in conversation]}
    if scenario is not None:
        session.extra[EVAL_KEY]["scenario"] = scenario
    final_state = get_field(case, "final_session_state", "", "object")
    if final_state:
        session.extra[EVAL_KEY]["final_session_state"] = final_state
    return session
