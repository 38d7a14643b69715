"""The reusable widgets of session-tui: data comes down through methods and reactives, messages
go up. None of them touches a store."""

from .event_view import EventView
from .read_only_banner import ReadOnlyBanner
from .session_list import SessionList
from .state_tree import StateTree
from .timeline import Timeline

__all__ = ["EventView", "ReadOnlyBanner", "SessionList", "StateTree", "Timeline"]
