"""session-tui: browse, edit and rewind AI agent sessions."""

__version__ = "0.1.0"
