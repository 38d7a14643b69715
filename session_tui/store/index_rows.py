"""The in-memory side of a store folder's index (index.py): its documents in the order the
list shows them, and the sessions' state texts kept apart from them (index_file.py)."""

from __future__ import annotations

import contextlib
from typing import Any

from .. import jsonio
from ..files import gc_paused
from . import index_file
from .index_file import keyed
from .index_file import SUMMARY_KEYS


class IndexRows:
    """The documents by session id (`_index`), newest first on demand, and their texts."""

    _index: dict[str, dict[str, Any]]
    # The ids of the documents of `_index` that may be out of order (the rest are newest first,
    # as index.json keeps them); None: no order known.
    _tail: set[str] | None = None
    # The state texts (search_text) apart from the documents, by file name: index.json's,
    # parsed when first asked for, and those of the documents changed since.
    _texts_raw: bytes | None = None
    _texts_base: dict[str, str] | None = None
    _texts_new: dict[str, str]  # (set by `_read_index` before any use)

    def _lean(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The document without its text (kept apart: `_text_of`), with its sort time."""
        text = doc.pop("search_text", None)
        if isinstance(text, str):
            self._texts_new[doc["file"]] = text
        return keyed(doc) if "t" not in doc and "error" not in doc else doc

    def _text_of(self, name: str) -> str | None:
        text = self._texts_new.get(name)
        if text is None:
            text = self._all_texts().get(name)
        return text

    def _all_texts(self) -> dict[str, str]:
        """index.json's texts by file name (parsed the first time they are asked for)."""
        if self._texts_base is None:
            base = None
            if self._texts_raw is not None:
                with contextlib.suppress(ValueError, jsonio.JSONLimitError), gc_paused():
                    base = index_file.parse_documents(self._texts_raw)
            self._texts_base = base if isinstance(base, dict) else {}
            self._texts_raw = None
        return self._texts_base

    def _newest_first(self) -> list[dict[str, Any]]:
        """The index's documents newest first (by `t`, then file name): those in the order
        index.json keeps, with the few that changed since put in their places."""
        if self._tail is None:
            return sorted(self._index.values(), key=index_file.sort_key)
        if not self._tail:
            return list(self._index.values())
        tail_ids = self._tail
        head = [d for d in self._index.values() if d["id"] not in tail_ids]
        return index_file.merged(head, [self._index[i] for i in tail_ids if i in self._index])

    def _placed(self, session_id: str, doc: dict[str, Any] | None) -> None:
        """Put a session's new document (None: it went) into the in-memory index."""
        if doc is None:
            self._index.pop(session_id, None)
        else:
            self._index[session_id] = self._lean(doc)
            if self._tail is not None:
                self._tail.add(session_id)


LIST_KEYS = SUMMARY_KEYS + ("search_text", "annulled_count", "total_tokens")


def _row(doc: dict[str, Any], text: str | None) -> dict[str, Any]:
    """What `list` gives of an index document and its text. `revision`: the session file's
    stat signature, new with every write (search_index)."""
    row = {k: doc.get(k) for k in LIST_KEYS}
    row["search_text"] = text
    row["revision"] = doc.get("sig")
    return row


