"""The room a screen's Header leaves for its title and sub-title: Textual's header docks its
icon (8 cells) on the left and its clock's space (10 cells) on the right, and cuts what does
not fit at its end (an id's end is where ids differ: `<id>-fork`, `<id>~2`)."""

from __future__ import annotations

HEADER_SIDES = 8 + 10  # cells: HeaderIcon and HeaderClockSpace


def title_room(screen_width: int, title: str) -> int:
    """Cells left for the sub-title beside `title` (joined by ` — `)."""
    from rich.cells import cell_len

    return screen_width - HEADER_SIDES - cell_len(title) - 3
