"""The rewind preview (SPEC section 2): what goes, and each state key's old and new value,
before anything is applied. `RewindDialog(plan, invocation_label)` -> True (y / enter) to
rewind, False (n / escape) to cancel. `annuls=True` for a store whose rewind keeps the events and
marks them annulled (an ADK database, as google-adk's own rewind does) instead of removing them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Static

from ..text import json_preview, one_line, plural
from .base import Dialog, keys_line, load_css

if TYPE_CHECKING:
    from ..store.base import RewindPlan

__all__ = ["RewindDialog"]

# Values are cut to this many cells before the table crops them to the column (with `…`).
PREVIEW_CELLS = 240
ABSENT = "(absent)"
REMOVED = "(removed)"
UNRECORDED = "earlier value not recorded: removed"
STAYS = "stays: shared key, not rolled back"


def _cell(text: str | Content, *classes: str) -> Static:
    return Static(text if isinstance(text, Content) else Content(text),
                  classes=" ".join(("rewind--cell",) + classes), markup=False)


class RewindDialog(Dialog[bool]):
    """The preview of a rewind. The table scrolls (up/down, page up/down) when the change is
    longer than the screen."""

    DEFAULT_CSS = load_css(__file__)

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Rewind", show=False),
        Binding("n,escape", "answer(False)", "Cancel", show=False),
    ]

    CANCEL_RESULT = False

    def __init__(self, plan: "RewindPlan", invocation_label: str, *, annuls: bool = False,
                 cursor_blink: bool | None = None) -> None:
        super().__init__(cursor_blink=cursor_blink)
        self.plan = plan
        self.annuls = annuls or plan.annuls  # (the plan of an ADK database's rewind says so)
        self.invocation_label = one_line(invocation_label, 60)

    @property
    def heading(self) -> str:
        return f"Rewind {'before' if self.plan.before else 'to'} {self.invocation_label}"

    def _summary(self) -> Content:
        n = self.plan.removed_events
        verb = "annulled" if self.annuls else "removed"
        if n == 0:
            events = f"No events will be {verb}"
        else:
            events = f"{plural(n, 'event')} will be {verb}"
            if self.annuls:  # what "annulled" means, where the user decides
                events += " (kept in the database, hidden from the agent)"
        changed = len(self.plan.state_changes)
        staying = len(self.plan.staying)
        parts = []
        if changed:
            parts.append(f"{plural(changed, 'state key')} change{'s' if changed == 1 else ''}")
        if staying:
            parts.append(f"{plural(staying, 'shared key')} (app:, user:, "
                         f"temp:) stay{'s' if staying == 1 else ''} as "
                         f"{'it is' if staying == 1 else 'they are'}")
        if not parts:
            return Content.assemble((events, "bold"), ".")
        return Content.assemble((events, "bold"), "; ", "; ".join(parts), ":")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog--box", id="rewind-box") as box:
            box.border_title = Content(self.heading)
            with Vertical(id="rewind-top"):
                yield Static(self._summary(), id="rewind-summary")
                if self._has_rows:
                    with Horizontal(classes="rewind--row rewind--header"):
                        yield _cell("key", "rewind--key")
                        yield _cell("now", "rewind--old")
                        yield _cell("after the rewind", "rewind--new")
            if self._has_rows:
                with VerticalScroll(id="rewind-table"):
                    unrecorded = set(self.plan.unrecorded)
                    for key, change in self.plan.state_changes.items():
                        yield self._row(key, change, key in unrecorded)
                    for key in self.plan.staying:
                        yield self._staying_row(key)
            else:
                yield Static(Content("Nothing in the state changes."), id="rewind-no-change")
            with Vertical(id="rewind-bottom"):
                with Horizontal(id="rewind-buttons"):
                    yes = Button(Content("Rewind"), id="rewind-yes", variant="warning",
                                 compact=True)
                    no = Button(Content("Cancel"), id="rewind-no", compact=True)
                    yes.can_focus = False
                    no.can_focus = False
                    yield yes
                    yield no
                hints = [("y/enter", "rewind"), ("n/esc", "cancel")]
                if self._has_rows:
                    hints.append(("↑↓ pgup pgdn", "scroll"))
                yield Static(keys_line(*hints), classes="dialog--keys")

    def _row(self, key: str, change: dict[str, Any], unrecorded: bool) -> Horizontal:
        if "old" in change:
            old = _cell(json_preview(change["old"], PREVIEW_CELLS), "rewind--old")
        else:
            old = _cell(ABSENT, "rewind--old", "-absent")
        if "new" in change:
            new = _cell(json_preview(change["new"], PREVIEW_CELLS), "rewind--new")
        elif unrecorded:
            new = _cell(UNRECORDED, "rewind--new", "-unrecorded")
        else:
            new = _cell(REMOVED, "rewind--new", "-absent")
        return Horizontal(_cell(one_line(key, PREVIEW_CELLS), "rewind--key"), old, new,
                          classes="rewind--row")

    def _staying_row(self, key: str) -> Horizontal:
        if key in self.plan.new_state:
            now = _cell(json_preview(self.plan.new_state[key], PREVIEW_CELLS), "rewind--old")
        else:
            now = _cell(ABSENT, "rewind--old", "-absent")
        return Horizontal(_cell(one_line(key, PREVIEW_CELLS), "rewind--key"), now,
                          _cell(STAYS, "rewind--new", "-stays"), classes="rewind--row")

    @property
    def _has_rows(self) -> bool:
        return bool(self.plan.state_changes or self.plan.staying)

    def on_mount(self) -> None:
        if self._has_rows:
            self.query_one("#rewind-table").focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed, "#rewind-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#rewind-no")
    def _no(self) -> None:
        self.dismiss(False)
