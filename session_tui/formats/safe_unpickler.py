"""The restricted unpickler of schema-0 ADK event actions (adk_pickle): it admits exactly the
globals ADK's pickles name, by module and name, and resolves each to a stand-in of our own that
only records what the pickle gave it (a pydantic model's `BUILD` state, an enum member's value,
a Decimal or a path as text). It never imports or calls an ADK, google-genai or pydantic class,
and nothing else is resolvable at all (`os.system`, `builtins.eval`, `subprocess.*`, persistent
ids, the extension registry). `check_opcodes` reads the opcodes first without executing any:
only those ADK writes, memo indices in range."""

from __future__ import annotations

import datetime as _dt
import decimal
import pathlib
import pickle
import pickletools
from typing import Any, Callable


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

class Model:
    """A pydantic model as its pickle gave it: the state `BUILD` passed, recorded, never used to
    make the real class. One subclass per admitted name (`_name` = "module.Class")."""

    __slots__ = ("state",)
    _name = ""

    def __new__(cls, *args: Any, **kwargs: Any) -> "Model":
        if args or kwargs:  # pydantic pickles call `cls.__new__(cls)` with nothing
            raise PickleRefused(f"{cls._name} built with arguments")
        obj = object.__new__(cls)
        obj.state = None
        return obj

    def __setstate__(self, state: Any) -> None:
        if self.state is not None:
            raise PickleRefused(f"{self._name} given a state twice")
        self.state = state


class Uuid(Model):
    __slots__ = ()
    _name = "uuid.UUID"


class _Sealed:
    """A stand-in value that a pickle's `BUILD` cannot change afterwards."""

    __slots__ = ()

    def __setstate__(self, state: Any) -> None:
        raise PickleRefused(f"refused a state given to a {type(self).__name__.strip('_')}")


class EnumValue(_Sealed):
    """An enum member: only its value is kept (what pydantic writes in JSON)."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


class Text(_Sealed):
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


def _enum(name: str) -> Callable[[Any], EnumValue]:
    def member(value: Any) -> EnumValue:
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise PickleRefused(f"{name} member of an unexpected value")
        return EnumValue(value)
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


def _decimal(value: Any = "0", *rest: Any) -> Text:
    if rest or not isinstance(value, str) or len(value) > 10_000:
        raise PickleRefused("decimal.Decimal built from unexpected arguments")
    try:
        return Text(str(decimal.Decimal(value)))
    except decimal.InvalidOperation:
        raise PickleRefused("decimal.Decimal of something not a number") from None


def _path(flavour: str) -> Callable[..., Text]:
    def make(*parts: Any) -> Text:
        if not all(isinstance(p, str) for p in parts):
            raise PickleRefused("a path built from unexpected arguments")
        cls = pathlib.PureWindowsPath if flavour == "windows" else pathlib.PurePosixPath
        return Text(str(cls(*parts)))
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
            table[(module, name)] = type(name, (Model,), {"__slots__": (), "_name": f"{module}.{name}"})
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
    table[("uuid", "UUID")] = Uuid  # a class: UUIDs pickle as NEWOBJ + BUILD
    return table


_STAND_INS = _stand_ins()


class Unpickler(pickle.Unpickler):
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


def check_opcodes(data: bytes) -> None:
    """Read the opcodes (executing nothing): only those ADK writes, memo indices in range."""
    count = 0
    for opcode, arg, _pos in pickletools.genops(data):
        count += 1
        if opcode.name not in _OPCODES:
            raise PickleRefused(f"refused the pickle opcode {opcode.name}")
        if opcode.name in _MEMO_OPS and not (isinstance(arg, int) and 0 <= arg < count):
            raise PickleRefused("a memo index out of range")
