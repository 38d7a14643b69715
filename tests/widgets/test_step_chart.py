"""The chart's bars (widgets/step_chart.py) and the session list's Tokens column."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult

from session_tui.widgets import SessionList
from session_tui.widgets.step_chart import EIGHTHS, bar_cells


def test_bars_are_as_long_as_their_share_stacked_in_order_and_never_vanish():
    assert bar_cells([50, 50], 100, 10) == [("█", 0)] * 5 + [("█", 1)] * 5
    half = bar_cells([30], 60, 5)  # 2.5 cells: two whole, a half
    assert half == [("█", 0), ("█", 0), (EIGHTHS[4], 0)]
    assert bar_cells([1], 10**9, 20) == [(EIGHTHS[1], 0)]  # tiny, still there
    assert bar_cells([0, 0], 10, 20) == [] and bar_cells([5], 0, 20) == []
    stacked = [part for _, part in bar_cells([10, 0, 20, 10], 40, 8)]
    assert stacked == [0, 0, 2, 2, 2, 2, 3, 3]  # the empty part takes no cell


def test_the_tokens_column_sorts_largest_first_unknown_last():
    rows = [{"id": f"s{i}", "app_name": "a", "user_id": "u", "event_count": 1,
             "invocation_count": 1, "updated_at": f"2026-01-0{i + 1}T00:00:00Z",
             "total_tokens": tokens} for i, tokens in enumerate([1200, None, 45_000, 7])]

    class Harness(App):
        def compose(self) -> ComposeResult:
            yield SessionList(rows)

    async def main():
        app = Harness()
        async with app.run_test(size=(100, 8)) as pilot:
            widget = app.query_one(SessionList)
            widget.sort_by("tokens")
            await pilot.pause()
            assert widget.shown_ids() == ["s2", "s0", "s3", "s1"]
            header = "".join(s.text for s in widget.render_line(0))
            assert "Tokens ▼" in header
            assert "45k" in "".join(s.text for s in widget.render_line(1))
            widget.sort_by("tokens")
            assert widget.shown_ids() == ["s1", "s3", "s0", "s2"]
            # No session recorded tokens: no column for them.
            widget.set_rows([dict(r, total_tokens=None) for r in rows])
            await pilot.pause()
            assert "Tokens" not in "".join(s.text for s in widget.render_line(0))

    asyncio.run(main())

