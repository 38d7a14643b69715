"""The pickled `EventActions` of a schema-0 ADK database (google-adk before 1.22), read as plain
JSON data without running any of it.

A schema-0 `events.actions` value is `pickle.dumps(EventActions(...))`: pydantic models
(`NEWOBJ` of the class, then `BUILD` with `{"__dict__": fields, "__pydantic_extra__": ...}`),
enum members (`REDUCE` of the enum class on the value), and stdlib data (datetime, Decimal,
UUID, paths) inside `state_delta`. The unpickler here admits exactly those globals, by name, and
resolves each to a stand-in of our own that only records what the pickle gave it: it never
imports or calls an ADK, google-genai or pydantic class, and nothing else is resolvable at all
(`os.system`, `builtins.eval`, `subprocess.*`, persistent ids, the extension registry). Before
unpickling, the opcodes are read through once (`pickletools.genops`, which executes nothing) to
refuse the opcodes ADK never writes and memo indices that would make the unpickler allocate
without bound.

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
import decimal
import io
import math
import pathlib
import pickle
import pickletools
from typing import Any, Callable

from ..jsonio import MAX_DEPTH, MAX_INT, MIN_INT

# A pickle larger than this is refused before it is read (ADK's largest in the real files: 9 KB;
# a state_delta holding a big tool result can reach megabytes).
MAX_PICKLE_BYTES = 64 * 1024 * 1024
# What the JSON made from a pickle may cost (one per value, plus the characters of its texts),
# relative to the pickle's own size: a memo reference (`BINGET`) lets a few bytes stand for a
# whole subtree again, so a small hostile pickle could otherwise expand without bound.
_COST_PER_BYTE = 4
_COST_FLOOR = 1_000_000


class PickleRefused(ValueError):
    """A pickle that is not an ADK `EventActions` made of data only; one line."""


# ------------------------------------------------------------------------------ what is admitted

# Pydantic models an EventActions can hold (its fields, AuthConfig's, google-genai's content
# parts), by the module and name the pickle records.
_MODELS = {
    "google.adk.events.event_actions": ("EventActions", "EventCompaction"),
    "google.adk.events.ui_widget": ("UiWidget",),
    "google.adk.tools.tool_confirmation": ("ToolConfirmation",),
    "google.adk.auth.auth_tool": ("AuthConfig",),
    "google.adk.auth.auth_credential": ("AuthCredential", "HttpAuth", "HttpCredentials", "OAuth2Auth",
                                        "ServiceAccount", "ServiceAccountCredential"),
    "google.adk.auth.auth_schemes": ("CustomAuthScheme", "ExtendedOAuth2", "OpenIdConnectWithConfig"),
    "fastapi.openapi.models": ("APIKey", "HTTPBase", "HTTPBearer", "OAuth2", "OAuthFlow",
                               "OAuthFlowAuthorizationCode", "OAuthFlowClientCredentials",
                               "OAuthFlowImplicit", "OAuthFlowPassword", "OAuthFlows", "OpenIdConnect",
                               "SecurityBase"),
    "google.genai.types": ("Blob", "CodeExecutionResult", "Content", "ExecutableCode", "FileData",
                           "FunctionCall", "FunctionResponse", "FunctionResponseBlob",
                           "FunctionResponseFileData", "FunctionResponsePart", "Part",
                           "PartMediaResolution", "PartialArg", "SpeechMetadata", "ToolCall",
                           "ToolResponse", "Transcription", "VideoMetadata", "WordInfo"),
}
_ENUMS = {
    "google.adk.auth.auth_credential": ("AuthCredentialTypes",),
    "google.adk.auth.auth_schemes": ("OAuthGrantType",),
    "fastapi.openapi.models": ("APIKeyIn", "SecuritySchemeType"),
    "google.genai.types": ("FunctionResponseScheduling", "Language", "MediaProcessing", "Outcome",
                           "PartMediaResolutionLevel", "ToolType"),
}

# Fields typed as free data (a dict or Any): models found inside them were plain dicts to ADK's
# migration, which keeps their None fields; None is dropped only from typed model fields.
_FREE_FIELDS = frozenset({"state_delta", "artifact_delta", "agent_state", "set_model_response", "route",
                          "args", "response", "payload", "partial_args", "custom_metadata", "output"})

# EventActions fields that google-adk fills with an empty dict when a pickle lacks them.
_ACTIONS_DEFAULTS = ("state_delta", "artifact_delta", "requested_auth_configs", "requested_tool_confirmations")

# Opcodes ADK's pickles (protocols 2 to 5) are made of. Not admitted: persistent ids (PERSID,
# BINPERSID), the extension registry (EXT*), protocol-0/1 instantiation (INST, OBJ), out-of-band
# buffers, Python 2 byte strings.
_OPCODES = frozenset({
    "PROTO", "FRAME", "STOP", "MARK", "POP", "POP_MARK", "DUP",
    "MEMOIZE", "PUT", "BINPUT", "LONG_BINPUT", "GET", "BINGET", "LONG_BINGET",
    "NONE", "NEWTRUE", "NEWFALSE", "INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4",
    "FLOAT", "BINFLOAT", "UNICODE", "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8",
    "BINBYTES", "SHORT_BINBYTES", "BINBYTES8", "BYTEARRAY8",
    "EMPTY_DICT", "DICT", "SETITEM", "SETITEMS", "EMPTY_LIST", "LIST", "APPEND", "APPENDS",
    "EMPTY_TUPLE", "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3", "EMPTY_SET", "ADDITEMS", "FROZENSET",
    "GLOBAL", "STACK_GLOBAL", "REDUCE", "NEWOBJ", "NEWOBJ_EX", "BUILD",
})
_MEMO_OPS = frozenset({"PUT", "BINPUT", "LONG_BINPUT", "GET", "BINGET", "LONG_BINGET"})


# ------------------------------------------------------------------------------------ stand-ins

class _Model:
    """A pydantic model as its pickle gave it: the state `BUILD` passed, recorded, never used to
    make the real class. One subclass per admitted name (`_name` = "module.Class")."""

    __slots__ = ("state",)
    _name = ""

    def __new__(cls, *args: Any, **kwargs: Any) -> "_Model":
        if args or kwargs:  # pydantic pickles call `cls.__new__(cls)` with nothing
            raise PickleRefused(f"{cls._name} built with arguments")
        obj = object.__new__(cls)
        obj.state = None
        return obj

    def __setstate__(self, state: Any) -> None:
        if self.state is not None:
            raise PickleRefused(f"{self._name} given a state twice")
        self.state = state


class _Uuid(_Model):
    __slots__ = ()
    _name = "uuid.UUID"


class _Sealed:
    """A stand-in value that a pickle's `BUILD` cannot change afterwards."""

    __slots__ = ()

    def __setstate__(self, state: Any) -> None:
        raise PickleRefused(f"refused a state given to a {type(self).__name__.strip('_')}")


class _EnumValue(_Sealed):
    """An enum member: only its value is kept (what pydantic writes in JSON)."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


class _Text(_Sealed):
    """A value pydantic writes as text (Decimal, a path, ...)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class _Dict(dict):
    """An OrderedDict / defaultdict: a plain dict (SETITEMS fills it after REDUCE)."""

    __slots__ = ()


class _Maker(_Sealed):
    """A callable stand-in for an admitted global (a builtin, a stdlib constructor, an enum). A
    pickle can reach it only to call it (REDUCE); `BUILD` on it is refused, so a pickle cannot
    change it for the next one."""

    __slots__ = ("_call", "_name")

    def __init__(self, name: str, call: Callable[..., Any]):
        self._name, self._call = name, call

    def __call__(self, *args: Any) -> Any:
        return self._call(*args)


def _enum(name: str) -> Callable[[Any], _EnumValue]:
    def member(value: Any) -> _EnumValue:
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise PickleRefused(f"{name} member of an unexpected value")
        return _EnumValue(value)
    return member


def _ints(args: tuple, count: int, name: str) -> tuple[int, ...]:
    if len(args) > count or not all(type(a) is int for a in args):
        raise PickleRefused(f"{name} built from unexpected arguments")
    return args


def _timedelta(*args: Any) -> _dt.timedelta:
    days, seconds, micros = (_ints(args, 3, "datetime.timedelta") + (0, 0, 0))[:3]
    try:
        return _dt.timedelta(days=days, seconds=seconds, microseconds=micros)
    except OverflowError:
        raise PickleRefused("datetime.timedelta out of range") from None


def _timezone(offset: Any = None, name: Any = None) -> _dt.timezone:
    if not isinstance(offset, _dt.timedelta) or (name is not None and not isinstance(name, str)):
        raise PickleRefused("datetime.timezone built from unexpected arguments")
    try:
        return _dt.timezone(offset) if name is None else _dt.timezone(offset, name)
    except ValueError:
        raise PickleRefused("datetime.timezone out of range") from None


def _tz(args: tuple, n: int, name: str) -> _dt.tzinfo | None:
    if len(args) == n:
        return None
    if len(args) == n + 1 and isinstance(args[n], _dt.timezone):
        return args[n]
    raise PickleRefused(f"{name} built from unexpected arguments")


def _state_bytes(value: Any, size: int, name: str) -> bytes:
    if isinstance(value, str):  # pickles of protocol < 3 give it as latin-1 text
        value = value.encode("latin-1", "replace")
    if not isinstance(value, (bytes, bytearray)) or len(value) != size:
        raise PickleRefused(f"{name} built from unexpected arguments")
    return bytes(value)


def _datetime(*args: Any) -> _dt.datetime:
    if not args:
        raise PickleRefused("datetime.datetime built from unexpected arguments")
    b = _state_bytes(args[0], 10, "datetime.datetime")
    tz = _tz(args, 1, "datetime.datetime")
    month, fold = b[2] & 0x7F, b[2] >> 7
    try:
        return _dt.datetime(b[0] * 256 + b[1], month, b[3], b[4], b[5], b[6],
                            (b[7] << 16) | (b[8] << 8) | b[9], tz, fold=fold)
    except ValueError:
        raise PickleRefused("datetime.datetime out of range") from None


def _date(*args: Any) -> _dt.date:
    if len(args) != 1:
        raise PickleRefused("datetime.date built from unexpected arguments")
    b = _state_bytes(args[0], 4, "datetime.date")
    try:
        return _dt.date(b[0] * 256 + b[1], b[2], b[3])
    except ValueError:
        raise PickleRefused("datetime.date out of range") from None


def _time(*args: Any) -> _dt.time:
    if not args:
        raise PickleRefused("datetime.time built from unexpected arguments")
    b = _state_bytes(args[0], 6, "datetime.time")
    tz = _tz(args, 1, "datetime.time")
    try:
        return _dt.time(b[0] & 0x7F, b[1], b[2], (b[3] << 16) | (b[4] << 8) | b[5], tz, fold=b[0] >> 7)
    except ValueError:
        raise PickleRefused("datetime.time out of range") from None


def _decimal(value: Any = "0", *rest: Any) -> _Text:
    if rest or not isinstance(value, str) or len(value) > 10_000:
        raise PickleRefused("decimal.Decimal built from unexpected arguments")
    try:
        return _Text(str(decimal.Decimal(value)))
    except decimal.InvalidOperation:
        raise PickleRefused("decimal.Decimal of something not a number") from None


def _path(flavour: str) -> Callable[..., _Text]:
    def make(*parts: Any) -> _Text:
        if not all(isinstance(p, str) for p in parts):
            raise PickleRefused("a path built from unexpected arguments")
        cls = pathlib.PureWindowsPath if flavour == "windows" else pathlib.PurePosixPath
        return _Text(str(cls(*parts)))
    return make


def _only(kind: type | tuple[type, ...], name: str, convert: Callable[[Any], Any]) -> Callable[..., Any]:
    """A builtin type called by REDUCE on one value of the expected kind (or on nothing)."""
    def make(*args: Any) -> Any:
        if len(args) > 1 or (args and not isinstance(args[0], kind)):
            raise PickleRefused(f"builtins.{name} built from unexpected arguments")
        return convert(args[0]) if args else convert(kind[0]() if isinstance(kind, tuple) else kind())
    return make


def _complex(real: Any = 0, imag: Any = 0) -> complex:
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (real, imag)):
        raise PickleRefused("builtins.complex built from unexpected arguments")
    return complex(real, imag)


def _plain_dict(items: Any = None) -> _Dict:
    out = _Dict()
    if items is None:
        return out
    if isinstance(items, dict):
        out.update(items)
    elif isinstance(items, (list, tuple)) and all(isinstance(p, tuple) and len(p) == 2 for p in items):
        out.update(items)
    else:
        raise PickleRefused("a dict built from unexpected arguments")
    return out


def _defaultdict(factory: Any = None, *rest: Any) -> _Dict:
    # The factory is kept by the real defaultdict and called only on a missing key; ours never
    # calls it, and it can only be something `find_class` admitted anyway.
    if rest:
        raise PickleRefused("collections.defaultdict built from unexpected arguments")
    return _Dict()


def _stand_ins() -> dict[tuple[str, str], Any]:
    table: dict[tuple[str, str], Any] = {}
    for module, names in _MODELS.items():
        for name in names:
            table[(module, name)] = type(name, (_Model,), {"__slots__": (), "_name": f"{module}.{name}"})
    makers: dict[tuple[str, str], Callable[..., Any]] = {}
    for module, names in _ENUMS.items():
        for name in names:
            makers[(module, name)] = _enum(f"{module}.{name}")
    makers.update({
        ("builtins", "dict"): _plain_dict,
        ("builtins", "list"): _only((list, tuple), "list", list),
        ("builtins", "tuple"): _only((tuple, list), "tuple", tuple),
        ("builtins", "set"): _only((list, tuple, set, frozenset), "set", list),
        ("builtins", "str"): _only((str,), "str", str),
        ("builtins", "bytes"): _only((bytes, bytearray), "bytes", bytes),
        ("builtins", "bytearray"): _only((bytes, bytearray), "bytearray", bytes),
        ("builtins", "int"): _only((int,), "int", int),
        ("builtins", "float"): _only((float, int), "float", float),
        ("builtins", "bool"): _only((bool, int), "bool", bool),
        ("builtins", "complex"): _complex,
        ("collections", "OrderedDict"): _plain_dict,
        ("collections", "defaultdict"): _defaultdict,
        ("datetime", "datetime"): _datetime,
        ("datetime", "date"): _date,
        ("datetime", "time"): _time,
        ("datetime", "timedelta"): _timedelta,
        ("datetime", "timezone"): _timezone,
        ("decimal", "Decimal"): _decimal,
    })
    for module in ("pathlib", "pathlib._local"):
        for name in ("PurePosixPath", "PosixPath"):
            makers[(module, name)] = _path("posix")
        for name in ("PureWindowsPath", "WindowsPath"):
            makers[(module, name)] = _path("windows")
    table.update({key: _Maker(".".join(key), call) for key, call in makers.items()})
    table[("uuid", "UUID")] = _Uuid  # a class: UUIDs pickle as NEWOBJ + BUILD
    return table


_STAND_INS = _stand_ins()


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        found = _STAND_INS.get((module, name))
        if found is None:
            shown = f"{str(module)[:80]}.{str(name)[:80]}"
            if not shown.isprintable():
                shown = repr(shown)
            raise PickleRefused(f"refused {shown}: not a class ADK's event actions hold")
        return found

    def persistent_load(self, pid: Any) -> Any:
        raise PickleRefused("refused a persistent id")


def _check_opcodes(data: bytes) -> None:
    """Read the opcodes (executing nothing): only those ADK writes, memo indices in range."""
    count = 0
    for opcode, arg, _pos in pickletools.genops(data):
        count += 1
        if opcode.name not in _OPCODES:
            raise PickleRefused(f"refused the pickle opcode {opcode.name}")
        if opcode.name in _MEMO_OPS and not (isinstance(arg, int) and 0 <= arg < count):
            raise PickleRefused("a memo index out of range")


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
    if isinstance(value, _EnumValue) and isinstance(value.value, (str, int)):
        return True, value.value
    if isinstance(value, _Text) and isinstance(value.text, str):
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
    if isinstance(value, _Uuid):
        state = value.state
        number = state.get("int") if isinstance(state, dict) else None
        if type(number) is not int or not 0 <= number < 2**128:
            raise PickleRefused("uuid.UUID of an unexpected state")
        h = f"{number:032x}"
        return True, f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return False, None


def _model_fields(model: _Model) -> dict:
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
    if isinstance(key, _EnumValue):
        key = key.value
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return str(key)
    raise PickleRefused(f"a dict key of type {type(key).__name__}")


def _children(value: Any, free: bool) -> tuple[Any, list[tuple[Any, Any, bool]]] | None:
    """A container's empty JSON counterpart and its (slot, child, free) items, or None."""
    if isinstance(value, _Model):
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
        _check_opcodes(data)
        loaded = _Unpickler(io.BytesIO(data)).load()
    except PickleRefused:
        raise
    except Exception as exc:  # noqa: BLE001: hostile bytes can fail the unpickler in many ways
        # (UnpicklingError, ValueError, EOFError, TypeError, MemoryError, ...): one line each
        problem = str(exc).splitlines()[0][:120] if str(exc) else ""
        raise PickleRefused(f"not a readable pickle: {type(exc).__name__}"
                            + (f": {problem}" if problem else "")) from None
    if not isinstance(loaded, _Model) or loaded._name != "google.adk.events.event_actions.EventActions":
        what = loaded._name if isinstance(loaded, _Model) else type(loaded).__name__
        raise PickleRefused(f"expected a pickled EventActions, got {what}")
    actions = to_plain(loaded, max(_COST_FLOOR, _COST_PER_BYTE * len(data)))
    for name in _ACTIONS_DEFAULTS:
        if actions.get(name) is None:
            actions[name] = {}
    return actions
