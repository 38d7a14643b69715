"""Ids are never cut so far that two rows look the same (issue "What users found", point 10)."""

from __future__ import annotations

import uuid

import pytest
from test_session_list import line, run

from session_tui.text import cell_width, middle_cut


def rows_of(ids, app="evolution_agent", user="alice"):
    return [{"id": i, "app_name": app, "user_id": user, "event_count": 1, "invocation_count": 1,
             "updated_at": f"2026-11-{1 + n % 28:02d}T10:00:00Z"} for n, i in enumerate(ids)]


def id_cells(widget, n):
    """The Id column of the first n rows, as drawn (it starts under the header's "Id")."""
    start = line(widget, 0).index(" Id ") + 1
    return [line(widget, y)[start:].split()[0] for y in range(1, n + 1)]


def test_middle_cut_keeps_both_ends():
    assert middle_cut("abcdefghij", 20) == "abcdefghij"
    assert middle_cut("abcdefghij", 7) == "abc…hij"
    assert cell_width(middle_cut("漢字漢字漢字漢字", 7)) <= 7
    assert middle_cut("session~2", 1) == "…"


def test_eight_sessions_of_one_agent_are_told_apart_at_200_columns():
    ids = [f"evolution-run-{n}-{uuid.UUID(int=n)}" for n in range(8)] + ["evolution-run-0~2"]

    async def check(app, widget, pilot):
        shown = id_cells(widget, len(ids))
        assert sorted(shown) == sorted(ids)  # whole: there is room

    run(check, rows_of(ids), size=(200, 14))


@pytest.mark.parametrize("size", [(80, 24), (60, 24), (120, 36)])
def test_cut_ids_stay_distinct_and_keep_their_ends(size):
    base = "evolution-of-the-travel-agent-2026-11-24-"
    ids = [base + f"{n:04d}" for n in range(15)] + [base + "0003~2", base + "0003~3"]

    async def check(app, widget, pilot):
        shown = id_cells(widget, len(ids))
        assert len(set(shown)) == len(ids), shown
        assert any(s.endswith("~2") for s in shown) and any(s.endswith("~3") for s in shown)
        assert all(line(widget, y).rstrip() for y in range(1, len(ids) + 1))

    run(check, rows_of(ids), size=size)


def test_uuids_at_80_columns_are_distinct():
    ids = [str(uuid.UUID(int=n * 7919 + 1)) for n in range(20)]

    async def check(app, widget, pilot):
        shown = id_cells(widget, 20)
        assert len(set(shown)) == 20
        heads = {i[:4] for i in ids}
        assert all(s[:4] in heads and ("…" in s or s in ids) for s in shown)

    run(check, rows_of(ids), size=(80, 24))


def test_equal_rows_sort_by_update_time_then_id_whichever_way():
    rows = [{"id": i, "app_name": app, "user_id": "u", "event_count": 5, "invocation_count": 1,
             "updated_at": t} for i, app, t in [
                 ("b", "same", "2026-11-01T10:00:00Z"), ("a", "same", "2026-11-01T10:00:00Z"),
                 ("c", "same", "2026-11-02T10:00:00Z"), ("d", "other", "2026-11-03T10:00:00Z")]]

    async def check(app, widget, pilot):
        for column in ("app", "events"):
            for reverse in (False, True):
                widget.sort_by(column, reverse=reverse)
                shown = widget.shown_ids()
                same = [i for i in shown if i != "d"]
                assert same == ["c", "a", "b"], (column, reverse, shown)  # newest, then by id

    run(check, rows)
