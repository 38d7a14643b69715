"""session-tui: browse, edit and rewind AI agent sessions."""

__version__ = "0.1.0"


def __getattr__(name: str):
    # `session_tui.open_store(target)`: any store by path or URL (opening.open_any), imported
    # only when asked for, so `import session_tui` stays light.
    if name == "open_store":
        from .opening import open_any

        return open_any
    raise AttributeError(f"module 'session_tui' has no attribute {name!r}")
