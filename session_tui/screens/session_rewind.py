"""The session screen's rewind, undo and delete: each asks (a preview, a confirm), then the store
call runs in a worker against the revision that was shown (session_changes.py)."""

from __future__ import annotations

from functools import partial

from textual import work

from ..text import plural, safe
from .running_agent import running_note


class RewindUndoDelete:
    """Mixed into SessionScreen: needs `session`, `session_id`, `changes`, `_change`, `load`,
    `_mark_own` and `_unless_agent_running` from it."""

    def action_rewind_to(self) -> None:
        self._rewind(before=False)

    def action_rewind_before(self) -> None:
        self._rewind(before=True)

    def _rewind(self, before: bool) -> None:
        invocation = self.invocation_to_change()
        if invocation is None:
            return
        self._unless_agent_running(
            partial(self._preview_rewind, invocation, before, self.changes.revision))

    @work(thread=True, group="preview", exit_on_error=False)
    def _preview_rewind(self, invocation: str, before: bool, revision: str | None) -> None:
        plan = self.app.store.preview_rewind(self.session_id, invocation, before)
        self.app.call_from_thread(self._confirm_rewind, plan, invocation, before, revision)

    def _confirm_rewind(self, plan, invocation: str, before: bool, revision: str | None) -> None:
        from ..dialogs.rewind import RewindDialog

        self.app.push_screen(RewindDialog(plan, invocation),
                             partial(self._rewind_answered, plan, invocation, before, revision))

    def _rewind_answered(self, plan, invocation: str, before: bool, revision: str | None,
                         yes: bool | None) -> None:
        if yes:
            said = f"Rewound: {plural(plan.removed_events, 'event')} {plan.fate} (u to undo)"
            self._change(self.changes.change("rewind", invocation, before=before, revision=revision,
                                             said=said))

    def action_undo(self) -> None:
        if not self.app.refuse_if_read_only():
            self._undo()

    @work(thread=True, group="undo", exit_on_error=False)
    def _undo(self) -> None:
        result = self.app.store.undo(self.session_id)
        still_there = self.session_id in self.app.store  # asked here, not on the UI thread
        self.app.call_from_thread(self._undone, result, still_there)

    def _undone(self, result, still_there: bool) -> None:
        self.changes.undone()
        self.notify(f"Undid {result.undone}: {plural(result.restored_events, 'event')} back, "
                    f"{result.removed_events} removed", timeout=4)
        if still_there:
            self.load(self._mark_own)
        else:
            self.app.pop_screen()

    def action_delete_session(self) -> None:
        from ..dialogs.confirm import ConfirmDialog

        if self.app.refuse_if_read_only():
            return
        events = plural(len(self.session.events) if self.session else 0, 'event')
        changed = self.session.last_change() if self.session else None
        running = running_note(self.app.config.clock() - changed if changed is not None else None)
        self.app.push_screen(ConfirmDialog("Delete session?", f"{safe(self.session_id)} and its "
                                           f"{events}. You can undo this (u).{running}",
                                           confirm_label="Delete", danger=True),
                             self._delete_answered)

    def _delete_answered(self, yes: bool | None) -> None:
        if yes:  # (of the session as it is now: the user saw it deleted as a whole)
            self._delete(self.changes.revision)

    @work(thread=True, group="delete", exit_on_error=False)
    def _delete(self, revision: str | None) -> None:
        self.app.store.delete(self.session_id, revision)
        self.app.call_from_thread(self._deleted)

    def _deleted(self) -> None:
        self.changes.recorded()
        self.notify(f"Deleted {self.session_id}. Press u on the list to undo.", markup=False)
        self.app.pop_screen()
