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

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .. import jsonio
from ..model import JSON, Session, SessionFormatError, got
from .adk_text import render_call, render_content, render_response

EVAL_KEY = "eval"
RESULT_SUFFIX = ".evalset_result.json"
SET_SUFFIX = ".evalset.json"
# google-adk's EvalStatus, by value (an enum written as its value in the JSON).
STATUS = {1: "PASSED", 2: "FAILED", 3: "NOT_EVALUATED", 4: "INFORMATIONAL"}


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
        from ..store.errors import NotFound

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


# ----------------------------------------------------------------------------- fields

def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _at(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _get(obj: dict, name: str, where: str, kind: str, required: bool = False) -> Any:
    """The field in either spelling, checked: `str`, `number`, `object`, `array` (null and
    missing: None, unless `required`)."""
    value = obj.get(name)
    if value is None:
        value = obj.get(_camel(name))
    if value is None:
        if required:
            raise SessionFormatError(_at(where, name), "missing")
        return None
    ok = {"str": isinstance(value, str),
          "number": isinstance(value, (int, float)) and not isinstance(value, bool)
          and math.isfinite(value),
          "object": isinstance(value, dict),
          "array": isinstance(value, list)}[kind]
    if not ok:
        article = {"str": "a string", "number": "a number", "object": "an object",
                   "array": "an array"}[kind]
        raise SessionFormatError(_at(where, name), f"expected {article}, got {got(value)}")
    return value


def _items(obj: dict, name: str, where: str, required: bool = False) -> list[tuple[str, dict]]:
    """(place, object) of each item of an array field."""
    out = []
    for i, item in enumerate(_get(obj, name, where, "array", required) or []):
        place = f"{_at(where, name)}[{i}]"
        if not isinstance(item, dict):
            raise SessionFormatError(place, f"expected an object, got {got(item)}")
        out.append((place, item))
    return out


def _status(obj: dict, name: str, where: str) -> str:
    value = obj.get(name, obj.get(_camel(name)))
    if isinstance(value, bool) or value not in STATUS:
        if value is None:
            raise SessionFormatError(_at(where, name), "missing")
        raise SessionFormatError(_at(where, name), f"expected an eval status (1 passed, 2 failed, "
                                 f"3 not evaluated, 4 informational), got {got(value)}")
    return STATUS[value]


def _metric(value: dict, where: str) -> dict:
    threshold = _get(value, "threshold", where, "number")
    criterion = _get(value, "criterion", where, "object")
    if threshold is None and criterion is not None:
        threshold = _get(criterion, "threshold", _at(where, "criterion"), "number")
    return {"name": _get(value, "metric_name", where, "str", required=True),
            "score": _get(value, "score", where, "number"), "threshold": threshold,
            "status": _status(value, "eval_status", where)}


def _metrics(obj: dict, name: str, where: str, required: bool = True) -> list[dict]:
    return [_metric(item, place) for place, item in _items(obj, name, where, required)]


def _content(value: JSON, where: str) -> dict | None:
    """ADK content (checked: an object whose parts are objects), lean (see `_lean_content`)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise SessionFormatError(where, f"expected a content object, got {got(value)}")
    parts = value.get("parts")
    if parts is not None and not (isinstance(parts, list) and all(isinstance(p, dict) for p in parts)):
        raise SessionFormatError(_at(where, "parts"), f"expected an array of objects, got {got(parts)}")
    return _lean_content(value)


def _lean(value: dict) -> dict:
    return {k: v for k, v in value.items() if v is not None}


def _lean_content(content: dict) -> dict:
    """Without the nulls of pydantic's dump (an eval file is written without exclude_none):
    in the content, its parts and their function call or response, never inside the values
    (the arguments, the response) where a null is data."""
    out = _lean(content)
    if isinstance(out.get("parts"), list):
        out["parts"] = [{k: _lean(v) if k in _PART_OBJECTS and isinstance(v, dict) else v
                         for k, v in _lean(p).items()} if isinstance(p, dict) else p
                        for p in out["parts"]]
    return out


_PART_OBJECTS = {"function_call", "functionCall", "function_response", "functionResponse"}


def _lean_event(event: JSON, where: str) -> JSON:
    """An event of `session_details`, its top level, actions and content lean (as ADK's
    `exclude_none` export would have them); anything else as it is (adk_json checks it)."""
    if not isinstance(event, dict):
        return event
    out = _lean(event)
    for name in ("actions", "usage_metadata"):
        if isinstance(out.get(name), dict):
            out[name] = _lean(out[name])
    if "content" in out:
        out["content"] = _content(out["content"], _at(where, "content"))
    return out


# ------------------------------------------------------------------------ invocations

@dataclass
class _Invocation:
    id: str
    user: dict
    final: dict | None
    steps: list[dict]  # ADK events without id, invocation or time: author, content, ...
    created: float


def _invocation(value: dict, where: str, fallback_id: str) -> _Invocation:
    user = _content(_get(value, "user_content", where, "object", required=True),
                    _at(where, "user_content"))
    final = _content(_get(value, "final_response", where, "object"), _at(where, "final_response"))
    steps = _steps(_get(value, "intermediate_data", where, "object"), _at(where, "intermediate_data"))
    return _Invocation(_get(value, "invocation_id", where, "str") or fallback_id, user or {},
                       final, steps, _get(value, "creation_timestamp", where, "number") or 0.0)


def _steps(data: dict | None, where: str) -> list[dict]:
    """The intermediate events: ADK's InvocationEvents as they are; its older IntermediateData
    (tool_uses, tool_responses, intermediate_responses) as a call event, then its response."""
    if data is None:
        return []
    if "invocation_events" in data or "invocationEvents" in data:
        steps = []
        for place, event in _items(data, "invocation_events", where):
            step = {"author": _get(event, "author", place, "str", required=True),
                    "content": _content(event.get("content"), _at(place, "content"))}
            for name in ("usage_metadata", "model_version"):
                if event.get(name, event.get(_camel(name))) is not None:
                    step[_camel(name)] = event.get(name, event.get(_camel(name)))
            steps.append(step)
        return steps
    calls = [item for _, item in _items(data, "tool_uses", where)]
    responses = [item for _, item in _items(data, "tool_responses", where)]
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
    for i, item in enumerate(_get(data, "intermediate_responses", where, "array") or []):
        place = f"{_at(where, 'intermediate_responses')}[{i}]"
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
    return part.get(_camel(snake)) if value is None else value


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
    result_id = _get(value, "eval_set_result_id", "", "str", required=True)
    set_id = _get(value, "eval_set_id", "", "str", required=True)
    name = _get(value, "eval_set_result_name", "", "str") or result_id
    when = _get(value, "creation_timestamp", "", "number") or 0.0
    # ADK names a result `<app>_<eval set>_<time>`: the app, where no session says it.
    app = re.sub(rf"_{re.escape(set_id)}_[0-9.]+$", "", name) if set_id else name
    out = EvalFile("result", result_id, set_id)
    ids: set[str] = set()
    for i, (place, case) in enumerate(_items(value, "eval_case_results", "", required=True)):
        try:
            session = _case_result(case, when, app)
        except SessionFormatError as exc:
            raise exc.within(place) from None
        session.extra[EVAL_KEY].update(eval_set_result_id=result_id, eval_set_id=set_id)
        session.id = _unique(session.id or f"case-{i + 1}", ids)
        out.sessions.append(session)
    return out


def _unique(name: str, taken: set[str]) -> str:
    """An eval case run more than once (`num_runs`) is one session per run: `id`, `id#2`..."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}#{n}"
    taken.add(candidate)
    return candidate


def _case_result(case: dict, when: float, app: str) -> Session:
    eval_id = _get(case, "eval_id", "", "str") or ""
    status = _status(case, "final_eval_status", "")
    overall = _metrics(case, "overall_eval_metric_results", "")
    adk_session_id = _get(case, "session_id", "", "str", required=True)
    details = _get(case, "session_details", "", "object")
    invocations = []
    for n, (place, item) in enumerate(_items(case, "eval_metric_result_per_invocation", "",
                                             required=True), 1):
        actual = _invocation(_get(item, "actual_invocation", place, "object", required=True),
                             _at(place, "actual_invocation"), f"invocation-{n}")
        expected_value = _get(item, "expected_invocation", place, "object")
        expected = None if expected_value is None else _invocation(
            expected_value, _at(place, "expected_invocation"), f"expected-{n}")
        invocations.append((actual, expected, _metrics(item, "eval_metric_results", place, False)))
    user_id = _get(case, "user_id", "", "str") or "user"
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
        events = [_lean_event(e, f"session_details.events[{i}]") for i, e in enumerate(events)]
    return {**keep, "events": events, "id": eval_id}


def _session(value: dict, where: str) -> Session:
    from .adk_json import session_from_adk

    try:
        return session_from_adk(value, owned=True)
    except SessionFormatError as exc:
        raise (exc.within(where) if where else exc) from None


# -------------------------------------------------------------------------------- sets

def _read_set(value: dict) -> EvalFile:
    set_id = _get(value, "eval_set_id", "", "str", required=True)
    when = _get(value, "creation_timestamp", "", "number") or 0.0
    out = EvalFile("set", set_id, set_id)
    ids: set[str] = set()
    for i, (place, case) in enumerate(_items(value, "eval_cases", "", required=True)):
        try:
            session = _case(case, when, set_id)
        except SessionFormatError as exc:
            raise exc.within(place) from None
        session.extra[EVAL_KEY]["eval_set_id"] = set_id
        session.id = _unique(session.id or f"case-{i + 1}", ids)
        out.sessions.append(session)
    return out


def _case(case: dict, when: float, set_id: str) -> Session:
    eval_id = _get(case, "eval_id", "", "str", required=True)
    when = _get(case, "creation_timestamp", "", "number") or when
    conversation = [
        _invocation(item, place, f"invocation-{n}")
        for n, (place, item) in enumerate(_items(case, "conversation", ""), 1)]
    scenario = _get(case, "conversation_scenario", "", "object")
    if not conversation and scenario is None and "conversation" not in case:
        raise SessionFormatError("conversation", "missing (nor a conversation_scenario)")
    start = _get(case, "session_input", "", "object") or {}
    app = _get(start, "app_name", "session_input", "str") or set_id
    user_id = _get(start, "user_id", "session_input", "str") or "user"
    state = _get(start, "state", "session_input", "object") or {}
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
    final_state = _get(case, "final_session_state", "", "object")
    if final_state:
        session.extra[EVAL_KEY]["final_session_state"] = final_state
    return session


# ------------------------------------------------------------------------------ showing

def eval_of(session: Session) -> dict | None:
    """The eval extra of a session read from an eval file (None for any other session, or one
    whose `eval` extra is not the shape this module writes: a session may carry anything)."""
    value = session.extra.get(EVAL_KEY)
    if not (isinstance(value, dict) and value.get("source") in ("result", "set")):
        return None
    invocations, metrics = value.get("invocations"), value.get("metrics")
    if not (isinstance(invocations, list) and isinstance(metrics, list)):
        return None
    dicts = metrics + [m for inv in invocations if isinstance(inv, dict)
                       for m in (inv.get("metrics") or [])]
    sides = [inv.get(k) for inv in invocations if isinstance(inv, dict) for k in ("expected", "actual")]
    if not (all(isinstance(inv, dict) for inv in invocations) and all(isinstance(m, dict) for m in dicts)
            and all(side is None or (isinstance(side, dict) and isinstance(side.get("tool_calls", []), list)
                                     and all(isinstance(c, dict) for c in side.get("tool_calls", [])))
                    for side in sides)):
        return None
    return value


def score_text(metric: dict) -> str:
    """`response_match_score 0.74 / 0.70 PASS`: name, score, threshold, status."""
    score, threshold = metric.get("score"), metric.get("threshold")
    number = "–" if not isinstance(score, (int, float)) else f"{score:.2f}"
    bar = "" if not isinstance(threshold, (int, float)) else f" / {threshold:.2f}"
    word = {"PASSED": "PASS", "FAILED": "FAIL", "NOT_EVALUATED": "not evaluated",
            "INFORMATIONAL": "info"}.get(metric.get("status"), str(metric.get("status")))
    return f"{metric.get('name')} {number}{bar} {word}"


def call_lines(side: dict | None) -> list[str]:
    """Each tool call of a side as `name(args)`."""
    if not side:
        return []
    return [render_call(str(c.get("name")), c.get("args")) for c in side.get("tool_calls") or []]


def response_lines(side: dict | None) -> list[str]:
    if not side:
        return []
    return [render_response(str(r.get("name")), r.get("response"))
            for r in side.get("tool_responses") or []]


def summary_lines(session: Session) -> list[str]:
    """What `show` prints of an eval case: its status and metrics, then per invocation the
    expected and the actual response and tool calls."""
    info = eval_of(session)
    if info is None:
        return []
    head = f"eval     {info.get('eval_id')}" + (f"  {info['status']}" if info.get("status") else
                                                "  (eval set: expected only)")
    lines = [head] + [f"metric   {score_text(m)}" for m in info["metrics"]]
    for n, inv in enumerate(info["invocations"], 1):
        lines.append(f"invocation {n}  {inv.get('invocation_id')}"
                     + "".join(f"  ·  {score_text(m)}" for m in inv.get("metrics") or []))
        lines.append(f"  user      {_flat(inv.get('user'))}")
        for label, key in (("expected", "expected"), ("actual", "actual")):
            side = inv.get(key)
            if side is None:
                continue
            lines += [f"  {label:<9} tool {c}" for c in call_lines(side)]
            lines.append(f"  {label:<9} {_flat(side.get('response'))}")
    return lines


def _flat(text: Any) -> str:
    return "(none)" if text is None else str(text).replace("\n", " ")
