"""The search line of a session (`/`): what to find in its events and how many were found
("3/17"). The screen finds (screens/session_search.py); this widget only asks and shows.

Messages up: `SearchBar.Changed(query)` as the query is typed, `SearchBar.Done` on enter (back
to the timeline, the matches stay marked), `SearchBar.Closed` on escape. Data down:
`show_count(position, total)`."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

from ..tcss import load_css


class SearchBar(Horizontal):
    DEFAULT_CSS = load_css(__file__)
    BINDINGS = [Binding("escape", "close", "Close search", show=False)]

    @dataclass
    class Changed(Message):
        query: str

    class Done(Message):
        pass

    class Closed(Message):
        pass

    def compose(self) -> ComposeResult:
        yield Static("/", classes="search-bar--label", markup=False)
        yield Input(placeholder="find in events: text, calls, results, state",
                    compact=True, id="search-input")
        yield Static("", classes="search-bar--count", markup=False)

    @property
    def query(self) -> str:
        return self.query_one(Input).value

    def open(self, cursor_blink: bool = True) -> None:
        self.display = True
        field = self.query_one(Input)
        field.cursor_blink = cursor_blink
        field.focus()

    def show_count(self, position: int | None, total: int) -> None:
        """`3/17`; `-/17` when the cursor is on no match; `no matches`."""
        count = self.query_one(".search-bar--count", Static)
        count.set_class(total == 0 and bool(self.query.strip()), "-none")
        if not self.query.strip():
            count.update("")
        elif total == 0:
            count.update("no matches")
        else:
            count.update(f"{'-' if position is None else position + 1}/{total}")

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value))

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Done())

    def action_close(self) -> None:
        self.post_message(self.Closed())
