"""A long list shows its first rows before the rest is sorted (session_rows.prepare_first): they
are exactly the first rows of the whole sort, for every column and direction, measured as all
the rows; the fast paths of the widths give what the plain ones do."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from session_tui.text import middle_cut, one_line
from session_tui.widgets.columns import COLUMNS
from session_tui.widgets.session_rows import (natural_widths, prepare, prepare_first,
                                              unique_id_width)

# Few distinct values: many ties, which the tie-breaks (newest update, then id) must order.
TEXT = st.sampled_from(["a", "B", "b", "ç", "zz", "", "日本"])
TIME = st.sampled_from(["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "", "x"])
ROW = st.fixed_dictionaries({
    "id": st.one_of(st.text("abc", min_size=1, max_size=3), st.integers(0, 9)),
    "app_name": st.one_of(TEXT, st.none(), st.integers(0, 3)),
    "user_id": TEXT,
    "event_count": st.one_of(st.integers(0, 3), st.none(), st.booleans()),
    "invocation_count": st.integers(0, 2),
    "total_tokens": st.one_of(st.none(), st.integers(0, 5)),
    "updated_at": TIME,
})


@settings(max_examples=50, deadline=None)
@given(st.lists(ROW, max_size=25), st.sampled_from(COLUMNS), st.booleans(), st.integers(0, 30))
def test_the_first_rows_are_the_first_of_the_whole_sort(rows, column, reverse, count):
    whole = prepare(rows, column, reverse)
    first = prepare_first(rows, column, reverse, count)
    ordered = [first.rows[i] for i in first.order]
    assert len(ordered) >= min(count, len(rows))
    assert ordered == [rows[i] for i in whole.order[:len(ordered)]]
    assert first.total == len(rows) and whole.total is None
    # Measured as all the rows: the columns do not move when the rest comes.
    assert (first.natural, first.tokens) == (whole.natural, whole.tokens)
    assert first.ids == [r if isinstance(r, str) else str(r) for r in (row["id"] for row in first.rows)]


def plain_natural(rows):
    """natural_widths as it was written first: a value at a time."""
    return {key: max([len(title) + 2] + [len(one_line(v)) if isinstance(v, str) and not v.isascii()
                                         else len(v) if isinstance(v, str) else 0
                                         for v in (row.get(field) for row in rows)])
            for key, field, title in (("app", "app_name", "App"), ("user", "user_id", "User"),
                                      ("id", "id", "Id"))}


@settings(max_examples=25, deadline=None)
@given(st.lists(ROW | st.fixed_dictionaries({"id": st.text(max_size=16),
                                             "app_name": st.text(max_size=8)}), max_size=8))
def test_widths_fast_paths_give_the_plain_answer(rows):
    assert natural_widths(rows) == plain_natural(rows)
    ids = [str(row["id"]) for row in rows]
    natural = max([len(i) for i in ids] + [2])
    for width in (1, 4, 12):
        got = unique_id_width(ids, natural, width)
        # A width at which no two different ids look the same, cut as drawn.
        assert got >= min(width, natural)
        if got < natural:
            assert len({middle_cut(one_line(i), got) for i in ids}) == len(set(ids))


@settings(max_examples=40, deadline=None)
@given(st.lists(ROW, max_size=20, unique_by=lambda row: str(row["id"])), st.sampled_from(COLUMNS),
       st.data())
def test_the_filter_shows_what_the_matcher_found_in_list_order(rows, column, data):
    """The list filters by the ids its matcher (the search index) finds: those rows, in the
    list's order, the cursor staying on its session while that is shown (found at C speed)."""
    from session_tui.widgets.session_list import SessionList

    session_list = SessionList(rows)
    session_list.sort_by(column.key)
    order = session_list.shown_ids()
    ids = [str(row["id"]) for row in rows]
    if ids:
        session_list.select(data.draw(st.sampled_from(ids)))
    selected = session_list.selected_id
    found = data.draw(st.one_of(st.lists(st.sampled_from(ids + ["gone"])) if ids else st.just([]),
                                st.just(ids + ["gone"])))  # every row (a first letter): C path
    session_list.matcher = lambda needle: list(found)
    session_list.filter = "q"
    assert session_list.shown_ids() == [i for i in order if i in set(found)]
    if selected in found:
        assert session_list.selected_id == selected
    session_list.filter = ""
    assert session_list.shown_ids() == order


def plain_order(rows, column, reverse):
    """sort_order as it was written first: three stable sorts."""
    from session_tui.widgets.session_rows import sort_keys

    keys = sort_keys(rows, column)
    ids = [str(row.get("id")) for row in rows]
    updated = [row.get("updated_at") if isinstance(row.get("updated_at"), str) else "" for row in rows]
    order = sorted(range(len(rows)), key=ids.__getitem__)
    order.sort(key=updated.__getitem__, reverse=True)
    return sorted(order, key=keys.__getitem__, reverse=reverse)


@settings(max_examples=50, deadline=None)
@given(st.lists(ROW, max_size=25), st.sampled_from(COLUMNS), st.booleans())
def test_the_order_is_the_three_sorts_order(rows, column, reverse):
    from session_tui.widgets.session_rows import sort_order

    assert sort_order(rows, column, reverse) == plain_order(rows, column, reverse)
