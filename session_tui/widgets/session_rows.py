"""What the session list works out from all its rows: their order, the natural column widths,
the narrowest id column at which ids stay distinct. Plain functions of the rows (no widget),
so that a worker can do them before the rows reach the UI thread (`SessionList.prepare_rows`):
on 100,000 rows they took seconds there, before the first row could be drawn.
"""

from __future__ import annotations

import heapq
from operator import itemgetter
from dataclasses import dataclass, field
from typing import Any

from ..text import middle_cut, one_line
from .columns import Column


ID_WIDTH_ASKED = 12  # the id width columns.place_columns asks the smallest unique one for
FIRST_ROWS = 200  # rows shown first of a long list, before the rest is sorted (a few screens)


@dataclass(frozen=True)
class PreparedRows:
    """Rows with their order (indices, for `sort` and `reverse`), natural widths, and whether
    some session recorded tokens (the Tokens column); `id_widths`: smallest unique id widths
    worked out already (width asked -> width). `total`: how many rows the list has, when these
    are only its first (`prepare_first`); None when they are all."""

    rows: list[dict[str, Any]]
    sort: Column
    reverse: bool
    order: list[int]
    natural: dict[str, int]
    tokens: bool
    id_widths: dict[int, int] = field(default_factory=dict)
    total: int | None = None
    ids: list[str] = field(default_factory=list)  # each row's id as text, in the rows' order


def prepare(rows: list[dict[str, Any]], sort: Column, reverse: bool,
            measure_ids: bool = False) -> PreparedRows:
    """`measure_ids`: work out the id width a narrow list asks for now (in a worker), not
    when first drawn (a tenth of a second for 100,000 ids, on the UI thread)."""
    natural = natural_widths(rows)
    ids = row_ids(rows)
    widths = {}
    if measure_ids:
        widths[ID_WIDTH_ASKED] = unique_id_width(ids, natural["id"], ID_WIDTH_ASKED)
    return PreparedRows(rows, sort, reverse, sort_order(rows, sort, reverse), natural,
                        any(type(row.get("total_tokens")) is int for row in rows), widths,
                        ids=ids)


def row_ids(rows: list[dict[str, Any]]) -> list[str]:
    """Each row's id as text."""
    return [i if isinstance(i, str) else str(i) for i in _column_values(rows, "id")]


def prepare_first(rows: list[dict[str, Any]], sort: Column, reverse: bool,
                  count: int | None = None) -> PreparedRows:
    """The first `count` rows (or a few more: ties) in the order `prepare` gives, without
    sorting them all (a selection by the sort key, then a sort of those), measured as all the
    rows would be (the columns do not move when the rest comes). `total`: len(rows)."""
    first = [rows[i] for i in first_indices(rows, sort, reverse, FIRST_ROWS if count is None else count)]
    whole = prepare(first, sort, reverse, measure_ids=True)
    natural, tokens = natural_widths(rows), any(type(row.get("total_tokens")) is int for row in rows)
    return PreparedRows(first, sort, reverse, whole.order, natural, tokens, whole.id_widths,
                        total=len(rows), ids=whole.ids)


def first_indices(rows: list[dict[str, Any]], sort: Column, reverse: bool, count: int) -> list[int]:
    """Indices of the rows that come first in `sort_order` (any order): every row whose sort
    key is at least as good as the `count`-th best one. Sorted by `sort_order`, they are the
    first of its order, exactly (the rows left out all have worse keys)."""
    if count >= len(rows):
        return list(range(len(rows)))
    if count <= 0:
        return []
    keys = sort_keys(rows, sort)
    if reverse:
        edge = heapq.nlargest(count, keys)[-1]
        return [i for i, key in enumerate(keys) if key >= edge]
    edge = heapq.nsmallest(count, keys)[-1]
    return [i for i, key in enumerate(keys) if key <= edge]


def _column_values(rows: list[dict[str, Any]], field: str) -> list[Any]:
    """Each row's `field` (None where it has none)."""
    try:
        return list(map(itemgetter(field), rows))  # (twice as fast as row.get, a row at a time)
    except KeyError:
        return [row.get(field) for row in rows]


def _texts(values: list[Any]) -> list[str]:
    return [v if isinstance(v, str) else "" for v in values]


def natural_widths(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Natural widths of the app, user and id columns (len() of the safe text: cheap)."""
    out = {}
    for key, name, title in (("app", "app_name", "App"), ("user", "user_id", "User"),
                             ("id", "id", "Id")):
        values = _column_values(rows, name)
        try:  # all plain strings (the usual): lengths at C speed
            plain = "".join(values).isascii()
        except TypeError:
            plain = False
        if plain:
            out[key] = max(len(title) + 2, max(map(len, values), default=0))
        else:
            out[key] = max([len(title) + 2] + [len(one_line(v)) if isinstance(v, str) and not v.isascii()
                                               else len(v) if isinstance(v, str) else 0
                                               for v in values])
    return out


def sort_keys(rows: list[dict[str, Any]], sort: Column) -> list[Any]:
    """Each row's key for `sort` (all numbers, or all strings)."""
    field = sort.field
    if sort.numeric and field != "updated_at":
        return [v if isinstance(v, (int, float)) and not isinstance(v, bool) else -1
                for v in (row.get(field) for row in rows)]
    if field == "updated_at":
        return _texts(_column_values(rows, field))
    return [v.casefold() if isinstance(v, str) else "" for v in (row.get(field) for row in rows)]


def sort_order(rows: list[dict[str, Any]], sort: Column, reverse: bool) -> list[int]:
    """Row indices in the order shown: by `sort`'s field, ties by newest update, then by id."""
    # Equal rows in a clear order, whichever way the column goes: newest update first, then
    # by id (stable sorts: the last one decides, the earlier ones break its ties). Each sort of
    # 100,000 keys holds the interpreter (the UI thread waits): as few as will do.
    updated = _texts(_column_values(rows, "updated_at"))
    order = sorted(range(len(rows)), key=updated.__getitem__, reverse=True)
    _ties_by_id(order, updated, rows)
    if sort.field == "updated_at" and reverse:
        return order  # (that is the column's order already)
    keys = sort_keys(rows, sort)
    order.sort(key=keys.__getitem__, reverse=reverse)
    return order


def _ties_by_id(order: list[int], updated: list[str], rows: list[dict[str, Any]]) -> None:
    """Put each run of rows updated at the same time (rare) in id order, in place."""
    times = [updated[i] for i in order]
    tied = [n for n, (a, b) in enumerate(zip(times, times[1:])) if a == b]
    start = None
    for n, after in zip(tied, tied[1:] + [None]):
        start = n if start is None else start
        if after != n + 1:  # the run start..n+1 ends here
            run = order[start:n + 2]
            order[start:n + 2] = sorted(run, key=lambda i: str(rows[i].get("id")))
            start = None


def unique_id_width(ids: list[str], natural: int, width: int) -> int:
    """The smallest id width >= `width` at which no two ids, cut in the middle, look the same
    (`natural`, the widest id, when none is)."""
    joined = "".join(ids)
    plain = joined.isascii() and joined.isprintable()
    distinct = len(set(ids))
    for w in sorted({width, width + 4, width + 8, width + 16, width + 32}):
        if w >= natural:
            break
        if plain and w > 1:  # one cell a character: middle_cut is two slices
            head, tail = w - 1 - (w - 1) // 2, (w - 1) // 2
            cut = {i if len(i) <= w else f"{i[:head]}…{i[len(i) - tail:]}" for i in ids}
        else:
            cut = {middle_cut(one_line(i), w) for i in ids}
        if len(cut) == distinct:
            return w
    return natural
