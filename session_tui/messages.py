"""Messages the app sends to its screens."""

from textual.message import Message


class StoreChanged(Message):
    """Another process (the CLI, an agent) changed the store: reload what is shown."""
