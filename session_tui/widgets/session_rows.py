"""What the session list works out from all its rows: their order, the natural column widths,
the narrowest id column at which ids stay distinct. Plain functions of the rows (no widget),
so that a worker can do them before the rows reach the UI thread (`SessionList.prepare_rows`):
on 100,000 rows they took seconds there, before the first row could be drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..text import middle_cut, one_line
from .columns import Column


@dataclass(frozen=True)
class PreparedRows:
    """Rows with their order (indices, for `sort` and `reverse`), natural widths, and whether
    some session recorded tokens (the Tokens column)."""

    rows: list[dict[str, Any]]
    sort: Column
    reverse: bool
    order: list[int]
    natural: dict[str, int]
    tokens: bool


def prepare(rows: list[dict[str, Any]], sort: Column, reverse: bool) -> PreparedRows:
    return PreparedRows(rows, sort, reverse, sort_order(rows, sort, reverse), natural_widths(rows),
                        any(type(row.get("total_tokens")) is int for row in rows))


def natural_widths(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Natural widths of the app, user and id columns (len() of the safe text: cheap)."""
    return {
        key: max([len(title) + 2] + [len(one_line(v)) if isinstance(v, str) and not v.isascii()
                                     else len(v) if isinstance(v, str) else 0
                                     for v in (row.get(field) for row in rows)])
        for key, field, title in (("app", "app_name", "App"), ("user", "user_id", "User"),
                                  ("id", "id", "Id"))}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def sort_order(rows: list[dict[str, Any]], sort: Column, reverse: bool) -> list[int]:
    """Row indices in the order shown: by `sort`'s field, ties by newest update, then by id."""
    field = sort.field
    if sort.numeric and field != "updated_at":
        keys = [v if isinstance(v, (int, float)) and not isinstance(v, bool) else -1
                for v in (row.get(field) for row in rows)]
    elif field == "updated_at":
        keys = [_text(row.get(field)) for row in rows]
    else:
        keys = [v.casefold() if isinstance(v, str) else "" for v in (row.get(field) for row in rows)]
    # Equal rows in a clear order, whichever way the column goes: newest update first, then
    # by id (stable sorts: the last one decides, the earlier ones break its ties).
    ids = [str(row.get("id")) for row in rows]
    updated = [_text(row.get("updated_at")) for row in rows]
    order = sorted(range(len(rows)), key=ids.__getitem__)
    order.sort(key=updated.__getitem__, reverse=True)
    return sorted(order, key=keys.__getitem__, reverse=reverse)


def unique_id_width(ids: list[str], natural: int, width: int) -> int:
    """The smallest id width >= `width` at which no two ids, cut in the middle, look the same
    (`natural`, the widest id, when none is)."""
    plain = all(i.isascii() and i.isprintable() for i in ids)
    for w in sorted({width, width + 4, width + 8, width + 16, width + 32}):
        if w >= natural:
            break
        if plain and w > 1:  # one cell a character: middle_cut is two slices
            head, tail = w - 1 - (w - 1) // 2, (w - 1) // 2
            cut = {i if len(i) <= w else f"{i[:head]}…{i[len(i) - tail:]}" for i in ids}
        else:
            cut = {middle_cut(one_line(i), w) for i in ids}
        if len(cut) == len(set(ids)):
            return w
    return natural
