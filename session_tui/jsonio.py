"""JSON in and out, fast (orjson) and deep: orjson refuses to write values nested more than
255 levels and `copy.deepcopy` overflows Python's stack near 500, while an agent's state can be
nested deeper than either. Those rare values fall back to the standard library."""

from __future__ import annotations

import copy
import json
from typing import Any

import orjson

INDENT = orjson.OPT_INDENT_2
SORT_KEYS = orjson.OPT_SORT_KEYS


def dumps(value: Any, option: int = 0) -> bytes:
    try:
        return orjson.dumps(value, option=option)
    except TypeError as exc:
        if "Recursion" not in str(exc):
            raise
    return json.dumps(value, ensure_ascii=False, allow_nan=False,
                      indent=2 if option & INDENT else None,
                      separators=(",", ": ") if option & INDENT else (",", ":"),
                      sort_keys=bool(option & SORT_KEYS)).encode("utf-8", "surrogatepass")


def loads(data: bytes | str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if "recursion" not in str(exc).lower():
            raise
    return json.loads(data)


def deep_copy(value: Any) -> Any:
    try:
        return copy.deepcopy(value)
    except RecursionError:
        return json.loads(json.dumps(value))
