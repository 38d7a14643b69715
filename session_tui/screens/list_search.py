"""The session list's filter over the text of every event of every session, through the search
index (search_index.py): built in a worker when the filter is first used (`/`, or a first key),
from the copy kept in the user's cache folder when there is one (reading only what changed
since), then brought up to date in a worker whenever the list shows new rows (a change here, a
poll's StoreChanged). Not before: a list that is only looked at costs nothing more.

Typing never reads the store: each key asks the index (`match`: one C-speed scan per session,
narrowed while typing on) for the ids to show, a slice of time at a time. The rows' own text is
searchable as soon as the worker starts; until the index has read every session, the event text
read so far is matched, the status line says how far it got, and the list filters again as more
is read.

When the cache folder holds a saved index of the store, it is read as soon as the list is shown
(in a worker): the first key does not wait for it. Without one, nothing is read before the
filter is used (reading every session is the cost of the first filter, once)."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from textual import work

from ..widgets.session_list import SessionList

if TYPE_CHECKING:  # (imported when first used: not needed to start the app)
    from ..search_index import SearchIndex

SAVE_AFTER = 50  # sessions read by a refresh that make the cache worth writing again
SHOW_EVERY = 0.1  # seconds between two showings of a long search's matches so far


class ListSearch:
    """Mixed into the session list screen: it calls `index_rows(rows)` whenever it shows rows
    and `start_search_index()` when the filter is focused, and shows `search_status()` in its
    status line; it gives `freeze_what_was_read()`."""

    search_index: SearchIndex | None = None
    _index_rows: list[dict] | None = None  # the rows shown last
    _searching = False  # a filter's search is under way (it runs in slices)
    _shown_at = 0.0  # when the list last showed a search's matches so far (time.monotonic)
    _index_progress: tuple[int, int] | None = None  # (read, to read) while reading
    _index_lock = threading.Lock()
    _preloading = False  # looked for a saved index already (once a screen)

    def index_rows(self, rows: list[dict]) -> None:
        self._index_rows = rows
        if self.search_index is not None:
            self._refresh_index(rows, first=False)
        elif not self._preloading:
            self._preloading = True
            self.call_after_refresh(self._preload_index)  # (the rows drawn first)

    @work(thread=True, group="search-index-preload", exit_on_error=False)
    def _preload_index(self) -> None:
        """Start the index now when a saved one is there to read (its check: a stat)."""
        from ..search_index import cache_file

        path, _identity = cache_file(self.app.store)
        if path.is_file():
            self.app.call_from_thread(self.start_search_index)

    def start_search_index(self) -> None:
        if self.search_index is None and self._index_rows is not None:
            from ..search_index import SearchIndex

            self.search_index = SearchIndex()
            self.query_one(SessionList).matcher = self._matching_ids
            self._index_progress = (0, len(self._index_rows))
            self._refresh_index(self._index_rows, first=True)

    def _matching_ids(self, needle: str) -> list[str] | None:
        """What the list shows for `needle`: the ids found within a slice of time; when that
        was not all, the search goes on at the next turn of the event loop (keys typed
        meanwhile come first and start a new one), the list showing what it found at most
        every SHOW_EVERY seconds (each time the list is drawn afresh) and when done."""
        index = self.search_index
        if index is None:
            return None
        from ..search_index import SLICE

        ids, complete = index.match(needle, SLICE)
        self._searching = not complete
        if not complete:
            self._shown_at = time.monotonic()
            self.set_timer(0.001, self._search_on)
        return ids

    def _search_on(self) -> None:
        from ..search_index import SLICE

        session_list = self.query_one(SessionList)
        needle = session_list.filter.strip().casefold()
        if not needle or self.search_index is None:
            self._searching = False
        elif time.monotonic() - self._shown_at < SHOW_EVERY:
            if not self.search_index.match(needle, SLICE)[1]:
                self.set_timer(0.001, self._search_on)  # on, without drawing yet
                return
        session_list.refilter()  # (done: the answer is kept, the matcher finds it at once)
        if not self._searching:
            self._update_status()

    # (A description of its own: Textual's default is the repr of the arguments, all the rows:
    # a tenth of a second on the UI thread for 10,000 sessions.)
    @work(thread=True, group="search-index", exit_on_error=False,
          description="the search index brought up to the list's rows")
    def _refresh_index(self, rows: list[dict], first: bool) -> None:
        from ..search_index import open_index, save_index

        store = self.app.store
        index = self.search_index
        with self._index_lock:  # one refresh at a time; the next reads only what is left
            kept = None
            if first:
                index.show_rows(rows)  # searchable at once, by the rows' own text
                self.app.call_from_thread(self._indexed, (0, len(rows)))
                kept = open_index(store)
            read = index.refresh_from(store, rows, self._indexed_some, kept=kept)
            if read >= SAVE_AFTER or (first and index.changed):
                save_index(index, store)
        self.app.call_from_thread(self._indexed, None)

    def _indexed_some(self, done: int, total: int) -> None:
        self.app.call_from_thread(self._indexed, (done, total))

    def _indexed(self, progress: tuple[int, int] | None) -> None:
        self._index_progress = progress if progress and progress[0] < progress[1] else None
        if progress is None:
            self.freeze_what_was_read()  # (the screen's: the index read, as the rows)
        self.query_one(SessionList).refilter()
        self._update_status()

    def search_status(self) -> str:
        """`  ·  event text: 3,000 of 10,000 sessions read` while the index reads."""
        if self._searching:
            return "  ·  searching…"
        if self._index_progress is None:
            return ""
        done, total = self._index_progress
        return f"  ·  event text: {done:,} of {total:,} sessions read"
