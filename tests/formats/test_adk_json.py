"""ADK session JSON without google-adk: reading, exact round trips, writing non-ADK sessions,
one-line errors."""

from __future__ import annotations

import copy
import json

import orjson
import pytest

from session_tui.formats import adk_json, reading
from session_tui.model import Event, EventActions, Session, SessionFormatError, format_time, from_unix


def load(adk_fixtures):
    return orjson.loads((adk_fixtures / "session.json").read_bytes())


def read_one(value, source="x.json"):
    sessions = adk_json.read_adk_json(orjson.dumps(value), source)
    assert len(sessions) == 1
    return sessions[0]


def via_store_shape(session: Session) -> Session:
    """What the store keeps: the export shape through orjson and back."""
    return Session.from_json(orjson.loads(orjson.dumps(session.export())))


# ------------------------------------------------------------------------------ reading

def test_fixture_is_read_as_adk_saves_it(adk_fixtures):
    raw = load(adk_fixtures)
    [s] = reading.read_path(adk_fixtures / "session.json")
    assert (s.id, s.app_name, s.user_id) == ("weather-alice-1", "weather_app", "alice")
    assert s.state == raw["state"]
    assert s.state["last_city"] is None  # ADK 2.x stores a null delta as a null value
    assert [e.id for e in s.events] == [e["id"] for e in raw["events"]]
    assert [e.timestamp for e in s.events] == [e["timestamp"] for e in raw["events"]]
    # No creation time in ADK JSON: the first event's timestamp (SPEC 7).
    assert s.created_at == format_time(from_unix(raw["events"][0]["timestamp"])) == "2026-03-01T09:00:03.250000Z"
    assert s.updated_at == format_time(from_unix(raw["lastUpdateTime"])) == "2026-03-01T09:01:46.157407Z"
    contents = [e.content for e in s.events]
    assert contents[0] == "What's the weather in Paris? ☀️"
    assert contents[1] == 'get_weather(city="Paris", days=2)'
    assert contents[2] == 'get_weather -> {"temp_c": 18.5, "sky": "clear", "alerts": null}'
    assert contents[3] == "It is 18.5 °C and clear in Paris.\nTomorrow: the same."
    assert contents[5] == 'transfer_to_agent(agent_name="travel_agent")'
    e6, e7 = s.events[6], s.events[7]
    assert e6.actions.transfer_to_agent == "travel_agent" and e6.actions.skip_summarization
    assert e6.actions.state_delta == {"last_city": None}
    assert e7.actions.escalate and e7.extra["branch"] == "weather_agent.travel_agent"
    # What the model does not know stays, under ADK's own names.
    assert s.events[1].extra["usageMetadata"]["promptTokenCount"] == 812
    assert s.events[1].extra["adk_content"] == raw["events"][1]["content"]
    assert s.events[0].actions.extra["artifactDelta"] == {}
    assert "adk_content" not in s.events[0].extra  # plain text: rebuilt from the text alone
    assert all("temp:" not in k for k in s.state)


def test_fixture_round_trip_is_exact(adk_fixtures):
    raw = load(adk_fixtures)
    [s] = adk_json.read_adk_json((adk_fixtures / "session.json").read_bytes(), "session.json")
    assert adk_json.to_adk_json(s) == raw
    # ... also after the session went through the store's JSON (extras are plain fields).
    assert adk_json.to_adk_json(via_store_shape(s)) == raw
    assert orjson.loads(adk_json.dumps_adk(s)) == raw


def _variants(raw):
    """Hand-made ADK JSON that ADK's model also reads, each one a different corner."""
    out = {}

    v = copy.deepcopy(raw)  # model_dump_json(by_alias=True) without exclude_none: nulls kept
    for e in v["events"]:
        e.setdefault("branch", None)
        e["actions"].setdefault("transferToAgent", None)
        e["actions"].setdefault("escalate", None)
        e["actions"]["compaction"] = None
    v["events"][0]["content"] = None
    out["nulls"] = v

    v = copy.deepcopy(raw)  # field names instead of aliases (pydantic populate_by_name)
    v["app_name"] = v.pop("appName")
    v["last_update_time"] = v.pop("lastUpdateTime")
    e = v["events"][1]
    e["invocation_id"] = e.pop("invocationId")
    e["actions"]["state_delta"] = e["actions"].pop("stateDelta")
    out["snake_case"] = v

    v = copy.deepcopy(raw)
    v["events"][0]["actions"]["escalate"] = False
    v["events"][0]["actions"]["skipSummarization"] = False
    del v["events"][2]["actions"]
    v["events"][3]["actions"] = None
    del v["events"][4]["content"]
    out["explicit_defaults_and_missing_actions"] = v

    v = copy.deepcopy(raw)
    v["state"]["temp:scratch"] = {"kept": True}
    v["events"][2]["actions"]["stateDelta"]["temp:raw"] = 1
    v["lastUpdateTime"] = 1772355706.123456789
    v["events"][0]["timestamp"] = 1772355603  # an int stays an int
    out["temp_keys_int_and_precise_times"] = v

    v = copy.deepcopy(raw)
    del v["lastUpdateTime"]
    del v["state"]
    v["futureField"] = {"x": 1}  # ADK's Session forbids it; still given back
    out["missing_time_and_state_unknown_key"] = v

    v = copy.deepcopy(raw)
    v["events"][3]["content"] = {"role": "model", "parts": [
        {"text": "thinking...", "thought": True},
        {"text": "Answer."},
        {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
        {"executableCode": {"code": "print(1)", "language": "PYTHON"}},
        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1\n"}},
        {"fileData": {"fileUri": "gs://b/x.pdf", "mimeType": "application/pdf"}},
        {"videoMetadata": {"fps": 1}},
    ]}
    v["events"][0]["content"] = {"role": "user", "parts": []}
    v["events"][4]["content"] = {"parts": [{"text": "no role"}]}
    out["many_parts"] = v

    out["empty"] = {"id": "s", "appName": "a", "userId": "u", "state": {}, "events": [],
                    "lastUpdateTime": 0.0}
    return out


@pytest.mark.parametrize("name", ["nulls", "snake_case", "explicit_defaults_and_missing_actions",
                                  "temp_keys_int_and_precise_times", "missing_time_and_state_unknown_key",
                                  "many_parts", "empty"])
def test_round_trip_exact_for_variants(adk_fixtures, name):
    value = _variants(load(adk_fixtures))[name]
    s = read_one(value)
    assert adk_json.to_adk_json(s) == value
    assert adk_json.to_adk_json(via_store_shape(s)) == value


def test_list_of_sessions_and_rendering_of_parts(adk_fixtures):
    variants = _variants(load(adk_fixtures))
    value = [variants["many_parts"], variants["empty"]]
    first, empty = adk_json.read_adk_json(json.dumps(value).encode(), "two.json")
    assert first.events[3].content == ("thinking...\nAnswer.\n[inline data: image/png]\nprint(1)\n1\n"
                                       "\n[file: gs://b/x.pdf]\n[videoMetadata]")
    assert first.events[0].content == ""
    assert empty.events == [] and empty.created_at == empty.updated_at == "1970-01-01T00:00:00Z"
    assert [adk_json.to_adk_json(s) for s in (first, empty)] == value


def test_missing_last_update_time_uses_last_event(adk_fixtures):
    s = read_one(_variants(load(adk_fixtures))["missing_time_and_state_unknown_key"])
    assert s.updated_at == format_time(from_unix(s.events[-1].timestamp))
    assert s.state == {} and s.extra["futureField"] == {"x": 1}


def test_all_snake_case_adk_json_is_recognised(adk_fixtures):
    v = load(adk_fixtures)
    for camel, snake in (("appName", "app_name"), ("userId", "user_id"), ("lastUpdateTime", "last_update_time")):
        v[snake] = v.pop(camel)
    data = orjson.dumps(v)
    assert reading.detect(data) == "adk-json"
    [s] = reading.read_bytes(data, "snake.json")
    assert (s.app_name, s.user_id, s.updated_at) == ("weather_app", "alice", "2026-03-01T09:01:46.157407Z")
    assert adk_json.to_adk_json(s) == v


def test_reading_dispatches_adk_json(adk_fixtures):
    data = (adk_fixtures / "session.json").read_bytes()
    assert reading.detect(data) == "adk-json"
    [s] = reading.read_bytes(data, "session.json")
    assert s.id == "weather-alice-1"
    # A UTF-8 BOM is tolerated.
    [s2] = adk_json.read_adk_json(b"\xef\xbb\xbf" + data, "bom.json")
    assert s2 == s


# ----------------------------------------------------------------- after session-tui changes

def test_edited_session_writes_the_model_not_stale_bookkeeping(adk_fixtures):
    raw = load(adk_fixtures)
    s = read_one(raw)
    # An edit as the store records one, and a new updated_at.
    s.events.append(Event("edit-ev", "edit-1", "session-tui", None,
                          EventActions(state_delta={"units": "imperial"}), 1772360000.0))
    s.state["units"] = "imperial"
    s.updated_at = "2026-03-01T10:13:20Z"
    # The text of a function-call event changed by hand: its original content no longer fits.
    s.events[1].content = "edited by hand"
    out = adk_json.to_adk_json(s)
    assert out["lastUpdateTime"] == 1772360000.0  # not the stale exact float
    assert out["state"]["units"] == "imperial"
    assert out["events"][-1] == {"invocationId": "edit-1", "author": "session-tui",
                                 "actions": {"stateDelta": {"units": "imperial"}},
                                 "id": "edit-ev", "timestamp": 1772360000.0}
    assert out["events"][1]["content"] == {"parts": [{"text": "edited by hand"}], "role": "model"}
    assert out["events"][1]["usageMetadata"] == raw["events"][1]["usageMetadata"]
    assert out["events"][2] == raw["events"][2]  # untouched events stay exact


def test_bookkeeping_is_dropped_when_values_change(adk_fixtures):
    v = _variants(load(adk_fixtures))["explicit_defaults_and_missing_actions"]
    s = read_one(v)
    s.events[0].actions.escalate = True  # the explicit false no longer holds
    s.events[2].actions.state_delta = {"x": 1}  # the event had no actions at all
    out = adk_json.to_adk_json(s)
    assert out["events"][0]["actions"]["escalate"] is True
    assert "skipSummarization" not in out["events"][0]["actions"]
    assert out["events"][2]["actions"] == {"stateDelta": {"x": 1}}


# ----------------------------------------------------------- sessions that did not come from ADK

def test_demo_like_session_to_adk_shape(demo_session):
    out = adk_json.to_adk_json(demo_session)
    assert list(out) == ["id", "appName", "userId", "state", "events", "lastUpdateTime"]
    assert out["lastUpdateTime"] == 1767228999.0 + 1.0
    assert "initial_state" not in out  # ADK's Session forbids unknown fields
    e = out["events"]
    assert e[0]["content"] == {"parts": [{"text": "Find me flights to Tokyo 🗼 next week"}], "role": "user"}
    assert e[1]["content"] == {"parts": [{"functionCall": {"id": "adk-call-1", "name": "search_flights",
                                                           "args": {"origin": "SFO", "dest": "NRT", "pax": 2}}}],
                               "role": "model"}
    assert e[2]["content"]["role"] == "user"  # function responses are the user's turn, as in ADK
    assert e[2]["content"]["parts"][0]["functionResponse"]["response"]["flights"][0]["price"] == 812.5
    assert e[3]["content"]["role"] == "model" and e[3]["timestamp"] == 1767225605
    assert e[3]["usage_metadata"]["total_token_count"] == 920
    assert e[5]["actions"] == {"stateDelta": {}, "transferToAgent": "hotel_agent", "skipSummarization": True}
    assert e[6]["actions"] == {"stateDelta": {"booking": {"status": "pending"}}, "escalate": True}
    assert "content" not in e[7] and e[7]["actions"] == {"stateDelta": {"booking": None}}


def test_session_tui_to_adk_to_session_tui_keeps_every_field(demo_session):
    back = read_one(adk_json.to_adk_json(demo_session))
    assert [e.export() for e in back.events] == [e.export() for e in demo_session.events]
    for name in ("id", "app_name", "user_id", "state", "updated_at"):
        assert getattr(back, name) == getattr(demo_session, name), name
    # ADK JSON has no creation time: the first event's (SPEC 7). ADK's Session allows no
    # extra fields, so session-level extras (initial_state) do not travel in ADK's format.
    assert back.created_at == "2026-01-01T00:00:00.250000Z"
    assert back.extra == {}
    # And once more: now it is exact.
    assert adk_json.to_adk_json(back) == adk_json.to_adk_json(demo_session)


def test_the_demo_sessions_keep_every_field_through_adk_json():
    from session_tui.demo import demo_sessions

    for s in demo_sessions():
        out = adk_json.to_adk_json(s)
        back = read_one(out)
        assert [e.export() for e in back.events] == [e.export() for e in s.events], s.id
        assert (back.id, back.app_name, back.user_id, back.state, back.updated_at) == \
            (s.id, s.app_name, s.user_id, s.state, s.updated_at)
        assert adk_json.to_adk_json(back) == out


def test_temp_keys_are_exported_as_they_are(demo_session):
    # ADK drops them itself when it loads the file (see test_adk_vs_google); nothing is lost here.
    demo_session.state["temp:scratch"] = 1
    demo_session.events[3].actions.state_delta["temp:x"] = 2
    out = adk_json.to_adk_json(demo_session)
    assert out["state"]["temp:scratch"] == 1
    assert out["events"][3]["actions"]["stateDelta"] == {"app:searches": 1, "temp:x": 2}
    back = read_one(out)
    assert back.state == demo_session.state and back.events[3].export() == demo_session.events[3].export()


def test_text_with_calls_and_unmatched_text(demo_session):
    ev = demo_session.events[1]
    ev.content = "Let me look.\n" + ev.content
    out = adk_json.event_to_adk(ev)
    assert [list(p) for p in out["content"]["parts"]] == [["text"], ["functionCall"]]
    assert adk_json.event_from_adk(out).content == ev.content
    ev.content = "something else"  # text that is not the calls: text only, exact on reading
    out = adk_json.event_to_adk(ev)
    assert out["content"]["parts"] == [{"text": "something else"}]
    assert adk_json.event_from_adk(out).export() == ev.export()


def test_render_helpers():
    assert adk_json.render_call("get_weather", {"city": "Paris"}) == 'get_weather(city="Paris")'
    assert adk_json.render_call("f", {"a": [1, {"b": None}], "c": "é"}) == 'f(a=[1, {"b": null}], c="é")'
    assert adk_json.render_response("f", {"output": "done"}) == "f -> done"
    assert adk_json.render_response("f", {"result": 1}) == 'f -> {"result": 1}'
    assert adk_json.render_content(None) is None
    assert adk_json.render_content({"parts": [{"function_call": {"name": "g", "args": {}}},
                                              {"function_response": {"name": "g", "response": {"ok": True}}}]}) \
        == 'g()\ng -> {"ok": true}'


# -------------------------------------------------------------------------------- errors

def _base():
    return {"id": "s1", "appName": "a", "userId": "u", "state": {}, "lastUpdateTime": 1.5, "events": [
        {"id": f"e{i}", "invocationId": "i", "author": "user", "timestamp": 1.0 + i,
         "actions": {"stateDelta": {}}} for i in range(3)]}


def _bad(change):
    value = _base()
    change(value)
    return value


@pytest.mark.parametrize("data, message", [
    (_bad(lambda v: v["events"][2].pop("invocationId")), "x.json: events[2].invocationId: missing"),
    ([_base(), _bad(lambda v: v.pop("appName"))], "x.json: [1].appName: missing"),
    (_bad(lambda v: v["events"][0].update(timestamp="abc")),
     'x.json: events[0].timestamp: expected a number, got "abc"'),
    (_bad(lambda v: v["events"][1].update(content="hi")),
     'x.json: events[1].content: expected an object or null, got "hi"'),
    (_bad(lambda v: v["events"][1]["actions"].update(stateDelta=[])),
     "x.json: events[1].actions.stateDelta: expected an object, got an array []"),
    (_bad(lambda v: v["events"][1]["actions"].update(escalate="yes")),
     'x.json: events[1].actions.escalate: expected a boolean, got "yes"'),
    (_bad(lambda v: v["events"][1]["actions"].update(transferToAgent=5)),
     "x.json: events[1].actions.transferToAgent: expected a string or null, got a number 5"),
    (_bad(lambda v: v["events"][1].update(actions=[])),
     "x.json: events[1].actions: expected an object, got an array []"),
    (_bad(lambda v: v.update(id=7)), "x.json: id: expected a string, got a number 7"),
    (_bad(lambda v: v.update(state=[])), "x.json: state: expected an object, got an array []"),
    (_bad(lambda v: v.update(events={})), "x.json: events: expected an array, got an object {}"),
    (_bad(lambda v: v.update(lastUpdateTime="now")), 'x.json: lastUpdateTime: expected a number, got "now"'),
    (_bad(lambda v: v["events"].__setitem__(1, "e")), 'x.json: events[1]: expected an event object, got "e"'),
    (_bad(lambda v: v["events"][0].update(timestamp=1e300)),
     "x.json: events[0].timestamp: time out of range, got 1e+300"),
    (5, "x.json: expected an ADK session object, got a number 5"),
    ([1], "x.json: [0]: expected an ADK session object, got a number 1"),
])
def test_bad_input_one_line_error(data, message):
    with pytest.raises(SessionFormatError) as info:
        adk_json.read_adk_json(json.dumps(data).encode(), "x.json")
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_not_json():
    with pytest.raises(SessionFormatError) as info:
        adk_json.read_adk_json(b'{"id": ', "x.json")
    assert str(info.value).startswith("x.json: not valid JSON: ") and "\n" not in str(info.value)
