"""ADK's session JSON field by field, for `adk_json`: every spelling ADK reads of a known key
(its camelCase alias or the field name), the checks that name the place of a bad value, and the
bookkeeping (`adk_raw`) that gives an ADK file back exactly: `diff` records how the JSON given
differs from what the model would write, `patched` applies that while the model still says the
same."""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable

from ..eventinfo import ADK_CONTENT
from ..jsonio import deep_copy
from ..model import JSON, SessionFormatError, describe, format_time, from_unix, got, json_equal

ADK_RAW = "adk_raw"
BOOKKEEPING = (ADK_CONTENT, ADK_RAW)

# Known keys, in every spelling ADK reads (pydantic: alias, or the field name).
S_ID, S_APP, S_USER, S_STATE, S_EVENTS, S_TIME = (
    ("id",), ("appName", "app_name"), ("userId", "user_id"), ("state",), ("events",),
    ("lastUpdateTime", "last_update_time"))
SESSION_KEYS = S_ID + S_APP + S_USER + S_STATE + S_EVENTS + S_TIME

E_ID, E_INV, E_AUTHOR, E_TIME = ("id",), ("invocationId", "invocation_id"), ("author",), ("timestamp",)
EVENT_KEYS = E_ID + E_INV + E_AUTHOR + E_TIME + ("content", "actions")

A_DELTA, A_TRANSFER, A_ESCALATE, A_SKIP = (
    ("stateDelta", "state_delta"), ("transferToAgent", "transfer_to_agent"), ("escalate",),
    ("skipSummarization", "skip_summarization"))
ACTION_KEYS = A_DELTA + A_TRANSFER + A_ESCALATE + A_SKIP

MISSING = object()


def err(where: str, problem: str) -> SessionFormatError:
    return SessionFormatError(where, problem)


def join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def pick(obj: dict, spellings: tuple[str, ...]) -> tuple[str | None, Any]:
    """The first spelling present and its value, else (None, MISSING)."""
    for key in spellings:
        if key in obj:
            return key, obj[key]
    return None, MISSING


def is_number(value: JSON) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def required_str(obj: dict, spellings: tuple[str, ...], where: str) -> str:
    key, value = pick(obj, spellings)
    if key is None:
        raise err(join(where, spellings[0]), "missing")
    if not isinstance(value, str):
        raise err(join(where, key), f"expected a string, got {got(value)}")
    return value


def time_of(seconds: float, where: str) -> str:
    try:
        return format_time(from_unix(seconds))
    except (OverflowError, ValueError):
        raise err(where, f"time out of range, got {describe(seconds)}") from None


# ------------------------------------------------------------------------------ bookkeeping


def diff(given: dict, produced: dict, known: Iterable[str]) -> dict | None:
    """What turns `produced` into `given` on the `known` keys: {"set": ..., "unset": [...]}."""
    set_: dict[str, JSON] = {}
    unset: list[str] = []
    for key in known:
        if key in given:
            if key not in produced or not json_equal(given[key], produced[key]):
                set_[key] = deep_copy(given[key])
        elif key in produced:
            unset.append(key)
    raw: dict[str, JSON] = {}
    if set_:
        raw["set"] = set_
    if unset:
        raw["unset"] = unset
    return raw or None


def patched(out: dict, raw: JSON, same: Callable[[dict], bool]) -> dict:
    """`out` with `raw` applied, if the result still says what the model says; else `out`."""
    if not isinstance(raw, dict) or not ({"set", "unset"} & raw.keys()):
        return out
    patched = dict(out)
    unset = raw.get("unset")
    if isinstance(unset, list):
        for key in unset:
            if isinstance(key, str):
                patched.pop(key, None)
    set_ = raw.get("set")
    if isinstance(set_, dict):
        patched.update(deep_copy(set_))
    try:
        return patched if same(patched) else out
    except SessionFormatError:
        return out


def with_raw(extra: dict, raw: dict | None) -> dict:
    if raw:
        extra[ADK_RAW] = raw
    return extra
