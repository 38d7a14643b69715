"""Store calls run in thread workers (`@work(thread=True, exit_on_error=False)`), so no screen
freezes on a slow disk or a held lock. A worker hands its result to a method of its screen on
the UI thread (`app.call_from_thread`), and catches only the failures its action answers in
its own way (a stale change offered again, a session gone); every other failure ends here, in
one place: one line, "Not done"."""

from __future__ import annotations

from textual.worker import Worker, WorkerState

from ..store import StoreError

EXPECTED = (StoreError, ValueError, LookupError, OSError)
"""What a store call raises with a message meant for the user; anything else is a limit or a
bug below, said with its type."""


def one_line_error(exc: BaseException) -> Exception:
    """The error as the user is told it: ours as they are, anything else with its type."""
    if isinstance(exc, EXPECTED):
        return exc
    return StoreError(f"{type(exc).__name__}: {exc}")


class ReportsWorkerErrors:
    """For the app and its screens: a worker of theirs that raised is said in one line."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.app.report_error(one_line_error(event.worker.error))
