"""How an error says what and where, for every reader of sessions: `SessionFormatError(where,
problem)`, the place joined (`place`, `in_source`, `within`), the bad value shown short and
safe (`describe`), and what was found instead (`got`: `got an object {"a": 1}`); and a value's
type as the app shows it (`sized_type`: `string (5 characters)`, `object (3 keys)`)."""

from __future__ import annotations

import json
from typing import Any

from .text import plural

JSON = Any


class SessionFormatError(ValueError):
    """Input that is not a session. `where` is the place (`events[3].timestamp`), may be empty."""

    def __init__(self, where: str, problem: str):
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}" if where else problem)

    def in_source(self, source: str) -> "SessionFormatError":
        """The same error, in the file (or input) `source`: `x.json: events[2].timestamp`."""
        return SessionFormatError(place(source, self.where), self.problem)

    def within(self, prefix: str) -> "SessionFormatError":
        """The same error, placed inside `prefix` (e.g. a file name or a list index)."""
        where = f"{prefix}.{self.where}" if self.where and not self.where.startswith("[") else (
            f"{prefix}{self.where}"
        )
        return SessionFormatError(where, self.problem)


def describe(value: JSON) -> str:
    """A short, one-line rendering of a bad value for an error message."""
    try:
        text = json.dumps(value, ensure_ascii=True)
    except (TypeError, ValueError, RecursionError):
        text = repr(value) if not isinstance(value, (dict, list)) else json_type(value)
    return text if len(text) <= 40 else text[:37] + "..."


def json_type(value: JSON) -> str:
    """`string`, `number`, `bool`, `null`, `object` or `array`: the names the app shows
    (anything else: its Python type name)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


_WITH_ARTICLE = {"null": "null", "bool": "a boolean", "number": "a number", "string": "a string",
                 "array": "an array", "object": "an object"}


def type_name(value: JSON) -> str:
    """The JSON type for an error message: "a string", "an object", ..."""
    kind = json_type(value)
    return _WITH_ARTICLE.get(kind, kind)


def sized_type(value: JSON, unit: str = "character") -> str:
    """A value's type and size as the app shows it: `object (3 keys)`, `array (1 item)`,
    `string (5 characters)`, `string (empty)`, `number`. `unit` names a string's characters
    (`char` where room is short: the state tree's labels)."""
    kind = json_type(value)
    if kind == "string":
        return f"string ({plural(len(value), unit)})" if value else "string (empty)"
    if kind == "object":
        return f"object ({plural(len(value), 'key')})"
    if kind == "array":
        return f"array ({plural(len(value), 'item')})"
    return kind


def got(value: JSON) -> str:
    """What an error says it got instead: `null`, `"text"`, `an object {"a": 1}`."""
    if isinstance(value, str) or value is None:
        return describe(value)
    return f"{type_name(value)} {describe(value)}"


def place(source: str, where: str) -> str:
    """`file.json: events[2].timestamp`: a place inside a source; the source alone at its top."""
    return f"{source}: {where}" if where else source
