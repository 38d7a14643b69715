"""Timeline: a session's events, grouped by invocation, virtualised."""

from __future__ import annotations

import asyncio
import re

from textual.app import App, ComposeResult

from session_tui.model import Event, EventActions, Session
from session_tui.widgets import Timeline
from session_tui.widgets.timeline import function_counts

T0 = 1_764_000_000  # 2025-11-24T16:00:00Z


def ev(i: int, inv: str, author: str = "agent", content: str | None = "hi", **kw) -> Event:
    actions = EventActions(state_delta=kw.pop("delta", {}), transfer_to_agent=kw.pop("transfer", None),
                           escalate=kw.pop("escalate", False))
    return Event(id=f"e{i}", invocation_id=inv, author=author, content=content, actions=actions,
                 timestamp=T0 + i, extra=kw.pop("extra", {}))


def make_session(events: list[Event], sid: str = "s1") -> Session:
    return Session(id=sid, app_name="app", user_id="u", state={}, created_at="2025-11-24T16:00:00Z",
                   updated_at="2025-11-24T16:00:00Z", events=events)


def sample() -> Session:
    return make_session([
        ev(0, "inv-1", "user", "Book me a flight to [bold red]Lisbon[/]"),
        ev(1, "inv-1", "planner", "\x1b]0;pwned\x07 done", delta={"dest": "LIS", "n": 2}),
        ev(2, "inv-1", "planner", None, extra={"function_calls": [{"name": "search"}, {"name": "x"}]}),
        ev(3, "inv-1", "tool", "[link=https://evil.example]ok[/link]",
           extra={"adk_content": {"role": "user", "parts": [{"functionResponse": {"name": "search"}}]}}),
        ev(4, "inv-2", "planner", "handing over", transfer="booker", escalate=True),
        ev(5, "inv-1", "planner", "late event of inv-1"),
        ev(6, "edit-123", "session-tui", None, delta={"dest": None}),
    ])


class Harness(App):
    def __init__(self, widget: Timeline) -> None:
        super().__init__()
        self.widget = widget
        self.seen: list[tuple] = []

    def compose(self) -> ComposeResult:
        yield self.widget

    def on_timeline_highlighted(self, message: Timeline.Highlighted) -> None:
        self.seen.append(("highlighted", message.index, message.invocation_id))

    def on_timeline_event_selected(self, message: Timeline.EventSelected) -> None:
        self.seen.append(("selected", message.index, message.event.id))

    def on_timeline_invocation_selected(self, message: Timeline.InvocationSelected) -> None:
        self.seen.append(("invocation", message.invocation_id))


def run(test, session, size=(100, 20)):
    async def main():
        widget = Timeline()
        app = Harness(widget)
        async with app.run_test(size=size) as pilot:
            widget.set_session(session)
            widget.focus()
            await pilot.pause()
            await test(app, widget, pilot)

    asyncio.run(main())


def rendered(widget: Timeline, y: int) -> str:
    return "".join(segment.text for segment in widget.render_line(y))


# The tokens and time a line ends with (stats.figures_text), after its badges.
FIGURES = re.compile(r"\s+(?:[\d.]+[kMG]?\s+)?(?:<0s|[\d.]+s|\d+[mh]\d\d|\d+d)$")


def before_figures(line: str) -> str:
    return FIGURES.sub("", line.rstrip())


def test_grouping_by_contiguous_runs():
    async def check(app, widget, pilot):
        lines = [rendered(widget, y) for y in range(widget.line_count)]
        # inv-1 (4 events), inv-2 (1), inv-1 again (1), the edit (1): four headers, seven events
        assert widget.line_count == 11
        headers = [text for text in lines if not text.startswith("  ")]
        assert len(headers) == 4
        assert "inv-1" in headers[0] and "(part 1/2)" in headers[0] and "4 events" in headers[0]
        assert "user, planner, tool" in headers[0] and "Δ2" in headers[0]
        assert "2025-11-24 16:00:00–16:00:03" in headers[0]
        assert "inv-2" in headers[1] and "1 event " in headers[1]
        assert "(part 2/2)" in headers[2]
        assert headers[3].startswith("✎ edit-123")

    run(check, sample())


def test_event_lines_badges_and_literal_text():
    async def check(app, widget, pilot):
        text = [rendered(widget, y) for y in range(widget.line_count)]
        assert "16:00:00" in text[1] and "user" in text[1]
        assert "Book me a flight to [bold red]Lisbon[/]" in text[1]
        assert "␛]0;pwned␇ done" in text[2] and "\x1b" not in "".join(text)
        assert before_figures(text[2]).endswith("Δ2")
        assert "ƒ2" in text[3] and "state" not in text[3] and "(no content)" in text[3]
        assert "[link=https://evil.example]ok[/link]" in text[4] and before_figures(text[4]).endswith("↩")
        assert "→booker" in text[6] and "⚠" in text[6]
        assert "✎" in text[10] and "Δ1" in text[10] and "state ← dest" in text[10]
        assert all(len(line) == widget.size.width for line in text)

    run(check, sample())


def test_cursor_keys_messages_and_current_invocation():
    async def check(app, widget, pilot):
        assert widget.cursor_line == 0 and widget.cursor_event is None
        assert widget.current_invocation == "inv-1"
        await pilot.press("enter")
        await pilot.press("down")
        assert widget.cursor_event == 0 and widget.current_invocation == "inv-1"
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert ("invocation", "inv-1") in app.seen
        assert ("selected", 2, "e2") in app.seen
        assert app.seen[0] == ("highlighted", None, "inv-1")
        assert ("highlighted", 0, "inv-1") in app.seen
        await pilot.press("shift+down")
        assert widget.cursor_event is None and widget.current_invocation == "inv-2"
        await pilot.press("shift+up", "shift+up")
        assert widget.cursor_line == 0
        await pilot.press("end")
        assert widget.cursor_event == 6 and widget.current_invocation == "edit-123"
        await pilot.press("home")
        assert widget.cursor_line == 0
        await pilot.press("pagedown")
        assert widget.cursor_line == min(widget.scrollable_content_region.height - 1, widget.line_count - 1)

    run(check, sample())


def test_reload_keeps_the_cursor_on_the_same_event():
    async def check(app, widget, pilot):
        widget.select_event(4)
        assert widget.current_invocation == "inv-2"
        session = sample()
        session.events.insert(0, ev(99, "inv-0", "user", "earlier"))
        widget.set_session(session)
        assert widget.cursor_event == 5 and session.events[5].id == "e4"
        widget.set_session(make_session([ev(0, "x")], sid="other"))
        assert widget.cursor_line == 0
        widget.set_session(None)
        assert widget.line_count == 0 and widget.current_invocation is None
        assert "No session" in rendered(widget, 0)

    run(check, sample())


def test_function_counts_sources():
    assert function_counts(ev(0, "i")) == (0, 0)
    assert function_counts(ev(0, "i", extra={"function_calls": [1, 2, 3]})) == (3, 0)
    assert function_counts(ev(0, "i", extra={"function_responses": {"name": "f"}})) == (0, 1)
    parts = [{"text": "x"}, {"function_call": {"name": "a"}}, {"functionCall": {"name": "b"}},
             {"functionResponse": {"name": "a"}}]
    assert function_counts(ev(0, "i", extra={"content_parts": parts})) == (2, 1)
    assert function_counts(ev(0, "i", extra={"adk_content": {"parts": parts}})) == (2, 1)


def test_100k_events_load():
    events = [ev(i, f"inv-{i // 10}", ("user", "agent")[i % 2], f"message {i}",
                 delta={"k": i} if i % 7 == 0 else {}) for i in range(100_000)]
    session = make_session(events)

    async def check(app, widget, pilot):
        assert widget.line_count == 110_000
        await pilot.press("end")
        assert widget.cursor_event == 99_999
        assert "message 99999" in rendered(widget, widget.size.height - 1)
        await pilot.press("home", "pagedown")
        assert widget.cursor_line == widget.scrollable_content_region.height - 1
        widget.select_event(50_000)
        assert widget.cursor_line == 55_001 and widget.current_invocation == "inv-5000"

    run(check, session)


def test_resize_redraws_at_the_new_width():
    async def check(app, widget, pilot):
        before = rendered(widget, 1)
        await pilot.resize_terminal(140, 20)
        await pilot.pause()
        after = rendered(widget, 1)
        assert len(before) == 100 and len(after) == widget.size.width > 100
        assert "Book me a flight" in after

    run(check, sample())


def test_error_and_compaction_events_say_what_they_are():
    err = ev(1, "inv-1", "root_agent", None,
             extra={"errorCode": "_ResourceExhaustedError", "errorMessage": "\nsee docs\n429 RESOURCE_EXHAUSTED."})
    compaction = ev(3, "inv-2", "user", None)
    compaction.actions.extra["compaction"] = {
        "start_timestamp": T0, "end_timestamp": T0 + 2,
        "compacted_content": {"parts": [{"text": "The user asked for flights; two were found."}]}}
    long_inv = "e-" + "4b387a1b-017e-4c54-a999-bbd8d731b6cc"
    session = make_session([ev(0, "inv-1", "user", "hi"), err, ev(2, "inv-1", "root_agent", None,
                            extra={"errorCode": "TOOL_FAILED"}), compaction, ev(4, long_inv)])

    async def check(app, widget, pilot):
        lines = [rendered(widget, y) for y in range(widget.line_count)]
        assert "✗ 2 errors" in lines[0]
        assert "_ResourceExhaustedError: 429 RESOURCE_EXHAUSTED." in lines[2] and before_figures(lines[2]).endswith("✗")
        assert "(no content)" not in "".join(lines)
        assert "compacted 3 events: The user asked for flights" in lines[5] and before_figures(lines[5]).endswith("⋯")
        assert long_inv in lines[6]  # the whole invocation id when there is room

    run(check, session, size=(120, 20))


def test_a_tool_waiting_for_confirmation_has_a_badge():
    asking = ev(1, "inv-1", "agent", "May I book it?")
    asking.actions.extra["requestedToolConfirmations"] = {"call-7": {"hint": "book NH7?"}}

    async def check(app, widget, pilot):
        assert before_figures(rendered(widget, 2)).endswith("?")

    run(check, make_session([ev(0, "inv-1", "user", "hi"), asking]))


def rewind(i: int, inv: str, target: str) -> Event:
    """A rewind event as google-adk's Runner.rewind_async writes it (a restoring delta)."""
    event = ev(i, inv, "user", None, delta={"dest": None})
    event.actions.extra["rewindBeforeInvocationId"] = target
    return event


def with_rewinds() -> Session:
    """inv-2 and inv-3 annulled by a rewind (event 5); then a rewind that annuls nothing; then a
    rewind inside a range a later rewind annuls (nested: no effect of its own)."""
    return make_session([
        ev(0, "inv-1"), ev(1, "inv-2"), ev(2, "inv-2", delta={"dest": "LIS"}), ev(3, "inv-3"),
        rewind(4, "e-rw1", "inv-2"), ev(5, "inv-4"), rewind(6, "e-rw2", "inv-9"),
        ev(7, "inv-5"), rewind(8, "e-rw3", "inv-5"), ev(9, "inv-6"), rewind(10, "e-rw4", "inv-5"),
    ])


def test_annulled_events_are_dimmed_and_say_which_rewind_annulled_them():
    async def check(app, widget, pilot):
        lines = [rendered(widget, y) for y in range(widget.line_count)]
        assert widget.annulled_count == 3 + 3  # inv-2 (2), inv-3; then inv-5, rw3, inv-6
        assert widget.annulled_at(1) == 4 and widget.annulled_at(0) is None
        # The headers of annulled invocations name the rewind; their events are marked ↶.
        assert lines[2].startswith("↶ inv-2  annulled by rewind at 16:00:04 (event 5)")
        assert lines[5].startswith("↶ inv-3  annulled by rewind at 16:00:04 (event 5)")
        assert lines[3].startswith("↶ 16:00:01") and lines[6].startswith("↶ 16:00:03")
        assert lines[1].startswith("  16:00:00")  # inv-1 stays
        # The rewind events say what they did.
        assert "rewind: annulled 3 events from inv-2 on (2 invocations)" in lines[8]
        assert lines[8].rstrip().endswith("↶") and not lines[8].startswith("↶")
        assert "rewind: annulled nothing (no earlier event of inv-9)" in lines[12]
        assert "rewind: no effect, itself annulled later (was to go back before inv-5)" in lines[16]
        assert "rewind: annulled 3 events from inv-5 on (3 invocations)" in lines[20]
        # Dimmed: every segment of an annulled line, none of a live one.
        dim = [all(seg.style and seg.style.dim for seg in widget.render_line(y) if seg.text.strip())
               for y in range(widget.line_count)]
        assert dim[2] and dim[3] and dim[4] and dim[6] and dim[16]
        assert not any(dim[y] for y in (0, 1, 7, 8, 12, 20))

    run(check, with_rewinds(), size=(120, 30))


def test_a_partly_annulled_invocation_says_how_much():
    # inv-1 goes on after inv-2 began: a rewind before inv-2 annuls inv-1's later events too.
    session = make_session([ev(0, "inv-1"), ev(1, "inv-2"), ev(2, "inv-2"), rewind(3, "e-rw", "inv-2")])
    session.events[2].invocation_id = "inv-1"  # inv-1, inv-2, inv-1: two runs of inv-1

    async def check(app, widget, pilot):
        lines = [rendered(widget, y) for y in range(widget.line_count)]
        assert lines[0].startswith("▾ inv-1 (part 1/2)")
        assert "annulled by rewind at 16:00:03 (event 4)" in lines[4] and "inv-1 (part 2/2)" in lines[4]
        assert widget.annulled_count == 2

    run(check, session)


def test_a_narrow_header_drops_the_span_then_the_authors_never_cutting_the_count():
    # Each width keeps the count whole ("4 events", not "4 even"): the span goes first, then
    # the authors are cut down, then left out; Δ stays.
    session = make_session([ev(i, "inv-1", ("user", "planner", "tool", "tool")[i], delta={"k": i} if i == 1 else {})
                            for i in range(4)])

    def header_at(width):
        async def check(app, widget, pilot):
            seen.append(before_figures(rendered(widget, 0)))
        seen: list[str] = []
        run(check, session, size=(width, 8))
        return seen[0]

    wide, middle, narrow = header_at(100), header_at(50), header_at(38)
    assert "2025-11-24 16:00:00–16:00:03" in wide and "user, planner, tool · 4 events" in wide
    assert "2025" not in middle and middle.endswith("user, planner, tool · 4 events  Δ1")
    assert narrow.endswith("inv-1  4 events  Δ1") and "user" not in narrow


def test_a_narrow_annulled_header_names_the_rewind_by_its_event_and_keeps_the_count():
    async def check(app, widget, pilot):
        header = before_figures(rendered(widget, 2))
        assert header == "↶ inv-2  annulled by event 5  2 events  Δ1"

    run(check, with_rewinds(), size=(48, 30))
