"""A store that cannot be written opens read-only: everything reads, every change is refused up
front with the reason, nothing is written (the index included). Simulated in-process (EACCES
from the lock or from every open for writing), asked for (`read_only=True`, `--read-only`), and
for real: a read-only copy used by an unprivileged process (root without its capabilities
obeys file permissions like anyone)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys

import pytest
from filelock import BaseFileLock
from storekit import Backend, add_event, python_env, tree_hashes

from session_tui import cli
from session_tui.formats.exporting import encode_sessions
from session_tui.model import Session
from session_tui.store import ReadOnlyStore, StoreError, open_store

REFUSED = "nothing can be changed"


def make_store(kind: str, root) -> Backend:
    root.mkdir(parents=True, exist_ok=True)
    backend = Backend(kind, root)
    store = backend.open()
    store.create("app", "ada", state={"a": 1, "b": {"c": 2}}, session_id="s")
    add_event(store, "s", "inv-1", {"city": "Paris"}, timestamp=1790000000)
    store.set_value("s", "/x", 1)
    store.create("app", "bob", session_id="t")
    return backend


def changes(store) -> dict:
    """Every kind of change, as a callable."""
    newcomer = Session.new("imported", "eve", "n1")
    return {
        "set": lambda: store.set_value("s", "/x", 2),
        "unset": lambda: store.unset_value("s", "/a"),
        "rename": lambda: store.rename_key("s", "/b", "bee"),
        "append": lambda: add_event(store, "s", "inv-2", {"k": 1}),
        "rewind": lambda: store.rewind("s", "inv-1", before=True),
        "delete": lambda: store.delete("s"),
        "undo": lambda: store.undo("s"),
        "import": lambda: store.import_sessions([newcomer]),
        "create": lambda: store.create("app", "cy", session_id="new"),
        "check": lambda: store.check(),
    }


def denied_open(monkeypatch, opened: list):
    """Every open for writing fails with EACCES (and is recorded), as on a read-only folder."""
    real_open = os.open
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC

    def fake_open(path, flags, *args, **kwargs):
        if flags & writing:
            opened.append(str(path))
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)


def denied_lock(monkeypatch, opened: list):
    """Taking the store's lock fails with EACCES (a lock file that cannot be created)."""

    def acquire(self, *args, **kwargs):
        opened.append(self.lock_file)
        raise PermissionError(13, "Permission denied", self.lock_file)

    monkeypatch.setattr(BaseFileLock, "acquire", acquire)


@pytest.mark.parametrize("how", ["os.open", "lock", "asked"])
@pytest.mark.parametrize("kind", ["directory", "tinyfile"])
def test_a_store_that_cannot_be_written_reads_and_refuses_every_change(kind, how, tmp_path,
                                                                       monkeypatch):
    backend = make_store(kind, tmp_path)
    before = tree_hashes(backend.root)
    expected = {i: backend.open().get(i).export() for i in ("s", "t")}
    attempts: list = []
    if how == "os.open":
        denied_open(monkeypatch, attempts)
    elif how == "lock":
        denied_lock(monkeypatch, attempts)
    store = open_store(backend.path, read_only=how == "asked")
    assert store.read_only
    reason = store.read_only_reason
    assert "\n" not in reason and str(backend.root) in reason and "read-only" in reason, reason
    # Everything reads.
    assert sorted(store.ids()) == ["s", "t"]
    assert {i: store.get(i).export() for i in ("s", "t")} == expected
    assert len(store.history_of("s")) == 1
    assert store.preview_rewind("s", "inv-1").removed_events >= 1
    assert store.poll() is False
    # Every change is refused with the reason, before any file is opened for writing.
    attempts.clear()
    for name, change in changes(store).items():
        with pytest.raises(ReadOnlyStore) as refused:
            change()
        assert str(refused.value) == f"{reason}: {REFUSED}", name
    assert attempts == []
    assert tree_hashes(backend.root) == before


def test_a_read_only_store_reads_a_stale_index_without_writing_it(tmp_path):
    """The index is broken (or stale): the read-only store reads the session files instead,
    writes no index, and sees what a writable process changes meanwhile."""
    backend = make_store("directory", tmp_path)
    (backend.path / "index.json").write_bytes(b"{}")
    before = tree_hashes(backend.root)
    reader = open_store(backend.path, read_only=True)
    assert sorted(reader.ids()) == ["s", "t"]
    assert tree_hashes(backend.root) == before
    writer = backend.open()
    writer.create("app", "dee", session_id="u")
    writer.set_value("s", "/x", 7)
    assert reader.poll() is True
    assert sorted(reader.ids()) == ["s", "t", "u"]
    assert reader.get("s").state["x"] == 7


def test_read_only_never_creates_a_store(tmp_path):
    with pytest.raises(StoreError, match="no such store"):
        open_store(tmp_path / "missing", create=True, read_only=True)
    assert not (tmp_path / "missing").exists()


def test_the_read_only_flag_of_the_cli(tmp_path, capsys):
    backend = make_store("directory", tmp_path)
    before = tree_hashes(backend.root)
    assert cli.main(["--read-only", "--store", str(backend.path), "--json", "list"]) == 0
    assert {r["id"] for r in json.loads(capsys.readouterr().out)} == {"s", "t"}
    assert cli.main(["--read-only", "--store", str(backend.path), "set", "s", "/x", "5"]) == 2
    err = capsys.readouterr().err
    assert err == f"session-tui: {backend.path}: opened read-only: {REFUSED}\n"
    assert tree_hashes(backend.root) == before


# -- a real read-only store, used by an unprivileged process ---------------------------------

DRIVER = """
import contextlib, io, json, sys
from session_tui import cli
results = []
for argv in json.loads(sys.argv[1]):
    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8") for _ in range(2))
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    out.flush(), err.flush()
    results.append({"argv": argv, "code": code, "out": out.buffer.getvalue().decode(),
                    "err": err.buffer.getvalue().decode()})
print(json.dumps(results))
"""


def unprivileged(tmp_path) -> list[str]:
    """The command prefix that runs a process bound by file permissions: nothing for an
    ordinary user; for root, setpriv dropping every capability (root then obeys the owner's
    permission bits, as the owner of the files). Skips when neither can be had."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("root, and no setpriv to drop the capabilities that ignore permissions")
    prefix = ["setpriv", "--bounding-set=-all", "--inh-caps=-all"]
    locked = tmp_path / "probe"
    locked.mkdir(mode=0o555)
    can_write = "import os, sys; print(os.access(sys.argv[1], os.W_OK))"
    probe = subprocess.run(prefix + [sys.executable, "-c", can_write, str(locked)],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0 or probe.stdout.strip() != "False":
        pytest.skip(f"setpriv cannot drop root's capabilities here: {probe.stderr.strip()[:200]}")
    return prefix


def make_read_only(root) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames:
            path = os.path.join(dirpath, name)
            os.chmod(path, os.stat(path).st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        os.chmod(dirpath, 0o555)


@pytest.mark.parametrize("kind", ["directory", "tinyfile"])
def test_a_real_read_only_store_as_an_unprivileged_user(kind, tmp_path):
    prefix = unprivileged(tmp_path)
    backend = make_store(kind, tmp_path / "store")
    import_file = tmp_path / "in.json"
    import_file.write_bytes(encode_sessions([Session.new("imported", "eve", "n1")]))
    store = ["--store", str(backend.path)]
    calls = [store + ["list"], store + ["show", "s"], store + ["export", "s"],
             store + ["set", "s", "/x", "5"], store + ["undo", "s"], store + ["check"],
             store + ["rewind", "s", "inv-1"], store + ["import", str(import_file)]]
    make_read_only(backend.root)
    try:
        before = tree_hashes(backend.root)
        result = subprocess.run(prefix + [sys.executable, "-c", DRIVER, json.dumps(calls)],
                                env=python_env(), capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        results = json.loads(result.stdout)
        assert tree_hashes(backend.root) == before
    finally:
        for dirpath, _, _ in os.walk(backend.root):
            os.chmod(dirpath, 0o755)
    reads, writes = results[:3], results[3:]
    for r in reads:
        assert r["code"] == 0 and r["err"] == "", r
    assert "ada" in reads[0]["out"] and "bob" in reads[0]["out"]
    assert "session  s" in reads[1]["out"] and '"id": "s"' in reads[2]["out"]
    for r in writes:
        assert r["code"] == 2, r
        assert r["err"].count("\n") == 1 and "read-only (no write permission)" in r["err"], r
        assert str(backend.root) in r["err"] and REFUSED in r["err"], r
