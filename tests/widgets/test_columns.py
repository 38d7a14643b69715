"""The session list's columns (widgets/columns.py): where each goes at a width."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from budget import examples

from session_tui.widgets.columns import place_columns

NATURAL = st.fixed_dictionaries({"app": st.integers(5, 60), "user": st.integers(6, 40),
                                 "id": st.integers(4, 80)})


@settings(max_examples=examples(60), deadline=None)
@given(st.integers(70, 200), NATURAL)
def test_the_columns_fit_the_width(width, natural):
    # Ids that stay apart at any width: only the width decides. (At 80 cells a list of
    # `ottawa_public_health_agent` sessions lost the last digit of its times: the user column's
    # least 4 cells came on top of the app's share.)
    placed = place_columns(width, natural, lambda w: w)
    last = placed[-1]
    assert last.x + last.width <= width, placed
    assert all(p.width >= 4 for p in placed)


def test_the_list_of_a_real_schema0_file_at_80_cells():
    placed = place_columns(80, {"app": 26, "user": 6, "id": 36}, lambda w: 20)
    assert placed[-1].x + placed[-1].width == 80
