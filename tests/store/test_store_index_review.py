"""Adversarial checks of the index's fast paths (store/index_file.py, `first_rows`): a
hand-edited index.json never makes them raise; they give None and the whole load decides."""

from __future__ import annotations

import re

import pytest

from session_tui.store import DirectoryStore
from session_tui.store import index as index_module
from test_store_index2 import _age_folder  # (sessions/ as if it last changed a minute ago)


@pytest.fixture
def compacted(tmp_path, monkeypatch):
    """A store of three sessions whose index.json holds them all (no journal)."""
    with monkeypatch.context() as patch:
        patch.setattr(index_module, "COMPACT_FLOOR", 0)
        store = DirectoryStore(tmp_path / "s")
        for k in range(3):
            store.create("app", f"u{k}", session_id=f"s{k}")
        store = DirectoryStore(tmp_path / "s")  # (its journal folded into index.json)
    assert not store.index_log.exists()
    return store


@pytest.mark.parametrize("count", [b'"3"', b"null", b"[3]", b"{}", b"true"])
def test_first_rows_of_an_index_whose_meta_count_is_not_a_number(compacted, count):
    """The meta line is outside the checksum's reach (first_rows reads only the head): an
    edited `count` once raised TypeError in the list screen's worker (the list stayed empty)."""
    data = compacted.index_path.read_bytes()
    edited = re.sub(rb'"count":\d+', b'"count":' + count, data, count=1)
    assert edited != data
    compacted.index_path.write_bytes(edited)
    store = DirectoryStore(compacted.path, load=False)
    assert store.first_rows(2) is None
    assert sorted(r["id"] for r in DirectoryStore(compacted.path).list()) == ["s0", "s1", "s2"]


def _journal_lines_by_hand(store: DirectoryStore) -> None:
    """index.jsonl edited by hand (no checksum guards it): s1, which is there, said gone; a
    session that is not there said added (whole, its id giving its file name)."""
    import orjson

    from session_tui.store.naming import file_name

    ghost = dict(next(d for d in store._all_docs() if d["id"] == "s0"), id="ghost",
                 file=file_name("ghost"))
    ghost.pop("t", None)
    with store.index_log.open("ab") as log:
        log.write(orjson.dumps({"file": file_name("s1"), "gone": True}) + b"\n")
        log.write(orjson.dumps(ghost) + b"\n")


def test_a_journal_edited_by_hand_is_not_believed_by_the_trusting_paths(compacted, monkeypatch,
                                                                      capsys):
    """`list` (quick.py and the trusting open) and `first_rows` use a fresh index without a
    stat of each session file; the few files its journal names are looked at, so that an
    edited journal never hides a session that is there nor shows one that is not."""
    import orjson

    from session_tui import cli

    _journal_lines_by_hand(compacted)
    _age_folder(compacted, monkeypatch)
    truth = ["s0", "s1", "s2"]
    assert cli.main(["--store", str(compacted.path), "list", "--json"]) == 0
    listed = sorted(r["id"] for r in orjson.loads(capsys.readouterr().out))
    first = DirectoryStore(compacted.path, load=False).first_rows(5)
    trusting = DirectoryStore(compacted.path, load=False)
    trusting.trust_index = True
    trusting.load()
    # (each path on its own: the quick list, first_rows, the trusting open)
    assert (listed, first and sorted(r["id"] for r in first),
            sorted(r["id"] for r in trusting.list())) == (truth, first and truth, truth)
    assert sorted(r["id"] for r in DirectoryStore(compacted.path).list()) == truth


@pytest.mark.parametrize("kind", ["symlink", "folder"])
def test_a_journal_that_is_not_a_regular_file_is_never_trusted(tmp_path, monkeypatch, capsys,
                                                              kind):
    """index.jsonl replaced by a link or a folder is never read (nor written through); its
    lines are then unknown, so an index without them is not trusted as it is: the sessions
    they recorded (s9) were left out of the trusting open and first_rows."""
    with monkeypatch.context() as patch:
        patch.setattr(index_module, "COMPACT_FLOOR", 0)
        store = DirectoryStore(tmp_path / "s")
        for k in range(3):
            store.create("app", f"u{k}", session_id=f"s{k}")
        DirectoryStore(tmp_path / "s")  # (its journal folded into index.json)
    store.create("app", "late", session_id="s9")  # a journal line
    lines = store.index_log.read_bytes()
    store.index_log.unlink()
    if kind == "symlink":
        (tmp_path / "elsewhere.jsonl").write_bytes(lines)
        store.index_log.symlink_to(tmp_path / "elsewhere.jsonl")
    else:
        store.index_log.mkdir()
    _age_folder(store, monkeypatch)
    truth = ["s0", "s1", "s2", "s9"]
    first = DirectoryStore(store.path, load=False).first_rows(10)
    assert first is None or sorted(r["id"] for r in first) == truth
    trusting = DirectoryStore(store.path, load=False)
    trusting.trust_index = True
    trusting.load()
    assert sorted(r["id"] for r in trusting.list()) == truth
    assert sorted(r["id"] for r in DirectoryStore(store.path).list()) == truth
