"""The session list's columns: which there are, where each goes at a width, how a value is
shown in one. No Textual here: the widget (session_list.py) draws what this places."""

from __future__ import annotations

import re
from typing import Any, Callable, NamedTuple

from rich.cells import cell_len, set_cell_size

from ..model import format_time, parse_time
from ..stats import short_tokens
from ..text import one_line

_ISO_MINUTE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


class Column(NamedTuple):
    key: str  # the name `sort_by` takes
    field: str  # the row key it shows
    title: str
    numeric: bool  # right-aligned; sorted newest/largest first when first chosen
    text: Callable[[Any], str] | None = None  # how a value is shown (numbers: number_text)


COLUMNS: tuple[Column, ...] = (
    Column("app", "app_name", "App", False),
    Column("user", "user_id", "User", False),
    Column("id", "id", "Id", False),
    Column("events", "event_count", "Events", True),
    Column("invocations", "invocation_count", "Invocations", True),
    # ADK's usageMetadata summed (stats.py); blank where none was recorded (or not known).
    Column("tokens", "total_tokens", "Tokens", True, short_tokens),
    Column("updated", "updated_at", "Last update", True),
)
BY_NAME = {c.key: c for c in COLUMNS} | {c.field: c for c in COLUMNS}

GAP = 2  # cells between columns


class Placed(NamedTuple):
    column: Column
    title: str
    x: int
    width: int


def short_time(value: Any) -> str:
    """`YYYY-MM-DD HH:MM` (UTC) of an ISO time; odd values shown as they are (safely)."""
    if isinstance(value, str) and value.endswith("Z") and _ISO_MINUTE.match(value):
        return f"{value[:10]} {value[11:16]}"
    if value is None or value == "":
        return ""
    try:
        iso = format_time(parse_time(value))
    except (ValueError, OverflowError):
        return one_line(str(value), 16)
    return f"{iso[:10]} {iso[11:16]}"


def number_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return one_line(str(value), 12)


def place_columns(width: int, natural: dict[str, int], id_width_for: Callable[[int], int],
                  tokens: bool = True) -> list[Placed]:
    """Where each column goes at this width. Numbers and time are fixed; app, user and id
    get their content's width (`natural`) when it fits. When it does not, app and user give
    way first (down to 10 cells each), then the id is cut in the middle, never so far that two
    ids would look the same (`id_width_for(w)`: the smallest width >= w at which none do).
    Tokens only where `tokens`: a list no session of which recorded any gives its cells to
    the others."""
    wide = width >= 100
    shown = [c for c in COLUMNS if tokens or c.key != "tokens"]
    fixed = {"events": 8, "invocations": 13 if wide else 8, "updated": 16}
    if tokens:
        fixed["tokens"] = 8 if wide else 6
    titles = {"invocations": "Invocations" if wide else "Invoc."}
    natural = natural or {"app": 3, "user": 4, "id": 2}
    room = max(12, width - sum(fixed.values()) - GAP * (len(shown) - 1))
    app_w, user_w, id_w = natural["app"], natural["user"], natural["id"]
    if app_w + user_w + id_w > room:
        app_w, user_w = min(app_w, 10), min(user_w, 10)
        id_w = min(id_w, max(id_width_for(12), room - app_w - user_w))
        # What the id leaves, app and user share, each at most its natural width.
        left = max(8, room - id_w)
        app_w = min(natural["app"], max(4, (left * natural["app"]) // max(1, natural["app"] + natural["user"])))
        user_w = min(natural["user"], max(4, left - app_w))
        app_w = max(4, min(app_w, left - user_w))  # the user's least 4 cells come off the app's
    fixed.update(app=app_w, user=user_w, id=id_w)
    placed: list[Placed] = []
    x = 0
    for column in shown:
        w = fixed[column.key]
        placed.append(Placed(column, titles.get(column.key, column.title), x, w))
        x += w + GAP
    return placed


def fit(text: str, width: int, right: bool) -> str:
    """`text` in exactly `width` cells: cut with `…`, padded left (`right`) or right."""
    length = cell_len(text)
    if length > width:
        text = set_cell_size(text, max(0, width - 1)) + "…" if width > 0 else ""
        length = width
    if right:
        return " " * (width - length) + text
    return text + " " * (width - length)
