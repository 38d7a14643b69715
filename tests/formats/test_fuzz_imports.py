"""Hostile imports (issue 7, suite item 6): every importer fed random bytes, random JSON, mutated
valid sessions (export shape, JSON Lines, TinyDB, ADK JSON, ADK SQLite), hostile ids, and
values at and beyond the limits. Each input either imports correctly (stored as read, shown,
exported in every format and read back the same) or fails with one line (a SessionFormatError
or StoreError, never a RecursionError, OverflowError or TypeError) and leaves the store as it
was, byte for byte (`hostile.import_or_refuse`).

Bounded for the normal run: FUZZ_EXAMPLES inputs per test (100), a few seconds each. The long
run sets SESSION_TUI_FUZZ_EXAMPLES (e.g. 5000)."""

from __future__ import annotations

import copy
import json
import os
import sys
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # hostile, strategies

from hostile import (  # noqa: E402
    FORMATS,
    Deep,
    adk_doc,
    big_json,
    deep,
    event_doc,
    import_or_refuse,
    session_doc,
    tree_hashes,
    write_format,
)
from budget import examples  # noqa: E402
from strategies import json_values, session_exports  # noqa: E402
from session_tui.formats import reading  # noqa: E402
from session_tui.formats.reading import SQLITE_MAGIC  # noqa: E402
from session_tui.jsonio import MAX_DEPTH  # noqa: E402
from session_tui.store import DirectoryStore, open_store  # noqa: E402

FUZZ_EXAMPLES = int(os.environ.get("SESSION_TUI_FUZZ_EXAMPLES", examples(30)))
FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])

OUTCOMES: dict[str, dict[str, int]] = {}  # test -> {"imported": n, "refused": n}


@pytest.fixture(scope="module", autouse=True)
def _no_fsync():
    """These tests are about what gets in, not about durability (tests/store covers crashes):
    without fsync an import costs a few milliseconds instead of tens."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: None)
        yield


@pytest.fixture(scope="module", autouse=True)
def _report_outcomes():
    """With SESSION_TUI_FUZZ_REPORT=1 (and -s): how many inputs each fuzz tried, how they ended."""
    yield
    if os.environ.get("SESSION_TUI_FUZZ_REPORT"):
        for test, counts in OUTCOMES.items():
            print(f"\n{test}: {sum(counts.values())} inputs: {counts}")


def _try(test: str, kind: str, docs_or_bytes, show: bool = True) -> str:
    """Write the input, import it into a fresh store, apply the rule, count the outcome."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store_path = root / "store"
        DirectoryStore(store_path, create=True).create("app", "u", {"k": 1}, session_id="already")
        source = root / f"input.{kind}"
        if isinstance(docs_or_bytes, bytes):
            source.write_bytes(docs_or_bytes)
        else:
            write_format(source, kind, docs_or_bytes)
        outcome = import_or_refuse(source, store_path, check_show=show)
    counts = OUTCOMES.setdefault(test, {"imported": 0, "refused": 0})
    counts[outcome] += 1
    return outcome


# ------------------------------------------------------------------------------ hostile values

HOSTILE_VALUES = st.sampled_from([
    Deep(MAX_DEPTH + 1), Deep(MAX_DEPTH), Deep(2_000), 2**64, -(2**63) - 1, 2**64 - 1, 1e12,
    -1e300, 1.5e308, "", "\x00", "\u202eevil\u200b\ufeff", "\x1b]0;t\x07", "x" * 10_000,
    None, True, [], {}, "1e12", "../../x", {"": {"": []}},
]).map(copy.deepcopy)  # each draw its own: mutations change values in place
ANY_VALUE = st.one_of(json_values, HOSTILE_VALUES)


def _places(doc):
    """Every (container, key or index) in a JSON document, without recursion."""
    out, pending = [], [doc]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            out.extend((item, k) for k in item)
            pending.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            out.extend((item, i) for i in range(len(item)))
            pending.extend(v for v in item if isinstance(v, (dict, list)))
    return out


@st.composite
def mutated(draw, doc):
    """`doc` with a few places replaced by hostile or random values, or removed."""
    for _ in range(draw(st.integers(1, 3))):
        places = _places(doc)
        if not places:
            break
        parent, key = draw(st.sampled_from(places))
        if isinstance(parent, dict) and draw(st.integers(0, 4)) == 0:
            del parent[key]
        else:
            parent[key] = draw(ANY_VALUE)
    return doc


_DUP_MARK = "\0dup\0"


def _with_a_duplicate_key(doc, where: int) -> str:
    """The document's JSON text with one object's first key written twice (`{"k": 0, "k": ...`):
    the `where`-th non-empty object (counted without recursion) gets a marker key first, which
    the text then spells as that object's first key."""
    objects, pending = [], [doc]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if item:
                objects.append(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    target = objects[where % len(objects)]
    first = next(iter(target))
    items = list(target.items())
    target.clear()
    target.update([(_DUP_MARK, 0)] + items)
    text = big_json(doc)
    return text.replace(json.dumps(_DUP_MARK) + ": 0", json.dumps(first, ensure_ascii=False) + ": 0", 1)


# --------------------------------------------------------------------------------- the fuzz


@FUZZ
@given(data=st.one_of(st.binary(max_size=200),
                      st.tuples(st.sampled_from([b"{", b"[", SQLITE_MAGIC, b"\xef\xbb\xbf{", b'{"_default": {']),
                                st.binary(max_size=200)).map(b"".join)))
def test_random_bytes(data):
    _try("random bytes", "bin", data, show=False)


@FUZZ
@given(value=st.one_of(ANY_VALUE, st.lists(ANY_VALUE, max_size=3),
                       st.dictionaries(st.sampled_from(["id", "app_name", "appName", "state", "events",
                                                        "_default", "1", "created_at"]),
                                       ANY_VALUE, max_size=6)))
def test_random_json(value):
    _try("random JSON", "json", big_json(value).encode("utf-8", "surrogatepass"), show=False)


@FUZZ
@given(kind=st.sampled_from(["session-json", "jsonl", "tinydb"]), data=st.data())
def test_mutated_sessions(kind, data):
    docs = data.draw(st.lists(session_exports(max_events=2), min_size=1, max_size=2))
    docs = [data.draw(mutated(doc)) if data.draw(st.booleans()) else doc for doc in docs]
    _try("mutated sessions", kind, docs)


@FUZZ
@given(kind=st.sampled_from(["session-json", "jsonl", "tinydb", "adk-json"]), data=st.data(),
       where=st.integers(0, 1_000))
def test_duplicate_keys_anywhere(kind, data, where):
    doc = data.draw(session_exports(max_events=2))
    text = _with_a_duplicate_key(adk_doc(doc) if kind == "adk-json" else doc, where)
    source = text.encode("utf-8", "surrogatepass")
    if kind == "tinydb":
        source = b'{"_default": {"1": ' + source + b"}}"
    assert _try("duplicate keys", kind, source) == "refused"


@FUZZ
@given(kind=st.sampled_from(FORMATS), value=st.one_of(HOSTILE_VALUES, HOSTILE_VALUES, json_values),
       data=st.data(),
       place=st.sampled_from(["state", "state_delta", "event field", "actions field", "session field",
                              "initial state", "timestamp"]))
def test_hostile_values_where_values_go(kind, value, place, data):
    """The places a session keeps values, each given a hostile (or random) one."""
    doc = data.draw(session_exports(max_events=2))
    if not doc["events"]:
        doc["events"] = [event_doc()]
    adk = kind.startswith("adk")
    if adk:
        doc = adk_doc(doc)
    event = doc["events"][-1]
    event.setdefault("actions", {})
    target = {"state": doc["state"], "event field": event, "actions field": event["actions"],
              "state_delta": event["actions"].setdefault("stateDelta" if adk else "state_delta", {}),
              "session field": doc,
              "initial state": doc if adk else doc.setdefault("initial_state", {})}.get(place)
    if target is None:
        event["timestamp"] = value
    else:
        target["hostile"] = value
    _try("hostile values", kind, [doc])


@FUZZ
@given(data=st.data())
def test_mutated_adk_json(data):
    docs = [adk_doc(d) for d in data.draw(st.lists(session_exports(max_events=2), min_size=1, max_size=2))]
    docs = [data.draw(mutated(doc)) if data.draw(st.booleans()) else doc for doc in docs]
    _try("mutated ADK JSON", "adk-json", docs)


@FUZZ
@given(data=st.data())
def test_mutated_adk_sqlite(data):
    docs = [adk_doc(d) for d in data.draw(st.lists(session_exports(max_events=2), min_size=1, max_size=2))]
    for doc in docs:
        doc["appName"], doc["userId"], doc["id"] = (str(x) for x in (doc["appName"], doc["userId"], doc["id"]))
        choice = data.draw(st.integers(0, 3))
        if choice == 1:
            doc["state"] = data.draw(st.one_of(ANY_VALUE, st.text(max_size=20)))  # also raw text
        elif choice == 2 and doc["events"]:
            i = data.draw(st.integers(0, len(doc["events"]) - 1))
            doc["events"][i] = data.draw(st.one_of(mutated(doc["events"][i]), st.text(max_size=20)))
        elif choice == 3:
            doc["lastUpdateTime"] = data.draw(st.sampled_from([1e12, -1e12, 0, 2**40]))
    _try("mutated ADK SQLite", "adk-sqlite", docs)


# ------------------------------------------------------------------------------- hostile ids

HOSTILE_IDS = ["../../x", "..", ".", "/abs/path", "C:\\x", "a/b", "a\x00b", "x" * 10_000, "CON",
               "con.txt", "NUL", "", " ", "-rf", "\u202eevil", "a\nb", ".hidden", "index.json",
               "~", "é", unicodedata.normalize("NFD", "é"), "Abc", "abc", "\udcff"]


@pytest.mark.parametrize("kind", ["session-json", "adk-json", "adk-sqlite"])
@pytest.mark.parametrize("backend", ["directory", "tinyfile"])
def test_hostile_ids_stay_inside_the_store_and_twins_stay_apart(kind, backend, tmp_path):
    outside = tmp_path / "x"
    outside.write_text("planted")  # what `../../x` would reach from a session file
    (tmp_path / "CON").write_text("planted")
    if backend == "directory":
        store_path = tmp_path / "a" / "b" / "store"
        DirectoryStore(store_path, create=True)
    else:
        store_path = tmp_path / "a" / "b" / "sessions.json"
        store_path.parent.mkdir(parents=True)
        store_path.write_bytes(b'{"_default": {}}')
    imported = []
    for n, session_id in enumerate(HOSTILE_IDS):
        doc = session_doc(id=session_id, state={"n": n})
        if kind != "session-json":
            doc = adk_doc(doc)
        source = tmp_path / f"in{n}.{kind}"
        try:
            write_format(source, kind, [doc])
        except UnicodeEncodeError:
            continue  # a lone surrogate: no UTF-8 file or SQLite text can hold it
        before = tree_hashes(store_path.parent)
        outcome = import_or_refuse(source, store_path, check_show=backend == "directory")
        if outcome == "refused":
            assert tree_hashes(store_path.parent) == before
        else:
            imported.append((session_id, n))
    store = open_store(store_path)
    for session_id, n in imported:  # every id its own session: twins (case, NFC/NFD) apart
        assert store.get(session_id).state == {"n": n}
    assert {"abc", "Abc", "é", unicodedata.normalize("NFD", "é")} <= {i for i, _ in imported}
    assert outside.read_text() == "planted" and (tmp_path / "CON").read_text() == "planted"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["a", "x", "CON"] + [p.name for p in tmp_path.iterdir() if p.name.startswith("in")])
