"""The session screen's chart and copy: `t` shows tokens and time per invocation as a chart
(enter on a bar goes to its invocation on the timeline); `c` copies what is under the cursor as
JSON (a state value, an event as it exports, an invocation's events) to the clipboard."""

from __future__ import annotations

from typing import Any

from .. import jsonio
from .. import pointer as jp
from ..stats import session_stats
from ..text import one_line, plural
from ..widgets.event_view import EventView
from ..widgets.state_tree import StateTree
from ..widgets.timeline import Timeline


class StatsAndCopy:
    """Mixed into the session screen: it supplies `session` and `event_index`."""

    # -- the chart ---------------------------------------------------------------------------
    def action_step_chart(self) -> None:
        from .step_chart import StepChartDialog

        if self.session is None:
            return
        current = self.query_one(Timeline).current_invocation
        self.app.push_screen(StepChartDialog(session_stats(self.session.events), current),
                             self._chart_answered)

    def _chart_answered(self, invocation_id: str | None) -> None:
        """To the (first) header of the invocation chosen on the chart."""
        if invocation_id is None or self.session is None:
            return
        timeline = self.query_one(Timeline)
        for index, event in enumerate(self.session.events):
            if event.invocation_id == invocation_id:
                timeline.move_cursor(timeline.line_of_event(index) - 1)  # its header
                timeline.focus()
                return

    # -- copy --------------------------------------------------------------------------------
    def action_copy(self) -> None:
        found = self._to_copy()
        if found is None:
            self.notify("Nothing to copy here: move to a value or an event", severity="warning")
            return
        what, value = found
        # (a lone surrogate an agent wrote becomes U+FFFD: the terminal gets UTF-8)
        text = jsonio.dumps(value, jsonio.INDENT).decode("utf-8", "replace")
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {what} as JSON ({plural(len(text), 'character')})", markup=False,
                    timeout=3)

    def _to_copy(self) -> tuple[str, Any] | None:
        """(what it is, its value) under the cursor of the focused pane, or None."""
        focused = self.focused
        if isinstance(focused, StateTree):
            path = focused.cursor_path
            if path is None:
                return None
            value: Any = focused.state
            for key in path:
                value = value[key]
            return (f"the value at {one_line(jp.build(list(path)), 60)}" if path
                    else "the whole state"), value
        if isinstance(focused, EventView) and focused.event is not None:
            return "the event shown", focused.event.export()
        if isinstance(focused, Timeline) and self.session is not None:
            index = focused.cursor_event
            if index is not None:
                return f"event {index + 1}", self.session.events[index].export()
            invocation = focused.current_invocation
            if invocation is not None:
                events = [e.export() for e in self.session.events if e.invocation_id == invocation]
                return f"invocation {one_line(invocation, 40)} ({plural(len(events), 'event')})", events
        return None
