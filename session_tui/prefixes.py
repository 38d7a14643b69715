"""Ids given by any unambiguous prefix (SPEC section 6): what a person types for a 36-character
session id or a 40-character invocation id. An exact match always wins."""

from __future__ import annotations

from typing import Iterable

SHOWN_CANDIDATES = 5


class AmbiguousPrefix(ValueError):
    """A prefix that more than one id starts with (CLI exit 2, the candidates named)."""


def resolve(text: str, ids: Iterable[str], what: str = "id") -> str:
    """The one id that is `text` or starts with it; `text` itself when none does (so that the
    caller's "not found" names what was typed)."""
    ids = list(ids)
    if text in ids or not text:
        return text
    matches = [i for i in ids if i.startswith(text)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        return text
    shown = ", ".join(sorted(matches)[:SHOWN_CANDIDATES])
    more = len(matches) - SHOWN_CANDIDATES
    raise AmbiguousPrefix(f"{what} prefix {text!r} is ambiguous: {len(matches)} match ({shown}"
                          + (f", and {more} more" if more > 0 else "") + ")")
