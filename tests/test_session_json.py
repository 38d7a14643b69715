"""Reading and writing the export shape as bytes: one object, an array, JSON Lines."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from session_tui.formats.session_json import (
    dumps_session,
    dumps_sessions_jsonl,
    looks_like_session_json,
    read_sessions,
)
from session_tui.model import Session, SessionFormatError
from budget import examples
from strategies import session_exports


def _value(i: int = 0, **changes) -> dict:
    value = {
        "id": f"s{i}", "app_name": "travel_concierge", "user_id": "aiko", "state": {"city": "東京 🗼"},
        "created_at": "1712345678Z", "updated_at": "2024-04-05T19:40:00Z",
        "events": [{"id": f"e{i}-{j}", "invocation_id": "e-1", "author": "user", "content": "hi",
                    "timestamp": 1712345679.5 + j} for j in range(2)],
        "branch": "root",
    }
    value.update(changes)
    return value


def _jsonl(values: list) -> bytes:
    return b"".join(orjson.dumps(v) + b"\n" for v in values)


def _error(data: bytes, source: str = "f.json") -> str:
    with pytest.raises(SessionFormatError) as info:
        read_sessions(data, source)
    message = str(info.value)
    assert "\n" not in message
    return message


# ---------------------------------------------------------------------------------- reading


def test_one_object():
    (s,) = read_sessions(orjson.dumps(_value()), "one.json")
    assert s.id == "s0" and s.created_at == "2024-04-05T19:34:38Z" and s.extra == {"branch": "root"}
    assert len(s.events) == 2 and s.state == {"city": "東京 🗼"}


def test_array_and_indented():
    data = orjson.dumps([_value(0), _value(1), _value(2)], option=orjson.OPT_INDENT_2)
    assert [s.id for s in read_sessions(data)] == ["s0", "s1", "s2"]
    assert read_sessions(b"[]") == []


def test_json_lines_with_blank_lines_crlf_and_bom():
    data = b"\xef\xbb\xbf" + orjson.dumps(_value(0)) + b"\r\n\r\n  \n" + orjson.dumps(_value(1)) + b"\r\n"
    assert [s.id for s in read_sessions(data)] == ["s0", "s1"]
    assert [s.id for s in read_sessions(_jsonl([_value(i) for i in range(5)]))] == [f"s{i}" for i in range(5)]


def test_blank_input_holds_no_sessions():
    assert read_sessions(b"") == [] and read_sessions(b" \n\n\t") == []


def test_str_input_is_accepted():
    assert read_sessions(orjson.dumps(_value()).decode())[0].id == "s0"


def test_jsonl_error_names_the_line_and_place():
    values = [_value(0), _value(1), _value(2)]
    values[2]["events"][0]["timestamp"] = "abc"
    data = orjson.dumps(values[0]) + b"\n\n" + orjson.dumps(values[1]) + b"\n" + orjson.dumps(values[2]) + b"\n"
    assert _error(data, "sessions.jsonl") == \
        'sessions.jsonl: line 4: events[0].timestamp: expected a number, got "abc"'


def test_jsonl_bad_json_line():
    data = orjson.dumps(_value(0)) + b"\n" + b'{"id": "s1", oops}\n'
    message = _error(data, "x.jsonl")
    # orjson's wording varies between versions; the place does not
    assert message.startswith("x.jsonl: line 2: not valid JSON: unexpected character")
    assert message.endswith(" at column 14")


def test_jsonl_truncated_last_line():
    data = orjson.dumps(_value(0)) + b"\n" + orjson.dumps(_value(1))[:20]
    assert _error(data, "x.jsonl") == "x.jsonl: line 2: not valid JSON: unexpected end of data at column 21"


def test_jsonl_line_that_is_not_an_object():
    data = orjson.dumps(_value(0)) + b"\n[1, 2]\n"
    assert _error(data, "x.jsonl") == "x.jsonl: line 2: expected a session object, got an array [1, 2]"


def test_array_error_names_the_item():
    values = [_value(0), _value(1), _value(2)]
    del values[2]["app_name"]
    assert _error(orjson.dumps(values), "dump.json") == "dump.json: [2].app_name: missing"
    values = [_value(0), "nope"]
    assert _error(orjson.dumps(values), "dump.json") == 'dump.json: [1]: expected a session object, got "nope"'


def test_single_object_error():
    assert _error(orjson.dumps(_value(id=5)), "one.json") == "one.json: id: expected a string, got a number 5"
    assert _error(orjson.dumps(_value(events=[{"id": "e"}])), "one.json") == \
        "one.json: events[0].invocation_id: missing"


@pytest.mark.parametrize("data, where", [
    (b'{"id": x}', "at line 1 column 8"),
    (b'[{"id": "a"},', "at line 1 column 14"),
    (b'{\n  "id": "a",\n  "app_name": \n}', "at line 4 column 1"),
    (b"\x00\x01binary", "at line 1 column 1"),
])
def test_not_json(data, where):
    message = _error(data, "x.json")
    assert message.startswith("x.json: not valid JSON: ") and message.endswith(where)


@pytest.mark.parametrize("data, message", [
    (b'"just a string"', 'x.json: expected a session object, an array of them or JSON Lines, got "just a string"'),
    (b"42", "x.json: expected a session object, an array of them or JSON Lines, got a number 42"),
    (b"null", "x.json: expected a session object, an array of them or JSON Lines, got null"),
])
def test_not_sessions(data, message):
    assert _error(data, "x.json") == message


def test_invalid_utf8():
    message = _error(orjson.dumps(_value())[:-2] + b'"\xff"}', "x.json")
    assert message.startswith("x.json: not valid JSON: ")


@pytest.mark.parametrize("shape", ["array", "jsonl"])
def test_all_or_nothing(shape):
    values = [_value(i) for i in range(50)]
    values[37]["state"] = []
    data = orjson.dumps(values) if shape == "array" else _jsonl(values)
    with pytest.raises(SessionFormatError) as info:
        read_sessions(data, "big")
    where = "[37]" if shape == "array" else "line 38: "
    assert str(info.value) == f"big: {where}{'.' if shape == 'array' else ''}state: expected an object, got an array []"


def test_default_source_name():
    with pytest.raises(SessionFormatError, match="^<input>: not valid JSON: "):
        read_sessions(b"{")


# ---------------------------------------------------------------------------------- writing


def test_dumps_session_is_indented_with_trailing_newline():
    s = Session.from_json(_value())
    data = dumps_session(s)
    assert data.endswith(b"}\n") and data.startswith(b'{\n  "id": "s0",\n  "app_name"')
    assert orjson.loads(data) == s.export()
    assert read_sessions(data) == [s]
    assert "東京 🗼".encode() in data  # UTF-8, not \u escapes


def test_dumps_sessions_jsonl():
    sessions = [Session.from_json(_value(i)) for i in range(3)]
    data = dumps_sessions_jsonl(sessions)
    lines = data.split(b"\n")
    assert len(lines) == 4 and lines[-1] == b""
    assert [orjson.loads(line) for line in lines[:3]] == [s.export() for s in sessions]
    assert read_sessions(data) == sessions
    assert dumps_sessions_jsonl([]) == b"" and read_sessions(b"") == []
    assert read_sessions(dumps_sessions_jsonl(sessions[:1])) == sessions[:1]
    assert dumps_sessions_jsonl(iter(sessions)) == data


def test_content_with_newlines_and_escapes_stays_on_one_line():
    value = _value()
    value["events"][0]["content"] = "line one\nline two\r\n\x1b]0;pwned\x07 [bold]x[/]"
    sessions = read_sessions(orjson.dumps(value))
    data = dumps_sessions_jsonl(sessions * 2)
    assert data.count(b"\n") == 2
    assert read_sessions(data)[1].events[0].content == value["events"][0]["content"]


@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(session_exports(max_events=2), max_size=3))
def test_write_then_read_is_identity(values):
    sessions = [Session.from_json(v) for v in values]
    assert read_sessions(dumps_sessions_jsonl(sessions)) == sessions
    assert read_sessions(orjson.dumps(values)) == sessions
    for s in sessions:
        assert read_sessions(dumps_session(s)) == [s]
        assert dumps_session(read_sessions(dumps_session(s))[0]) == dumps_session(s)


# ---------------------------------------------------------------------------------- sniffing


def test_looks_like_session_json():
    s = Session.from_json(_value())
    assert looks_like_session_json(dumps_session(s))
    assert looks_like_session_json(dumps_sessions_jsonl([s, s]))
    assert looks_like_session_json(orjson.dumps([s.export()]))
    assert looks_like_session_json(b"\xef\xbb\xbf  \n" + dumps_session(s))
    # a session whose state comes first, with numeric-looking keys, is still a session
    assert looks_like_session_json(orjson.dumps({"state": {"1": 2}, **s.export()}))


@pytest.mark.parametrize("data", [
    b"",
    b"SQLite format 3\x00" + b"\x00" * 100,
    b"hello world",
    b'{"_default": {}}',
    orjson.dumps({"_default": {"1": _value()}}),  # a TinyDB file: the store opens it, not import
    orjson.dumps({"id": "s", "appName": "a", "userId": "u", "state": {}, "events": [], "lastUpdateTime": 1.5}),
    orjson.dumps({"name": "config", "values": [1, 2]}),
])
def test_does_not_look_like_session_json(data):
    assert not looks_like_session_json(data)
