"""The fork confirm dialog (issue 11): what the new session will hold before it is made.

`ForkDialog(to_plan, before_plan, invocation_label)` shows, for the choice on screen ("up to and
including" the invocation, or "before" it; ↑ ↓ switch), how many events the fork keeps and
each state key the rewind rule restores in it (now -> in the fork; shared app:/user:/temp: keys
as they are), and the new id, editable. -> `ForkChoice(before, new_id)` (enter), None (escape).
An empty id is refused in place; `error=` shows the store's refusal of an earlier try (an id
taken meanwhile) with what was typed (`choice=`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Static

from ..text import json_preview, one_line, plural
from .base import Dialog, keys_line, load_css

if TYPE_CHECKING:
    from ..store.forking import ForkPlan

__all__ = ["ForkChoice", "ForkDialog"]

PREVIEW_CELLS = 240
ABSENT = "(absent)"
REMOVED = "(removed)"
UNRECORDED = "earlier value not recorded: left out"
STAYS = "as now: shared key"


@dataclass(frozen=True)
class ForkChoice:
    before: bool
    new_id: str


def _cell(text: str, *classes: str) -> Static:
    return Static(Content(text), classes=" ".join(("fork--cell",) + classes), markup=False)


class ForkDialog(Dialog["ForkChoice | None"]):
    """enter: fork; ↑ ↓: up to / before; escape: cancel."""

    DEFAULT_CSS = load_css(__file__)

    BINDINGS = [
        Binding("up,down", "switch", "Up to / before", show=False),
    ]

    def __init__(self, to_plan: "ForkPlan", before_plan: "ForkPlan", invocation_label: str, *,
                 choice: ForkChoice | None = None, error: str = "",
                 cursor_blink: bool | None = None) -> None:
        super().__init__(cursor_blink=cursor_blink)
        self.plans = {False: to_plan, True: before_plan}
        self.before = choice.before if choice else False
        self.new_id = choice.new_id if choice else to_plan.new_id
        self.invocation_label = one_line(invocation_label, 60)
        self.error = error
        # An id holding control or bidi characters is not put into the editor as is.
        self._id_safe = one_line(self.new_id) == self.new_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog--box", id="fork-box") as box:
            box.border_title = Content(f"Fork at {self.invocation_label}")
            yield Static(Content.assemble(
                "A new session from ", (one_line(self.plans[False].session_id, 60), "bold"),
                "; the original stays as it is."), id="fork-intro")
            for before in (False, True):
                yield Static(self._choice_line(before), id=f"fork-choice-{int(before)}",
                             classes="fork--choice")
            for before in (False, True):
                yield self._table(before)
            name = Input(self.new_id if self._id_safe else "", placeholder="the new session's id",
                         id="fork-input")
            name.border_title = "new id"
            yield name
            yield Static("", id="fork-error", classes="dialog--error")
            yield Static(keys_line(("enter", "fork"), ("↑↓", "up to / before"), ("esc", "cancel")),
                         classes="dialog--keys")

    def _choice_line(self, before: bool) -> Content:
        plan = self.plans[before]
        mark = "●" if before == self.before else "○"
        where = f"before {self.invocation_label}" if before else \
            f"up to and including {self.invocation_label}"
        return Content.assemble((f"{mark} ", "bold $accent"), (where, "bold" if
                                before == self.before else ""),
                                (f": {plural(plan.keep, 'event')}", "$text-muted"))

    def _summary(self, plan: "ForkPlan") -> str:
        restored, staying = len(plan.state_changes), len(plan.staying)
        parts = [f"It holds {plural(plan.keep, 'event')}"]
        parts.append(f"{plural(restored, 'state key')} restored" if restored
                     else "the state as it is now")
        if staying:
            parts.append(f"{plural(staying, 'shared key')} (app:, user:, temp:) as now")
        return "; ".join(parts) + ("." if not (restored or staying) else ":")

    def _table(self, before: bool) -> Vertical:
        plan = self.plans[before]
        rows: list[Any] = [Static(Content(self._summary(plan)), classes="fork--summary")]
        if plan.state_changes or plan.staying:
            rows.append(Horizontal(_cell("key", "fork--key"), _cell("now", "fork--old"),
                                   _cell("in the fork", "fork--new"),
                                   classes="fork--row fork--header"))
            lines = [self._row(k, c, k in plan.unrecorded) for k, c in plan.state_changes.items()]
            lines += [self._staying_row(plan, k) for k in plan.staying]
            rows.append(VerticalScroll(*lines, classes="fork--table"))
        table = Vertical(*rows, id=f"fork-plan-{int(before)}", classes="fork--plan")
        table.display = before == self.before
        return table

    def _row(self, key: str, change: dict[str, Any], unrecorded: bool) -> Horizontal:
        old = (_cell(json_preview(change["old"], PREVIEW_CELLS), "fork--old") if "old" in change
               else _cell(ABSENT, "fork--old", "-absent"))
        if "new" in change:
            new = _cell(json_preview(change["new"], PREVIEW_CELLS), "fork--new")
        else:
            new = _cell(UNRECORDED if unrecorded else REMOVED, "fork--new",
                        "-unrecorded" if unrecorded else "-absent")
        return Horizontal(_cell(one_line(key, PREVIEW_CELLS), "fork--key"), old, new,
                          classes="fork--row")

    def _staying_row(self, plan: "ForkPlan", key: str) -> Horizontal:
        now = (_cell(json_preview(plan.state[key], PREVIEW_CELLS), "fork--old")
               if key in plan.state else _cell(ABSENT, "fork--old", "-absent"))
        return Horizontal(_cell(one_line(key, PREVIEW_CELLS), "fork--key"), now,
                          _cell(STAYS, "fork--new", "-stays"), classes="fork--row")

    def on_mount(self) -> None:  # (Dialog's own on_mount runs too: Textual calls each class's)
        self._show_error(self.error)
        self._typed = self.query_one("#fork-input", Input).value
        self.query_one("#fork-input", Input).focus()

    def _show_error(self, message: str) -> None:
        error = self.query_one("#fork-error", Static)
        error.update(Content(one_line(message, 300)))
        error.display = bool(message)

    def action_switch(self) -> None:
        self.before = not self.before
        for before in (False, True):
            self.query_one(f"#fork-choice-{int(before)}", Static).update(self._choice_line(before))
            self.query_one(f"#fork-plan-{int(before)}").display = before == self.before

    @on(Input.Changed, "#fork-input")
    def _changed(self, event: Input.Changed) -> None:
        if event.value != self._typed:  # (not the id the error was about, put in on mount)
            self._show_error("")

    @on(Input.Submitted, "#fork-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self._typed = event.value
            self._show_error("the new id is empty")
            return
        self.dismiss(ForkChoice(self.before, event.value))
