"""SessionList: the virtualised table of sessions."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult

from session_tui.widgets import SessionList


def make_rows(n: int) -> list[dict]:
    return [
        {
            "id": f"{i:08d}-0000-4000-8000-000000000000",
            "app_name": f"app{i % 7}",
            "user_id": f"user{i % 13}",
            "event_count": i % 500,
            "invocation_count": i % 50,
            "updated_at": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
        }
        for i in range(n)
    ]


class Harness(App):
    def __init__(self, widget: SessionList) -> None:
        super().__init__()
        self.widget = widget
        self.seen: list[tuple[str, str | None]] = []

    def compose(self) -> ComposeResult:
        yield self.widget

    def on_session_list_highlighted(self, message: SessionList.Highlighted) -> None:
        self.seen.append(("highlighted", message.session_id))

    def on_session_list_opened(self, message: SessionList.Opened) -> None:
        self.seen.append(("opened", message.session_id))


def line(widget: SessionList, y: int) -> str:
    return "".join(segment.text for segment in widget.render_line(y))


def run(test, rows, size=(80, 12)):
    async def main():
        widget = SessionList()
        app = Harness(widget)
        async with app.run_test(size=size) as pilot:
            widget.set_rows(rows)
            widget.focus()
            await pilot.pause()
            await test(app, widget, pilot)

    asyncio.run(main())


def test_columns_header_and_row_text():
    rows = [{"id": "abcdef1234567890", "app_name": "travel", "user_id": "u1", "event_count": 12,
             "invocation_count": 3, "updated_at": "2026-11-24T10:15:00Z"}]

    async def check(app, widget, pilot):
        header, row = line(widget, 0), line(widget, 1)
        for title in ("App", "User", "Id", "Events", "Last update ▼"):
            assert title in header
        assert "travel" in row and "u1" in row and "abcdef1234567890" in row  # the whole id
        assert "12" in row and "2026-11-24 10:15" in row
        assert len(header) == len(row) == widget.size.width

    run(check, rows)


def test_widths_adapt_to_the_widget():
    async def check(app, widget, pilot):
        for width in (80, 120, 200):
            await pilot.resize_terminal(width, 12)
            await pilot.pause()
            header, row = line(widget, 0), line(widget, 1)
            assert len(header) == len(row) == widget.size.width
            assert "Last update" in header
        assert "Invocations" in line(widget, 0)

    run(check, make_rows(5))


def test_agent_text_is_shown_literally():
    rows = [{"id": "[b]id[/b]", "app_name": "[bold red]x[/]", "user_id": "[link=https://e.x]y[/link]",
             "event_count": 1, "invocation_count": 1, "updated_at": "2026-01-01T00:00:00Z"},
            {"id": "z", "app_name": "\x1b]0;pwned\x07", "user_id": "\u202eevil",
             "event_count": 1, "invocation_count": 1, "updated_at": "2026-01-01T00:00:00Z"}]

    async def check(app, widget, pilot):
        widget.sort_by("app", reverse=False)
        text = line(widget, 1) + line(widget, 2)
        assert "[bold red]x[/]" in text
        assert "[link=https://e" in text
        assert "[b]id[/b"[:8] in text
        assert "␛]0;pwned␇" in text and "\x1b" not in text and "\x07" not in text
        assert "\\u202eevil" in text and "\u202e" not in text

    run(check, rows, size=(120, 8))


def test_cursor_keys_highlight_and_enter_opens():
    rows = make_rows(50)

    async def check(app, widget, pilot):
        shown = widget.shown_ids()
        assert widget.cursor == 0 and widget.selected_id == shown[0]
        await pilot.press("down", "down")
        assert widget.selected_id == shown[2]
        await pilot.press("up")
        assert widget.selected_id == shown[1]
        await pilot.press("end")
        assert widget.selected_id == shown[-1]
        assert widget.scroll_offset.y > 0  # scrolled to keep the cursor in view
        await pilot.press("home")
        assert widget.selected_id == shown[0] and widget.scroll_offset.y == 0
        await pilot.press("pagedown")
        assert widget.cursor == widget.scrollable_content_region.height - 2  # a page
        await pilot.press("pageup")
        assert widget.cursor == 0
        await pilot.press("down", "enter")
        await pilot.pause()
        assert ("opened", shown[1]) in app.seen
        highlighted = [sid for kind, sid in app.seen if kind == "highlighted"]
        assert highlighted[:3] == [shown[0], shown[1], shown[2]]

    run(check, rows)


def test_filter_matches_app_user_id_and_search_text():
    rows = make_rows(30)
    rows[5]["search_text"] = '{"destination": "Lisbon"}'

    async def check(app, widget, pilot):
        widget.filter = "APP3"
        await pilot.pause()
        assert widget.row_count == sum(1 for r in rows if r["app_name"] == "app3")
        assert all("app3" in line(widget, y) for y in range(1, widget.row_count + 1))
        widget.filter = "lisbon"
        await pilot.pause()
        assert widget.shown_ids() == [rows[5]["id"]]
        assert widget.selected_id == rows[5]["id"]
        widget.filter = "00000007"
        assert widget.shown_ids() == [rows[7]["id"]]
        widget.filter = "no such thing"
        assert widget.row_count == 0 and widget.selected_id is None
        assert "No sessions match" in line(widget, 1)
        widget.filter = ""
        assert widget.row_count == 30

    run(check, rows)


def test_sort_toggles_and_header_arrow():
    rows = make_rows(30)

    async def check(app, widget, pilot):
        chosen = widget.selected_id
        widget.sort_by("events")
        widget.action_cursor_home()
        counts = [int(line(widget, y).split()[-3]) for y in range(1, 6)]
        assert counts == sorted(counts, reverse=True)
        assert "Events ▼" in line(widget, 0)
        widget.sort_by("events")
        assert "Events ▲" in line(widget, 0)
        by_id = {r["id"]: r for r in rows}
        ascending = [by_id[i]["event_count"] for i in widget.shown_ids()]
        assert ascending == sorted(ascending)
        widget.select(chosen)
        widget.sort_by("events")
        assert widget.selected_id == chosen  # the selection survives a sort
        widget.action_cursor_home()
        widget.sort_by("app")
        apps = [line(widget, y).split()[0] for y in range(1, 11)]
        assert apps == sorted(apps) and "App ▲" in line(widget, 0)
        widget.sort_by("updated_at", reverse=False)
        assert widget.sort_column == "updated" and not widget.sort_reverse

    run(check, rows)


def test_click_on_header_sorts():
    async def check(app, widget, pilot):
        await pilot.click(SessionList, offset=(1, 0))
        assert widget.sort_column == "app"

    run(check, make_rows(10))


def test_set_rows_keeps_the_selection():
    rows = make_rows(20)

    async def check(app, widget, pilot):
        await pilot.press("down", "down", "down")
        chosen = widget.selected_id
        app.seen.clear()
        widget.set_rows(list(reversed(rows)) + make_rows(25)[20:])
        await pilot.pause()
        assert widget.selected_id == chosen
        assert app.seen == []  # the same session: nothing new to say
        widget.set_rows([r for r in rows if r["id"] != chosen])
        await pilot.pause()
        assert widget.selected_id != chosen and widget.selected_id is not None
        assert app.seen[-1] == ("highlighted", widget.selected_id)
        widget.set_rows([])
        await pilot.pause()
        assert widget.selected_id is None and "No sessions" in line(widget, 1)

    run(check, rows)


def test_100k_rows_load_and_scroll():
    rows = make_rows(100_000)

    async def check(app, widget, pilot):
        assert widget.row_count == 100_000
        await pilot.press("end")
        assert widget.cursor == 99_999
        assert widget.selected_id[:8] in line(widget, widget.size.height - 1)
        widget.filter = "app3"
        assert 0 < widget.row_count < 100_000

    run(check, rows)


def test_theme_change_redraws_with_the_new_colours():
    async def check(app, widget, pilot):
        before = list(widget.render_line(1))[0].style
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        after = list(widget.render_line(1))[0].style
        assert before != after

    run(check, make_rows(5))


def test_events_an_adk_rewind_annulled_are_counted_beside_the_events():
    rows = [{"id": "rewound", "app_name": "a", "user_id": "u", "event_count": 40, "invocation_count": 7,
             "annulled_count": 6, "updated_at": "2026-11-24T10:15:00Z"},
            {"id": "plain", "app_name": "a", "user_id": "u", "event_count": 12, "invocation_count": 3,
             "annulled_count": 0, "updated_at": "2026-11-24T10:14:00Z"},
            {"id": "older-index", "app_name": "a", "user_id": "u", "event_count": 5,
             "invocation_count": 1, "updated_at": "2026-11-24T10:13:00Z"}]  # no count: none shown

    async def check(app, widget, pilot):
        assert "  40 ↶6  " in line(widget, 1)
        assert "↶" not in line(widget, 2) + line(widget, 3)
        assert " 12  " in line(widget, 2) and " 5  " in line(widget, 3)

    run(check, rows)


def test_the_tokens_column_shows_where_a_session_recorded_tokens_rows_prepared_or_not():
    # Rows come in prepared (the app's reload worker) or plain: either way, a Tokens column
    # once some session counted tokens, and none while no session did.
    with_tokens = make_rows(3)
    with_tokens[1]["total_tokens"] = 12_345
    plain = make_rows(3)

    async def check(app, widget, pilot):
        assert "Tokens" in line(widget, 0) and " 12k " in "".join(line(widget, y) for y in range(1, 4))
        widget.set_rows(plain)
        await pilot.pause()
        assert "Tokens" not in line(widget, 0)
        widget.set_rows(widget.prepare_rows(with_tokens))
        await pilot.pause()
        assert "Tokens" in line(widget, 0)

    run(check, with_tokens, size=(110, 8))
