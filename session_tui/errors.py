"""The errors of the store and of reading and writing files (`store` and `formats` both raise
them; the store's names for them are `session_tui.store.errors`). Each message is one line
that says what and where."""


class StoreError(Exception):
    """A store that cannot be used, or a change that cannot be made (CLI exit 2)."""


class NotFound(StoreError):
    """Asked for something that does not exist: session, invocation, path (CLI exit 1)."""


class NothingToUndo(NotFound):
    """The session has no change left to undo (CLI exit 1)."""


class StaleError(StoreError):
    """A change based on a version of the session that another writer has since replaced."""


class StoreBusy(StoreError):
    """Another program held the lock longer than session-tui waits (an agent writing): nothing
    changed, and the same change may simply be tried again."""


class CorruptFile(StoreError):
    """A file that is not valid JSON, or not what it should hold. It is never overwritten."""


class NotAStore(StoreError):
    """A path that is neither a store folder nor a TinyDB file of sessions."""


class ReadOnlyStore(StoreError):
    """A change asked of a store opened read-only: refused before anything is read or written."""
