from __future__ import annotations

from textual.widgets import Input, TextArea

from dialog_harness import NOTHING, Host, answer, keys, run, screen_text, type_text, typed
from session_tui.dialogs import EditResult, EditValueDialog


def edit(current, **kwargs):
    return lambda: EditValueDialog("/booking/seat", current, **kwargs)


# -- the string-vs-JSON rule, typed over the pre-filled (selected) value ----------------------
RULE = [
    ("hello", "hello"),
    ("42", 42),
    ('"42"', "42"),
    ("true", True),
    ('{"a": 1}', {"a": 1}),
    ("[1, 2]", [1, 2]),
    ("hello world", "hello world"),
    ("NaN", "NaN"),
]

REFUSED = [
    ('{"a": 1', "invalid JSON: unexpected end of input at line 1 column 8"),
    ("[1, 2", "invalid JSON: unexpected end of input at line 1 column 6"),
    ('"abc', "invalid JSON: unterminated string starting at line 1 column 1"),
    ("[NaN]", "invalid JSON: NaN is not a JSON number"),
]


def test_typed_text_is_saved_by_the_rule():
    async def script(pilot, app):
        for text, saved in RULE:
            result = await answer(pilot, app, edit("12A")(), typed(text), "enter")
            assert result == EditResult(saved), text
            assert type(result.value) is type(saved), text

    run(None, script)


def test_text_meant_as_json_that_does_not_parse_is_refused_in_place():
    async def script(pilot, app):
        for text, reason in REFUSED:
            result = await answer(pilot, app, edit("12A")(), typed(text), "enter")
            assert result is NOTHING, text
            assert isinstance(app.screen, EditValueDialog)
            assert reason in screen_text(app), text
            await pilot.press("escape")

    app = run(None, script)
    assert app.results == [None] * len(REFUSED)  # nothing but the cancels


def test_refused_then_fixed_saves():
    async def script(pilot, app):
        await type_text(pilot, '{"a": 1')
        await pilot.press("enter")
        assert "invalid JSON" in screen_text(app)
        await pilot.press("}")
        await pilot.pause()
        assert "invalid JSON: " not in screen_text(app)  # the error goes when the text changes
        await pilot.press("enter")

    app = run(edit("12A"), script)
    assert app.results == [EditResult({"a": 1})]


def test_saving_null_is_not_cancelling():
    assert run(edit("12A"), keys(typed("null"), "enter")).results == [EditResult(None)]
    assert run(edit("12A"), keys(typed("null"), "escape")).results == [None]


def test_hint_says_what_will_be_saved_as_you_type():
    async def script(pilot, app):
        assert "will save: string" in screen_text(app)
        await pilot.press("4", "2")
        await pilot.pause()
        assert "will save: number" in screen_text(app)
        await pilot.press("x")
        await pilot.pause()
        assert "will save: string" in screen_text(app)
        await pilot.press("ctrl+u", "[")
        await pilot.pause()
        assert "will not save: invalid JSON" in screen_text(app)
        await pilot.press("]")
        await pilot.pause()
        assert "will save: array" in screen_text(app)

    run(edit("12A"), script)


UNCHANGED = ["12A", "42", "", "true", '{"a": 1}', " [x", 42, 1.5, None, False,
             {"a": [1, {"b": None}]}, [], "a\x1bb\u202ec", "two\nlines"]


def test_saving_unchanged_gives_back_the_same_value():
    async def script(pilot, app):
        for current in UNCHANGED:
            save = "ctrl+s" if isinstance(current, str) and "\n" in current else "enter"
            result = await answer(pilot, app, edit(current)(), save)
            assert result == EditResult(current), repr(current)
            assert type(result.value) is type(current)

    run(None, script)


def test_prefill_and_current_type():
    async def script(pilot, app):
        assert app.screen.query_one("#edit-value", Input).value == "12A"
        text = screen_text(app)
        assert "/booking/seat" in text and "current: string (3 characters)" in text

    run(edit("12A"), script)

    async def quoted(pilot, app):
        assert app.screen.query_one("#edit-value", Input).value == '"42"'

    run(edit("42"), quoted)


def test_control_characters_never_reach_the_screen():
    app = run(edit("a\x1b]0;pwned\x07b"), keys())
    text = app.text
    assert "\x1b" not in text and "\x07" not in text
    assert "\\u001b]0;pwned\\u0007" in text


def test_multiline_string_is_edited_in_a_text_area():
    async def script(pilot, app):
        area = app.screen.query_one("#edit-value", TextArea)
        assert area.text == "line one\nline two"
        assert "ctrl+s save" in screen_text(app)
        await pilot.press("down", "end", "enter")  # enter is a new line here
        await type_text(pilot, "three")
        await pilot.press("ctrl+s")

    app = run(edit("line one\nline two"), script)
    assert app.results == [EditResult("line one\nline two\nthree")]


def test_big_object_is_pretty_json_in_a_text_area():
    value = {"seat": "12A", "meal": "vegetarian", "passengers": [{"name": "Ann"}, {"name": "Bob"}]}

    async def script(pilot, app):
        area = app.screen.query_one("#edit-value", TextArea)
        assert area.text.startswith('{\n  "seat": "12A",')
        await pilot.press("ctrl+s")

    app = run(edit(value), script)
    assert app.results == [EditResult(value)]


def test_text_area_refuses_broken_json_too():
    value = {"seat": "12A", "meal": "vegetarian", "passengers": [{"name": "Ann"}]}

    async def script(pilot, app):
        await pilot.press("pagedown", "end", "backspace", "ctrl+s")
        await pilot.pause()

    app = run(edit(value), script)
    assert app.results == []
    assert "invalid JSON: expecting" in app.text


# -- a new key --------------------------------------------------------------------------------
def new_key(**kwargs):
    return lambda: EditValueDialog("/booking", "", is_new_key=True,
                                   existing_keys=frozenset({"seat", "meal"}), **kwargs)


def test_new_key_taken_name_is_refused_then_a_free_one_saves():
    async def script(pilot, app):
        await type_text(pilot, "seat")
        await pilot.press("enter")
        await pilot.pause()
        assert 'a key named "seat" already exists here' in screen_text(app)
        assert app.screen.focused.id == "edit-key"
        await pilot.press("ctrl+u")
        await type_text(pilot, "gate")
        await pilot.press("enter")
        await pilot.pause()
        assert "already exists" not in screen_text(app)
        assert app.screen.focused.id == "edit-value"
        await type_text(pilot, "B12")
        await pilot.press("enter")

    app = run(new_key(), script)
    assert app.results == [EditResult("B12", key="gate")]


def test_new_key_empty_name_is_refused():
    app = run(new_key(), keys("enter"))
    assert app.results == []
    assert "the key name is empty" in app.text
    # saving from the value field checks the name too
    app = run(new_key(), keys("tab", typed("1"), "enter"))
    assert app.results == []
    assert "the key name is empty" in app.text
    assert app.focused_id == "edit-key"


def test_new_key_name_prefilled_and_null_value():
    app = run(new_key(key="note"), keys("enter", typed("null"), "enter"))
    assert app.results == [EditResult(None, key="note")]


def test_new_key_escape_cancels():
    assert run(new_key(), keys(typed("x"), "escape")).results == [None]


def test_inputs_do_not_blink_when_the_app_says_so():
    async def script(pilot, app):
        assert [w.cursor_blink for w in app.screen.query("Input")] == [False, False]

    run(new_key(), script)


def test_snapshot_edit_value_refused(snap_compare):
    app = Host(lambda: EditValueDialog("/booking/seat", "12A"))
    assert snap_compare(app, press=[*'{"row": 12', "enter"], terminal_size=(80, 24))


def test_snapshot_new_key(snap_compare):
    app = Host(lambda: EditValueDialog(
        "/booking", {"window": True, "aisle": False, "rows": [10, 11, 12], "note": "quiet zone"},
        is_new_key=True, existing_keys=frozenset({"seat"}), key="seat"))
    assert snap_compare(app, press=["enter"], terminal_size=(80, 24))
