"""EventView: one event, whole, as safe text."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult
from textual.widgets import Static

from session_tui.model import Event, EventActions
from session_tui.widgets import EventView
from probes import CountingDict


class Harness(App):
    def __init__(self, widget: EventView) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


def run(test, size=(80, 30)):
    async def main():
        widget = EventView()
        app = Harness(widget)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await test(app, widget, pilot)

    asyncio.run(main())


def shown(widget: EventView) -> str:
    """The text of every visible section, as rendered."""
    return "\n".join(str(static.render()) for static in widget.query(Static) if static.display)


def screen_text(app: App) -> str:
    return "\n".join(
        "".join(segment.text for segment in strip)
        for strip in app.screen._compositor.render_strips()  # what reaches the terminal
    )


EVENT = Event(
    id="ev-1",
    invocation_id="inv-7",
    author="[b]planner[/b]",
    content="Fly to [bold red]Lisbon[/] \x1b]0;pwned\x07 now\nsecond line [link=https://evil.example]x[/link]",
    actions=EventActions(state_delta={"dest": "LIS", "k": {"n": "\u202eevil"}}, transfer_to_agent="booker",
                         escalate=True, extra={"branch_hint": "a"}),
    timestamp=1_764_000_000.25,
    extra={"usage_metadata": {"tokens": 12}, "note": "[i]x[/i]"},
)


def test_whole_event_is_shown_safely():
    async def check(app, widget, pilot):
        widget.show_event(EVENT, 2, 10)
        await pilot.pause()
        text = shown(widget)
        assert "Event 3 of 10" in text
        assert "ev-1" in text and "inv-7" in text and "[b]planner[/b]" in text
        assert "2025-11-24T16:00:00.250000Z" in text
        assert "Fly to [bold red]Lisbon[/] ␛]0;pwned␇ now\nsecond line [link=https://evil.example]x[/link]" in text
        assert '"dest": "LIS"' in text and "\\u202eevil" in text and "\u202e" not in text
        assert "booker" in text and "escalate           true" in text
        assert "skip_summarization false" in text
        assert '"branch_hint": "a"' in text
        assert '"usage_metadata": {' in text and '"note": "[i]x[/i]"' in text
        assert "\x1b" not in text and "\x07" not in text
        painted = screen_text(app)
        assert "[bold red]Lisbon[/]" in painted and "␛]0;pwned␇" in painted and "\x1b" not in painted

    run(check)


def test_no_event_and_no_content():
    async def check(app, widget, pilot):
        assert "No event selected" in shown(widget)
        widget.show_event(Event(id="e", invocation_id="edit-1", author="session-tui", timestamp=0))
        await pilot.pause()
        text = shown(widget)
        assert "(no content)" in text and "✎ edit" in text and "state_delta        none" in text
        assert "Extra fields" not in text
        assert "1970-01-01T00:00:00Z" in text

    run(check)


def test_5mb_content_is_capped():
    async def check(app, widget, pilot):
        big = "word " * 1_000_000
        widget.show_event(Event(id="e", invocation_id="i", author="a", content=big, timestamp=1))
        await pilot.pause()
        content = str(widget.query_one(".event-view--content", Static).render())
        assert len(content) < EventView.LIMIT + 100
        assert f"… {len(big) - EventView.LIMIT:,} more characters not shown" in content

    run(check)


def test_tool_results_errors_and_node_are_readable():
    event = Event("ev-9", "inv-9", "github_mcp_agent", 'get_me -> {"content": [...]}', EventActions(), 1_764_000_000,
                  extra={"adk_content": {"role": "user", "parts": [{"functionResponse": {
                      "name": "get_me", "response": {"content": [
                          {"type": "text", "text": '{"login":"ada","bio":"# Hi\\n\\nI build agents"}'}],
                          "isError": True}}}]},
                         "errorCode": "TOOL_FAILED", "errorMessage": "the tool said no",
                         "nodeInfo": {"path": "root_agent@1"}})

    async def check(app, widget, pilot):
        widget.show_event(event, 0, 1)
        await pilot.pause()
        text = shown(widget)
        assert "↩ get_me" in text and "✗ isError" in text
        assert '"login": "ada"' in text  # JSON in the MCP text, indented
        assert "✗ error" in text and "TOOL_FAILED" in text and "the tool said no" in text
        assert "root_agent@1" in text

    run(check)


def test_a_state_delta_of_100k_keys_is_laid_out_only_as_far_as_it_is_shown():
    async def check(app, widget, pilot):
        many = CountingDict({f"k{n:06d}": n for n in range(100_000)})
        CountingDict.read = 0
        widget.show_event(Event(id="e", invocation_id="i", author="a", content="x",
                                actions=EventActions(state_delta={"many": many}), timestamp=1))
        await pilot.pause()
        assert CountingDict.read < EventView.LIMIT  # not all 100,000
        actions = str(widget.query_one(".event-view--actions", Static).render())
        assert '"k000000": 0,' in actions and "more not shown" in actions
        assert len(actions) < EventView.LIMIT + 1_000

    run(check)


def test_huge_one_line_fields_are_cut_before_they_are_made_safe():
    async def check(app, widget, pilot):
        author = "\x1b[31m" + "a" * 10_000_000
        widget.show_event(Event(id="e", invocation_id="i", author=author, content="x", timestamp=1))
        await pilot.pause()
        header = str(widget.query_one(".event-view--header", Static).render())
        assert "␛[31maaa" in header and "\x1b" not in header and len(header) < 5_000

    run(check)
