"""The string-vs-JSON rule without any UI (session_tui/dialogs/values.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from budget import examples

from session_tui.dialogs.values import Refused, describe, edit_text, parse_edit_text
from session_tui.model import json_type as type_name


@pytest.mark.parametrize("text, value", [
    ("hello", "hello"), ("42", 42), ('"42"', "42"), ("-1.5", -1.5), ("true", True),
    ("null", None), ("", ""), ("  hello ", "  hello "), ('{"a": [1, null]}', {"a": [1, None]}),
    ("NaN", "NaN"), ("Infinity", "Infinity"), ("'single'", "'single'"), ("1 2", "1 2"),
])
def test_parse(text, value):
    assert parse_edit_text(text) == value
    assert type(parse_edit_text(text)) is type(value)


@pytest.mark.parametrize("text, reason", [
    ('{"a": 1', "invalid JSON: unexpected end of input at line 1 column 8"),
    ("[1,", "invalid JSON: unexpected end of input at line 1 column 4"),
    ('{"a": 1} x', "invalid JSON: extra data at line 1 column 10"),
    ("{'a': 1}", "invalid JSON: expecting property name enclosed in double quotes at line 1 column 2"),
    ("[NaN]", "invalid JSON: NaN is not a JSON number"),
    ("1e400", "number out of range: 1e400"),
    ("18446744073709551616", "number out of range"),
    ('"\\ud800"', "unpaired surrogate \\ud800 cannot be saved"),
])
def test_refused(text, reason):
    with pytest.raises(Refused) as refused:
        parse_edit_text(text)
    assert str(refused.value).startswith(reason)


def test_type_names():
    assert [type_name(v) for v in ("", 1, 1.5, True, None, [], {})] == [
        "string", "number", "number", "bool", "null", "array", "object"]
    assert describe("abc") == "string (3 characters)" and describe({"a": 1}) == "object (1 key)"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=examples(60), deadline=None)
@given(json_values)
def test_unchanged_text_saves_the_same_value(value):
    text, _multiline = edit_text(value)
    assert parse_edit_text(text) == value


@settings(max_examples=examples(60), deadline=None)
@given(st.text())
def test_edit_text_is_safe_for_a_terminal(value):
    from session_tui.text import safe

    text, multiline = edit_text(value)
    assert safe(text, multiline=multiline) == text
