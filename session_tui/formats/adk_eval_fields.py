"""The fields of ADK's eval files as formats/adk_eval.py reads them: in either spelling ADK reads
(field name or camelCase alias), each checked for its type (a SessionFormatError naming the
place), ADK content without the nulls of pydantic's dump."""

from __future__ import annotations

import math
from typing import Any

from ..model import JSON, SessionFormatError, got

# google-adk's EvalStatus, by value (an enum written as its value in the JSON).
STATUS = {1: "PASSED", 2: "FAILED", 3: "NOT_EVALUATED", 4: "INFORMATIONAL"}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def place_in(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def get_field(obj: dict, name: str, where: str, kind: str, required: bool = False) -> Any:
    """The field in either spelling, checked: `str`, `number`, `object`, `array` (null and
    missing: None, unless `required`)."""
    value = obj.get(name)
    if value is None:
        value = obj.get(camel(name))
    if value is None:
        if required:
            raise SessionFormatError(place_in(where, name), "missing")
        return None
    ok = {"str": isinstance(value, str),
          "number": isinstance(value, (int, float)) and not isinstance(value, bool)
          and math.isfinite(value),
          "object": isinstance(value, dict),
          "array": isinstance(value, list)}[kind]
    if not ok:
        article = {"str": "a string", "number": "a number", "object": "an object",
                   "array": "an array"}[kind]
        raise SessionFormatError(place_in(where, name), f"expected {article}, got {got(value)}")
    return value


def items_of(obj: dict, name: str, where: str, required: bool = False) -> list[tuple[str, dict]]:
    """(place, object) of each item of an array field."""
    out = []
    for i, item in enumerate(get_field(obj, name, where, "array", required) or []):
        place = f"{place_in(where, name)}[{i}]"
        if not isinstance(item, dict):
            raise SessionFormatError(place, f"expected an object, got {got(item)}")
        out.append((place, item))
    return out


def status_of(obj: dict, name: str, where: str) -> str:
    value = obj.get(name, obj.get(camel(name)))
    # (An object or array is no status either: not looked up, it cannot be hashed.)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value not in STATUS:
        if value is None:
            raise SessionFormatError(place_in(where, name), "missing")
        raise SessionFormatError(place_in(where, name), f"expected an eval status (1 passed, 2 failed, "
                                 f"3 not evaluated, 4 informational), got {got(value)}")
    return STATUS[value]


def metric_of(value: dict, where: str) -> dict:
    threshold = get_field(value, "threshold", where, "number")
    criterion = get_field(value, "criterion", where, "object")
    if threshold is None and criterion is not None:
        threshold = get_field(criterion, "threshold", place_in(where, "criterion"), "number")
    return {"name": get_field(value, "metric_name", where, "str", required=True),
            "score": get_field(value, "score", where, "number"), "threshold": threshold,
            "status": status_of(value, "eval_status", where)}


def metrics_of(obj: dict, name: str, where: str, required: bool = True) -> list[dict]:
    return [metric_of(item, place) for place, item in items_of(obj, name, where, required)]


def content_of(value: JSON, where: str) -> dict | None:
    """ADK content (checked: an object whose parts are objects), lean (see `_lean_content`)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise SessionFormatError(where, f"expected a content object, got {got(value)}")
    parts = value.get("parts")
    if parts is not None and not (isinstance(parts, list) and all(isinstance(p, dict) for p in parts)):
        raise SessionFormatError(place_in(where, "parts"), f"expected an array of objects, got {got(parts)}")
    return lean_content(value)


def lean(value: dict) -> dict:
    return {k: v for k, v in value.items() if v is not None}


def lean_content(content: dict) -> dict:
    """Without the nulls of pydantic's dump (an eval file is written without exclude_none):
    in the content, its parts and their function call or response, never inside the values
    (the arguments, the response) where a null is data."""
    out = lean(content)
    if isinstance(out.get("parts"), list):
        out["parts"] = [{k: lean(v) if k in _PART_OBJECTS and isinstance(v, dict) else v
                         for k, v in lean(p).items()} if isinstance(p, dict) else p
                        for p in out["parts"]]
    return out


_PART_OBJECTS = {"function_call", "functionCall", "function_response", "functionResponse"}


def lean_event(event: JSON, where: str) -> JSON:
    """An event of `session_details`, its top level, actions and content lean (as ADK's
    `exclude_none` export would have them); anything else as it is (adk_json checks it)."""
    if not isinstance(event, dict):
        return event
    out = lean(event)
    for name in ("actions", "usage_metadata"):
        if isinstance(out.get(name), dict):
            out[name] = lean(out[name])
    if "content" in out:
        out["content"] = content_of(out["content"], place_in(where, "content"))
    return out
