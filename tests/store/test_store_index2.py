"""The index, version 2 (store/index.py, index_file.py): opening trusts an index written after
the sessions folder last changed without looking at any session file; anything else (a file
added or removed by hand, a crash between a session's write and its index line, a version-1
index) is found by the sweep as before; `first_rows` and `listing` agree with `list`."""

from __future__ import annotations

import os
import shutil
import zlib

import orjson

from session_tui.store import DirectoryStore, TinyFileStore
from session_tui.store import index as index_module
from session_tui.store import index_file
from session_tui.store.naming import file_name
from session_tui.times import to_unix


def _store(tmp_path, n: int = 5) -> DirectoryStore:
    store = DirectoryStore(tmp_path / "s")
    for k in range(n):
        store.create("app", f"u{k}", state={"k": k}, session_id=f"s{k}")
    return store


def _age_folder(store: DirectoryStore, monkeypatch) -> None:
    """As if sessions/ last changed a minute ago (its ctime cannot be set): while it holds the
    files it holds now, its change time reads a minute earlier; once a file is added or
    removed or replaced, its real one (the index was written before: not trusted)."""
    def entries(folder):
        return {e.name: e.inode() for e in os.scandir(folder)}

    names = entries(store.sessions_dir)
    real = index_file.folder_mark

    def aged(folder):
        now = real(folder)
        if now is not None and entries(folder) == names:
            return now - 60 * 10**9
        return now

    monkeypatch.setattr(index_file, "folder_mark", aged)


def _trusting(path, **kwargs) -> DirectoryStore:
    """A store opened as `session-tui list` opens it: trusting a fresh index."""
    store = DirectoryStore(path, load=False, **kwargs)
    store.trust_index = True
    store.load()
    return store


def _sweeps(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = index_module.IndexMixin._files_to_read

    def counted(self, *args):
        calls.append(1)
        return real(self, *args)

    monkeypatch.setattr(index_module.IndexMixin, "_files_to_read", counted)
    return calls


def test_a_fresh_index_is_trusted_without_a_stat_of_the_session_files(tmp_path, monkeypatch):
    store = _store(tmp_path)
    store.set_value("s2", "/x", 1)
    _age_folder(store, monkeypatch)
    sweeps = _sweeps(monkeypatch)
    reopened = _trusting(tmp_path / "s")
    assert sweeps == []
    assert reopened.list() == store.list()
    assert {r["id"]: r["event_count"] for r in reopened.list()}["s2"] == 1
    DirectoryStore(tmp_path / "s")  # not asked to trust it: every file's stat looked at
    assert len(sweeps) == 1


def test_the_cli_list_trusts_a_fresh_index(tmp_path, monkeypatch, capsys):
    from session_tui.cli import main

    store = _store(tmp_path)
    _age_folder(store, monkeypatch)
    sweeps = _sweeps(monkeypatch)
    assert main(["--store", str(store.path), "list", "--json"]) == 0
    assert sweeps == []
    assert [r["id"] for r in orjson.loads(capsys.readouterr().out)] == store.ids()


def test_a_trusting_open_of_a_stale_index_sweeps_once_and_says_so(tmp_path, monkeypatch):
    store = _store(tmp_path)
    _age_folder(store, monkeypatch)
    # As if the index was last written in the tick of the folder's last change: not fresh.
    changed = index_file.folder_mark(store.sessions_dir)
    os.utime(store.index_log, ns=(changed, changed))
    before = store.index_log.read_bytes()
    DirectoryStore(tmp_path / "s")  # not trusting: writes nothing
    assert store.index_log.read_bytes() == before
    sweeps = _sweeps(monkeypatch)
    _trusting(tmp_path / "s")
    _trusting(tmp_path / "s")
    assert len(sweeps) == 1


def test_a_racy_or_changed_folder_is_swept(tmp_path, monkeypatch):
    store = _store(tmp_path)
    sweeps = _sweeps(monkeypatch)
    with monkeypatch.context() as patch:
        patch.setattr(index_file, "RACY_NS", 10**18)  # (as if written in the same tick)
        _trusting(tmp_path / "s")
    assert len(sweeps) == 1
    _age_folder(store, monkeypatch)
    # A session file added by hand (a copy of another store's): found.
    other = _store(tmp_path / "other", 0)
    other.create("app", "hand", session_id="hand")
    shutil.copy(other.sessions_dir / file_name("hand"), store.sessions_dir / file_name("hand"))
    assert "hand" in _trusting(tmp_path / "s").ids()
    _age_folder(store, monkeypatch)
    (store.sessions_dir / file_name("s0")).unlink()  # removed by hand: gone from the list
    assert "s0" not in _trusting(tmp_path / "s").ids()


def test_a_crash_between_the_session_write_and_its_index_line_is_found(tmp_path, monkeypatch):
    store = _store(tmp_path)
    _age_folder(store, monkeypatch)
    writes = DirectoryStore._write_index
    DirectoryStore._write_index = lambda self, changed=None: None
    try:
        store.set_value("s1", "/x", 1)  # the session file is written, the index line never
    finally:
        DirectoryStore._write_index = writes
    assert {r["id"]: r["event_count"] for r in _trusting(tmp_path / "s").list()}["s1"] == 1


def test_a_torn_journal_line_is_swept_then_compacted_away(tmp_path, monkeypatch):
    store = _store(tmp_path)
    store.set_value("s1", "/x", 1)
    with open(store.index_log, "ab") as log:
        log.write(b'{"file": "s1-')
    _age_folder(store, monkeypatch)
    reopened = _trusting(tmp_path / "s")
    assert {r["id"]: r["event_count"] for r in reopened.list()}["s1"] == 1
    assert reopened._index_mark is None  # (the torn line: not trusted as it was)
    assert not store.index_log.exists()  # rewritten whole, without it
    _age_folder(store, monkeypatch)
    _trusting(tmp_path / "s")
    assert _trusting(tmp_path / "s")._index_mark is not None  # trusted again


def test_a_version_1_index_is_read_and_rewritten(tmp_path, monkeypatch):
    store = _store(tmp_path)
    rows = store.list()
    docs = {str(n): {k: v for k, v in d.items() if k != "t"} | {"search_text": row["search_text"]}
            for n, (d, row) in enumerate(zip(store._newest_first(), rows), start=1)}
    store.index_path.write_bytes(orjson.dumps({"sessions": docs}))  # as version 1 wrote it
    store.index_log.unlink(missing_ok=True)
    reads: list[str] = []
    real = DirectoryStore._read_summary
    monkeypatch.setattr(DirectoryStore, "_read_summary",
                        lambda self, path: reads.append(path.name) or real(self, path))
    reopened = DirectoryStore(tmp_path / "s")
    assert reads == [] and reopened.list() == rows  # believed (signatures match), not re-read
    assert store.index_path.read_bytes().startswith(b'{"index_meta":{"1":{"version":2')


def test_first_rows_and_listing_are_the_list_newest_first(tmp_path, monkeypatch):
    store = _store(tmp_path, 8)
    for sid in ("s3", "s6", "s1"):
        store.set_value(sid, "/x", 1)
    store.delete("s5")
    _age_folder(store, monkeypatch)
    fresh = DirectoryStore(tmp_path / "s", load=False)
    first = fresh.first_rows(4)
    rows = DirectoryStore(tmp_path / "s").list()
    assert [r["id"] for r in rows][:3] == ["s1", "s6", "s3"]
    assert first == [r | {"search_text": None} for r in rows[:4]]
    times = [to_unix(r["updated_at"]) for r in rows]
    assert times == sorted(times, reverse=True)
    assert store.listing(("id", "event_count")) == [{"id": r["id"], "event_count": r["event_count"]}
                                                     for r in rows]
    # The same order as the generic sort every other backend uses.
    (tmp_path / "t.json").write_bytes(b'{"_default": {}}')
    tiny = TinyFileStore(tmp_path / "t.json")
    for row in rows:
        tiny.import_sessions([store.get(row["id"])])
    assert [r["id"] for r in tiny.listing()] == [r["id"] for r in rows]


def test_first_rows_refuses_a_stale_index(tmp_path, monkeypatch):
    store = _store(tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(index_file, "RACY_NS", 10**18)  # (as if written in the same tick)
        assert DirectoryStore(tmp_path / "s", load=False).first_rows(3) is None
    _age_folder(store, monkeypatch)
    (store.sessions_dir / file_name("s0")).unlink()
    assert DirectoryStore(tmp_path / "s", load=False).first_rows(3) is None  # folder moved


def test_changes_after_a_trusted_open_are_placed_in_time_order(tmp_path, monkeypatch):
    """Sessions of any age imported, changed and deleted after an open that trusted the index:
    the list stays newest first (the changed documents merged into index.json's order)."""
    from session_tui.model import Session
    from session_tui.store import Store

    def session(sid: str, minute: int) -> Session:
        s = Session.new("app", "u", sid)
        s.created_at = s.updated_at = f"2026-01-01T10:{minute:02d}:00Z"
        return s

    store = DirectoryStore(tmp_path / "s")
    store.import_sessions([session(f"a{m}", m) for m in range(0, 60, 7)])
    with monkeypatch.context() as patch:
        patch.setattr(index_module, "COMPACT_FLOOR", 0)
        DirectoryStore(tmp_path / "s")  # the journal compacted into index.json
    assert not store.index_log.exists()
    _age_folder(store, monkeypatch)
    reopened = _trusting(tmp_path / "s")
    assert reopened._tail == set()  # trusted: nothing to place
    reopened.import_sessions([session(f"b{m}", m) for m in (3, 30, 59, 0)])
    reopened.delete("a14")
    reopened.set_value("a7", "/x", 1)  # now: the newest
    ids = [r["id"] for r in reopened.list()]
    assert ids == [r["id"] for r in Store.listing(reopened)]  # the generic sort by time
    assert ids[0] == "a7" and "a14" not in ids and len(ids) == 12
    assert ids == [r["id"] for r in DirectoryStore(tmp_path / "s").list()]


def test_state_texts_are_kept_apart_and_read_only_for_list(tmp_path, monkeypatch):
    """index.json's documents are lean: `listing` never parses the texts; `list` gives each
    session's state text as it is now, from index.json, its journal or this process's writes."""
    from session_tui.store.summaries import search_text

    store = _store(tmp_path, 4)
    store.set_value("s1", "/city", "Lisbon")
    with monkeypatch.context() as patch:
        patch.setattr(index_module, "COMPACT_FLOOR", 0)
        DirectoryStore(tmp_path / "s")  # the journal compacted into index.json
    store.set_value("s2", "/city", "Porto")  # a journal line again
    _age_folder(store, monkeypatch)
    reopened = _trusting(tmp_path / "s")
    assert b"Lisbon" not in orjson.dumps(reopened._index)  # (the documents hold no text)
    reopened.listing(("id",))
    assert reopened._texts_base is None  # not parsed
    expected = {sid: search_text(store.get(sid).state) for sid in store.ids()}
    assert {r["id"]: r["search_text"] for r in reopened.list()} == expected
    reopened.set_value("s3", "/city", "Faro")
    expected["s3"] = search_text(reopened.get("s3").state)
    assert {r["id"]: r["search_text"] for r in reopened.list()} == expected
    assert {r["id"]: r["search_text"] for r in DirectoryStore(tmp_path / "s").list()} == expected


def test_an_index_with_a_matching_checksum_but_odd_documents_is_checked_one_by_one(tmp_path):
    """A crafted index.json whose CRC matches its lines is still never a crash or a way out:
    documents not shaped as session-tui writes them send it to the document-by-document check."""
    from session_tui.store import index_file

    store = _store(tmp_path, 3)
    rows = store.list()
    good = [dict(d) for d in store._all_docs()]
    without_id = {k: v for k, v in good[0].items() if k != "id"}
    for odd in (without_id, {"file": "../outside.json", "error": "planted"}, ["not", "a", "doc"]):
        lines = [orjson.dumps(d) for d in good[1:]] + [orjson.dumps(odd)]
        body = b",\n".join(b'"%d":' % n + line for n, line in enumerate(lines, start=1))
        text = b"{}"
        meta = {"version": 2, "count": len(lines), "crc": zlib.crc32(text, zlib.crc32(body)),
                "texts": len(text)}
        store.index_path.write_bytes(
            index_file._HEAD + orjson.dumps({"1": meta}) + b",\n" + index_file._SESSIONS + body
            + index_file._MID + text + index_file._END)
        assert index_file.split(store.index_path.read_bytes()) is not None  # the CRC matches
        store.index_log.unlink(missing_ok=True)
        reopened = DirectoryStore(tmp_path / "s")
        assert [r["id"] for r in reopened.list()] == [r["id"] for r in rows]
        assert reopened.problems == []


def _cli(argv, capsys, monkeypatch=None, quick=True) -> tuple[int, bytes, str]:
    from session_tui import cli
    from session_tui.cli import quick as quick_module

    if not quick:
        monkeypatch.setattr(quick_module, "quick_list", lambda argv: None)
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out.encode(), out.err


def test_the_quick_list_prints_what_the_whole_way_prints(tmp_path, monkeypatch, capsys):
    """`list --json` answered from the index alone (cli/quick.py) is byte for byte what opening
    the store and cmd_list print, journal lines (changed, new, gone sessions) included."""
    from session_tui.cli import quick as quick_module

    store = _store(tmp_path, 6)
    with monkeypatch.context() as patch:
        patch.setattr(index_module, "COMPACT_FLOOR", 0)
        DirectoryStore(tmp_path / "s")  # compacted: index.json holds them all
    store.set_value("s2", "/x", 1)
    store.delete("s4")
    store.create("app", "late", session_id="s9")
    _age_folder(store, monkeypatch)
    answered = []
    real = quick_module.quick_list
    def counted(argv):
        answered.append(real(argv))
        return answered[-1]

    monkeypatch.setattr(quick_module, "quick_list", counted)
    for argv in (["--store", str(store.path), "list", "--json"],
                 ["--json", "--store", str(store.path), "list"],
                 ["--store", str(store.path), "--read-only", "list", "--json"]):
        quick = _cli(argv, capsys)
        assert answered == [0] and quick[0] == 0  # answered by quick.py
        answered.clear()
        with monkeypatch.context() as patch:
            assert _cli(argv, capsys, patch, quick=False) == quick
    assert [r["id"] for r in orjson.loads(quick[1])][:2] == ["s9", "s2"]


def test_the_quick_list_leaves_anything_else_to_the_whole_way(tmp_path, monkeypatch):
    from pathlib import Path

    from session_tui.cli.quick import _rows, _store_of

    store = _store(tmp_path, 3)
    _age_folder(store, monkeypatch)
    path = str(store.path)
    assert _rows(Path(path)) is not None
    for argv in (["list", "--json"], ["--store", path, "list"], ["--store", path, "show", "s1"],
                 ["--store", path, "list", "--json", "x"], ["--store=" + path, "list", "--json"],
                 ["--store", path, "--store", path, "list", "--json"],
                 ["--store", "sqlite:///x.db", "list", "--json"]):
        assert _store_of(argv) is None, argv
    (store.path / "journal.json").write_bytes(b"{}")  # a change a crash left: completed first
    assert _rows(Path(path)) is None
    (store.path / "journal.json").unlink()
    (store.path / "staging").mkdir()
    assert _rows(Path(path)) is None
    (store.path / "staging").rmdir()
    with store.index_log.open("ab") as log:  # a torn line: swept and rewritten first
        log.write(b'{"file": "s1-')
    assert _rows(Path(path)) is None


def test_first_rows_from_a_compacted_index_whose_documents_keep_no_state_text(tmp_path, monkeypatch):
    """index.json's documents leave their state text to a table of their own: first_rows
    reads them as they are (it once took each for a broken one and gave None on every store
    whose newest sessions were all in index.json)."""
    monkeypatch.setattr(index_module, "COMPACT_FLOOR", 0)  # each change compacts the journal
    store = _store(tmp_path, 6)
    store.set_value("s2", "/x", 1)
    head = index_file.read_head(store.index_path, 6)[1]
    assert len(head) == 6 and all("search_text" not in doc for doc in head)
    _age_folder(store, monkeypatch)
    first = DirectoryStore(tmp_path / "s", load=False).first_rows(3)
    assert first == [r | {"search_text": None} for r in DirectoryStore(tmp_path / "s").list()[:3]]


def test_documents_parsed_in_blocks_are_what_one_parse_gives(tmp_path, monkeypatch):
    """The index's documents are parsed a block of lines at a time (one long parse held the
    app's UI thread 240 ms on 100,000 sessions): the same documents, whatever the block size."""
    from session_tui.store.index_file import parse_documents

    store = _store(tmp_path, 40)
    monkeypatch.setattr(index_module, "COMPACT_FLOOR", 0)
    store.set_value("s3", "/x", "a,\nb")  # (a compaction: every document in index.json)
    body, texts = map(bytes, index_file.split(store.index_path.read_bytes()))
    whole, all_texts = orjson.loads(body), orjson.loads(texts)
    assert len(whole) == 40 and len(all_texts) == 40 and texts.count(b"\n") == 41
    for block in (1, 50, 333, 10**6):
        monkeypatch.setattr(index_file, "BLOCK", block)
        assert parse_documents(body) == whole and parse_documents(texts) == all_texts
    assert DirectoryStore(tmp_path / "s").list() == store.list()
