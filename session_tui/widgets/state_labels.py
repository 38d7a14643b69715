"""The state tree's labels, `key: preview  type`, as pieces with their component classes; and
how a label is fitted to the room its line has. No Textual here: the tree (state_tree.py) draws
them."""

from __future__ import annotations

from typing import Any, NamedTuple

from rich.cells import cell_len

from ..model import json_type
from ..text import json_preview, one_line
from ..wording import sized_type

_KEY_WIDTH = 60
_PREVIEW_WIDTH = 60  # built at this width; shown as wide as the tree has room for
MIN_PREVIEW = 12  # cells a preview gets however narrow the tree
_ROOM_FOR_TYPE = 40  # a preview cut to fewer cells than this drops the type instead


class More(NamedTuple):
    """The value of a `… N more` node: the next child to load, and how many there are."""

    start: int
    total: int


def describe_type(value: Any) -> str:
    """The type as the tree shows it: `object (3 keys)`, `array (1 item)`, `string (6 chars)`."""
    if isinstance(value, str) and len(value) <= _PREVIEW_WIDTH:
        return "string"  # (its length shows in the preview beside it)
    return sized_type(value, unit="char")


Parts = list[tuple[str, str | None]]  # (text, component class)

_KINDS = {"string", "number", "bool", "null", "object", "array"}


def label_parts(path: tuple, value: Any, highlight: frozenset[str]) -> Parts:
    """`key: preview  type`, each piece with its component class (a changed top-level key
    marked `●`)."""
    key = path[-1]
    parts: Parts = []
    if isinstance(key, int):
        parts.append((str(key), "state-tree--index"))
    else:
        changed = len(path) == 1 and key in highlight
        if changed:
            parts.append(("● ", "state-tree--changed"))
        parts.append((one_line(key, _KEY_WIDTH), "state-tree--changed" if changed else "state-tree--key"))
    parts.append((": ", None))
    kind = json_type(value)
    if kind == "object" or kind == "array":
        width = 40
    else:
        width = _PREVIEW_WIDTH
    parts.append((json_preview(value, width), f"state-tree--{kind}" if kind in _KINDS else None))
    parts.append(("  ", None))
    parts.append((describe_type(value), "state-tree--type"))
    return parts


def fit_preview(parts: Parts, value: Any, room: int) -> Parts:
    """The label's parts (key, preview, gap, type) fitted to the line: the preview as wide
    as the line has room for, so a wide tree shows more of each value; a scalar's type only
    where it leaves the value enough room (the value matters more), a container's always
    (its size)."""
    (preview, component), gap, kind = parts[-3:]
    beside = room - cell_len(gap[0]) - cell_len(kind[0])  # the preview's room beside the type
    if beside >= cell_len(preview) and not preview.endswith("…"):
        return parts  # whole, with its type
    if beside >= _ROOM_FOR_TYPE or isinstance(value, (dict, list)):  # (size: "3 keys")
        return [*parts[:-3], (json_preview(value, max(2, beside)), component), gap, kind]
    whole = json_preview(value, room)
    if cell_len(whole) <= beside and not whole.endswith("…"):
        return [*parts[:-3], (whole, component), gap, kind]
    return [*parts[:-3], (whole, component)]
