"""The list's filter narrows while typing on: a key that extends the query searches only the
sessions the shorter query matched (SearchIndex.match keeps its answers). Whatever is typed
(on, back, in slices), each answer is what a whole search of a fresh index gives, and what
reading every session gives."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from session_tui.model import Event, Session
from session_tui.search import needle_of, session_matches
from session_tui.search_index import SearchIndex, row_text

WORDS = st.text("abAB_ ", min_size=0, max_size=6)


def build(texts: list[list[str]]) -> tuple[list[dict], dict[str, Session], SearchIndex]:
    rows, sessions = [], {}
    for n, events in enumerate(texts):
        session = Session.new("app", f"u{n % 2}", session_id=f"s{n}")
        session.events = [Event.new(f"i{k}", "agent", text, timestamp=float(k))
                          for k, text in enumerate(events)]
        sessions[session.id] = session
        rows.append({"id": session.id, "app_name": "app", "user_id": session.user_id,
                     "updated_at": str(n), "event_count": len(events)})
    index = SearchIndex()
    index.refresh(rows, sessions.get)
    return rows, sessions, index


def searched(index: SearchIndex, query: str, budget: float | None) -> list[str] | None:
    ids, complete = index.match(query, budget)
    while not complete:  # (budget 0: a block of sessions a turn)
        ids, complete = index.match(query, budget)
    return ids


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(WORDS, max_size=3), max_size=8), st.lists(WORDS, min_size=1, max_size=4),
       st.sampled_from([None, 0.0]))
def test_typing_on_and_back_finds_what_a_whole_search_does(texts, queries, budget):
    rows, sessions, index = build(texts)
    typed = []
    for query in queries:  # each typed a key at a time, then taken back a key at a time
        typed += [query[:n] for n in range(1, len(query) + 1)]
        typed += [query[:n] for n in range(len(query) - 1, 0, -1)]
    for query in typed:
        got = searched(index, query, budget)
        fresh = SearchIndex()
        fresh.refresh(rows, sessions.get)
        assert got == fresh.matching_ids(query), query
        needle = needle_of(query)
        if needle:
            truth = [r["id"] for r in rows
                     if needle.encode() in row_text(r) or session_matches(sessions[r["id"]], query)]
            assert got == truth, query
        else:
            assert got is None
