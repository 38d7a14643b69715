"""Schema-0 ADK databases (google-adk before 1.22: a column per event field, `events.actions`
pickled): read as google-adk's own `adk migrate session` converts them, through a restricted
unpickler that never runs a pickle.

The judge is google-adk 2.13: its DatabaseSessionService on the `*.migrated-v1.db` copies in
../shared/real-sessions (made with `adk migrate session`), and its migration's own row converter
(`_row_to_event`) on rows we build with its classes.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import pickle
import shutil
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from budget import examples

from session_tui.formats import adk_json, adk_pickle, adk_schema0, adk_sqlite, reading
from session_tui.formats.adk_pickle import PickleRefused, load_event_actions
from session_tui.model import SessionFormatError, json_equal

REAL = Path(__file__).resolve().parents[3] / "shared" / "real-sessions"
SCHEMA_0 = ["kaggle5", "rishab", "ottawa-health"]
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"{REAL} is not here")


def real0(name: str) -> Path:
    return REAL / f"{name}_my_agent_data.db"


def migrated(name: str) -> Path:
    return REAL / f"{name}_my_agent_data.migrated-v1.db"


@pytest.fixture
def zone(monkeypatch):
    """Set the local time zone of this process (schema 0's times are naive local times)."""
    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()
    yield set_zone
    monkeypatch.undo()
    time.tzset()


def _rows(path: Path) -> list[dict]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute("SELECT * FROM events ORDER BY timestamp, id")]


def _without_node_info(data: dict) -> dict:
    """google-adk 2.x adds `node_info` (a field ADK before 1.22 did not have) with its default
    when it migrates; it was never in the file, and ADK fills it in when it reads an event."""
    return {k: v for k, v in data.items() if k != "node_info"}


def _same_event_data(ours: dict, theirs: dict) -> None:
    theirs = _without_node_info(theirs)
    # A set to ADK: written in its process's hash order; compared as sets.
    assert sorted(ours.pop("long_running_tool_ids")) == sorted(theirs.pop("long_running_tool_ids"))
    assert ours == theirs


# ------------------------------------------------------------------ real files vs google-adk

adk = pytest.importorskip("google.adk")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from google.adk.events.event import Event as AdkEvent
    from google.adk.events.event_actions import EventActions as AdkActions, EventCompaction
    from google.adk.sessions import DatabaseSessionService, Session as AdkSession
    from google.adk.sessions.migration import migrate_from_sqlalchemy_pickle as adk_migration
    from google.adk.tools.tool_confirmation import ToolConfirmation
    from google.genai import types


async def _adk_sessions(path: Path) -> dict[tuple, AdkSession]:
    service = DatabaseSessionService(f"sqlite+aiosqlite:///{path}")
    out = {}
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            apps = [r[0] for r in db.execute("SELECT DISTINCT app_name FROM sessions")]
        for app in apps:
            for s in (await service.list_sessions(app_name=app)).sessions:
                got = await service.get_session(app_name=app, user_id=s.user_id, session_id=s.id)
                out[(got.app_name, got.user_id, got.id)] = got
    finally:
        await service.close()
    return out


def _dump(session: AdkSession) -> dict:
    return session.model_dump(mode="json", exclude_none=True, by_alias=True)


@needs_real
@pytest.mark.parametrize("name", SCHEMA_0)
def test_real_schema0_reads_as_google_adk_reads_its_migrated_copy(name, tmp_path, zone):
    # The copies were migrated on a machine set to UTC, and the migration reads schema 0's naive
    # local event times in the migrating machine's zone: read here in the same zone.
    zone("UTC")
    copy = tmp_path / "migrated.db"
    shutil.copy2(migrated(name), copy)  # ADK's service may touch the file; the original stays
    theirs = asyncio.run(_adk_sessions(copy))
    ours = {(s.app_name, s.user_id, s.id): s for s in adk_sqlite.read_sqlite_path(real0(name))}
    assert sorted(ours) == sorted(theirs) and theirs
    for key, adk_session in theirs.items():
        session = ours[key]
        assert json_equal(session.state, adk_session.state)
        assert [e.id for e in session.events] == [e.id for e in adk_session.events]
        assert [e.timestamp for e in session.events] == [e.timestamp for e in adk_session.events]
        out = adk_json.to_adk_json(session)
        assert out["lastUpdateTime"] == adk_session.last_update_time
        # Field by field: the whole session as ADK's own model holds it.
        loaded = AdkSession.model_validate_json(orjson.dumps(out))
        assert _dump(loaded) == _dump(adk_session)


@needs_real
@pytest.mark.parametrize("name", SCHEMA_0)
def test_each_row_is_the_event_data_of_the_migrated_copy(name, zone):
    zone("UTC")  # (see above)
    with sqlite3.connect(f"file:{migrated(name)}?mode=ro", uri=True) as db:
        theirs = {r[0]: orjson.loads(r[1]) for r in db.execute("SELECT id, event_data FROM events")}
    rows = _rows(real0(name))
    assert len(rows) == len(theirs)
    for row in rows:
        _same_event_data(adk_schema0.event_data(row), theirs[row["id"]])


@needs_real
@pytest.mark.parametrize("place", ["America/Toronto", "Asia/Kolkata", "Pacific/Chatham"])
def test_naive_local_times_are_read_in_this_machines_zone_as_adk_reads_them(place, zone):
    zone(place)
    for name in SCHEMA_0:
        for row in _rows(real0(name)):
            theirs = adk_migration._row_to_event(dict(row)).model_dump(mode="json", exclude_none=True)
            _same_event_data(adk_schema0.event_data(row), theirs)


# ------------------------------------------------------------------ built with google-adk's classes

def _rich_actions() -> AdkActions:
    import collections
    import datetime as dt
    import decimal
    import uuid

    content = types.Content(role="model", parts=[
        types.Part(text="summary", thought_signature=b"\xff\xfe-sig"),
        types.Part(function_call=types.FunctionCall(id="c1", name="f", args={"k": None, "n": [1, 2]})),
        types.Part(executable_code=types.ExecutableCode(code="print(1)", language=types.Language.PYTHON))])
    return AdkActions(
        state_delta={
            "none": None, "nested": {"a": None, "b": [None, 1.5, True]}, "bytes": b"\x00\xff-_?",
            "when": dt.datetime(2025, 1, 2, 3, 4, 5, 6),
            "when_utc": dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
            "when_east": dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
            "day": dt.date(2025, 1, 2), "clock": dt.time(1, 2, 3, 4),
            "span": dt.timedelta(days=1, seconds=3661, microseconds=5), "back": dt.timedelta(seconds=-90),
            "zero": dt.timedelta(0), "money": decimal.Decimal("1.10"), "id": uuid.UUID(int=5),
            "tags": {"b", "a", "c"}, "pair": (1, "a"), "od": collections.OrderedDict(z=1, a=2),
            "dd": collections.defaultdict(list, a=[1]), "c": 1 + 2j, "inf": float("inf"),
            "lang": types.Language.PYTHON, "int_keys": {1: "x"}, "content": content,
            "app:shared": [1, {"deep": [[["x"]]]}]},
        artifact_delta={"report.txt": 2}, transfer_to_agent="helper", escalate=True,
        skip_summarization=True,
        requested_tool_confirmations={"call-1": ToolConfirmation(hint="sure?", payload={"n": None})},
        compaction=EventCompaction(start_timestamp=1.5, end_timestamp=2.5, compacted_content=content),
        end_of_agent=True, agent_state={"step": 3, "seen": None},
        rewind_before_invocation_id="e-1")


def _row(actions: bytes, **columns) -> dict:
    row = {"id": "ev-1", "app_name": "a", "user_id": "u", "session_id": "s", "invocation_id": "e-1",
           "author": "agent", "actions": actions, "long_running_tool_ids_json": '["t2", "t1"]',
           "branch": "root.helper", "timestamp": "2025-11-30 02:02:39.924856",
           "content": '{"parts": [{"text": "hi"}], "role": "model"}', "partial": 0, "turn_complete": 1,
           "error_code": None, "error_message": None, "interrupted": None,
           "usage_metadata": '{"total_token_count": 3}', "custom_metadata": '{"k": null}',
           "input_transcription": '{"text": "spoken", "finished": true}'}
    row.update(columns)
    return row


@pytest.mark.parametrize("protocol", [3, 4, 5])
def test_rich_actions_read_as_adks_migration_reads_them(protocol, zone):
    zone("Europe/Paris")
    row = _row(pickle.dumps(_rich_actions(), protocol))
    theirs = adk_migration._row_to_event(dict(row)).model_dump(mode="json", exclude_none=True)
    ours = adk_schema0.event_data(row)
    # A set's order is its writing process's hash order; ours is sorted, so compare as sets.
    assert sorted(ours["actions"]["state_delta"].pop("tags")) == sorted(theirs["actions"]["state_delta"].pop("tags"))
    _same_event_data(ours, theirs)


def test_an_actions_pickle_of_an_older_adk_gets_the_fields_adk_fills_in():
    # ADK 1.0's EventActions had no requested_tool_confirmations: the migration gives {}.
    data = pickle.dumps(AdkActions(state_delta={"k": 1}), 5).replace(
        b"requested_tool_confirmations", b"requested_tool_confirmationZ")
    actions = load_event_actions(data)
    assert actions["requested_tool_confirmations"] == {} and actions["state_delta"] == {"k": 1}


# ------------------------------------------------------------------------ hostile pickles
# Hand-assembled (protocol 4 opcodes), so that a payload can name any global, the way an
# attacker's file would, and sit inside an otherwise valid EventActions pickle.

def _text(s: str) -> bytes:
    raw = s.encode()
    return b"\x8c" + bytes([len(raw)]) + raw if len(raw) < 256 else b"X" + struct.pack("<I", len(raw)) + raw


def _global(module: str, name: str) -> bytes:
    return _text(module) + _text(name) + b"\x93"  # STACK_GLOBAL


def _call(callable_: bytes, *args: bytes) -> bytes:
    return callable_ + b"(" + b"".join(args) + b"t" + b"R"  # MARK args TUPLE REDUCE


def _list(*items: bytes) -> bytes:
    return b"]" + b"".join(i + b"a" for i in items)  # EMPTY_LIST (item APPEND)*


def _model(module: str, name: str, fields: bytes, state_extra: bytes = b"") -> bytes:
    return (_global(module, name) + b")\x81"  # NEWOBJ of the class with ()
            + b"}(" + _text("__dict__") + b"}(" + fields + b"u" + _text("__pydantic_extra__") + b"N"
            + _text("__pydantic_fields_set__") + b"\x8f" + _text("__pydantic_private__") + b"N"
            + state_extra + b"ub")  # SETITEMS BUILD


def _actions_with(payload: bytes) -> bytes:
    """An EventActions pickle whose state_delta["x"] is `payload` (opcodes pushing one value)."""
    fields = _text("state_delta") + b"}" + _text("x") + payload + b"s"
    return b"\x80\x04" + _model("google.adk.events.event_actions", "EventActions", fields) + b"."


def _hostile(marker: Path) -> dict[str, bytes]:
    touch = f"touch {marker}"
    opener = f"open({str(marker)!r}, 'w')"
    return {
        "os.system": _actions_with(_call(_global("os", "system"), _text(touch))),
        "posix.system": _actions_with(_call(_global("posix", "system"), _text(touch))),
        "subprocess": _actions_with(_call(_global("subprocess", "check_call"),
                                          _list(_text("touch"), _text(str(marker))))),
        "builtins.eval": _actions_with(_call(_global("builtins", "eval"), _text(opener))),
        "builtins.exec": _actions_with(_call(_global("builtins", "exec"), _text(opener))),
        # A global of an admitted module that is not an admitted class.
        "builtins.open": _actions_with(_call(_global("builtins", "open"), _text(str(marker)), _text("w"))),
        # Dotted names: the stock find_class walks them (pathlib.os.system is os.system).
        "pathlib.os.system": _actions_with(_call(_global("pathlib", "os.system"), _text(touch))),
        "dotted class": _actions_with(_call(_global("google.adk.events.event_actions",
                                                    "EventActions.__init__.__globals__"))),
        # An admitted class whose state (BUILD, handed to __setstate__) holds a call.
        "setstate holds a call": b"\x80\x04" + _global("google.adk.events.event_actions", "EventActions")
        + b")\x81" + _call(_global("os", "system"), _text(touch)) + b"b.",
        "nested model's state": _actions_with(_model(
            "google.adk.events.event_actions", "EventCompaction",
            _text("start_timestamp") + _call(_global("builtins", "exec"), _text(opener)))),
        # BUILD on an admitted global itself (to rewire it for the next pickle).
        "build on a stand-in": _actions_with(_global("datetime", "datetime") + b"}" + _text("_call")
                                             + _global("builtins", "str") + b"sb"),
        "build on a stand-in class": _actions_with(_global("google.genai.types", "Content") + b"}"
                                                   + _text("x") + b"Nsb"),
        # BUILD (slot state) on a value a stand-in made, to smuggle in something unconverted.
        "build on a made value": _actions_with(_call(_global("decimal", "Decimal"), _text("1")) + b"N}"
                                               + _text("text") + _global("builtins", "str") + b"s\x86b"),
        "persistent id": _actions_with(_text("x") + b"Q"),  # BINPERSID
        "protocol 0 global": b"cos\nsystem\n(S'" + touch.encode() + b"'\ntR.",
        "protocol 0 INST": b"(S'" + touch.encode() + b"'\nios\nsystem\n.",
        "extension code": _actions_with(b"\x82\x01"),  # EXT1
    }


HOSTILE_NAMES = sorted(_hostile(Path("/m")))


def _schema0_db(tmp_path: Path, actions: bytes, row_id: str = "evil-row") -> Path:
    """A copy of a real schema-0 file with one event's actions replaced, or a small one."""
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE sessions (app_name VARCHAR(128), user_id VARCHAR(128), id VARCHAR(128),
            state TEXT, create_time DATETIME, update_time DATETIME, PRIMARY KEY (app_name, user_id, id));
        CREATE TABLE app_states (app_name VARCHAR(128) PRIMARY KEY, state TEXT, update_time DATETIME);
        CREATE TABLE user_states (app_name VARCHAR(128), user_id VARCHAR(128), state TEXT,
            update_time DATETIME, PRIMARY KEY (app_name, user_id));
        CREATE TABLE events (id VARCHAR(128), app_name VARCHAR(128), user_id VARCHAR(128),
            session_id VARCHAR(128), invocation_id VARCHAR(256), author VARCHAR(256), actions BLOB,
            long_running_tool_ids_json TEXT, branch VARCHAR(256), timestamp DATETIME, content TEXT,
            grounding_metadata TEXT, custom_metadata TEXT, usage_metadata TEXT, citation_metadata TEXT,
            partial BOOLEAN, turn_complete BOOLEAN, error_code VARCHAR(256), error_message VARCHAR(1024),
            interrupted BOOLEAN, PRIMARY KEY (id, app_name, user_id, session_id));
    """)
    db.execute("INSERT INTO sessions VALUES ('app', 'ann', 's1', '{\"k\": 1}', '2025-01-01 10:00:00', "
               "'2025-01-01 10:05:00')")
    good = pickle.dumps(AdkActions(state_delta={"k": 1}), 5)
    for i, (eid, blob) in enumerate([("good-row", good), (row_id, actions)]):
        db.execute("INSERT INTO events (id, app_name, user_id, session_id, invocation_id, author, actions, "
                   "timestamp, content) VALUES (?, 'app', 'ann', 's1', 'e-1', 'agent', ?, ?, ?)",
                   (eid, blob, f"2025-01-01 10:0{i}:00.000000", '{"parts": [{"text": "hi"}], "role": "model"}'))
    db.commit()
    db.close()
    return path


@pytest.mark.parametrize("case", HOSTILE_NAMES)
def test_a_hostile_pickle_never_runs_and_names_the_row(case, tmp_path):
    marker = tmp_path / "PWNED"
    path = _schema0_db(tmp_path, _hostile(marker)[case])
    for read in (adk_sqlite.read_sqlite_path, reading.read_path):
        with pytest.raises(SessionFormatError) as caught:
            read(path)
        message = str(caught.value)
        assert "\n" not in message
        assert message.startswith(f"{path}: session 's1' (app 'app', user 'ann'): events[1]: "
                                  "events row 'evil-row': actions: "), message
    assert not marker.exists()
    # The stand-ins are unchanged for the next pickle (a BUILD could not rewire them).
    again = load_event_actions(pickle.dumps(AdkActions(state_delta={
        "d": __import__("datetime").datetime(2025, 1, 1)}), 5))
    assert again["state_delta"] == {"d": "2025-01-01T00:00:00"}


def test_the_payloads_would_run_with_the_stock_unpickler(tmp_path):
    """Proof that the test above can fail: the stock unpickler runs a payload (this one opens,
    and so creates, the file)."""
    marker = tmp_path / "PWNED"
    loaded = pickle.loads(_hostile(marker)["builtins.open"])
    loaded.state_delta["x"].close()
    assert marker.exists()


def _laughs(levels: int) -> bytes:
    """state_delta["x"]: a list holding a list ten times, `levels` deep, through the memo."""
    out = _text("lol") + b"\x940"  # MEMOIZE as 0, POP
    for level in range(levels):
        out += b"(" + (b"h" + bytes([level])) * 10 + b"l\x940"  # MARK, BINGET*10, LIST, MEMOIZE, POP
    return _actions_with(out + b"h" + bytes([levels]))


def _deep(levels: int) -> bytes:
    return _actions_with(b"]" * levels + b"a" * (levels - 1))


@pytest.mark.parametrize("data, problem", [
    (_laughs(12), "expands to far more data"),
    (_deep(adk_pickle.MAX_DEPTH + 5), "nested deeper than"),
    (_actions_with(b"\x8a\x09" + b"\x01" * 9), "beyond 64 bits"),  # LONG1 of 9 bytes
    (_actions_with(b"N" + b"r\xff\xff\xff\x7f"), "memo index"),  # LONG_BINPUT 2**31-1
    (_actions_with(b"h\x05"), "Memo value not found"),  # BINGET of nothing memoised
    (pickle.dumps({"a": 1}, 5), "expected a pickled EventActions, got dict"),
    (pickle.dumps(EventCompaction(start_timestamp=1.0, end_timestamp=2.0, compacted_content=types.Content()), 5), "got google.adk.events.event_actions.EventCompaction"),
    (b"not a pickle", "not a readable pickle"),
    (b"", "not a readable pickle"),
], ids=["laughs", "deep", "big-int", "memo-put", "memo-get", "dict", "compaction", "text", "empty"])
def test_limits_and_wrong_shapes_are_one_line(data, problem):
    with pytest.raises(PickleRefused) as caught:
        load_event_actions(data)
    assert problem in str(caught.value) and "\n" not in str(caught.value)


def test_a_pickle_over_the_size_limit_is_refused_unread(monkeypatch):
    monkeypatch.setattr(adk_pickle, "MAX_PICKLE_BYTES", 100)
    with pytest.raises(PickleRefused, match="more than 100"):
        load_event_actions(pickle.dumps(AdkActions(state_delta={"k": "x" * 200}), 5))


def test_other_bad_columns_name_the_row(tmp_path):
    path = _schema0_db(tmp_path, pickle.dumps(AdkActions(), 5))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE events SET content='{not json' WHERE id='evil-row'")
    with pytest.raises(SessionFormatError, match=r"events\[1\]: events row 'evil-row': content: not valid JSON"):
        adk_sqlite.read_sqlite_path(path)


# ------------------------------------------------------------------------------- fuzzing

def _seeds() -> list[bytes]:
    seeds = [pickle.dumps(_rich_actions(), p) for p in (4, 5)]
    if REAL.is_dir():
        for name in SCHEMA_0:
            with sqlite3.connect(f"file:{real0(name)}?mode=ro", uri=True) as db:
                seeds += [r[0] for r in db.execute("SELECT actions FROM events ORDER BY length(actions) LIMIT 3")]
    return seeds


SEEDS = _seeds()
_AUDITED: list[str] = []
_WATCHING: list[int | None] = [None]  # the thread whose events are recorded


def _audit(event: str, _args) -> None:
    # Only the fuzzed load's own thread: a thread another test left running (a store worker,
    # a server's reader) may import or open files meanwhile; that is not the unpickler.
    if _WATCHING[0] is not None and threading.get_ident() == _WATCHING[0]:
        _AUDITED.append(event)


# Pickle's own opcodes decode text with codecs that Python imports on first use (UNICODE:
# raw-unicode-escape; STRING: the unpickler's encoding): looked up once here, so that a fuzzed
# load that reaches one first is not taken for the unpickler importing something.
for _codec in ("raw-unicode-escape", "unicode-escape", "latin-1", "ascii", "utf-8", "utf-16",
               "utf-32", "charmap", "cp1252"):
    codecs.lookup(_codec)
sys.addaudithook(_audit)  # (cannot be removed; records only while a fuzzed load runs)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(SEEDS), flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)),
                                                  max_size=4),
       cut=st.one_of(st.none(), st.integers(0, 10**6)))
def test_fuzzed_real_pickles_give_only_pickle_refused(seed, flips, cut):
    data = bytearray(seed)
    for where, byte in flips:
        data[where % len(data)] = byte
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    _AUDITED.clear()
    _WATCHING[0] = threading.get_ident()
    try:
        result = load_event_actions(bytes(data))
    except PickleRefused as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(result, dict)
        orjson.dumps(result)  # plain JSON data
    finally:
        _WATCHING[0] = None
    # Nothing but reading: no process, no file, no code compiled or imported.
    assert not [e for e in _AUDITED if not e.startswith(("pickle.", "object."))], _AUDITED


# ------------------------------------------------------------------------------- import

@needs_real
def test_session_tui_import_of_a_schema0_file(tmp_path):
    target = tmp_path / "store"
    env = dict(os.environ, SESSION_TUI_STORE=str(tmp_path / "unused"),
               PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    result = subprocess.run([sys.executable, "-m", "session_tui", "--store", str(target), "import",
                             str(real0("ottawa-health"))], env=env, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    from session_tui.store import open_store

    store = open_store(target)
    expected = adk_sqlite.read_sqlite_path(real0("ottawa-health"))
    assert sorted(store.ids()) == sorted(s.id for s in expected)
    for session in expected:
        got = store.get(session.id)
        assert [e.id for e in got.events] == [e.id for e in session.events]
        assert json_equal(got.state, session.state)
