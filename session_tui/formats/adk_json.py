"""Google ADK (Python) session JSON: what `adk run --save_session` and the `adk web` Export button
write (`session.model_dump_json(exclude_none=True, by_alias=True)`), and what `adk run --resume`
and the `adk web` Import button load (`Session.model_validate_json`).

Reading maps ADK's camelCase session onto the model:

- `content` (`{"role", "parts": [...]}`) becomes a readable string: text parts as they are,
  a function call as `get_weather(city="Paris")`, a function response as
  `get_weather -> {"temp_c": 18}`, one part a line (`render_content`);
- `actions.stateDelta`, `transferToAgent`, `escalate`, `skipSummarization` become the model's
  actions; `created_at` is the first event's timestamp, else `lastUpdateTime` (ADK keeps no
  creation time), `updated_at` is `lastUpdateTime`;
- every other field, on the session, an event or its actions (`branch`, `usageMetadata`,
  `nodeInfo`, `artifactDelta`, ...), is kept as an extra field under its own name.

Writing (`to_adk_json`) is exact: an ADK session read here and written back is the same JSON.
What the model cannot say by itself is kept in two extra fields, and only when needed:

- `adk_content` (event): the original `content` object, when the text alone would not rebuild it
  (function calls, several parts, a role other than the author's, ...). It is written back
  while the event's `content` text is still what it renders to.
- `adk_raw` (session, event, actions): how known fields were spelled where the defaults would
  not reproduce them: `{"set": {key: value}, "unset": [key], "keep": [key]}` (e.g. the exact
  float `lastUpdateTime`, an explicit `"escalate": false`, snake_case keys, missing fields). It
  is applied only while the model still holds the same values; `keep` names the session extras
  that came from the ADK file (ADK's `Session` forbids unknown fields, so session-tui's own
  session extras, such as `initial_state`, are not written).

A session that did not come from ADK gets ADK's shape: `content` from the text (`role` "user" for
the user, else "model"; function calls and responses from the `function_calls` /
`function_responses` extras that the demo and other tools use), camelCase actions, float
timestamps. `temp:` keys are written as they are: ADK itself leaves them out when it loads the
file (`create_session` keeps no `temp:` key of the state, `append_event` trims them from each
delta), so nothing of the session is lost on the way. The output passes google-adk's
`Session.model_validate_json`.

Standard library and orjson only: google-adk is not needed to read or write its files.
"""

from __future__ import annotations

from typing import Callable

import orjson

from ..eventinfo import ADK_CONTENT
from .. import jsonio
from ..jsonio import deep_copy
from ..model import (
    JSON,
    Event,
    EventActions,
    Session,
    SessionFormatError,
    check_timestamp,
    check_values,
    got,
    json_equal,
    session_values,
    to_unix,
    writable,
)
# ADK's spellings of its known keys and the bookkeeping (ADK_RAW, BOOKKEEPING and the *_KEYS
# are imported from here too).
from .adk_fields import (
    ACTION_KEYS, ADK_RAW, A_DELTA, A_ESCALATE, A_SKIP, A_TRANSFER, BOOKKEEPING, E_AUTHOR, E_ID,
    E_INV, E_TIME, EVENT_KEYS, MISSING, S_APP, S_EVENTS, S_ID, S_STATE, S_TIME, S_USER,
    SESSION_KEYS, diff, err, is_number, join, patched, pick, required_str, time_of, with_raw,
)
# (render_call and render_response re-exported: they are how ADK's calls read as text.)
from .adk_text import render_call, render_content, render_part, render_response  # noqa: F401

# ---------------------------------------------------------------------- building content

_CALL_FIELDS = {"id", "name", "args"}
_RESPONSE_FIELDS = {"id", "name", "response"}


def _function_items(value: JSON, fields: set[str], payload: str) -> list[dict] | None:
    """`function_calls` / `function_responses` extras that ADK's FunctionCall / FunctionResponse
    accept as they are, else None."""
    if not isinstance(value, list) or not value:
        return None
    for item in value:
        if not (isinstance(item, dict) and set(item) <= fields and isinstance(item.get("name"), str)
                and isinstance(item.get(payload, {}), dict)
                and isinstance(item.get("id", ""), (str, type(None)))):
            return None
    return value


def default_content(event: Event) -> JSON:
    """The ADK content that the event's text (and function call extras) make, or MISSING."""
    text = event.content
    if text is None:
        return MISSING
    calls = _function_items(event.extra.get("function_calls"), _CALL_FIELDS, "args") or []
    responses = _function_items(event.extra.get("function_responses"), _RESPONSE_FIELDS, "response") or []
    fparts = ([{"functionCall": deep_copy(c)} for c in calls]
              + [{"functionResponse": deep_copy(r)} for r in responses])
    rendered = "\n".join(render_part(p) or "" for p in fparts)
    if fparts and text == rendered:
        parts = fparts
    elif fparts and text.endswith("\n" + rendered):
        parts = [{"text": text[: -len(rendered) - 1]}] + fparts
    else:
        parts = [{"text": text}]
    only_responses = all("functionResponse" in p for p in parts)
    role = "user" if event.author == "user" or only_responses else "model"
    return {"parts": parts, "role": role}


# --------------------------------------------------------------------------------- reading

def _actions_from_adk(value: dict, where: str, owned: bool = False) -> EventActions:
    """The model's actions from an ADK actions object (no bookkeeping). `owned`: the value is
    this reader's own (just parsed), so it is used without copying."""
    dup = _same if owned else deep_copy
    _, delta = pick(value, A_DELTA)
    if delta is MISSING or delta is None:
        delta = {}
    if not isinstance(delta, dict):
        raise err(join(where, "stateDelta"), f"expected an object, got {got(delta)}")
    _, transfer = pick(value, A_TRANSFER)
    if transfer is MISSING:
        transfer = None
    if transfer is not None and not isinstance(transfer, str):
        raise err(join(where, "transferToAgent"), f"expected a string or null, got {got(transfer)}")
    flags = []
    for spellings in (A_ESCALATE, A_SKIP):
        key, flag = pick(value, spellings)
        if flag is MISSING or flag is None:
            flag = False
        if not isinstance(flag, bool):
            raise err(join(where, key or spellings[0]), f"expected a boolean, got {got(flag)}")
        flags.append(flag)
    extra = {k: dup(v) for k, v in value.items() if k not in ACTION_KEYS}
    return EventActions(dup(delta), transfer, flags[0], flags[1], extra)


def _bare_event(value: JSON, where: str, owned: bool = False) -> Event:
    """The model's event from an ADK event object, without bookkeeping."""
    dup = _same if owned else deep_copy
    if not isinstance(value, dict):
        raise err(where, f"expected an event object, got {got(value)}")
    event_id = required_str(value, E_ID, where)
    invocation_id = required_str(value, E_INV, where)
    author = required_str(value, E_AUTHOR, where)
    if "timestamp" not in value:
        raise err(join(where, "timestamp"), "missing")
    ts = value["timestamp"]
    if not is_number(ts):
        raise err(join(where, "timestamp"), f"expected a number, got {got(ts)}")
    check_timestamp(ts, join(where, "timestamp"))
    content = value.get("content")
    if content is not None and not isinstance(content, dict):
        raise err(join(where, "content"), f"expected an object or null, got {got(content)}")
    raw_actions = value.get("actions")
    if raw_actions is None:
        actions = EventActions()
    elif isinstance(raw_actions, dict):
        actions = _actions_from_adk(raw_actions, join(where, "actions"), owned)
    else:
        raise err(join(where, "actions"), f"expected an object, got {got(raw_actions)}")
    extra = {k: dup(v) for k, v in value.items() if k not in EVENT_KEYS}
    return Event(event_id, invocation_id, author, render_content(content), actions, ts, extra)


def event_from_adk(value: JSON, where: str = "event", owned: bool = False) -> Event:
    """One ADK event (camelCase, as ADK's JSON has it) as a model event, keeping what the model
    does not know so that `event_to_adk` gives back the same JSON. `owned`: `value` was just
    parsed by the caller and may be taken over without copying."""
    event = _bare_event(value, where, owned)
    # The original content, where the text would not rebuild it.
    if "content" in value:
        rebuilt = default_content(event)
        if rebuilt is MISSING or not json_equal(rebuilt, value["content"]):
            event.extra[ADK_CONTENT] = value["content"] if owned else deep_copy(value["content"])
    raw_actions = value.get("actions")
    if isinstance(raw_actions, dict):
        with_raw(event.actions.extra, diff(raw_actions, _actions_head(event.actions), ACTION_KEYS))
    produced = {"invocationId": event.invocation_id, "author": event.author, "actions": {},
                "id": event.id, "timestamp": event.timestamp}
    given = dict(value)
    if isinstance(raw_actions, dict):
        given["actions"] = {}  # compared inside the actions, above
    with_raw(event.extra, diff(given, produced, E_ID + E_INV + E_AUTHOR + E_TIME + ("actions",)))
    return event


def session_from_adk(value: JSON, created_at: str | None = None, owned: bool = False) -> Session:
    """One ADK session object as a model session. `created_at` (ADK JSON has none): the first
    event's timestamp, else `lastUpdateTime`, unless given. `owned`: `value` was just parsed by
    the caller and may be taken over without copying."""
    dup = _same if owned else deep_copy
    if not isinstance(value, dict):
        raise err("", f"expected an ADK session object, got {got(value)}")
    session_id = required_str(value, S_ID, "")
    app_name = required_str(value, S_APP, "")
    user_id = required_str(value, S_USER, "")
    _, state = pick(value, S_STATE)
    if state is MISSING:
        state = {}
    if not isinstance(state, dict):
        raise err("state", f"expected an object, got {got(state)}")
    _, raw_events = pick(value, S_EVENTS)
    if raw_events is MISSING or raw_events is None:
        raw_events = []
    if not isinstance(raw_events, list):
        raise err("events", f"expected an array, got {got(raw_events)}")
    events = [event_from_adk(e, f"events[{i}]", owned) for i, e in enumerate(raw_events)]
    time_key, last = pick(value, S_TIME)
    if last is not MISSING and not is_number(last):
        raise err(time_key, f"expected a number, got {got(last)}")
    if last is MISSING:
        last = events[-1].timestamp if events else 0.0
    updated_at = time_of(last, time_key or "lastUpdateTime")
    if created_at is None:
        created_at = time_of(events[0].timestamp, "events[0].timestamp") if events else updated_at
    extra = {k: dup(v) for k, v in value.items() if k not in SESSION_KEYS}
    session = Session(session_id, app_name, user_id, dup(state), created_at, updated_at,
                      events, extra)
    raw = diff(value, _session_head(session, copy_state=False),
                S_ID + S_APP + S_USER + S_STATE + S_TIME) or {}
    if extra:
        raw["keep"] = list(extra)
    with_raw(session.extra, raw)
    if not writable(value):  # deeper than orjson writes, a huge integer, not JSON: look closer
        check_values(session_values(session))
    return session


def read_adk_json(data: bytes, source: str = "<input>") -> list[Session]:
    """Every session in an ADK session JSON file (one object or an array of them), all or
    nothing: an error names the source and the place (`x.json: events[2].invocationId:
    missing`)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    data = jsonio.strip_bom(bytes(data))
    try:
        value = jsonio.parse(data)
    except jsonio.JSONLimitError as exc:
        raise err(source, str(exc)) from None
    except orjson.JSONDecodeError as exc:
        raise err(source, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    items = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items):
        prefix = f"[{i}]" if isinstance(value, list) else ""
        try:
            out.append(session_from_adk(item, owned=True))
        except SessionFormatError as exc:
            raise (exc.within(prefix) if prefix else exc).in_source(source) from None
    return out


# --------------------------------------------------------------------------------- writing

def _same(value: JSON) -> JSON:
    return value


def _actions_head(actions: EventActions, dup: Callable[[JSON], JSON] = _same) -> dict:
    """ADK's known actions fields for the model's (not copied unless `dup` copies)."""
    out: dict[str, JSON] = {"stateDelta": dup(actions.state_delta)}
    if actions.transfer_to_agent is not None:
        out["transferToAgent"] = actions.transfer_to_agent
    if actions.escalate:
        out["escalate"] = True
    if actions.skip_summarization:
        out["skipSummarization"] = True
    return out


def _actions_out(actions: EventActions) -> dict:
    """ADK's actions for the model's (before any bookkeeping is applied)."""
    out = _actions_head(actions, deep_copy)
    for key, value in actions.extra.items():
        if key not in BOOKKEEPING and key not in out:
            out[key] = deep_copy(value)
    return out


def _same_actions(a: EventActions, b: EventActions) -> bool:
    return (json_equal(a.state_delta, b.state_delta) and a.transfer_to_agent == b.transfer_to_agent
            and a.escalate == b.escalate and a.skip_summarization == b.skip_summarization)


def actions_to_adk(actions: EventActions) -> dict:
    out = _actions_out(actions)
    return patched(out, actions.extra.get(ADK_RAW),
                    lambda p: _same_actions(_actions_from_adk(p, "actions"), actions))


def _content_out(event: Event) -> JSON:
    if ADK_CONTENT in event.extra:
        original = event.extra[ADK_CONTENT]
        if (original is None or isinstance(original, dict)) and render_content(original) == event.content:
            return deep_copy(original)
    return default_content(event)


def _event_out(event: Event) -> dict:
    """ADK's event for the model's, with its content and actions but no event-level patch."""
    out: dict[str, JSON] = {}
    content = _content_out(event)
    if content is not MISSING:
        out["content"] = content
    out["invocationId"] = event.invocation_id
    out["author"] = event.author
    out["actions"] = actions_to_adk(event.actions)
    for key, value in event.extra.items():
        if key not in BOOKKEEPING and key not in EVENT_KEYS and key not in out:
            out[key] = deep_copy(value)
    out["id"] = event.id
    out["timestamp"] = event.timestamp
    return out


def _same_event(a: Event, b: Event) -> bool:
    return (a.id == b.id and a.invocation_id == b.invocation_id and a.author == b.author
            and json_equal(a.timestamp, b.timestamp) and a.content == b.content
            and _same_actions(a.actions, b.actions))


def event_to_adk(event: Event) -> dict:
    """One model event as ADK's camelCase event JSON."""
    return patched(_event_out(event), event.extra.get(ADK_RAW),
                    lambda p: _same_event(_bare_event(p, "event"), event))


def _session_head(session: Session, copy_state: bool = True) -> dict:
    return {
        "id": session.id,
        "appName": session.app_name,
        "userId": session.user_id,
        "state": deep_copy(session.state) if copy_state else session.state,
        "lastUpdateTime": to_unix(session.updated_at),
    }


def _same_head(patched: dict, session: Session) -> bool:
    _, state = pick(patched, S_STATE)
    _, last = pick(patched, S_TIME)
    if last is MISSING:
        # Read back, a missing lastUpdateTime is the last event's timestamp.
        last = session.events[-1].timestamp if session.events else 0.0
    return (pick(patched, S_ID)[1] == session.id and pick(patched, S_APP)[1] == session.app_name
            and pick(patched, S_USER)[1] == session.user_id
            and json_equal({} if state is MISSING else state, session.state)
            and is_number(last) and time_of(last, "lastUpdateTime") == session.updated_at)


def to_adk_json(session: Session) -> dict:
    """The session as ADK (Python) session JSON: what `Session.model_validate_json` reads and
    `adk run --resume` loads. An ADK session read by this module comes back as it was."""
    raw = session.extra.get(ADK_RAW)
    head = patched(_session_head(session), raw, lambda p: _same_head(p, session))
    out: dict[str, JSON] = {}
    for key in ("id", "appName", "app_name", "userId", "user_id", "state"):
        if key in head:
            out[key] = head.pop(key)
    out["events"] = [event_to_adk(e) for e in session.events]
    out.update(head)  # lastUpdateTime, in whatever spelling
    keep = raw.get("keep") if isinstance(raw, dict) else None
    if isinstance(keep, list):
        for key in keep:
            if isinstance(key, str) and key in session.extra and key not in BOOKKEEPING and key not in out:
                out[key] = deep_copy(session.extra[key])
    return out


def dumps_adk(session: Session) -> bytes:
    """`to_adk_json` as indented JSON with a trailing newline (as `adk run --save_session`)."""
    return jsonio.dumps(to_adk_json(session), jsonio.INDENT) + b"\n"
