"""Provides DiffScreen: two sessions, or one session at two events, side by side.

What is compared, and how events are aligned: session_tui/diff.py. The sessions are read (and
the diff worked out) in a worker; escape returns; `c` copies the line under the cursor as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static

from .. import jsonio
from ..diff import diff_points, diff_sessions, one_sided
from ..store import NotFound
from ..text import middle_cut, one_line
from ..widgets.diff_view import DiffView, describe_counts
from ..widgets.footer import Footer
from .keys import FOOTER_FIRST
from .header import title_room
from .workers import ReportsWorkerErrors


@dataclass(frozen=True)
class DiffRequest:
    """Session `a` against session `b`; or, with `b` None, session `a` right after event
    `from_event` against right after `to_event` (event ids)."""

    a: str
    b: str | None = None
    from_event: str | None = None
    to_event: str | None = None


class DiffScreen(ReportsWorkerErrors, Screen):
    CSS_PATH = "diff.tcss"
    HELP_TITLE = "Diff"
    BINDINGS = [
        *FOOTER_FIRST,
        Binding("escape", "back", "Back"),
        Binding("c", "copy", "Copy line"),
    ]
    HELP_EXTRA = [("Moving", [("↑ ↓ pgup pgdn home end", "move between the differences")]),
                  ("Colours", [("+ green", "only in B (added)"), ("- red", "only in A (removed)"),
                               ("~ yellow", "in both, different (A | B)")])]

    def __init__(self, request: DiffRequest) -> None:
        super().__init__()
        self.request = request
        self.diff: dict | None = None  # the diff shown, once read

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="diff-names", markup=False)
        yield DiffView(id="diff")
        yield Static(id="diff-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Diff"
        self.query_one("#diff-status", Static).update("Reading…")
        self.query_one(DiffView).focus()
        self.read()

    @work(thread=True, group="diff", exit_on_error=False)
    def read(self) -> None:
        """Read the session(s) and work out the diff (in a thread)."""
        request, store = self.request, self.app.store
        try:
            a = store.get(request.a)
            if request.b is not None:
                b = store.get(request.b)
                diff, names = diff_sessions(a, b), (f"A: {a.id}", f"B: {b.id}")
            else:
                keep_a, keep_b = (_keep(a, request.from_event), _keep(a, request.to_event))
                diff = diff_points(a, keep_a, keep_b)
                names = (f"A: after event {keep_a}", f"B: after event {keep_b}")
        except NotFound as exc:
            self.app.call_from_thread(self._gone, exc)
            return
        described = one_sided(diff, a.events + (b.events if request.b is not None else []))
        self.app.call_from_thread(self._show, diff, names, described)

    def _show(self, diff: dict, names: tuple[str, str], described: dict[str, tuple[str, str]]) -> None:
        self.diff = diff
        request = self.request
        if request.b is None:
            self.sub_title = one_line(request.a)
            said = f"{one_line(request.a)}: {names[0][3:]} (A) against {names[1][3:]} (B)"
        else:
            said = f"A: {one_line(request.a)}   B: {one_line(request.b)}"
        self._said = said
        self._fit_names()
        self.query_one(DiffView).set_diff(diff, *names, described=described)
        self.query_one("#diff-status", Static).update(
            describe_counts(diff) + "  ·  c copies the line as JSON, esc returns")

    def on_resize(self) -> None:
        self._fit_names()

    def _fit_names(self) -> None:
        """What is compared, whole: B on a line of its own where both do not fit on one (the
        line would cut B's id away); in the header, each id cut in its middle to fit."""
        request, said = self.request, getattr(self, "_said", "")
        if not said:
            return
        width = self.app.size.width
        if request.b is not None:
            room = max(12, (title_room(width, self.title) - len(" ↔ ")) // 2)
            self.sub_title = f"{middle_cut(one_line(request.a), room)} ↔ {middle_cut(one_line(request.b), room)}"
            if cell_len(said) > width - 2:  # (the line's padding)
                said = said.replace("   B: ", "\nB: ", 1)
        self.query_one("#diff-names", Static).update(said)

    def _gone(self, exc: Exception) -> None:
        self.app.report_error(exc)
        self.app.pop_screen()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_copy(self) -> None:
        line = self.query_one(DiffView).current
        if line is None:
            self.notify("Nothing to copy yet", severity="warning")
            return
        self.app.copy_to_clipboard(jsonio.dumps(line.value, jsonio.INDENT).decode())
        self.notify(f"Copied {one_line(line.label, 80)} as JSON", markup=False, timeout=3)


def _keep(session, event_id: str | None) -> int:
    """How many events the point after `event_id` keeps (None: before the first)."""
    if event_id is None:
        return 0
    for n, event in enumerate(session.events, 1):
        if event.id == event_id:
            return n
    raise NotFound(f"session {session.id!r}: event {event_id!r} is gone")
