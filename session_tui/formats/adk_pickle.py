"""The pickled `EventActions` of a schema-0 ADK database (google-adk before 1.22), read as plain
JSON data without running any of it.

A schema-0 `events.actions` value is `pickle.dumps(EventActions(...))`: pydantic models
(`NEWOBJ` of the class, then `BUILD` with `{"__dict__": fields, "__pydantic_extra__": ...}`),
enum members (`REDUCE` of the enum class on the value), and stdlib data (datetime, Decimal,
UUID, paths) inside `state_delta`. The restricted unpickler (safe_unpickler.py) admits exactly
those globals, by name, as stand-ins that only record what the pickle gave them, after reading
the opcodes through once without executing any; this module turns what it gives into JSON.

The result is what google-adk's own `adk migrate session` puts in `event_data["actions"]`
(`EventActions.model_validate(old.model_dump())`, then `model_dump(mode="json",
exclude_none=True)`): snake_case field names; None dropped from the fields of models held in
typed fields (the `compaction`, an `AuthConfig`), kept inside free data (`state_delta`,
`agent_state`, function arguments, where a nested model becomes a dict of all its fields); bytes
as URL-safe base64, enums as their values, datetimes in ISO 8601, timedeltas as ISO 8601
durations, Decimal/UUID/paths as text, sets and tuples as lists; NaN and infinities as null.

Every failure is `PickleRefused` (a ValueError) with a one-line message that says what, not where.
"""

from __future__ import annotations

import base64
import datetime as _dt
import io
import math
from typing import Any

from ..jsonio import MAX_DEPTH, MAX_INT, MIN_INT
from .safe_unpickler import EnumValue, Model, PickleRefused, Text, Unpickler, Uuid, check_opcodes

# A pickle larger than this is refused before it is read (ADK's largest in the real files: 9 KB;
# a state_delta holding a big tool result can reach megabytes).
MAX_PICKLE_BYTES = 64 * 1024 * 1024
# What the JSON made from a pickle may cost (one per value, plus the characters of its texts),
# relative to the pickle's own size: a memo reference (`BINGET`) lets a few bytes stand for a
# whole subtree again, so a small hostile pickle could otherwise expand without bound.
_COST_PER_BYTE = 4
_COST_FLOOR = 1_000_000


# Fields typed as free data (a dict or Any): models found inside them were plain dicts to ADK's
# migration, which keeps their None fields; None is dropped only from typed model fields.
_FREE_FIELDS = frozenset({"state_delta", "artifact_delta", "agent_state", "set_model_response", "route",
                          "args", "response", "payload", "partial_args", "custom_metadata", "output"})

# EventActions fields that google-adk fills with an empty dict when a pickle lacks them.
_ACTIONS_DEFAULTS = ("state_delta", "artifact_delta", "requested_auth_configs", "requested_tool_confirmations")


# ------------------------------------------------------------------------------------- to JSON

def _b64(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).decode("ascii")


def _iso_duration(td: _dt.timedelta) -> str:
    """pydantic's ISO 8601 duration: `P1DT1H1M1.000005S`, `-PT1S`, `PT0S`."""
    sign = "-" if td < _dt.timedelta(0) else ""
    td = abs(td)
    days, rest = td.days, td.seconds
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    out = f"{sign}P" + (f"{days}D" if days else "")
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if td.microseconds:
        clock += f"{seconds}.{td.microseconds:06d}".rstrip("0") + "S"
    elif seconds or not (days or clock):
        clock += f"{seconds}S"
    return out + ("T" + clock if clock else "")


def _iso_time(value: _dt.datetime | _dt.time) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _leaf(value: Any) -> tuple[bool, Any]:
    """(True, JSON value) for a value that holds nothing; (False, None) for a container."""
    if value is None or isinstance(value, (bool, str)):
        return True, value
    if isinstance(value, int):
        if not MIN_INT <= value <= MAX_INT:
            raise PickleRefused("an integer beyond 64 bits")
        return True, value
    if isinstance(value, float):
        return True, value if math.isfinite(value) else None
    if isinstance(value, (bytes, bytearray)):
        return True, _b64(bytes(value))
    if isinstance(value, EnumValue) and isinstance(value.value, (str, int)):
        return True, value.value
    if isinstance(value, Text) and isinstance(value.text, str):
        return True, value.text
    if isinstance(value, complex):
        return True, str(value).strip("()")
    if isinstance(value, (_dt.datetime, _dt.time)):
        return True, _iso_time(value)
    if isinstance(value, _dt.date):
        return True, value.isoformat()
    if isinstance(value, _dt.timedelta):
        return True, _iso_duration(value)
    if isinstance(value, _dt.timezone):
        raise PickleRefused("a bare datetime.timezone")
    if isinstance(value, Uuid):
        state = value.state
        number = state.get("int") if isinstance(state, dict) else None
        if type(number) is not int or not 0 <= number < 2**128:
            raise PickleRefused("uuid.UUID of an unexpected state")
        h = f"{number:032x}"
        return True, f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return False, None


def _model_fields(model: Model) -> dict:
    state = model.state
    if not isinstance(state, dict) or not isinstance(state.get("__dict__"), dict):
        raise PickleRefused(f"{model._name} of an unexpected state")
    fields = dict(state["__dict__"])
    extra = state.get("__pydantic_extra__")
    if isinstance(extra, dict):
        fields.update(extra)
    elif extra is not None:
        raise PickleRefused(f"{model._name} of an unexpected state")
    return fields


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, EnumValue):
        key = key.value
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return str(key)
    raise PickleRefused(f"a dict key of type {type(key).__name__}")


def _children(value: Any, free: bool) -> tuple[Any, list[tuple[Any, Any, bool]]] | None:
    """A container's empty JSON counterpart and its (slot, child, free) items, or None."""
    if isinstance(value, Model):
        out: dict = {}
        items = []
        for name, child in _model_fields(value).items():
            if not isinstance(name, str):
                raise PickleRefused(f"{value._name} with a field name that is not text")
            if child is None and not free:
                continue  # exclude_none: a typed model's None fields are left out
            items.append((name, child, free or name in _FREE_FIELDS))
        return out, items
    if isinstance(value, dict):
        return {}, [(_key(k), v, True) for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [None] * len(value), [(i, v, free) for i, v in enumerate(value)]
    if isinstance(value, (set, frozenset)):
        items = list(value)
        try:
            items.sort()  # a set's order is the writing process's hash order: made stable
        except TypeError:
            pass
        return [None] * len(items), [(i, v, free) for i, v in enumerate(items)]
    return None


def to_plain(value: Any, budget: int, free: bool = False) -> Any:
    """The JSON data of an unpickled value, without recursion, within `budget` (values plus
    characters) and MAX_DEPTH levels."""
    root: list = [None]
    pending: list[tuple[Any, Any, Any, bool, int]] = [(value, root, 0, free, 0)]
    while pending:
        item, parent, slot, is_free, depth = pending.pop()
        budget -= 1
        is_leaf, plain = _leaf(item)
        if is_leaf:
            if isinstance(plain, str):
                budget -= len(plain)
            if budget < 0:
                raise PickleRefused("expands to far more data than the pickle holds")
            parent[slot] = plain
            continue
        found = _children(item, is_free)
        if found is None:
            raise PickleRefused(f"a value of type {type(item).__name__}")
        if depth >= MAX_DEPTH:
            raise PickleRefused(f"nested deeper than {MAX_DEPTH} levels")
        container, items = found
        budget -= len(items)
        if budget < 0:
            raise PickleRefused("expands to far more data than the pickle holds")
        parent[slot] = container
        if isinstance(container, dict):
            for name, _child, _f in items:
                container[name] = None  # keeps the order of the fields
        for name, child, child_free in reversed(items):
            pending.append((child, container, name, child_free, depth + 1))
    return root[0]


# ----------------------------------------------------------------------------------- the entry

def load_event_actions(data: Any) -> dict:
    """The pickled EventActions `data` as the dict ADK's migration writes in
    `event_data["actions"]`. Raises PickleRefused (one line) for anything else."""
    if isinstance(data, memoryview):
        data = bytes(data)
    if not isinstance(data, (bytes, bytearray)):
        raise PickleRefused(f"expected a pickle (bytes), got {type(data).__name__}")
    if len(data) > MAX_PICKLE_BYTES:
        raise PickleRefused(f"a pickle of {len(data):,} bytes (more than {MAX_PICKLE_BYTES:,})")
    data = bytes(data)
    try:
        check_opcodes(data)
        loaded = Unpickler(io.BytesIO(data)).load()
    except PickleRefused:
        raise
    except Exception as exc:  # noqa: BLE001: hostile bytes can fail the unpickler in many ways
        # (UnpicklingError, ValueError, EOFError, TypeError, MemoryError, ...): one line each
        problem = str(exc).splitlines()[0][:120] if str(exc) else ""
        raise PickleRefused(f"not a readable pickle: {type(exc).__name__}"
                            + (f": {problem}" if problem else "")) from None
    if not isinstance(loaded, Model) or loaded._name != "google.adk.events.event_actions.EventActions":
        what = loaded._name if isinstance(loaded, Model) else type(loaded).__name__
        raise PickleRefused(f"expected a pickled EventActions, got {what}")
    actions = to_plain(loaded, max(_COST_FLOOR, _COST_PER_BYTE * len(data)))
    for name in _ACTIONS_DEFAULTS:
        if actions.get(name) is None:
            actions[name] = {}
    return actions
