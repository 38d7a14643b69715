"""Simulated write failures, in-process: a full disk (ENOSPC) and no permission (EACCES).

`Faults` replaces the os functions the store writes through (os.open for writing, os.write,
os.fsync, os.mkdir, os.link, os.replace, os.unlink) with versions that count their calls and
fail from a chosen one on. Two ways to fail:

- "full": a full disk. From the N-th call that needs room on (creating a file or folder,
  writing, fsync, a hard link) every such call fails with ENOSPC, until `free()`. Renames,
  deletes and opening an existing file need no room: they keep working, as on a real disk.
- "once": only the N-th call of any kind fails (ENOSPC), the next ones work: the failure lands
  on a rename or a delete too, where a change must put back what it already replaced.
"""

from __future__ import annotations

import contextlib
import errno
import os

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
ROOM = ("open", "write", "fsync", "mkdir", "link")  # the calls that need room on the disk
ALL = ROOM + ("replace", "unlink")


class Faults:
    def __init__(self, fail_at: int | None = None, mode: str = "full",
                 error: int = errno.ENOSPC):
        self.fail_at = fail_at  # None: only count
        self.mode = mode
        self.error = error
        self.calls = 0
        self.failed = 0
        self.full = False
        self._real = {name: getattr(os, name) for name in ALL}

    def _counted(self, name: str) -> bool:
        return name in (ROOM if self.mode == "full" else ALL)

    def _maybe_fail(self, name: str, path=None) -> None:
        if not self._counted(name):
            return
        self.calls += 1
        if self.full or (self.fail_at is not None and self.calls == self.fail_at):
            self.full = self.mode == "full"
            self.failed += 1
            raise OSError(self.error, os.strerror(self.error))

    def _wrap(self, name: str):
        real = self._real[name]

        if name == "open":
            def fake_open(path, flags, *args, **kwargs):
                # Opening an existing file (the lock) needs no room; creating one does.
                if flags & WRITE_FLAGS and not (os.path.exists(path) and not flags & os.O_EXCL):
                    self._maybe_fail("open", path)
                return real(path, flags, *args, **kwargs)
            return fake_open

        def fake(*args, **kwargs):
            self._maybe_fail(name)
            return real(*args, **kwargs)
        return fake

    @contextlib.contextmanager
    def active(self):
        for name in ALL:
            setattr(os, name, self._wrap(name))
        try:
            yield self
        finally:
            for name, real in self._real.items():
                setattr(os, name, real)

    def free(self) -> None:
        """Space was freed: writes work again."""
        self.full = False
        self.fail_at = None


def count_calls(action, mode: str) -> int:
    """How many counted calls `action()` makes when nothing fails."""
    faults = Faults(None, mode)
    with faults.active():
        action()
    return faults.calls
