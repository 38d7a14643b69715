"""A full disk (ENOSPC, simulated in-process at every write call of a change, see faultkit):
the change fails with a one-line StoreError naming the file, nothing of it remains (the store's
bytes and the undo history are as before), and once space is freed undo still undoes the last
real change. Both backends; the CLI says it in one line with exit 2, on a simulated and on a
real full disk (a 512 KiB tmpfs, where the test may mount one)."""

from __future__ import annotations

import copy
import re
import errno
import os
import shutil
import subprocess

import pytest
from faultkit import Faults, count_calls
from storekit import Backend, add_event, run_python, tree_hashes

from session_tui.model import Session
from session_tui.store.naming import file_name
from session_tui.store import StoreError


def make_store(kind: str, root):
    """`s`: created with a state, two agent invocations, then two edits (two undo records);
    `t`: another session. Returns (backend, the state `undo` of s must bring back)."""
    root.mkdir(parents=True, exist_ok=True)
    backend = Backend(kind, root)
    store = backend.open()
    store.create("app", "ada", state={"a": 1, "b": {"c": 2}}, session_id="s")
    add_event(store, "s", "inv-1", {"city": "Paris"}, timestamp=1790000000)
    add_event(store, "s", "inv-2", {"city": "Rome"}, timestamp=1790000001)
    store.set_value("s", "/x", 1)
    before_last = store.get("s").state
    store.set_value("s", "/y", 2)
    store.create("app", "bob", session_id="t")
    return backend, before_last


def clone(backend: Backend, root) -> Backend:
    """The same store, copied to `root` (copying is much faster than making it again)."""
    shutil.copytree(backend.root, root, symlinks=True)
    twin = copy.copy(backend)
    twin.root, twin.path = root, root / backend.path.relative_to(backend.root)
    return twin


def incoming(session_id: str, state: dict) -> Session:
    session = Session.new("imported", "eve", session_id)
    session.state = state
    return session


# One change of each write path (unset, rename and append write as set does).
OPS = {
    "set": lambda st: st.set_value("s", "/x", 99),
    "rewind": lambda st: st.rewind("s", "inv-2", before=True),
    "delete": lambda st: st.delete("s"),
    "undo": lambda st: st.undo("s"),
    "import-replace": lambda st: st.import_sessions([incoming("s", {"new": 1})], "replace"),
    "import-many": lambda st: st.import_sessions([incoming("n1", {}), incoming("n2", {}),
                                                  incoming("s", {"z": 0})], "replace"),
    "create": lambda st: st.create("app", "cy", state={"k": "v"}, session_id="new"),
}


def history_json(store, session_id: str) -> list:
    return [r.to_json() for r in store.history_of(session_id)]


@pytest.mark.parametrize("mode", ["full", "once"])
@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("kind", ["directory", "tinyfile"])
def test_a_full_disk_at_every_write_leaves_nothing(kind, op, mode, tmp_path):
    change = OPS[op]
    template, before_last = make_store(kind, tmp_path / "template")
    reference = clone(template, tmp_path / "reference")
    opened = reference.open()
    calls = count_calls(lambda: change(opened), mode)
    expected_history = len(reference.open().history_of("s"))
    assert calls > 0
    failures = 0
    for n in range(1, calls + 1):
        backend = clone(template, tmp_path / f"n{n}")
        store = backend.open()
        before = tree_hashes(backend.root)
        history = history_json(store, "s")
        faults = Faults(n, mode)
        try:
            with faults.active():
                change(store)
        except StoreError as exc:
            failures += 1
            message = str(exc)
            assert "\n" not in message and str(backend.root) in message, message
            assert "No space left on device" in message, message
            if "is committed" in message:
                # After the commit point of a journaled change (only a failed rename or
                # delete gets there): the next open completes it.
                again = backend.open()
                assert again.check().sound
                assert len(again.history_of("s")) == expected_history
                continue
            assert "cannot write" in message, message
            assert tree_hashes(backend.root) == before, f"call {n} of {calls} changed the store"
            faults.free()
            again = backend.open()
            assert history_json(again, "s") == history
            # Space freed: undo undoes the last real change (the edit that set /y).
            again.undo("s")
            assert again.get("s").state == before_last
        else:
            # Only the index (a cache) or a folder's fsync failed: the change was made.
            assert faults.failed
            again = backend.open()
            assert len(again.history_of("s")) == expected_history
            assert again.check().sound
    assert failures, "no injected failure reached the change"


def test_a_full_disk_through_the_cli_is_one_line_with_the_path(tmp_path):
    backend, _ = make_store("directory", tmp_path)
    before = tree_hashes(backend.root)
    code = """
import errno, os, sys
real_write = os.write
def full(fd, data):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
os.write = full
from session_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""
    result = run_python(code, "--store", backend.path, "set", "s", "/x", "5", timeout=60)
    assert result.returncode == 2, result.stderr
    err = result.stderr
    assert err.count("\n") == 1 and "Traceback" not in err, err
    # The first file the change writes: the new event's segment (layout 2), named in full.
    events = backend.path / "events" / file_name("s")[:-5]
    assert re.search(re.escape(f"{events}/") + r"[0-9]{12}-[0-9a-f]{8}\.jsonl: cannot write: "
                     "No space left on device", err), err
    assert tree_hashes(backend.root) == before
    assert backend.open().get("s").state.get("x") == 1


@pytest.mark.parametrize("kind", ["directory", "tinyfile"])
def test_failed_edits_never_push_real_records_out_of_the_history(kind, tmp_path):
    """60 failed edits in a row (more than the history keeps), then space is freed: undo
    still undoes the last real edit."""
    backend, before_last = make_store(kind, tmp_path)
    store = backend.open()
    history = history_json(store, "s")
    for attempt in range(60):
        with pytest.raises(StoreError, match="No space left on device"):
            with Faults(1, "full").active():
                store.set_value("s", "/x", 100 + attempt)
    assert history_json(backend.open(), "s") == history
    store.undo("s")
    assert store.get("s").state == before_last


def test_a_failed_journaled_import_leaves_no_staging_files(tmp_path):
    backend, _ = make_store("directory", tmp_path)
    store = backend.open()
    before = tree_hashes(backend.root)
    # The third call that needs room: inside the staging folder.
    with pytest.raises(StoreError, match="staging.*No space left on device"):
        with Faults(3, "full", errno.ENOSPC).active():
            store.import_sessions([incoming("n1", {}), incoming("n2", {})])
    assert not (backend.path / "staging").exists()
    assert tree_hashes(backend.root) == before


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 512 KiB file system (tmpfs), where the test can mount one (root); else skip."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount_point)],
                          capture_output=True, text=True, timeout=30)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()[:200]}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, timeout=30)


def fill(folder) -> object:
    """Fill the file system `folder` is on; returns the filler file (delete it to free space)."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler


@pytest.mark.parametrize("kind", ["directory", "tinyfile"])
def test_a_real_full_disk_through_the_cli(kind, tiny_disk):
    backend, before_last = make_store(kind, tiny_disk / "store")
    filler = fill(tiny_disk)
    before = tree_hashes(backend.root)
    cli = "import sys; from session_tui.cli import main; sys.exit(main(sys.argv[1:]))"
    result = run_python(cli, "--store", backend.path, "set", "s", "/x", "5", timeout=60)
    err = result.stderr
    assert result.returncode == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert f"{backend.root}" in err and "cannot write: No space left on device" in err, err
    assert tree_hashes(backend.root) == before
    filler.unlink()  # space freed: undo undoes the last real change
    result = run_python(cli, "--store", backend.path, "undo", "s", timeout=60)
    assert result.returncode == 0, result.stderr
    assert backend.open().get("s").state == before_last
