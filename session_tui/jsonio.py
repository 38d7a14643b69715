"""JSON in and out, fast (orjson) and deep, within documented limits.

orjson refuses to write values nested more than 255 levels and `copy.deepcopy` overflows Python's
stack near 500, while an agent's state can be nested deeper than either: those rare values fall
back to the standard library. What session-tui accepts is bounded, so that everything it accepts
can also be shown, copied, written and read back:

- `MAX_DEPTH`: a value held in a session (a state value, a state_delta value, any other field of
  a session, an event or its actions) nests at most 500 levels: containers within containers
  within it (`{"a": {"b": [1]}}` nests 2 levels, `[1]` and a string none). The files around it
  add a few levels more (at most `WRAPPING`), which the standard library still reads and writes
  well within Python's stack (it overflows near 990 levels).
- Integers fit in 64 bits (-2**63 .. 2**64-1): orjson reads larger ones as floats (silently
  changing them) and cannot write them.
- Input from outside (`parse`: imports, a value given to `set`) has no duplicate object keys:
  orjson would keep the last one silently.

Every refusal is a `JSONLimitError` (a ValueError) with a one-line message that callers place
(`events[2].state_delta["k"]: nested deeper than 500 levels`). The checks never recurse, and
cost almost nothing on ordinary values: orjson writing a value proves it shallow and in range.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import orjson

INDENT = orjson.OPT_INDENT_2
SORT_KEYS = orjson.OPT_SORT_KEYS

MAX_DEPTH = 500
# Levels the formats and store files add around a session's values (TinyDB tables, a session's
# events, an event's actions and state_delta, an undo record): a document deeper than
# MAX_DEPTH + WRAPPING surely holds a value deeper than MAX_DEPTH.
WRAPPING = 12
MIN_INT, MAX_INT = -(2**63), 2**64 - 1


class JSONLimitError(ValueError):
    """A value beyond what session-tui keeps exactly (too deep, a huge integer, a duplicate
    key, not JSON at all). The message is one line and says what, not where."""


BOM = b"\xef\xbb\xbf"  # a UTF-8 byte order mark, as some editors write before JSON


def strip_bom(data: bytes) -> bytes:
    """The bytes without a leading UTF-8 byte order mark (every reader of files takes it off)."""
    return data[len(BOM):] if data.startswith(BOM) else data


def too_deep() -> JSONLimitError:
    return JSONLimitError(f"nested deeper than {MAX_DEPTH} levels")


# ---------------------------------------------------------------------------- writing, copying


def dumps(value: Any, option: int = 0) -> bytes:
    try:
        return orjson.dumps(value, option=option)
    except TypeError as exc:
        if "Recursion" not in str(exc):
            raise
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False,
                          indent=2 if option & INDENT else None,
                          separators=(",", ": ") if option & INDENT else (",", ":"),
                          sort_keys=bool(option & SORT_KEYS)).encode("utf-8", "surrogatepass")
    except RecursionError:
        raise too_deep() from None


def loads(data: bytes | str) -> Any:
    """Parse JSON the store wrote (no checks beyond depth: see `parse` for input from outside).
    Deeper than orjson reads (1,024 levels): JSONLimitError, never a RecursionError."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if not _is_depth_error(exc):
            raise
    raise too_deep()


def deep_copy(value: Any) -> Any:
    try:
        return copy.deepcopy(value)
    except RecursionError:
        return loads(dumps(value))


def _is_depth_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "recursion" in text or "depth limit" in text


# ---------------------------------------------------------------------------- checking values


def depth_of(value: Any, stop: int | None = None) -> int:
    """How many containers deep `value` nests (a scalar: 0, `[]`: 1, `{"a": [1]}`: 2), without
    recursion. With `stop`, returns as soon as the depth is known to exceed it."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        if level > deepest:
            deepest = level
            if stop is not None and deepest > stop:
                return deepest
        pending.extend((child, level + 1) for child in children)
    return deepest


def value_problem(value: Any, limit: int = MAX_DEPTH) -> str | None:
    """Why `value` cannot be kept exactly (too deep, an integer beyond 64 bits, not JSON), or
    None. Cheap for ordinary values: orjson writing it proves it shallow and in range."""
    try:
        orjson.dumps(value)
        return None
    except TypeError:
        pass  # deeper than 255 levels, a huge integer, or not JSON: look closer, without recursion
    pending = [(value, 0)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
            bad_keys = [k for k in item if not isinstance(k, str)]
            if bad_keys:
                return f"an object key must be a string, got {type(bad_keys[0]).__name__} {bad_keys[0]!r:.40}"
        elif isinstance(item, (list, tuple)):
            children = item
        elif isinstance(item, bool) or item is None or isinstance(item, (str, float)):
            continue
        elif isinstance(item, int):
            if not MIN_INT <= item <= MAX_INT:
                # (not str(item): Python refuses to write integers of more than 4,300 digits)
                return int_problem(str(item) if item.bit_length() < 1000 else f"of {item.bit_length()} bits")
            continue
        else:
            return f"not a JSON value: {type(item).__name__}"
        if level > limit:  # the value itself is level 0: the levels nested within it count
            return str(too_deep())
        pending.extend((child, level + 1) for child in children)
    return None


def int_problem(literal: str) -> str:
    shown = literal if len(literal) <= 30 else literal[:27] + "..."
    return f"integer {shown} is beyond 64 bits (write it as a string to keep it exactly)"


# ------------------------------------------------------------------------ parsing input from outside

_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
# orjson reads integers exactly up to 2**64-1 (20 digits) and down to -2**63 (19 digits).
_LONG_RUN = b"0" * 19


def parse(data: bytes | str) -> Any:
    """Parse JSON that comes from outside (an import, a value typed at `set`), refusing what
    would not survive being kept: nesting beyond the limit, integers beyond 64 bits (orjson
    would read them as floats), duplicate object keys (orjson would keep the last one
    silently). Raises orjson.JSONDecodeError for text that is not JSON, JSONLimitError for the
    rest, never RecursionError.

    Costs one orjson write more than a plain read: the write proves a value shallow, and
    comparing its `:` count with the input's tells whether any key was dropped as a
    duplicate; only then, or when the input has a run of 19+ digits, does the slower standard
    library parse say which key or which number."""
    try:
        value = orjson.loads(data)  # (TypeError for what is not text)
    except orjson.JSONDecodeError as exc:
        if _is_depth_error(exc):
            raise too_deep() from None
        if "number" in str(exc):  # an integer too big for a double: say so, not "invalid"
            _strict_check(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data))
        raise
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    try:
        again = orjson.dumps(value)
    except TypeError:  # deeper than orjson writes: bounded first, so the standard library can
        if depth_of(value, stop=MAX_DEPTH + WRAPPING) > MAX_DEPTH + WRAPPING:
            raise too_deep() from None
        again = dumps(value)
    # A `\u003a` in the input is a `:` in the rewrite: it could hide a dropped duplicate, so any
    # escape sends the input to the strict check too.
    if (raw.count(b":") != again.count(b":") or b"\\u" in raw
            or _LONG_RUN in raw.translate(_DIGITS_AS_ZERO)):
        _strict_check(raw)
    return value


def _strict_check(raw: bytes) -> None:
    """Parse with the standard library to find a duplicate key or an integer beyond 64 bits."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) != len(items):
            seen: set[str] = set()
            for key, _ in items:
                if key in seen:
                    raise JSONLimitError(f"duplicate key {json.dumps(key)[:40]}")
                seen.add(key)
        return out

    def integer(literal: str) -> int:
        if len(literal) > 21:  # (and int() refuses more than 4,300 digits)
            raise JSONLimitError(int_problem(literal))
        number = int(literal)
        if not MIN_INT <= number <= MAX_INT:
            raise JSONLimitError(int_problem(literal))
        return number

    try:
        json.loads(raw.decode("utf-8", "surrogatepass"), object_pairs_hook=pairs, parse_int=integer)
    except RecursionError:
        raise too_deep() from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError: the caller's error stands
        if isinstance(exc, JSONLimitError):
            raise
