"""Editing a JSON value as text, with no Textual in it (SPEC section 5: "edit a value as JSON;
a string stays a string unless the user types JSON").

- `edit_text(value)` is what the editor starts with: a string as its raw text, anything else
  as compact JSON (pretty JSON in a text area for a big object or array). A string whose raw
  text would read back as something else (`42`, `true`, `{"a": 1}`, ` [x`) or that holds
  characters a terminal must not receive (controls, bidi overrides) starts as its JSON literal
  (`"42"`, `"a\\u001bb"`), so saving without a change gives back exactly the same value.
- `parse_edit_text(text)` is what saving gives: text that parses as JSON is that JSON value;
  text that does not parse is refused (`Refused`, with the parser's reason) when it starts with
  `{`, `[` or `"` (the user meant JSON), and is a string otherwise.
"""

from __future__ import annotations

import json
from typing import Any

from ..text import safe
from ..wording import sized_type

__all__ = ["Refused", "edit_text", "json_text", "parse_edit_text", "describe"]

# A one-line object or array longer than this is edited as pretty JSON in a text area.
INLINE_JSON_LIMIT = 60

# What the store's JSON (orjson) can write.
_INT_MIN = -(2**63)
_INT_MAX = 2**64 - 1


class Refused(ValueError):
    """The text cannot be saved; str(error) is the reason to show."""


class _NotJSON(ValueError):
    """A NaN / Infinity constant: Python reads it, JSON does not have it."""


# `string (5 characters)`, `object (3 keys)`, `array (2 items)`, `number`... (the app's one
# describer of a value's type, wording.sized_type; the state tree's is its short form)
describe = sized_type


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _escape_unsafe(text: str) -> str:
    """JSON text with every character `safe()` would change written as a `\\u` escape (they
    can only be inside JSON strings, where the escape reads back as the same character).
    `\\n` (the layout of pretty JSON) is kept."""
    bad = [ch for ch in set(text) if ch != "\n" and safe(ch, multiline=False) != ch]
    if not bad:
        return text
    return text.translate({ord(ch): _json_escape(ch) for ch in bad})


def json_text(value: Any, indent: int | None = None) -> str:
    """JSON of `value`, readable (`{"a": 1, "b": [1, 2]}`), non-ASCII kept, anything unsafe
    for a terminal escaped."""
    return _escape_unsafe(json.dumps(value, ensure_ascii=False, indent=indent))


def _looks_like_json(text: str) -> bool:
    return text.lstrip().startswith(("{", "[", '"'))


def _reject_constant(name: str) -> Any:
    raise _NotJSON(f"{name} is not a JSON number")


def _parse_int(digits: str) -> int:
    try:
        number = int(digits)
    except ValueError:  # more digits than Python converts
        raise Refused(f"number out of range: {digits[:20]}…") from None
    if not _INT_MIN <= number <= _INT_MAX:
        raise Refused(f"number out of range: {digits if len(digits) <= 24 else digits[:20] + '…'}"
                      " (whole numbers must fit in 64 bits)")
    return number


def _parse_float(digits: str) -> float:
    number = float(digits)
    if number in (float("inf"), float("-inf")):
        raise Refused(f"number out of range: {digits if len(digits) <= 24 else digits[:20] + '…'}")
    return number


def _decode_error(error: json.JSONDecodeError, text: str) -> str:
    message = error.msg
    if error.pos >= len(text.rstrip()) and message.startswith("Expecting"):
        message = "unexpected end of input"
    else:
        message = message[:1].lower() + message[1:]
        if message.endswith(" at"):  # "Unterminated string starting at": the place follows
            message = message[:-3]
    return f"invalid JSON: {message} at line {error.lineno} column {error.colno}"


def parse_edit_text(text: str) -> Any:
    """The value that saving `text` gives, or `Refused` with the reason."""
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int,
                           parse_float=_parse_float)
    except json.JSONDecodeError as error:
        if _looks_like_json(text):
            raise Refused(_decode_error(error, text)) from None
        value = text
    except _NotJSON as error:
        if _looks_like_json(text):
            raise Refused(f"invalid JSON: {error}") from None
        value = text
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        bad = error.object[error.start] if isinstance(error.object, str) else "?"
        raise Refused(f"unpaired surrogate {_json_escape(bad)} cannot be saved") from None
    return value


def _plain_ok(text: str) -> bool:
    """A string can be edited as its raw text: it reads back as itself and is safe to show."""
    if safe(text, multiline="\n" in text) != text:
        return False
    try:
        back = parse_edit_text(text)
    except Refused:
        return False
    return isinstance(back, str) and back == text


def edit_text(value: Any) -> tuple[str, bool]:
    """(the text an editor starts with, whether it needs a multi-line editor)."""
    if isinstance(value, str):
        if _plain_ok(value):
            return value, "\n" in value
        return json_text(value), False
    compact = json_text(value)
    if isinstance(value, (dict, list)) and len(compact) > INLINE_JSON_LIMIT:
        return json_text(value, indent=2), True
    return compact, False
