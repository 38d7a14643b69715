"""The store's errors, one line each that says what and where. They are defined below the store
(session_tui/errors.py) because formats raise them too, and formats do not import the store."""

from ..errors import (CorruptFile, NotAStore, NotFound, NothingToUndo, ReadOnlyStore,
                      StaleError, StoreBusy, StoreError)

__all__ = ["CorruptFile", "NotAStore", "NotFound", "NothingToUndo", "ReadOnlyStore", "StaleError",
           "StoreBusy", "StoreError"]
