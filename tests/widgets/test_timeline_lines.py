"""TimelineLines keeps no list of its lines (a header's line is found by bisect): every look-up
gives what the list of lines gave, for any order of invocations, negative lines included."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from session_tui.model import Event
from session_tui.widgets.timeline_lines import TimelineLines


def reference_lines(invocations: list[str]) -> list[int]:
    """The list the lines were: a header (-1 - run) before every contiguous run, then its
    events' indexes."""
    lines: list[int] = []
    run = -1
    for i, invocation in enumerate(invocations):
        if i == 0 or invocation != invocations[i - 1]:
            run += 1
            lines.append(-1 - run)
        lines.append(i)
    return lines


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=12))
def test_look_ups_match_the_list_of_lines(invocations):
    events = [Event(f"e{i}", inv, "agent", timestamp=i) for i, inv in enumerate(invocations)]
    lines = TimelineLines(events)
    reference = reference_lines(invocations)
    assert len(lines) == len(reference)
    assert lines.invocation_count == len(set(invocations))
    for line in range(-len(reference), len(reference)):
        value = reference[line]
        assert lines.event_at(line) == (value if value >= 0 else None)
        assert lines.run_at(line) == (-1 - value if value < 0 else None)
        run = lines.run_of(line)
        assert lines.header_line(run) == reference.index(-1 - run)
        assert lines.invocation_at(line) == lines.run(run).invocation_id
        if value >= 0:
            assert lines.line_of_event(value) == line % len(reference)
    for outside in (len(reference), -len(reference) - 1):
        with pytest.raises(IndexError):
            lines.event_at(outside)
