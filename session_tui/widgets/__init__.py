"""The reusable widgets of session-tui: data comes down through methods and reactives, messages
go up. None of them touches a store.

Each is imported when first asked for (`from session_tui.widgets import Timeline`), not with the
package: the app's start imports only the widgets of its first screen."""

from importlib import import_module

_WHERE = {"EventView": "event_view", "ReadOnlyBanner": "read_only_banner",
          "SessionList": "session_list", "StateTree": "state_tree", "Timeline": "timeline"}

__all__ = list(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
