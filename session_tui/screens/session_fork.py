"""The session screen's fork (issue 11): `f` on an invocation of the timeline (its header or any
of its events) previews both forks (up to and including it, and before it) in a worker, asks
with the fork dialog, makes the fork in a worker holding the events the dialog showed (an
agent appending after them meanwhile is no reason to refuse), and opens the
new session on top of this one (escape comes back here). `u` there undoes the fork: the
session goes and its screen with it; `u` on the list does the same (the app's undo log has it).
An id taken meanwhile brings the dialog back with what was typed and why."""

from __future__ import annotations

from functools import partial

from textual import work

from ..store import StaleError, StoreBusy, StoreError
from ..text import plural
from ..undo_log import SessionChange


class SessionFork:
    """Mixed into the session screen: it supplies `session`, `session_id`, `changes` and
    `load`. (No "an agent may be running" question first: a fork only reads the session.)"""

    def action_fork(self) -> None:
        invocation = self.invocation_to_change()
        if invocation is None:
            return
        self._preview_fork(invocation, self.changes.revision)

    @work(thread=True, group="preview", exit_on_error=False)
    def _preview_fork(self, invocation: str, revision: str | None, choice=None,
                      error: str = "") -> None:
        store = self.app.store
        plans = (store.preview_fork(self.session_id, invocation, False),
                 store.preview_fork(self.session_id, invocation, True))
        self.app.call_from_thread(self._confirm_fork, plans, invocation, revision, choice, error)

    def _confirm_fork(self, plans, invocation: str, revision: str | None, choice,
                      error: str) -> None:
        from ..dialogs.fork import ForkDialog

        self.app.push_screen(ForkDialog(*plans, invocation, choice=choice, error=error),
                             partial(self._fork_answered, invocation, revision, plans))

    def _fork_answered(self, invocation: str, revision: str | None, plans, choice) -> None:
        if choice is not None:
            plan = plans[1] if choice.before else plans[0]
            self._fork(invocation, choice, revision, (plan.keep, plan.event_id))

    @work(thread=True, group="change", exit_on_error=False)
    def _fork(self, invocation: str, choice, revision: str | None,
              expected: tuple[int, str | None]) -> None:
        # The fork holds what the dialog showed: refused only if those events changed, not
        # for an agent's events after them (it would refuse every fork of a running session).
        try:
            result = self.app.store.fork(self.session_id, invocation, before=choice.before,
                                         new_id=choice.new_id, expected_events=expected)
        except (StaleError, StoreBusy) as exc:
            self.app.call_from_thread(self._fork_refused, exc)
            return
        except StoreError as exc:
            if "already exists" not in str(exc):
                raise
            # The id was taken meanwhile (or typed so): the dialog again, with why.
            self.app.call_from_thread(self._preview_fork, invocation, revision, choice, str(exc))
            return
        self.app.call_from_thread(self._forked, result)

    def _fork_refused(self, exc: StoreError) -> None:
        """The session changed since it was shown (or stayed locked): said, and shown anew."""
        self.app.report_error(exc)
        self.load(elsewhere=True)

    def _forked(self, result) -> None:
        self.app.undo_log.record(SessionChange(result.id))
        self.notify(f"Forked into {result.id}: {plural(result.events, 'event')} "
                    "(u there undoes the fork)", markup=False, timeout=4)
        self.app.push_screen(type(self)(result.id))
