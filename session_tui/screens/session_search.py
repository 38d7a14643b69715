"""Search inside the open session: `/` opens the search line, the events holding the text
(content, function calls and arguments, results, state deltas, errors: search.py) are marked on
the timeline as it is typed and the cursor goes to the first at or after it; `n` / `N` go to the
next / previous match (round the end), the line counts them ("3/17"); escape closes it.

The events' text is prepared once per version of the session in a worker (`SessionText`); each
keystroke is then a C-speed scan of it on the UI thread (a few ms for 100,000 events)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from textual import work
from textual.binding import Binding

from ..search import SessionText
from ..widgets.search_bar import SearchBar
from ..widgets.timeline import Timeline

SEARCH_BINDINGS = [
    Binding("slash", "search", "Search events", show=False),
    Binding("n", "search_next", "Next match", show=False),
    Binding("N", "search_previous", "Previous match", show=False),
]


class SessionSearch:
    """Mixed into the session screen: it supplies `session` and a `SearchBar` and a `Timeline`
    among its widgets, and calls `search_session_shown()` whenever it shows a session."""

    _search_text: SessionText | None = None
    _search_for: object = None  # the session `_search_text` was made from
    _matches: list[int] = []

    def action_search(self) -> None:
        self.query_one(SearchBar).open(self.app.cursor_blink)
        self._prepare_search()

    def search_session_shown(self) -> None:
        """A new version of the session is shown: its text is prepared again (if searching)."""
        if self.query_one(SearchBar).display:
            self._prepare_search()

    def _prepare_search(self) -> None:
        session = self.session
        if session is not None and self._search_for is not session:
            self._search_for = session
            self._build_search_text()
        else:
            self._run_search(jump=False)

    @work(thread=True, group="search-text", exclusive=True, exit_on_error=False)
    def _build_search_text(self) -> None:
        # (Not an argument: Textual names a worker by the repr of its arguments, 100,000 events
        # on the UI thread, and a finished worker keeps them alive.)
        session = self._search_for
        if session is None:
            return
        text = SessionText(session.events)
        self.app.call_from_thread(self._search_text_ready, session, text)

    def _search_text_ready(self, session, text: SessionText) -> None:
        if session is self.session:
            self._search_text = text
            self._run_search(jump=False)

    def _run_search(self, jump: bool) -> None:
        bar = self.query_one(SearchBar)
        timeline = self.query_one(Timeline)
        text = self._search_text
        self._matches = text.find(bar.query) if text is not None and bar.display else []
        timeline.set_matches(self._matches)
        if jump and self._matches:
            here = timeline.cursor_event
            start = 0 if here is None else here
            at = bisect_left(self._matches, start)
            timeline.select_event(self._matches[at % len(self._matches)])
        self._show_search_count()

    def _show_search_count(self) -> None:
        here = self.query_one(Timeline).cursor_event
        position = None
        if here is not None:
            at = bisect_left(self._matches, here)
            position = at if at < len(self._matches) and self._matches[at] == here else None
        self.query_one(SearchBar).show_count(position, len(self._matches))

    # (Handlers by name, not @on: a mixin's decorated handlers are not collected.)
    def on_search_bar_changed(self) -> None:
        self._run_search(jump=True)

    def on_search_bar_done(self) -> None:
        self.query_one(Timeline).focus()

    def on_search_bar_closed(self) -> None:
        self.close_search()

    def on_timeline_highlighted(self) -> None:
        if self._matches:
            self._show_search_count()

    def close_search(self) -> bool:
        """Close the search line and unmark the matches; False when it was not open."""
        bar = self.query_one(SearchBar)
        if not bar.display:
            return False
        bar.display = False
        self._matches = []
        timeline = self.query_one(Timeline)
        timeline.set_matches(())
        timeline.focus()
        return True

    def action_search_next(self) -> None:
        self._jump(+1)

    def action_search_previous(self) -> None:
        self._jump(-1)

    def _jump(self, step: int) -> None:
        if not self._matches:
            if not self.query_one(SearchBar).display:
                self.notify("Press / to search this session's events first", timeout=3)
            return
        timeline = self.query_one(Timeline)
        here = timeline.cursor_event
        if step > 0:
            at = 0 if here is None else bisect_right(self._matches, here)
            target = self._matches[at % len(self._matches)]
        else:
            at = len(self._matches) if here is None else bisect_left(self._matches, here)
            target = self._matches[(at - 1) % len(self._matches)]
        timeline.select_event(target)
        self._show_search_count()
