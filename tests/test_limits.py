"""The limits on values (session_tui.jsonio): nesting (MAX_DEPTH), 64-bit integers, duplicate
keys, event times (years 1-9999). Everything within them imports through every importer,
exports in every format, shows, copies, rewinds and undoes; everything beyond is refused with
one line, at import, at `set`, at `append_event` and when a store file holds it, and the store
is left as it was. The checks never recurse."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # hostile, whatever the import mode

from hostile import (  # noqa: E402
    FORMATS,
    Deep,
    adk_doc,
    assert_one_line,
    big_json,
    deep,
    event_doc,
    import_or_refuse,
    session_doc,
    shown,
    tree_hashes,
    write_format,
)
from session_tui import jsonio  # noqa: E402
from session_tui.formats import reading  # noqa: E402
from session_tui.jsonio import MAX_DEPTH  # noqa: E402
from session_tui.model import Event, Session, SessionFormatError  # noqa: E402
from session_tui.store import CorruptFile, DirectoryStore, StoreError, TinyFileStore, open_store  # noqa: E402

TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"


def _docs(kind: str, doc: dict) -> list[dict]:
    return [adk_doc(doc) if kind.startswith("adk") else doc]


def _deep_session(levels: int) -> dict:
    """A session with a value `levels` deep in each place a value can be: the state, a
    state_delta, an event's extra field, the initial state."""
    return session_doc(
        state={"deep": deep(levels), "plain": 1}, initial_state={"deep": deep(levels)},
        events=[event_doc(actions={"state_delta": {"deep": deep(levels)}}),
                event_doc(id="e2", invocation_id="i2", actions={"state_delta": {"plain": 2}},
                          usage=deep(levels))])


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "store"
    DirectoryStore(path, create=True).create("app", "u", {"k": 1}, session_id="other")
    return path


# ------------------------------------------------------------------------------------ depth


def test_depth_counts_levels_within_a_value():
    assert jsonio.value_problem(deep(MAX_DEPTH)) is None
    assert jsonio.value_problem(deep(MAX_DEPTH + 1)) == TOO_DEEP
    assert jsonio.value_problem([[1]]) is None and jsonio.depth_of([[1]]) == 2


@pytest.mark.parametrize("kind", FORMATS)
def test_a_session_at_the_depth_limit_imports_exports_shows_copies_rewinds_and_undoes(kind, tmp_path, store_path):
    doc = _deep_session(MAX_DEPTH)
    source = write_format(tmp_path / f"in.{kind}", kind, _docs(kind, doc))
    assert import_or_refuse(source, store_path) == "imported"
    store = open_store(store_path)
    session = store.get("s1")
    assert session.state["deep"] == deep(MAX_DEPTH)
    assert session.events[1].extra["usage"] == deep(MAX_DEPTH)
    store.rewind("s1", "i2", before=True)  # the state value `deep` comes back from the initial state
    store.set_value("s1", "/plain", 3)
    store.undo("s1")
    store.undo("s1")
    assert store.get("s1").export() == session.export()
    assert b'"d"' in shown(store_path, "s1")


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("place", ["state", "state_delta", "event extra", "initial state"])
def test_an_import_one_level_too_deep_is_refused_naming_the_place(kind, place, tmp_path, store_path):
    doc = _deep_session(3)
    too_deep = deep(MAX_DEPTH + 1)
    if place == "state":
        doc["state"]["x"] = too_deep
    elif place == "state_delta":
        doc["events"][0]["actions"]["state_delta"]["x"] = too_deep
    elif place == "event extra":
        doc["events"][1]["usage"] = too_deep
    else:
        doc["initial_state"]["x"] = too_deep
    if kind.startswith("adk") and place == "initial state":
        pytest.skip("ADK JSON has no initial state")
    source = write_format(tmp_path / f"in.{kind}", kind, _docs(kind, doc))
    before = tree_hashes(store_path)
    with pytest.raises(SessionFormatError) as info:
        reading.read_path(source)
    assert_one_line(info.value)
    assert str(info.value).endswith(TOO_DEEP) and str(source) in str(info.value)
    expected_place = {"state": 'state["x"]', "state_delta": 'events[0].actions.state_delta["x"]',
                      "event extra": "events[1].usage", "initial state": 'initial_state["x"]'}[place]
    assert expected_place in str(info.value)
    assert import_or_refuse(source, store_path) == "refused"
    assert tree_hashes(store_path) == before


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("levels", [1_000, 5_000, 200_000])
def test_imports_nested_far_too_deep_are_refused_without_recursion(kind, levels, tmp_path, store_path):
    doc = session_doc(state={"deep": Deep(levels)})
    source = write_format(tmp_path / f"in.{kind}", kind,
                          [doc] if not kind.startswith("adk") else
                          [dict(id="s1", appName="a", userId="u", state=doc["state"], events=[])])
    with pytest.raises(SessionFormatError) as info:
        reading.read_path(source)
    assert_one_line(info.value)
    assert TOO_DEEP in str(info.value)
    assert import_or_refuse(source, store_path) == "refused"


def test_the_depth_checks_do_not_recurse():
    limit = sys.getrecursionlimit()
    value = deep(100_000)
    text = "[" * 100_000 + "]" * 100_000
    sys.setrecursionlimit(120)  # far less than any recursive walk of these would need
    try:
        problem = jsonio.value_problem(value)
        depth = jsonio.depth_of(value)
        with pytest.raises(jsonio.JSONLimitError):
            jsonio.parse(text)
    finally:
        sys.setrecursionlimit(limit)
    assert problem == TOO_DEEP and depth == 100_001


# --------------------------------------------------------------------- set, append, create


def test_set_and_edits_refuse_a_state_value_nested_too_deep(store_path):
    store = open_store(store_path)
    before = tree_hashes(store_path)
    for pointer, value in (("/x", deep(MAX_DEPTH + 1)), ("/k2/a/b", deep(MAX_DEPTH - 1))):
        with pytest.raises(StoreError) as info:
            store.set_value("other", pointer, value)
        assert_one_line(info.value)
        assert TOO_DEEP in str(info.value) and "'other'" in str(info.value)
    with pytest.raises(StoreError, match=TOO_DEEP):
        store.edit_state("other", lambda s: s.update(x=[deep(MAX_DEPTH)]))
    with pytest.raises(StoreError, match=TOO_DEEP):
        store.create("app", "u", {"x": deep(MAX_DEPTH + 1)})
    assert tree_hashes(store_path) == before
    store.set_value("other", "/x", deep(MAX_DEPTH))  # the limit itself is fine
    assert open_store(store_path).get("other").state["x"] == deep(MAX_DEPTH)


@pytest.mark.parametrize("event", [
    Event("e", "i", "agent", None, timestamp=1.0, extra={"usage": deep(MAX_DEPTH + 1)}),
    Event.new("i", "agent", None, {"k": deep(MAX_DEPTH + 1)}),
    Event.new("i", "agent", None, {"k": 2**64}),
    Event.new("i", "agent", None, {"k": 1}, timestamp=1e12),
    Event.new("i", "agent", None, {"k": 1}, timestamp=-1e20),
], ids=["extra-too-deep", "delta-too-deep", "huge-integer", "time-1e12", "time-before-year-1"])
def test_append_event_refuses_values_beyond_the_limits(event, store_path):
    store = open_store(store_path)
    before = tree_hashes(store_path)
    with pytest.raises(StoreError) as info:
        store.append_event("other", event)
    assert_one_line(info.value)
    assert "'other'" in str(info.value)
    assert tree_hashes(store_path) == before


# ------------------------------------------------------------------------------ store files


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 3_000])
def test_a_store_file_holding_deeper_data_is_a_corrupt_file_naming_it(levels, store_path):
    store = open_store(store_path)
    path = next((store_path / "sessions").iterdir())
    doc = jsonio.loads(path.read_bytes())
    doc["head"]["1"]["state"]["deep"] = deep(levels)  # (store layout 2: the session's head)
    path.write_text(big_json(doc))
    with pytest.raises(CorruptFile) as info:
        open_store(store_path).get("other")
    assert_one_line(info.value)
    assert str(path) in str(info.value) and TOO_DEEP in str(info.value)
    report = open_store(store_path).check()  # moved aside, with the reason
    assert any(TOO_DEEP in line and path.name in line for line in report.repaired + report.damaged)
    assert not path.exists()


def test_a_tinydb_store_file_holding_deeper_data_reports_it(tmp_path):
    path = tmp_path / "sessions.json"
    path.write_text(big_json({"_default": {
        "1": session_doc(id="fine"),
        "2": session_doc(id="deep", state={"deep": deep(MAX_DEPTH + 1)})}}))
    store = TinyFileStore(path)  # that document is reported, the rest of the file opens
    assert store.ids() == ["fine"]
    assert len(store.problems) == 1 and TOO_DEEP in store.problems[0] and str(path) in store.problems[0]
    # Deeper than any JSON reader here goes (orjson: 1,024 levels): the file cannot be read.
    path.write_text(big_json({"_default": {
        "1": session_doc(id="fine"), "2": session_doc(id="deeper", state={"deep": Deep(5_000)})}}))
    with pytest.raises(CorruptFile) as info:
        TinyFileStore(path)
    assert_one_line(info.value)
    assert str(path) in str(info.value) and TOO_DEEP in str(info.value)


# -------------------------------------------------------------------- integers, keys, times


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("number", [2**64, -(2**63) - 1, 10**400], ids=["2**64", "-2**63-1", "10**400"])
def test_imports_refuse_integers_beyond_64_bits(kind, number, tmp_path, store_path):
    doc = session_doc(state={"n": number})
    source = write_format(tmp_path / f"in.{kind}", kind, _docs(kind, doc))
    with pytest.raises(SessionFormatError, match="beyond 64 bits"):
        reading.read_path(source)
    assert import_or_refuse(source, store_path) == "refused"


@pytest.mark.parametrize("kind", FORMATS)
def test_64_bit_integers_are_kept_exactly(kind, tmp_path, store_path):
    doc = session_doc(state={"max": 2**64 - 1, "min": -(2**63), "big": 12345678901234567890})
    source = write_format(tmp_path / f"in.{kind}", kind, _docs(kind, doc))
    assert import_or_refuse(source, store_path) == "imported"
    assert open_store(store_path).get("s1").state == doc["state"]


def test_set_value_refuses_integers_beyond_64_bits(store_path):
    store = open_store(store_path)
    before = tree_hashes(store_path)
    with pytest.raises(StoreError, match="beyond 64 bits"):
        store.set_value("other", "/n", 2**64)
    assert tree_hashes(store_path) == before


@pytest.mark.parametrize("kind", FORMATS)
def test_imports_refuse_duplicate_keys_naming_the_key(kind, tmp_path, store_path):
    source = write_format(tmp_path / f"in.{kind}", kind,
                          _docs(kind, session_doc(state={"twice": 1, "other": 2})))
    if kind == "adk-sqlite":
        import sqlite3

        with sqlite3.connect(source) as db:
            db.execute("""UPDATE sessions SET state = '{"twice": 1, "twice": 2}'""")
        db.close()
    else:
        source.write_text(source.read_text().replace('"other"', '"twice"'))
    with pytest.raises(SessionFormatError, match='duplicate key "twice"'):
        reading.read_path(source)
    assert import_or_refuse(source, store_path) == "refused"


def test_duplicate_keys_are_found_at_any_depth_and_only_when_there_are_some():
    with pytest.raises(jsonio.JSONLimitError, match='duplicate key "b"'):
        jsonio.parse(b'{"a": [{"x": ":"}, {"b": 1, "b": 1}]}')
    assert jsonio.parse(b'{"a": "b:c", "d": {"e": ":"}}') == {"a": "b:c", "d": {"e": ":"}}


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("ts", [1e12, -1e12, 1e300])
def test_imports_refuse_event_times_outside_years_1_to_9999(kind, ts, tmp_path, store_path):
    doc = session_doc(events=[event_doc(timestamp=ts)])
    if kind.startswith("adk"):
        docs = [adk_doc(session_doc())]
        docs[0]["events"] = [dict(adk_doc(session_doc(events=[event_doc()]))["events"][0], timestamp=ts)]
    else:
        docs = [doc]
    source = write_format(tmp_path / f"in.{kind}", kind, docs)
    with pytest.raises(SessionFormatError, match="time out of range"):
        reading.read_path(source)
    assert import_or_refuse(source, store_path) == "refused"


def test_event_times_at_the_ends_of_the_range_import_and_show(tmp_path, store_path):
    doc = session_doc(events=[event_doc(timestamp=-62_135_596_800),
                              event_doc(id="e2", timestamp=253_402_300_799)])
    source = write_format(tmp_path / "in.json", "session-json", [doc])
    assert import_or_refuse(source, store_path) == "imported"
    out = shown(store_path, "s1").decode()
    assert "0001-01-01T00:00:00Z" in out and "9999-12-31T23:59:59Z" in out
    with pytest.raises(SessionFormatError):
        Session.from_json(session_doc(events=[event_doc(timestamp=253_402_300_800)]))
