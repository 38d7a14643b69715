"""JSON text written piece by piece that stops once it is longer than it will be shown: only as
much of a value is looked at as the text holds, so a 10 MB string or 100,000 keys cost no more
than a screenful. What `text.json_preview` and `text.json_head` are made of (they make it safe
for a terminal and cut it); nothing here is safe yet."""

from __future__ import annotations

import json
import math
from typing import Any


class Full(Exception):
    """The text has more characters than its limit: the rest is not looked at."""


class JsonPieces:
    """`write(value)` appends `value` as JSON to `parts` until they hold more than `limit`
    characters (then `Full`; a pathological nesting raises RecursionError).

    `indent`: as `json.dumps` lays out (None: on one line, `{"a": 1, "b": [2]}`). `exact`: what
    `json.dumps(default=repr)` writes (`true` for a key True, a value JSON cannot hold as the
    string of its repr); otherwise keys as `str(key)` and such values as their bare repr."""

    def __init__(self, limit: int, indent: int | None = None, exact: bool = True):
        self.limit = limit
        self.indent = indent
        self.exact = exact
        self.parts: list[str] = []
        self.length = 0

    def text(self) -> str:
        return "".join(self.parts)

    @property
    def room(self) -> int:
        """How much of a string to take: enough to fill what is left (and show it goes on)."""
        return self.limit + 1 - self.length

    def emit(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)
        if self.length > self.limit:
            raise Full

    def write(self, item: Any, depth: int = 0) -> None:
        # One frame a level (the containers inline): as deep as the recursion limit allows.
        if isinstance(item, (dict, list, tuple)):
            keyed = isinstance(item, dict)
            self.emit("{" if keyed else "[")
            if item:
                first, between, outer = self._breaks(depth)
                for i, sub in enumerate(item.items() if keyed else item):
                    self.emit(between if i else first)
                    if keyed:
                        key, sub = sub
                        self.emit(json_string(json_key(key) if self.exact else str(key), self.room))
                        self.emit(": ")
                    self.write(sub, depth + 1)
                self.emit(outer)
            self.emit("}" if keyed else "]")
        elif isinstance(item, str):
            self.emit(json_string(item, self.room))
        elif not self.exact or item is None or isinstance(item, (bool, int, float)):
            self.emit(json_scalar(item))
        else:  # what `default=repr` does
            self.emit(json_string(repr(item), self.room))

    def _breaks(self, depth: int) -> tuple[str, str, str]:
        """What goes before a container's first item, before each next one, and before its
        closing bracket."""
        if self.indent is None:
            return "", ", ", ""
        inner = "\n" + " " * (self.indent * (depth + 1))
        return inner, "," + inner, "\n" + " " * (self.indent * depth)


def json_string(text: str, room: int) -> str:
    """The JSON literal of `text`, cut (without its closing quote) when longer than `room`."""
    head = text[: max(room, 0) + 1]
    literal = json.dumps(head, ensure_ascii=False)
    if len(head) < len(text):
        return literal[:-1]  # no closing quote: the string goes on
    return literal


def json_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return json.dumps(value)
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return repr(value)


def json_key(key: Any) -> str:
    """A key as `json.dumps` writes it (`True` -> `true`, `1.5` -> `1.5`)."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return json_scalar(key)
    return repr(key)
