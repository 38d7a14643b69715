"""Search by keys: `/` in a session marks the events holding the text and `n` / `N` move the
timeline's cursor between them, with a count; the list's `/` filter matches the text of every
event of every session (through the search index, built in a worker)."""

from __future__ import annotations

import asyncio

from scenes import DEMO_FIRST, make_app, make_demo_store, press, settle
from textual.widgets import Static

from session_tui.model import Event
from session_tui.search import SessionText, session_matches
from session_tui.search_index import row_text
from session_tui.store import open_store
from session_tui.widgets.search_bar import SearchBar
from session_tui.widgets.session_list import SessionList
from session_tui.widgets.timeline import Timeline

SIZE = (120, 36)


def test_slash_n_and_shift_n_in_a_session(tmp_path):
    path = make_demo_store(tmp_path / "store")
    store = open_store(path)
    session = store.get(DEMO_FIRST)
    store.close()
    matches = SessionText(session.events).find("refund")
    assert len(matches) >= 3
    assert matches == sorted({m.event_index for m in session_matches(session, "refund")})

    async def main():
        app = make_app(path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "enter", "slash", *"REFUND")
            screen = app.screen
            timeline, bar = screen.query_one(Timeline), screen.query_one(SearchBar)
            count = bar.query_one(".search-bar--count", Static)

            def shown():
                return timeline.cursor_event, str(count.render())

            total = len(matches)
            assert shown() == (matches[0], f"1/{total}")  # typing went to the first match
            await press(pilot, "enter")  # back to the timeline, the matches stay
            assert app.focused is timeline
            await press(pilot, "n")
            assert shown() == (matches[1], f"2/{total}")
            await press(pilot, "N", "N")  # back, then round the start to the last
            assert shown() == (matches[-1], f"{total}/{total}")
            await press(pilot, "n")  # round the end to the first
            assert shown() == (matches[0], f"1/{total}")
            await press(pilot, "escape")  # closes the search, not the session
            assert not bar.display and app.screen is screen
            await press(pilot, "n")  # no search: n moves nothing
            assert timeline.cursor_event == matches[0]

    asyncio.run(main())


def test_list_filter_matches_the_text_of_every_event(tmp_path):
    path = make_demo_store(tmp_path / "store")
    store = open_store(path)
    rows = store.list()
    sessions = {s.id: s for s in store.iter_sessions()}
    store.close()
    word = "lookup_order"  # a tool's name: in events, not in any list row's own text
    in_rows = {r["id"] for r in rows if word.encode() in row_text(r)}
    in_events = {i for i, s in sessions.items() if session_matches(s, word)}
    assert not in_rows and 0 < len(in_events) < len(rows)
    older = sorted(rows, key=lambda r: r["updated_at"])[0]["id"]

    async def main():
        app = make_app(path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "slash", *word.upper())
            session_list = app.screen.query_one(SessionList)
            assert set(session_list.shown_ids()) == in_events
            status = str(app.screen.query_one("#status", Static).render())
            assert f"{len(in_events)} of {len(rows)} sessions match" in status
            # Another writer adds the word to a session: the poll's rows refresh the index.
            await pilot.press("end", "ctrl+u", *"zebra-crossing")
            await settle(pilot)
            assert session_list.row_count == 0
            writer = open_store(path)
            writer.append_event(older, Event.new("i-z", "agent", "Mind the Zebra-Crossing",
                                                 timestamp=1_800_000_000.0))
            writer.close()
            app.check_for_changes()  # what the poll timer does
            for _ in range(3):  # poll -> StoreChanged -> the index's worker -> shown
                await settle(pilot)
            assert session_list.shown_ids() == [older]

    asyncio.run(main())
