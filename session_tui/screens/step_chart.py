"""Tokens and time per invocation of the open session, as a chart: `StepChartDialog(stats,
current)` -> the invocation id chosen with enter (the timeline goes to it), None on escape.
A dialog in look (`Dialog`), kept among the screens: it shows a widget (dialogs do not)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from ..stats import SessionStats, short_duration
from ..text import plural
from ..widgets.step_chart import StepChart
from ..dialogs.base import Dialog, keys_line, load_css

__all__ = ["StepChartDialog", "summary_line"]

# The legend: each kind of a token bar in its colour (step_chart.tcss), then the time bar's.
LEGEND = (("prompt", "$primary"), ("cached", "$primary-lighten-3"), ("output", "$success"),
          ("thoughts", "$warning"), ("other", "$secondary"))


def summary_line(stats: SessionStats) -> str:
    """`8 invocations · 32 events · 1m12 agent time` and, on a line of its own, `33,214 tokens
    (prompt 30,100, cached 0, output 2,114, thoughts 1,000)`; or that none were recorded."""
    tokens = stats.tokens
    if stats.total_tokens is None:
        said = "no token counts recorded"
    else:
        said = (f"{tokens['total']:,} tokens (prompt {tokens['prompt']:,}, cached "
                f"{tokens['cached']:,}, output {tokens['candidates']:,}, thoughts "
                f"{tokens['thoughts']:,})")
    return (f"{plural(len(stats.invocations), 'invocation')} · {plural(stats.events, 'event')}"
            f" · {short_duration(stats.duration_s)} agent time\n{said}")


def legend() -> Content:
    parts: list[str | tuple[str, str]] = ["tokens: "]
    for name, colour in LEGEND:
        parts += [("█", colour), (f" {name}  ", "$text-muted")]
    parts += ["  time: ", ("█", "$foreground-muted")]
    return Content.assemble(*parts)


class StepChartDialog(Dialog["str | None"]):
    """The chart of one session. ↑↓ move, enter: go to the invocation, escape / t / q: close."""

    DEFAULT_CSS = load_css(__file__)

    BINDINGS = [Binding("escape,q,t", "cancel", "Close", show=False)]

    def __init__(self, stats: SessionStats, current: str | None = None, *,
                 cursor_blink: bool | None = None) -> None:
        super().__init__(cursor_blink=cursor_blink)
        self.stats = stats
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog--box", id="chart-box") as box:
            box.border_title = Content("Tokens and time per invocation")
            yield Static(Content(summary_line(self.stats)), id="chart-summary",
                         classes="dialog--muted")
            yield Static(legend(), id="chart-legend")
            if self.stats.invocations:
                yield StepChart(self.stats, self.current, id="chart")
            else:  # (an empty list's message would sit under the chart's fixed header line)
                yield Static("No events: nothing to chart", id="chart-empty",
                             classes="dialog--muted")
            yield Static(keys_line(("↑↓", "move"), ("enter", "go to it on the timeline"),
                                   ("esc/t", "close")), id="chart-keys", classes="dialog--keys")

    def on_mount(self) -> None:
        super().on_mount()
        for chart in self.query(StepChart):
            chart.focus()

    @on(StepChart.Chosen)
    def _chosen(self, message: StepChart.Chosen) -> None:
        self.dismiss(message.invocation_id)
